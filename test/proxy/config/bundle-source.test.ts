// `policy.bundle` as a mapping (a bundle polled from a URL): OPA's defaults, each key read, and
// every error addressed by its key path; a string stays a local tarball path.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../proxy/cli/config-file.js';
import { validateConfig } from '../../../proxy/config/index.js';
import type { PolicySource } from '../../../proxy/config/index.js';

const base = {
  upstream: { database: 'app', user: 'gw' },
  identity: { issuer: 'https://idp.example', audience: 'portcullis', jwks: { url: 'https://idp.example/jwks' } },
};

function source(bundle: unknown): { source?: PolicySource; errors: readonly string[] } {
  const r = validateConfig({ ...base, policy: { bundle } });
  return r.ok ? { source: r.config.policy.source, errors: [] } : { errors: r.errors };
}

const URL_ = 'https://bundles.example.com/bundles/authz.tar.gz';

describe('policy.bundle values', () => {
  it.each([
    { note: 'a string is a local tarball', bundle: 'authz.tar.gz', want: { kind: 'bundle', path: 'authz.tar.gz' } },
    {
      note: "a URL alone: OPA's delays, warn, 128 MiB",
      bundle: { url: URL_ },
      want: {
        kind: 'remote',
        url: URL_,
        polling: { minDelayMs: 60_000, maxDelayMs: 120_000 },
        onStale: 'warn',
        sizeLimitBytes: 134_217_728,
      },
    },
    {
      note: 'a max_delay below the default follows a larger min_delay',
      bundle: { url: URL_, polling: { min_delay: '5m' } },
      want: { polling: { minDelayMs: 300_000, maxDelayMs: 300_000 } },
    },
    {
      note: 'every key',
      bundle: {
        url: 'http://127.0.0.1:8282/bundles/authz.tar.gz',
        polling: { min_delay: '10s', max_delay: '20s', long_polling_timeout: '30s' },
        persist_dir: '/var/lib/portcullis/bundle',
        credentials: { bearer: { token_env: 'BUNDLE_TOKEN' } },
        max_staleness: '10m',
        on_stale: 'deny_writes',
        size_limit_bytes: '8MiB',
      },
      want: {
        kind: 'remote',
        url: 'http://127.0.0.1:8282/bundles/authz.tar.gz',
        polling: { minDelayMs: 10_000, maxDelayMs: 20_000, longPollingTimeoutMs: 30_000 },
        persistDir: '/var/lib/portcullis/bundle',
        bearer: { kind: 'env', name: 'BUNDLE_TOKEN' },
        maxStalenessMs: 600_000,
        onStale: 'deny_writes',
        sizeLimitBytes: 8_388_608,
      },
    },
    {
      note: 'a token file',
      bundle: { url: URL_, credentials: { bearer: { token_file: '/run/secrets/bundle' } } },
      want: { bearer: { kind: 'file', path: '/run/secrets/bundle' } },
    },
  ])('$note', ({ bundle, want }) => {
    const r = source(bundle);
    expect(r.errors).toEqual([]);
    expect(r.source).toMatchObject(want);
  });
});

