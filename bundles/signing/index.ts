// Public surface of bundles/signing: OPA-compatible `.signatures.json` (hash.ts canonical file
// hashing, sign.ts, verify.ts) and the keys they take. Only re-exports (ARCHITECTURE.md §8.14).

export {
  canonicalBytes,
  canonicalText,
  compareUtf8,
  goQuote,
  hashFile,
  isHashAlgorithm,
  isStructuredFile,
  HASH_ALGORITHMS,
} from './hash.js';
export type { HashAlgorithm } from './hash.js';
export { readGoJson, decodeGoUtf8 } from './go-json.js';
export type { GoNumber, GoObject, GoValue } from './go-json.js';
export { readGoYaml, formatFloat32g } from './go-yaml.js';
export { SIGNING_ALGORITHMS, isSigningAlgorithm, importKey } from './keys.js';
export type { KeyMaterial, SigningAlgorithm } from './keys.js';
export { signBundle, signedFiles, SIGNATURES_PATH } from './sign.js';
export type { SignBundleOptions, SignedFile } from './sign.js';
export { verifyBundle } from './verify.js';
export type { BundleVerification, VerificationKey, VerifyBundleOptions } from './verify.js';
