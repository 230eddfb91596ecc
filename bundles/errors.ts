// The BundleError family: invalid bundle *input* (archives, manifests, data files, paths) raises
// one of these, each with a stable `code` (ERR_BUNDLE_*), as jose's errors module does.
// Rego mistakes are not errors here: they travel as engine Diagnostics. Misuse raises TypeError.

/** BundleErrorCode lists every stable code a BundleError can carry. */
export type BundleErrorCode =
  | 'ERR_BUNDLE_ARCHIVE_INVALID'
  | 'ERR_BUNDLE_MANIFEST_MISSING'
  | 'ERR_BUNDLE_MANIFEST_INVALID'
  | 'ERR_BUNDLE_WASM_MISSING'
  | 'ERR_BUNDLE_WASM_INVALID'
  | 'ERR_BUNDLE_DATA_INVALID'
  | 'ERR_BUNDLE_DATA_CONFLICT'
  | 'ERR_BUNDLE_PATH_NOT_FOUND'
  | 'ERR_BUNDLE_NO_ENTRYPOINTS';

/** BundleError is the base class of every bundle error; `code` is stable, `message` is for humans. */
export class BundleError extends Error {
  /** code identifies the failure; subclasses fix it. */
  readonly code: BundleErrorCode;
  constructor(code: BundleErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'BundleError';
  }
}

/** BundleArchiveInvalid: the bytes are not a gzip'd tar archive, or an entry is unusable. */
export class BundleArchiveInvalid extends BundleError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_BUNDLE_ARCHIVE_INVALID', message, options);
    this.name = 'BundleArchiveInvalid';
  }
}

/** BundleManifestMissing: the archive has no `/.manifest`. */
export class BundleManifestMissing extends BundleError {
  constructor(message = 'bundle has no /.manifest', options?: { cause?: unknown }) {
    super('ERR_BUNDLE_MANIFEST_MISSING', message, options);
    this.name = 'BundleManifestMissing';
  }
}

/** BundleManifestInvalid: `/.manifest` is not JSON or does not have the expected shape. */
export class BundleManifestInvalid extends BundleError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_BUNDLE_MANIFEST_INVALID', message, options);
    this.name = 'BundleManifestInvalid';
  }
}

/** BundleWasmMissing: a Wasm module the manifest names (or `/policy.wasm`) is absent. */
export class BundleWasmMissing extends BundleError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_BUNDLE_WASM_MISSING', message, options);
    this.name = 'BundleWasmMissing';
  }
}

/** BundleWasmInvalid: a Wasm module in the bundle does not validate. */
export class BundleWasmInvalid extends BundleError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_BUNDLE_WASM_INVALID', message, options);
    this.name = 'BundleWasmInvalid';
  }
}

/** BundleDataInvalid: a data file is not valid JSON/YAML, or its document cannot be mounted. */
export class BundleDataInvalid extends BundleError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_BUNDLE_DATA_INVALID', message, options);
    this.name = 'BundleDataInvalid';
  }
}

/** BundleDataConflict: two data files set different values at the same path. */
export class BundleDataConflict extends BundleError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_BUNDLE_DATA_CONFLICT', message, options);
    this.name = 'BundleDataConflict';
  }
}

/** BundlePathNotFound: a path given to the loaders does not exist or cannot be read. */
export class BundlePathNotFound extends BundleError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_BUNDLE_PATH_NOT_FOUND', message, options);
    this.name = 'BundlePathNotFound';
  }
}

/** BundleNoEntrypoints: a Wasm bundle needs at least one entrypoint (`-e` or `# METADATA entrypoint: true`). */
export class BundleNoEntrypoints extends BundleError {
  constructor(message = 'wasm compilation requires at least one entrypoint', options?: { cause?: unknown }) {
    super('ERR_BUNDLE_NO_ENTRYPOINTS', message, options);
    this.name = 'BundleNoEntrypoints';
  }
}

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
  | BundleNoEntrypoints;

/** BUNDLE_ERROR_CODES lists every code, for documentation checks. */
export const BUNDLE_ERROR_CODES: readonly BundleErrorCode[] = [
  'ERR_BUNDLE_ARCHIVE_INVALID',
  'ERR_BUNDLE_MANIFEST_MISSING',
  'ERR_BUNDLE_MANIFEST_INVALID',
  'ERR_BUNDLE_WASM_MISSING',
  'ERR_BUNDLE_WASM_INVALID',
  'ERR_BUNDLE_DATA_INVALID',
  'ERR_BUNDLE_DATA_CONFLICT',
  'ERR_BUNDLE_PATH_NOT_FOUND',
  'ERR_BUNDLE_NO_ENTRYPOINTS',
];

/** isBundleError tells whether a caught value is a BundleError. */
export function isBundleError(e: unknown): e is AnyBundleError {
  return e instanceof BundleError;
}
