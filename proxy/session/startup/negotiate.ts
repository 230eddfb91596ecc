// The untagged start of a connection, as PostgreSQL's postmaster answers it: SSLRequest (upgrade
// to TLS when configured, else 'N'), GSSENCRequest ('N'), CancelRequest (forwarded to the
// session holding the key, then the connection closes), and finally the StartupMessage.

import { TLSSocket } from 'node:tls';
import { ProtocolViolationError, decodeFrontend, encodeBackend } from '../../wire/index.js';
import type { CancelRequest, StartupMessage } from '../../wire/index.js';
import { destroySoon } from './connection.js';
import type { ClientConnection } from './connection.js';
import { messageOf } from '../../errors.js';

/** negotiate runs the untagged phase; the StartupMessage, or undefined when the client left (or sent a CancelRequest). */
export async function negotiate(conn: ClientConnection): Promise<StartupMessage | undefined> {
  const { env } = conn;
  for (;;) {
    const frame = await conn.channel.next();
    if (frame === undefined) return undefined;
    const msg = decodeFrontend(frame);
    switch (msg.kind) {
      case 'sslRequest': {
        if (conn.tls) throw new ProtocolViolationError('portcullis: SSLRequest received on an encrypted connection', { severity: 'FATAL' });
        if (env.tls === undefined) {
          conn.channel.write(encodeBackend({ kind: 'sslResponse', answer: 'N' }));
          conn.channel.expectStartup();
          continue;
        }
        const rest = conn.channel.detach();
        // bytes sent before the handshake would be trusted as if encrypted (CVE-2021-23214)
        if (rest.length > 0) {
          conn.socket.destroy();
          return undefined;
        }
        conn.socket.write(encodeBackend({ kind: 'sslResponse', answer: 'S' }));
        const secure = new TLSSocket(conn.socket, { isServer: true, secureContext: env.tls });
        secure.on('error', () => secure.destroy());
        conn.useTls(secure);
        continue;
      }
      case 'gssEncRequest':
        conn.channel.write(encodeBackend({ kind: 'sslResponse', answer: 'N' }));
        conn.channel.expectStartup();
        continue;
      case 'cancelRequest':
        conn.admission.presented();
        await forwardCancel(conn, msg);
        conn.channel.end();
        destroySoon(conn.channel);
        return undefined;
      case 'startup':
        return msg;
      default:
        throw new ProtocolViolationError(`portcullis: unexpected message "${msg.kind}" before startup`, { severity: 'FATAL' });
    }
  }
}

/** forwardCancel sends the upstream's cancel key of the session the client's key names (nothing when none matches). */
async function forwardCancel(conn: ClientConnection, msg: CancelRequest): Promise<void> {
  const { env } = conn;
  const handle = env.registry.lookup({ processId: msg.processId, secretKey: msg.secretKey });
  env.events.publish({ type: 'cancel.requested', matched: handle !== undefined, ...(handle !== undefined ? { session: handle.id } : {}) });
  if (handle === undefined) return;
  // a statement held for approval has not reached the upstream: the cancel withdraws the request
  if (handle.cancelHold()) return;
  await handle
    .cancelUpstream(env.upstream.connectTimeoutMs)
    .catch((err: unknown) => env.events.publish({ type: 'cancel.failed', session: handle.id, message: messageOf(err) }));
}
