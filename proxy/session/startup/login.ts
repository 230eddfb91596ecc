// The login half of startup: check the StartupMessage (protocol version, user, no replication),
// refuse a cleartext token where the connection is neither encrypted nor local (unless
// configured), ask for the password, and verify it as a JWT. Nothing reaches the upstream before
// the token verified.

import { MAX_TOKEN_LENGTH, TokenMalformed } from '../../auth/index.js';
import type { Principal } from '../../auth/index.js';
import { FrameTooLargeError, ProtocolViolationError, decodeFrontend, encodeBackend, readCleartextPassword } from '../../wire/index.js';
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
  // as PostgreSQL does: a newer minor version or protocol options (`_pq_.*`) are answered with
  // the version served (3.0) and the options not recognised, and the session goes on in 3.0
  const options = [...message.parameters.keys()].filter((k) => k.startsWith('_pq_.'));
  if (message.minorVersion > 0 || options.length > 0) {
    channel.write(encodeBackend({ kind: 'negotiateProtocolVersion', newestMinor: 0, unrecognized: options }));
  }
  channel.write(encodeBackend({ kind: 'authenticationCleartextPassword' }));
  const frame = await channel.next().catch((err: unknown) => {
    // a password too large to frame is a token too large: an authentication error, like a large one that frames
    if (err instanceof FrameTooLargeError) {
      throw new TokenMalformed(`token is ${err.declared - 5} bytes; the limit is ${MAX_TOKEN_LENGTH}`, { cause: err });
    }
    throw err;
  });
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
  // the client has done its part: while the token is verified, a newer connection does not crowd this one out
  conn.admission.presented();
  return env.verifier.verify(readCleartextPassword(msg));
}

/** checkStartupMessage refuses missing users and replication connections (newer 3.x minors are negotiated down to 3.0). */
function checkStartupMessage(message: StartupMessage): void {
  if ((message.parameters.get('user') ?? '') === '') {
    throw new StartupError('ERR_PROXY_STARTUP_INVALID', '28000', 'no PostgreSQL user name specified in startup packet');
  }
  if (message.parameters.has('replication') && message.parameters.get('replication') !== 'false') {
    throw new StartupError('ERR_PROXY_STARTUP_INVALID', '28000', 'portcullis: replication connections are not supported');
  }
}
