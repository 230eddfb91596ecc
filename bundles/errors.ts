// The BundleError family: invalid bundle *input* (archives, manifests, data files, paths) raises
// one of these, each with a stable `code` (ERR_BUNDLE_*) and the HTTP status of BUNDLE_ERRORS,
// as jose's errors module does. Rego mistakes are not errors here: they travel as engine
// Diagnostics. Misuse raises TypeError.

/** BundleHttpStatus is the admin API status of a bundle error (422 unprocessable, 404 unknown path, 409 conflict). */
export type BundleHttpStatus = 400 | 404 | 409 | 413 | 422;

/** BUNDLE_ERRORS is the bundle part's error table: the HTTP status of each code (bundles never reach a PostgreSQL client). */
export const BUNDLE_ERRORS = Object.freeze({
  ERR_BUNDLE_ARCHIVE_INVALID: { http: 400 },
  ERR_BUNDLE_MANIFEST_MISSING: { http: 422 },
  ERR_BUNDLE_MANIFEST_INVALID: { http: 422 },
  ERR_BUNDLE_WASM_MISSING: { http: 422 },
  ERR_BUNDLE_WASM_INVALID: { http: 422 },
  ERR_BUNDLE_DATA_INVALID: { http: 422 },
  ERR_BUNDLE_DATA_CONFLICT: { http: 409 },
  ERR_BUNDLE_PATH_NOT_FOUND: { http: 404 },
  ERR_BUNDLE_NO_ENTRYPOINTS: { http: 422 },
  ERR_BUNDLE_ENTRYPOINT_UNDEFINED: { http: 422 },
  ERR_BUNDLE_KEY_INVALID: { http: 422 },
  ERR_BUNDLE_SIGNATURE_MISSING: { http: 422 },
  ERR_BUNDLE_SIGNATURE_MULTIPLE: { http: 422 },
  ERR_BUNDLE_SIGNATURE_MALFORMED: { http: 422 },
  ERR_BUNDLE_SIGNATURE_KEY_UNKNOWN: { http: 422 },
  ERR_BUNDLE_SIGNATURE_INVALID: { http: 422 },
  ERR_BUNDLE_SIGNATURE_SCOPE: { http: 422 },
  ERR_BUNDLE_SIGNATURE_UNVERIFIED: { http: 422 },
  ERR_BUNDLE_FILE_UNSIGNED: { http: 422 },
  ERR_BUNDLE_FILE_MISSING: { http: 422 },
  ERR_BUNDLE_FILE_DIGEST_MISMATCH: { http: 422 },
  ERR_BUNDLE_ROLLBACK: { http: 409 },
} as const satisfies Readonly<Record<string, { readonly http: BundleHttpStatus }>>);

/** BundleErrorCode lists every stable code a BundleError can carry. */
export type BundleErrorCode = keyof typeof BUNDLE_ERRORS;

/** BUNDLE_ERROR_CODES lists every code of BUNDLE_ERRORS, for documentation checks. */
export const BUNDLE_ERROR_CODES = Object.keys(BUNDLE_ERRORS) as readonly BundleErrorCode[];

type Options = { cause?: unknown };

/** BundleError is the base class of every bundle error; `code` is stable, `message` is for humans. */
export class BundleError extends Error {
  /** code identifies the failure; subclasses fix it. */
  readonly code: BundleErrorCode;
  /** http is the admin API status of the code. */
  readonly http: BundleHttpStatus;
  constructor(code: BundleErrorCode, message: string, options?: Options) {
    super(message, options);
    this.code = code;
    this.http = BUNDLE_ERRORS[code].http;
    this.name = 'BundleError';
  }
}

/** BundleErrorClass is a class made by bundleError: `(message, options?)`, its code fixed. */
type BundleErrorClass<C extends BundleErrorCode> = new (message: string, options?: Options) => BundleError & { readonly code: C };

/** BundleErrorClassWithDefault is a BundleErrorClass whose message may be left out. */
type BundleErrorClassWithDefault<C extends BundleErrorCode> = new (
  message?: string,
  options?: Options,
) => BundleError & { readonly code: C };

/** bundleError makes the subclass of one code, named `name`; `fallback` is the message when none is given. */
function bundleError<C extends BundleErrorCode>(code: C, name: string): BundleErrorClass<C>;
function bundleError<C extends BundleErrorCode>(code: C, name: string, fallback: string): BundleErrorClassWithDefault<C>;
function bundleError<C extends BundleErrorCode>(code: C, name: string, fallback = ''): BundleErrorClassWithDefault<C> {
  const made = class extends BundleError {
    constructor(message: string = fallback, options?: Options) {
      super(code, message, options);
      this.name = name;
    }
  };
  Object.defineProperty(made, 'name', { value: name });
  return made as unknown as BundleErrorClassWithDefault<C>;
}

