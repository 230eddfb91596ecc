// The bundle poller over real HTTP on 127.0.0.1, against `bundle serve` and against a scripted
// server: conditional GETs, new ETags, long polls, backoff while the server is down, activation
// failures that do not loop, size bounds, credentials, stop and persistence.

import { mkdirSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUNDLE_CONTENT_TYPE, loadPersisted, startBundlePoller, startBundleServer } from '../../../proxy/bundle-service/index.js';
import type { BundlePoller, BundlePollerOptions, BundleServiceEvent } from '../../../proxy/bundle-service/index.js';
import { freePort, ok, startScripted, status, until } from './scripted-server.js';
import type { ScriptedServer } from './scripted-server.js';

let root: string;
const cleanups: (() => Promise<void> | void)[] = [];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'portcullis-poller-'));
});

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  rmSync(root, { recursive: true, force: true });
});

type Activation = { readonly bytes: string; readonly etag: string | undefined };

/** poll starts a poller with fast delays whose activations and log events are recorded. */
function poll(options: Partial<BundlePollerOptions> & { url: string; reject?: (bytes: string) => string | undefined }) {
  const activations: Activation[] = [];
  const events: BundleServiceEvent[] = [];
  const poller: BundlePoller = startBundlePoller({
    minDelayMs: 20,
    maxDelayMs: 40,
    random: () => 0.5,
    log: (e) => events.push(e),
    activate: async (bytes, { etag }) => {
      const text = Buffer.from(bytes).toString();
      activations.push({ bytes: text, etag });
      const reason = options.reject?.(text);
      if (reason !== undefined) throw new Error(reason);
      return { revision: `rev-${text}` };
    },
    ...options,
  });
  cleanups.push(() => poller.stop());
  return { poller, activations, events };
}

async function scripted(...answers: Parameters<typeof startScripted>[1][]): Promise<ScriptedServer> {
  const s = await startScripted(0, ...answers);
  cleanups.push(() => s.close());
  return s;
}

async function serveDir(): Promise<{ dir: string; url: string; publish: (content: string) => void }> {
  const dir = join(root, 'served');
  mkdirSync(dir);
  writeFileSync(join(dir, 'authz.tar.gz'), 'v1');
  const server = await startBundleServer({ dir, port: 0, scanIntervalMs: 50 });
  cleanups.push(() => server.close());
  return {
    dir,
    url: `${server.url}/bundles/authz.tar.gz`,
    publish: (content) => {
      writeFileSync(join(root, 'next.tmp'), content);
      renameSync(join(root, 'next.tmp'), join(dir, 'authz.tar.gz'));
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('bundle poller against bundle serve', () => {
  it('activates the first bundle, then sends its ETag and keeps it on 304', async () => {
    const served = await serveDir();
    const { poller, activations, events } = poll({ url: served.url });
    await until('5 requests', () => events.filter((e) => e.type === 'bundle.not_modified').length >= 4);
    expect(activations.map((a) => a.bytes)).toEqual(['v1']);
    expect(activations[0]?.etag).toMatch(/^"[0-9a-f]{64}"$/);
    const notModified = events.filter((e) => e.type === 'bundle.not_modified');
    expect(notModified.every((e) => e.type === 'bundle.not_modified' && e.etag === activations[0]?.etag)).toBe(true);
    const s = poller.status();
    expect(s).toMatchObject({ name: 'portcullis', active_revision: 'rev-v1', http_code: 304, type: 'snapshot', size: 2 });
    expect(s.code).toBeUndefined();
    expect(s.last_successful_activation).not.toBe('0001-01-01T00:00:00Z');
    expect(poller.lastSuccess).toBeGreaterThan(Date.parse(s.last_successful_activation) - 1);
  });

  it('delivers a changed file with its new ETag', async () => {
    const served = await serveDir();
    const { activations } = poll({ url: served.url });
    await until('first activation', () => activations.length === 1);
    served.publish('v2');
    await until('second activation', () => activations.length === 2);
    expect(activations[1]?.bytes).toBe('v2');
    expect(activations[1]?.etag).not.toBe(activations[0]?.etag);
  });

  it('long polls: a change is activated well before the wait is up', async () => {
    const served = await serveDir();
    const { activations, events } = poll({ url: served.url, longPollingTimeoutMs: 20_000, minDelayMs: 10_000, maxDelayMs: 20_000 });
    await until('first activation', () => activations.length === 1);
    await sleep(300); // the next request is now held by the server
    const published = Date.now();
    served.publish('v2');
    await until('second activation', () => activations.length === 2, 10_000);
    expect(Date.now() - published).toBeLessThan(3000);
    // held, not repeated: no 304 came back in between
    expect(events.filter((e) => e.type === 'bundle.not_modified')).toEqual([]);
  });

  it('persists the bundle that activated (0600 files in a 0700 directory)', async () => {
    const served = await serveDir();
    const dir = join(root, 'persist');
    const { activations } = poll({ url: served.url, persistDir: dir });
    await until('activation', () => activations.length === 1);
    await expect.poll(() => loadPersisted(dir)).toMatchObject({ etag: activations[0]?.etag, revision: 'rev-v1', url: served.url });
    const saved = await loadPersisted(dir);
    expect(Buffer.from(saved?.bytes ?? []).toString()).toBe('v1');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'bundle.json')).mode & 0o777).toBe(0o600);
  });
});

