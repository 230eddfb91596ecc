// What fetching, persisting and serving bundles can go wrong with, as stable codes. These never
// reach a PostgreSQL client: the poller records them in its status (OPA's `errors` list) and the
// operator log, loadPersisted throws them, `portcullis bundle serve` exits with them.

import { TableToolError, defineToolErrors } from '../errors.js';

/** BUNDLE_SERVICE_ERRORS is this folder's error table (HTTP status should one surface on the admin API, CLI exit code). */
export const BUNDLE_SERVICE_ERRORS = defineToolErrors({
  ERR_PROXY_BUNDLE_FETCH: { http: 502, exit: 1 },
  ERR_PROXY_BUNDLE_TOO_LARGE: { http: 502, exit: 1 },
  ERR_PROXY_BUNDLE_ACTIVATION: { http: 422, exit: 1 },
  ERR_PROXY_BUNDLE_PERSISTED_INVALID: { http: 500, exit: 1 },
  ERR_PROXY_BUNDLE_SERVE: { http: 500, exit: 1 },
});

/** BundleServiceErrorCode is one code of BUNDLE_SERVICE_ERRORS. */
export type BundleServiceErrorCode = keyof typeof BUNDLE_SERVICE_ERRORS;

/** BundleServiceError is a failure to fetch, activate, persist or serve a bundle, with its stable code. */
export class BundleServiceError extends TableToolError<BundleServiceErrorCode> {
  /** httpCode is the bundle server's answer when the failure was one (a status other than 200 and 304). */
  readonly httpCode: number | undefined;

  constructor(code: BundleServiceErrorCode, message: string, options: { readonly cause?: unknown; readonly httpCode?: number } = {}) {
    super(BUNDLE_SERVICE_ERRORS, code, message, options);
    this.name = 'BundleServiceError';
    this.httpCode = options.httpCode;
  }
}

/** isBundleServiceError tells a BundleServiceError from anything else caught. */
export function isBundleServiceError(e: unknown): e is BundleServiceError {
  return e instanceof BundleServiceError;
}
