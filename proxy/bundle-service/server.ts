// `portcullis bundle serve`: a bundle server speaking OPA's protocol (CONTROL-PLANE.md §1.1) for
// every `*.tar.gz` of one directory, at `/bundles/<name>.tar.gz`, `/bundles/<name>` (OPA's default
// resource) and `/<name>.tar.gz`. Strong ETag = the SHA-256 of the bytes; 304 when If-None-Match
// names it; with `Prefer: …wait=N` a matching request is held until the file changes or N seconds
// pass (then 304), and the answer says `Content-Type: application/vnd.openpolicyagent.bundles`,
// which is how OPA clients learn the server long-polls. The directory is rescanned on fs.watch
// events and every scanIntervalMs (stat: a replace by rename is a new inode and mtime).

import { createHash } from 'node:crypto';
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { BundleServiceError } from './errors.js';
import { BUNDLE_CONTENT_TYPE } from './fetch-bundle.js';

/** BUNDLE_SERVER_DEFAULTS are the server's defaults (8282 is unassigned; OPA itself listens on 8181). */
export const BUNDLE_SERVER_DEFAULTS = Object.freeze({ host: '127.0.0.1', port: 8282, scanIntervalMs: 1000, maxWaitSeconds: 300 });

/** BundleServerOptions configures startBundleServer. */
export type BundleServerOptions = {
  readonly dir: string;
  readonly host?: string;
  /** port 0 picks a free one (tests). */
  readonly port?: number;
  /** scanIntervalMs is how often the directory is rescanned besides fs.watch events. */
  readonly scanIntervalMs?: number;
  /** maxWaitSeconds caps how long a long poll is held, whatever the client asks. */
  readonly maxWaitSeconds?: number;
  /** log receives one line per change of the served bundles and per unreadable file. */
  readonly log?: (line: string) => void;
};

/** BundleServer is a listening bundle server. */
export type BundleServer = {
  readonly host: string;
  readonly port: number;
  /** url is the server's base URL (`http://host:port`). */
  readonly url: string;
  /** bundles lists the names served now with their ETags. */
  bundles(): ReadonlyMap<string, string>;
  /** close answers held long polls with 304 and stops listening. */
  close(): Promise<void>;
};

type Served = { readonly bytes: Buffer; readonly etag: string; readonly stamp: string };
type Waiter = { readonly etag: string; readonly wake: () => void };

// `..`, `%2F` and anything but a plain file name never match, so nothing outside the directory is reachable
const ROUTE = /^\/(?:bundles\/)?([A-Za-z0-9_][A-Za-z0-9._-]*?)(\.tar\.gz)?$/;

