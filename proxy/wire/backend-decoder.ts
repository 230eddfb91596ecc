// Server → proxy decoding: one complete Frame in (from FrameReader), one typed BackendMessage out.
// pg-protocol's Parser decodes the messages it models well; we type its output into our union
// and check the payload length it consumed. DataRow (raw bytes kept for rewriting), Error/Notice
// (every field), Authentication (typed variants) and COPY messages (pg-protocol folds a format
// byte of 2 into "binary" and knows no CopyBothResponse) are read here.

import { Parser } from 'pg-protocol/dist/parser.js';
import type { BackendMessage as PgMessage } from 'pg-protocol/dist/messages.js';
import { AUTH_METHODS, BACKEND_TAGS } from './codes.js';
import { FrameTooLargeError, ProtocolViolationError } from './errors.js';
import { PayloadReader } from './payload-reader.js';
import type { BackendMessage, FieldDescription, FormatCode, Frame, NoticeFields, TransactionStatus } from './messages.js';

const EMPTY_KINDS: ReadonlyMap<number, BackendMessage> = new Map<number, BackendMessage>([
  [BACKEND_TAGS.noData, { kind: 'noData' }],
  [BACKEND_TAGS.parseComplete, { kind: 'parseComplete' }],
  [BACKEND_TAGS.bindComplete, { kind: 'bindComplete' }],
  [BACKEND_TAGS.closeComplete, { kind: 'closeComplete' }],
  [BACKEND_TAGS.portalSuspended, { kind: 'portalSuspended' }],
  [BACKEND_TAGS.emptyQueryResponse, { kind: 'emptyQueryResponse' }],
  [BACKEND_TAGS.copyDone, { kind: 'copyDone' }],
]);

/** decodeBackend decodes one complete server frame; unknown tags give { kind: 'unknown' }, malformed payloads a ProtocolViolationError. */
export function decodeBackend(frame: Frame): BackendMessage {
  if (frame.kind === 'skipped') throw new FrameTooLargeError(frame.declared, frame.limit);
  if (frame.kind !== 'tagged') throw violation('server sent an untagged packet');
  const { code, payload } = frame;
  const empty = EMPTY_KINDS.get(code);
  if (empty !== undefined) {
    if (payload.length !== 0) throw violation(`message type '${frame.tag}' has ${payload.length} unexpected bytes`);
    return empty;
  }
  switch (code) {
    case BACKEND_TAGS.dataRow:
      return parseDataRow(new PayloadReader(payload, 'DataRow message', 'FATAL'));
    case BACKEND_TAGS.errorResponse:
      return { kind: 'errorResponse', fields: parseNoticeFields(new PayloadReader(payload, 'ErrorResponse message', 'FATAL')) };
    case BACKEND_TAGS.noticeResponse:
      return { kind: 'noticeResponse', fields: parseNoticeFields(new PayloadReader(payload, 'NoticeResponse message', 'FATAL')) };
    case BACKEND_TAGS.authentication:
      return parseAuthentication(new PayloadReader(payload, 'Authentication message', 'FATAL'));
    case BACKEND_TAGS.copyData:
      return { kind: 'copyData', data: payload };
    case BACKEND_TAGS.copyInResponse:
      return parseCopyResponse(new PayloadReader(payload, 'CopyInResponse message', 'FATAL'), 'copyInResponse');
    case BACKEND_TAGS.copyOutResponse:
      return parseCopyResponse(new PayloadReader(payload, 'CopyOutResponse message', 'FATAL'), 'copyOutResponse');
    case BACKEND_TAGS.copyBothResponse:
      return parseCopyResponse(new PayloadReader(payload, 'CopyBothResponse message', 'FATAL'), 'copyBothResponse');
    case BACKEND_TAGS.rowDescription:
    case BACKEND_TAGS.parameterDescription:
    case BACKEND_TAGS.parameterStatus:
    case BACKEND_TAGS.backendKeyData:
    case BACKEND_TAGS.readyForQuery:
    case BACKEND_TAGS.commandComplete:
    case BACKEND_TAGS.notification:
      return fromPgProtocol(frame.raw, payload.length);
    default:
      return { kind: 'unknown', code };
  }
}

