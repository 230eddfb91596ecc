// IdentityConfig rules: every broken rule is reported (not just the first), and
// createTokenVerifier refuses an invalid config with AuthConfigInvalid before any key is fetched.

import { describe, expect, it } from 'vitest';
import { AuthConfigInvalid, createTokenVerifier, validateIdentityConfig } from '../../../proxy/auth/index.js';
import type { IdentityConfig } from '../../../proxy/auth/index.js';

const base: IdentityConfig = {
  issuer: 'https://issuer.example.test',
  audience: 'portcullis',
  jwks: { url: 'https://issuer.example.test/jwks.json' },
  algorithms: ['ES256', 'RS256', 'EdDSA'],
  clockSkewSeconds: 30,
  maxTokenLifetimeSeconds: 3600,
  refreshMinIntervalSeconds: 60,
};

type Case = { note: string; patch: Partial<Record<keyof IdentityConfig, unknown>>; problems: RegExp[] };

const cases: Case[] = [
  { note: 'valid', patch: {}, problems: [] },
  { note: 'valid with discovery by default', patch: { jwks: undefined }, problems: [] },
  { note: 'valid with a file', patch: { issuer: 'dev-issuer', jwks: { file: '/etc/jwks.json' } }, problems: [] },
  { note: 'alg none', patch: { algorithms: ['ES256', 'none'] }, problems: [/"none" \(unsigned tokens\) is never allowed/] },
  { note: 'HMAC', patch: { algorithms: ['HS256'] }, problems: [/"HS256" is HMAC/] },
  { note: 'unknown algorithm', patch: { algorithms: ['ES256K'] }, problems: [/"ES256K" is not supported/] },
  { note: 'no algorithms', patch: { algorithms: [] }, problems: [/at least one/] },
  { note: 'empty issuer', patch: { issuer: '' }, problems: [/issuer must be a non-empty string/] },
  { note: 'empty audience list', patch: { audience: [] }, problems: [/audience must be/] },
  { note: 'negative skew', patch: { clockSkewSeconds: -1 }, problems: [/clockSkewSeconds/] },
  { note: 'zero lifetime', patch: { maxTokenLifetimeSeconds: 0 }, problems: [/maxTokenLifetimeSeconds/] },
  { note: 'NaN refresh interval', patch: { refreshMinIntervalSeconds: Number.NaN }, problems: [/refreshMinIntervalSeconds/] },
  { note: 'two key sources', patch: { jwks: { url: 'https://a/jwks', file: '/b' } }, problems: [/exactly one of file, url, discovery/] },
  { note: 'non-http JWKS URL', patch: { jwks: { url: 'ftp://a/jwks' } }, problems: [/jwks.url must be an http\(s\) URL/] },
  {
    note: 'discovery without a URL issuer',
    patch: { issuer: 'dev-issuer', jwks: { discovery: true } },
    problems: [/issuer must be an http\(s\) URL when keys come from OIDC discovery/],
  },
  { note: 'bad required claims', patch: { requiredClaims: [''] }, problems: [/requiredClaims/] },
  {
    note: 'several problems at once',
    patch: { algorithms: ['none', 'HS512'], clockSkewSeconds: -5 },
    problems: [/"none"/, /"HS512" is HMAC/, /clockSkewSeconds/],
  },
];

describe('validateIdentityConfig', () => {
  it.each(cases)('$note', ({ patch, problems }) => {
    const config = { ...base, ...patch } as IdentityConfig;
    const found = validateIdentityConfig(config);
    expect(found).toHaveLength(problems.length);
    for (const [i, p] of problems.entries()) expect(found[i]).toMatch(p);
    if (problems.length > 0) {
      const err = (() => {
        try {
          createTokenVerifier(config);
          return undefined;
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(AuthConfigInvalid);
      expect((err as AuthConfigInvalid).problems).toEqual(found);
      expect((err as AuthConfigInvalid).code).toBe('ERR_PROXY_AUTH_CONFIG_INVALID');
    } else {
      createTokenVerifier(config).close();
    }
  });
});
