// Token verification end to end through real key sources: a JWKS HTTP server on 127.0.0.1 and a
// JWKS file, with a frozen clock. Every refusal kind must come out as its AuthError (code,
// SQLSTATE, FATAL, an actionable message), and every good token as a Principal.

import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuthError, createTokenVerifier } from '../../../proxy/auth/index.js';
import type { IdentityConfig, TokenVerifier } from '../../../proxy/auth/index.js';
import { toErrorFields } from '../../../proxy/errors.js';
import {
  forgedToken,
  hmacWithPublicKey,
  jwksOf,
  makeKey,
  sign,
  signRaw,
  signRawParts,
  startJwksServer,
  unsignedToken,
  withBadSignature,
  withPayload,
  writeJwksFile,
} from '../../helpers/jwt.js';
import type { JwksFile, JwksServer, TestKey } from '../../helpers/jwt.js';

const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
const NOW = T0 / 1000;
const ISS = 'https://issuer.example.test';
const AUD = 'portcullis';
const SKEW = 30;
const MAX_LIFETIME = 3600;

let es: TestKey;
let rs: TestKey;
let ed: TestKey;
let impostor: TestKey; // same kid as `es`, different key
let stranger: TestKey; // a kid the JWKS does not hold
let server: JwksServer;
let file: JwksFile;

beforeAll(async () => {
  es = await makeKey('ES256', 'k-es');
  rs = await makeKey('RS256', 'k-rs');
  ed = await makeKey('EdDSA', 'k-ed');
  impostor = await makeKey('ES256', 'k-es');
  stranger = await makeKey('ES256', 'k-stranger');
  server = await startJwksServer(jwksOf(es, rs, ed));
  file = await writeJwksFile(jwksOf(es, rs, ed));
});

afterAll(async () => {
  await server?.close();
  await file?.remove();
});

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'], now: T0 });
});

afterEach(() => {
  vi.useRealTimers();
});

function config(jwks: IdentityConfig['jwks']): IdentityConfig {
  return {
    issuer: ISS,
    audience: [AUD, 'portcullis-staging'],
    jwks,
    algorithms: ['ES256', 'RS256', 'EdDSA'],
    clockSkewSeconds: SKEW,
    maxTokenLifetimeSeconds: MAX_LIFETIME,
    refreshMinIntervalSeconds: 60,
    requiredClaims: ['tenant'],
  };
}

/** good is a valid claim set at NOW; overrides replace fields, `undefined` deletes them. */
function good(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const claims: Record<string, unknown> = {
    iss: ISS,
    aud: AUD,
    sub: 'agent-7',
    tenant: 'acme',
    iat: NOW,
    exp: NOW + 600,
    jti: 'tok-1',
    ...overrides,
  };
  for (const [k, v] of Object.entries(claims)) if (v === undefined) delete claims[k];
  return claims;
}

type FailureCase = { note: string; token: () => Promise<string> | string; code: string; sqlstate: string; message: RegExp };

