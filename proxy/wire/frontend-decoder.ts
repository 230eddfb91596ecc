// Client → proxy decoding: one complete Frame in (from FrameReader), one typed FrontendMessage
// out. Untagged packets are told apart by their int32 request code; tagged ones by a code table.
// One small parseXxx(reader) per message; anything malformed raises a WireError (08P01/22021).

import { CANCEL_REQUEST_CODE, FRONTEND_TAGS, GSSENC_REQUEST_CODE, SSL_REQUEST_CODE } from './codes.js';
import { FrameTooLargeError, ProtocolViolationError } from './errors.js';
import { PayloadReader, decodeUtf8 } from './payload-reader.js';
import type {
  BindMessage,
  FormatCode,
  Frame,
  FrontendMessage,
  PasswordMessage,
  SaslInitialResponse,
  SaslResponse,
  StartupMessage,
} from './messages.js';

const sync = { kind: 'sync' } as const;
const flush = { kind: 'flush' } as const;
const copyDone = { kind: 'copyDone' } as const;
const terminate = { kind: 'terminate' } as const;

/** decodeFrontend decodes one complete client frame; malformed input raises a WireError, never another exception. */
export function decodeFrontend(frame: Frame): FrontendMessage {
  if (frame.kind === 'untagged') return decodeUntagged(frame.payload);
  if (frame.kind === 'skipped') throw new FrameTooLargeError(frame.declared, frame.limit);
  // clients' messages are never streamed (the option is for the upstream's rows)
  if (frame.kind === 'part') throw new FrameTooLargeError(frame.declared, frame.declared);
  const r = new PayloadReader(frame.payload, messageName(frame.code));
  switch (frame.code) {
    case FRONTEND_TAGS.query:
      return parseQuery(r);
    case FRONTEND_TAGS.parse:
      return parseParse(r);
    case FRONTEND_TAGS.bind:
      return parseBind(r);
    case FRONTEND_TAGS.describe: {
      const target = parseTarget(r);
      const name = r.cstring('name');
      r.end();
      return { kind: 'describe', target, name };
    }
    case FRONTEND_TAGS.close: {
      const target = parseTarget(r);
      const name = r.cstring('name');
      r.end();
      return { kind: 'close', target, name };
    }
    case FRONTEND_TAGS.execute: {
      const portal = r.cstring('portal name');
      const maxRows = r.int32();
      r.end();
      return { kind: 'execute', portal, maxRows };
    }
    case FRONTEND_TAGS.sync:
      r.end();
      return sync;
    case FRONTEND_TAGS.flush:
      r.end();
      return flush;
    case FRONTEND_TAGS.terminate:
      r.end();
      return terminate;
    case FRONTEND_TAGS.copyDone:
      r.end();
      return copyDone;
    case FRONTEND_TAGS.copyData:
      return { kind: 'copyData', data: r.rest() };
    case FRONTEND_TAGS.copyFail: {
      const message = r.cstring('message');
      r.end();
      return { kind: 'copyFail', message };
    }
    case FRONTEND_TAGS.password:
      return { kind: 'password', data: r.rest() };
    case FRONTEND_TAGS.functionCall:
      // FunctionCall: int32 function OID, then arguments the session never reads (it refuses the message)
      return { kind: 'functionCall', functionOid: r.uint32() };
    default:
      throw new ProtocolViolationError(`portcullis: invalid frontend message type ${frame.code} ('${printable(frame.code)}')`, {
        severity: 'FATAL',
      });
  }
}

// Untagged: int32 code, then for StartupMessage (major 3) a list of name\0value\0 pairs ended by \0;
// CancelRequest: int32 processId, int32 secretKey. PostgreSQL answers unknown codes with FATAL 08P01.
function decodeUntagged(payload: Buffer): FrontendMessage {
  const r = new PayloadReader(payload, 'startup packet', 'FATAL');
  const code = r.int32();
  switch (code) {
    case SSL_REQUEST_CODE:
      r.end();
      return { kind: 'sslRequest' };
    case GSSENC_REQUEST_CODE:
      r.end();
      return { kind: 'gssEncRequest' };
    case CANCEL_REQUEST_CODE: {
      const processId = r.int32();
      const secretKey = r.int32();
      r.end();
      return { kind: 'cancelRequest', processId, secretKey };
    }
    default:
      return parseStartup(r, code);
  }
}