// DataRow: Int16 n, then per column Int32 length (-1 = NULL) and Byte[length]. Values stay raw views.
function parseDataRow(r: PayloadReader): BackendMessage {
  const n = r.uint16();
  const values: (Buffer | null)[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const len = r.int32();
    if (len < -1) r.fail(`invalid length ${len} of column ${i + 1}`);
    values[i] = len === -1 ? null : r.bytes(len);
  }
  r.end();
  return { kind: 'dataRow', values };
}

/**
 * checkDataRow validates a DataRow frame as decodeBackend would (same errors) without decoding
 * its values: for rows that are forwarded unchanged.
 */
export function checkDataRow(frame: Frame): void {
  if (frame.kind === 'skipped') throw new FrameTooLargeError(frame.declared, frame.limit);
  if (frame.kind !== 'tagged') throw violation('server sent an untagged packet');
  if (frame.code !== BACKEND_TAGS.dataRow) throw violation(`message type '${frame.tag}' is not a DataRow`);
  if (wellFormedDataRow(frame.payload)) return;
  // a malformed row: read again with the reader, which says exactly what is wrong
  const r = new PayloadReader(frame.payload, 'DataRow message', 'FATAL');
  const n = r.uint16();
  for (let i = 0; i < n; i++) {
    const len = r.int32();
    if (len < -1) r.fail(`invalid length ${len} of column ${i + 1}`);
    if (len !== -1) r.skip(len);
  }
  r.end();
}

/** wellFormedDataRow checks a DataRow payload without allocating (one per row of every result): a count, then that many values (length -1 or a length and as many bytes), then nothing. */
function wellFormedDataRow(p: Buffer): boolean {
  if (p.length < 2) return false;
  const n = p.readUInt16BE(0);
  let pos = 2;
  for (let i = 0; i < n; i++) {
    if (pos + 4 > p.length) return false;
    const len = p.readInt32BE(pos);
    pos += 4;
    if (len < -1) return false;
    if (len > 0) pos += len;
  }
  return pos === p.length;
}

// ErrorResponse / NoticeResponse: (Byte1 type, String value)*, Byte1 0.
function parseNoticeFields(r: PayloadReader): NoticeFields {
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  for (;;) {
    const type = r.byte();
    if (type === 0) break;
    fields[String.fromCharCode(type)] = r.looseCstring();
  }
  r.end();
  return { ...fields };
}

// Authentication: Int32 method, then method-specific data.
function parseAuthentication(r: PayloadReader): BackendMessage {
  const method = r.int32();
  switch (method) {
    case AUTH_METHODS.ok:
      r.end();
      return { kind: 'authenticationOk' };
    case AUTH_METHODS.cleartextPassword:
      r.end();
      return { kind: 'authenticationCleartextPassword' };
    case AUTH_METHODS.md5Password: {
      const salt = r.bytes(4);
      r.end();
      return { kind: 'authenticationMD5Password', salt };
    }
    case AUTH_METHODS.sasl: {
      // String mechanism*, then an empty string
      const mechanisms: string[] = [];
      for (;;) {
        const m = r.looseCstring();
        if (m === '') break;
        mechanisms.push(m);
      }
      r.end();
      return { kind: 'authenticationSASL', mechanisms };
    }
    case AUTH_METHODS.saslContinue:
      return { kind: 'authenticationSASLContinue', data: r.rest() };
    case AUTH_METHODS.saslFinal:
      return { kind: 'authenticationSASLFinal', data: r.rest() };
    default:
      return { kind: 'authenticationUnsupported', method };
  }
}

// CopyInResponse / CopyOutResponse / CopyBothResponse: Int8 overall format, Int16 n, Int16[n] column formats.
function parseCopyResponse(r: PayloadReader, kind: 'copyInResponse' | 'copyOutResponse' | 'copyBothResponse'): BackendMessage {
  const format = toFormat(r.byte());
  const n = r.uint16();
  const columnFormats: FormatCode[] = new Array(n);
  for (let i = 0; i < n; i++) columnFormats[i] = toFormat(r.int16());
  r.end();
  return { kind, format, columnFormats };
}

