// Internal queries over a logged-in upstream connection with the simple protocol (the catalog
// uses it): write Query, read to ReadyForQuery, return the last result set as text. Not for
// client traffic. The caller serializes calls on one connection.

import { decodeBackend, encodeFrontend } from '../wire/index.js';
import type { FrameChannel } from '../net/index.js';
import { UpstreamProtocolError, UpstreamQueryError, UpstreamUnavailableError } from './errors.js';
import type { SimpleQueryResult } from './types.js';

/** simpleQuery runs `sql` and resolves with its rows, or rejects with an UpstreamError (the connection stays usable after an UpstreamQueryError). */
export async function simpleQuery(conn: FrameChannel, sql: string): Promise<SimpleQueryResult> {
  conn.write(encodeFrontend({ kind: 'query', sql }));
  return readResults(conn);
}

/**
 * readResults reads an internal query's answers up to ReadyForQuery (simple or extended protocol):
 * the rows of the last result set as text and the last command tag, or the first error.
 */
export async function readResults(conn: FrameChannel): Promise<SimpleQueryResult> {
  let rows: (string | null)[][] = [];
  let tag = '';
  let error: UpstreamQueryError | undefined;
  for (;;) {
    const frame = await conn.next();
    if (frame === undefined) throw new UpstreamUnavailableError('the connection closed during an internal query');
    const msg = decodeBackend(frame);
    switch (msg.kind) {
      case 'rowDescription':
        rows = [];
        break;
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