describe('restart from the persisted bundle', () => {
  it('starts from it while the server is down, and a 304 for its ETag confirms it once the server is back', async () => {
    const dir = join(root, 'persist');
    const first = await scripted(ok(Buffer.from('v1'), '"e1"'), status(304));
    const before = poll({ url: first.url, persistDir: dir });
    await until('persisted', () => before.events.some((e) => e.type === 'bundle.activated'));
    await expect.poll(() => loadPersisted(dir).then((p) => p?.etag)).toBe('"e1"');
    await before.poller.stop();
    const port = first.port;
    await first.close();

    // the restart: the gateway activates the persisted bytes itself and hands their ETag and revision on
    const saved = await loadPersisted(dir);
    expect(Buffer.from(saved?.bytes ?? []).toString()).toBe('v1');
    const after = poll({ url: first.url, etag: saved?.etag, revision: saved?.revision, maxDelayMs: 400 });
    await until('a failed poll', () => after.poller.status().code === 'bundle_error');
    expect(after.poller.status()).toMatchObject({ active_revision: 'rev-v1', last_successful_request: '0001-01-01T00:00:00Z' });
    expect(after.poller.lastSuccess).toBeUndefined();

    const back = await startScripted(port, status(304));
    cleanups.push(() => back.close());
    await until('confirmed', () => after.poller.lastSuccess !== undefined, 5000);
    expect(back.seen[0]?.headers['if-none-match']).toBe('"e1"');
    expect(after.activations).toEqual([]);
    expect(after.poller.status().code).toBeUndefined();
  });
});

