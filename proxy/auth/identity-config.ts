// Rules of an IdentityConfig, checked once when a verifier is created (and by proxy/config/identity.ts
// for clear config-file errors): which algorithms may be allowed, which key source is used, and
// sane numeric bounds. Pure; returns every problem rather than the first.

import type { IdentityConfig } from './types.js';

/** SUPPORTED_ALGORITHMS are the asymmetric JWS algorithms a config may allow. */
export const SUPPORTED_ALGORITHMS: readonly string[] = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
];

/** FORBIDDEN_ALGORITHMS are never accepted: unsigned tokens and HMAC (keys are asymmetric here). */
export const FORBIDDEN_ALGORITHMS: readonly string[] = ['none', 'HS256', 'HS384', 'HS512'];

/** KeySource is the resolved key source of a valid config. */
export type KeySource =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'url'; readonly url: string }
  | { readonly kind: 'discovery'; readonly url: string };

/** discoveryUrl is the OIDC discovery document URL for an issuer. */
export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
}

/** keySourceOf resolves the config's key source (discovery when `jwks` is absent). */
export function keySourceOf(config: IdentityConfig): KeySource {
  const jwks = config.jwks;
  if (jwks?.file !== undefined) return { kind: 'file', path: jwks.file };
  if (jwks?.url !== undefined) return { kind: 'url', url: jwks.url };
  return { kind: 'discovery', url: discoveryUrl(config.issuer) };
}

function isHttpUrl(text: string): boolean {
  try {
    const u = new URL(text);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

function isNonNegative(n: unknown): n is number {
  return typeof n === 'number' && Number.isFinite(n) && n >= 0;
}

/** validateIdentityConfig lists every rule the config breaks (empty when it is valid). */
export function validateIdentityConfig(config: IdentityConfig): readonly string[] {
  const problems: string[] = [];
  if (typeof config.issuer !== 'string' || config.issuer.length === 0) problems.push('issuer must be a non-empty string');
  const audiences = typeof config.audience === 'string' ? [config.audience] : config.audience;
  if (!Array.isArray(audiences) || audiences.length === 0 || !audiences.every((a) => typeof a === 'string' && a.length > 0)) {
    problems.push('audience must be a non-empty string or a non-empty list of non-empty strings');
  }
  if (!Array.isArray(config.algorithms) || config.algorithms.length === 0) {
    problems.push(`algorithms must list at least one of ${SUPPORTED_ALGORITHMS.join(', ')}`);
  } else {
    for (const alg of config.algorithms) {
      if (typeof alg === 'string' && alg.toLowerCase() === 'none') problems.push('algorithm "none" (unsigned tokens) is never allowed');
      else if (typeof alg === 'string' && /^HS\d+$/i.test(alg))
        problems.push(`algorithm "${alg}" is HMAC (a shared secret); only asymmetric keys are supported`);
      else if (typeof alg !== 'string' || !SUPPORTED_ALGORITHMS.includes(alg))
        problems.push(`algorithm ${JSON.stringify(alg)} is not supported; use ${SUPPORTED_ALGORITHMS.join(', ')}`);
    }
  }
  if (!isNonNegative(config.clockSkewSeconds)) problems.push('clockSkewSeconds must be a number >= 0');
  if (!isNonNegative(config.maxTokenLifetimeSeconds) || config.maxTokenLifetimeSeconds === 0)
    problems.push('maxTokenLifetimeSeconds must be a number > 0');
  if (!isNonNegative(config.refreshMinIntervalSeconds)) problems.push('refreshMinIntervalSeconds must be a number >= 0');
  if (config.keysMaxAgeSeconds !== undefined && (!isNonNegative(config.keysMaxAgeSeconds) || config.keysMaxAgeSeconds === 0))
    problems.push('keysMaxAgeSeconds must be a number > 0');
  else if (config.keysMaxAgeSeconds !== undefined && config.keysMaxAgeSeconds < config.refreshMinIntervalSeconds)
    problems.push('keysMaxAgeSeconds must not be shorter than refreshMinIntervalSeconds');
  if (
    config.requiredClaims !== undefined &&
    (!Array.isArray(config.requiredClaims) || !config.requiredClaims.every((c) => typeof c === 'string' && c.length > 0))
  ) {
    problems.push('requiredClaims must be a list of claim names');
  }
  const jwks = config.jwks;
  if (jwks !== undefined) {
    const chosen = [jwks.file !== undefined, jwks.url !== undefined, jwks.discovery === true].filter(Boolean).length;
    if (chosen !== 1) problems.push('jwks must set exactly one of file, url, discovery: true');
    if (jwks.file !== undefined && (typeof jwks.file !== 'string' || jwks.file.length === 0))
      problems.push('jwks.file must be a non-empty path');
    if (jwks.url !== undefined && (typeof jwks.url !== 'string' || !isHttpUrl(jwks.url))) problems.push('jwks.url must be an http(s) URL');
  }
  const usesDiscovery = jwks === undefined || (jwks.file === undefined && jwks.url === undefined);
  if (usesDiscovery && typeof config.issuer === 'string' && config.issuer.length > 0 && !isHttpUrl(config.issuer)) {
    problems.push('issuer must be an http(s) URL when keys come from OIDC discovery (set jwks.file or jwks.url otherwise)');
  }
  return problems;
}
