// The proxy's one error family and its one translation to the wire: every invalid input
// (a token, a frame, a statement, a policy outcome) raises a ProxyError subclass with a stable
// `code` and the SQLSTATE it maps to; toErrorFields turns any of them into ErrorResponse fields.

/** ProxyErrorSeverity is the PostgreSQL severity the error is reported with. */
export type ProxyErrorSeverity = 'ERROR' | 'FATAL';

/**
 * ProxyError is the base class of every error the proxy reports to a client. Subclasses live
 * beside the code that raises them (proxy/auth/errors.ts, proxy/sql/errors.ts, …) and set a
 * stable `code` (ERR_PROXY_*), the `sqlstate` and the severity.
 */
export class ProxyError extends Error {
  readonly code: string;
  readonly sqlstate: string;
  readonly severity: ProxyErrorSeverity;
  /** detail is shown to the client as ErrorResponse `D` (e.g. the policy rule id). */
  readonly detail: string | undefined;
  /** hint is shown to the client as ErrorResponse `H`. */
  readonly hint: string | undefined;

  constructor(
    code: string,
    sqlstate: string,
    message: string,
    options: { severity?: ProxyErrorSeverity; detail?: string; hint?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'ProxyError';
    this.code = code;
    this.sqlstate = sqlstate;
    this.severity = options.severity ?? 'ERROR';
    this.detail = options.detail;
    this.hint = options.hint;
  }
}

/** ErrorFields are the fields of a PostgreSQL ErrorResponse the proxy sends. */
export type ErrorFields = {
  readonly severity: ProxyErrorSeverity;
  readonly code: string;
  readonly message: string;
  readonly detail?: string;
  readonly hint?: string;
};

/**
 * toErrorFields is the single place where errors become what the client sees. A ProxyError keeps
 * its SQLSTATE and text; anything else is an internal error (XX000) with a generic message, so
 * no stack trace or internal detail ever reaches a client.
 */
export function toErrorFields(err: unknown): ErrorFields {
  if (err instanceof ProxyError) {
    return {
      severity: err.severity,
      code: err.sqlstate,
      message: err.message,
      ...(err.detail !== undefined ? { detail: err.detail } : {}),
      ...(err.hint !== undefined ? { hint: err.hint } : {}),
    };
  }
  return { severity: 'ERROR', code: 'XX000', message: 'portcullis: internal error' };
}
