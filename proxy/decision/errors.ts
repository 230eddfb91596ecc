// Errors of the decision layer: how a deny, a hold and a policy failure reach the client.
// All map to SQLSTATE 42501 (insufficient_privilege) with the reason as message and
// `rule: <id>` as detail, so an agent can act on them.

import { ProxyError } from '../errors.js';
import type { Decision } from './types.js';

/** DECISION_ERROR_CODES lists the stable codes of this folder's errors. */
export const DECISION_ERROR_CODES = ['ERR_PROXY_POLICY_DENIED', 'ERR_PROXY_APPROVAL_REQUIRED', 'ERR_PROXY_POLICY_ERROR'] as const;

/** DecisionErrorCode is one of DECISION_ERROR_CODES. */
export type DecisionErrorCode = (typeof DECISION_ERROR_CODES)[number];

/** INSUFFICIENT_PRIVILEGE is SQLSTATE 42501. */
const INSUFFICIENT_PRIVILEGE = '42501';

/** PolicyDeniedError reports a statement the policy denied (or that no rule allowed). */
export class PolicyDeniedError extends ProxyError {
  /** rule is the id of the rule that denied the statement. */
  readonly rule: string;
  constructor(reason: string, rule: string) {
    super('ERR_PROXY_POLICY_DENIED', INSUFFICIENT_PRIVILEGE, reason, { detail: `rule: ${rule}` });
    this.name = 'PolicyDeniedError';
    this.rule = rule;
  }
}

/** ApprovalRequiredError reports a statement held for approval (denied until approvals exist). */
export class ApprovalRequiredError extends ProxyError {
  /** rule is the id of the rule that asked for approval. */
  readonly rule: string;
  constructor(reason: string, rule: string) {
    super('ERR_PROXY_APPROVAL_REQUIRED', INSUFFICIENT_PRIVILEGE, `approval required: ${reason}`, {
      detail: `rule: ${rule}`,
      hint: 'this statement needs a human approval; approvals are not available yet, so it is denied',
    });
    this.name = 'ApprovalRequiredError';
    this.rule = rule;
  }
}

/** PolicyEvaluationError reports a statement denied because the policy could not decide (fail closed). */
export class PolicyEvaluationError extends ProxyError {
  /** rule is the Portcullis rule id of the failure (portcullis.policy_error, portcullis.no_policy). */
  readonly rule: string;
  constructor(reason: string, rule: string, options: { cause?: unknown } = {}) {
    super('ERR_PROXY_POLICY_ERROR', INSUFFICIENT_PRIVILEGE, reason, { detail: `rule: ${rule}`, cause: options.cause });
    this.name = 'PolicyEvaluationError';
    this.rule = rule;
  }
}

/** AnyDecisionError is any error of this folder. */
export type AnyDecisionError = PolicyDeniedError | ApprovalRequiredError | PolicyEvaluationError;

/** decisionError turns a deny or hold into the error the client receives; undefined for allow. */
export function decisionError(decision: Decision): AnyDecisionError | undefined {
  switch (decision.kind) {
    case 'allow':
      return undefined;
    case 'deny':
      return decision.origin === 'error'
        ? new PolicyEvaluationError(decision.reason, decision.rule)
        : new PolicyDeniedError(decision.reason, decision.rule);
    case 'hold':
      return new ApprovalRequiredError(decision.reason, decision.rule);
    default:
      return assertNever(decision);
  }
}

/** assertNever marks exhaustive switches. */
function assertNever(x: never): never {
  throw new TypeError(`unexpected decision ${JSON.stringify(x)}`);
}
