// verifyBundle: the files of a bundle archive + trusted keys → who signed it and when, or a
// BundleError naming the file or key. Stricter than OPA where OPA is weak: the trusted keys are a
// set (rotation without making signatures optional, opa#8531), and a bundle signed before the
// active one is refused (OPA accepts an older validly signed bundle: rollback).

import { compactVerify, decodeProtectedHeader } from 'jose';
import {
  BundleFileDigestMismatch,
  BundleFileMissing,
  BundleFileUnsigned,
  BundleRollback,
  BundleSignatureInvalid,
  BundleSignatureKeyUnknown,
  BundleSignatureMalformed,
  BundleSignatureMissing,
  BundleSignatureMultiple,
  BundleSignatureScope,
} from '../errors.js';
import type { TarEntry } from '../tarball.js';
import { HashInputError, hashFile, isHashAlgorithm } from './hash.js';
import { importKey } from './keys.js';
import type { KeyMaterial, SigningAlgorithm } from './keys.js';
import { SIGNATURES_PATH } from './sign.js';

/** VerificationKey is one trusted key: its id (the JWT `kid`), algorithm, public key (PEM or JWK; the secret for HS*), optional scope. */
export type VerificationKey = {
  readonly id: string;
  readonly alg: SigningAlgorithm;
  readonly key: KeyMaterial;
  /** scope the signature must carry (OPA's keys[_].scope); default: none. */
  readonly scope?: string;
};

/** VerifyBundleOptions are the trusted keys and, for rollback protection, the active bundle's signing time. */
export type VerifyBundleOptions = {
  readonly keys: readonly VerificationKey[];
  /** activeSignedAt is the `iat` (seconds) of the bundle in service; an earlier one is refused. */
  readonly activeSignedAt?: number;
};

/** BundleVerification is what a verified signature says: the key that signed and when (undefined: no `iat`, e.g. `opa sign`). */
export type BundleVerification = {
  readonly keyId: string;
  readonly signedAt: number | undefined;
  readonly scope: string | undefined;
};

type Claims = { files: Map<string, { hash: string; algorithm: string }>; keyid?: string; scope?: string; iat?: number };

/** verifyBundle checks the one signature of an archive against the trusted keys and every file against it. */
export async function verifyBundle(files: readonly TarEntry[], opts: VerifyBundleOptions): Promise<BundleVerification> {
  if (opts.keys.length === 0) throw new TypeError('verifyBundle: at least one trusted key is required');
  const trusted = opts.keys.map((k) => JSON.stringify(k.id)).join(', ');
  const jwt = oneToken(files.find((f) => f.name === SIGNATURES_PATH));
  let header: Record<string, unknown>;
  let unverified: Claims;
  try {
    header = decodeProtectedHeader(jwt) as Record<string, unknown>;
    unverified = readClaims(jwt.split('.')[1] ?? '');
  } catch (cause) {
    if (cause instanceof BundleSignatureMalformed) throw cause;
    throw new BundleSignatureMalformed(`${SIGNATURES_PATH}: the JWT cannot be decoded: ${(cause as Error).message}`, { cause });
  }
  // OPA's order: the header's kid, then the deprecated `keyid` claim
  const kid = typeof header['kid'] === 'string' && header['kid'] !== '' ? header['kid'] : unverified.keyid;
  if (kid === undefined || kid === '') throw new BundleSignatureKeyUnknown(`bundle signature names no key id (trusted keys: ${trusted})`);
  const key = opts.keys.find((k) => k.id === kid);
  if (!key)
    throw new BundleSignatureKeyUnknown(`bundle is signed by key ${JSON.stringify(kid)}, which is not trusted (trusted keys: ${trusted})`);
  let claims: Claims;
  try {
    const { payload } = await compactVerify(jwt, await importKey(key.key, key.alg, 'verify', key.id), { algorithms: [key.alg] });
    claims = readClaims(Buffer.from(payload).toString('base64url'));
  } catch (cause) {
    if (cause instanceof BundleSignatureMalformed || (cause as { code?: string }).code === 'ERR_BUNDLE_KEY_INVALID') throw cause;
    const why = header['alg'] !== key.alg ? `it is ${String(header['alg'])}, the key is ${key.alg}` : (cause as Error).message;
    throw new BundleSignatureInvalid(`bundle signature by key ${JSON.stringify(kid)} does not verify (${why})`, { cause });
  }
  const want = key.scope ?? '';
  if ((claims.scope ?? '') !== want) {
    throw new BundleSignatureScope(
      `bundle signature by key ${JSON.stringify(kid)} has scope ${JSON.stringify(claims.scope ?? '')}, expected ${JSON.stringify(want)}`,
    );
  }
  checkFiles(files, claims.files);
  if (opts.activeSignedAt !== undefined) checkNotOlder(claims.iat, opts.activeSignedAt);
  return { keyId: kid, signedAt: claims.iat, scope: claims.scope };
}

