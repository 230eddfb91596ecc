// Errors raised while connecting and logging in to the upstream PostgreSQL, all FATAL for the
// client session they serve. Messages never carry the upstream credentials (user or password):
// the client did not choose them and must not learn them; the upstream's own text goes to the
// log through `cause` / `upstreamMessage`, never to the client.

import { ProxyError } from '../errors.js';

/** UPSTREAM_ERROR_CODES lists the stable codes of this module (documented in docs/errors.md). */
export const UPSTREAM_ERROR_CODES = [
  'ERR_PROXY_UPSTREAM_UNAVAILABLE',
  'ERR_PROXY_UPSTREAM_AUTH_FAILED',
  'ERR_PROXY_UPSTREAM_PROTOCOL',
  'ERR_PROXY_UPSTREAM_QUERY',
] as const;

/** UpstreamErrorCode is one entry of UPSTREAM_ERROR_CODES. */
export type UpstreamErrorCode = (typeof UPSTREAM_ERROR_CODES)[number];

/** SQLSTATE 08006 connection_failure. */
const CONNECTION_FAILURE = '08006';

type Options = { readonly detail?: string; readonly hint?: string; readonly cause?: unknown };

/** UpstreamError is the base class of upstream errors. */
export class UpstreamError extends ProxyError {
  declare readonly code: UpstreamErrorCode;
  constructor(code: UpstreamErrorCode, sqlstate: string, message: string, options: Options = {}) {
    super(code, sqlstate, message, { severity: 'FATAL', ...options });
    this.name = 'UpstreamError';
  }
}

/** UpstreamUnavailableError: the upstream cannot be reached (refused, timed out, closed, shutting down, full). */
export class UpstreamUnavailableError extends UpstreamError {
  constructor(reason: string, options: Options = {}) {
    super('ERR_PROXY_UPSTREAM_UNAVAILABLE', CONNECTION_FAILURE, `upstream database unavailable: ${reason}`, {
      hint: 'Retry later; if it persists, the gateway operator should check the upstream server.',
      ...options,
    });
    this.name = 'UpstreamUnavailableError';
  }
}

/**
 * UpstreamAuthFailedError: the upstream refused the gateway's own login (wrong configured
 * password, unknown role or database, unsupported method). Not the client's fault, so 08006 and
 * not 28P01: a client must not think its token was wrong.
 */
export class UpstreamAuthFailedError extends UpstreamError {
  /** upstreamSqlstate is the SQLSTATE the upstream reported, when it sent an ErrorResponse. */
  readonly upstreamSqlstate: string | undefined;
  /** upstreamMessage is the upstream's text, for the operator's log only. */
  readonly upstreamMessage: string | undefined;
  constructor(reason: string, options: Options & { upstreamSqlstate?: string; upstreamMessage?: string } = {}) {
    super('ERR_PROXY_UPSTREAM_AUTH_FAILED', CONNECTION_FAILURE, `upstream database refused the gateway's login: ${reason}`, {
      hint: 'The gateway operator should check the upstream credentials in the gateway configuration.',
      ...(options.detail !== undefined ? { detail: options.detail } : {}),
      ...(options.cause !== undefined ? { cause: options.cause } : {}),
    });
    this.name = 'UpstreamAuthFailedError';
    this.upstreamSqlstate = options.upstreamSqlstate;
    this.upstreamMessage = options.upstreamMessage;
  }
}

/** UpstreamProtocolError: the upstream sent something the login exchange does not allow (or a bad SCRAM signature). */
export class UpstreamProtocolError extends UpstreamError {
  constructor(message: string, options: Options = {}) {
    super('ERR_PROXY_UPSTREAM_PROTOCOL', '08P01', `upstream protocol error: ${message}`, options);
    this.name = 'UpstreamProtocolError';
  }
}

/** UpstreamQueryError: an internal query (catalog lookup) failed; carries the upstream's SQLSTATE. */
export class UpstreamQueryError extends UpstreamError {
  constructor(sqlstate: string, message: string, options: Options = {}) {
    super('ERR_PROXY_UPSTREAM_QUERY', sqlstate, `internal upstream query failed: ${message}`, options);
    this.name = 'UpstreamQueryError';
  }
}

/** AnyUpstreamError is the union of the concrete upstream errors. */
export type AnyUpstreamError = UpstreamUnavailableError | UpstreamAuthFailedError | UpstreamProtocolError | UpstreamQueryError;
