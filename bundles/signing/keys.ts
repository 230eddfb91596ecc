// Keys for bundle signatures: the algorithms OPA's `keys[_].algorithm` accepts (plus EdDSA), and
// the import of a key given as PEM (PKCS#8, PKCS#1, SEC1, SPKI or a certificate, as OPA reads
// them), as a JWK, or as the shared secret of an HS* algorithm. Bad keys raise BundleKeyInvalid.

import { createPrivateKey, createPublicKey, createSecretKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { importJWK } from 'jose';
import type { JWK } from 'jose';
import { BundleKeyInvalid } from '../errors.js';

/** SIGNING_ALGORITHMS are the JWS algorithms a bundle may be signed with. */
export const SIGNING_ALGORITHMS = [
  'ES256',
  'ES384',
  'ES512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'EdDSA',
  'HS256',
  'HS384',
  'HS512',
] as const;

/** SigningAlgorithm is one of SIGNING_ALGORITHMS. */
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

/** isSigningAlgorithm tells whether a string names a supported JWS algorithm. */
export function isSigningAlgorithm(s: unknown): s is SigningAlgorithm {
  return typeof s === 'string' && (SIGNING_ALGORITHMS as readonly string[]).includes(s);
}

/** KeyMaterial is a key as text (PEM, a JWK as JSON, or an HS* secret) or a parsed JWK. */
export type KeyMaterial = string | JWK;

/** ImportedKey is what jose signs or verifies with. */
export type ImportedKey = Awaited<ReturnType<typeof importJWK>> | KeyObject;

/** importKey reads key material for `alg`: private (to sign) or public (to verify; a private key yields its public half). */
export async function importKey(material: KeyMaterial, alg: SigningAlgorithm, use: 'sign' | 'verify', id: string): Promise<ImportedKey> {
  const what = `key ${JSON.stringify(id)} (${alg})`;
  try {
    if (alg.startsWith('HS')) {
      if (typeof material !== 'string' || material === '') throw new Error('an HS* key is a non-empty shared secret');
      // OPA uses the configured text itself as the HMAC secret
      return createSecretKey(Buffer.from(material, 'utf8'));
    }
    const jwk = typeof material === 'string' && material.trimStart().startsWith('{') ? (JSON.parse(material) as JWK) : material;
    if (typeof jwk !== 'string') {
      if (use === 'verify') {
        const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = jwk;
        return importJWK(pub, alg);
      }
      return importJWK(jwk, alg);
    }
    if (!jwk.includes('-----BEGIN')) throw new Error('expected a PEM key or a JWK');
    const key = use === 'sign' ? createPrivateKey(jwk) : createPublicKey(jwk);
    checkKeyType(key, alg);
    return key;
  } catch (cause) {
    if (cause instanceof BundleKeyInvalid) throw cause;
    throw new BundleKeyInvalid(`${what} cannot be used to ${use}: ${(cause as Error).message}`, { cause });
  }
}

/** checkKeyType refuses a PEM key whose type does not fit the algorithm (jose would say so later, less clearly). */
function checkKeyType(key: KeyObject, alg: SigningAlgorithm): void {
  const type = key.asymmetricKeyType ?? '';
  const want = alg.startsWith('ES')
    ? ['ec']
    : alg.startsWith('RS')
      ? ['rsa']
      : alg.startsWith('PS')
        ? ['rsa', 'rsa-pss']
        : ['ed25519', 'ed448'];
  if (!want.includes(type)) throw new Error(`a ${type || 'secret'} key does not fit ${alg} (expected ${want.join(' or ')})`);
}
