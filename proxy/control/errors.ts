// What a client sees when an operator ends its session or blocks its identity (live control):
// FATAL errors naming who acted and why. Declared in CONTROL_ERRORS.

import { ProxyError, defineErrors } from '../errors.js';

/** CONTROL_ERRORS is this folder's error table. */
export const CONTROL_ERRORS = defineErrors({
  ERR_PROXY_SESSION_TERMINATED: { sqlstate: '57P01', http: 409, severity: 'FATAL' },
  ERR_PROXY_IDENTITY_BLOCKED: { sqlstate: '28000', http: 403, severity: 'FATAL' },
});

/** ControlErrorCode is one code of CONTROL_ERRORS. */
export type ControlErrorCode = keyof typeof CONTROL_ERRORS;

/** CONTROL_ERROR_CODES lists every code of CONTROL_ERRORS. */
export const CONTROL_ERROR_CODES = Object.keys(CONTROL_ERRORS) as readonly ControlErrorCode[];

/** SessionTerminatedError: an operator ended the session. */
export class SessionTerminatedError extends ProxyError {
  declare readonly code: 'ERR_PROXY_SESSION_TERMINATED';
  constructor(by: string, reason: string) {
    super('ERR_PROXY_SESSION_TERMINATED', `terminating connection: the session was ended by ${by}: ${reason}`);
    this.name = 'SessionTerminatedError';
  }
}

/** IdentityBlockedError: the session's identity is blocked (new logins are refused, live sessions end). */
export class IdentityBlockedError extends ProxyError {
  declare readonly code: 'ERR_PROXY_IDENTITY_BLOCKED';
  constructor(by: string, reason: string, until: string | null) {
    super('ERR_PROXY_IDENTITY_BLOCKED', `this identity is blocked by ${by}: ${reason}${until !== null ? ` (until ${until})` : ''}`);
    this.name = 'IdentityBlockedError';
  }
}
