// Internal queries with parameters over a logged-in upstream connection, with the extended
// protocol (Parse, Bind, Execute, Sync on the unnamed statement): values travel as text
// parameters, never spliced into SQL. Used by the shared state store. Not for client traffic; the
// caller serializes calls on one connection.

import { encodeFrontend } from '../wire/index.js';
import type { FrameChannel } from '../net/index.js';
import { readResults } from './simple-query.js';
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
  return readResults(conn);
}
