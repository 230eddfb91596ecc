// signBundle → verifyBundle and loadBundle's fail-closed verification, on a real built bundle with
// real keys of every family. Each refusal is asserted by its code and by the file or key its
// message names.
import { createHash, generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompactSign, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle, loadBundle, readTarGz, signBundle, verifyBundle, writeBundleTarball, writeTarGz } from '../../../bundles/index.js';
import type { SigningAlgorithm, TarEntry, VerificationKey } from '../../../bundles/index.js';

const dir = mkdtempSync(join(tmpdir(), 'portcullis-sign-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pem = (k: KeyObject, type: 'pkcs8' | 'spki') => k.export({ format: 'pem', type }).toString();
function pair(kind: 'ec' | 'rsa' | 'ed25519', curve?: string): { priv: string; pub: string } {
  const { privateKey, publicKey } =
    kind === 'ec'
      ? generateKeyPairSync('ec', { namedCurve: curve ?? 'P-256' })
      : kind === 'rsa'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 })
        : generateKeyPairSync('ed25519');
  return { priv: pem(privateKey, 'pkcs8'), pub: pem(publicKey, 'spki') };
}
const EC = pair('ec');
const EC2 = pair('ec');
const EC384 = pair('ec', 'P-384');
const EC521 = pair('ec', 'P-521');
const RSA = pair('rsa');
const ED = pair('ed25519');
const SECRET = 'a shared secret of enough length for HS256';

const T0 = new Date('2026-12-01T10:00:00Z');
const T0s = T0.getTime() / 1000;
let unsigned: Uint8Array;

beforeAll(async () => {
  const built = buildBundle({
    files: [{ name: 'authz/policy.rego', text: 'package authz\n\nallow if input.role in data.roles\n' }],
    data: { roles: ['admin'], limits: { max: 1.5 } },
    entrypoints: ['authz/allow'],
    revision: 'rev-1',
  });
  if (!built.ok) throw new Error('build failed');
  unsigned = await writeBundleTarball(built.bundle);
});

const key = (id: string, alg: SigningAlgorithm, k: string, scope?: string): VerificationKey => ({
  id,
  alg,
  key: k,
  ...(scope ? { scope } : {}),
});
const sign = (kid: string, alg: SigningAlgorithm, k: string, extra: { now?: Date; scope?: string } = {}) =>
  signBundle(unsigned, { key: k, kid, alg, now: extra.now ?? T0, ...(extra.scope ? { scope: extra.scope } : {}) });
const entries = async (bytes: Uint8Array) => readTarGz(bytes);
async function edit(bytes: Uint8Array, change: (files: TarEntry[]) => TarEntry[]): Promise<TarEntry[]> {
  return entries(await writeTarGz(change(await entries(bytes))));
}
function claimsOf(files: readonly TarEntry[]): Record<string, unknown> {
  const sig = files.find((f) => f.name === '/.signatures.json');
  const jwt = (JSON.parse(Buffer.from(sig?.bytes ?? []).toString()) as { signatures: string[] }).signatures[0] ?? '';
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
}

