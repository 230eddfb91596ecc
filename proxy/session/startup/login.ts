// The login half of startup: check the StartupMessage (protocol version, user, no replication),
// refuse a cleartext token where the connection is neither encrypted nor local (unless
// configured), ask for the password, and verify it as a JWT. Nothing reaches the upstream before
// the token verified.

import type { Principal } from '../../auth/index.js';
import { ProtocolViolationError, decodeFrontend, encodeBackend, readCleartextPassword } from '../../wire/index.js';
import type { StartupMessage } from '../../wire/index.js';
import { StartupError } from '../errors.js';
import type { ClientConnection } from './connection.js';

/** login verifies the client's token; the principal, or undefined when the client left (psql leaves, then asks for a password). */
export async function login(conn: ClientConnection, message: StartupMessage): Promise<Principal | undefined> {
  checkStartupMessage(message);
  const { env, channel } = conn;
  if (!conn.tls && !env.allowPlaintextPassword && !env.isLoopback(conn.clientAddress)) {
    throw new StartupError('ERR_PROXY_TLS_REQUIRED', '28000', 'password authentication requires TLS', {
      hint: 'Connect with sslmode=require (or verify-full).',
    });
  }
  channel.expectTagged();
  channel.write(encodeBackend({ kind: 'authenticationCleartextPassword' }));
  const frame = await channel.next();
  if (frame === undefined) return undefined;
  const msg = decodeFrontend(frame);
  // psql asks for the password only after the server requested one: it leaves, then reconnects
  if (msg.kind === 'terminate') {
    channel.end();
    return undefined;
  }
  if (msg.kind !== 'password') {
    throw new ProtocolViolationError(`portcullis: expected a password message, got "${msg.kind}"`, { severity: 'FATAL' });
  }
  return env.verifier.verify(readCleartextPassword(msg));
}

/** checkStartupMessage refuses protocol versions, missing users and replication connections we do not serve. */
function checkStartupMessage(message: StartupMessage): void {
  if (message.minorVersion !== 0) {
    throw new StartupError(
      'ERR_PROXY_STARTUP_INVALID',
      '08P01',
      `portcullis: unsupported frontend protocol ${message.majorVersion}.${message.minorVersion}: server supports 3.0 to 3.0`,
    );
  }
  if ((message.parameters.get('user') ?? '') === '') {
    throw new StartupError('ERR_PROXY_STARTUP_INVALID', '28000', 'no PostgreSQL user name specified in startup packet');
  }
  if (message.parameters.has('replication') && message.parameters.get('replication') !== 'false') {
    throw new StartupError('ERR_PROXY_STARTUP_INVALID', '28000', 'portcullis: replication connections are not supported');
  }
}
