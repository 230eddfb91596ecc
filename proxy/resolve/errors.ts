// Errors of catalog-backed resolution: a statement whose names the catalog could not describe is
// refused (fail closed), since the policy would decide it without knowing what its functions do
// or what its views read. Declared in RESOLVE_ERRORS and sent as ErrorResponse.

import { ProxyError, defineErrors, errorClass } from '../errors.js';
import type { ProxyErrorOptions } from '../errors.js';

/** RESOLVE_ERRORS is this folder's error table (SQLSTATE, HTTP status, severity, hint per code). */
export const RESOLVE_ERRORS = defineErrors({
  ERR_PROXY_CATALOG_UNAVAILABLE: {
    sqlstate: '58000',
    http: 503,
    severity: 'ERROR',
    hint: 'retry the statement; if it keeps failing, the gateway cannot read the database catalog (see the gateway log)',
  },
  ERR_PROXY_CATALOG_TOO_DEEP: {
    sqlstate: '54001',
    http: 422,
    severity: 'ERROR',
    hint: 'query the tables the views read, or fewer views at once',
  },
});

/** ResolveErrorCode is one code of RESOLVE_ERRORS. */
export type ResolveErrorCode = keyof typeof RESOLVE_ERRORS;

/** RESOLVE_ERROR_CODES lists every code of RESOLVE_ERRORS. */
export const RESOLVE_ERROR_CODES = Object.keys(RESOLVE_ERRORS) as readonly ResolveErrorCode[];

/** ResolveError is the base class of this folder's errors. */
export class ResolveError extends ProxyError {
  declare readonly code: ResolveErrorCode;

  constructor(code: ResolveErrorCode, message: string, options: ProxyErrorOptions = {}) {
    super(code, message, options);
    this.name = 'ResolveError';
  }
}

/** CatalogUnavailableError: the catalog could not describe a relation or function the statement names (58000). */
export const CatalogUnavailableError = errorClass(
  ResolveError,
  'ERR_PROXY_CATALOG_UNAVAILABLE',
  'CatalogUnavailableError',
  (what: string) => [`portcullis: the database catalog could not be read to check ${what}; statement refused`],
);

/** CatalogTooDeepError: the statement reads more views (directly or through views) than the gateway follows (54001). */
export const CatalogTooDeepError = errorClass(ResolveError, 'ERR_PROXY_CATALOG_TOO_DEEP', 'CatalogTooDeepError', (limit: number) => [
  `portcullis: the statement reads more than ${limit} views and relations through views; statement refused`,
]);
