// Section `identity` of opa.config.yaml: how agent JWTs are verified (issuer, audience, where the
// keys come from, allowed algorithms, clock skew and lifetimes). Its type, defaults, validator,
// and the mapping to proxy/auth's IdentityConfig.

import { SUPPORTED_ALGORITHMS, validateIdentityConfig } from '../auth/index.js';
import type { IdentityConfig } from '../auth/index.js';
import { deepFreeze, kindOf, show } from './section.js';
import type { Section } from './section.js';
import type { SecretSource } from './secrets.js';

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
  readonly jwksMaxAgeMs: number;
  /** introspection asks the issuer (RFC 7662) whether tokens are still active. */
  readonly introspection?: IntrospectionSection;
};

/** IntrospectionSection is `identity.introspection`: the endpoint, the gateway's client credentials, cache and re-check interval. */
export type IntrospectionSection = {
  readonly url: string;
  readonly clientId: string;
  readonly clientSecret: SecretSource;
  readonly cacheMs: number;
  readonly recheckMs: number;
};

/** ALLOWED_ALGORITHMS lists the JWS algorithms `identity.algorithms` may name. */
export const ALLOWED_ALGORITHMS: readonly JwtAlgorithm[] = Object.freeze([...SUPPORTED_ALGORITHMS]);

/** IDENTITY_DEFAULTS are the defaults of `identity` (issuer, audience and jwks have none: they are required). */
export const IDENTITY_DEFAULTS = deepFreeze({
  algorithms: ['RS256', 'ES256', 'EdDSA'] as readonly JwtAlgorithm[],
  clockSkewMs: 30_000,
  maxTokenLifetimeMs: 3_600_000,
  jwksRefreshMinIntervalMs: 30_000,
  jwksMaxAgeMs: 300_000,
  introspectionCacheMs: 30_000,
  introspectionRecheckMs: 60_000,
});

const HMAC = /^HS(256|384|512)$/;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** validateIdentity reads the required `identity` section; undefined when it is missing or unusable (errors recorded). */
export function validateIdentity(root: Section): IdentitySection | undefined {
  const s = root.section('identity', true);
  if (s === undefined) return undefined;
  s.only([
    'issuer',
    'audience',
    'jwks',
    'algorithms',
    'clock_skew',
    'max_token_lifetime',
    'jwks_refresh_min_interval',
    'jwks_max_age',
    'introspection',
  ]);
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
      if (issuer !== undefined && checkHttpUrl(s, 'issuer', issuer, ' (discovery reads <issuer>/.well-known/openid-configuration)'))
        source = { kind: 'discovery' };
    }
  }
  const algorithms = readAlgorithms(s, 'algorithms') ?? IDENTITY_DEFAULTS.algorithms;
  const clockSkewMs = s.duration('clock_skew', 0, 300_000) ?? IDENTITY_DEFAULTS.clockSkewMs;
  const maxTokenLifetimeMs = s.duration('max_token_lifetime', 1000) ?? IDENTITY_DEFAULTS.maxTokenLifetimeMs;
  const jwksRefreshMinIntervalMs = s.duration('jwks_refresh_min_interval', 0) ?? IDENTITY_DEFAULTS.jwksRefreshMinIntervalMs;
  const jwksMaxAgeMs = s.duration('jwks_max_age', 1000) ?? IDENTITY_DEFAULTS.jwksMaxAgeMs;
  const introspection = readIntrospection(s);
  if (issuer === undefined || audience === undefined || source === undefined) return undefined;
  const identity: IdentitySection = {
    issuer,
    audience,
    jwks: source,
    algorithms,
    clockSkewMs,
    maxTokenLifetimeMs,
    jwksRefreshMinIntervalMs,
    jwksMaxAgeMs,
    ...(introspection !== undefined ? { introspection } : {}),
  };
  // proxy/auth checks the same rules again when the verifier is built; report its view here too.
  for (const problem of validateIdentityConfig(toIdentityConfig(identity))) s.error('', problem);
  return identity;
}