/** BundleArchiveInvalid: the bytes are not a gzip'd tar archive, or an entry is unusable. */
export const BundleArchiveInvalid = bundleError('ERR_BUNDLE_ARCHIVE_INVALID', 'BundleArchiveInvalid');
/** BundleArchiveInvalid is an instance of the class of the same name. */
export type BundleArchiveInvalid = InstanceType<typeof BundleArchiveInvalid>;

/** BundleManifestMissing: the archive has no `/.manifest`. */
export const BundleManifestMissing = bundleError('ERR_BUNDLE_MANIFEST_MISSING', 'BundleManifestMissing', 'bundle has no /.manifest');
/** BundleManifestMissing is an instance of the class of the same name. */
export type BundleManifestMissing = InstanceType<typeof BundleManifestMissing>;

/** BundleManifestInvalid: `/.manifest` is not JSON or does not have the expected shape. */
export const BundleManifestInvalid = bundleError('ERR_BUNDLE_MANIFEST_INVALID', 'BundleManifestInvalid');
/** BundleManifestInvalid is an instance of the class of the same name. */
export type BundleManifestInvalid = InstanceType<typeof BundleManifestInvalid>;

/** BundleWasmMissing: a Wasm module the manifest names (or `/policy.wasm`) is absent. */
export const BundleWasmMissing = bundleError('ERR_BUNDLE_WASM_MISSING', 'BundleWasmMissing');
/** BundleWasmMissing is an instance of the class of the same name. */
export type BundleWasmMissing = InstanceType<typeof BundleWasmMissing>;

/** BundleWasmInvalid: a Wasm module in the bundle does not validate. */
export const BundleWasmInvalid = bundleError('ERR_BUNDLE_WASM_INVALID', 'BundleWasmInvalid');
/** BundleWasmInvalid is an instance of the class of the same name. */
export type BundleWasmInvalid = InstanceType<typeof BundleWasmInvalid>;

/** BundleDataInvalid: a data file is not valid JSON/YAML, or its document cannot be mounted. */
export const BundleDataInvalid = bundleError('ERR_BUNDLE_DATA_INVALID', 'BundleDataInvalid');
/** BundleDataInvalid is an instance of the class of the same name. */
export type BundleDataInvalid = InstanceType<typeof BundleDataInvalid>;

/** BundleDataConflict: two data files set different values at the same path. */
export const BundleDataConflict = bundleError('ERR_BUNDLE_DATA_CONFLICT', 'BundleDataConflict');
/** BundleDataConflict is an instance of the class of the same name. */
export type BundleDataConflict = InstanceType<typeof BundleDataConflict>;

/** BundlePathNotFound: a path given to the loaders does not exist or cannot be read. */
export const BundlePathNotFound = bundleError('ERR_BUNDLE_PATH_NOT_FOUND', 'BundlePathNotFound');
/** BundlePathNotFound is an instance of the class of the same name. */
export type BundlePathNotFound = InstanceType<typeof BundlePathNotFound>;

/** BundleNoEntrypoints: a Wasm bundle needs at least one entrypoint (`-e` or `# METADATA entrypoint: true`). */
export const BundleNoEntrypoints = bundleError(
  'ERR_BUNDLE_NO_ENTRYPOINTS',
  'BundleNoEntrypoints',
  'wasm compilation requires at least one entrypoint',
);
/** BundleNoEntrypoints is an instance of the class of the same name. */
export type BundleNoEntrypoints = InstanceType<typeof BundleNoEntrypoints>;

/** BundleEntrypointUndefined: an entrypoint names no rule and no package of the sources (a typo would build a policy that decides nothing). */
export const BundleEntrypointUndefined = bundleError('ERR_BUNDLE_ENTRYPOINT_UNDEFINED', 'BundleEntrypointUndefined');
/** BundleEntrypointUndefined is an instance of the class of the same name. */
export type BundleEntrypointUndefined = InstanceType<typeof BundleEntrypointUndefined>;

/** BundleKeyInvalid: a signing or verification key cannot be read, or does not fit its algorithm. */
export const BundleKeyInvalid = bundleError('ERR_BUNDLE_KEY_INVALID', 'BundleKeyInvalid');
/** BundleKeyInvalid is an instance of the class of the same name. */
export type BundleKeyInvalid = InstanceType<typeof BundleKeyInvalid>;

/** BundleSignatureMissing: verification keys are configured but the bundle carries no `/.signatures.json` (or no JWT in it). */
export const BundleSignatureMissing = bundleError('ERR_BUNDLE_SIGNATURE_MISSING', 'BundleSignatureMissing');
/** BundleSignatureMissing is an instance of the class of the same name. */
export type BundleSignatureMissing = InstanceType<typeof BundleSignatureMissing>;