describe('policy.bundle errors', () => {
  it.each([
    { note: 'no url', bundle: { polling: {} }, want: 'policy.bundle.url: is required' },
    {
      note: 'plain http off loopback',
      bundle: { url: 'http://bundles.example.com/b.tar.gz' },
      want: 'policy.bundle.url: "http://bundles.example.com/b.tar.gz" must use https',
    },
    {
      note: 'credentials in the URL',
      bundle: { url: 'https://u:p@bundles.example.com/b.tar.gz' },
      want: 'policy.bundle.url: "https://u:p@bundles.example.com/b.tar.gz" carries credentials; give a token in credentials.bearer instead',
    },
    { note: 'an unknown key', bundle: { url: URL_, persist: true }, want: 'policy.bundle.persist: unknown key' },
    {
      note: 'an unknown polling key',
      bundle: { url: URL_, polling: { min_delay_seconds: 5 } },
      want: 'policy.bundle.polling.min_delay_seconds: unknown key',
    },
    {
      note: 'max below min',
      bundle: { url: URL_, polling: { min_delay: '2m', max_delay: '1m' } },
      want: 'policy.bundle.polling.max_delay: must not be shorter than min_delay',
    },
    {
      note: 'a bad duration',
      bundle: { url: URL_, polling: { min_delay: 'soon' } },
      want: 'policy.bundle.polling.min_delay: must be a duration',
    },
    {
      note: 'a long poll past what the HTTP client waits',
      bundle: { url: URL_, polling: { long_polling_timeout: '10m' } },
      want: 'policy.bundle.polling.long_polling_timeout: "10m" is out of range (1s to 4m)',
    },
    {
      note: 'both token sources',
      bundle: { url: URL_, credentials: { bearer: { token_env: 'A', token_file: 'b' } } },
      want: 'policy.bundle.credentials.bearer: set exactly one of token_env',
    },
    {
      note: 'an inline token',
      bundle: { url: URL_, credentials: { bearer: { token: 'x' } } },
      want: 'policy.bundle.credentials.bearer.token: unknown key',
    },
    { note: 'on_stale alone', bundle: { url: URL_, on_stale: 'deny_all' }, want: 'policy.bundle.on_stale: needs max_staleness' },
    {
      note: 'an unknown on_stale',
      bundle: { url: URL_, max_staleness: '1h', on_stale: 'panic' },
      want: 'policy.bundle.on_stale: must be one of warn, deny_writes, deny_all',
    },
    {
      note: 'a staleness bound a healthy poller would cross',
      bundle: { url: URL_, max_staleness: '1m' },
      want: 'policy.bundle.max_staleness: must be longer than polling.max_delay (2m), or a healthy poller would count as stale',
    },
    {
      note: 'a staleness bound under the long poll',
      bundle: { url: URL_, polling: { min_delay: '1s', max_delay: '2s', long_polling_timeout: '3m' }, max_staleness: '2m' },
      want: 'policy.bundle.max_staleness: must be longer than polling.long_polling_timeout (3m)',
    },
    { note: 'a tiny size limit', bundle: { url: URL_, size_limit_bytes: 10 }, want: 'policy.bundle.size_limit_bytes: 10 is too small' },
  ])('$note', ({ bundle, want }) => {
    const r = source(bundle);
    expect(r.source).toBeUndefined();
    expect(
      r.errors.some((e) => e.startsWith(want)),
      r.errors.join('\n'),
    ).toBe(true);
  });

  it('still refuses bundle and paths together', () => {
    const r = validateConfig({ ...base, policy: { bundle: { url: URL_ }, paths: ['p'] } });
    expect(r.ok ? [] : r.errors).toEqual([
      'policy: set exactly one of bundle (an OPA bundle .tar.gz) or paths (directories of .rego and data files)',
    ]);
  });
});

describe('policy.bundle in a config file', () => {
  it("resolves persist_dir and token_file against the file's directory", () => {
    const dir = mkdtempSync(join(tmpdir(), 'portcullis-bundle-config-'));
    try {
      const file = join(dir, 'opa.config.yaml');
      writeFileSync(
        file,
        `upstream: {database: app, user: gw, password: x}
identity: {issuer: "https://idp.example", audience: portcullis, jwks: {url: "https://idp.example/jwks"}}
policy:
  bundle:
    url: ${URL_}
    persist_dir: state/bundle
    credentials: {bearer: {token_file: secrets/token}}
`,
      );
      const r = loadConfigFile(file, {});
      expect(r.ok ? r.config.policy.source : r.errors).toMatchObject({
        kind: 'remote',
        persistDir: join(dir, 'state/bundle'),
        bearer: { kind: 'file', path: join(dir, 'secrets/token') },
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
