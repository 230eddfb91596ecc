// The audit decider: AuditDecisionInput (a caller reading recorded sessions, terminating one or
// blocking an identity) → PolicyInstance.evaluateRaw(its JSON, 'portcullis/audit') → AuditVerdict.
// It fails closed like the other deciders: no policy, no such entrypoint, an evaluation error, an
// undefined result or an answer of the wrong shape all refuse the caller's action with an
// `audit policy error:` reason (rule `portcullis.policy_error` or `portcullis.no_policy`);
// decide() never throws.

import { describe, isRecord, readReasons } from './decider.js';
import { evaluateEntrypoint } from './evaluate.js';
import type { PolicySource } from './evaluate.js';
import { RULE_IDS } from './types.js';
import type { AuditDecider, AuditDecisionInput, AuditVerdict } from './types.js';

/** DEFAULT_AUDIT_ENTRYPOINT is the audit rule the shipped policies define (the package `data.portcullis.audit`). */
export const DEFAULT_AUDIT_ENTRYPOINT = 'portcullis/audit';

const AUDIT_KEYS = new Set(['allow', 'deny']);

/** AuditDeciderOptions configures createAuditDecider. */
export type AuditDeciderOptions = {
  /** policy is the loaded policy, or a getter returning the current one; undefined: none loaded. */
  readonly policy: PolicySource;
  /** entrypoint is the audit rule (default `portcullis/audit`). */
  readonly entrypoint?: string;
  /** onPolicyError receives each policy failure with its cause, for the operator. */
  readonly onPolicyError?: (message: string, cause: unknown) => void;
};

/** createAuditDecider binds a policy and its audit entrypoint; decide() never throws. */
export function createAuditDecider(options: AuditDeciderOptions): AuditDecider {
  const entrypoint = options.entrypoint ?? DEFAULT_AUDIT_ENTRYPOINT;
  const onPolicyError = options.onPolicyError ?? (() => {});
  const source = options.policy;
  return {
    decide(input: AuditDecisionInput): AuditVerdict {
      let verdict: AuditVerdict;
      try {
        const evaluated = evaluateEntrypoint(source, entrypoint, input, 'no recorded session can be read');
        if (!evaluated.ok) {
          onPolicyError(auditMessage(evaluated.detail ?? evaluated.reason), evaluated.cause);
          return refuse(auditMessage(evaluated.reason), evaluated.rule);
        }
        verdict = interpretAuditResult(evaluated.resultSet, entrypoint);
      } catch (cause) {
        // evaluateEntrypoint never throws; a getter or serialising a strange input might
        onPolicyError('audit policy error: evaluation failed', cause);
        return refuse('audit policy error: evaluation failed', RULE_IDS.policyError);
      }
      const first = verdict.kind === 'deny' ? verdict.reasons[0] : undefined;
      if (first !== undefined && (first.rule === RULE_IDS.policyError || first.rule === RULE_IDS.noPolicy)) {
        onPolicyError(first.reason, undefined);
      }
      return verdict;
    },
  };
}

/**
 * interpretAuditResult turns an evaluation result set (`[{ result: … }]`) of the audit entrypoint
 * into an AuditVerdict: any deny entry refuses; otherwise `allow` must be true. Anything else
 * refuses as a policy error.
 */
export function interpretAuditResult(resultSet: unknown, entrypoint: string = DEFAULT_AUDIT_ENTRYPOINT): AuditVerdict {
  if (!Array.isArray(resultSet)) return policyError('the result set is not an array');
  if (resultSet.length === 0) return policyError(`the audit decision is undefined (no ${entrypoint} value)`);
  if (resultSet.length > 1) return policyError('the policy returned several results');
  const first: unknown = resultSet[0];
  if (!isRecord(first) || !Object.hasOwn(first, 'result')) return policyError('the result set entry has no result');
  const value = first['result'];
  if (!isRecord(value)) return policyError(`the audit decision must be an object, got ${describe(value)}`);
  for (const key of Object.keys(value)) {
    if (!AUDIT_KEYS.has(key)) return policyError(`the audit decision has an unknown key "${key}" (allowed: allow, deny)`);
  }
  const allow = value['allow'];
  if (allow !== undefined && typeof allow !== 'boolean') return policyError(`audit.allow must be a boolean, got ${describe(allow)}`);
  const denies = readReasons(value['deny'], 'deny');
  if (typeof denies === 'string') return policyError(denies.replace(/^decision\./, 'audit.'));
  if (denies.length > 0) return { kind: 'deny', reasons: denies };
  if (allow !== true) return refuse('the audit policy did not allow this action', RULE_IDS.defaultDeny);
  return { kind: 'allow' };
}

/** auditMessage words a shared evaluation failure ("policy error: …") for the audit policy. */
function auditMessage(reason: string): string {
  return reason.startsWith('policy error: ') ? `audit ${reason}` : `audit policy error: ${reason}`;
}

function refuse(reason: string, rule: string): AuditVerdict {
  return { kind: 'deny', reasons: [{ reason, rule }] };
}

function policyError(why: string): AuditVerdict {
  return refuse(`audit policy error: ${why}`, RULE_IDS.policyError);
}
