// signBundle: bundle tarball bytes → the same files plus `/.signatures.json`, in OPA's format:
// `{"signatures":["<JWS>"]}` whose payload lists every other file's name (no leading `/`), hash
// (hash.ts) and algorithm, with `keyid`, `scope` when given and `iat` (signing time, seconds).
// The header carries `alg`, `kid` and `typ: JWT`, so `opa run --verification-key-id` or OPA's
// key-id lookup both find the key.

import { CompactSign } from 'jose';
import { readTarGz, writeTarGz } from '../tarball.js';
import type { TarEntry } from '../tarball.js';
import { hashFile } from './hash.js';
import { importKey } from './keys.js';
import type { KeyMaterial, SigningAlgorithm } from './keys.js';

/** SIGNATURES_PATH is where a bundle carries its signatures. */
export const SIGNATURES_PATH = '/.signatures.json';

/** SignBundleOptions says how to sign: the private key (PEM or JWK; the secret for HS*), its id and algorithm. */
export type SignBundleOptions = {
  readonly key: KeyMaterial;
  readonly kid: string;
  /** alg defaults to ES256. */
  readonly alg?: SigningAlgorithm;
  readonly scope?: string;
  /** now is the signing time (default: the clock). */
  readonly now?: Date;
};

/** SignedFile is one entry of the signed `files` claim. */
export type SignedFile = { readonly name: string; readonly hash: string; readonly algorithm: string };

/** signedFiles lists every file of an archive except `.signatures.json`, hashed as OPA does (SHA-256). */
export function signedFiles(entries: readonly TarEntry[]): SignedFile[] {
  return entries
    .filter((e) => e.name !== SIGNATURES_PATH)
    .map((e) => ({ name: e.name.slice(1), hash: hashFile(e.name, e.bytes, 'SHA-256'), algorithm: 'SHA-256' }));
}

/** signBundle returns new tarball bytes carrying a `/.signatures.json` (replacing any earlier one). */
export async function signBundle(tarball: Uint8Array, opts: SignBundleOptions): Promise<Uint8Array> {
  if (opts.kid === '') throw new TypeError('signBundle: kid must not be empty');
  const alg = opts.alg ?? 'ES256';
  const key = await importKey(opts.key, alg, 'sign', opts.kid);
  const entries = (await readTarGz(tarball)).filter((e) => e.name !== SIGNATURES_PATH);
  const iat = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  const claims = {
    files: signedFiles(entries),
    // `keyid` is OPA's deprecated claim; it still reads it when the header has no kid
    keyid: opts.kid,
    ...(opts.scope !== undefined ? { scope: opts.scope } : {}),
    iat,
  };
  const jwt = await new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
    .setProtectedHeader({ alg, kid: opts.kid, typ: 'JWT' })
    .sign(key);
  const signatures: TarEntry = { name: SIGNATURES_PATH, bytes: new TextEncoder().encode(JSON.stringify({ signatures: [jwt] })) };
  return writeTarGz([signatures, ...entries]);
}
