// Errors of the decision layer: how a deny, a refused hold and a policy failure reach the client,
// declared in DECISION_ERRORS. Statement refusals map to SQLSTATE 42501 (insufficient_privilege),
// a refused login to 28000 (FATAL); all carry the reason as message and `rule: <id>` as detail,
// so an agent can act on them.

import { ProxyError, defineErrors } from '../errors.js';

/** DECISION_ERRORS is this folder's error table (SQLSTATE, HTTP status, severity, hint per code). */
export const DECISION_ERRORS = defineErrors({
  ERR_PROXY_POLICY_DENIED: { sqlstate: '42501', http: 403, severity: 'ERROR' },
  ERR_PROXY_APPROVAL_REQUIRED: {
    sqlstate: '42501',
    http: 403,
    severity: 'ERROR',
    hint: 'this statement needs a human approval; approvals are not available yet, so it is denied',
  },
  ERR_PROXY_POLICY_ERROR: { sqlstate: '42501', http: 500, severity: 'ERROR' },
  ERR_PROXY_LOGIN_DENIED: { sqlstate: '28000', http: 403, severity: 'FATAL' },
});

/** DecisionErrorCode is one code of DECISION_ERRORS. */
export type DecisionErrorCode = keyof typeof DECISION_ERRORS;

/** DECISION_ERROR_CODES lists every code of DECISION_ERRORS. */
export const DECISION_ERROR_CODES = Object.keys(DECISION_ERRORS) as readonly DecisionErrorCode[];

/** PolicyDeniedError reports a statement the policy denied (or that no rule allowed). */
export class PolicyDeniedError extends ProxyError {
  declare readonly code: 'ERR_PROXY_POLICY_DENIED';
  /** rule is the id of the rule that denied the statement. */
  readonly rule: string;
  constructor(reason: string, rule: string) {
    super('ERR_PROXY_POLICY_DENIED', reason, { detail: `rule: ${rule}` });
    this.name = 'PolicyDeniedError';
    this.rule = rule;
  }
}

/** ApprovalRequiredError reports a statement held for approval (denied until approvals exist). */
export class ApprovalRequiredError extends ProxyError {
  declare readonly code: 'ERR_PROXY_APPROVAL_REQUIRED';
  /** rule is the id of the rule that asked for approval. */
  readonly rule: string;
  constructor(reason: string, rule: string) {
    super('ERR_PROXY_APPROVAL_REQUIRED', `approval required: ${reason}`, { detail: `rule: ${rule}` });
    this.name = 'ApprovalRequiredError';
    this.rule = rule;
  }
}

/** PolicyEvaluationError reports a statement denied because the policy could not decide (fail closed). */
export class PolicyEvaluationError extends ProxyError {
  declare readonly code: 'ERR_PROXY_POLICY_ERROR';
  /** rule is the Portcullis rule id of the failure (portcullis.policy_error, portcullis.no_policy). */
  readonly rule: string;
  constructor(reason: string, rule: string, options: { cause?: unknown } = {}) {
    super('ERR_PROXY_POLICY_ERROR', reason, { detail: `rule: ${rule}`, cause: options.cause });
    this.name = 'PolicyEvaluationError';
    this.rule = rule;
  }
}

/**
 * LoginDeniedError refuses a login the policy's connection entrypoint denied, or could not decide
 * (28000 invalid_authorization_specification, FATAL, as PostgreSQL refuses a pg_hba.conf reject).
 */
export class LoginDeniedError extends ProxyError {
  declare readonly code: 'ERR_PROXY_LOGIN_DENIED';
  /** rule is the id of the rule that refused the login (a policy rule or portcullis.*). */
  readonly rule: string;
  constructor(reason: string, rule: string) {
    super('ERR_PROXY_LOGIN_DENIED', reason, { detail: `rule: ${rule}` });
    this.name = 'LoginDeniedError';
    this.rule = rule;
  }
}

/** AnyDecisionError is any error of this folder. */
export type AnyDecisionError = PolicyDeniedError | ApprovalRequiredError | PolicyEvaluationError | LoginDeniedError;
