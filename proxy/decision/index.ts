// Public surface of the decision layer: build the policy input, evaluate the policy, interpret
// its result (failing closed), and turn a deny or hold into the client's error.
export { buildConnectionInput, buildPolicyInput } from './input.js';
export type { ConnectionInputParts, PolicyInputParts, StatementFactsLike } from './input.js';
export { createLoginDecider, interpretLoginResult, DEFAULT_CONNECTION_ENTRYPOINT } from './login-decider.js';
export type { LoginDeciderOptions } from './login-decider.js';
export { createDecider, interpretResult, DEFAULT_ENTRYPOINT } from './decider.js';
export type { DeciderOptions } from './decider.js';
export { MASK_KINDS, RULE_IDS } from './types.js';
export type {
  ConnectionPolicyInput,
  Decider,
  Decision,
  LoginDecider,
  LoginDecision,
  DenyOrigin,
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
