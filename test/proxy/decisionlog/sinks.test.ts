// The decision log's sinks against real files and real sockets: the file sink rotates by size and
// keeps max_files; the HTTP sink speaks OPA's upload protocol to a node:http receiver on 127.0.0.1
// (gzipped JSON arrays, chunks under the compressed limit, headers), keeps every event through a
// collector that fails for a while, and counts and reports what its bounded buffer drops.

import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeLogFiles } from '../../../proxy/cli/decision-log-files.js';
import { createDecisionLogger, createFileSink, createHttpSink, sinksFromConfig } from '../../../proxy/decisionlog/index.js';
import type { DecisionLogOpEvent, HttpSinkOptions } from '../../../proxy/decisionlog/index.js';
import { validateConfig } from '../../../proxy/config/index.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-dlog-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** event is a fake encoded event of about `size` bytes, numbered. */
function event(n: number, size = 100): string {
  const line = JSON.stringify({ n, pad: '' });
  return JSON.stringify({ n, pad: 'x'.repeat(Math.max(0, size - line.length)) });
}

describe('the file sink', () => {
  it.each([
    { note: 'rotates and keeps max_files', lines: 12, maxSize: 310, maxFiles: 2, files: ['log', 'log.1', 'log.2'], kept: 9 },
    { note: 'one rotated file', lines: 7, maxSize: 310, maxFiles: 1, files: ['log', 'log.1'], kept: 4 },
    { note: 'no rotation under the size', lines: 2, maxSize: 300, maxFiles: 5, files: ['log'], kept: 2 },
    {
      note: 'a line larger than max_size gets a file of its own',
      lines: 3,
      maxSize: 50,
      maxFiles: 5,
      files: ['log', 'log.1', 'log.2'],
      kept: 3,
    },
  ])('$note', async ({ lines, maxSize, maxFiles, files, kept }) => {
    const dir = await tempDir();
    const path = join(dir, 'log');
    const sink = createFileSink({ path, files: nodeLogFiles, maxSize, maxFiles });
    for (let i = 0; i < lines; i++) sink.write(event(i));
    await sink.close();
    expect((await readdir(dir)).sort()).toEqual(files);
    const order = [...files].reverse(); // oldest first: log.N … log.1, log
    const texts = await Promise.all(order.map((f) => readFile(join(dir, f), 'utf8')));
    for (const t of texts) if (t.split('\n').length > 2) expect(Buffer.byteLength(t)).toBeLessThanOrEqual(maxSize);
    const numbers = texts.flatMap((t) =>
      t
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => (JSON.parse(l) as { n: number }).n),
    );
    expect(numbers).toEqual(Array.from({ length: kept }, (_, i) => lines - kept + i));
    expect(sink.stats()).toEqual({ written: lines, dropped: 0, buffered: 0, failures: 0 });
  });

  it('appends to an existing file and reports a file it cannot open', async () => {
    const dir = await tempDir();
    const path = join(dir, 'log');
    const first = createFileSink({ path, files: nodeLogFiles });
    first.write(event(1));
    await first.close();
    const second = createFileSink({ path, files: nodeLogFiles });
    second.write(event(2));
    await second.close();
    expect((await readFile(path, 'utf8')).split('\n').filter(Boolean)).toHaveLength(2);

    const log: DecisionLogOpEvent[] = [];
    const broken = createFileSink({ path: join(dir, 'missing', 'log'), files: nodeLogFiles, log: (e) => log.push(e) });
    broken.write(event(3));
    await broken.flush();
    expect(broken.stats()).toMatchObject({ written: 0, dropped: 1, failures: 1 });
    expect(log.map((e) => e.type)).toEqual(['decision_log.write_failed', 'decision_log.dropped']);
  });
});

type Received = { headers: IncomingHttpHeaders; compressed: number; events: { n: number }[] };

