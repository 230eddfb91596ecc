// The admin API's error table and the one error body every route answers with:
// `{ "error": { "code", "message", "reasons"? } }`. Codes are stable; messages are short and
// public (no stack traces, internal paths or URLs: details go to the injected `log` only).
// server.ts translates everything thrown on a request to this shape in one error handler.

/** ADMIN_ERRORS is the admin API's table of codes and the HTTP status each one answers with. */
export const ADMIN_ERRORS = Object.freeze({
  ERR_ADMIN_BAD_REQUEST: 400,
  ERR_APPROVAL_REASON_REQUIRED: 400,
  ERR_ADMIN_UNAUTHENTICATED: 401,
  ERR_APPROVAL_FORBIDDEN: 403,
  ERR_ADMIN_FORBIDDEN: 403,
  ERR_ADMIN_NOT_FOUND: 404,
  ERR_APPROVAL_NOT_FOUND: 404,
  ERR_SESSION_NOT_FOUND: 404,
  ERR_APPROVAL_NOT_PENDING: 409,
  ERR_ADMIN_PAYLOAD_TOO_LARGE: 413,
  ERR_ADMIN_UNSUPPORTED_MEDIA_TYPE: 415,
  ERR_POLICY_RELOAD_FAILED: 422,
  ERR_ADMIN_RATE_LIMITED: 429,
  ERR_ADMIN_INTERNAL: 500,
  ERR_ADMIN_AUTH_UNAVAILABLE: 503,
  ERR_ADMIN_SHUTTING_DOWN: 503,
  ERR_APPROVALS_UNAVAILABLE: 503,
  ERR_RECORDINGS_UNAVAILABLE: 503,
  ERR_STATE_UNAVAILABLE: 503,
} as const);

/** AdminErrorCode is one code of ADMIN_ERRORS. */
export type AdminErrorCode = keyof typeof ADMIN_ERRORS;

/** AdminErrorReason is one entry of `reasons` (the approval policy's on ERR_APPROVAL_FORBIDDEN, the audit policy's on ERR_ADMIN_FORBIDDEN). */
export type AdminErrorReason = { readonly reason: string; readonly rule: string };

/** AdminErrorBody is the body of every error answer of the admin API. */
export type AdminErrorBody = {
  readonly error: { readonly code: AdminErrorCode; readonly message: string; readonly reasons?: readonly AdminErrorReason[] };
};

/**
 * AdminHttpError is an error a route or hook raises on purpose: its code picks the status from
 * ADMIN_ERRORS and its message is shown to the caller as is (so it must be public).
 */
export class AdminHttpError extends Error {
  readonly code: AdminErrorCode;
  /** statusCode is the code's HTTP status (fastify reads this name). */
  readonly statusCode: number;
  readonly reasons: readonly AdminErrorReason[] | undefined;
  /** headers are set on the answer (WWW-Authenticate on 401). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    code: AdminErrorCode,
    message: string,
    options: { readonly reasons?: readonly AdminErrorReason[]; readonly headers?: Readonly<Record<string, string>> } = {},
  ) {
    super(message);
    this.name = 'AdminHttpError';
    this.code = code;
    this.statusCode = ADMIN_ERRORS[code];
    this.reasons = options.reasons;
    this.headers = options.headers ?? {};
  }
}

/** errorBody builds the error body for a code and public message. */
export function errorBody(code: AdminErrorCode, message: string, reasons?: readonly AdminErrorReason[]): AdminErrorBody {
  return { error: { code, message, ...(reasons !== undefined ? { reasons } : {}) } };
}

/** APPROVALS_UNAVAILABLE_MESSAGE is the message of ERR_APPROVALS_UNAVAILABLE (no state store configured). */
export const APPROVALS_UNAVAILABLE_MESSAGE = 'approvals need the state store (config `state`)';

/** RECORDINGS_UNAVAILABLE_MESSAGE is the message of ERR_RECORDINGS_UNAVAILABLE (no state store or no audit policy). */
export const RECORDINGS_UNAVAILABLE_MESSAGE =
  'recorded sessions need the state store (config `state`) and the audit policy (`policy.audit_entrypoint`)';

/** STATE_UNAVAILABLE_MESSAGE is the public message of ERR_STATE_UNAVAILABLE. */
export const STATE_UNAVAILABLE_MESSAGE = 'the state store is unavailable; retry later';

/** INTERNAL_MESSAGE is the public message of ERR_ADMIN_INTERNAL. */
export const INTERNAL_MESSAGE = 'internal error';
