// Proxy → upstream encoding: the messages Portcullis sends to PostgreSQL as a client. pg-protocol's
// `serialize` writes those it covers byte-for-byte as node-postgres does; the small PayloadWriter
// writes those it does not (startup without a forced client_encoding, Parse without console
// output, Bind with raw values and per-parameter formats, Execute with a signed row limit).

import { serialize } from 'pg-protocol';
import { assertNever } from '../errors.js';
import { FRONTEND_TAGS, PROTOCOL_3_0, SSL_REQUEST_CODE } from './codes.js';
import { PayloadWriter } from './payload-writer.js';
import type { FrontendMessageOut } from './messages.js';

/** encodeFrontend returns the bytes of one message the proxy sends upstream; the result must not be mutated (constants are shared). */
export function encodeFrontend(msg: FrontendMessageOut): Buffer {
  switch (msg.kind) {
    case 'startup':
      return writeStartup(msg);
    case 'sslRequest':
      return new PayloadWriter(4).int32(SSL_REQUEST_CODE).untagged();
    case 'password':
      return serialize.password(noNul(msg.password, 'password'));
    case 'saslInitialResponse':
      // SASLInitialResponse: String mechanism, Int32 length, Byte[length]
      return typeof msg.data === 'string'
        ? serialize.sendSASLInitialResponseMessage(noNul(msg.mechanism, 'mechanism'), msg.data)
        : new PayloadWriter(msg.mechanism.length + 5 + msg.data.length)
            .cstring(msg.mechanism)
            .int32(msg.data.length)
            .bytes(msg.data)
            .frame(FRONTEND_TAGS.password);
    case 'saslResponse':
      return typeof msg.data === 'string'
        ? serialize.sendSCRAMClientFinalMessage(msg.data)
        : new PayloadWriter(msg.data.length).bytes(msg.data).frame(FRONTEND_TAGS.password);
    case 'query':
      return serialize.query(noNul(msg.sql, 'query'));
    case 'parse':
      return writeParse(msg.name ?? '', msg.query, msg.paramTypes ?? []);
    case 'bind':
      return writeBind(msg);
    case 'describe':
      return serialize.describe({ type: msg.target, name: noNul(msg.name ?? '', 'name') });
    case 'execute':
      return new PayloadWriter(9)
        .cstring(msg.portal ?? '')
        .int32(msg.maxRows ?? 0)
        .frame(FRONTEND_TAGS.execute);
    case 'sync':
      return serialize.sync();
    case 'flush':
      return serialize.flush();
    case 'close':
      return serialize.close({ type: msg.target, name: noNul(msg.name ?? '', 'name') });
    case 'copyData':
      return serialize.copyData(msg.data);
    case 'copyDone':
      return serialize.copyDone();
    case 'copyFail':
      return serialize.copyFail(noNul(msg.message, 'message'));
    case 'terminate':
      return serialize.end();
    case 'cancelRequest':
      return serialize.cancel(msg.processId, msg.secretKey);
    default:
      return assertNever(msg, 'encodeFrontend: unknown message kind');
  }
}

type StartupOut = Extract<FrontendMessageOut, { kind: 'startup' }>;

// StartupMessage: Int32 length, Int32 196608, (String name, String value)*, Byte1 0.
// user, database and application_name first; then the other parameters in their order.
function writeStartup(msg: StartupOut): Buffer {
  const w = new PayloadWriter(128).int32(PROTOCOL_3_0);
  const seen = new Set<string>();
  const param = (name: string, value: string | undefined): void => {
    if (value === undefined || seen.has(name)) return;
    seen.add(name);
    w.cstring(name).cstring(value);
  };
  param('user', msg.user);
  param('database', msg.database);
  param('application_name', msg.applicationName);
  const rest = msg.parameters instanceof Map ? [...msg.parameters] : Object.entries(msg.parameters ?? {});
  for (const [name, value] of rest) {
    if (name === '') throw new TypeError('encodeFrontend: empty startup parameter name');
    param(name, value);
  }
  return w.byte(0).untagged();
}

// Parse: String name, String query, Int16 n, Int32[n] type OIDs.
function writeParse(name: string, query: string, paramTypes: readonly number[]): Buffer {
  const w = new PayloadWriter(name.length + query.length + 4 + paramTypes.length * 4);
  w.cstring(name).cstring(query).int16(paramTypes.length);
  for (const oid of paramTypes) w.int32(oid);
  return w.frame(FRONTEND_TAGS.parse);
}

type BindOut = Extract<FrontendMessageOut, { kind: 'bind' }>;

// Bind: String portal, String statement, Int16 nf, Int16[nf], Int16 nv, (Int32 len, Byte[len])[nv],
// Int16 nr, Int16[nr]. Values and formats are written exactly as given (byte-exact passthrough).
function writeBind(msg: BindOut): Buffer {
  const values = msg.values ?? [];
  const paramFormats = msg.paramFormats ?? [];
  const resultFormats = msg.resultFormats ?? [];
  let size = 8 + paramFormats.length * 2 + resultFormats.length * 2;
  for (const v of values) size += 4 + (v === null ? 0 : v.length);
  const w = new PayloadWriter(size);
  w.cstring(msg.portal ?? '').cstring(msg.statement ?? '');
  w.int16(paramFormats.length);
  for (const f of paramFormats) w.int16(f);
  w.int16(values.length);
  for (const v of values) {
    if (v === null) w.int32(-1);
    else w.int32(v.length).bytes(v);
  }
  w.int16(resultFormats.length);
  for (const f of resultFormats) w.int16(f);
  return w.frame(FRONTEND_TAGS.bind);
}

/** noNul guards strings pg-protocol writes as C strings: a NUL would cut the field (our bug, so TypeError). */
function noNul(s: string, what: string): string {
  if (s.includes('\0')) throw new TypeError(`encodeFrontend: ${what} cannot contain NUL`);
  return s;
}