const failures: FailureCase[] = [
  { note: 'empty password', token: () => '', code: 'ERR_PROXY_TOKEN_MALFORMED', sqlstate: '28P01', message: /no token given/ },
  { note: 'plain password, not a JWT', token: () => 'hunter2', code: 'ERR_PROXY_TOKEN_MALFORMED', sqlstate: '28P01', message: /not a JWT/ },
  {
    note: 'three parts of junk',
    token: () => 'a.b.c',
    code: 'ERR_PROXY_TOKEN_MALFORMED',
    sqlstate: '28P01',
    message: /header is not base64url-encoded JSON/,
  },
  { note: 'encrypted JWT (five parts)', token: () => 'a.b.c.d.e', code: 'ERR_PROXY_TOKEN_MALFORMED', sqlstate: '28P01', message: /JWE/ },
  {
    note: 'oversized token',
    token: () => `${'a'.repeat(20_000)}.b.c`,
    code: 'ERR_PROXY_TOKEN_MALFORMED',
    sqlstate: '28P01',
    message: /limit is 16384/,
  },
  ...[
    { what: 'roles', payload: (p: string) => `${p},"roles":["db:read"],"roles":["db:admin"]}` },
    { what: 'iss', payload: (p: string) => `{"iss":"https://evil.example",${p.slice(1)}}` },
    { what: 'exp', payload: (p: string) => `${p},"\\u0065xp":${NOW + 99999}}` },
  ].map(({ what, payload }) => ({
    note: `duplicate payload member "${what}" (genuinely signed)`,
    token: () =>
      signRawParts(
        es,
        JSON.stringify({ alg: 'ES256', kid: 'k-es' }),
        payload(JSON.stringify({ iss: ISS, aud: AUD, sub: 'agent', iat: NOW, exp: NOW + 300 }).slice(0, -1)),
      ),
    code: 'ERR_PROXY_TOKEN_MALFORMED',
    sqlstate: '28P01',
    message: new RegExp(`payload names "${what}" twice`),
  })),
  {
    note: 'duplicate header member "alg" (genuinely signed)',
    token: () => signRawParts(es, '{"alg":"none","kid":"k-es","alg":"ES256"}', JSON.stringify(good())),
    code: 'ERR_PROXY_TOKEN_MALFORMED',
    sqlstate: '28P01',
    message: /header names "alg" twice/,
  },
  {
    note: 'another issuer with a key the JWKS does not hold: the issuer is named, not the key',
    token: () => sign(stranger, { ...good(), iss: 'https://evil.example' }),
    code: 'ERR_PROXY_TOKEN_ISSUER_INVALID',
    sqlstate: '28000',
    message: /issuer "https:\/\/evil\.example" is not accepted/,
  },
  {
    note: 'payload is not JSON',
    token: () => signRaw(es, 'nope'),
    code: 'ERR_PROXY_TOKEN_MALFORMED',
    sqlstate: '28P01',
    message: /not a valid signed JWT/,
  },
  {
    note: 'header without alg',
    token: () => forgedToken({ kid: 'k-es' }, good()),
    code: 'ERR_PROXY_TOKEN_MALFORMED',
    sqlstate: '28P01',
    message: /no "alg"/,
  },
  {
    note: 'alg none (unsigned)',
    token: () => unsignedToken(good()),
    code: 'ERR_PROXY_TOKEN_ALGORITHM_FORBIDDEN',
    sqlstate: '28000',
    message: /"none" \(unsigned\) is never accepted/,
  },
  {
    note: 'alg NONE in other case',
    token: () => unsignedToken(good(), { alg: 'NoNe' }),
    code: 'ERR_PROXY_TOKEN_ALGORITHM_FORBIDDEN',
    sqlstate: '28000',
    message: /never accepted/,
  },
  {
    note: 'HS256 signed with the public key bytes',
    token: () => hmacWithPublicKey(es, good()),
    code: 'ERR_PROXY_TOKEN_ALGORITHM_FORBIDDEN',
    sqlstate: '28000',
    message: /HMAC.*ES256, RS256, EdDSA/,
  },
  {
    note: 'HS512 signed with the RSA public key bytes',
    token: () => hmacWithPublicKey(rs, good(), 'HS512'),
    code: 'ERR_PROXY_TOKEN_ALGORITHM_FORBIDDEN',
    sqlstate: '28000',
    message: /HMAC/,
  },
  {
    note: 'allowed-looking but unconfigured alg',
    token: () => forgedToken({ alg: 'ES384', kid: 'k-es' }, good()),
    code: 'ERR_PROXY_TOKEN_ALGORITHM_FORBIDDEN',
    sqlstate: '28000',
    message: /"ES384" is not allowed/,
  },
  {
    note: 'flipped signature bits',
    token: async () => withBadSignature(await sign(es, good())),
    code: 'ERR_PROXY_TOKEN_SIGNATURE_INVALID',
    sqlstate: '28P01',
    message: /does not verify with key "k-es"/,
  },
  {
    note: 'payload swapped after signing',
    token: async () => withPayload(await sign(es, good()), good({ sub: 'admin' })),
    code: 'ERR_PROXY_TOKEN_SIGNATURE_INVALID',
    sqlstate: '28P01',
    message: /altered or signed by someone else/,
  },
  {
    note: 'known kid, signed by another key',
    token: () => sign(impostor, good()),
    code: 'ERR_PROXY_TOKEN_SIGNATURE_INVALID',
    sqlstate: '28P01',
    message: /does not verify/,
  },
  {
    note: 'RS256 header over an ES256 key id',
    token: async () => forgedToken({ alg: 'RS256', kid: 'k-es' }, good()),
    code: 'ERR_PROXY_TOKEN_KEY_UNKNOWN',
    sqlstate: '28000',
    message: /no key id "k-es"/,
  },
  {
    note: 'unknown kid',
    token: () => sign(stranger, good()),
    code: 'ERR_PROXY_TOKEN_KEY_UNKNOWN',
    sqlstate: '28000',
    message: /no key id "k-stranger" in the JWKS of issuer https:\/\/issuer\.example\.test/,
  },
  {
    note: 'expired beyond skew',
    token: () => sign(es, good({ iat: NOW - 600, exp: NOW - SKEW - 1 })),
    code: 'ERR_PROXY_TOKEN_EXPIRED',
    sqlstate: '28000',
    message: /token expired at 2026-01-15T11:59:29\.000Z .*request a new token/,
  },
  {
    note: 'not yet valid (nbf beyond skew)',
    token: () => sign(es, good({ nbf: NOW + SKEW + 1 })),
    code: 'ERR_PROXY_TOKEN_NOT_YET_VALID',
    sqlstate: '28000',
    message: /not valid before 2026-01-15T12:00:31\.000Z/,
  },
  {
    note: 'issued in the future (iat beyond skew)',
    token: () => sign(es, good({ iat: NOW + SKEW + 1, exp: NOW + 900 })),
    code: 'ERR_PROXY_TOKEN_NOT_YET_VALID',
    sqlstate: '28000',
    message: /issued in the future/,
  },
  {
    note: 'wrong issuer',
    token: () => sign(es, good({ iss: 'https://evil.example' })),
    code: 'ERR_PROXY_TOKEN_ISSUER_INVALID',
    sqlstate: '28000',
    message: /"https:\/\/evil\.example" is not accepted; request a token from https:\/\/issuer\.example\.test/,
  },
  {
    note: 'no issuer',
    token: () => sign(es, good({ iss: undefined })),
    code: 'ERR_PROXY_TOKEN_ISSUER_INVALID',
    sqlstate: '28000',
    message: /no issuer/,
  },
  {
    note: 'wrong audience',
    token: () => sign(es, good({ aud: 'someone-else' })),
    code: 'ERR_PROXY_TOKEN_AUDIENCE_INVALID',
    sqlstate: '28000',
    message: /"someone-else" does not include "portcullis" or "portcullis-staging"/,
  },
  {
    note: 'no audience',
    token: () => sign(es, good({ aud: undefined })),
    code: 'ERR_PROXY_TOKEN_AUDIENCE_INVALID',
    sqlstate: '28000',
    message: /no audience/,
  },
  {
    note: 'lifetime above maximum (exp - iat)',
    token: () => sign(es, good({ exp: NOW + MAX_LIFETIME + 1 })),
    code: 'ERR_PROXY_TOKEN_LIFETIME_EXCEEDED',
    sqlstate: '28000',
    message: /lives 3601s .*maximum accepted is 3600s/,
  },
  {
    note: 'lifetime above maximum, no iat (exp - now)',
    token: () => sign(es, good({ iat: undefined, exp: NOW + MAX_LIFETIME + 1 })),
    code: 'ERR_PROXY_TOKEN_LIFETIME_EXCEEDED',
    sqlstate: '28000',
    message: /lives 3601s/,
  },
  {
    note: 'lifetime above maximum, no iat (exp - nbf)',
    token: () => sign(es, good({ iat: undefined, nbf: NOW - 10, exp: NOW + MAX_LIFETIME - 5 })),
    code: 'ERR_PROXY_TOKEN_LIFETIME_EXCEEDED',
    sqlstate: '28000',
    message: /lives 3605s/,
  },
  {
    note: 'missing sub',
    token: () => sign(es, good({ sub: undefined })),
    code: 'ERR_PROXY_TOKEN_CLAIM_MISSING',
    sqlstate: '28000',
    message: /"sub" is missing/,
  },
  {
    note: 'sub is not a string',
    token: () => sign(es, good({ sub: 42 })),
    code: 'ERR_PROXY_TOKEN_CLAIM_MISSING',
    sqlstate: '28000',
    message: /"sub" must be a non-empty string/,
  },
  {
    note: 'missing exp',
    token: () => sign(es, good({ exp: undefined })),
    code: 'ERR_PROXY_TOKEN_CLAIM_MISSING',
    sqlstate: '28000',
    message: /"exp" is missing/,
  },
  {
    note: 'exp is not a number',
    token: () => sign(es, good({ exp: 'tomorrow' })),
    code: 'ERR_PROXY_TOKEN_CLAIM_MISSING',
    sqlstate: '28000',
    message: /"exp" has the wrong type/,
  },
  {
    note: 'missing configured claim',
    token: () => sign(es, good({ tenant: undefined })),
    code: 'ERR_PROXY_TOKEN_CLAIM_MISSING',
    sqlstate: '28000',
    message: /"tenant" is missing.*sub, exp, tenant/,
  },
];

