// opa.config.yaml validation: defaults, every error kind with its path-addressed message, YAML
// syntax errors with line numbers, path/env resolution at load, the mapping to proxy/auth's
// IdentityConfig, and the shipped opa.config.yaml itself.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CONFIG_DEFAULTS, parseDuration, parseSize, toIdentityConfig, validateConfig } from '../../../proxy/config/index.js';
import type { GatewayConfig } from '../../../proxy/config/index.js';
import { loadConfigFile, parseConfigText } from '../../../proxy/cli/config-file.js';
import { REPO_ROOT } from '../../helpers/shared.js';

/** minimal is the smallest valid document. */
const minimal = {
  upstream: { database: 'app', user: 'gw' },
  identity: { issuer: 'https://idp.example', audience: 'portcullis', jwks: { url: 'https://idp.example/jwks' } },
  policy: { paths: ['policies'] },
};

/** withKey returns the minimal document with one dotted key set (undefined deletes it). */
function withKey(path: string, value: unknown): Record<string, unknown> {
  const doc = structuredClone(minimal) as Record<string, unknown>;
  const keys = path.split('.');
  let at = doc;
  for (const k of keys.slice(0, -1)) {
    if (typeof at[k] !== 'object' || at[k] === null) at[k] = {};
    at = at[k] as Record<string, unknown>;
  }
  const last = keys[keys.length - 1] as string;
  if (value === undefined) delete at[last];
  else at[last] = value;
  return doc;
}

describe('validateConfig defaults', () => {
  const result = validateConfig(minimal);

  it('accepts the minimal document', () => {
    expect(result.ok).toBe(true);
  });

  it.each([
    { note: 'listen host', get: (c: GatewayConfig) => c.listen.host, want: '127.0.0.1' },
    { note: 'listen port', get: (c: GatewayConfig) => c.listen.port, want: 6432 },
    { note: 'no tls', get: (c: GatewayConfig) => c.tls, want: undefined },
    { note: 'plaintext passwords refused', get: (c: GatewayConfig) => c.allowPlaintextPassword, want: false },
    { note: 'upstream host', get: (c: GatewayConfig) => c.upstream.host, want: '127.0.0.1' },
    { note: 'upstream port', get: (c: GatewayConfig) => c.upstream.port, want: 5432 },
    { note: 'upstream without password', get: (c: GatewayConfig) => c.upstream.password, want: undefined },
    { note: 'connect timeout', get: (c: GatewayConfig) => c.upstream.connectTimeoutMs, want: 10_000 },
    {
      note: 'upstream pool: 8 idle, 60s idle timeout, 30m lifetime',
      get: (c: GatewayConfig) => c.upstream.pool,
      want: { maxIdle: 8, idleTimeoutMs: 60_000, maxLifetimeMs: 1_800_000 },
    },
    { note: 'audience as a list', get: (c: GatewayConfig) => c.identity.audience, want: ['portcullis'] },
    { note: 'algorithms', get: (c: GatewayConfig) => c.identity.algorithms, want: ['RS256', 'ES256', 'EdDSA'] },
    { note: 'clock skew 30s', get: (c: GatewayConfig) => c.identity.clockSkewMs, want: 30_000 },
    { note: 'max token lifetime 1h', get: (c: GatewayConfig) => c.identity.maxTokenLifetimeMs, want: 3_600_000 },
    { note: 'jwks refresh interval 30s', get: (c: GatewayConfig) => c.identity.jwksRefreshMinIntervalMs, want: 30_000 },
    { note: 'policy entrypoint', get: (c: GatewayConfig) => c.policy.entrypoint, want: 'portcullis/decision' },
    { note: 'policy connection entrypoint', get: (c: GatewayConfig) => c.policy.connectionEntrypoint, want: 'portcullis/connection' },
    { note: 'policy approval entrypoint', get: (c: GatewayConfig) => c.policy.approvalEntrypoint, want: 'portcullis/approval' },
    { note: 'policy audit entrypoint', get: (c: GatewayConfig) => c.policy.auditEntrypoint, want: 'portcullis/audit' },
    { note: 'policy source', get: (c: GatewayConfig) => c.policy.source, want: { kind: 'paths', paths: ['policies'] } },
    { note: 'max message bytes 1 MiB', get: (c: GatewayConfig) => c.limits.maxMessageBytes, want: 1_048_576 },
    { note: 'max statement bytes 1 MiB', get: (c: GatewayConfig) => c.limits.maxStatementBytes, want: 1_048_576 },
    { note: 'max row bytes 64 MiB', get: (c: GatewayConfig) => c.limits.maxRowBytes, want: 67_108_864 },
    { note: 'max queued bytes 1 MiB', get: (c: GatewayConfig) => c.limits.maxQueuedBytes, want: 1_048_576 },
    { note: 'max connections', get: (c: GatewayConfig) => c.limits.maxConnections, want: 100 },
    { note: 'max unauthenticated', get: (c: GatewayConfig) => c.limits.maxUnauthenticated, want: 64 },
    { note: 'max unauthenticated per address', get: (c: GatewayConfig) => c.limits.maxUnauthenticatedPerAddress, want: 16 },
    { note: 'authentication timeout 10s', get: (c: GatewayConfig) => c.limits.authenticationTimeoutMs, want: 10_000 },
    { note: 'message timeout 30s', get: (c: GatewayConfig) => c.limits.messageTimeoutMs, want: 30_000 },
    { note: 'max analysis time 10s', get: (c: GatewayConfig) => c.limits.maxAnalysisMs, want: 10_000 },
    { note: 'log level', get: (c: GatewayConfig) => c.log.level, want: 'info' },
  ])('$note', ({ get, want }) => {
    expect(result.ok && get(result.config)).toEqual(want);
  });

  it('freezes the defaults and the result', () => {
    expect(Object.isFrozen(CONFIG_DEFAULTS.identity.algorithms)).toBe(true);
    expect(result.ok && Object.isFrozen(result.config.identity)).toBe(true);
  });
});

