// A local token issuer for the demo and tests (dev tooling, not security code): one ES256 key
// pair, tokens minted with jose, the public JWKS, and a JSON state (so `portcullis token` can mint
// for a running demo). server.ts serves it over HTTP. Not an identity provider: it signs whatever
// subject it is asked to.

import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK } from 'jose';
import type { CryptoKey, JWK } from 'jose';
import { IssuerStateInvalid } from '../../auth/index.js';
import type { Jwk, Jwks } from '../../auth/index.js';
import type { DevIssuer, DevIssuerOptions, MintRequest } from './types.js';

/** Default token lifetime: short-lived, as tokens for agents should be. */
const DEFAULT_TTL_SECONDS = 900;
/** Claims the issuer sets itself; request claims cannot override them. */
const RESERVED_CLAIMS = new Set(['iss', 'sub', 'aud', 'iat', 'exp', 'nbf']);
/** Version of the exported state format. */
const STATE_VERSION = 1;

type KeyPair = { readonly privateKey: CryptoKey; readonly publicJwk: Jwk; readonly privateJwk: JWK; readonly kid: string };

function buildIssuer(issuer: string, audience: readonly string[], keys: KeyPair): DevIssuer {
  const algorithm = 'ES256';
  const publicJwk: Jwk = { ...keys.publicJwk, kid: keys.kid, alg: algorithm, use: 'sig' };
  const self: DevIssuer = {
    issuer,
    audience,
    algorithm,
    kid: keys.kid,
    async mint(request: MintRequest, now: Date = new Date()): Promise<string> {
      if (typeof request.sub !== 'string' || request.sub.length === 0) throw new TypeError('mint: sub must be a non-empty string');
      const ttl = request.ttlSeconds ?? DEFAULT_TTL_SECONDS;
      if (!Number.isFinite(ttl) || ttl <= 0) throw new TypeError('mint: ttlSeconds must be > 0');
      const extra: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(request.claims ?? {})) if (!RESERVED_CLAIMS.has(k)) extra[k] = v;
      const aud = request.audience === undefined ? audience : audienceList(request.audience);
      const iat = Math.floor(now.getTime() / 1000);
      return new SignJWT(extra)
        .setProtectedHeader({ alg: algorithm, kid: keys.kid, typ: 'JWT' })
        .setIssuer(issuer)
        .setSubject(request.sub)
        .setAudience(aud.length === 1 ? (aud[0] as string) : [...aud])
        .setIssuedAt(iat)
        .setExpirationTime(iat + Math.floor(ttl))
        .setJti(crypto.randomUUID())
        .sign(keys.privateKey);
    },
    jwks: (): Jwks => ({ keys: [{ ...publicJwk }] }),
    exportState: () =>
      JSON.stringify({ version: STATE_VERSION, issuer, audience, algorithm, kid: keys.kid, privateJwk: keys.privateJwk }, null, 2),
    withIssuer: (next: string) => buildIssuer(next, audience, keys),
  };
  return self;
}

function audienceList(audience: string | readonly string[]): readonly string[] {
  const list = typeof audience === 'string' ? [audience] : [...audience];
  if (list.length === 0 || !list.every((a) => typeof a === 'string' && a.length > 0))
    throw new TypeError('audience must be a non-empty string or list');
  return Object.freeze(list);
}

async function keysFromPrivate(privateJwk: JWK): Promise<KeyPair> {
  const privateKey = (await importJWK(privateJwk, 'ES256')) as CryptoKey;
  const { d: _d, ...pub } = privateJwk;
  const publicJwk = pub as Jwk;
  const kid = await calculateJwkThumbprint(pub);
  return { privateKey, publicJwk, privateJwk, kid };
}

/** createDevIssuer generates a fresh ES256 key pair and returns an issuer minting with it. */
export async function createDevIssuer(options: DevIssuerOptions): Promise<DevIssuer> {
  if (typeof options.issuer !== 'string' || options.issuer.length === 0) throw new TypeError('issuer must be a non-empty string');
  if (options.algorithm !== undefined && options.algorithm !== 'ES256') throw new TypeError('only ES256 is supported');
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const privateJwk = await exportJWK(privateKey);
  return buildIssuer(options.issuer, audienceList(options.audience), await keysFromPrivate(privateJwk));
}

/** importDevIssuer restores an issuer from exportState() output, or throws IssuerStateInvalid. */
export async function importDevIssuer(state: string): Promise<DevIssuer> {
  let doc: unknown;
  try {
    doc = JSON.parse(state);
  } catch (err) {
    throw new IssuerStateInvalid('issuer state is not valid JSON; start the demo again to write a new state file', { cause: err });
  }
  const s = (doc !== null && typeof doc === 'object' ? doc : {}) as Record<string, unknown>;
  const jwk = s.privateJwk as JWK | undefined;
  if (
    s.version !== STATE_VERSION ||
    typeof s.issuer !== 'string' ||
    s.algorithm !== 'ES256' ||
    jwk === null ||
    typeof jwk !== 'object' ||
    jwk.kty !== 'EC' ||
    typeof jwk.d !== 'string'
  ) {
    throw new IssuerStateInvalid(
      `issuer state has an unexpected shape (want version ${STATE_VERSION}, issuer, algorithm ES256, privateJwk); start the demo again to write a new state file`,
    );
  }
  let audience: readonly string[];
  let keys: KeyPair;
  try {
    audience = audienceList(s.audience as string | string[]);
    keys = await keysFromPrivate(jwk);
  } catch (err) {
    throw new IssuerStateInvalid('issuer state holds an unusable audience or key; start the demo again to write a new state file', {
      cause: err,
    });
  }
  return buildIssuer(s.issuer, audience, keys);
}
