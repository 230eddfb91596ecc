// Switching a freshly logged-in upstream connection to the session's database role, the one the
// policy's login entrypoint chose: `SET SESSION ROLE "<role>"` once, before the client is greeted,
// reading to ReadyForQuery and keeping the ParameterStatus values PostgreSQL reports on the way
// (is_superuser follows the current role), so the client's greeting describes the session as it
// will run. A failure is an UpstreamRoleError: the operator's log gets the upstream's text, the
// client a fixed message.

import type { FrameChannel } from '../net/index.js';
import { runCommand } from './command.js';
import { UpstreamProtocolError, UpstreamRoleError, UpstreamUnavailableError } from './errors.js';

/** quoteIdentifier quotes a name as a PostgreSQL identifier (`"` doubled), exactly as written: no case folding. */
export function quoteIdentifier(name: string): string {
  if (name.includes('\0')) throw new TypeError('quoteIdentifier: an identifier cannot contain NUL');
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * setSessionRole runs `SET SESSION ROLE <role>` on an idle upstream connection and resolves with
 * the ParameterStatus values it reported (often is_superuser); rejects with an UpstreamRoleError
 * when PostgreSQL refuses (no such role, not a member), or an UpstreamError when the connection fails.
 */
export async function setSessionRole(conn: FrameChannel, role: string): Promise<ReadonlyMap<string, string>> {
  const outcome = await runCommand(conn, `SET SESSION ROLE ${quoteIdentifier(role)}`);
  switch (outcome.kind) {
    case 'done':
      return outcome.reported;
    case 'refused':
      throw new UpstreamRoleError({ cause: `SQLSTATE ${outcome.sqlstate}: ${outcome.message} (role ${JSON.stringify(role)})` });
    case 'broken':
      if (outcome.closed) throw new UpstreamUnavailableError('the connection closed while the session role was set');
      throw new UpstreamProtocolError(`SET SESSION ROLE: ${outcome.reason}`);
  }
}
