// Section `upstream` of opa.config.yaml: the PostgreSQL server behind the gateway and the
// credentials only the gateway holds. Its type, defaults and validator.

import { deepFreeze } from './section.js';
import type { Section } from './section.js';
import type { SecretSource } from './secrets.js';

/** UpstreamConfig is the PostgreSQL server the gateway connects to, with credentials only it holds. */
export type UpstreamConfig = {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  /** password is absent when the upstream needs none (trust). */
  readonly password?: SecretSource;
  readonly connectTimeoutMs: number;
  /** pool keeps finished sessions' connections, reset, for later sessions (maxIdle 0: none kept). */
  readonly pool: UpstreamPoolConfig;
};

/** UpstreamPoolConfig is `upstream.pool`: how many idle upstream connections are kept, and for how long. */
export type UpstreamPoolConfig = {
  /** maxIdle is the most idle connections kept (0 disables pooling: every session opens its own). */
  readonly maxIdle: number;
  /** idleTimeoutMs closes a connection idle for longer. */
  readonly idleTimeoutMs: number;
  /** maxLifetimeMs: a connection older than this is never reused. */
  readonly maxLifetimeMs: number;
};

/** UPSTREAM_DEFAULTS are the defaults of `upstream` (database and user have none: they are required). */
export const UPSTREAM_DEFAULTS = deepFreeze({
  host: '127.0.0.1',
  port: 5432,
  connectTimeoutMs: 10_000,
  pool: { maxIdle: 8, idleTimeoutMs: 60_000, maxLifetimeMs: 1_800_000 } as UpstreamPoolConfig,
});

/** validateUpstream reads the required `upstream` section (database and user are required even when it is missing). */
export function validateUpstream(root: Section): UpstreamConfig {
  const upstream = root.section('upstream', true);
  upstream?.only(['host', 'port', 'database', 'user', 'password', 'password_env', 'password_file', 'connect_timeout', 'pool']);
  const password = upstream?.string('password');
  const passwordEnv = upstream?.string('password_env');
  const passwordFile = upstream?.string('password_file');
  if ([password, passwordEnv, passwordFile].filter((x) => x !== undefined).length > 1) {
    upstream?.error('', 'set one of password, password_env or password_file, not several');
  }
  return {
    host: upstream?.string('host') ?? UPSTREAM_DEFAULTS.host,
    port: upstream?.port('port', 1) ?? UPSTREAM_DEFAULTS.port,
    database: upstream?.string('database', true) ?? '',
    user: upstream?.string('user', true) ?? '',
    ...(password !== undefined ? { password: { kind: 'inline', value: password } as const } : {}),
    ...(password === undefined && passwordEnv !== undefined ? { password: { kind: 'env', name: passwordEnv } as const } : {}),
    ...(password === undefined && passwordEnv === undefined && passwordFile !== undefined
      ? { password: { kind: 'file', path: passwordFile } as const }
      : {}),
    connectTimeoutMs: upstream?.duration('connect_timeout', 1) ?? UPSTREAM_DEFAULTS.connectTimeoutMs,
    pool: validatePool(upstream?.section('pool', false)),
  };
}

/** validatePool reads `upstream.pool` (absent: the defaults). */
function validatePool(pool: Section | undefined): UpstreamPoolConfig {
  const d = UPSTREAM_DEFAULTS.pool;
  pool?.only(['max_idle', 'idle_timeout', 'max_lifetime']);
  return {
    maxIdle: pool?.integer('max_idle', 0, 100_000) ?? d.maxIdle,
    idleTimeoutMs: pool?.duration('idle_timeout', 1, 86_400_000) ?? d.idleTimeoutMs,
    maxLifetimeMs: pool?.duration('max_lifetime', 1_000, 604_800_000) ?? d.maxLifetimeMs,
  };
}
