// The session's own errors: refusals of the startup phase (TLS required, a bad startup packet,
// timeouts, limits, expiry, shutdown), all FATAL, each with a stable ERR_PROXY_* code.

import { ProxyError } from '../errors.js';
import type { ProxyErrorSeverity } from '../errors.js';

/** StartupError is a refusal of the startup phase (TLS required, bad startup packet, timeout, …). */
export class StartupError extends ProxyError {
  constructor(code: StartupErrorCode, sqlstate: string, message: string, options: { severity?: ProxyErrorSeverity; hint?: string } = {}) {
    super(code, sqlstate, message, { severity: 'FATAL', ...options });
    this.name = 'StartupError';
  }
}

/** STARTUP_ERROR_CODES lists the stable codes StartupError carries (documented in docs/errors.md). */
export const STARTUP_ERROR_CODES = [
  'ERR_PROXY_TLS_REQUIRED',
  'ERR_PROXY_STARTUP_INVALID',
  'ERR_PROXY_STARTUP_TIMEOUT',
  'ERR_PROXY_TOO_MANY_CONNECTIONS',
  'ERR_PROXY_SESSION_EXPIRED',
  'ERR_PROXY_SHUTTING_DOWN',
] as const;

/** StartupErrorCode is one of STARTUP_ERROR_CODES. */
export type StartupErrorCode = (typeof STARTUP_ERROR_CODES)[number];

/** tooManyConnections is the refusal sent above max_connections (53300, as PostgreSQL). */
export function tooManyConnections(): StartupError {
  return new StartupError('ERR_PROXY_TOO_MANY_CONNECTIONS', '53300', 'sorry, too many clients already');
}

/** shuttingDown is sent to every session when the gateway closes (57P01, as PostgreSQL's admin shutdown). */
export function shuttingDown(): StartupError {
  return new StartupError('ERR_PROXY_SHUTTING_DOWN', '57P01', 'terminating connection due to gateway shutdown');
}

/** sessionExpired is sent when the session's token expires. */
export function sessionExpired(): StartupError {
  return new StartupError('ERR_PROXY_SESSION_EXPIRED', '28000', 'token expired; reconnect with a fresh token');
}