describe('validateConfig values', () => {
  it.each([
    {
      note: 'recording: defaults (digest, refuse, fsync, sync writes within 10ms)',
      doc: withKey('recording', { dir: 'journal' }),
      get: (c: GatewayConfig) => c.recording,
      want: {
        dir: 'journal',
        results: 'digest',
        resultsCapBytes: 65_536,
        retentionMs: 2_592_000_000,
        onFailure: 'refuse',
        fsync: true,
        sync: 'writes',
        syncIntervalMs: 10,
        shipIntervalMs: 1_000,
      },
    },
    {
      note: 'recording: sync all, every 2ms',
      doc: withKey('recording', { dir: 'journal', sync: 'all', sync_interval: '2ms' }),
      get: (c: GatewayConfig) => [c.recording?.sync, c.recording?.syncIntervalMs],
      want: ['all', 2],
    },
    { note: 'no recording section: nothing recorded', doc: minimal, get: (c: GatewayConfig) => c.recording, want: undefined },
    { note: 'workers: 1 by default', doc: minimal, get: (c: GatewayConfig) => c.workers, want: 1 },
    {
      note: 'workers: 4 with a state store',
      doc: { ...withKey('workers', 4), state: { database: 'portcullis_state', user: 'gw' } },
      get: (c: GatewayConfig) => c.workers,
      want: 4,
    },
    {
      note: 'workers: auto with a state store',
      doc: { ...withKey('workers', 'auto'), state: { database: 'portcullis_state', user: 'gw' } },
      get: (c: GatewayConfig) => c.workers,
      want: 'auto',
    },
    { note: 'workers: 1 needs no state store', doc: withKey('workers', 1), get: (c: GatewayConfig) => c.workers, want: 1 },
    {
      note: 'full listen',
      doc: withKey('listen', { host: '0.0.0.0', port: 5433 }),
      get: (c: GatewayConfig) => c.listen,
      want: { host: '0.0.0.0', port: 5433 },
    },
    {
      note: 'tls files',
      doc: withKey('tls', { cert: 'a.crt', key: 'a.key' }),
      get: (c: GatewayConfig) => c.tls,
      want: { certFile: 'a.crt', keyFile: 'a.key' },
    },
    {
      note: 'inline password',
      doc: withKey('upstream.password', 'pw'),
      get: (c: GatewayConfig) => c.upstream.password,
      want: { kind: 'inline', value: 'pw' },
    },
    {
      note: 'password_env',
      doc: withKey('upstream.password_env', 'PGPW'),
      get: (c: GatewayConfig) => c.upstream.password,
      want: { kind: 'env', name: 'PGPW' },
    },
    {
      note: 'password_file',
      doc: withKey('upstream.password_file', '/run/secrets/pg'),
      get: (c: GatewayConfig) => c.upstream.password,
      want: { kind: 'file', path: '/run/secrets/pg' },
    },
    {
      note: 'duration 1h30m',
      doc: withKey('identity.max_token_lifetime', '1h30m'),
      get: (c: GatewayConfig) => c.identity.maxTokenLifetimeMs,
      want: 5_400_000,
    },
    { note: 'duration as seconds', doc: withKey('identity.clock_skew', 5), get: (c: GatewayConfig) => c.identity.clockSkewMs, want: 5000 },
    {
      note: 'duration 500ms',
      doc: withKey('upstream.connect_timeout', '500ms'),
      get: (c: GatewayConfig) => c.upstream.connectTimeoutMs,
      want: 500,
    },
    {
      note: 'upstream pool',
      doc: withKey('upstream.pool', { max_idle: 32, idle_timeout: '5m', max_lifetime: '1h' }),
      get: (c: GatewayConfig) => c.upstream.pool,
      want: { maxIdle: 32, idleTimeoutMs: 300_000, maxLifetimeMs: 3_600_000 },
    },
    {
      note: 'upstream pool disabled, other keys default',
      doc: withKey('upstream.pool', { max_idle: 0 }),
      get: (c: GatewayConfig) => c.upstream.pool,
      want: { maxIdle: 0, idleTimeoutMs: 60_000, maxLifetimeMs: 1_800_000 },
    },
    {
      note: 'size 64KiB',
      doc: withKey('limits.max_statement_bytes', '64KiB'),
      get: (c: GatewayConfig) => c.limits.maxStatementBytes,
      want: 65_536,
    },
    {
      note: 'connection limits and timeouts',
      doc: withKey('limits', {
        max_unauthenticated: 8,
        max_unauthenticated_per_address: 2,
        authentication_timeout: '2s',
        message_timeout: '500ms',
      }),
      get: (c: GatewayConfig) => c.limits,
      want: {
        maxMessageBytes: 1_048_576,
        maxStatementBytes: 1_048_576,
        maxRowBytes: 67_108_864,
        maxQueuedBytes: 1_048_576,
        maxConnections: 100,
        maxUnauthenticated: 8,
        maxUnauthenticatedPerAddress: 2,
        authenticationTimeoutMs: 2_000,
        messageTimeoutMs: 500,
        maxAnalysisMs: 10_000,
        shutdownGraceMs: 10_000,
      },
    },
    {
      note: 'analysis budget 2s',
      doc: withKey('limits.max_analysis_time', '2s'),
      get: (c: GatewayConfig) => c.limits.maxAnalysisMs,
      want: 2_000,
    },
    {
      note: 'shutdown grace 30s',
      doc: withKey('limits.shutdown_grace', '30s'),
      get: (c: GatewayConfig) => c.limits.shutdownGraceMs,
      want: 30_000,
    },
    {
      note: 'admin open routes by default',
      doc: withKey('admin.port', 0),
      get: (c: GatewayConfig) => c.admin.openRoutes,
      want: ['metrics'],
    },
    {
      note: 'admin open routes none',
      doc: withKey('admin.open_routes', []),
      get: (c: GatewayConfig) => c.admin.openRoutes,
      want: [],
    },
    {
      note: 'admin open routes metrics and readyz',
      doc: withKey('admin.open_routes', ['readyz', 'metrics']),
      get: (c: GatewayConfig) => c.admin.openRoutes,
      want: ['readyz', 'metrics'],
    },
    {
      note: 'the web console by default',
      doc: withKey('admin.port', 0),
      get: (c: GatewayConfig) => c.admin.console,
      want: { enabled: true },
    },
    {
      note: 'the web console turned off',
      doc: withKey('admin.console.enabled', false),
      get: (c: GatewayConfig) => c.admin.console.enabled,
      want: false,
    },
    {
      note: 'audience list',
      doc: withKey('identity.audience', ['a', 'b']),
      get: (c: GatewayConfig) => c.identity.audience,
      want: ['a', 'b'],
    },
    {
      note: 'jwks file',
      doc: withKey('identity.jwks', { file: 'keys.json' }),
      get: (c: GatewayConfig) => c.identity.jwks,
      want: { kind: 'file', path: 'keys.json' },
    },
    {
      note: 'discovery on https',
      doc: withKey('identity.jwks', { discovery: true }),
      get: (c: GatewayConfig) => c.identity.jwks,
      want: { kind: 'discovery' },
    },
    {
      note: 'jwks url on loopback http',
      doc: withKey('identity.jwks', { url: 'http://127.0.0.1:9/jwks.json' }),
      get: (c: GatewayConfig) => c.identity.jwks.kind,
      want: 'url',
    },
    {
      note: 'bundle',
      doc: { ...minimal, policy: { bundle: 'b.tar.gz', entrypoint: 'a/b/c' } },
      get: (c: GatewayConfig) => c.policy,
      want: {
        source: { kind: 'bundle', path: 'b.tar.gz' },
        entrypoint: 'a/b/c',
        connectionEntrypoint: 'portcullis/connection',
        approvalEntrypoint: 'portcullis/approval',
        auditEntrypoint: 'portcullis/audit',
      },
    },
    {
      note: 'connection entrypoint',
      doc: { ...minimal, policy: { bundle: 'b.tar.gz', connection_entrypoint: 'acme/login' } },
      get: (c: GatewayConfig) => c.policy.connectionEntrypoint,
      want: 'acme/login',
    },
    {
      note: 'approval entrypoint',
      doc: { ...minimal, policy: { bundle: 'b.tar.gz', approval_entrypoint: 'acme/approvers' } },
      get: (c: GatewayConfig) => c.policy.approvalEntrypoint,
      want: 'acme/approvers',
    },
    { note: 'null section means defaults', doc: { ...minimal, listen: null }, get: (c: GatewayConfig) => c.listen.port, want: 6432 },
  ])('$note', ({ doc, get, want }) => {
    const r = validateConfig(doc);
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(get(r.config)).toEqual(want);
  });
});

