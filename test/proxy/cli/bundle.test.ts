// `portcullis bundle serve`: its arguments (a table of usage errors), a real run serving a
// directory until stopped, a clear error for a directory that is not there; and the poller
// options a `policy.bundle` mapping stands for, token read from env or file per request.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bundlePollerOptions } from '../../../proxy/cli/bundle-poller.js';
import { run } from '../../../proxy/cli/run.js';
import type { RemoteBundleSource } from '../../../proxy/config/index.js';
import { parseFlat } from './invocation.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'portcullis-bundle-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('bundle serve arguments', () => {
  it.each([
    { note: 'defaults', argv: ['bundle', 'serve', 'out'], want: { kind: 'bundle', dir: 'out', host: '127.0.0.1', port: 8282 } },
    {
      note: 'host and port',
      argv: ['bundle', 'serve', 'out', '--host', '0.0.0.0', '--port', '0'],
      want: { kind: 'bundle', dir: 'out', host: '0.0.0.0', port: 0 },
    },
    { note: 'no subcommand', argv: ['bundle'], want: { kind: 'usage-error', message: 'bundle: give a subcommand (serve)' } },
    {
      note: 'another subcommand',
      argv: ['bundle', 'push'],
      want: { kind: 'usage-error', message: 'bundle: unknown subcommand "push" (expected serve)' },
    },
    {
      note: 'no directory',
      argv: ['bundle', 'serve'],
      want: { kind: 'usage-error', message: 'bundle serve: give the directory of *.tar.gz bundles to serve' },
    },
    {
      note: 'two directories',
      argv: ['bundle', 'serve', 'a', 'b'],
      want: { kind: 'usage-error', message: 'bundle serve: unexpected argument "b"' },
    },
    {
      note: 'a port out of range',
      argv: ['bundle', 'serve', 'a', '--port', '70000'],
      want: { kind: 'usage-error', message: 'bundle serve: --port "70000" is not a port (0-65535)' },
    },
    { note: 'help', argv: ['bundle', '--help'], want: { kind: 'help', topic: 'bundle' } },
  ])('$note', ({ argv, want }) => {
    expect(parseFlat(argv)).toEqual(want.kind === 'usage-error' ? { ...want, topic: 'bundle' } : want);
  });
});

describe('bundle serve run', () => {
  it('serves the directory until stopped', async () => {
    writeFileSync(join(dir, 'authz.tar.gz'), 'bytes');
    let stdout = '';
    let stderr = '';
    let fetched: { status: number; etag: string | null; body: string } | undefined;
    const code = await run(
      ['bundle', 'serve', dir, '--port', '0'],
      { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) },
      {
        env: {},
        untilStopped: async () => {
          const url = /(http:\/\/\S+\/bundles\/authz\.tar\.gz)/.exec(stdout)?.[1] ?? 'http://127.0.0.1:1/missing';
          const res = await fetch(url);
          fetched = { status: res.status, etag: res.headers.get('etag'), body: await res.text() };
        },
      },
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/^portcullis: serving 1 bundle from .* at http:\/\/127\.0\.0\.1:\d+\/bundles\/\n/);
    expect(fetched).toMatchObject({ status: 200, body: 'bytes', etag: expect.stringMatching(/^"[0-9a-f]{64}"$/) });
    expect(stderr).toContain('bundle authz.tar.gz: serving');
  });

  it('exits 1 with a clear message for a missing directory', async () => {
    let stderr = '';
    const code = await run(
      ['bundle', 'serve', join(dir, 'nope'), '--port', '0'],
      { stdout: () => undefined, stderr: (t) => (stderr += t) },
      { env: {}, untilStopped: () => Promise.resolve() },
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(/^portcullis: bundle serve: cannot read .*nope: ENOENT/);
  });
});

describe('poller options from policy.bundle', () => {
  const source: RemoteBundleSource = {
    kind: 'remote',
    url: 'https://b.example/bundles/p.tar.gz',
    polling: { minDelayMs: 1000, maxDelayMs: 2000, longPollingTimeoutMs: 30_000 },
    persistDir: '/var/lib/p',
    onStale: 'warn',
    sizeLimitBytes: 4096,
  };

  it('carries the delays and limits over', () => {
    expect(bundlePollerOptions(source, {})).toEqual({
      url: source.url,
      minDelayMs: 1000,
      maxDelayMs: 2000,
      longPollingTimeoutMs: 30_000,
      sizeLimitBytes: 4096,
      persistDir: '/var/lib/p',
    });
  });

  it('reads the token from the environment, or fails clearly when unset', async () => {
    const o = bundlePollerOptions({ ...source, bearer: { kind: 'env', name: 'TOK' } }, { TOK: 'abc' });
    expect(await o.token?.()).toBe('abc');
    const unset = bundlePollerOptions({ ...source, bearer: { kind: 'env', name: 'TOK' } }, {});
    expect(() => unset.token?.()).toThrow('environment variable TOK is not set');
  });

  it('reads the token file again for every request (rotation without restart)', async () => {
    const file = join(dir, 'token');
    writeFileSync(file, 'one\n');
    const o = bundlePollerOptions({ ...source, bearer: { kind: 'file', path: file } }, {});
    expect(await o.token?.()).toBe('one');
    writeFileSync(file, 'two\n');
    expect(await o.token?.()).toBe('two');
  });
});