/** startBundleServer scans dir and listens; rejects with ERR_PROXY_BUNDLE_SERVE when dir is unreadable or the address is taken. */
export async function startBundleServer(options: BundleServerOptions): Promise<BundleServer> {
  const o = { ...BUNDLE_SERVER_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as Required<
    Omit<BundleServerOptions, 'log'>
  >;
  const log = options.log ?? (() => undefined);
  const served = new Map<string, Served>();
  const waiters = new Map<string, Set<Waiter>>();
  let scanning: Promise<void> | undefined;
  let again = false;
  let closed = false;

  const dirStat = await stat(o.dir).catch((e: Error) => {
    throw new BundleServiceError('ERR_PROXY_BUNDLE_SERVE', `cannot read ${o.dir}: ${e.message}`, { cause: e });
  });
  if (!dirStat.isDirectory()) throw new BundleServiceError('ERR_PROXY_BUNDLE_SERVE', `${o.dir} is not a directory`);

  /** scanOnce re-reads the files whose stamp (inode, size, mtime) changed and wakes the long polls on a changed ETag. */
  async function scanOnce(): Promise<void> {
    const names = (await readdir(o.dir).catch(() => [] as string[])).filter((n) => n.endsWith('.tar.gz') && ROUTE.test(`/${n}`));
    const seen = new Set<string>();
    for (const file of names) {
      const name = file.slice(0, -'.tar.gz'.length);
      const path = join(o.dir, file);
      const st = await stat(path).catch(() => undefined);
      if (st === undefined || !st.isFile()) continue;
      seen.add(name);
      const stamp = `${st.ino}:${st.size}:${st.mtimeMs}`;
      if (served.get(name)?.stamp === stamp) continue;
      const bytes = await readFile(path).catch((e: Error) => {
        log(`bundle ${file}: cannot be read (${e.message})`);
        return undefined;
      });
      // a file still being written changes under us: take it on a later scan
      const after = await stat(path).catch(() => undefined);
      if (bytes === undefined || after === undefined || `${after.ino}:${after.size}:${after.mtimeMs}` !== stamp) {
        if (!served.has(name)) seen.delete(name);
        continue;
      }
      const etag = `"${createHash('sha256').update(bytes).digest('hex')}"`;
      const changed = served.get(name)?.etag !== etag;
      served.set(name, { bytes, etag, stamp });
      if (changed) {
        log(`bundle ${file}: serving ${etag} (${bytes.byteLength} bytes)`);
        wake(name);
      }
    }
    for (const name of [...served.keys()]) {
      if (seen.has(name)) continue;
      served.delete(name);
      log(`bundle ${name}.tar.gz: removed`);
      wake(name);
    }
  }

  function scan(): Promise<void> {
    if (scanning !== undefined) {
      again = true;
      return scanning;
    }
    scanning = (async () => {
      do {
        again = false;
        await scanOnce();
      } while (again && !closed);
    })().finally(() => {
      scanning = undefined;
    });
    return scanning;
  }

  function wake(name: string): void {
    const set = waiters.get(name);
    if (set === undefined) return;
    waiters.delete(name);
    for (const w of set) w.wake();
  }

  await scan();
  const interval = setInterval(() => void scan(), o.scanIntervalMs);
  interval.unref();
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(o.dir, { persistent: false }, () => void scan());
    watcher.on('error', () => undefined);
  } catch {
    // some file systems cannot be watched: the interval's stat scan still sees every change
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const m = ROUTE.exec(path);
    const name = m?.[1];
    if (name === undefined || (m?.[2] === undefined && !path.startsWith('/bundles/'))) return notFound(res);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    const wait = /(?:^|[\s;,])wait=(\d+)/.exec(String(req.headers.prefer ?? ''))?.[1];
    const waitSeconds = wait !== undefined ? Math.min(Number(wait), o.maxWaitSeconds) : undefined;
    const type = waitSeconds !== undefined ? BUNDLE_CONTENT_TYPE : 'application/gzip';
    const wanted = String(req.headers['if-none-match'] ?? '');
    const answer = (): void => {
      const b = served.get(name);
      if (b === undefined) return notFound(res);
      if (matches(wanted, b.etag)) {
        res.writeHead(304, { etag: b.etag, 'cache-control': 'no-cache', 'content-type': type }).end();
        return;
      }
      res.writeHead(200, { etag: b.etag, 'content-type': type, 'content-length': b.bytes.byteLength, 'cache-control': 'no-cache' });
      res.end(req.method === 'HEAD' ? undefined : b.bytes);
    };
    const current = served.get(name);
    if (current === undefined || waitSeconds === undefined || waitSeconds === 0 || !matches(wanted, current.etag) || closed)
      return answer();
    // long poll: hold until this bundle changes, the wait is up, the client leaves or the server closes
    const set = waiters.get(name) ?? new Set<Waiter>();
    waiters.set(name, set);
    const waiter: Waiter = { etag: current.etag, wake: () => finish() };
    set.add(waiter);
    const timer = setTimeout(() => finish(), waitSeconds * 1000);
    const finish = (): void => {
      clearTimeout(timer);
      waiters.get(name)?.delete(waiter);
      res.off('close', finish);
      if (!res.writableEnded && !res.destroyed) answer();
    };
    res.on('close', finish);
  }

  const server = createServer(handle);
  server.requestTimeout = 0; // long polls are held on purpose; each has its own timer
  await new Promise<void>((done, fail) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      fail(new BundleServiceError('ERR_PROXY_BUNDLE_SERVE', `cannot listen on ${o.host}:${o.port}: ${e.code ?? e.message}`, { cause: e })),
    );
    server.listen(o.port, o.host, () => done());
  }).catch((e: unknown) => {
    clearInterval(interval);
    watcher?.close();
    throw e;
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : o.port;
  const hostInUrl = o.host.includes(':') ? `[${o.host}]` : o.host;

  return {
    host: o.host,
    port,
    url: `http://${hostInUrl}:${port}`,
    bundles: () => new Map([...served].map(([n, b]) => [n, b.etag])),
    async close() {
      closed = true;
      clearInterval(interval);
      watcher?.close();
      for (const name of [...waiters.keys()]) wake(name);
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeIdleConnections();
        // keep-alive sockets that were busy answering go once their answer is out (or after 2s)
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      });
      await scanning;
    },
  };
}

/** matches tells whether an If-None-Match value (`*`, or a list of possibly weak ETags) names etag. */
function matches(ifNoneMatch: string, etag: string): boolean {
  if (ifNoneMatch.trim() === '') return false;
  return ifNoneMatch.split(',').some((t) => {
    const tag = t.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag;
  });
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
}
