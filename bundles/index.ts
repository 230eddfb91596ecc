// Public surface of bundles/: build OPA Wasm bundles from Rego sources and data, write/read them
// as deterministic tar.gz bytes, load sources and data files from disk, and the BundleError family.
// Only re-exports (ARCHITECTURE.md §8.14).

export { buildBundle } from './build.js';
export type { BuildBundleOptions, BuildBundleResult, BundleSource } from './build.js';
export {
  writeBundleTarball,
  readBundleTarball,
  bundleFromEntries,
  writeTarGz,
  readTarGz,
  bundleEntries,
  normaliseEntryName,
} from './tarball.js';
export type { Bundle, BundleModule, TarEntry } from './tarball.js';
export { createManifest, parseManifest, validateManifest, serializeManifest, sourceRegoVersion, POLICY_WASM_PATH } from './manifest.js';
export type { Manifest, WasmResolver } from './manifest.js';
export { inputReadsMetadata, manifestInputReads } from './input-reads.js';
export type { InputReadPaths, ManifestInputReads } from './input-reads.js';
export { parseDataText, mergeData, isDataObject, DATA_FILE_NAMES } from './data-files.js';
export type { DataObject } from './data-files.js';
export { collectSources, loadDataFiles, readDataFile, isTestFile } from './sources.js';
export { loadBundle, checkSignature } from './load.js';
export type { LoadBundleOptions, LoadBundleResult, PolicySourceSpec } from './load.js';
export { gitRevision } from './revision.js';
export type { GitRevision } from './revision.js';
export {
  signBundle,
  signedFiles,
  verifyBundle,
  hashFile,
  canonicalBytes,
  canonicalText,
  compareUtf8,
  goQuote,
  isHashAlgorithm,
  isStructuredFile,
  readGoJson,
  readGoYaml,
  decodeGoUtf8,
  formatFloat32g,
  importKey,
  isSigningAlgorithm,
  HASH_ALGORITHMS,
  SIGNATURES_PATH,
  SIGNING_ALGORITHMS,
} from './signing/index.js';
export type {
  BundleVerification,
  GoNumber,
  GoObject,
  GoValue,
  HashAlgorithm,
  KeyMaterial,
  SignBundleOptions,
  SignedFile,
  SigningAlgorithm,
  VerificationKey,
  VerifyBundleOptions,
} from './signing/index.js';
export type { CollectedSource, CollectOptions } from './sources.js';
export {
  BundleError,
  BundleArchiveInvalid,
  BundleManifestMissing,
  BundleManifestInvalid,
  BundleWasmMissing,
  BundleWasmInvalid,
  BundleDataInvalid,
  BundleDataConflict,
  BundlePathNotFound,
  BundleNoEntrypoints,
  BundleEntrypointUndefined,
  BundleKeyInvalid,
  BundleSignatureMissing,
  BundleSignatureMultiple,
  BundleSignatureMalformed,
  BundleSignatureKeyUnknown,
  BundleSignatureInvalid,
  BundleSignatureScope,
  BundleSignatureUnverified,
  BundleFileUnsigned,
  BundleFileMissing,
  BundleFileDigestMismatch,
  BundleRollback,
  BUNDLE_ERRORS,
  BUNDLE_ERROR_CODES,
  isBundleError,
} from './errors.js';
export type { BundleErrorCode, BundleHttpStatus, AnyBundleError } from './errors.js';