describe('signBundle → verifyBundle round trip', () => {
  it.each([
    { note: 'ES256 (EC P-256)', alg: 'ES256', priv: EC.priv, pub: EC.pub },
    { note: 'ES384 (EC P-384)', alg: 'ES384', priv: EC384.priv, pub: EC384.pub },
    { note: 'ES512 (EC P-521)', alg: 'ES512', priv: EC521.priv, pub: EC521.pub },
    { note: 'RS256 (RSA)', alg: 'RS256', priv: RSA.priv, pub: RSA.pub },
    { note: 'PS256 (RSA-PSS)', alg: 'PS256', priv: RSA.priv, pub: RSA.pub },
    { note: 'EdDSA (Ed25519)', alg: 'EdDSA', priv: ED.priv, pub: ED.pub },
    { note: 'HS256 (shared secret)', alg: 'HS256', priv: SECRET, pub: SECRET },
  ] as const)('$note', async ({ alg, priv, pub }) => {
    const files = await entries(await sign('k1', alg, priv));
    await expect(verifyBundle(files, { keys: [key('k1', alg, pub)] })).resolves.toEqual({ keyId: 'k1', signedAt: T0s, scope: undefined });
  });

  it('takes JWKs for signing and verifying', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwkPriv = privateKey.export({ format: 'jwk' });
    const jwkPub = publicKey.export({ format: 'jwk' });
    const files = await entries(await signBundle(unsigned, { key: JSON.stringify(jwkPriv), kid: 'j', alg: 'ES256', now: T0 }));
    await expect(verifyBundle(files, { keys: [{ id: 'j', alg: 'ES256', key: jwkPub }] })).resolves.toMatchObject({ keyId: 'j' });
  });

  it("writes OPA's format: one JWT, kid in the header, every other file hashed, keyid/scope/iat claims", async () => {
    const files = await entries(await sign('k1', 'ES256', EC.priv, { scope: 'write' }));
    expect(files[0]?.name).toBe('/.signatures.json');
    const doc = JSON.parse(Buffer.from(files[0]?.bytes ?? []).toString()) as { signatures: string[] };
    expect(doc.signatures).toHaveLength(1);
    expect(decodeProtectedHeader(doc.signatures[0] ?? '')).toEqual({ alg: 'ES256', kid: 'k1', typ: 'JWT' });
    const claims = claimsOf(files);
    expect(claims).toMatchObject({ keyid: 'k1', scope: 'write', iat: T0s });
    const names = (claims['files'] as { name: string; algorithm: string }[]).map((f) => f.name).sort();
    expect(names).toEqual(['.manifest', 'authz/policy.rego', 'data.json', 'policy.wasm']);
    expect((claims['files'] as { algorithm: string }[]).every((f) => f.algorithm === 'SHA-256')).toBe(true);
  });

  it('replaces an earlier signature when signing again', async () => {
    const twice = await signBundle(await sign('old', 'ES256', EC.priv), { key: EC2.priv, kid: 'new', alg: 'ES256', now: T0 });
    const files = await entries(twice);
    expect(files.filter((f) => f.name === '/.signatures.json')).toHaveLength(1);
    await expect(verifyBundle(files, { keys: [key('new', 'ES256', EC2.pub)] })).resolves.toMatchObject({ keyId: 'new' });
  });

  it('verifies a token made as `opa sign` makes it: no kid header, the keyid claim, no iat, hashes of the canonical forms', async () => {
    const files = await entries(unsigned);
    const canonicalHash = (f: TarEntry): string => {
      const text = Buffer.from(f.bytes).toString();
      // hand canonicalisation of these two small documents: keys sorted, no spaces
      if (f.name === '/data.json') return sha256('{"limits":{"max":1.5},"roles":["admin"]}');
      if (f.name === '/.manifest') {
        const m = JSON.parse(text) as { revision: string };
        return sha256(
          `{"metadata":{"portcullis":{"input_reads":{"authz/allow":[["role"]]}}},"rego_version":1,"revision":"${m.revision}","roots":[""],"wasm":[{"entrypoint":"authz/allow","module":"/policy.wasm"}]}`,
        );
      }
      return createHash('sha256').update(f.bytes).digest('hex');
    };
    const payload = { files: files.map((f) => ({ name: f.name.slice(1), hash: canonicalHash(f), algorithm: 'SHA-256' })), keyid: 'opa' };
    const { createPrivateKey } = await import('node:crypto');
    const jwt = await new CompactSign(Buffer.from(JSON.stringify(payload)))
      .setProtectedHeader({ alg: 'RS256' })
      .sign(createPrivateKey(RSA.priv));
    const signed = [{ name: '/.signatures.json', bytes: Buffer.from(JSON.stringify({ signatures: [jwt] })) }, ...files];
    await expect(verifyBundle(signed, { keys: [key('opa', 'RS256', RSA.pub)] })).resolves.toEqual({
      keyId: 'opa',
      signedAt: undefined,
      scope: undefined,
    });
    // without iat it counts as older than any active bundle that has one
    await expect(verifyBundle(signed, { keys: [key('opa', 'RS256', RSA.pub)], activeSignedAt: T0s })).rejects.toMatchObject({
      code: 'ERR_BUNDLE_ROLLBACK',
      message: expect.stringMatching(/no signing time/),
    });
  });
});

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