describe('bundle poller against a scripted server', () => {
  it('sends the capability headers, the bearer token, and long-poll preferences only when configured', async () => {
    const s = await scripted(ok(Buffer.from('a'), '"e1"', BUNDLE_CONTENT_TYPE), status(304));
    const { activations } = poll({ url: s.url, token: () => 'tok-123', longPollingTimeoutMs: 7000 });
    await until('a second request', () => s.seen.length >= 2);
    expect(activations).toHaveLength(1);
    expect(s.seen[0]?.headers).toMatchObject({ prefer: 'modes=snapshot;wait=7', authorization: 'Bearer tok-123' });
    expect(s.seen[0]?.headers.accept).toContain(BUNDLE_CONTENT_TYPE);
    expect(s.seen[0]?.headers['if-none-match']).toBeUndefined();
    expect(s.seen[1]?.headers['if-none-match']).toBe('"e1"');

    const plain = await scripted(ok(Buffer.from('a'), '"e1"'));
    poll({ url: plain.url });
    await until('a request', () => plain.seen.length >= 1);
    expect(plain.seen[0]?.headers.prefer).toBe('modes=snapshot');
    expect(plain.seen[0]?.headers.authorization).toBeUndefined();
  });

  it('starts from a persisted ETag: a 304 confirms it without activating anything', async () => {
    const s = await scripted(status(304));
    const { poller, activations } = poll({ url: s.url, etag: '"kept"', revision: 'r-kept' });
    await until('a 304', () => poller.lastSuccess !== undefined);
    expect(s.seen[0]?.headers['if-none-match']).toBe('"kept"');
    expect(activations).toEqual([]);
    expect(poller.status()).toMatchObject({ active_revision: 'r-kept', http_code: 304 });
  });

  it('backs off from 100 ms while the server is down, then activates once it is back', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/bundles/b.tar.gz`;
    const { poller, activations, events } = poll({ url, minDelayMs: 0, maxDelayMs: 1600 });
    await sleep(1600);
    const failures = events.filter((e) => e.type === 'bundle.fetch_failed');
    // waits of 100, 200, 400, 800 ms: 4 or 5 attempts in 1.6 s (a fixed 100 ms would make 16)
    expect(failures.length).toBeGreaterThanOrEqual(3);
    expect(failures.length).toBeLessThanOrEqual(6);
    expect(poller.status()).toMatchObject({ code: 'bundle_error', errors: [{ code: 'ERR_PROXY_BUNDLE_FETCH' }] });
    expect(poller.status().message).toMatch(/ECONNREFUSED/);
    expect(activations).toEqual([]);
    const s = await startScripted(port, ok(Buffer.from('back'), '"b"'), status(304));
    cleanups.push(() => s.close());
    await until('activation after recovery', () => activations.length === 1, 5000);
    expect(activations[0]?.bytes).toBe('back');
    await until('status cleared', () => poller.status().code === undefined);
  });

  it('reports an error status with its HTTP code and goes on', async () => {
    const s = await scripted(status(503), status(503), ok(Buffer.from('x'), '"x"'), status(304));
    const { poller, activations } = poll({ url: s.url });
    await until('503 seen', () => poller.status().http_code === 503);
    expect(poller.status()).toMatchObject({
      code: 'bundle_error',
      message: 'the server replied 503 Service Unavailable',
      errors: [{ code: 'ERR_PROXY_BUNDLE_FETCH', message: 'the server replied 503 Service Unavailable' }],
    });
    await until('activation', () => activations.length === 1);
  });

  it('records a failed activation, does not activate the same bytes again, and recovers with the next bundle', async () => {
    const bad = Buffer.from('bad');
    const s = await scripted(ok(bad, '"bad"'));
    const { poller, activations, events } = poll({
      url: s.url,
      reject: (b) => (b === 'bad' ? 'rego_parse_error: policy.rego:1' : undefined),
    });
    await until('several polls after the failure', () => s.seen.length >= 6);
    expect(activations.map((a) => a.bytes)).toEqual(['bad']);
    expect(poller.status()).toMatchObject({
      code: 'bundle_error',
      message: 'rego_parse_error: policy.rego:1',
      errors: [{ code: 'ERR_PROXY_BUNDLE_ACTIVATION', message: 'rego_parse_error: policy.rego:1' }],
      last_successful_activation: '0001-01-01T00:00:00Z',
    });
    // the failed bundle's ETag is asked for, so a long-polling server would hold rather than resend it
    expect(s.seen.at(-1)?.headers['if-none-match']).toBe('"bad"');
    expect(events.filter((e) => e.type === 'bundle.activation_failed')).toHaveLength(1);
    expect(poller.lastSuccess).toBeUndefined();

    s.script(ok(Buffer.from('good'), '"good"'), status(304));
    await until('the next bundle activates', () => activations.length === 2);
    expect(activations[1]?.bytes).toBe('good');
    await until('status cleared', () => poller.status().code === undefined);
    expect(poller.status().active_revision).toBe('rev-good');
  });

  it('counts the active bundle served again after a failed one as current, without activating it again', async () => {
    const s = await scripted(ok(Buffer.from('good'), '"g"'), ok(Buffer.from('bad'), '"b"'), ok(Buffer.from('good'), '"g2"'), status(304));
    const { poller, activations } = poll({ url: s.url, reject: (b) => (b === 'bad' ? 'no' : undefined) });
    await until('the 304 after the rollback', () => s.seen.length >= 4);
    expect(activations.map((a) => a.bytes)).toEqual(['good', 'bad']);
    expect(s.seen[3]?.headers['if-none-match']).toBe('"g2"');
    expect(poller.status().code).toBeUndefined();
    expect(s.seen[0]?.headers['accept-encoding']).toBe('identity');
  });

  it('does not re-activate the same failed bytes even when the server sends no ETag', async () => {
    const s = await scripted(ok(Buffer.from('bad')));
    const { activations } = poll({ url: s.url, reject: () => 'no' });
    await until('several polls', () => s.seen.length >= 5);
    expect(activations).toHaveLength(1);
  });

  it('tries a failed bundle again on trigger()', async () => {
    let fail = true;
    const s = await scripted(ok(Buffer.from('flaky'), '"f"'));
    const { poller, activations } = poll({ url: s.url, reject: () => (fail ? 'busy' : undefined), minDelayMs: 5000, maxDelayMs: 5000 });
    await until('the failure', () => poller.status().code === 'bundle_error');
    fail = false;
    poller.trigger();
    await until('the retry', () => activations.length === 2, 2000);
    await until('status cleared', () => poller.status().code === undefined);
  });

  it.each([
    { note: 'with Content-Length', chunked: false },
    { note: 'chunked', chunked: true },
  ])('refuses a response larger than the size limit ($note)', async ({ chunked }) => {
    const big = Buffer.alloc(64 * 1024, 1);
    const s = await scripted((_req, res) => {
      res.writeHead(200, { etag: '"big"', ...(chunked ? {} : { 'content-length': big.byteLength }) });
      if (chunked) for (let i = 0; i < 16; i++) res.write(big.subarray(i * 4096, (i + 1) * 4096));
      res.end(chunked ? undefined : big);
    });
    const { poller, activations } = poll({ url: s.url, sizeLimitBytes: 16 * 1024 });
    await until('the refusal', () => poller.status().code === 'bundle_error');
    expect(poller.status().errors).toEqual([
      { code: 'ERR_PROXY_BUNDLE_TOO_LARGE', message: 'the bundle is larger than the size limit of 16384 bytes' },
    ]);
    expect(activations).toEqual([]);
  });

  it('falls back to periodic polling when the server does not answer in the long-poll media type', async () => {
    const s = await scripted(ok(Buffer.from('a'), '"a"', 'application/gzip'), status(304));
    poll({ url: s.url, longPollingTimeoutMs: 5000 });
    await until('two requests', () => s.seen.length >= 2);
    expect(s.seen.map((r) => r.headers.prefer).slice(0, 2)).toEqual(['modes=snapshot;wait=5', 'modes=snapshot']);
  });

  it('does not spin when a server that claims long polling answers 304 at once', async () => {
    const s = await scripted(ok(Buffer.from('a'), '"a"', BUNDLE_CONTENT_TYPE), status(304));
    poll({ url: s.url, longPollingTimeoutMs: 5000, minDelayMs: 100, maxDelayMs: 100 });
    await sleep(500);
    // one download, then a 304 about every 100 ms: a tight loop would make hundreds
    expect(s.seen.length).toBeLessThanOrEqual(8);
    expect(s.seen.at(-1)?.headers.prefer).toBe('modes=snapshot;wait=5');
  });

  it('gives up on a server that sends no answer in time and retries', async () => {
    const s = await scripted(() => undefined);
    const { poller } = poll({ url: s.url, headerTimeoutMs: 150 });
    await until('the timeout', () => poller.status().code === 'bundle_error');
    expect(poller.status().message).toBe('request failed: the server sent no answer within 150ms');
    await until('a retry', () => s.seen.length >= 2);
  });

  it('stop() aborts a held long poll at once', async () => {
    const s = await scripted(() => undefined); // never answers
    const { poller } = poll({ url: s.url, longPollingTimeoutMs: 60_000 });
    await until('the request', () => s.seen.length === 1);
    const started = Date.now();
    await poller.stop();
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('keeps secrets out of the status and the URL query out of the log', async () => {
    const s = await scripted(status(401));
    const { poller, events } = poll({ url: `${s.url}?X-Amz-Signature=sig`, token: () => 'tok-secret' });
    await until('the failure', () => poller.status().http_code === 401);
    const text = JSON.stringify(poller.status()) + JSON.stringify(events);
    expect(text).not.toContain('tok-secret');
    expect(text).not.toContain('sig');
    expect(events[0]).toMatchObject({ type: 'bundle.fetch_failed', url: `${s.url}?…`, httpCode: 401 });
  });

  it('records a token that cannot be read as a fetch error', async () => {
    const s = await scripted(status(304));
    const { poller } = poll({
      url: s.url,
      token: () => {
        throw new Error('ENOENT: /run/token');
      },
    });
    await until('the failure', () => poller.status().code === 'bundle_error');
    expect(poller.status().message).toBe('the bearer token could not be read: ENOENT: /run/token');
    expect(s.seen).toEqual([]);
  });

  it('refuses a URL carrying credentials (they belong in credentials.bearer)', () => {
    expect(() => startBundlePoller({ url: 'https://u:p@example.com/b.tar.gz', activate: async () => undefined })).toThrow(TypeError);
  });
});
