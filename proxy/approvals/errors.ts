// What a client whose statement needed a human approval sees when it does not run: denied by an
// approver (with who and why), timed out, withdrawn (its own cancel or disconnect), refused at once
// in the refuse-and-grant mode (SQLSTATE PC001 with the request id, so an agent can tell "ask a
// human, then retry" from a plain denial), or approvals unavailable (the state store cannot be
// reached: the statement is denied, never run unapproved). Declared in APPROVAL_ERRORS.

import { ProxyError, defineErrors } from '../errors.js';

/** APPROVAL_ERRORS is this folder's error table (SQLSTATE, HTTP status, severity, hint per code). */
export const APPROVAL_ERRORS = defineErrors({
  ERR_PROXY_APPROVAL_DENIED: { sqlstate: '42501', http: 403, severity: 'ERROR' },
  ERR_PROXY_APPROVAL_EXPIRED: {
    sqlstate: '42501',
    http: 408,
    severity: 'ERROR',
    hint: 'no approver decided in time; send the statement again to ask again',
  },
  ERR_PROXY_APPROVAL_WITHDRAWN: { sqlstate: '57014', http: 409, severity: 'ERROR' },
  ERR_PROXY_APPROVAL_PENDING: { sqlstate: 'PC001', http: 403, severity: 'ERROR' },
  ERR_PROXY_APPROVAL_LIMIT: {
    sqlstate: '53400',
    http: 429,
    severity: 'ERROR',
    hint: 'wait until approvers have decided your open requests, or withdraw them (cancel the waiting statements)',
  },
  ERR_PROXY_APPROVAL_UNAVAILABLE: {
    sqlstate: '42501',
    http: 503,
    severity: 'ERROR',
    hint: 'approvals are unavailable right now; the statement was not run; try again later',
  },
});

/** ApprovalErrorCodeOfProxy is one code of APPROVAL_ERRORS. */
export type ApprovalProxyErrorCode = keyof typeof APPROVAL_ERRORS;

/** APPROVAL_ERROR_CODES lists every code of APPROVAL_ERRORS. */
export const APPROVAL_ERROR_CODES = Object.keys(APPROVAL_ERRORS) as readonly ApprovalProxyErrorCode[];

/** ApprovalDeniedError: an approver denied the held statement. */
export class ApprovalDeniedError extends ProxyError {
  declare readonly code: 'ERR_PROXY_APPROVAL_DENIED';
  constructor(id: string, by: string, reason: string) {
    super('ERR_PROXY_APPROVAL_DENIED', `approval request ${id} was denied by ${by}: ${reason}`, { detail: `request: ${id}` });
    this.name = 'ApprovalDeniedError';
  }
}

/** ApprovalExpiredError: no approver decided before the request expired. */
export class ApprovalExpiredError extends ProxyError {
  declare readonly code: 'ERR_PROXY_APPROVAL_EXPIRED';
  constructor(id: string, waitedMs: number) {
    super(
      'ERR_PROXY_APPROVAL_EXPIRED',
      `approval request ${id} timed out after ${formatWait(waitedMs)} without a decision; the statement was not run`,
      {
        detail: `request: ${id}`,
      },
    );
    this.name = 'ApprovalExpiredError';
  }
}

/** ApprovalWithdrawnError: the client cancelled while its statement was held (the request is withdrawn). */
export class ApprovalWithdrawnError extends ProxyError {
  declare readonly code: 'ERR_PROXY_APPROVAL_WITHDRAWN';
  constructor(id: string) {
    super('ERR_PROXY_APPROVAL_WITHDRAWN', `canceling statement due to user request: approval request ${id} was withdrawn`, {
      detail: `request: ${id}`,
    });
    this.name = 'ApprovalWithdrawnError';
  }
}

/** ApprovalPendingError: refuse-and-grant mode; the statement needs approval, which was requested; send it again once approved. */
export class ApprovalPendingError extends ProxyError {
  declare readonly code: 'ERR_PROXY_APPROVAL_PENDING';
  readonly requestId: string;
  constructor(id: string, reason: string, expiresAt: string) {
    super('ERR_PROXY_APPROVAL_PENDING', `approval required: ${reason}; approval request ${id} was created`, {
      detail: `request: ${id}; expires: ${expiresAt}`,
      hint: `once an approver has approved it (npx portcullis approvals approve ${id} --reason "…"), send the same statement again; it runs once`,
    });
    this.name = 'ApprovalPendingError';
    this.requestId = id;
  }
}

/** ApprovalLimitError: the identity already has as many open requests as `approval.max_pending` allows. */
export class ApprovalLimitError extends ProxyError {
  declare readonly code: 'ERR_PROXY_APPROVAL_LIMIT';
  constructor(limit: number) {
    super(
      'ERR_PROXY_APPROVAL_LIMIT',
      `approval required, but this identity already has ${limit} approval requests pending; the statement was not run`,
    );
    this.name = 'ApprovalLimitError';
  }
}

/** ApprovalUnavailableError: the statement needs approval and the state store cannot be reached (fail closed). */
export class ApprovalUnavailableError extends ProxyError {
  declare readonly code: 'ERR_PROXY_APPROVAL_UNAVAILABLE';
  constructor(reason: string, rule: string) {
    super(
      'ERR_PROXY_APPROVAL_UNAVAILABLE',
      `approval required: ${reason}; approvals are unavailable (the state store cannot be reached), so it is denied`,
      {
        detail: `rule: ${rule}`,
      },
    );
    this.name = 'ApprovalUnavailableError';
  }
}

/** formatWait renders a duration for a message (90 s, 5 min). */
export function formatWait(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  return `${Math.round(s / 60)} min`;
}
