// Section `state` of opa.config.yaml: the PostgreSQL database where gateways keep shared state
// (approval requests and their audit events), never the guarded database. Optional: without it,
// nothing that needs shared state is available. Given as a `url` or as host, port, database and
// user, with the password inline, from an environment variable or a file. Its type, defaults and
// validator.

import { deepFreeze, kindOf } from './section.js';
import type { Section } from './section.js';
import type { SecretSource } from './secrets.js';

/** StateConfig says where the shared state store is and as whom the gateway logs in to it. */
export type StateConfig = {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  /** password is absent when the state store needs none (trust). */
  readonly password?: SecretSource;
  readonly connectTimeoutMs: number;
};

/** STATE_DEFAULTS are the defaults of `state` (database and user have none). */
export const STATE_DEFAULTS = deepFreeze({ host: '127.0.0.1', port: 5432, connectTimeoutMs: 10_000 });

/** STATE_KEYS are the keys `state` accepts. */
const STATE_KEYS = ['url', 'host', 'port', 'database', 'user', 'password', 'password_env', 'password_file', 'connect_timeout'] as const;

/** HOST_FORM are the keys a `url` replaces. */
const HOST_FORM = ['host', 'port', 'database', 'user'] as const;

type Where = { host: string; port: number; database: string; user: string; password?: string };

/** validateState reads the optional `state` section; undefined when it is absent or invalid (errors say why). */
export function validateState(root: Section): StateConfig | undefined {
  const state = root.section('state', false);
  if (state === undefined) return undefined;
  state.only(STATE_KEYS);
  const url = state.string('url');
  let where: Where | undefined;
  if (url !== undefined) {
    const given = HOST_FORM.filter((k) => state.get(k) !== undefined);
    if (given.length > 0) state.error('', `set url or ${HOST_FORM.join(', ')}, not both (url given with ${given.join(', ')})`);
    where = parseUrl(url, (message) => state.error('url', message));
  } else {
    const database = state.string('database');
    const user = state.string('user');
    if (database === undefined || user === undefined) {
      if (state.get('database') === undefined && state.get('user') === undefined && state.get('host') === undefined)
        state.error('', 'set url, or database and user (with host and port)');
      else {
        if (state.get('database') === undefined) state.error('database', 'is required (or set url)');
        if (state.get('user') === undefined) state.error('user', 'is required (or set url)');
      }
    }
    const host = state.string('host') ?? STATE_DEFAULTS.host;
    const port = state.port('port', 1) ?? STATE_DEFAULTS.port;
    if (database !== undefined && user !== undefined) where = { host, port, database, user };
  }
  const password = state.string('password');
  const passwordEnv = state.string('password_env');
  const passwordFile = state.string('password_file');
  const given = [where?.password, password, passwordEnv, passwordFile].filter((x) => x !== undefined).length;
  if (given > 1) state.error('', "set one of password, password_env, password_file or the url's password, not several");
  const connectTimeoutMs = state.duration('connect_timeout', 1) ?? STATE_DEFAULTS.connectTimeoutMs;
  if (where === undefined || given > 1) return undefined;
  const secret: SecretSource | undefined =
    where.password !== undefined
      ? { kind: 'inline', value: where.password }
      : password !== undefined
        ? { kind: 'inline', value: password }
        : passwordEnv !== undefined
          ? { kind: 'env', name: passwordEnv }
          : passwordFile !== undefined
            ? { kind: 'file', path: passwordFile }
            : undefined;
  return {
    host: where.host,
    port: where.port,
    database: where.database,
    user: where.user,
    ...(secret !== undefined ? { password: secret } : {}),
    connectTimeoutMs,
  };
}

/** parseUrl reads `postgres://user[:password]@host[:port]/database` (no query parameters: the gateway's client speaks no TLS options). */
function parseUrl(text: string, error: (message: string) => void): Where | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    error(`must be a postgres://user@host:port/database URL, got ${kindOf(text)}`);
    return undefined;
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    error(`must start with postgres:// or postgresql://, got ${JSON.stringify(url.protocol)}`);
    return undefined;
  }
  const decode = (s: string): string | undefined => {
    try {
      return decodeURIComponent(s);
    } catch {
      return undefined;
    }
  };
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const user = decode(url.username);
  const password = url.password === '' ? undefined : decode(url.password);
  const database = decode(url.pathname.replace(/^\//, ''));
  const port = url.port === '' ? STATE_DEFAULTS.port : Number(url.port);
  const problems: string[] = [];
  if (host === '') problems.push('a host');
  if (user === undefined || user === '') problems.push('a user');
  if (database === undefined || database === '' || database.includes('/')) problems.push('a database');
  if (problems.length > 0) {
    error(`must name ${problems.join(', ')} (postgres://user@host:port/database)`);
    return undefined;
  }
  if (url.search !== '' || url.hash !== '') {
    error('must not have query parameters or a fragment (set connect_timeout and the password as keys of state)');
    return undefined;
  }
  if (url.password !== '' && password === undefined) {
    error('has a password that is not valid percent-encoding');
    return undefined;
  }
  if (port < 1) {
    error('port must be from 1 to 65535');
    return undefined;
  }
  return { host, port, database: database as string, user: user as string, ...(password !== undefined ? { password } : {}) };
}
