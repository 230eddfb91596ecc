// Errors of the shared state store (proxy/state), declared in STATE_ERRORS. Whatever needs the
// store fails closed with one of these; statements that need nothing from it never see them. The
// store's own text (the upstream client's error) goes to the operator's log through `cause`.

import { ProxyError, defineErrors, errorClass } from '../errors.js';
import type { ProxyErrorOptions } from '../errors.js';

/** STATE_ERRORS is the state store's error table (SQLSTATE, HTTP status, severity, hint per code). */
export const STATE_ERRORS = defineErrors({
  ERR_PROXY_STATE_UNAVAILABLE: {
    sqlstate: '58000',
    http: 503,
    severity: 'ERROR',
    hint: "Retry later; if it persists, the gateway operator should check the state store (the gateway's `state` setting).",
  },
  ERR_PROXY_STATE_MIGRATION: {
    sqlstate: '58000',
    http: 503,
    severity: 'ERROR',
    hint: "The gateway operator should check the gateway's log and that the state store's user may create the portcullis schema.",
  },
});

/** StateErrorCode is one code of STATE_ERRORS. */
export type StateErrorCode = keyof typeof STATE_ERRORS;

/** STATE_ERROR_CODES lists every code of STATE_ERRORS. */
export const STATE_ERROR_CODES = Object.keys(STATE_ERRORS) as readonly StateErrorCode[];

type Options = { readonly detail?: string; readonly cause?: unknown };

/** StateError is the base class of state store errors. */
export class StateError extends ProxyError {
  declare readonly code: StateErrorCode;
  constructor(code: StateErrorCode, message: string, options: ProxyErrorOptions = {}) {
    super(code, message, options);
    this.name = 'StateError';
  }
}

/** StateUnavailableError: the state store cannot be reached or refused the gateway's login (the reason names neither user nor password). */
export const StateUnavailableError = errorClass(
  StateError,
  'ERR_PROXY_STATE_UNAVAILABLE',
  'StateUnavailableError',
  (reason: string, options: Options = {}) => [`state store unavailable: ${reason}`, options],
);
/** StateUnavailableError is an instance of the class of the same name. */
export type StateUnavailableError = InstanceType<typeof StateUnavailableError>;

/** StateMigrationError: the state store was reached but its schema could not be brought up to date. */
export const StateMigrationError = errorClass(
  StateError,
  'ERR_PROXY_STATE_MIGRATION',
  'StateMigrationError',
  (reason: string, options: Options = {}) => [`state store schema could not be migrated: ${reason}`, options],
);
/** StateMigrationError is an instance of the class of the same name. */
export type StateMigrationError = InstanceType<typeof StateMigrationError>;