describe('key rotation', () => {
  it('trusts every key of the set and refuses a dropped one by its id', async () => {
    const byA = await entries(await sign('A', 'ES256', EC.priv));
    const byB = await entries(await sign('B', 'EdDSA', ED.priv));
    const both = [key('A', 'ES256', EC.pub), key('B', 'EdDSA', ED.pub)];
    await expect(verifyBundle(byA, { keys: both })).resolves.toMatchObject({ keyId: 'A' });
    await expect(verifyBundle(byB, { keys: both })).resolves.toMatchObject({ keyId: 'B' });
    const onlyB = [key('B', 'EdDSA', ED.pub)];
    await expect(verifyBundle(byB, { keys: onlyB })).resolves.toMatchObject({ keyId: 'B' });
    await expect(verifyBundle(byA, { keys: onlyB })).rejects.toMatchObject({
      code: 'ERR_BUNDLE_SIGNATURE_KEY_UNKNOWN',
      message: 'bundle is signed by key "A", which is not trusted (trusted keys: "B")',
    });
  });
});

describe('refusals', () => {
  const keys = [key('k1', 'ES256', EC.pub)];
  const signed = () => sign('k1', 'ES256', EC.priv);
  const replace = (name: string, bytes: Uint8Array) => (fs: TarEntry[]) => fs.map((f) => (f.name === name ? { name, bytes } : f));
  const sigWith = (tokens: unknown) => (fs: TarEntry[]) => replace('/.signatures.json', Buffer.from(JSON.stringify(tokens)))(fs);

  it.each([
    {
      note: 'a tampered data.json',
      files: async () => edit(await signed(), replace('/data.json', Buffer.from('{"roles":["admin","intruder"]}'))),
      code: 'ERR_BUNDLE_FILE_DIGEST_MISMATCH',
      message: /^data\.json: digest mismatch \(signed [0-9a-f]{64}, got [0-9a-f]{64}\)$/,
    },
    {
      note: 'an extra file',
      files: async () => edit(await signed(), (fs) => [...fs, { name: '/authz/extra.rego', bytes: Buffer.from('package authz\n') }]),
      code: 'ERR_BUNDLE_FILE_UNSIGNED',
      message: /^authz\/extra\.rego is not included in the bundle signature/,
    },
    {
      note: 'a missing file',
      files: async () => edit(await signed(), (fs) => fs.filter((f) => f.name !== '/authz/policy.rego')),
      code: 'ERR_BUNDLE_FILE_MISSING',
      message: /^authz\/policy\.rego is signed but missing from the bundle$/,
    },
    {
      note: 'no .signatures.json',
      files: async () => entries(unsigned),
      code: 'ERR_BUNDLE_SIGNATURE_MISSING',
      message: /no \/\.signatures\.json/,
    },
    {
      note: 'an empty signature list',
      files: async () => edit(await signed(), sigWith({ signatures: [] })),
      code: 'ERR_BUNDLE_SIGNATURE_MISSING',
      message: /holds no JWT/,
    },
    {
      note: 'two signatures',
      files: async () => {
        const doc = JSON.parse(Buffer.from((await entries(await signed()))[0]?.bytes ?? []).toString()) as { signatures: string[] };
        return edit(await signed(), sigWith({ signatures: [doc.signatures[0], doc.signatures[0]] }));
      },
      code: 'ERR_BUNDLE_SIGNATURE_MULTIPLE',
      message: /holds 2 JWTs; exactly one is expected/,
    },
    {
      note: 'an unknown kid',
      files: async () => entries(await sign('stranger', 'ES256', EC2.priv)),
      code: 'ERR_BUNDLE_SIGNATURE_KEY_UNKNOWN',
      message: /signed by key "stranger", which is not trusted \(trusted keys: "k1"\)/,
    },
    {
      note: 'a signature by another key under a trusted id',
      files: async () => entries(await sign('k1', 'ES256', EC2.priv)),
      code: 'ERR_BUNDLE_SIGNATURE_INVALID',
      message: /^bundle signature by key "k1" does not verify/,
    },
    {
      note: 'another algorithm than the key has',
      files: async () => entries(await sign('k1', 'ES384', EC384.priv)),
      code: 'ERR_BUNDLE_SIGNATURE_INVALID',
      message: /by key "k1" does not verify \(it is ES384, the key is ES256\)/,
    },
    {
      note: 'a signatures file that is not JSON',
      files: async () => edit(await signed(), replace('/.signatures.json', Buffer.from('{'))),
      code: 'ERR_BUNDLE_SIGNATURE_MALFORMED',
      message: /not valid JSON/,
    },
    {
      note: 'a token that is not a JWT',
      files: async () => edit(await signed(), sigWith({ signatures: ['abc'] })),
      code: 'ERR_BUNDLE_SIGNATURE_MALFORMED',
      message: /not a compact JWT/,
    },
  ])('refuses $note', async ({ files, code, message }) => {
    await expect(verifyBundle(await files(), { keys })).rejects.toMatchObject({ code, message: expect.stringMatching(message) });
  });

  it('refuses a scope other than the key is trusted for', async () => {
    const files = await entries(await sign('k1', 'ES256', EC.priv, { scope: 'read' }));
    await expect(verifyBundle(files, { keys: [key('k1', 'ES256', EC.pub, 'write')] })).rejects.toMatchObject({
      code: 'ERR_BUNDLE_SIGNATURE_SCOPE',
      message: 'bundle signature by key "k1" has scope "read", expected "write"',
    });
    await expect(verifyBundle(files, { keys: [key('k1', 'ES256', EC.pub, 'read')] })).resolves.toMatchObject({ scope: 'read' });
  });

  it.each([
    { note: 'older than the active bundle', signedAt: T0s - 60, ok: false },
    { note: 'as old as the active bundle (the same one reloaded)', signedAt: T0s, ok: true },
    { note: 'newer than the active bundle', signedAt: T0s + 60, ok: true },
  ])('rollback: a bundle signed $note', async ({ signedAt, ok }) => {
    const files = await entries(await sign('k1', 'ES256', EC.priv, { now: new Date(signedAt * 1000) }));
    const r = verifyBundle(files, { keys, activeSignedAt: T0s });
    if (ok) await expect(r).resolves.toMatchObject({ signedAt });
    else
      await expect(r).rejects.toMatchObject({
        code: 'ERR_BUNDLE_ROLLBACK',
        message:
          'bundle was signed at 2026-12-01T09:59:00.000Z, before the active bundle (signed at 2026-12-01T10:00:00.000Z); refusing a rollback',
      });
  });

  it.each([
    {
      note: 'an RSA key for ES256',
      k: RSA.priv,
      alg: 'ES256',
      message: /key "k" \(ES256\) cannot be used to sign: a rsa key does not fit ES256/,
    },
    { note: 'text that is no key', k: 'not a key', alg: 'ES256', message: /expected a PEM key or a JWK/ },
    { note: 'an empty HS256 secret', k: '', alg: 'HS256', message: /non-empty shared secret/ },
  ] as const)('refuses to sign with $note', async ({ k, alg, message }) => {
    await expect(signBundle(unsigned, { key: k, kid: 'k', alg })).rejects.toMatchObject({
      code: 'ERR_BUNDLE_KEY_INVALID',
      message: expect.stringMatching(message),
    });
  });
});

