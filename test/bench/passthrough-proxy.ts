// The benchmark's baseline: a plain Node TCP pass-through proxy (net.createServer, one upstream
// socket per client, bytes piped both ways, no parsing). Its cost is what any Node process in
// the path costs, so the gateway's figures can be read against it rather than against nothing.

import { createConnection, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';

/** PassthroughOptions say where the proxy listens (loopback) and where it forwards. */
export type PassthroughOptions = {
  readonly upstreamHost: string;
  readonly upstreamPort: number;
  /** host to listen on (default 127.0.0.1). */
  readonly host?: string;
  /** port to listen on; 0 or absent picks a free one. */
  readonly port?: number;
};

/** PassthroughProxy is a running pass-through proxy. */
export type PassthroughProxy = {
  readonly host: string;
  readonly port: number;
  /** connections returns how many client connections are open right now. */
  readonly connections: () => number;
  /** close stops listening, destroys every open connection and resolves once the server closed; idempotent. */
  readonly close: () => Promise<void>;
};

/** startPassthroughProxy listens on loopback and pipes each client connection to the upstream. */
export function startPassthroughProxy(options: PassthroughOptions): Promise<PassthroughProxy> {
  const host = options.host ?? '127.0.0.1';
  const open = new Set<Socket>();
  const clients = new Set<Socket>();
  const server: Server = createServer({ noDelay: true }, (client) => {
    const upstream = createConnection({ host: options.upstreamHost, port: options.upstreamPort, noDelay: true });
    clients.add(client);
    open.add(client);
    open.add(upstream);
    // Either side failing or closing tears the pair down; errors are expected (resets) and never fatal.
    const teardown = (): void => {
      client.destroy();
      upstream.destroy();
      clients.delete(client);
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', teardown);
    upstream.on('error', teardown);
    client.on('close', teardown);
    upstream.on('close', teardown);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  let closing: Promise<void> | undefined;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      resolve({
        host,
        port,
        connections: () => clients.size,
        close: () => {
          closing ??= new Promise<void>((done) => {
            server.close(() => done());
            for (const s of open) s.destroy();
            open.clear();
            clients.clear();
          });
          return closing;
        },
      });
    });
  });
}
