// The typed schema of opa.config.yaml and its validation: a parsed YAML document (unknown) in,
// a frozen GatewayConfig with every default applied (or path-addressed error strings) out.
// Pure: no fs, no env, no argv. proxy/cli/ loads the file and resolves `password_env`.

import { SUPPORTED_ALGORITHMS, validateIdentityConfig } from './auth/index.js';
import type { IdentityConfig } from './auth/index.js';

/** LogLevel is how much the gateway logs. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** ListenConfig is where the gateway accepts PostgreSQL clients. */
export type ListenConfig = { readonly host: string; readonly port: number };

/** TlsConfig names the PEM certificate and key files served after an SSLRequest. */
export type TlsConfig = { readonly certFile: string; readonly keyFile: string };

/** SecretSource is a secret given inline or named by an environment variable (resolved by the CLI). */
export type SecretSource = { readonly kind: 'inline'; readonly value: string } | { readonly kind: 'env'; readonly name: string };

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

/** JwksSource is where the verification keys come from: a JWKS file, a JWKS URL, or OIDC discovery on the issuer. */
export type JwksSource =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'url'; readonly url: string }
  | { readonly kind: 'discovery' };

/** JwtAlgorithm is an asymmetric JWS algorithm name from ALLOWED_ALGORITHMS (never `none`, never HMAC). */
export type JwtAlgorithm = string;

/** IdentitySection is how agent JWTs are verified. */
export type IdentitySection = {
  readonly issuer: string;
  readonly audience: readonly string[];
  readonly jwks: JwksSource;
  readonly algorithms: readonly JwtAlgorithm[];
  readonly clockSkewMs: number;
  readonly maxTokenLifetimeMs: number;
  readonly jwksRefreshMinIntervalMs: number;
};

/** PolicySource is an OPA bundle (tar.gz) or directories/files of .rego and data files compiled at start. */
export type PolicySource = { readonly kind: 'bundle'; readonly path: string } | { readonly kind: 'paths'; readonly paths: readonly string[] };

/** PolicySection is the policy the gateway asks and the entrypoint it evaluates. */
export type PolicySection = { readonly source: PolicySource; readonly entrypoint: string };

/** LimitsConfig caps what a client may send and how many may connect. */
export type LimitsConfig = {
  readonly maxMessageBytes: number;
  readonly maxStatementBytes: number;
  readonly maxConnections: number;
};

/** GatewayConfig is a validated opa.config.yaml with every default applied. */
export type GatewayConfig = {
  readonly listen: ListenConfig;
  readonly tls?: TlsConfig;
  readonly allowPlaintextPassword: boolean;
  readonly upstream: UpstreamConfig;
  readonly identity: IdentitySection;
  readonly policy: PolicySection;
  readonly limits: LimitsConfig;
  readonly log: { readonly level: LogLevel };
};

/** ValidateConfigResult is a GatewayConfig or every problem found, each prefixed by its key path. */
export type ValidateConfigResult =
  | { readonly ok: true; readonly config: GatewayConfig }
  | { readonly ok: false; readonly errors: readonly string[] };

/** ALLOWED_ALGORITHMS lists the JWS algorithms `identity.algorithms` may name. */
export const ALLOWED_ALGORITHMS: readonly JwtAlgorithm[] = Object.freeze([...SUPPORTED_ALGORITHMS]);

/** CONFIG_DEFAULTS holds every default of opa.config.yaml in one frozen object (ARCHITECTURE §8.18). */
export const CONFIG_DEFAULTS = deepFreeze({
  listen: { host: '127.0.0.1', port: 6432 },
  allowPlaintextPassword: false,
  upstream: { host: '127.0.0.1', port: 5432, connectTimeoutMs: 10_000 },
  identity: {
    algorithms: ['RS256', 'ES256', 'EdDSA'] as readonly JwtAlgorithm[],
    clockSkewMs: 30_000,
    maxTokenLifetimeMs: 3_600_000,
    jwksRefreshMinIntervalMs: 30_000,
  },
  policy: { entrypoint: 'portcullis/decision' },
  limits: { maxMessageBytes: 1_048_576, maxStatementBytes: 1_048_576, maxConnections: 100 },
  log: { level: 'info' as LogLevel },
});

