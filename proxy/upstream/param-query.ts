// Internal queries with parameters over a logged-in upstream connection, with the extended
// protocol (Parse, Bind, Execute, Sync on the unnamed statement): values travel as text
// parameters, never spliced into SQL. Used by the shared state store. Not for client traffic; the
// caller serializes calls on one connection.

import { decodeBackend, encodeFrontend } from '../wire/index.js';
import type { FrameChannel } from '../net/index.js';
import { UpstreamProtocolError, UpstreamQueryError, UpstreamUnavailableError } from './errors.js';
import type { SimpleQueryResult } from './types.js';

/** paramQuery runs one statement with `$1…$n` bound to `params` (text; null for SQL NULL) and resolves with its rows as text. */
export async function paramQuery(conn: FrameChannel, sql: string, params: readonly (string | null)[]): Promise<SimpleQueryResult> {
  conn.write(
    Buffer.concat([
      encodeFrontend({ kind: 'parse', name: '', query: sql, paramTypes: [] }),
      encodeFrontend({ kind: 'bind', values: params.map((p) => (p === null ? null : Buffer.from(p, 'utf8'))) }),
      encodeFrontend({ kind: 'execute' }),
      encodeFrontend({ kind: 'sync' }),
    ]),
  );
  const rows: (string | null)[][] = [];
  let tag = '';
  let error: UpstreamQueryError | undefined;
  for (;;) {
    const frame = await conn.next();
    if (frame === undefined) throw new UpstreamUnavailableError('the connection closed during an internal query');
    const msg = decodeBackend(frame);
    switch (msg.kind) {
      case 'dataRow':
        rows.push(msg.values.map((v) => (v === null ? null : v.toString('utf8'))));
        break;
      case 'commandComplete':
        tag = msg.tag;
        break;
      case 'errorResponse':
        error ??= new UpstreamQueryError(msg.fields['C'] ?? 'XX000', msg.fields['M'] ?? 'unknown error');
        break;
      case 'readyForQuery':
        if (error !== undefined) throw error;
        return { rows, tag };
      case 'parseComplete':
      case 'bindComplete':
      case 'noData':
      case 'rowDescription':
      case 'noticeResponse':
      case 'parameterStatus':
      case 'notification':
      case 'emptyQueryResponse':
        break;
      default:
        throw new UpstreamProtocolError(`unexpected message "${msg.kind}" during an internal query`);
    }
  }
}
