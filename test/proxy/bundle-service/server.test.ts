// `portcullis bundle serve`'s server over real HTTP: ETags, 304s, long polls held until a change
// or the wait, files replaced on disk, and nothing outside the directory reachable.

import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUNDLE_CONTENT_TYPE, startBundleServer } from '../../../proxy/bundle-service/index.js';
import type { BundleServer } from '../../../proxy/bundle-service/index.js';

let root: string;
let dir: string;
let server: BundleServer;

const etagOf = (b: Buffer | string): string => `"${createHash('sha256').update(b).digest('hex')}"`;

/** publish replaces a file the way a deploy should: write a temporary file, rename it over. */
function publish(name: string, content: string): void {
  const tmp = join(root, `.${name}.tmp`);
  writeFileSync(tmp, content);
  renameSync(tmp, join(dir, name));
}

/** get sends a raw request (the path is sent as written: fetch would normalise `..`). */
function get(
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string; ms: number }> {
  const started = Date.now();
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString(), ms: Date.now() - started }),
      );
    });
    req.on('error', fail);
    req.end();
  });
}

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'portcullis-serve-'));
  dir = join(root, 'bundles');
  mkdirSync(dir);
  writeFileSync(join(root, 'secret.tar.gz'), 'outside');
  writeFileSync(join(dir, 'authz.tar.gz'), 'v1');
  writeFileSync(join(dir, 'notes.txt'), 'not a bundle');
  server = await startBundleServer({ dir, port: 0, scanIntervalMs: 50 });
});

afterEach(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

describe('bundle serve', () => {
  it.each([
    { note: 'under /bundles with the extension', path: '/bundles/authz.tar.gz' },
    { note: "OPA's default resource (bundles/<name>)", path: '/bundles/authz' },
    { note: 'at the root with the extension', path: '/authz.tar.gz' },
  ])('serves the bundle $note with its SHA-256 as a strong ETag', async ({ path }) => {
    const r = await get(path);
    expect(r.status).toBe(200);
    expect(r.body).toBe('v1');
    expect(r.headers.etag).toBe(etagOf('v1'));
    expect(r.headers['content-type']).toBe('application/gzip');
  });

  it.each([
    { note: 'the matching ETag', inm: etagOf('v1'), want: 304 },
    { note: 'a list holding it', inm: `"x", ${etagOf('v1')}`, want: 304 },
    { note: 'its weak form', inm: `W/${etagOf('v1')}`, want: 304 },
    { note: '*', inm: '*', want: 304 },
    { note: 'another ETag', inm: etagOf('v0'), want: 200 },
  ])('answers If-None-Match with $note: $want', async ({ inm, want }) => {
    expect((await get('/bundles/authz.tar.gz', { 'if-none-match': inm })).status).toBe(want);
  });

  it.each([
    { note: 'dot-dot at the root', path: '/../secret.tar.gz' },
    { note: 'dot-dot under /bundles', path: '/bundles/../../secret.tar.gz' },
    { note: 'an encoded slash', path: '/bundles/..%2Fsecret.tar.gz' },
    { note: 'an encoded dot-dot', path: '/%2e%2e/secret.tar.gz' },
    { note: 'an absolute path', path: '//etc/passwd' },
    { note: 'a file that is not a tarball', path: '/notes.txt' },
    { note: 'an unknown bundle', path: '/bundles/other.tar.gz' },
    { note: 'a bare name at the root', path: '/authz' },
    { note: 'the directory', path: '/bundles/' },
  ])('refuses $note with 404', async ({ path }) => {
    const r = await get(path);
    expect(r.status).toBe(404);
    expect(r.body).not.toContain('outside');
  });

  it('answers HEAD without a body and refuses other methods with 405', async () => {
    const head = await get('/bundles/authz.tar.gz', {}, 'HEAD');
    expect([head.status, head.body, head.headers.etag]).toEqual([200, '', etagOf('v1')]);
    const post = await get('/bundles/authz.tar.gz', {}, 'POST');
    expect([post.status, post.headers.allow]).toEqual([405, 'GET, HEAD']);
  });

  it('serves a replaced file with its new ETag, and 404 once it is removed', async () => {
    publish('authz.tar.gz', 'v2');
    await expect.poll(async () => (await get('/bundles/authz.tar.gz')).headers.etag, { timeout: 3000 }).toBe(etagOf('v2'));
    publish('added.tar.gz', 'new');
    await expect.poll(async () => (await get('/added.tar.gz')).body, { timeout: 3000 }).toBe('new');
    rmSync(join(dir, 'authz.tar.gz'));
    await expect.poll(async () => (await get('/bundles/authz.tar.gz')).status, { timeout: 3000 }).toBe(404);
  });

  it('holds a long poll whose ETag matches until the wait is up, then answers 304 in the long-poll media type', async () => {
    const r = await get('/bundles/authz.tar.gz', { 'if-none-match': etagOf('v1'), prefer: 'modes=snapshot,delta;wait=1' });
    expect(r.status).toBe(304);
    expect(r.ms).toBeGreaterThanOrEqual(900);
    expect(r.headers['content-type']).toBe(BUNDLE_CONTENT_TYPE);
  });

  it('answers a held long poll as soon as the file changes', async () => {
    const held = get('/bundles/authz.tar.gz', { 'if-none-match': etagOf('v1'), prefer: 'modes=snapshot;wait=20' });
    await new Promise((r) => setTimeout(r, 200));
    publish('authz.tar.gz', 'v3');
    const r = await held;
    expect([r.status, r.body, r.headers.etag, r.headers['content-type']]).toEqual([200, 'v3', etagOf('v3'), BUNDLE_CONTENT_TYPE]);
    expect(r.ms).toBeLessThan(5000);
  });

  it('answers a long poll with a stale ETag at once', async () => {
    const r = await get('/bundles/authz.tar.gz', { 'if-none-match': etagOf('v0'), prefer: 'wait=20' });
    expect([r.status, r.body]).toEqual([200, 'v1']);
    expect(r.ms).toBeLessThan(2000);
  });

  it('releases held long polls with 304 when it closes', async () => {
    const held = get('/bundles/authz.tar.gz', { 'if-none-match': etagOf('v1'), prefer: 'wait=30' });
    await new Promise((r) => setTimeout(r, 100));
    const closing = server.close();
    expect((await held).status).toBe(304);
    await closing;
    server = await startBundleServer({ dir, port: 0 }); // for afterEach
  });

  it('refuses a directory that does not exist with a clear error', async () => {
    await expect(startBundleServer({ dir: join(root, 'missing'), port: 0 })).rejects.toMatchObject({
      code: 'ERR_PROXY_BUNDLE_SERVE',
      message: expect.stringContaining('missing'),
    });
  });

  it('refuses a port that is taken with a clear error', async () => {
    await expect(startBundleServer({ dir, port: server.port })).rejects.toMatchObject({
      code: 'ERR_PROXY_BUNDLE_SERVE',
      message: `cannot listen on 127.0.0.1:${server.port}: EADDRINUSE`,
    });
  });
});