/** validateConfig checks a parsed opa.config.yaml document and applies the defaults. */
export function validateConfig(raw: unknown): ValidateConfigResult {
  const errors: string[] = [];
  const root = mapping(raw, '(root)', errors);
  if (root === undefined) return { ok: false, errors };
  const at = new Section(root, '', errors);
  at.only(['listen', 'tls', 'allow_plaintext_password', 'upstream', 'identity', 'policy', 'limits', 'log']);

  const listen = at.section('listen', false);
  const listenCfg: ListenConfig = {
    host: listen?.string('host') ?? CONFIG_DEFAULTS.listen.host,
    port: listen?.port('port') ?? CONFIG_DEFAULTS.listen.port,
  };
  listen?.only(['host', 'port']);

  const tls = at.section('tls', false);
  let tlsCfg: TlsConfig | undefined;
  if (tls !== undefined) {
    tls.only(['cert', 'key']);
    const certFile = tls.string('cert', true);
    const keyFile = tls.string('key', true);
    if (certFile !== undefined && keyFile !== undefined) tlsCfg = { certFile, keyFile };
  }

  const allowPlaintextPassword = at.boolean('allow_plaintext_password') ?? CONFIG_DEFAULTS.allowPlaintextPassword;

  const upstream = at.section('upstream', true);
  upstream?.only(['host', 'port', 'database', 'user', 'password', 'password_env', 'connect_timeout']);
  const password = upstream?.string('password');
  const passwordEnv = upstream?.string('password_env');
  if (password !== undefined && passwordEnv !== undefined) upstream?.error('', 'set either password or password_env, not both');
  const upstreamCfg = {
    host: upstream?.string('host') ?? CONFIG_DEFAULTS.upstream.host,
    port: upstream?.port('port', 1) ?? CONFIG_DEFAULTS.upstream.port,
    database: upstream?.string('database', true) ?? '',
    user: upstream?.string('user', true) ?? '',
    ...(password !== undefined ? { password: { kind: 'inline', value: password } as const } : {}),
    ...(password === undefined && passwordEnv !== undefined ? { password: { kind: 'env', name: passwordEnv } as const } : {}),
    connectTimeoutMs: upstream?.duration('connect_timeout', 1) ?? CONFIG_DEFAULTS.upstream.connectTimeoutMs,
  };

  const identityCfg = validateIdentity(at.section('identity', true));
  const policyCfg = validatePolicy(at.section('policy', true));

  const limits = at.section('limits', false);
  limits?.only(['max_message_bytes', 'max_statement_bytes', 'max_connections']);
  const limitsCfg: LimitsConfig = {
    maxMessageBytes: limits?.size('max_message_bytes', MIN_MESSAGE_BYTES) ?? CONFIG_DEFAULTS.limits.maxMessageBytes,
    maxStatementBytes: limits?.size('max_statement_bytes', 1) ?? CONFIG_DEFAULTS.limits.maxStatementBytes,
    maxConnections: limits?.integer('max_connections', 1, 1_000_000) ?? CONFIG_DEFAULTS.limits.maxConnections,
  };

  const log = at.section('log', false);
  log?.only(['level']);
  const level = log?.oneOf('level', LOG_LEVELS) ?? CONFIG_DEFAULTS.log.level;

  if (errors.length > 0 || identityCfg === undefined || policyCfg === undefined) return { ok: false, errors };
  const config: GatewayConfig = {
    listen: listenCfg,
    ...(tlsCfg !== undefined ? { tls: tlsCfg } : {}),
    allowPlaintextPassword,
    upstream: upstreamCfg,
    identity: identityCfg,
    policy: policyCfg,
    limits: limitsCfg,
    log: { level },
  };
  return { ok: true, config: deepFreeze(config) };
}

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** MIN_MESSAGE_BYTES is the smallest max_message_bytes that still fits a StartupMessage and a short query. */
const MIN_MESSAGE_BYTES = 8192;