type SuccessCase = { note: string; token: () => Promise<string>; subject: string };

const successes: SuccessCase[] = [
  { note: 'ES256', token: () => sign(es, good()), subject: 'agent-7' },
  { note: 'RS256', token: () => sign(rs, good({ sub: 'rs-agent' })), subject: 'rs-agent' },
  { note: 'EdDSA', token: () => sign(ed, good({ sub: 'ed-agent' })), subject: 'ed-agent' },
  { note: 'expired but within skew', token: () => sign(es, good({ iat: NOW - 600, exp: NOW - SKEW + 1 })), subject: 'agent-7' },
  { note: 'nbf within skew', token: () => sign(es, good({ nbf: NOW + SKEW - 1 })), subject: 'agent-7' },
  { note: 'iat within skew', token: () => sign(es, good({ iat: NOW + SKEW - 1 })), subject: 'agent-7' },
  { note: 'lifetime exactly the maximum', token: () => sign(es, good({ exp: NOW + MAX_LIFETIME })), subject: 'agent-7' },
  {
    note: 'second configured audience in a list',
    token: () => sign(es, good({ aud: ['other', 'portcullis-staging'] })),
    subject: 'agent-7',
  },
];

type Source = { note: string; jwks: () => IdentityConfig['jwks'] };
const sources: Source[] = [
  { note: 'JWKS URL', jwks: () => ({ url: server.jwksUrl }) },
  { note: 'JWKS file', jwks: () => ({ file: file.path }) },
];

