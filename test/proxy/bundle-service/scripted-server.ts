// Test helper: a real HTTP server on 127.0.0.1 that answers from a script (one function per
// request, the last repeated) and records every request's headers and arrival time.

import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';

/** Answer handles one request; it may hold the response (long polls) as long as it likes. */
export type Answer = (req: IncomingMessage, res: ServerResponse) => void;

/** Seen is one recorded request. */
export type Seen = { readonly headers: IncomingHttpHeaders; readonly at: number; readonly url: string };

/** ScriptedServer is a listening scripted server. */
export type ScriptedServer = {
  readonly url: string;
  readonly port: number;
  readonly seen: Seen[];
  /** script replaces the remaining answers. */
  script(...answers: Answer[]): void;
  close(): Promise<void>;
};

/** startScripted listens on port (0: any free one) and answers each request with the next answer of the script. */
export async function startScripted(port = 0, ...answers: Answer[]): Promise<ScriptedServer> {
  let queue = [...answers];
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    seen.push({ headers: req.headers, at: Date.now(), url: req.url ?? '' });
    const answer = queue.length > 1 ? queue.shift() : queue[0];
    if (answer === undefined) res.writeHead(500).end();
    else answer(req, res);
  });
  await new Promise<void>((done) => server.listen(port, '127.0.0.1', done));
  const address = server.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  return {
    url: `http://127.0.0.1:${bound}/bundles/b.tar.gz`,
    port: bound,
    seen,
    script: (...a) => {
      queue = a;
    },
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

/** ok answers 200 with bytes and an ETag (and the long-poll media type when asked). */
export function ok(bytes: Uint8Array, etag?: string, contentType = 'application/gzip'): Answer {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': contentType, 'content-length': bytes.byteLength, ...(etag !== undefined ? { etag } : {}) });
    res.end(bytes);
  };
}

/** status answers with a bare status code. */
export function status(code: number): Answer {
  return (_req, res) => {
    res.writeHead(code).end();
  };
}

/** freePort returns a port nothing listens on (bound once, then released). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((done) => s.listen(0, '127.0.0.1', done));
  const a = s.address();
  await new Promise<void>((done) => s.close(() => done()));
  return typeof a === 'object' && a !== null ? a.port : 0;
}

/** until polls a condition every 10 ms, failing after ms. */
export async function until(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