function validateIdentity(s: Section | undefined): IdentitySection | undefined {
  if (s === undefined) return undefined;
  s.only(['issuer', 'audience', 'jwks', 'algorithms', 'clock_skew', 'max_token_lifetime', 'jwks_refresh_min_interval']);
  const issuer = s.string('issuer', true);
  const audience = s.stringList('audience', true);
  const jwks = s.section('jwks', true);
  let source: JwksSource | undefined;
  if (jwks !== undefined) {
    jwks.only(['file', 'url', 'discovery']);
    const file = jwks.string('file');
    const url = jwks.string('url');
    const discovery = jwks.boolean('discovery');
    const set = [file !== undefined, url !== undefined, discovery === true].filter(Boolean).length;
    if (set !== 1) {
      jwks.error('', 'set exactly one of file, url or discovery: true');
    } else if (file !== undefined) {
      source = { kind: 'file', path: file };
    } else if (url !== undefined) {
      if (checkHttpUrl(jwks, 'url', url)) source = { kind: 'url', url };
    } else {
      if (issuer !== undefined && checkHttpUrl(s, 'issuer', issuer, ' (discovery reads <issuer>/.well-known/openid-configuration)')) source = { kind: 'discovery' };
    }
  }
  const algorithms = s.algorithms('algorithms') ?? CONFIG_DEFAULTS.identity.algorithms;
  const clockSkewMs = s.duration('clock_skew', 0, 300_000) ?? CONFIG_DEFAULTS.identity.clockSkewMs;
  const maxTokenLifetimeMs = s.duration('max_token_lifetime', 1000) ?? CONFIG_DEFAULTS.identity.maxTokenLifetimeMs;
  const jwksRefreshMinIntervalMs = s.duration('jwks_refresh_min_interval', 0) ?? CONFIG_DEFAULTS.identity.jwksRefreshMinIntervalMs;
  if (issuer === undefined || audience === undefined || source === undefined) return undefined;
  const identity: IdentitySection = { issuer, audience, jwks: source, algorithms, clockSkewMs, maxTokenLifetimeMs, jwksRefreshMinIntervalMs };
  // proxy/auth checks the same rules again when the verifier is built; report its view here too.
  for (const problem of validateIdentityConfig(toIdentityConfig(identity))) s.error('', problem);
  return identity;
}

function validatePolicy(s: Section | undefined): PolicySection | undefined {
  if (s === undefined) return undefined;
  s.only(['bundle', 'paths', 'entrypoint']);
  const bundle = s.string('bundle');
  const paths = s.stringList('paths');
  const entrypoint = s.string('entrypoint') ?? CONFIG_DEFAULTS.policy.entrypoint;
  if (!/^[A-Za-z_][A-Za-z0-9_]*(\/[A-Za-z_][A-Za-z0-9_]*)+$/.test(entrypoint)) {
    s.error('entrypoint', `${show(entrypoint)} is not an entrypoint (expected package/rule, e.g. portcullis/decision)`);
    return undefined;
  }
  if ((bundle === undefined) === (paths === undefined)) {
    s.error('', 'set exactly one of bundle (an OPA bundle .tar.gz) or paths (directories of .rego and data files)');
    return undefined;
  }
  const source: PolicySource = bundle !== undefined ? { kind: 'bundle', path: bundle } : { kind: 'paths', paths: paths ?? [] };
  return { source, entrypoint };
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** checkHttpUrl accepts https URLs, and http only for loopback hosts (the dev issuer). */
function checkHttpUrl(s: Section, key: string, value: string, why = ''): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    s.error(key, `${show(value)} is not a URL${why}`);
    return false;
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) return true;
  s.error(key, `${show(value)} must use https (http is accepted only for 127.0.0.1, localhost and [::1])${why}`);
  return false;
}

function isMapping(value: unknown): value is Readonly<Record<string, unknown>> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function mapping(value: unknown, path: string, errors: string[]): Readonly<Record<string, unknown>> | undefined {
  if (isMapping(value)) return value;
  errors.push(`${path}: must be a mapping, got ${kindOf(value)}`);
  return undefined;
}

