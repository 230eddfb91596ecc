// Forwarding a cancel request: a fresh connection to the upstream carrying only a CancelRequest
// with the upstream's own BackendKeyData. PostgreSQL never answers; it closes the connection
// once it has handled the request, which is when the returned promise resolves.

import { connect } from 'node:net';
import { encodeFrontend } from '../wire/index.js';
import { UpstreamUnavailableError } from './errors.js';
import type { BackendKey } from './types.js';

/** sendCancel asks the upstream at host:port to cancel the query of the backend holding `key`. */
export function sendCancel(host: string, port: number, key: BackendKey, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new UpstreamUnavailableError(`cancel request timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      socket.end(encodeFrontend({ kind: 'cancelRequest', processId: key.processId, secretKey: key.secretKey }));
    });
    socket.on('data', () => {}); // PostgreSQL sends nothing; never let bytes pile up
    socket.once('error', (err) => {
      clearTimeout(timer);
      socket.destroy();
      reject(
        new UpstreamUnavailableError(`cannot send the cancel request (${(err as NodeJS.ErrnoException).code ?? err.message})`, {
          cause: err,
        }),
      );
    });
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
