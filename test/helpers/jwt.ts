// JWT factory for tests: signing keys (ES256, RS256, EdDSA), good and deliberately bad tokens
// (unsigned `alg: none`, HS256 signed with the public key's bytes, tampered signatures), and a
// real JWKS / OIDC discovery HTTP server on 127.0.0.1 whose behaviour a test can switch
// (serve, fail with 500, hang, serve garbage) and whose requests it can count.

import { KeyObject, createHmac, sign as cryptoSign } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompactSign, SignJWT, exportJWK, exportSPKI, generateKeyPair } from 'jose';
import type { CryptoKey, JWTPayload } from 'jose';
import { createTokenVerifier } from '../../proxy/auth/index.js';
import type { IdentityConfig, Jwk, Jwks, TokenVerifier } from '../../proxy/auth/index.js';

/** TestAlg is a signing algorithm the factory can make keys for. */
export type TestAlg = 'ES256' | 'RS256' | 'EdDSA';

/** TestKey is a signing key with its public JWK (kid, alg, use set) and SPKI PEM. */
export type TestKey = {
  readonly alg: TestAlg;
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: Jwk;
  readonly publicPem: string;
};

/** makeKey generates a key pair for alg with the given kid. */
export async function makeKey(
  alg: TestAlg = 'ES256',
  kid = `${alg.toLowerCase()}-${Math.random().toString(36).slice(2, 8)}`,
): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } as Jwk;
  return { alg, kid, privateKey, publicJwk, publicPem: await exportSPKI(publicKey) };
}

/** jwksOf builds a JWKS from keys' public halves. */
export function jwksOf(...keys: readonly TestKey[]): Jwks {
  return { keys: keys.map((k) => k.publicJwk) };
}

/** claimsAt returns standard claims for an issuer/audience at `nowSeconds` living `ttl` seconds. */
export function claimsAt(opts: { iss: string; aud: string | string[]; sub?: string; nowSeconds: number; ttl?: number }): JWTPayload {
  return { iss: opts.iss, aud: opts.aud, sub: opts.sub ?? 'agent-1', iat: opts.nowSeconds, exp: opts.nowSeconds + (opts.ttl ?? 300) };
}

/** sign signs exactly `payload` with the key; `header` adds or overrides protected header fields. */
export async function sign(key: TestKey, payload: JWTPayload, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...header }).sign(key.privateKey);
}