function kindOf(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${show(value)}`;
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** parseDuration reads `500ms`, `30s`, `15m`, `1h`, `1h30m` or a number of seconds into milliseconds. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value * 1000) : undefined;
  if (typeof value !== 'string' || !/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(value)) return undefined;
  let ms = 0;
  for (const m of value.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) ms += Number(m[1]) * (DURATION_UNITS[m[2] as string] ?? 0);
  return Math.round(ms);
}

const SIZE_UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, kb: 1000, kib: 1024, mb: 1_000_000, mib: 1_048_576, gb: 1e9, gib: 1_073_741_824 };

/** parseSize reads a byte count: an integer or `64KiB`, `1MiB`, `1MB` …; undefined when malformed. */
export function parseSize(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = /^(\d+)\s*([a-zA-Z]*)$/.exec(value.trim());
  const unit = SIZE_UNITS[(m?.[2] ?? '').toLowerCase()];
  if (m === null || unit === undefined) return undefined;
  const n = Number(m[1]) * unit;
  return Number.isSafeInteger(n) ? n : undefined;
}

const HMAC = /^HS(256|384|512)$/;

/** Section reads one mapping of the document, recording path-addressed errors. */
class Section {
  readonly #value: Readonly<Record<string, unknown>>;
  readonly #path: string;
  readonly #errors: string[];

  constructor(value: Readonly<Record<string, unknown>>, path: string, errors: string[]) {
    this.#value = value;
    this.#path = path;
    this.#errors = errors;
  }

  /** error records a message for a key of this section ('' for the section itself). */
  error(key: string, message: string): void {
    const path = key === '' ? this.#path || '(root)' : this.#path === '' ? key : `${this.#path}.${key}`;
    this.#errors.push(`${path}: ${message}`);
  }

  /** only reports keys outside the known list. */
  only(known: readonly string[]): void {
    for (const key of Object.keys(this.#value)) {
      if (!known.includes(key)) this.error(key, `unknown key (expected one of ${known.join(', ')})`);
    }
  }

  #get(key: string, required: boolean): unknown {
    const v = this.#value[key];
    if ((v === undefined || v === null) && required) this.error(key, 'is required');
    return v === null ? undefined : v;
  }

  section(key: string, required: boolean): Section | undefined {
    const v = this.#get(key, required);
    if (v === undefined) return undefined;
    if (!isMapping(v)) {
      this.error(key, `must be a mapping, got ${kindOf(v)}`);
      return undefined;
    }
    return new Section(v, this.#path === '' ? key : `${this.#path}.${key}`, this.#errors);
  }

  string(key: string, required = false): string | undefined {
    const v = this.#get(key, required);
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v.trim() === '') {
      this.error(key, `must be a non-empty string, got ${kindOf(v)}`);
      return undefined;
    }
    return v;
  }

  stringList(key: string, required = false): readonly string[] | undefined {
    const v = this.#get(key, required);
    if (v === undefined) return undefined;
    const list = typeof v === 'string' ? [v] : v;
    if (!Array.isArray(list) || list.length === 0) {
      this.error(key, `must be a string or a non-empty list of strings, got ${kindOf(v)}`);
      return undefined;
    }
    let ok = true;
    list.forEach((item: unknown, i: number) => {
      if (typeof item !== 'string' || item.trim() === '') {
        this.error(`${key}[${i}]`, `must be a non-empty string, got ${kindOf(item)}`);
        ok = false;
      }
    });
    return ok ? (list as string[]) : undefined;
  }

  boolean(key: string): boolean | undefined {
    const v = this.#get(key, false);
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') {
      this.error(key, `must be true or false, got ${kindOf(v)}`);
      return undefined;
    }
    return v;
  }

  integer(key: string, min: number, max: number): number | undefined {
    const v = this.#get(key, false);
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.error(key, `must be an integer from ${min} to ${max}, got ${kindOf(v)}`);
      return undefined;
    }
    return v;
  }

  port(key: string, min = 0): number | undefined {
    return this.integer(key, min, 65535);
  }

  duration(key: string, minMs: number, maxMs = Number.MAX_SAFE_INTEGER): number | undefined {
    const v = this.#get(key, false);
    if (v === undefined) return undefined;
    const ms = parseDuration(v);
    if (ms === undefined) {
      this.error(key, `must be a duration such as 500ms, 30s, 15m, 1h (or a number of seconds), got ${kindOf(v)}`);
      return undefined;
    }
    if (ms < minMs || ms > maxMs) {
      this.error(key, `${show(v)} is out of range (${formatMs(minMs)} to ${maxMs === Number.MAX_SAFE_INTEGER ? 'unbounded' : formatMs(maxMs)})`);
      return undefined;
    }
    return ms;
  }

  size(key: string, min: number): number | undefined {
    const v = this.#get(key, false);
    if (v === undefined) return undefined;
    const n = parseSize(v);
    if (n === undefined) {
      this.error(key, `must be a byte count such as 1048576, 64KiB or 1MiB, got ${kindOf(v)}`);
      return undefined;
    }
    if (n < min) {
      this.error(key, `${show(v)} is too small (at least ${min} bytes)`);
      return undefined;
    }
    return n;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    const v = this.#get(key, false);
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
      this.error(key, `must be one of ${allowed.join(', ')}, got ${kindOf(v)}`);
      return undefined;
    }
    return v as T;
  }

  algorithms(key: string): readonly JwtAlgorithm[] | undefined {
    const v = this.#get(key, false);
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.length === 0) {
      this.error(key, `must be a non-empty list of algorithms, got ${kindOf(v)}`);
      return undefined;
    }
    const out: JwtAlgorithm[] = [];
    let ok = true;
    v.forEach((item: unknown, i: number) => {
      const at = `${key}[${i}]`;
      if (typeof item !== 'string') {
        this.error(at, `must be an algorithm name, got ${kindOf(item)}`);
        ok = false;
      } else if (HMAC.test(item)) {
        this.error(at, `${show(item)} is not allowed: Portcullis verifies asymmetric signatures only`);
        ok = false;
      } else if (item.toLowerCase() === 'none') {
        this.error(at, `${show(item)} is not allowed: unsigned tokens are never accepted`);
        ok = false;
      } else if (!(ALLOWED_ALGORITHMS as readonly string[]).includes(item)) {
        this.error(at, `${show(item)} is not a supported algorithm (expected one of ${ALLOWED_ALGORITHMS.join(', ')})`);
        ok = false;
      } else if (out.includes(item as JwtAlgorithm)) {
        this.error(at, `${show(item)} is listed twice`);
        ok = false;
      } else {
        out.push(item as JwtAlgorithm);
      }
    });
    return ok ? out : undefined;
  }
}

function formatMs(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** toIdentityConfig maps the `identity` section to proxy/auth's IdentityConfig (durations in whole seconds, rounded up). */
export function toIdentityConfig(identity: IdentitySection | GatewayConfig): IdentityConfig {
  const id = 'identity' in identity ? identity.identity : identity;
  const jwks = id.jwks.kind === 'file' ? { file: id.jwks.path } : id.jwks.kind === 'url' ? { url: id.jwks.url } : { discovery: true };
  return {
    issuer: id.issuer,
    audience: id.audience,
    jwks,
    algorithms: id.algorithms,
    clockSkewSeconds: Math.ceil(id.clockSkewMs / 1000),
    maxTokenLifetimeSeconds: Math.ceil(id.maxTokenLifetimeMs / 1000),
    refreshMinIntervalSeconds: Math.ceil(id.jwksRefreshMinIntervalMs / 1000),
  };
}

/** resolveSecret returns a SecretSource's value, reading `env` for `password_env` (undefined when the variable is unset). */
export function resolveSecret(source: SecretSource, env: Readonly<Record<string, string | undefined>>): string | undefined {
  return source.kind === 'inline' ? source.value : env[source.name];
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