describe.each(sources)('createTokenVerifier with a $note', (source) => {
  let verifier: TokenVerifier;
  beforeEach(() => {
    verifier = createTokenVerifier(config(source.jwks()), { readFile: (p) => readFile(p, 'utf8') });
  });
  afterEach(() => verifier.close());

  it.each(failures)('refuses: $note', async ({ token, code, sqlstate, message }) => {
    const err = await verifier.verify(await token()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AuthError);
    const authErr = err as AuthError;
    expect({ code: authErr.code, sqlstate: authErr.sqlstate, severity: authErr.severity }).toEqual({ code, sqlstate, severity: 'FATAL' });
    expect(authErr.message).toMatch(message);
    const fields = toErrorFields(authErr);
    expect(fields.code).toBe(sqlstate);
    expect(JSON.stringify(fields)).not.toMatch(/\n\s+at /); // no stack trace reaches a client
  });

  it.each(successes)('accepts: $note', async ({ token, subject }) => {
    const principal = await verifier.verify(await token());
    expect(principal.subject).toBe(subject);
    expect(principal.issuer).toBe(ISS);
  });
});

describe('Principal', () => {
  it('carries every verified claim, frozen, with dates and token id', async () => {
    const verifier = createTokenVerifier(config({ url: server.jwksUrl }));
    try {
      const token = await sign(es, good({ aud: [AUD, 'x'], roles: ['reader'], ctx: { team: 'data' } }));
      const p = await verifier.verify(token);
      expect(p).toEqual({
        subject: 'agent-7',
        issuer: ISS,
        audience: [AUD, 'x'],
        claims: {
          iss: ISS,
          aud: [AUD, 'x'],
          sub: 'agent-7',
          tenant: 'acme',
          iat: NOW,
          exp: NOW + 600,
          jti: 'tok-1',
          roles: ['reader'],
          ctx: { team: 'data' },
        },
        issuedAt: new Date(T0),
        expiresAt: new Date(T0 + 600_000),
        tokenId: 'tok-1',
      });
      expect(Object.isFrozen(p.claims)).toBe(true);
      expect(Object.isFrozen(p.claims.ctx)).toBe(true);
    } finally {
      verifier.close();
    }
  });

  it('omits issuedAt and tokenId when the token has neither', async () => {
    const verifier = createTokenVerifier(config({ url: server.jwksUrl }));
    try {
      const p = await verifier.verify(await sign(es, good({ iat: undefined, jti: undefined })));
      expect(p).not.toHaveProperty('issuedAt');
      expect(p).not.toHaveProperty('tokenId');
      expect(p.audience).toEqual([AUD]);
    } finally {
      verifier.close();
    }
  });

  it.each([
    { note: 'an injected clock before exp accepts', offset: 0, code: 'ok' },
    { note: 'an injected clock past exp + skew refuses', offset: 600 + SKEW + 1, code: 'ERR_PROXY_TOKEN_EXPIRED' },
  ])('$note (deps.now wins over the wall clock)', async ({ offset, code }) => {
    vi.setSystemTime(T0 + 10 * 86_400_000); // the wall clock alone would say "expired"
    const token = await sign(es, good());
    const verifier = createTokenVerifier(config({ url: server.jwksUrl }), { now: () => T0 + offset * 1000 });
    try {
      const got = await verifier.verify(token).then(
        () => 'ok',
        (e: { code: string }) => e.code,
      );
      expect(got).toBe(code);
    } finally {
      verifier.close();
    }
  });

  it('remembers a verified token: the same frozen claims for its next login, refused once expired', async () => {
    let clock = T0;
    const verifier = createTokenVerifier(config({ url: server.jwksUrl }), { now: () => clock });
    try {
      // expiring well before the key set is due to be loaded again: only the clock can refuse it
      const token = await sign(es, good({ roles: ['reader'], exp: NOW + 60 }));
      const first = await verifier.verify(token);
      const again = await verifier.verify(token);
      expect(again).toEqual(first);
      expect(again.claims).toBe(first.claims);
      // another token of the same agent is its own
      expect((await verifier.verify(await sign(es, good({ roles: ['reader'], jti: 'tok-2' })))).claims).not.toBe(first.claims);
      clock = T0 + (60 + SKEW - 1) * 1000;
      expect((await verifier.verify(token)).claims).toBe(first.claims);
      clock = T0 + (60 + SKEW + 1) * 1000;
      await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'ERR_PROXY_TOKEN_EXPIRED' });
    } finally {
      verifier.close();
    }
  });

  it('verifies a remembered token afresh once its key left the key set (refused: another key under its kid)', async () => {
    const own = await startJwksServer(jwksOf(es));
    let clock = T0;
    const verifier = createTokenVerifier(config({ url: own.jwksUrl }), { now: () => clock });
    try {
      const token = await sign(es, good());
      await verifier.verify(token);
      own.setJwks(jwksOf(impostor));
      clock = T0 + 301_000; // past the key set's 5 minutes: it is loaded again
      await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'ERR_PROXY_TOKEN_SIGNATURE_INVALID' });
    } finally {
      verifier.close();
      await own.close();
    }
  });

  it('is rejected by a closed verifier with TypeError (misuse, not an auth failure)', async () => {
    const verifier = createTokenVerifier(config({ url: server.jwksUrl }));
    verifier.close();
    await expect(verifier.verify(await sign(es, good()))).rejects.toThrow(TypeError);
  });
});
