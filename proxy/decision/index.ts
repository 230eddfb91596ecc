// Public surface of the decision layer: build the policy input, evaluate the policy (statements,
// logins, approvers' actions), interpret its result (failing closed), and turn a deny or hold into
// the client's error.
export { buildConnectionInput, buildPolicyInput } from './input.js';
export { policyInputJson } from './input-json.js';
export { createDecisionMemo, MEMO_ENTRIES, MEMO_MAX_KEY_CHARS, MEMO_TOTAL_CHARS } from './memo.js';
export type { DecisionMemo, InputPath, MemoStats } from './memo.js';
export type { ConnectionInputParts, PolicyInputParts, StatementFactsLike } from './input.js';
export { createLoginDecider, interpretLoginResult, DEFAULT_CONNECTION_ENTRYPOINT } from './login-decider.js';
export type { LoginDeciderOptions } from './login-decider.js';
export { createDecider, interpretResult, parseTtl, readApprovals, DEFAULT_ENTRYPOINT } from './decider.js';
export type { ApprovalEntries, DeciderOptions } from './decider.js';
export { createApprovalDecider, interpretApprovalResult, DEFAULT_APPROVAL_ENTRYPOINT } from './approval-decider.js';
export type { ApprovalDeciderOptions } from './approval-decider.js';
export { createAuditDecider, interpretAuditResult, DEFAULT_AUDIT_ENTRYPOINT } from './audit-decider.js';
export type { AuditDeciderOptions } from './audit-decider.js';
export { AUDIT_ACTIONS, HOLD_MODES, MASK_KINDS, RULE_IDS } from './types.js';
export type {
  ApprovalActor,
  ApprovalDecider,
  ApprovalDecisionInput,
  ApprovalVerdict,
  AuditAction,
  AuditDecider,
  AuditDecisionInput,
  AuditVerdict,
  ConnectionPolicyInput,
  Decider,
  Decision,
  LoginDecider,
  LoginDecision,
  DenyOrigin,
  HoldApproval,
  HoldMode,
  Mask,
  MaskKind,
  PolicyColumnRef,
  PolicyColumnUse,
  PolicyConnection,
  PolicyIdentity,
  PolicyInput,
  PolicyOutputColumn,
  PolicySession,
  PolicyStatement,
  PolicyTime,
  Reason,
} from './types.js';
export {
  ApprovalRequiredError,
  DECISION_ERRORS,
  DECISION_ERROR_CODES,
  LoginDeniedError,
  PolicyDeniedError,
  PolicyEvaluationError,
} from './errors.js';
export type { AnyDecisionError, DecisionErrorCode } from './errors.js';