describe('validateConfig errors', () => {
  it.each([
    {
      note: 'workers without a state store',
      doc: withKey('workers', 2),
      errors: [
        'workers: 2 needs `state`: the workers share held statements, approvals, blocks and live control through the state store (set state, or workers: 1)',
      ],
    },
    {
      note: 'workers: auto without a state store',
      doc: withKey('workers', 'auto'),
      errors: [
        'workers: auto needs `state`: the workers share held statements, approvals, blocks and live control through the state store (set state, or workers: 1)',
      ],
    },
    { note: 'workers: 0', doc: withKey('workers', 0), errors: ['workers: must be an integer from 1 to 256 or auto, got 0'] },
    { note: 'workers: a word', doc: withKey('workers', 'many'), errors: ['workers: must be an integer from 1 to 256 or auto, got "many"'] },
    {
      note: 'recording.sync neither writes nor all',
      doc: withKey('recording', { dir: 'j', sync: 'reads' }),
      errors: ['recording.sync: must be writes or all, got "reads"'],
    },
    {
      note: 'recording.sync_interval out of range',
      doc: withKey('recording', { dir: 'j', sync_interval: '1m' }),
      errors: ['recording.sync_interval: "1m" is out of range (1ms to 10s)'],
    },
    { note: 'not a mapping', doc: [1], errors: ['(root): must be a mapping, got a list'] },
    { note: 'empty document', doc: null, errors: ['(root): must be a mapping, got nothing'] },
    {
      note: 'missing required sections',
      doc: {},
      errors: ['upstream: is required', 'identity: is required', 'policy: is required'],
    },
    {
      note: 'unknown top-level key',
      doc: withKey('listn', {}),
      errors: [
        'listn: unknown key (expected one of listen, tls, allow_plaintext_password, upstream, identity, policy, limits, log, masking, state, approval, admin, recording, decision_logs, workers)',
      ],
    },
    { note: 'unknown nested key', doc: withKey('listen.hots', 'x'), errors: ['listen.hots: unknown key (expected one of host, port)'] },
    {
      note: 'two sources of the hash key',
      doc: withKey('masking', { hash_key_env: 'K', hash_key_file: '/k' }),
      errors: ['masking: set one of hash_key_env or hash_key_file, not both'],
    },
    { note: 'section not a mapping', doc: withKey('listen', 'x'), errors: ['listen: must be a mapping, got string "x"'] },
    {
      note: 'an admin route that cannot be opened',
      doc: withKey('admin.open_routes', ['metrics', 'status']),
      errors: ['admin.open_routes[1]: must be one of metrics, readyz, got "status"'],
    },
    {
      note: 'admin open routes not a list',
      doc: withKey('admin.open_routes', 'metrics'),
      errors: ['admin.open_routes: must be a list of metrics, readyz (possibly empty), got string "metrics"'],
    },
    {
      note: 'admin.console.enabled not a boolean',
      doc: withKey('admin.console.enabled', 'yes'),
      errors: ['admin.console.enabled: must be true or false, got string "yes"'],
    },
    {
      note: 'an unknown key of admin.console',
      doc: withKey('admin.console.path', '/ui'),
      errors: ['admin.console.path: unknown key (expected one of enabled, oidc)'],
    },
    {
      note: 'a shutdown grace that is not a duration',
      doc: withKey('limits.shutdown_grace', 'soon'),
      errors: ['limits.shutdown_grace: must be a duration such as 500ms, 30s, 15m, 1h (or a number of seconds), got string "soon"'],
    },
    {
      note: 'port not an integer',
      doc: withKey('listen.port', 'abc'),
      errors: ['listen.port: must be an integer from 0 to 65535, got string "abc"'],
    },
    {
      note: 'port out of range',
      doc: withKey('listen.port', 70000),
      errors: ['listen.port: must be an integer from 0 to 65535, got number 70000'],
    },
    {
      note: 'upstream port 0',
      doc: withKey('upstream.port', 0),
      errors: ['upstream.port: must be an integer from 1 to 65535, got number 0'],
    },
    { note: 'empty host', doc: withKey('listen.host', ''), errors: ['listen.host: must be a non-empty string, got string ""'] },
    { note: 'tls without key', doc: withKey('tls', { cert: 'a.crt' }), errors: ['tls.key: is required'] },
    {
      note: 'boolean as string',
      doc: withKey('allow_plaintext_password', 'yes'),
      errors: ['allow_plaintext_password: must be true or false, got string "yes"'],
    },
    {
      note: 'missing database and user',
      doc: withKey('upstream', {}),
      errors: ['upstream.database: is required', 'upstream.user: is required'],
    },
    {
      note: 'password and password_env',
      doc: withKey('upstream', { database: 'd', user: 'u', password: 'p', password_env: 'P' }),
      errors: ['upstream: set one of password, password_env or password_file, not several'],
    },
    {
      note: 'password_env and password_file',
      doc: withKey('upstream', { database: 'd', user: 'u', password_file: '/f', password_env: 'P' }),
      errors: ['upstream: set one of password, password_env or password_file, not several'],
    },
    {
      note: 'upstream pool: negative max_idle',
      doc: withKey('upstream.pool', { max_idle: -1 }),
      errors: ['upstream.pool.max_idle: must be an integer from 0 to 100000, got number -1'],
    },
    {
      note: 'upstream pool: unknown key',
      doc: withKey('upstream.pool', { size: 4 }),
      errors: ['upstream.pool.size: unknown key (expected one of max_idle, idle_timeout, max_lifetime)'],
    },
    {
      note: 'upstream pool: idle_timeout of 0',
      doc: withKey('upstream.pool', { idle_timeout: 0 }),
      errors: ['upstream.pool.idle_timeout: 0 is out of range (1ms to 24h)'],
    },
    {
      note: 'upstream pool: max_lifetime below 1s',
      doc: withKey('upstream.pool', { max_lifetime: '500ms' }),
      errors: ['upstream.pool.max_lifetime: "500ms" is out of range (1s to 168h)'],
    },
    {
      note: 'upstream pool not a mapping',
      doc: withKey('upstream.pool', 8),
      errors: ['upstream.pool: must be a mapping, got number 8'],
    },
    {
      note: 'bad duration',
      doc: withKey('upstream.connect_timeout', '10 seconds'),
      errors: [
        'upstream.connect_timeout: must be a duration such as 500ms, 30s, 15m, 1h (or a number of seconds), got string "10 seconds"',
      ],
    },
    {
      note: 'duration out of range',
      doc: withKey('identity.clock_skew', '10m'),
      errors: ['identity.clock_skew: "10m" is out of range (0s to 5m)'],
    },
    {
      note: 'zero lifetime',
      doc: withKey('identity.max_token_lifetime', 0),
      errors: ['identity.max_token_lifetime: 0 is out of range (1s to unbounded)'],
    },
    { note: 'missing issuer', doc: withKey('identity.issuer', undefined), errors: ['identity.issuer: is required'] },
    {
      note: 'empty audience list',
      doc: withKey('identity.audience', []),
      errors: ['identity.audience: must be a string or a non-empty list of strings, got a list'],
    },
    {
      note: 'audience item not a string',
      doc: withKey('identity.audience', ['a', 3]),
      errors: ['identity.audience[1]: must be a non-empty string, got number 3'],
    },
    { note: 'missing jwks', doc: withKey('identity.jwks', undefined), errors: ['identity.jwks: is required'] },
    {
      note: 'two jwks sources',
      doc: withKey('identity.jwks', { file: 'a', url: 'https://x' }),
      errors: ['identity.jwks: set exactly one of file, url or discovery: true'],
    },
    {
      note: 'no jwks source',
      doc: withKey('identity.jwks', { discovery: false }),
      errors: ['identity.jwks: set exactly one of file, url or discovery: true'],
    },
    {
      note: 'jwks url not a URL',
      doc: withKey('identity.jwks', { url: 'not a url' }),
      errors: ['identity.jwks.url: "not a url" is not a URL'],
    },
    {
      note: 'jwks url over http off loopback',
      doc: withKey('identity.jwks', { url: 'http://idp.example/jwks' }),
      errors: ['identity.jwks.url: "http://idp.example/jwks" must use https (http is accepted only for 127.0.0.1, localhost and [::1])'],
    },
    {
      note: 'discovery with a non-URL issuer',
      doc: { ...minimal, identity: { issuer: 'my-idp', audience: 'a', jwks: { discovery: true } } },
      errors: ['identity.issuer: "my-idp" is not a URL (discovery reads <issuer>/.well-known/openid-configuration)'],
    },
    {
      note: 'HMAC algorithm',
      doc: withKey('identity.algorithms', ['RS256', 'HS256']),
      errors: ['identity.algorithms[1]: "HS256" is not allowed: Portcullis verifies asymmetric signatures only'],
    },
    {
      note: 'none algorithm',
      doc: withKey('identity.algorithms', ['none']),
      errors: ['identity.algorithms[0]: "none" is not allowed: unsigned tokens are never accepted'],
    },
    {
      note: 'unknown algorithm',
      doc: withKey('identity.algorithms', ['RS257']),
      errors: [
        'identity.algorithms[0]: "RS257" is not a supported algorithm (expected one of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA, Ed25519)',
      ],
    },
    {
      note: 'duplicate algorithm',
      doc: withKey('identity.algorithms', ['ES256', 'ES256']),
      errors: ['identity.algorithms[1]: "ES256" is listed twice'],
    },
    {
      note: 'empty algorithms',
      doc: withKey('identity.algorithms', []),
      errors: ['identity.algorithms: must be a non-empty list of algorithms, got a list'],
    },
    {
      note: 'algorithm not a string',
      doc: withKey('identity.algorithms', [256]),
      errors: ['identity.algorithms[0]: must be an algorithm name, got number 256'],
    },
    {
      note: 'bundle and paths',
      doc: withKey('policy', { bundle: 'b.tar.gz', paths: ['p'] }),
      errors: ['policy: set exactly one of bundle (an OPA bundle .tar.gz) or paths (directories of .rego and data files)'],
    },
    {
      note: 'neither bundle nor paths',
      doc: withKey('policy', {}),
      errors: ['policy: set exactly one of bundle (an OPA bundle .tar.gz) or paths (directories of .rego and data files)'],
    },
    {
      note: 'bad entrypoint',
      doc: withKey('policy.entrypoint', 'data.portcullis.decision'),
      errors: ['policy.entrypoint: "data.portcullis.decision" is not an entrypoint (expected package/rule, e.g. portcullis/decision)'],
    },
    {
      note: 'bad connection entrypoint',
      doc: withKey('policy.connection_entrypoint', 'data.portcullis.connection'),
      errors: [
        'policy.connection_entrypoint: "data.portcullis.connection" is not an entrypoint (expected package/rule, e.g. portcullis/connection)',
      ],
    },
    {
      note: 'connection entrypoint equal to the statement entrypoint',
      doc: withKey('policy.connection_entrypoint', 'portcullis/decision'),
      errors: [
        'policy.connection_entrypoint: "portcullis/decision" is also the statement entrypoint; the login rule answers a different question',
      ],
    },
    {
      note: 'bad approval entrypoint',
      doc: withKey('policy.approval_entrypoint', 'portcullis.approval'),
      errors: ['policy.approval_entrypoint: "portcullis.approval" is not an entrypoint (expected package/rule, e.g. portcullis/approval)'],
    },
    {
      note: 'approval entrypoint equal to the statement entrypoint',
      doc: withKey('policy.approval_entrypoint', 'portcullis/decision'),
      errors: [
        'policy.approval_entrypoint: "portcullis/decision" is also the statement entrypoint; the approval rule answers a different question',
      ],
    },
    {
      note: 'approval entrypoint equal to the connection entrypoint',
      doc: withKey('policy.approval_entrypoint', 'portcullis/connection'),
      errors: [
        'policy.approval_entrypoint: "portcullis/connection" is also the connection entrypoint; the approval rule answers a different question',
      ],
    },
    {
      note: 'audit entrypoint not package/rule',
      doc: withKey('policy.audit_entrypoint', 'portcullis.audit'),
      errors: ['policy.audit_entrypoint: "portcullis.audit" is not an entrypoint (expected package/rule, e.g. portcullis/audit)'],
    },
    {
      note: 'audit entrypoint equal to the approval entrypoint',
      doc: withKey('policy.audit_entrypoint', 'portcullis/approval'),
      errors: [
        'policy.audit_entrypoint: "portcullis/approval" is also the approval entrypoint; the audit rule answers a different question',
      ],
    },
    {
      note: 'bad size',
      doc: withKey('limits.max_message_bytes', '1 lightyear'),
      errors: ['limits.max_message_bytes: must be a byte count such as 1048576, 64KiB or 1MiB, got string "1 lightyear"'],
    },
    {
      note: 'size too small',
      doc: withKey('limits.max_message_bytes', 100),
      errors: ['limits.max_message_bytes: 100 is too small (at least 8192 bytes)'],
    },
    {
      note: "row size above PostgreSQL's own limit",
      doc: withKey('limits.max_row_bytes', '2GiB'),
      errors: ['limits.max_row_bytes: "2GiB" is too large (at most 1073807360 bytes)'],
    },
    {
      note: 'queue bound below a socket buffer',
      doc: withKey('limits.max_queued_bytes', '1KiB'),
      errors: ['limits.max_queued_bytes: "1KiB" is too small (at least 65536 bytes)'],
    },
    {
      note: 'max connections 0',
      doc: withKey('limits.max_connections', 0),
      errors: ['limits.max_connections: must be an integer from 1 to 1000000, got number 0'],
    },
    {
      note: 'max unauthenticated per address 0',
      doc: withKey('limits.max_unauthenticated_per_address', 0),
      errors: ['limits.max_unauthenticated_per_address: must be an integer from 1 to 1000000, got number 0'],
    },
    {
      note: 'message timeout 0',
      doc: withKey('limits.message_timeout', 0),
      errors: ['limits.message_timeout: 0 is out of range (1ms to 1h)'],
    },
    {
      note: 'unknown log level',
      doc: withKey('log.level', 'loud'),
      errors: ['log.level: must be one of debug, info, warn, error, got string "loud"'],
    },
    {
      note: 'several errors at once',
      doc: { ...withKey('listen.port', -1), log: { level: 1 } },
      errors: [
        'listen.port: must be an integer from 0 to 65535, got number -1',
        'log.level: must be one of debug, info, warn, error, got number 1',
      ],
    },
  ])('$note', ({ doc, errors }) => {
    expect(validateConfig(doc)).toEqual({ ok: false, errors });
  });
});