/** BundleSignatureMultiple: `/.signatures.json` holds more than one JWT (OPA's verifier takes exactly one). */
export const BundleSignatureMultiple = bundleError('ERR_BUNDLE_SIGNATURE_MULTIPLE', 'BundleSignatureMultiple');
/** BundleSignatureMultiple is an instance of the class of the same name. */
export type BundleSignatureMultiple = InstanceType<typeof BundleSignatureMultiple>;

/** BundleSignatureMalformed: `/.signatures.json` or its JWT cannot be decoded, or the claims have the wrong shape. */
export const BundleSignatureMalformed = bundleError('ERR_BUNDLE_SIGNATURE_MALFORMED', 'BundleSignatureMalformed');
/** BundleSignatureMalformed is an instance of the class of the same name. */
export type BundleSignatureMalformed = InstanceType<typeof BundleSignatureMalformed>;

/** BundleSignatureKeyUnknown: the JWT names a key id (or none) that is not among the trusted keys. */
export const BundleSignatureKeyUnknown = bundleError('ERR_BUNDLE_SIGNATURE_KEY_UNKNOWN', 'BundleSignatureKeyUnknown');
/** BundleSignatureKeyUnknown is an instance of the class of the same name. */
export type BundleSignatureKeyUnknown = InstanceType<typeof BundleSignatureKeyUnknown>;

/** BundleSignatureInvalid: the JWT does not verify with the trusted key it names. */
export const BundleSignatureInvalid = bundleError('ERR_BUNDLE_SIGNATURE_INVALID', 'BundleSignatureInvalid');
/** BundleSignatureInvalid is an instance of the class of the same name. */
export type BundleSignatureInvalid = InstanceType<typeof BundleSignatureInvalid>;

/** BundleSignatureScope: the signed `scope` differs from the scope the key is trusted for. */
export const BundleSignatureScope = bundleError('ERR_BUNDLE_SIGNATURE_SCOPE', 'BundleSignatureScope');
/** BundleSignatureScope is an instance of the class of the same name. */
export type BundleSignatureScope = InstanceType<typeof BundleSignatureScope>;

/** BundleSignatureUnverified: the bundle is signed but no key is configured to verify it (refused, as OPA does, not loaded unverified). */
export const BundleSignatureUnverified = bundleError('ERR_BUNDLE_SIGNATURE_UNVERIFIED', 'BundleSignatureUnverified');
/** BundleSignatureUnverified is an instance of the class of the same name. */
export type BundleSignatureUnverified = InstanceType<typeof BundleSignatureUnverified>;

/** BundleFileUnsigned: a file of the archive is not listed in the signature (added after signing). */
export const BundleFileUnsigned = bundleError('ERR_BUNDLE_FILE_UNSIGNED', 'BundleFileUnsigned');
/** BundleFileUnsigned is an instance of the class of the same name. */
export type BundleFileUnsigned = InstanceType<typeof BundleFileUnsigned>;

/** BundleFileMissing: a file listed in the signature is absent from the archive (removed after signing). */
export const BundleFileMissing = bundleError('ERR_BUNDLE_FILE_MISSING', 'BundleFileMissing');
/** BundleFileMissing is an instance of the class of the same name. */
export type BundleFileMissing = InstanceType<typeof BundleFileMissing>;

/** BundleFileDigestMismatch: a file's hash differs from the signed one (changed after signing). */
export const BundleFileDigestMismatch = bundleError('ERR_BUNDLE_FILE_DIGEST_MISMATCH', 'BundleFileDigestMismatch');
/** BundleFileDigestMismatch is an instance of the class of the same name. */
export type BundleFileDigestMismatch = InstanceType<typeof BundleFileDigestMismatch>;

/** BundleRollback: the bundle was signed before the active one (an old, validly signed bundle replayed). */
export const BundleRollback = bundleError('ERR_BUNDLE_ROLLBACK', 'BundleRollback');
/** BundleRollback is an instance of the class of the same name. */
export type BundleRollback = InstanceType<typeof BundleRollback>;

/** AnyBundleError is the union of every concrete bundle error. */
export type AnyBundleError =
  | BundleArchiveInvalid
  | BundleManifestMissing
  | BundleManifestInvalid
  | BundleWasmMissing
  | BundleWasmInvalid
  | BundleDataInvalid
  | BundleDataConflict
  | BundlePathNotFound
  | BundleNoEntrypoints
  | BundleEntrypointUndefined
  | BundleKeyInvalid
  | BundleSignatureMissing
  | BundleSignatureMultiple
  | BundleSignatureMalformed
  | BundleSignatureKeyUnknown
  | BundleSignatureInvalid
  | BundleSignatureScope
  | BundleSignatureUnverified
  | BundleFileUnsigned
  | BundleFileMissing
  | BundleFileDigestMismatch
  | BundleRollback;

/** isBundleError tells whether a caught value is a BundleError. */
export function isBundleError(e: unknown): e is AnyBundleError {
  return e instanceof BundleError;
}