/** fromPgProtocol runs pg-protocol's parser over one frame and types the result, checking the payload length it implies. */
function fromPgProtocol(raw: Buffer, payloadLength: number): BackendMessage {
  let parsed: PgMessage | undefined;
  try {
    new Parser().parse(raw, (m) => {
      parsed = m;
    });
  } catch (cause) {
    throw violation(`malformed message type '${String.fromCharCode(raw[0] ?? 0)}'`, cause);
  }
  if (parsed === undefined) throw violation('incomplete message');
  const { msg, size } = typed(parsed);
  if (size !== payloadLength)
    throw violation(`message type '${String.fromCharCode(raw[0] ?? 0)}' has length ${payloadLength}, expected ${size}`);
  return msg;
}

/** typed converts one pg-protocol message into ours and computes the payload size it occupies. */
function typed(m: PgMessage): { msg: BackendMessage; size: number } {
  const p = m as unknown as PgAny;
  switch (p.name) {
    case 'rowDescription': {
      let size = 2;
      const fields: FieldDescription[] = p.fields.map((f) => {
        size += Buffer.byteLength(f.name) + 1 + 18;
        return {
          name: f.name,
          tableOID: f.tableID,
          columnAttr: f.columnID,
          dataTypeOID: f.dataTypeID,
          dataTypeSize: f.dataTypeSize,
          typeModifier: f.dataTypeModifier,
          format: f.format === 'binary' ? 1 : 0,
        };
      });
      return { msg: { kind: 'rowDescription', fields }, size };
    }
    case 'parameterDescription':
      return { msg: { kind: 'parameterDescription', paramTypes: [...p.dataTypeIDs] }, size: 2 + 4 * p.dataTypeIDs.length };
    case 'parameterStatus':
      return {
        msg: { kind: 'parameterStatus', name: p.parameterName, value: p.parameterValue },
        size: Buffer.byteLength(p.parameterName) + Buffer.byteLength(p.parameterValue) + 2,
      };
    case 'backendKeyData':
      return { msg: { kind: 'backendKeyData', processId: p.processID, secretKey: p.secretKey }, size: 8 };
    case 'readyForQuery':
      if (p.status !== 'I' && p.status !== 'T' && p.status !== 'E') throw violation(`invalid transaction status '${p.status}'`);
      return { msg: { kind: 'readyForQuery', status: p.status as TransactionStatus }, size: 1 };
    case 'commandComplete':
      return { msg: { kind: 'commandComplete', tag: p.text }, size: Buffer.byteLength(p.text) + 1 };
    case 'notification':
      return {
        msg: { kind: 'notification', processId: p.processId, channel: p.channel, payload: p.payload },
        size: 4 + Buffer.byteLength(p.channel) + Buffer.byteLength(p.payload) + 2,
      };
    default:
      throw violation(`unexpected message '${p.name}'`);
  }
}

// The shapes pg-protocol produces for the tags routed to it (its own types use `any` for some).
type PgAny =
  | {
      name: 'rowDescription';
      fields: {
        name: string;
        tableID: number;
        columnID: number;
        dataTypeID: number;
        dataTypeSize: number;
        dataTypeModifier: number;
        format: string;
      }[];
    }
  | { name: 'parameterDescription'; dataTypeIDs: number[] }
  | { name: 'parameterStatus'; parameterName: string; parameterValue: string }
  | { name: 'backendKeyData'; processID: number; secretKey: number }
  | { name: 'readyForQuery'; status: string }
  | { name: 'commandComplete'; text: string }
  | { name: 'notification'; processId: number; channel: string; payload: string }
  | { name: 'other' };

function toFormat(f: number): FormatCode {
  if (f === 0 || f === 1) return f;
  throw violation(`unsupported format code ${f}`);
}

function violation(reason: string, cause?: unknown): ProtocolViolationError {
  return new ProtocolViolationError(`portcullis: invalid message from the server: ${reason}`, { severity: 'FATAL', cause });
}