function parseStartup(r: PayloadReader, version: number): StartupMessage {
  const majorVersion = version >>> 16;
  const minorVersion = version & 0xffff;
  if (majorVersion !== 3) {
    throw new ProtocolViolationError(
      `portcullis: unsupported frontend protocol ${majorVersion}.${minorVersion}: server supports 3.0 to 3.0`,
      { severity: 'FATAL' },
    );
  }
  const parameters = new Map<string, string>();
  for (;;) {
    const name = r.cstring('parameter name');
    if (name === '') break;
    parameters.set(name, r.cstring(`value of parameter "${name}"`));
  }
  r.end();
  return { kind: 'startup', majorVersion, minorVersion, parameters };
}

// Query: String query (NUL-terminated). The text is kept whole, inner NULs included.
function parseQuery(r: PayloadReader): FrontendMessage {
  const all = r.rest();
  if (all.length === 0 || all[all.length - 1] !== 0) r.fail('missing string terminator');
  const sqlBytes = all.subarray(0, all.length - 1);
  return { kind: 'query', sql: decodeUtf8(sqlBytes, 'Query message'), sqlBytes };
}

// Parse: String name, String query, Int16 n, Int32[n] parameter type OIDs.
function parseParse(r: PayloadReader): FrontendMessage {
  const name = r.cstring('statement name');
  const queryBytes = r.cstringBytes();
  const query = decodeUtf8(queryBytes, 'Parse message query');
  const n = r.uint16();
  const paramTypes: number[] = new Array(n);
  for (let i = 0; i < n; i++) paramTypes[i] = r.uint32();
  r.end();
  return { kind: 'parse', name, query, queryBytes, paramTypes };
}

// Bind: String portal, String statement, Int16 nf, Int16[nf] formats, Int16 nv, (Int32 len, Byte[len])[nv]
// (len -1 = NULL), Int16 nr, Int16[nr] result formats.
function parseBind(r: PayloadReader): BindMessage {
  const portal = r.cstring('portal name');
  const statement = r.cstring('statement name');
  const paramFormats = parseFormats(r);
  const n = r.uint16();
  if (paramFormats.length > 1 && paramFormats.length !== n) {
    r.fail(`${paramFormats.length} parameter formats but ${n} parameters`);
  }
  const values: (Buffer | null)[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const len = r.int32();
    if (len < -1) r.fail(`invalid length ${len} of parameter ${i + 1}`);
    values[i] = len === -1 ? null : r.bytes(len);
  }
  const resultFormats = parseFormats(r);
  r.end();
  return { kind: 'bind', portal, statement, paramFormats, values, resultFormats };
}

function parseFormats(r: PayloadReader): FormatCode[] {
  const n = r.uint16();
  const formats: FormatCode[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const f = r.int16();
    if (f !== 0 && f !== 1) r.fail(`unsupported format code ${f}`);
    formats[i] = f;
  }
  return formats;
}

function parseTarget(r: PayloadReader): 'S' | 'P' {
  const b = r.byte();
  if (b === 0x53) return 'S';
  if (b === 0x50) return 'P';
  return r.fail(`invalid target type '${printable(b)}' (expected 'S' or 'P')`);
}

/** readCleartextPassword reads a 'p' payload as PasswordMessage: one NUL-terminated UTF-8 string, nothing after it. */
export function readCleartextPassword(msg: PasswordMessage): string {
  const r = new PayloadReader(msg.data, 'password message', 'FATAL');
  const password = r.cstring('password');
  r.end();
  return password;
}

/** decodeSaslInitial reads a 'p' payload as SASLInitialResponse: String mechanism, Int32 length (-1 = none), Byte[length]. */
export function decodeSaslInitial(msg: PasswordMessage): SaslInitialResponse {
  const r = new PayloadReader(msg.data, 'SASLInitialResponse message', 'FATAL');
  const mechanism = r.cstring('mechanism');
  const len = r.int32();
  if (len < -1) r.fail(`invalid length ${len}`);
  const data = len === -1 ? null : r.bytes(len);
  r.end();
  return { kind: 'saslInitialResponse', mechanism, data };
}

/** decodeSaslResponse reads a 'p' payload as SASLResponse: the whole payload is mechanism data. */
export function decodeSaslResponse(msg: PasswordMessage): SaslResponse {
  return { kind: 'saslResponse', data: msg.data };
}

const MESSAGE_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(FRONTEND_TAGS).map(([name, code]) => [code, `${name} message`]));

function messageName(code: number): string {
  return MESSAGE_NAMES.get(code) ?? 'message';
}

function printable(code: number): string {
  return code >= 0x20 && code < 0x7f ? String.fromCharCode(code) : `\\x${code.toString(16).padStart(2, '0')}`;
}