/** readIntrospection reads `identity.introspection` (absent: no introspection). */
function readIntrospection(s: Section): IntrospectionSection | undefined {
  const i = s.section('introspection', false);
  if (i === undefined) return undefined;
  i.only(['url', 'client_id', 'client_secret', 'client_secret_env', 'client_secret_file', 'cache', 'recheck_interval']);
  const url = i.string('url', true);
  const clientId = i.string('client_id', true);
  const inline = i.string('client_secret');
  const env = i.string('client_secret_env');
  const file = i.string('client_secret_file');
  const given = [inline, env, file].filter((x) => x !== undefined).length;
  if (given !== 1) i.error('', 'set exactly one of client_secret, client_secret_env or client_secret_file');
  const cacheMs = i.duration('cache', 0) ?? IDENTITY_DEFAULTS.introspectionCacheMs;
  const recheckMs = i.duration('recheck_interval', 0) ?? IDENTITY_DEFAULTS.introspectionRecheckMs;
  if (url === undefined || clientId === undefined || given !== 1 || !checkHttpUrl(i, 'url', url)) return undefined;
  const clientSecret: SecretSource =
    inline !== undefined
      ? { kind: 'inline', value: inline }
      : env !== undefined
        ? { kind: 'env', name: env }
        : { kind: 'file', path: file as string };
  return { url, clientId, clientSecret, cacheMs, recheckMs };
}

/** checkHttpUrl accepts https URLs, and http only for loopback hosts (the dev issuer). */
export function checkHttpUrl(s: Section, key: string, value: string, why = ''): boolean {
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

/** readAlgorithms reads a non-empty list of asymmetric algorithm names: no HMAC, no `none`, no repeats. */
function readAlgorithms(s: Section, key: string): readonly JwtAlgorithm[] | undefined {
  const v = s.get(key);
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length === 0) {
    s.error(key, `must be a non-empty list of algorithms, got ${kindOf(v)}`);
    return undefined;
  }
  const out: JwtAlgorithm[] = [];
  let ok = true;
  v.forEach((item: unknown, i: number) => {
    const at = `${key}[${i}]`;
    if (typeof item !== 'string') {
      s.error(at, `must be an algorithm name, got ${kindOf(item)}`);
      ok = false;
    } else if (HMAC.test(item)) {
      s.error(at, `${show(item)} is not allowed: Portcullis verifies asymmetric signatures only`);
      ok = false;
    } else if (item.toLowerCase() === 'none') {
      s.error(at, `${show(item)} is not allowed: unsigned tokens are never accepted`);
      ok = false;
    } else if (!(ALLOWED_ALGORITHMS as readonly string[]).includes(item)) {
      s.error(at, `${show(item)} is not a supported algorithm (expected one of ${ALLOWED_ALGORITHMS.join(', ')})`);
      ok = false;
    } else if (out.includes(item)) {
      s.error(at, `${show(item)} is listed twice`);
      ok = false;
    } else {
      out.push(item);
    }
  });
  return ok ? out : undefined;
}

/**
 * toIdentityConfig maps the `identity` section to proxy/auth's IdentityConfig (durations in whole
 * seconds, rounded up). `readSecret` resolves the introspection client secret (the CLI reads the
 * environment or the file for each request); without it, only an inline secret can be used.
 */
export function toIdentityConfig(
  identity: IdentitySection | { readonly identity: IdentitySection },
  readSecret: (source: SecretSource) => Promise<string> = inlineOnly,
): IdentityConfig {
  const id = 'identity' in identity ? identity.identity : identity;
  const intro = id.introspection;
  const jwks = id.jwks.kind === 'file' ? { file: id.jwks.path } : id.jwks.kind === 'url' ? { url: id.jwks.url } : { discovery: true };
  return {
    issuer: id.issuer,
    audience: id.audience,
    jwks,
    algorithms: id.algorithms,
    clockSkewSeconds: Math.ceil(id.clockSkewMs / 1000),
    maxTokenLifetimeSeconds: Math.ceil(id.maxTokenLifetimeMs / 1000),
    refreshMinIntervalSeconds: Math.ceil(id.jwksRefreshMinIntervalMs / 1000),
    keysMaxAgeSeconds: Math.ceil(id.jwksMaxAgeMs / 1000),
    ...(intro !== undefined
      ? {
          introspection: {
            url: intro.url,
            clientId: intro.clientId,
            clientSecret: () => readSecret(intro.clientSecret),
            cacheSeconds: Math.ceil(intro.cacheMs / 1000),
            recheckSeconds: Math.ceil(intro.recheckMs / 1000),
          },
        }
      : {}),
  };
}

/** inlineOnly resolves an inline secret; others need the caller's reader (the data plane reads no environment or files). */
function inlineOnly(source: SecretSource): Promise<string> {
  if (source.kind === 'inline') return Promise.resolve(source.value);
  return Promise.reject(
    new TypeError(`the ${source.kind === 'env' ? `environment variable ${source.name}` : `file ${source.path}`} is read by the caller`),
  );
}