describe('loadBundle with verification', () => {
  const keys = [key('k1', 'ES256', EC.pub)];
  const file = (name: string, bytes: Uint8Array) => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  };

  it('loads a signed bundle and says who signed it and when', async () => {
    const path = file('signed.tar.gz', await sign('k1', 'ES256', EC.priv));
    const r = await loadBundle({ kind: 'bundle', path }, { verification: { keys } });
    expect(r.ok).toBe(true);
    expect(r.verification).toEqual({ keyId: 'k1', signedAt: T0s, scope: undefined });
    expect(r.ok && r.bundle.manifest.revision).toBe('rev-1');
  });

  it.each([
    { note: 'an unsigned bundle', bytes: async () => unsigned, code: 'ERR_BUNDLE_SIGNATURE_MISSING' },
    {
      note: 'a tampered bundle',
      bytes: async () => writeTarGz(await edit(await sign('k1', 'ES256', EC.priv), (fs) => fs.filter((f) => f.name !== '/data.json'))),
      code: 'ERR_BUNDLE_FILE_MISSING',
    },
  ])('fails closed on $note', async ({ bytes, code }) => {
    const path = file('bad.tar.gz', await bytes());
    await expect(loadBundle({ kind: 'bundle', path }, { verification: { keys } })).rejects.toMatchObject({ code });
  });

  it('loads an unsigned bundle when no key is configured', async () => {
    const path = file('plain.tar.gz', unsigned);
    const r = await loadBundle({ kind: 'bundle', path }, { verification: { keys: [] } });
    expect(r.ok).toBe(true);
    expect(r.verification).toBeUndefined();
  });

  it('refuses policy sources when keys are configured (they cannot carry a signature)', async () => {
    await expect(loadBundle({ kind: 'paths', paths: [dir] }, { verification: { keys } })).rejects.toMatchObject({
      code: 'ERR_BUNDLE_SIGNATURE_MISSING',
      message: expect.stringMatching(/cannot be signed/),
    });
  });
});
