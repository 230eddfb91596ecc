// Public surface of proxy/upstream: log in to PostgreSQL as a client (cleartext, md5,
// SCRAM-SHA-256), switch to the session's database role, forward cancel requests, and run
// internal simple queries (catalog lookups).
// Re-exports only.

export { connectUpstream } from './connect.js';
export { sendCancel } from './cancel.js';
export { simpleQuery } from './simple-query.js';
export { paramQuery } from './param-query.js';
export { setSessionRole, quoteIdentifier } from './session-role.js';
export { runCommand } from './command.js';
export type { CommandOutcome } from './command.js';
export { md5Password, createScramClient } from './auth-methods.js';
export type { ScramClient } from './auth-methods.js';
export {
  UPSTREAM_ERRORS,
  UPSTREAM_ERROR_CODES,
  UpstreamError,
  UpstreamUnavailableError,
  UpstreamAuthFailedError,
  UpstreamProtocolError,
  UpstreamQueryError,
  UpstreamRoleError,
} from './errors.js';
export type { UpstreamErrorCode, AnyUpstreamError } from './errors.js';
export type { BackendKey, SimpleQueryResult, UpstreamAuthMethod, UpstreamConnection, UpstreamLogin, UpstreamOptions } from './types.js';
