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
};

/** UPSTREAM_DEFAULTS are the defaults of `upstream` (database and user have none: they are required). */
export const UPSTREAM_DEFAULTS = deepFreeze({ host: '127.0.0.1', port: 5432, connectTimeoutMs: 10_000 });

/** validateUpstream reads the required `upstream` section (database and user are required even when it is missing). */
export function validateUpstream(root: Section): UpstreamConfig {
  const upstream = root.section('upstream', true);
  upstream?.only(['host', 'port', 'database', 'user', 'password', 'password_env', 'password_file', 'connect_timeout']);
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
  };
}
