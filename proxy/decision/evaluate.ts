// Evaluating one entrypoint of the loaded policy, for both deciders (statements and logins): the
// current policy (a getter follows hot reloads), the entrypoint present, evaluateRaw on the input's
// JSON. Every way it can fail becomes a reason for the client and, when the engine's own message
// may name policy files and lines, a separate detail for the operator's log only.

import type { PolicyInstance } from '../../engine/index.js';
import { messageOf } from '../errors.js';
import { policyInputJson } from './input-json.js';
import { RULE_IDS } from './types.js';

/** PolicySource is the loaded policy, or a getter returning the current one; undefined: none loaded. */
export type PolicySource = PolicyInstance | undefined | (() => PolicyInstance | undefined);

/** Evaluation is the result set of one evaluation, or why there is none. */
export type Evaluation =
  | { readonly ok: true; readonly resultSet: unknown }
  | { readonly ok: false; readonly reason: string; readonly rule: string; readonly cause?: unknown; readonly detail?: string };

/** evaluateEntrypoint evaluates `entrypoint` of the current policy on `input`; it never throws. `refusal` says what is refused without a policy ("every statement is denied"). */
export function evaluateEntrypoint(source: PolicySource, entrypoint: string, input: unknown, refusal: string): Evaluation {
  let policy: PolicyInstance | undefined;
  try {
    policy = typeof source === 'function' ? source() : source;
  } catch (cause) {
    return { ok: false, reason: `no policy is loaded: ${refusal}`, rule: RULE_IDS.noPolicy, cause };
  }
  if (policy === undefined) return { ok: false, reason: `no policy is loaded: ${refusal}`, rule: RULE_IDS.noPolicy };
  if (!Object.hasOwn(policy.entrypoints, entrypoint)) {
    return { ok: false, reason: `policy error: the policy has no entrypoint ${entrypoint}`, rule: RULE_IDS.policyError };
  }
  try {
    return { ok: true, resultSet: JSON.parse(policy.evaluateRaw(policyInputJson(input), entrypoint)) };
  } catch (cause) {
    // the engine's message names policy files and lines: the operator's log gets it, the client a reason
    return {
      ok: false,
      reason: 'policy error: evaluation failed (a runtime error in the policy; the gateway log has the details)',
      rule: RULE_IDS.policyError,
      cause,
      detail: `policy error: evaluation failed: ${messageOf(cause)}`,
    };
  }
}