describe('parseDuration and parseSize', () => {
  it.each([
    { note: '30s', value: '30s', want: 30_000 },
    { note: '1h30m', value: '1h30m', want: 5_400_000 },
    { note: '1.5s', value: '1.5s', want: 1500 },
    { note: 'number of seconds', value: 2, want: 2000 },
    { note: 'negative number', value: -1, want: undefined },
    { note: 'no unit', value: '30', want: undefined },
    { note: 'unknown unit', value: '3d', want: undefined },
  ])('duration $note', ({ value, want }) => {
    expect(parseDuration(value)).toBe(want);
  });

  it.each([
    { note: 'integer', value: 1024, want: 1024 },
    { note: '1MiB', value: '1MiB', want: 1_048_576 },
    { note: '1MB', value: '1MB', want: 1_000_000 },
    { note: '10 kib', value: '10 kib', want: 10_240 },
    { note: 'fraction', value: 1.5, want: undefined },
    { note: 'unknown unit', value: '1TiB', want: undefined },
  ])('size $note', ({ value, want }) => {
    expect(parseSize(value)).toBe(want);
  });
});

describe('toIdentityConfig', () => {
  it.each([
    {
      note: 'jwks url and durations in seconds',
      doc: withKey('identity.clock_skew', '1500ms'),
      want: {
        issuer: 'https://idp.example',
        audience: ['portcullis'],
        jwks: { url: 'https://idp.example/jwks' },
        algorithms: ['RS256', 'ES256', 'EdDSA'],
        clockSkewSeconds: 2,
        maxTokenLifetimeSeconds: 3600,
        refreshMinIntervalSeconds: 30,
        keysMaxAgeSeconds: 300,
      },
    },
    { note: 'discovery', doc: withKey('identity.jwks', { discovery: true }), want: expect.objectContaining({ jwks: { discovery: true } }) },
    { note: 'file', doc: withKey('identity.jwks', { file: '/k.json' }), want: expect.objectContaining({ jwks: { file: '/k.json' } }) },
  ])('$note', ({ doc, want }) => {
    const r = validateConfig(doc);
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(toIdentityConfig(r.config)).toEqual(want);
  });

  it('maps identity.introspection, reading the client secret through the caller', async () => {
    const r = validateConfig(
      withKey('identity.introspection', {
        url: 'https://idp.example/introspect',
        client_id: 'gw',
        client_secret_env: 'S',
        recheck_interval: '90s',
      }),
    );
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const reads: unknown[] = [];
    const id = toIdentityConfig(r.config, async (source) => {
      reads.push(source);
      return 'from-env';
    });
    expect(id.introspection).toMatchObject({ url: 'https://idp.example/introspect', clientId: 'gw', cacheSeconds: 30, recheckSeconds: 90 });
    expect(await id.introspection?.clientSecret()).toBe('from-env');
    expect(reads).toEqual([{ kind: 'env', name: 'S' }]);
  });

  it.each([
    { note: 'no secret', value: { url: 'https://idp.example/i', client_id: 'gw' }, error: /exactly one of client_secret/ },
    {
      note: 'two secrets',
      value: { url: 'https://idp.example/i', client_id: 'gw', client_secret: 'a', client_secret_file: '/f' },
      error: /exactly one/,
    },
    { note: 'plain http elsewhere', value: { url: 'http://idp.example/i', client_id: 'gw', client_secret: 'a' }, error: /must use https/ },
    { note: 'no client id', value: { url: 'https://idp.example/i', client_secret: 'a' }, error: /client_id: is required/ },
  ])('refuses identity.introspection with $note', ({ value, error }) => {
    const r = validateConfig(withKey('identity.introspection', value));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.join('\n')).toMatch(error);
  });
});

