// Key caching and refresh through the public verifier, against real JWKS servers on 127.0.0.1
// and real files: rotation refreshes once, floods of unknown kids are rate-limited to one fetch,
// concurrent verifications share a fetch, a down source keeps cached keys, and with no keys the
// verifier fails closed with ERR_PROXY_JWKS_UNAVAILABLE. The clock is frozen and moved by hand.

import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTokenVerifier } from '../../../proxy/auth/index.js';
import type { AuthEvent, IdentityConfig, TokenVerifier } from '../../../proxy/auth/index.js';
import { jwksOf, makeKey, sign, startJwksServer, writeJwksFile } from '../../helpers/jwt.js';
import type { JwksServer, JwksServerMode, TestKey } from '../../helpers/jwt.js';

const T0 = Date.UTC(2026, 2, 1, 9, 0, 0);
const ISS = 'https://issuer.example.test';
const AUD = 'portcullis';
const INTERVAL = 60;

const cleanups: Array<() => Promise<void> | void> = [];

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'], now: T0 });
});

afterEach(async () => {
  vi.useRealTimers();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function at(secondsAfterT0: number): void {
  vi.setSystemTime(T0 + secondsAfterT0 * 1000);
}

function config(jwks: IdentityConfig['jwks'], issuer = ISS): IdentityConfig {
  return {
    issuer,
    audience: AUD,
    jwks,
    algorithms: ['ES256', 'RS256'],
    clockSkewSeconds: 0,
    maxTokenLifetimeSeconds: 3600,
    refreshMinIntervalSeconds: INTERVAL,
  };
}

function tokenFor(key: TestKey, iss = ISS, header: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return sign(key, { iss, aud: AUD, sub: 'agent', iat: now, exp: now + 300 }, header);
}

async function server(keys: TestKey[]): Promise<JwksServer> {
  const s = await startJwksServer(jwksOf(...keys));
  cleanups.push(() => s.close());
  return s;
}

function verifier(cfg: IdentityConfig, events: AuthEvent[] = [], fetchTimeoutMs = 2000): TokenVerifier {
  const v = createTokenVerifier(cfg, { log: (e) => events.push(e), fetchTimeoutMs, readFile: (p) => readFile(p, 'utf8') });
  cleanups.push(() => v.close());
  return v;
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => 'ok',
    (e: { code?: string }) => e.code ?? String(e),
  );
}

describe('key rotation', () => {
  it('an unknown kid after the interval triggers exactly one refresh and then verifies', async () => {
    const [k1, k2] = [await makeKey('ES256', 'k1'), await makeKey('ES256', 'k2')];
    const s = await server([k1]);
    const v = verifier(config({ url: s.jwksUrl }));
    expect(await codeOf(v.verify(await tokenFor(k1)))).toBe('ok');
    expect(s.requests.jwks).toBe(1);
    s.setJwks(jwksOf(k1, k2));
    at(INTERVAL);
    expect(await codeOf(v.verify(await tokenFor(k2)))).toBe('ok');
    expect(s.requests.jwks).toBe(2);
    expect(await codeOf(v.verify(await tokenFor(k1)))).toBe('ok');
    expect(await codeOf(v.verify(await tokenFor(k2)))).toBe('ok');
    expect(s.requests.jwks).toBe(2);
  });

  it('a key removed from the JWKS stops verifying after the next refresh', async () => {
    const [k1, k2, k3] = [await makeKey('ES256', 'k1'), await makeKey('ES256', 'k2'), await makeKey('ES256', 'k3')];
    const s = await server([k1, k2]);
    const v = verifier(config({ url: s.jwksUrl }));
    expect(await codeOf(v.verify(await tokenFor(k1)))).toBe('ok');
    s.setJwks(jwksOf(k2, k3));
    at(INTERVAL);
    expect(await codeOf(v.verify(await tokenFor(k3)))).toBe('ok'); // refresh replaces the whole set
    expect(await codeOf(v.verify(await tokenFor(k1)))).toBe('ERR_PROXY_TOKEN_KEY_UNKNOWN');
  });

  it('an unknown kid within the interval is refused without fetching, and says when to retry', async () => {
    const [k1, k2] = [await makeKey('ES256', 'k1'), await makeKey('ES256', 'k2')];
    const s = await server([k1]);
    const events: AuthEvent[] = [];
    const v = verifier(config({ url: s.jwksUrl }), events);
    await v.verify(await tokenFor(k1));
    s.setJwks(jwksOf(k1, k2));
    at(INTERVAL - 1);
    await expect(v.verify(await tokenFor(k2))).rejects.toThrow(/no key id "k2".*next refresh allowed at 2026-03-01T09:01:00\.000Z/);
    expect(s.requests.jwks).toBe(1);
    expect(events.map((e) => e.kind)).toEqual(['jwks-loaded', 'jwks-refresh-limited']);
  });

  it('a flood of unknown kids is rate-limited to one fetch', async () => {
    const k1 = await makeKey('ES256', 'k1');
    const s = await server([k1]);
    const v = verifier(config({ url: s.jwksUrl }));
    await v.verify(await tokenFor(k1));
    at(INTERVAL * 2);
    const bogus = await makeKey('ES256', 'bogus');
    const tokens = await Promise.all(Array.from({ length: 50 }, (_, i) => tokenFor(bogus, ISS, { kid: `unknown-${i}` })));
    const codes = await Promise.all(tokens.map((t) => codeOf(v.verify(t))));
    expect(new Set(codes)).toEqual(new Set(['ERR_PROXY_TOKEN_KEY_UNKNOWN']));
    expect(s.requests.jwks).toBe(2);
    at(INTERVAL * 2 + 10);
    await Promise.all(tokens.map((t) => codeOf(v.verify(t))));
    expect(s.requests.jwks).toBe(2);
  });

  it('concurrent first verifications share one in-flight fetch', async () => {
    const k1 = await makeKey('ES256', 'k1');
    const s = await server([k1]);
    const v = verifier(config({ url: s.jwksUrl }));
    const codes = await Promise.all(Array.from({ length: 20 }, async () => codeOf(v.verify(await tokenFor(k1)))));
    expect(new Set(codes)).toEqual(new Set(['ok']));
    expect(s.requests.jwks).toBe(1);
  });

  it('a token without kid is tried against every matching key', async () => {
    const [k1, k2] = [await makeKey('ES256', 'k1'), await makeKey('ES256', 'k2')];
    const s = await server([k1, k2]);
    const v = verifier(config({ url: s.jwksUrl }));
    expect(await codeOf(v.verify(await tokenFor(k2, ISS, { kid: undefined })))).toBe('ok');
    const other = await makeKey('ES256', 'k9');
    expect(await codeOf(v.verify(await tokenFor(other, ISS, { kid: undefined })))).toBe('ERR_PROXY_TOKEN_SIGNATURE_INVALID');
  });
});

type DownCase = { note: string; mode: JwksServerMode | 'closed'; reason: RegExp };
const downCases: DownCase[] = [
  { note: 'HTTP 500', mode: 'error', reason: /HTTP 500/ },
  { note: 'connection refused', mode: 'closed', reason: /ECONNREFUSED/ },
  { note: 'not JSON', mode: 'garbage', reason: /not valid JSON/ },
  { note: 'hanging (timed out)', mode: 'hang', reason: /timed out/ },
];

describe('key set lifetime', () => {
  it.each([
    { note: 'no Cache-Control: the configured maximum age', cacheControl: undefined, staleAfter: 300 },
    { note: 'max-age shorter than the maximum', cacheControl: 'public, max-age=120', staleAfter: 120 },
    { note: 'max-age longer than the maximum is capped', cacheControl: 'max-age=86400', staleAfter: 300 },
    { note: 'no-store is held for the refresh interval', cacheControl: 'no-store', staleAfter: INTERVAL },
  ])('a key removed at the issuer stops verifying once the set is stale ($note)', async ({ cacheControl, staleAfter }) => {
    const [k1, k2] = [await makeKey('ES256', 'k1'), await makeKey('ES256', 'k2')];
    const s = await server([k1, k2]);
    s.setCacheControl(cacheControl);
    const v = verifier({ ...config({ url: s.jwksUrl }), keysMaxAgeSeconds: 300 });
    expect(await codeOf(v.verify(await tokenFor(k1)))).toBe('ok');
    s.setJwks(jwksOf(k2));
    at(staleAfter - 1);
    expect(await codeOf(v.verify(await tokenFor(k1)))).toBe('ok');
    expect(s.requests.jwks).toBe(1);
    at(staleAfter);
    expect(await codeOf(v.verify(await tokenFor(k1)))).toBe('ERR_PROXY_TOKEN_KEY_UNKNOWN');
    expect(await codeOf(v.verify(await tokenFor(k2)))).toBe('ok');
  });

  it('keeps the old keys when the scheduled fetch fails (and logs it)', async () => {
    const k1 = await makeKey('ES256', 'k1');
    const s = await server([k1]);
    const events: AuthEvent[] = [];
    const v = verifier({ ...config({ url: s.jwksUrl }), keysMaxAgeSeconds: 300 }, events, 200);
    expect(await codeOf(v.verify(await tokenFor(k1)))).toBe('ok');
    s.setMode('error');
    at(300);
    expect(await codeOf(v.verify(await tokenFor(k1)))).toBe('ok');
    expect(events.some((e) => e.kind === 'jwks-load-failed')).toBe(true);
  });
});

describe('key source down', () => {
  async function switchDown(s: JwksServer, mode: DownCase['mode']): Promise<void> {
    if (mode === 'closed') await s.close();
    else s.setMode(mode);
  }

  it.each(downCases)('$note with cached keys: known kids still verify', async ({ mode, reason }) => {
    const k1 = await makeKey('ES256', 'k1');
    const s = await server([k1]);
    const events: AuthEvent[] = [];
    const v = verifier(config({ url: s.jwksUrl }), events, 200);
    expect(await codeOf(v.verify(await tokenFor(k1)))).toBe('ok');
    await switchDown(s, mode);
    at(INTERVAL);
    const stranger = await makeKey('ES256', 'k2');
    const unknown = await v.verify(await tokenFor(stranger)).catch((e: Error) => e);
    expect(unknown).toMatchObject({ code: 'ERR_PROXY_TOKEN_KEY_UNKNOWN', message: expect.stringMatching(/no key id "k2"/) });
    // where the keys come from and why the fetch failed are the operator's business (the event below)
    expect((unknown as Error).message).not.toContain(s.url);
    expect(await codeOf(v.verify(await tokenFor(k1)))).toBe('ok');
    const failed = events.find((e) => e.kind === 'jwks-load-failed');
    expect(failed).toMatchObject({ kind: 'jwks-load-failed', cachedKeyCount: 1 });
    expect(failed && 'reason' in failed ? failed.reason : '').toMatch(reason);
  });

  it.each(downCases)('$note with no keys: ERR_PROXY_JWKS_UNAVAILABLE, retried only after the interval', async ({ mode, reason }) => {
    const k1 = await makeKey('ES256', 'k1');
    const s = await server([k1]);
    await switchDown(s, mode);
    const events: AuthEvent[] = [];
    const v = verifier(config({ url: s.jwksUrl }), events, 200);
    const err = await v.verify(await tokenFor(k1)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_PROXY_JWKS_UNAVAILABLE', sqlstate: '28000', severity: 'FATAL' });
    expect((err as Error).message).toMatch(/Retry later/);
    expect((err as Error).message).not.toContain('127.0.0.1');
    expect((err as Error).message).not.toMatch(reason);
    expect(events.find((e) => e.kind === 'jwks-load-failed')).toMatchObject({ reason: expect.stringMatching(reason) });
    const before = s.requests.jwks;
    at(INTERVAL - 1);
    expect(await codeOf(v.verify(await tokenFor(k1)))).toBe('ERR_PROXY_JWKS_UNAVAILABLE');
    expect(s.requests.jwks).toBe(before);
  });

  it('recovers once the source is back and the interval has passed', async () => {
    const k1 = await makeKey('ES256', 'k1');
    const s = await server([k1]);
    s.setMode('error');
    const v = verifier(config({ url: s.jwksUrl }));
    expect(await codeOf(v.verify(await tokenFor(k1)))).toBe('ERR_PROXY_JWKS_UNAVAILABLE');
    s.setMode('ok');
    at(INTERVAL);
    expect(await codeOf(v.verify(await tokenFor(k1)))).toBe('ok');
    expect(s.requests.jwks).toBe(2);
  });

  it('a JWKS with only symmetric keys is no key at all', async () => {
    const k1 = await makeKey('ES256', 'k1');
    const s = await server([]);
    s.setJwks({ keys: [{ kty: 'oct', kid: 'k1', k: Buffer.from(k1.publicPem).toString('base64url') }] });
    const events: AuthEvent[] = [];
    const v = verifier(config({ url: s.jwksUrl }), events);
    await expect(v.verify(await tokenFor(k1))).rejects.toMatchObject({ code: 'ERR_PROXY_JWKS_UNAVAILABLE' });
    expect(events.find((e) => e.kind === 'jwks-load-failed')).toMatchObject({
      reason: expect.stringMatching(/no usable public \(RSA, EC, OKP\) keys/),
    });
  });

  it('close() aborts a hanging fetch so nothing waits on it', async () => {
    const k1 = await makeKey('ES256', 'k1');
    const s = await server([k1]);
    s.setMode('hang');
    const v = verifier(config({ url: s.jwksUrl }), [], 60_000);
    const pending = codeOf(v.verify(await tokenFor(k1)));
    await vi.waitFor(() => expect(s.requests.jwks).toBe(1));
    v.close();
    expect(await pending).toBe('ERR_PROXY_JWKS_UNAVAILABLE');
  });
});

describe('JWKS file source', () => {
  it('is read at first use and re-read (rate-limited) when an unknown kid arrives', async () => {
    const [k1, k2] = [await makeKey('ES256', 'k1'), await makeKey('RS256', 'k2')];
    const f = await writeJwksFile(jwksOf(k1));
    cleanups.push(() => f.remove());
    let reads = 0;
    const v = createTokenVerifier(config({ file: f.path }), {
      readFile: (p) => {
        reads += 1;
        return readFile(p, 'utf8');
      },
    });
    cleanups.push(() => v.close());
    expect(await codeOf(v.verify(await tokenFor(k1)))).toBe('ok');
    await f.write(jwksOf(k1, k2));
    expect(await codeOf(v.verify(await tokenFor(k2)))).toBe('ERR_PROXY_TOKEN_KEY_UNKNOWN');
    expect(reads).toBe(1);
    at(INTERVAL);
    expect(await codeOf(v.verify(await tokenFor(k2)))).toBe('ok');
    expect(reads).toBe(2);
  });

  it('a missing file with no keys is ERR_PROXY_JWKS_UNAVAILABLE; the file is named in the operator event only', async () => {
    const k1 = await makeKey('ES256', 'k1');
    const events: AuthEvent[] = [];
    const v = verifier(config({ file: '/nonexistent/portcullis/jwks.json' }), events);
    const err = await v.verify(await tokenFor(k1)).catch((e: Error) => e);
    expect(err).toMatchObject({ code: 'ERR_PROXY_JWKS_UNAVAILABLE' });
    expect((err as Error).message).not.toMatch(/nonexistent|ENOENT/);
    expect(events.find((e) => e.kind === 'jwks-load-failed')).toMatchObject({
      source: 'file /nonexistent/portcullis/jwks.json',
      reason: expect.stringMatching(/ENOENT/),
    });
  });

  it('private key members in the file are ignored; the public part verifies', async () => {
    const k1 = await makeKey('ES256', 'k1');
    const { exportJWK } = await import('jose');
    const privateJwk = { ...(await exportJWK(k1.privateKey)), kid: 'k1', alg: 'ES256' };
    const f = await writeJwksFile({ keys: [privateJwk as { kty: string }] });
    cleanups.push(() => f.remove());
    const v = verifier(config({ file: f.path }));
    expect(await codeOf(v.verify(await tokenFor(k1)))).toBe('ok');
  });
});

describe('OIDC discovery', () => {
  it('follows jwks_uri from /.well-known/openid-configuration', async () => {
    const k1 = await makeKey('ES256', 'k1');
    const s = await server([k1]);
    const v = verifier(config(undefined, s.url));
    expect(await codeOf(v.verify(await tokenFor(k1, s.url)))).toBe('ok');
    expect(s.requests).toEqual({ discovery: 1, jwks: 1 });
  });

  it('with an explicit discovery: true and a trailing slash on the issuer', async () => {
    const k1 = await makeKey('ES256', 'k1');
    const s = await server([k1]);
    s.setDiscoveryIssuer(`${s.url}/`);
    const v = verifier(config({ discovery: true }, `${s.url}/`));
    expect(await codeOf(v.verify(await tokenFor(k1, `${s.url}/`)))).toBe('ok');
  });

  it('refuses a discovery document naming another issuer', async () => {
    const k1 = await makeKey('ES256', 'k1');
    const s = await server([k1]);
    s.setDiscoveryIssuer('https://someone-else.example');
    const events: AuthEvent[] = [];
    const v = verifier(config(undefined, s.url), events);
    await expect(v.verify(await tokenFor(k1, s.url))).rejects.toMatchObject({ code: 'ERR_PROXY_JWKS_UNAVAILABLE' });
    expect(events.find((e) => e.kind === 'jwks-load-failed')).toMatchObject({
      reason: expect.stringMatching(/names issuer "https:\/\/someone-else\.example"/),
    });
    expect(s.requests.jwks).toBe(0);
  });
});
