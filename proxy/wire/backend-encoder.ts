// Proxy → client encoding: the messages Portcullis writes itself (authentication, errors and
// notices, session parameters, rewritten RowDescription/DataRow, completions), one small
// writeXxx per message, plus the single-byte answer to SSLRequest / GSSENCRequest.

import { assertNever } from '../errors.js';
import { BACKEND_TAGS } from './codes.js';
import { PayloadWriter } from './payload-writer.js';
import type { BackendMessageOut, ErrorFieldsOut, FieldDescriptionOut } from './messages.js';

const codeOnly = (code: number): Buffer => Buffer.from([code, 0, 0, 0, 4]);

/** encodeBackend returns the bytes of one message the proxy sends to a client (a fresh Buffer the caller may keep). */
export function encodeBackend(msg: BackendMessageOut): Buffer {
  switch (msg.kind) {
    case 'authenticationOk':
      return new PayloadWriter(4).int32(0).frame(BACKEND_TAGS.authentication);
    case 'authenticationCleartextPassword':
      return new PayloadWriter(4).int32(3).frame(BACKEND_TAGS.authentication);
    case 'errorResponse':
      return writeNotice(msg, BACKEND_TAGS.errorResponse);
    case 'noticeResponse':
      return writeNotice(msg, BACKEND_TAGS.noticeResponse);
    case 'parameterStatus':
      return new PayloadWriter().cstring(msg.name).cstring(msg.value).frame(BACKEND_TAGS.parameterStatus);
    case 'backendKeyData':
      return new PayloadWriter(8).int32(msg.processId).int32(msg.secretKey).frame(BACKEND_TAGS.backendKeyData);
    case 'readyForQuery':
      return new PayloadWriter(1).byte(msg.status.charCodeAt(0)).frame(BACKEND_TAGS.readyForQuery);
    case 'rowDescription':
      return writeRowDescription(msg.fields);
    case 'dataRow':
      return writeDataRow(msg.values);
    case 'commandComplete':
      return new PayloadWriter().cstring(msg.tag).frame(BACKEND_TAGS.commandComplete);
    case 'emptyQueryResponse':
      return codeOnly(BACKEND_TAGS.emptyQueryResponse);
    case 'parseComplete':
      return codeOnly(BACKEND_TAGS.parseComplete);
    case 'bindComplete':
      return codeOnly(BACKEND_TAGS.bindComplete);
    case 'closeComplete':
      return codeOnly(BACKEND_TAGS.closeComplete);
    case 'noData':
      return codeOnly(BACKEND_TAGS.noData);
    case 'copyData':
      return new PayloadWriter(msg.data.length).bytes(msg.data).frame(BACKEND_TAGS.copyData);
    case 'copyDone':
      return codeOnly(BACKEND_TAGS.copyDone);
    case 'negotiateProtocolVersion': {
      const w = new PayloadWriter().int32(msg.newestMinor).int32(msg.unrecognized.length);
      for (const name of msg.unrecognized) w.cstring(name);
      return w.frame(BACKEND_TAGS.negotiateProtocolVersion);
    }
    case 'sslResponse':
      // a single byte, not a frame
      return Buffer.from(msg.answer, 'latin1');
    default:
      return assertNever(msg, 'encodeBackend: unknown message kind');
  }
}

// ErrorResponse / NoticeResponse: (Byte1 field type, String value)*, Byte1 0. S is the localized
// severity, V the non-localized one (both the same here). NUL bytes inside values (e.g. from a
// policy's reason) are dropped: they would otherwise cut the field and desynchronize the client.
function writeNotice(msg: ErrorFieldsOut, code: number): Buffer {
  const w = new PayloadWriter(64 + msg.message.length);
  const field = (type: string, value: string): void => {
    w.byte(type.charCodeAt(0)).cstring(value.replaceAll('\0', ''));
  };
  field('S', msg.severity);
  field('V', msg.severity);
  field('C', msg.code);
  field('M', msg.message);
  if (msg.detail !== undefined) field('D', msg.detail);
  if (msg.hint !== undefined) field('H', msg.hint);
  if (msg.position !== undefined) field('P', String(msg.position));
  for (const [type, value] of Object.entries(msg.extra ?? {})) {
    if (type.length !== 1 || type === '\0' || 'SVCMDHP'.includes(type)) continue;
    field(type, value);
  }
  w.byte(0);
  return w.frame(code);
}

// RowDescription: Int16 n, then per field: String name, Int32 table OID, Int16 attribute number,
// Int32 type OID, Int16 type size, Int32 type modifier, Int16 format.
function writeRowDescription(fields: readonly FieldDescriptionOut[]): Buffer {
  const w = new PayloadWriter(2 + fields.length * 32);
  w.int16(fields.length);
  for (const f of fields) {
    w.cstring(f.name)
      .int32(f.tableOID ?? 0)
      .int16(f.columnAttr ?? 0)
      .int32(f.dataTypeOID ?? 0)
      .int16(f.dataTypeSize ?? 0)
      .int32(f.typeModifier ?? 0)
      .int16(f.format ?? 0);
  }
  return w.frame(BACKEND_TAGS.rowDescription);
}

// DataRow: Int16 n, then per value Int32 length (-1 = NULL) and the bytes. Sized exactly up front:
// this is the hot path when masking rewrites rows.
function writeDataRow(values: readonly (Buffer | string | null)[]): Buffer {
  let size = 1 + 4 + 2;
  for (const v of values) size += 4 + (v === null ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : v.length);
  const out = Buffer.allocUnsafe(size);
  out[0] = BACKEND_TAGS.dataRow;
  out.writeInt32BE(size - 1, 1);
  out.writeUInt16BE(values.length, 5);
  let o = 7;
  for (const v of values) {
    if (v === null) {
      out.writeInt32BE(-1, o);
      o += 4;
    } else if (typeof v === 'string') {
      const n = out.write(v, o + 4, 'utf8');
      out.writeInt32BE(n, o);
      o += 4 + n;
    } else {
      out.writeInt32BE(v.length, o);
      out.set(v, o + 4);
      o += 4 + v.length;
    }
  }
  return out;
}