describe('loading config files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const valid = [
    'upstream: {database: app, user: gw, password_env: PGPW}',
    'identity: {issuer: "https://idp.example", audience: a, jwks: {file: keys/jwks.json}}',
    'policy: {paths: [policies, /abs/data]}',
    'tls: {cert: certs/s.crt, key: /etc/s.key}',
  ].join('\n');

  it.each([
    {
      note: 'unclosed flow sequence',
      text: 'listen:\n  port: 1\nupstream: [a, b\npolicy: {}\n',
      error: /^conf\.yaml:4:1: YAML syntax error: /,
    },
    {
      note: 'duplicate key',
      text: 'log: {level: info}\nlog: {level: warn}\n',
      error: /^conf\.yaml:2:1: YAML syntax error: Map keys must be unique$/,
    },
    { note: 'tab indentation', text: 'listen:\n\tport: 1\n', error: /^conf\.yaml:2:1: YAML syntax error: / },
  ])('reports a YAML syntax error with its line: $note', ({ text, error }) => {
    const r = parseConfigText(text, 'conf.yaml');
    expect(r.ok).toBe(false);
    expect(r.ok ? [] : r.errors[0]).toMatch(error);
  });

  it('prefixes validation errors with the file name', () => {
    expect(parseConfigText('listen: {port: x}\n', 'conf.yaml')).toEqual({
      ok: false,
      errors: [
        'conf.yaml: listen.port: must be an integer from 0 to 65535, got string "x"',
        'conf.yaml: upstream: is required',
        'conf.yaml: identity: is required',
        'conf.yaml: policy: is required',
      ],
    });
  });

  it('resolves relative paths against the file and password_env against the environment', () => {
    const file = join(dir, 'opa.config.yaml');
    writeFileSync(file, valid);
    const r = loadConfigFile(file, { PGPW: 'from-env' });
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect({ pw: r.config.upstream.password, jwks: r.config.identity.jwks, policy: r.config.policy.source, tls: r.config.tls }).toEqual({
      pw: { kind: 'inline', value: 'from-env' },
      jwks: { kind: 'file', path: join(dir, 'keys/jwks.json') },
      policy: { kind: 'paths', paths: [join(dir, 'policies'), '/abs/data'] },
      tls: { certFile: join(dir, 'certs/s.crt'), keyFile: '/etc/s.key' },
    });
  });

  it('reports an unset password_env', () => {
    expect(parseConfigText(valid, 'c.yaml', {})).toEqual({
      ok: false,
      errors: ['c.yaml: upstream.password_env: environment variable PGPW is not set'],
    });
  });

  it('throws the I/O error for a missing file', () => {
    expect(() => loadConfigFile(join(dir, 'missing.yaml'))).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  it('accepts the shipped opa.config.yaml', () => {
    const r = loadConfigFile(join(REPO_ROOT, 'opa.config.yaml'), { PORTCULLIS_UPSTREAM_PASSWORD: 'x' });
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(r.config.policy).toEqual({
      source: { kind: 'paths', paths: [join(REPO_ROOT, 'policies')] },
      entrypoint: 'portcullis/decision',
      connectionEntrypoint: 'portcullis/connection',
      approvalEntrypoint: 'portcullis/approval',
      auditEntrypoint: 'portcullis/audit',
    });
  });
});
