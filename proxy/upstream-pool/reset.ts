// The two internal round trips of a pooled upstream connection: `DISCARD ALL` when a session
// gave it back (PostgreSQL's own reset of everything a session can leave behind: SET SESSION
// AUTHORIZATION DEFAULT, RESET ALL, DEALLOCATE ALL, CLOSE ALL, UNLISTEN *, the session's advisory
// locks, temporary tables, cached plans and sequences), and `SET application_name` for the next
// client. Each reads to ReadyForQuery within a bound and succeeds only on CommandComplete then
// ReadyForQuery 'I'; ParameterStatus updates the connection's known values, notices and
// notifications are dropped, anything else fails it (the caller destroys the connection).

import type { Frame } from '../wire/index.js';
import { runCommand } from '../upstream/index.js';
import type { UpstreamLogin } from '../upstream/index.js';

/** DISCARD_SQL is the reset, as pgbouncer's `server_reset_query` in session mode. */
export const DISCARD_SQL = 'DISCARD ALL';

/**
 * runInternal runs `sql` on the connection (runCommand) and answers true only on CommandComplete
 * then ReadyForQuery 'I' within `timeoutMs`. `first` is a read a session began and left unconsumed
 * (its answer is the first frame here). ParameterStatus values go into `parameters`.
 */
export async function runInternal(
  up: UpstreamLogin,
  sql: string,
  parameters: Map<string, string>,
  timeoutMs: number,
  first?: Promise<Frame | undefined>,
): Promise<boolean> {
  if (up.closed) return false;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
    timer.unref();
  });
  try {
    const outcome = await Promise.race([runCommand(up, sql, first), timeout]);
    if (outcome?.kind !== 'done') return false;
    for (const [name, value] of outcome.reported) parameters.set(name, value);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** setApplicationNameSql is `SET application_name = <literal>` meaning the same whatever standard_conforming_strings says. */
export function setApplicationNameSql(name: string): string {
  // a startup parameter cannot hold NUL; drop it rather than fail the login
  const value = name.replaceAll('\0', '');
  const body = value.replaceAll("'", "''");
  const literal = value.includes('\\') ? `E'${body.replaceAll('\\', '\\\\')}'` : `'${body}'`;
  return `SET application_name = ${literal}`;
}
