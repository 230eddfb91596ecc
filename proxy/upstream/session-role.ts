// Switching a freshly logged-in upstream connection to the session's database role, the one the
// policy's login entrypoint chose: `SET SESSION ROLE "<role>"` once, before the client is greeted,
// reading to ReadyForQuery and keeping the ParameterStatus values PostgreSQL reports on the way
// (is_superuser follows the current role), so the client's greeting describes the session as it
// will run. A failure is an UpstreamRoleError: the operator's log gets the upstream's text, the
// client a fixed message.

import type { FrameChannel } from '../net/index.js';
import { decodeBackend, encodeFrontend } from '../wire/index.js';
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
  conn.write(encodeFrontend({ kind: 'query', sql: `SET SESSION ROLE ${quoteIdentifier(role)}` }));
  const reported = new Map<string, string>();
  let refused: { sqlstate: string; message: string } | undefined;
  let completed = false;
  for (;;) {
    const frame = await conn.next();
    if (frame === undefined) throw new UpstreamUnavailableError('the connection closed while the session role was set');
    const msg = decodeBackend(frame);
    switch (msg.kind) {
      case 'parameterStatus':
        reported.set(msg.name, msg.value);
        break;
      case 'commandComplete':
        completed = true;
        break;
      case 'errorResponse':
        refused ??= { sqlstate: msg.fields['C'] ?? 'XX000', message: msg.fields['M'] ?? 'unknown error' };
        break;
      case 'noticeResponse':
      case 'notification':
        break;
      case 'readyForQuery':
        if (refused !== undefined) {
          throw new UpstreamRoleError({ cause: `SQLSTATE ${refused.sqlstate}: ${refused.message} (role ${JSON.stringify(role)})` });
        }
        if (!completed || msg.status !== 'I')
          throw new UpstreamProtocolError(`SET SESSION ROLE ended without completing (status ${msg.status})`);
        return reported;
      default:
        throw new UpstreamProtocolError(`unexpected message "${msg.kind}" while the session role was set`);
    }
  }
}
