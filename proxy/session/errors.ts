// The session's errors, declared in SESSION_ERRORS: refusals of the startup phase (TLS required,
// bad startup packet, timeouts, too many clients, expiry, shutdown), all FATAL as PostgreSQL's
// own, and the relay losing track of the upstream's responses (a broken invariant: FATAL).

import { ProxyError, defineErrors } from '../errors.js';
import type { ProxyErrorSeverity, SqlstateOf } from '../errors.js';

/** SESSION_ERRORS is the session's error table (SQLSTATE, HTTP status, severity, hint per code). */
export const SESSION_ERRORS = defineErrors({
  ERR_PROXY_TLS_REQUIRED: { sqlstate: '28000', http: 403, severity: 'FATAL', hint: 'Connect with sslmode=require (or verify-full).' },
  ERR_PROXY_STARTUP_INVALID: { sqlstate: '28000', variants: ['08P01'], http: 400, severity: 'FATAL' },
  ERR_PROXY_STARTUP_TIMEOUT: { sqlstate: '08006', http: 408, severity: 'FATAL' },
  ERR_PROXY_AUTHENTICATION_TIMEOUT: { sqlstate: '08006', http: 408, severity: 'FATAL' },
  ERR_PROXY_MESSAGE_TIMEOUT: { sqlstate: '08006', http: 408, severity: 'FATAL' },
  ERR_PROXY_TOO_MANY_CONNECTIONS: { sqlstate: '53300', http: 503, severity: 'FATAL' },
  ERR_PROXY_TOO_MANY_LOGINS: { sqlstate: '53300', http: 503, severity: 'FATAL' },
  ERR_PROXY_SESSION_EXPIRED: { sqlstate: '28000', http: 401, severity: 'FATAL' },
  ERR_PROXY_SHUTTING_DOWN: { sqlstate: '57P01', http: 503, severity: 'FATAL' },
  ERR_PROXY_RELAY_DESYNC: { sqlstate: 'XX000', http: 502, severity: 'FATAL' },
});

/** SessionErrorCode is one code of SESSION_ERRORS. */
export type SessionErrorCode = keyof typeof SESSION_ERRORS;

/** StartupErrorCode is one code a StartupError carries (every session code but the relay's). */
export type StartupErrorCode = Exclude<SessionErrorCode, 'ERR_PROXY_RELAY_DESYNC'>;

/** STARTUP_ERROR_CODES lists the codes StartupError carries. */
export const STARTUP_ERROR_CODES = (Object.keys(SESSION_ERRORS) as SessionErrorCode[]).filter(
  (code): code is StartupErrorCode => code !== 'ERR_PROXY_RELAY_DESYNC',
) as readonly StartupErrorCode[];

/** StartupSqlstate is a SQLSTATE the table allows for some startup code (the constructor checks the pair). */
export type StartupSqlstate = SqlstateOf<(typeof SESSION_ERRORS)[StartupErrorCode]>;

/** StartupError is a refusal of the startup phase (TLS required, bad startup packet, timeout, …). */
export class StartupError extends ProxyError {
  declare readonly code: StartupErrorCode;
  constructor(code: StartupErrorCode, message: string, options?: StartupErrorOptions);
  /** The form that names the SQLSTATE (checked against the table: a row's default or one of its variants). */
  constructor(code: StartupErrorCode, sqlstate: StartupSqlstate, message: string, options?: StartupErrorOptions);
  constructor(code: StartupErrorCode, a: string, b?: string | StartupErrorOptions, c?: StartupErrorOptions) {
    const named = typeof b === 'string';
    super(code, named ? b : a, { ...(named ? c : b), ...(named ? { sqlstate: a } : {}) });
    this.name = 'StartupError';
  }
}

/** StartupErrorOptions are what a startup raise site adds to the table's values. */
export type StartupErrorOptions = { readonly severity?: ProxyErrorSeverity; readonly hint?: string };

/** tooManyConnections is the refusal sent above max_connections (53300, as PostgreSQL). */
export function tooManyConnections(): StartupError {
  return new StartupError('ERR_PROXY_TOO_MANY_CONNECTIONS', 'sorry, too many clients already');
}

/** tooManyLogins refuses a connection while limits.max_unauthenticated connections are logging in and none can be crowded out (53300). */
export function tooManyLogins(): StartupError {
  return new StartupError('ERR_PROXY_TOO_MANY_LOGINS', 'sorry, too many clients logging in already');
}

/** crowdedOut closes the oldest connection still logging in from the busiest address, to make room for a newer one (53300). */
export function crowdedOut(): StartupError {
  return new StartupError(
    'ERR_PROXY_TOO_MANY_LOGINS',
    'portcullis: too many connections logging in from this address; the oldest was closed to make room',
  );
}

/** authenticationTimeout ends a connection that has not authenticated within limits.authentication_timeout (PostgreSQL's text). */
export function authenticationTimeout(): StartupError {
  return new StartupError('ERR_PROXY_AUTHENTICATION_TIMEOUT', 'canceling authentication due to timeout');
}

/** messageTimeout ends a connection that began a message and did not finish it within limits.message_timeout. */
export function messageTimeout(timeoutMs: number): StartupError {
  return new StartupError(
    'ERR_PROXY_MESSAGE_TIMEOUT',
    `terminating connection: a message was begun and not completed within ${formatMs(timeoutMs)}`,
  );
}

/** formatMs renders a timeout for a message (`200 ms`, `30 s`). */
function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** shuttingDown is sent to every session when the gateway closes (57P01, as PostgreSQL's admin shutdown). */
export function shuttingDown(): StartupError {
  return new StartupError('ERR_PROXY_SHUTTING_DOWN', 'terminating connection due to gateway shutdown');
}

/** sessionExpired is sent when the session's token expires (28000). */
export function sessionExpired(): StartupError {
  return new StartupError('ERR_PROXY_SESSION_EXPIRED', 'token expired; reconnect with a fresh token');
}

/** RelayDesyncError is a broken invariant: the upstream answered something that was not asked (the session is closed). */
export class RelayDesyncError extends ProxyError {
  declare readonly code: 'ERR_PROXY_RELAY_DESYNC';
  constructor(message: string) {
    super('ERR_PROXY_RELAY_DESYNC', message);
    this.name = 'RelayDesyncError';
  }
}