/** receiver is a collector on 127.0.0.1 that gunzips each body and answers as `answer(i)` says (a status, or 'reset'). */
async function receiver(
  answer: (i: number) => number | 'reset' = () => 200,
): Promise<{ url: string; got: Received[]; attempts: () => number }> {
  const got: Received[] = [];
  let attempts = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const a = answer(attempts++);
      if (a === 'reset') {
        req.socket.destroy();
        return;
      }
      if (a >= 200 && a < 300) {
        const body = Buffer.concat(chunks);
        got.push({
          headers: req.headers,
          compressed: body.length,
          events: JSON.parse(gunzipSync(body).toString('utf8')) as { n: number }[],
        });
      }
      res.writeHead(a).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/logs`, got, attempts: () => attempts };
}

const FAST: Partial<HttpSinkOptions> = { minDelayMs: 5, maxDelayMs: 10, retryBaseMs: 5, retryMaxMs: 40, closeTimeoutMs: 200 };

describe('the HTTP sink (OPA upload protocol)', () => {
  it('POSTs gzipped JSON arrays with the configured headers', async () => {
    const r = await receiver();
    const sink = createHttpSink({ ...FAST, url: r.url, headers: { authorization: 'Bearer t0k' } });
    for (let i = 0; i < 5; i++) sink.write(event(i));
    await sink.flush();
    expect(r.got.flatMap((g) => g.events.map((e) => e.n))).toEqual([0, 1, 2, 3, 4]);
    expect(r.got[0]?.headers).toMatchObject({
      'content-type': 'application/json',
      'content-encoding': 'gzip',
      authorization: 'Bearer t0k',
    });
    expect(sink.stats()).toEqual({ written: 5, dropped: 0, buffered: 0, failures: 0 });
    await sink.close();
  });

  it('keeps every chunk under the compressed size limit', async () => {
    const r = await receiver();
    const sink = createHttpSink({ ...FAST, url: r.url, uploadSizeLimitBytes: 1024 });
    const n = 300;
    for (let i = 0; i < n; i++) sink.write(JSON.stringify({ n: i, noise: randomBytes(24).toString('hex') }));
    await sink.flush();
    expect(r.got.length).toBeGreaterThan(5);
    for (const g of r.got) expect(g.compressed).toBeLessThanOrEqual(1024);
    expect(r.got.flatMap((g) => g.events.map((e) => e.n))).toEqual(Array.from({ length: n }, (_, i) => i));
    await sink.close();
  });

  it('drops, counts and reports an event too large for a chunk', async () => {
    const r = await receiver();
    const log: DecisionLogOpEvent[] = [];
    const sink = createHttpSink({ ...FAST, url: r.url, uploadSizeLimitBytes: 256, log: (e) => log.push(e) });
    sink.write(event(1));
    sink.write(JSON.stringify({ n: 2, noise: randomBytes(400).toString('hex') }));
    sink.write(event(3));
    await sink.flush();
    expect(r.got.flatMap((g) => g.events.map((e) => e.n))).toEqual([1, 3]);
    expect(sink.stats()).toMatchObject({ written: 2, dropped: 1 });
    expect(log).toContainEqual(expect.objectContaining({ type: 'decision_log.dropped', reason: 'too_large', count: 1 }));
    await sink.close();
  });

  it.each([
    { note: 'answers 500', failure: 500 as const },
    { note: 'answers 429', failure: 429 as const },
    { note: 'resets the connection', failure: 'reset' as const },
  ])('loses nothing while a collector that $note recovers, and retries with backoff', async ({ failure }) => {
    const r = await receiver((i) => (i < 3 ? failure : 200));
    const log: DecisionLogOpEvent[] = [];
    const sink = createHttpSink({ ...FAST, url: r.url, log: (e) => log.push(e) });
    for (let i = 0; i < 20; i++) sink.write(event(i));
    const more = setTimeout(() => {
      for (let i = 20; i < 30; i++) sink.write(event(i));
    }, 15);
    cleanup.push(async () => clearTimeout(more));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await sink.flush();
    expect(r.got.flatMap((g) => g.events.map((e) => e.n))).toEqual(Array.from({ length: 30 }, (_, i) => i));
    const failed = log.filter((e) => e.type === 'decision_log.upload_failed');
    expect(failed.map((e) => e.attempt)).toEqual([1, 2, 3]);
    if (failure !== 'reset') expect(failed.map((e) => e.status)).toEqual([failure, failure, failure]);
    expect(log).toContainEqual({ type: 'decision_log.upload_recovered', sink: 'service', url: r.url, attempts: 3 });
    expect(sink.stats()).toEqual({ written: 30, dropped: 0, buffered: 0, failures: 3 });
    await sink.close();
  });

  it("counts and reports what a full buffer drops, and what close gives up, through the logger's log", async () => {
    const r = await receiver(() => 503);
    const log: DecisionLogOpEvent[] = [];
    const sink = createHttpSink({ ...FAST, url: r.url, bufferSizeLimitEvents: 10 });
    // the logger attaches its log to the sink: a sink built without one still reports its drops
    const l = createDecisionLogger({ labels: { id: 'g', version: 'v' }, bundles: {}, path: 'p', sinks: [sink], log: (e) => log.push(e) });
    for (let i = 0; i < 25; i++) sink.write(event(i));
    expect(sink.stats()).toMatchObject({ dropped: 15, buffered: 10 });
    expect(l.stats.dropped).toBe(15);
    await l.close();
    expect(sink.stats()).toMatchObject({ written: 0, dropped: 25, buffered: 0 });
    const dropped = log.filter((e) => e.type === 'decision_log.dropped');
    expect(dropped.reduce((n, e) => n + e.count, 0)).toBe(25);
    expect(new Set(dropped.map((e) => e.reason))).toEqual(new Set(['buffer_full', 'closed']));
    expect(r.attempts()).toBeGreaterThan(0);
  });
});

describe('sinksFromConfig', () => {
  it('builds the sinks the decision_logs section names', async () => {
    const r = await receiver();
    const dir = await tempDir();
    const parsed = validateConfig({
      upstream: { database: 'app', user: 'gw' },
      identity: { issuer: 'https://idp.example', audience: 'portcullis', jwks: { url: 'https://idp.example/jwks' } },
      policy: { paths: ['policies'] },
      decision_logs: {
        console: true,
        file: { path: 'decisions.log', max_size: '1KiB' },
        service: { url: r.url, headers: { Authorization: { env: 'DL_TOKEN' } }, min_delay: '5ms', max_delay: '10ms' },
      },
    });
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    const out: string[] = [];
    const sinks = sinksFromConfig(parsed.config.decisionLogs, {
      stdout: (t) => void out.push(t),
      env: { DL_TOKEN: 'Bearer abc' },
      files: nodeLogFiles,
      baseDir: dir,
    });
    expect(sinks.map((s) => s.name)).toEqual(['console', 'file', 'service']);
    for (const s of sinks) s.write(event(1));
    await Promise.all(sinks.map((s) => s.close()));
    expect(out).toHaveLength(1);
    expect(await readFile(join(dir, 'decisions.log'), 'utf8')).toBe(`${event(1)}\n`);
    expect(r.got[0]?.headers.authorization).toBe('Bearer abc');
    expect(() => sinksFromConfig(parsed.config.decisionLogs, { stdout: () => {}, files: nodeLogFiles })).toThrow(/needs options.env/);
  });
});
