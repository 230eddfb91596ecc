// Public surface of proxy/approvals: hold a statement until a human approves it (the gateway's
// side, holds.ts), act on requests (the approvers' side, service.ts, behind the admin API and
// the CLI), the requests' records in the shared state store, and the errors a client sees.
// Re-exports only.

export { createApprovalHolds, DEFAULT_MAX_PENDING } from './holds.js';
export type {
  ApprovalHolds,
  ApprovalHoldsDeps,
  HoldEvent,
  HoldNotice,
  HoldResult,
  HoldTicket,
  HoldsConfig,
  StatementOutcome,
} from './holds.js';
export { createApprovalService, MAX_REASON_CHARS, notification } from './service.js';
export type { ApprovalServiceDeps } from './service.js';
export {
  CHANNEL as APPROVAL_CHANNEL,
  CHANGES_CHANNEL as APPROVAL_CHANGES_CHANNEL,
  bindingOf,
  newRequestId,
  parseChange,
  watchApprovalChanges,
} from './records.js';
export type { ApprovalChange, ApprovalChangeKind } from './records.js';
export {
  APPROVAL_ERRORS,
  APPROVAL_ERROR_CODES,
  ApprovalDeniedError,
  ApprovalExpiredError,
  ApprovalLimitError,
  ApprovalPendingError,
  ApprovalUnavailableError,
  ApprovalWithdrawnError,
} from './errors.js';
export type { ApprovalProxyErrorCode } from './errors.js';
export { APPROVAL_MODES, APPROVAL_STATUSES } from './types.js';
export type * from './types.js';
