// Test helper: whether something listens on a loopback port (a server that should be up, or gone).

import { connect } from 'node:net';

/** portOpen resolves true when a TCP connection to 127.0.0.1:port succeeds. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
