// The dev token issuer: tokens it mints verify through its own served discovery/JWKS endpoints
// on 127.0.0.1 (the demo's path), its state survives export/import, and bad state files and
// non-loopback hosts are refused.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { IdentityConfig, TokenVerifier } from '../../../proxy/auth/index.js';
import { createDevIssuer, importDevIssuer, serveIssuer } from '../../../proxy/dev/index.js';
import type { ServedIssuer } from '../../../proxy/dev/index.js';
import { es256Verifier } from '../../helpers/jwt.js';

const T0 = Date.UTC(2026, 5, 1, 8, 0, 0);
const cleanups: Array<() => Promise<void> | void> = [];

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'], now: T0 });
});

afterEach(async () => {
  vi.useRealTimers();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function served(audience: string | string[] = 'portcullis'): Promise<ServedIssuer> {
  const issuer = await createDevIssuer({ issuer: 'http://placeholder.invalid', audience });
  const s = await serveIssuer(issuer, { host: '127.0.0.1', port: 0, issuerFromUrl: true });
  cleanups.push(() => s.close());
  return s;
}

function verifierFor(issuer: string, jwks?: IdentityConfig['jwks']): TokenVerifier {
  const v = es256Verifier({ issuer, jwks });
  cleanups.push(() => v.close());
  return v;
}

describe('serveIssuer + createTokenVerifier', () => {
  type Case = { note: string; jwks: (s: ServedIssuer) => IdentityConfig['jwks'] };
  const cases: Case[] = [
    { note: 'through OIDC discovery', jwks: () => undefined },
    { note: 'through the JWKS URL', jwks: (s) => ({ url: s.jwksUrl }) },
  ];
  it.each(cases)('verifies minted tokens $note', async ({ jwks }) => {
    const s = await served();
    expect(s.issuer.issuer).toBe(s.url);
    const token = await s.issuer.mint({ sub: 'report-bot', claims: { team: 'finance', roles: ['reader'] }, ttlSeconds: 600 });
    const p = await verifierFor(s.url, jwks(s)).verify(token);
    expect(p).toMatchObject({
      subject: 'report-bot',
      issuer: s.url,
      audience: ['portcullis'],
      expiresAt: new Date(T0 + 600_000),
      issuedAt: new Date(T0),
    });
    expect(p.claims).toMatchObject({ team: 'finance', roles: ['reader'] });
    expect(p.tokenId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves discovery metadata and a public-only JWKS', async () => {
    const s = await served();
    const meta = (await (await fetch(`${s.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(meta).toMatchObject({ issuer: s.url, jwks_uri: `${s.url}/jwks.json`, id_token_signing_alg_values_supported: ['ES256'] });
    const jwks = (await (await fetch(s.jwksUrl)).json()) as { keys: Array<Record<string, unknown>> };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', kid: s.issuer.kid, alg: 'ES256', use: 'sig' });
    expect(jwks.keys[0]).not.toHaveProperty('d');
    expect((await fetch(`${s.url}/nope`)).status).toBe(404);
  });

  it('reserved claims in the request cannot override what the issuer sets', async () => {
    const s = await served();
    const token = await s.issuer.mint({
      sub: 'bot',
      claims: { iss: 'https://evil', sub: 'root', aud: 'x', exp: 9_999_999_999, tier: 'gold' },
    });
    const p = await verifierFor(s.url).verify(token);
    expect(p).toMatchObject({ subject: 'bot', issuer: s.url, audience: ['portcullis'], expiresAt: new Date(T0 + 900_000) });
    expect(p.claims.tier).toBe('gold');
  });

  it('a token minted by another dev issuer with the same iss does not verify', async () => {
    const s = await served();
    const rogue = await createDevIssuer({ issuer: s.url, audience: 'portcullis' });
    const err = await verifierFor(s.url)
      .verify(await rogue.mint({ sub: 'bot' }))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_PROXY_TOKEN_KEY_UNKNOWN' });
  });

  it('tokens minted past their ttl expire', async () => {
    const s = await served();
    const token = await s.issuer.mint({ sub: 'bot', ttlSeconds: 60 });
    vi.setSystemTime(T0 + 66_000);
    await expect(verifierFor(s.url).verify(token)).rejects.toMatchObject({ code: 'ERR_PROXY_TOKEN_EXPIRED' });
  });

  it('refuses a non-loopback host', async () => {
    const issuer = await createDevIssuer({ issuer: 'http://x', audience: 'a' });
    await expect(serveIssuer(issuer, { host: '0.0.0.0' })).rejects.toThrow(TypeError);
  });
});

describe('exportState / importDevIssuer', () => {
  it('an imported issuer mints tokens the running issuer endpoint verifies', async () => {
    const s = await served(['portcullis', 'other']);
    const restored = await importDevIssuer(s.issuer.exportState());
    expect({ issuer: restored.issuer, audience: restored.audience, kid: restored.kid }).toEqual({
      issuer: s.url,
      audience: ['portcullis', 'other'],
      kid: s.issuer.kid,
    });
    const p = await verifierFor(s.url).verify(await restored.mint({ sub: 'cli-minted' }));
    expect(p.subject).toBe('cli-minted');
  });

  type BadState = { note: string; state: string; message: RegExp };
  const bad: BadState[] = [
    { note: 'not JSON', state: '{', message: /not valid JSON/ },
    {
      note: 'wrong version',
      state: JSON.stringify({ version: 2, issuer: 'i', audience: 'a', algorithm: 'ES256', privateJwk: { kty: 'EC', d: 'x' } }),
      message: /unexpected shape/,
    },
    {
      note: 'no private key',
      state: JSON.stringify({ version: 1, issuer: 'i', audience: 'a', algorithm: 'ES256', privateJwk: { kty: 'EC' } }),
      message: /unexpected shape/,
    },
    {
      note: 'unusable key',
      state: JSON.stringify({
        version: 1,
        issuer: 'i',
        audience: 'a',
        algorithm: 'ES256',
        privateJwk: { kty: 'EC', crv: 'P-256', d: 'AA', x: 'AA', y: 'AA' },
      }),
      message: /unusable audience or key/,
    },
    {
      note: 'empty audience',
      state: JSON.stringify({ version: 1, issuer: 'i', audience: [], algorithm: 'ES256', privateJwk: { kty: 'EC', d: 'x' } }),
      message: /unusable audience or key/,
    },
  ];
  it.each(bad)('refuses state: $note', async ({ state, message }) => {
    const err = await importDevIssuer(state).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_PROXY_ISSUER_STATE_INVALID' });
    expect((err as Error).message).toMatch(message);
  });
});