function b64url(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

/** unsignedToken builds an `alg: none` token (empty signature) with the payload. */
export function unsignedToken(payload: JWTPayload, header: Record<string, unknown> = {}): string {
  return `${b64url({ alg: 'none', typ: 'JWT', ...header })}.${b64url(payload)}.`;
}

/** hmacWithPublicKey signs an HS256 token using the public key's PEM as the secret (key confusion). */
export function hmacWithPublicKey(key: TestKey, payload: JWTPayload, alg = 'HS256'): string {
  const input = `${b64url({ alg, kid: key.kid, typ: 'JWT' })}.${b64url(payload)}`;
  const hash = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' }[alg] ?? 'sha256';
  return `${input}.${createHmac(hash, key.publicPem).update(input).digest('base64url')}`;
}

/** withPayload swaps the payload of a signed token, keeping header and signature (tampering). */
export function withPayload(token: string, payload: JWTPayload): string {
  const [h, , s] = token.split('.');
  return `${h}.${b64url(payload)}.${s}`;
}

/** withBadSignature flips bits in the signature of a signed token. */
export function withBadSignature(token: string): string {
  const [h, p, s] = token.split('.') as [string, string, string];
  const sig = Buffer.from(s, 'base64url');
  sig[0] = (sig[0] ?? 0) ^ 0xff;
  return `${h}.${p}.${sig.toString('base64url')}`;
}

/** JwksServerMode says how the test JWKS server answers. */
export type JwksServerMode = 'ok' | 'error' | 'hang' | 'garbage';

/** JwksServer is a real HTTP server on 127.0.0.1 serving a JWKS and OIDC discovery. */
export type JwksServer = {
  /** url is the base URL, also the issuer for discovery. */
  readonly url: string;
  /** jwksUrl is `${url}/jwks.json`. */
  readonly jwksUrl: string;
  /** requests counts requests per path. */
  readonly requests: { jwks: number; discovery: number };
  /** setJwks replaces the served key set. */
  setJwks(jwks: Jwks): void;
  /** setCacheControl sets the Cache-Control header of the answers (undefined: none). */
  setCacheControl(value: string | undefined): void;
  /** setMode switches how requests are answered. */
  setMode(mode: JwksServerMode): void;
  /** setDiscoveryIssuer overrides the `issuer` the discovery document names. */
  setDiscoveryIssuer(issuer: string): void;
  /** close stops the server, dropping hanging requests. */
  close(): Promise<void>;
};

/** startJwksServer starts a JWKS/discovery server on 127.0.0.1 with a free port. */
export async function startJwksServer(initial: Jwks): Promise<JwksServer> {
  let jwks = initial;
  let mode: JwksServerMode = 'ok';
  let discoveryIssuer: string | undefined;
  let cacheControl: string | undefined;
  const requests = { jwks: 0, discovery: 0 };
  const hanging: ServerResponse[] = [];
  let base = '';
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/jwks.json') requests.jwks += 1;
    else if (path === '/.well-known/openid-configuration') requests.discovery += 1;
    if (mode === 'hang') {
      hanging.push(res);
      return;
    }
    if (mode === 'error') {
      res.writeHead(500).end('boom');
      return;
    }
    if (mode === 'garbage') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys": [ not json');
      return;
    }
    const body =
      path === '/jwks.json'
        ? jwks
        : path === '/.well-known/openid-configuration'
          ? { issuer: discoveryIssuer ?? base, jwks_uri: `${base}/jwks.json` }
          : undefined;
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    res
      .writeHead(200, { 'content-type': 'application/json', ...(cacheControl !== undefined ? { 'cache-control': cacheControl } : {}) })
      .end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    jwksUrl: `${base}/jwks.json`,
    requests,
    setJwks: (next) => {
      jwks = next;
    },
    setCacheControl: (value) => {
      cacheControl = value;
    },
    setMode: (next) => {
      mode = next;
    },
    setDiscoveryIssuer: (issuer) => {
      discoveryIssuer = issuer;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** JwksFile is a JWKS written to a temporary directory. */
export type JwksFile = { readonly path: string; write(jwks: Jwks | string): Promise<void>; remove(): Promise<void> };

/** writeJwksFile writes the JWKS to a fresh temporary file. */
export async function writeJwksFile(jwks: Jwks): Promise<JwksFile> {
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-jwks-'));
  const path = join(dir, 'jwks.json');
  const write = (content: Jwks | string) => writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  await write(jwks);
  return { path, write, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** forgedToken joins an arbitrary header and payload with a junk signature (for pre-signature checks). */
export function forgedToken(header: Record<string, unknown>, payload: JWTPayload): string {
  return `${b64url(header)}.${b64url(payload)}.${Buffer.from('not-a-signature').toString('base64url')}`;
}

/** signRaw signs arbitrary payload bytes (e.g. not JSON) as a compact JWS. */
/** signRawParts signs exact header and payload JSON texts (e.g. with duplicate members) with an ES256 key. */
export function signRawParts(key: TestKey, header: string, payload: string): string {
  const input = `${Buffer.from(header).toString('base64url')}.${Buffer.from(payload).toString('base64url')}`;
  const privateKey = KeyObject.from(key.privateKey as unknown as Parameters<typeof KeyObject.from>[0]);
  const signature = cryptoSign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

export async function signRaw(key: TestKey, payload: string): Promise<string> {
  return new CompactSign(Buffer.from(payload)).setProtectedHeader({ alg: key.alg, kid: key.kid }).sign(key.privateKey);
}

/**
 * es256Verifier is the gateway's token verifier for a test issuer's ES256 tokens (its JWKS by URL
 * by default), with the settings the tests share: 5 s of clock skew, tokens of at most an hour.
 */
export function es256Verifier(options: { issuer: string; jwks: IdentityConfig['jwks'] | undefined; audience?: string }): TokenVerifier {
  return createTokenVerifier({
    issuer: options.issuer,
    audience: options.audience ?? 'portcullis',
    jwks: options.jwks,
    algorithms: ['ES256'],
    clockSkewSeconds: 5,
    maxTokenLifetimeSeconds: 3600,
    refreshMinIntervalSeconds: 30,
  });
}
