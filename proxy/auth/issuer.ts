// A local token issuer for the demo and tests: one ES256 key pair, tokens minted with jose, the
// public JWKS, a JSON state (so `portcullis token` can mint for a running demo), and a loopback
// HTTP server answering OIDC discovery and the JWKS. Not an identity provider: it signs whatever
// subject it is asked to.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK } from 'jose';
import type { CryptoKey, JWK } from 'jose';
import { IssuerStateInvalid } from './errors.js';
import type { DevIssuer, DevIssuerOptions, Jwk, Jwks, MintRequest, ServedIssuer, ServeIssuerOptions } from './types.js';

/** Default token lifetime: short-lived, as tokens for agents should be. */
const DEFAULT_TTL_SECONDS = 900;
/** Claims the issuer sets itself; request claims cannot override them. */
const RESERVED_CLAIMS = new Set(['iss', 'sub', 'aud', 'iat', 'exp', 'nbf']);
/** Version of the exported state format. */
const STATE_VERSION = 1;
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

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
      const iat = Math.floor(now.getTime() / 1000);
      return new SignJWT(extra)
        .setProtectedHeader({ alg: algorithm, kid: keys.kid, typ: 'JWT' })
        .setIssuer(issuer)
        .setSubject(request.sub)
        .setAudience(audience.length === 1 ? (audience[0] as string) : [...audience])
        .setIssuedAt(iat)
        .setExpirationTime(iat + Math.floor(ttl))
        .setJti(crypto.randomUUID())
        .sign(keys.privateKey);
    },
    jwks: (): Jwks => ({ keys: [{ ...publicJwk }] }),
    exportState: () => JSON.stringify({ version: STATE_VERSION, issuer, audience, algorithm, kid: keys.kid, privateJwk: keys.privateJwk }, null, 2),
    withIssuer: (next: string) => buildIssuer(next, audience, keys),
  };
  return self;
}

function audienceList(audience: string | readonly string[]): readonly string[] {
  const list = typeof audience === 'string' ? [audience] : [...audience];
  if (list.length === 0 || !list.every((a) => typeof a === 'string' && a.length > 0)) throw new TypeError('audience must be a non-empty string or list');
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
  if (s.version !== STATE_VERSION || typeof s.issuer !== 'string' || s.algorithm !== 'ES256' || jwk === null || typeof jwk !== 'object' || jwk.kty !== 'EC' || typeof jwk.d !== 'string') {
    throw new IssuerStateInvalid(`issuer state has an unexpected shape (want version ${STATE_VERSION}, issuer, algorithm ES256, privateJwk); start the demo again to write a new state file`);
  }
  let audience: readonly string[];
  let keys: KeyPair;
  try {
    audience = audienceList(s.audience as string | string[]);
    keys = await keysFromPrivate(jwk);
  } catch (err) {
    throw new IssuerStateInvalid('issuer state holds an unusable audience or key; start the demo again to write a new state file', { cause: err });
  }
  return buildIssuer(s.issuer, audience, keys);
}

/**
 * serveIssuer serves `/.well-known/openid-configuration` and `/jwks.json` for the issuer on a
 * loopback address; with `issuerFromUrl` the served (and returned) issuer's `iss` is the URL.
 */
export async function serveIssuer(issuer: DevIssuer, options: ServeIssuerOptions = {}): Promise<ServedIssuer> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host)) throw new TypeError(`serveIssuer listens on loopback only, not ${host}`);
  let served = issuer;
  let base = '';
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    let body: unknown;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/.well-known/openid-configuration') {
      body = {
        issuer: served.issuer,
        jwks_uri: `${base}/jwks.json`,
        id_token_signing_alg_values_supported: [served.algorithm],
        response_types_supported: ['id_token'],
        subject_types_supported: ['public'],
      };
    } else if (path === '/jwks.json') {
      body = served.jwks();
    } else {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    const text = JSON.stringify(body);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'max-age=60' });
    res.end(req.method === 'HEAD' ? undefined : text);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  base = `http://${hostPart}:${address.port}`;
  if (options.issuerFromUrl === true) served = issuer.withIssuer(base);
  return {
    url: base,
    jwksUrl: `${base}/jwks.json`,
    issuer: served,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
