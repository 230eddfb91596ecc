// Errors raised while connecting and logging in to the upstream PostgreSQL, all FATAL for the
// client session they serve, declared in UPSTREAM_ERRORS. Messages never carry the upstream
// credentials (user or password): the client did not choose them and must not learn them; the
// upstream's own text goes to the log through `cause` / `upstreamMessage`, never to the client.

import { ProxyError, defineErrors, errorClass } from '../errors.js';
import type { ProxyErrorOptions } from '../errors.js';

/** UPSTREAM_ERRORS is the upstream module's error table (SQLSTATE, HTTP status, severity, hint per code). */
export const UPSTREAM_ERRORS = defineErrors({
  ERR_PROXY_UPSTREAM_UNAVAILABLE: {
    sqlstate: '08006',
    http: 502,
    severity: 'FATAL',
    hint: 'Retry later; if it persists, the gateway operator should check the upstream server.',
  },
  ERR_PROXY_UPSTREAM_AUTH_FAILED: {
    sqlstate: '08006',
    http: 502,
    severity: 'FATAL',
    hint: 'The gateway operator should check the upstream credentials in the gateway configuration.',
  },
  ERR_PROXY_UPSTREAM_PROTOCOL: { sqlstate: '08P01', http: 502, severity: 'FATAL' },
  ERR_PROXY_UPSTREAM_ROLE: {
    sqlstate: '08006',
    http: 502,
    severity: 'FATAL',
    hint: "The gateway operator should check that the policy's database roles exist and that the gateway's login role is a member of them.",
  },
  ERR_PROXY_UPSTREAM_QUERY: { sqlstate: 'XX000', upstream: true, http: 502, severity: 'FATAL' },
});

/** UpstreamErrorCode is one code of UPSTREAM_ERRORS. */
export type UpstreamErrorCode = keyof typeof UPSTREAM_ERRORS;

/** UPSTREAM_ERROR_CODES lists every code of UPSTREAM_ERRORS. */
export const UPSTREAM_ERROR_CODES = Object.keys(UPSTREAM_ERRORS) as readonly UpstreamErrorCode[];

type Options = { readonly detail?: string; readonly hint?: string; readonly cause?: unknown };

/** UpstreamError is the base class of upstream errors. */
export class UpstreamError extends ProxyError {
  declare readonly code: UpstreamErrorCode;
  constructor(code: UpstreamErrorCode, message: string, options: ProxyErrorOptions = {}) {
    super(code, message, options);
    this.name = 'UpstreamError';
  }
}

/** UpstreamUnavailableError: the upstream cannot be reached (refused, timed out, closed, shutting down, full). */
export const UpstreamUnavailableError = errorClass(
  UpstreamError,
  'ERR_PROXY_UPSTREAM_UNAVAILABLE',
  'UpstreamUnavailableError',
  (reason: string, options: Options = {}) => [`upstream database unavailable: ${reason}`, options],
);
/** UpstreamUnavailableError is an instance of the class of the same name. */
export type UpstreamUnavailableError = InstanceType<typeof UpstreamUnavailableError>;

/**
 * UpstreamAuthFailedError: the upstream refused the gateway's own login (wrong configured
 * password, unknown role or database, unsupported method). Not the client's fault, so 08006 and
 * not 28P01: a client must not think its token was wrong.
 */
export class UpstreamAuthFailedError extends UpstreamError {
  declare readonly code: 'ERR_PROXY_UPSTREAM_AUTH_FAILED';
  /** upstreamSqlstate is the SQLSTATE the upstream reported, when it sent an ErrorResponse. */
  readonly upstreamSqlstate: string | undefined;
  /** upstreamMessage is the upstream's text, for the operator's log only. */
  readonly upstreamMessage: string | undefined;
  /** reason is why, for the operator's log only (the client reads that the login was refused, not why). */
  readonly reason: string;
  constructor(reason: string, options: Options & { upstreamSqlstate?: string; upstreamMessage?: string } = {}) {
    // the table's hint always: the client learns nothing of the upstream's answer, not even which check failed
    super('ERR_PROXY_UPSTREAM_AUTH_FAILED', "upstream database refused the gateway's login (the gateway's log says why)", {
      ...(options.detail !== undefined ? { detail: options.detail } : {}),
      ...(options.cause !== undefined ? { cause: options.cause } : {}),
    });
    this.name = 'UpstreamAuthFailedError';
    this.upstreamSqlstate = options.upstreamSqlstate;
    this.upstreamMessage = options.upstreamMessage;
    this.reason = reason;
  }
}

/** UpstreamProtocolError: the upstream sent something the login exchange does not allow (or a bad SCRAM signature). */
export const UpstreamProtocolError = errorClass(
  UpstreamError,
  'ERR_PROXY_UPSTREAM_PROTOCOL',
  'UpstreamProtocolError',
  (message: string, options: Options = {}) => [`upstream protocol error: ${message}`, options],
);
/** UpstreamProtocolError is an instance of the class of the same name. */
export type UpstreamProtocolError = InstanceType<typeof UpstreamProtocolError>;

/**
 * UpstreamRoleError: the upstream refused `SET SESSION ROLE` for the role the policy chose (no such
 * role, the gateway's login role is not a member). The login fails closed; the client sees a fixed
 * message, the upstream's text and the role go to the operator's log through `cause`.
 */
export const UpstreamRoleError = errorClass(UpstreamError, 'ERR_PROXY_UPSTREAM_ROLE', 'UpstreamRoleError', (options: Options = {}) => [
  "upstream database refused the session's role: the gateway could not switch to the database role the policy chose",
  options,
]);
/** UpstreamRoleError is an instance of the class of the same name. */
export type UpstreamRoleError = InstanceType<typeof UpstreamRoleError>;

/** UpstreamQueryError: an internal query (catalog lookup) failed; carries the upstream's SQLSTATE. */
export const UpstreamQueryError = errorClass(
  UpstreamError,
  'ERR_PROXY_UPSTREAM_QUERY',
  'UpstreamQueryError',
  (sqlstate: string, message: string, options: Options = {}) => [`internal upstream query failed: ${message}`, { ...options, sqlstate }],
);
/** UpstreamQueryError is an instance of the class of the same name. */
export type UpstreamQueryError = InstanceType<typeof UpstreamQueryError>;

/** AnyUpstreamError is the union of the concrete upstream errors. */
export type AnyUpstreamError =
  | UpstreamUnavailableError
  | UpstreamAuthFailedError
  | UpstreamProtocolError
  | UpstreamRoleError
  | UpstreamQueryError;