/** oneToken reads `.signatures.json` and returns its only JWT. */
function oneToken(entry: TarEntry | undefined): string {
  if (!entry) throw new BundleSignatureMissing(`bundle is not signed: it has no ${SIGNATURES_PATH} and verification keys are configured`);
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(entry.bytes));
  } catch (cause) {
    throw new BundleSignatureMalformed(`${SIGNATURES_PATH} is not valid JSON`, { cause });
  }
  const list = typeof doc === 'object' && doc !== null ? (doc as { signatures?: unknown }).signatures : undefined;
  if (list !== undefined && !Array.isArray(list))
    throw new BundleSignatureMalformed(`${SIGNATURES_PATH}: "signatures" must be an array of JWTs`);
  if (list === undefined || list.length === 0) throw new BundleSignatureMissing(`bundle is not signed: ${SIGNATURES_PATH} holds no JWT`);
  if (list.length > 1) throw new BundleSignatureMultiple(`${SIGNATURES_PATH} holds ${list.length} JWTs; exactly one is expected`);
  const [jwt] = list;
  if (typeof jwt !== 'string' || jwt.split('.').length !== 3)
    throw new BundleSignatureMalformed(`${SIGNATURES_PATH}: the signature is not a compact JWT`);
  return jwt;
}

/** readClaims decodes a JWT payload segment and checks the claims' shape. */
function readClaims(segment: string): Claims {
  const bad = (what: string) => new BundleSignatureMalformed(`${SIGNATURES_PATH}: ${what}`);
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch (cause) {
    throw new BundleSignatureMalformed(`${SIGNATURES_PATH}: the JWT payload is not JSON`, { cause });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad('the JWT payload is not an object');
  const p = raw as Record<string, unknown>;
  if (!Array.isArray(p['files'])) throw bad('the JWT payload has no "files" list');
  const files = new Map<string, { hash: string; algorithm: string }>();
  for (const f of p['files'] as unknown[]) {
    const { name, hash, algorithm } = (typeof f === 'object' && f !== null ? f : {}) as Record<string, unknown>;
    if (typeof name !== 'string' || typeof hash !== 'string') throw bad('every "files" entry needs a string name and hash');
    if (!isHashAlgorithm(algorithm)) throw bad(`file ${name}: unsupported hashing algorithm ${JSON.stringify(algorithm ?? '')}`);
    files.set(name.replace(/^\/+/, ''), { hash: hash.toLowerCase(), algorithm });
  }
  const { keyid, scope, iat } = p;
  if (keyid !== undefined && typeof keyid !== 'string') throw bad('"keyid" must be a string');
  if (scope !== undefined && typeof scope !== 'string') throw bad('"scope" must be a string');
  if (iat !== undefined && (typeof iat !== 'number' || !Number.isFinite(iat))) throw bad('"iat" must be a number of seconds');
  return {
    files,
    ...(keyid !== undefined ? { keyid } : {}),
    ...(scope !== undefined ? { scope } : {}),
    ...(iat !== undefined ? { iat } : {}),
  };
}

/** checkFiles requires the archive's files and the signed list to be the same set, with equal hashes. */
function checkFiles(files: readonly TarEntry[], signed: Claims['files']): void {
  const seen = new Set<string>();
  for (const f of files) {
    if (f.name === SIGNATURES_PATH) continue;
    const name = f.name.slice(1);
    seen.add(name);
    const want = signed.get(name);
    if (!want) throw new BundleFileUnsigned(`${name} is not included in the bundle signature (added after signing?)`);
    let got: string;
    try {
      got = hashFile(f.name, f.bytes, want.algorithm as Parameters<typeof hashFile>[2]);
    } catch (cause) {
      if (!(cause instanceof HashInputError)) throw cause;
      throw new BundleFileDigestMismatch(`${name}: cannot be hashed (${cause.message})`, { cause });
    }
    if (got !== want.hash) throw new BundleFileDigestMismatch(`${name}: digest mismatch (signed ${want.hash}, got ${got})`);
  }
  for (const name of signed.keys()) {
    if (!seen.has(name)) throw new BundleFileMissing(`${name} is signed but missing from the bundle`);
  }
}

/** checkNotOlder refuses a bundle signed before the active one; no `iat` counts as older than any. */
function checkNotOlder(iat: number | undefined, active: number): void {
  const at = (s: number) => new Date(s * 1000).toISOString();
  if (iat === undefined)
    throw new BundleRollback(
      `bundle has no signing time (iat) and the active bundle was signed at ${at(active)}; refusing a possible rollback`,
    );
  if (iat < active)
    throw new BundleRollback(`bundle was signed at ${at(iat)}, before the active bundle (signed at ${at(active)}); refusing a rollback`);
}
