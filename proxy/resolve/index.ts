// Public surface of proxy/resolve: a statement's names resolved through the database catalog
// (system relations, views followed to the tables they read, what each called function is) before
// the policy decides it. Re-exports only.

export { resolveStatement, MAX_RELATIONS } from './resolve.js';
export type { Resolved, StatementRoutine, ViewColumn } from './resolve.js';
export { RESOLVE_ERRORS, RESOLVE_ERROR_CODES, ResolveError, CatalogUnavailableError, CatalogTooDeepError } from './errors.js';
export type { ResolveErrorCode } from './errors.js';
