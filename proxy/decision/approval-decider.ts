// The approval decider: ApprovalDecisionInput (an approver approving or denying a held request) →
// PolicyInstance.evaluateRaw(its JSON, 'portcullis/approval') → ApprovalVerdict. It fails closed
// like the other deciders: no policy, no such entrypoint, an evaluation error, an undefined result
// or an answer of the wrong shape all refuse the approver's action with an `approval policy error:`
// reason (rule `portcullis.policy_error` or `portcullis.no_policy`); decide() never throws.

import type { PolicyInstance } from '../../engine/index.js';
import { describe, isRecord, readReasons } from './decider.js';
import { evaluateEntrypoint } from './evaluate.js';
import { RULE_IDS } from './types.js';
import type { ApprovalDecider, ApprovalDecisionInput, ApprovalVerdict } from './types.js';

/** DEFAULT_APPROVAL_ENTRYPOINT is the approval rule the shipped policies define (the package `data.portcullis.approval`). */
export const DEFAULT_APPROVAL_ENTRYPOINT = 'portcullis/approval';

const APPROVAL_KEYS = new Set(['allow', 'deny', 'quorum']);

/** ApprovalDeciderOptions configures createApprovalDecider. */
export type ApprovalDeciderOptions = {
  /** policy is the loaded policy, or a getter returning the current one; undefined: none loaded. */
  readonly policy: PolicyInstance | undefined | (() => PolicyInstance | undefined);
  /** entrypoint is the approval rule (default `portcullis/approval`). */
  readonly entrypoint?: string;
  /** onPolicyError receives each policy failure with its cause, for the operator. */
  readonly onPolicyError?: (message: string, cause: unknown) => void;
};

/** createApprovalDecider binds a policy and its approval entrypoint; decide() never throws. */
export function createApprovalDecider(options: ApprovalDeciderOptions): ApprovalDecider {
  const entrypoint = options.entrypoint ?? DEFAULT_APPROVAL_ENTRYPOINT;
  const onPolicyError = options.onPolicyError ?? (() => {});
  const source = options.policy;
  return {
    decide(input: ApprovalDecisionInput): ApprovalVerdict {
      let verdict: ApprovalVerdict;
      try {
        const evaluated = evaluateEntrypoint(source, entrypoint, input, 'no approval can be given');
        if (!evaluated.ok) {
          onPolicyError(approvalMessage(evaluated.detail ?? evaluated.reason), evaluated.cause);
          return refuse(approvalMessage(evaluated.reason), evaluated.rule);
        }
        verdict = interpretApprovalResult(evaluated.resultSet, entrypoint);
      } catch (cause) {
        // evaluateEntrypoint never throws; a getter or serialising a strange input might
        onPolicyError('approval policy error: evaluation failed', cause);
        return refuse('approval policy error: evaluation failed', RULE_IDS.policyError);
      }
      const first = verdict.kind === 'deny' ? verdict.reasons[0] : undefined;
      if (first !== undefined && isOwnError(first.rule)) onPolicyError(first.reason, undefined);
      return verdict;
    },
  };
}

/**
 * interpretApprovalResult turns an evaluation result set (`[{ result: … }]`) of the approval
 * entrypoint into an ApprovalVerdict: any deny entry refuses; otherwise `allow` must be true and
 * `quorum` (default 1) an integer of at least 1. Anything else refuses as a policy error.
 */
export function interpretApprovalResult(resultSet: unknown, entrypoint: string = DEFAULT_APPROVAL_ENTRYPOINT): ApprovalVerdict {
  if (!Array.isArray(resultSet)) return policyError('the result set is not an array');
  if (resultSet.length === 0) return policyError(`the approval decision is undefined (no ${entrypoint} value)`);
  if (resultSet.length > 1) return policyError('the policy returned several results');
  const first: unknown = resultSet[0];
  if (!isRecord(first) || !Object.hasOwn(first, 'result')) return policyError('the result set entry has no result');
  const value = first['result'];
  if (!isRecord(value)) return policyError(`the approval decision must be an object, got ${describe(value)}`);
  for (const key of Object.keys(value)) {
    if (!APPROVAL_KEYS.has(key)) return policyError(`the approval decision has an unknown key "${key}" (allowed: allow, deny, quorum)`);
  }
  const allow = value['allow'];
  if (allow !== undefined && typeof allow !== 'boolean') return policyError(`approval.allow must be a boolean, got ${describe(allow)}`);
  const denies = readReasons(value['deny'], 'deny');
  if (typeof denies === 'string') return policyError(denies.replace(/^decision\./, 'approval.'));
  const quorum = value['quorum'] === undefined ? 1 : value['quorum'];
  if (typeof quorum !== 'number' || !Number.isSafeInteger(quorum) || quorum < 1) {
    return policyError(`approval.quorum must be an integer >= 1, got ${describe(quorum)}`);
  }
  if (denies.length > 0) return { kind: 'deny', reasons: denies };
  if (allow !== true) return refuse('the approval policy did not allow this action', RULE_IDS.defaultDeny);
  return { kind: 'allow', quorum };
}

/** approvalMessage words a shared evaluation failure ("policy error: …") for the approval policy. */
function approvalMessage(reason: string): string {
  return reason.startsWith('policy error: ') ? `approval ${reason}` : `approval policy error: ${reason}`;
}

/** isOwnError tells Portcullis's own failure rule ids from the policy's. */
function isOwnError(rule: string): boolean {
  return rule === RULE_IDS.policyError || rule === RULE_IDS.noPolicy;
}

function refuse(reason: string, rule: string): ApprovalVerdict {
  return { kind: 'deny', reasons: [{ reason, rule }] };
}

function policyError(why: string): ApprovalVerdict {
  return refuse(`approval policy error: ${why}`, RULE_IDS.policyError);
}
