// The decider: PolicyInput → PolicyInstance.evaluateRaw(its JSON, 'portcullis/decision') → Decision.
// It fails closed: no policy, an evaluation error or abort, an undefined result or a decision
// object of the wrong shape all become a deny with a clear reason and a `portcullis.*` rule id.
// Precedence: any deny wins over approval, approval over allow; no allow means deny.

import type { PolicyInstance } from '../../engine/index.js';
import { MASK_KINDS, RULE_IDS } from './types.js';
import { evaluateEntrypoint } from './evaluate.js';
import type { Decider, Decision, Mask, MaskKind, PolicyInput, Reason } from './types.js';

/** DEFAULT_ENTRYPOINT is the rule the shipped policies define (`data.portcullis.decision`). */
export const DEFAULT_ENTRYPOINT = 'portcullis/decision';

/** DeciderOptions configures createDecider. */
export type DeciderOptions = {
  /** policy is the loaded policy, or a getter returning the current one (hot reload); undefined: none loaded. */
  readonly policy: PolicyInstance | undefined | (() => PolicyInstance | undefined);
  /** entrypoint is the decision rule (default `portcullis/decision`). */
  readonly entrypoint?: string;
  /** onPolicyError receives each policy failure with its cause, for the operator (the client only sees the short reason; the gate publishes it as `policy.error`). */
  readonly onPolicyError?: (message: string, cause: unknown) => void;
};

const DECISION_KEYS = new Set(['allow', 'deny', 'mask', 'approval']);
const MASK_FIELDS = new Set(['table', 'column', 'kind', 'keep']);

/** MASK_STRENGTH orders kinds from most to least revealing; when rules disagree the strongest wins. */
const MASK_STRENGTH: Readonly<Record<MaskKind, number>> = { partial: 0, hash: 1, redact: 2, null: 3 };

/** createDecider binds a policy and an entrypoint; decide() never throws. */
export function createDecider(options: DeciderOptions): Decider {
  const entrypoint = options.entrypoint ?? DEFAULT_ENTRYPOINT;
  const onPolicyError = options.onPolicyError ?? (() => {});
  const source = options.policy;
  const fail = (reason: string, rule: string, cause?: unknown, detail?: string): Decision => {
    onPolicyError(detail ?? reason, cause);
    return { kind: 'deny', reason, rule, origin: 'error', reasons: [{ reason, rule }], ...(detail !== undefined ? { detail } : {}) };
  };
  return {
    decide(input: PolicyInput): Decision {
      const evaluated = evaluateEntrypoint(source, entrypoint, input, 'every statement is denied');
      if (!evaluated.ok) return fail(evaluated.reason, evaluated.rule, evaluated.cause, evaluated.detail);
      const resultSet = evaluated.resultSet;
      const decision = interpretResult(resultSet);
      if (decision.kind === 'deny' && decision.origin === 'error') onPolicyError(decision.reason, undefined);
      return decision;
    },
  };
}

/**
 * interpretResult turns an evaluation result set (`[{ result: … }]`) into a Decision; anything
 * but exactly one well-formed decision object is a policy error (deny).
 */
export function interpretResult(resultSet: unknown): Decision {
  if (!Array.isArray(resultSet)) return policyError('the result set is not an array');
  if (resultSet.length === 0) return policyError(`the decision is undefined (no ${DEFAULT_ENTRYPOINT} value)`);
  if (resultSet.length > 1) return policyError('the policy returned several results');
  const first: unknown = resultSet[0];
  if (!isRecord(first) || !Object.hasOwn(first, 'result')) return policyError('the result set entry has no result');
  const value = first['result'];
  if (!isRecord(value)) return policyError(`the decision must be an object, got ${describe(value)}`);
  for (const key of Object.keys(value)) {
    if (!DECISION_KEYS.has(key)) return policyError(`the decision has an unknown key "${key}" (allowed: allow, deny, mask, approval)`);
  }
  const allow = value['allow'];
  if (allow !== undefined && typeof allow !== 'boolean') return policyError(`decision.allow must be a boolean, got ${describe(allow)}`);
  const denies = readReasons(value['deny'], 'deny');
  if (typeof denies === 'string') return policyError(denies);
  const approvals = readReasons(value['approval'], 'approval');
  if (typeof approvals === 'string') return policyError(approvals);
  const masks = readMasks(value['mask']);
  if (typeof masks === 'string') return policyError(masks);

  const firstDeny = denies[0];
  if (firstDeny !== undefined) return { kind: 'deny', reason: firstDeny.reason, rule: firstDeny.rule, origin: 'policy', reasons: denies };
  const firstApproval = approvals[0];
  if (firstApproval !== undefined)
    return { kind: 'hold', reason: firstApproval.reason, rule: firstApproval.rule, reasons: approvals, masks };
  if (allow !== true) return deny('no policy rule allowed this statement', RULE_IDS.defaultDeny, 'default');
  return { kind: 'allow', masks };
}

/** readReasons validates a deny/approval set: absent → []; entries `{reason, rule}` with non-empty strings. */
export function readReasons(v: unknown, key: 'deny' | 'approval'): Reason[] | string {
  if (v === undefined) return [];
  if (!Array.isArray(v)) return `decision.${key} must be a set of {reason, rule} objects, got ${describe(v)}`;
  const out: Reason[] = [];
  for (const [i, e] of v.entries()) {
    if (!isReason(e)) {
      return `decision.${key}[${i}] must be {"reason": string, "rule": string}, got ${describe(e)}`;
    }
    out.push({ reason: e.reason, rule: e.rule });
  }
  // Sets come back sorted by the engine already; sort again so the reported entry never depends on it.
  return out.sort((a, b) => compare(a.rule, b.rule) || compare(a.reason, b.reason));
}

/** readMasks validates the mask set and merges entries for one column (the strongest kind wins). */
function readMasks(v: unknown): Mask[] | string {
  if (v === undefined) return [];
  if (!Array.isArray(v)) return `decision.mask must be a set of {table, column, kind} objects, got ${describe(v)}`;
  const byColumn = new Map<string, Mask>();
  for (let i = 0; i < v.length; i++) {
    const e: unknown = v[i];
    if (!isRecord(e)) return badMask(i, e);
    const { table, column, kind, keep } = e;
    if (typeof table !== 'string' || table === '' || typeof column !== 'string' || column === '') return badMask(i, e);
    if (typeof kind !== 'string' || !(MASK_KINDS as readonly string[]).includes(kind)) return badMask(i, e);
    if (keep !== undefined && (typeof keep !== 'number' || !Number.isInteger(keep) || keep < 0)) return badMask(i, e);
    for (const k of Object.keys(e)) if (!MASK_FIELDS.has(k)) return badMask(i, e);
    const mask: Mask = { table, column, kind: kind as MaskKind, ...(kind === 'partial' && keep !== undefined ? { keep } : {}) };
    const key = `${table.length}:${table}${column}`; // length-prefixed: one key per (table, column)
    const prev = byColumn.get(key);
    byColumn.set(key, prev === undefined ? mask : stronger(prev, mask));
  }
  return [...byColumn.values()].sort((a, b) => compare(a.table, b.table) || compare(a.column, b.column));
}

/** badMask explains a malformed mask entry (written only then: describe() serialises the entry). */
function badMask(i: number, e: unknown): string {
  return `decision.mask[${i}] must be {"table": string, "column": string, "kind": ${MASK_KINDS.map((k) => `"${k}"`).join('|')}, "keep"?: integer >= 0}, got ${describe(e)}`;
}

/** stronger picks the mask that reveals less: a stronger kind, or for two partials the smaller keep. */
function stronger(a: Mask, b: Mask): Mask {
  if (MASK_STRENGTH[a.kind] !== MASK_STRENGTH[b.kind]) return MASK_STRENGTH[a.kind] > MASK_STRENGTH[b.kind] ? a : b;
  return (a.keep ?? 4) <= (b.keep ?? 4) ? a : b;
}

function deny(reason: string, rule: string, origin: 'policy' | 'default' | 'error'): Decision {
  return { kind: 'deny', reason, rule, origin, reasons: [{ reason, rule }] };
}

function policyError(why: string): Decision {
  return deny(`policy error: ${why}`, RULE_IDS.policyError, 'error');
}

/** isReason accepts exactly {reason, rule} with non-empty strings (extra keys are typos until proven otherwise). */
function isReason(e: unknown): e is Reason {
  if (!isRecord(e) || Object.keys(e).length !== 2) return false;
  const { reason, rule } = e;
  return typeof reason === 'string' && reason !== '' && typeof rule === 'string' && rule !== '';
}

/** isRecord tells a JSON object from arrays, null and scalars. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** describe renders a value briefly for an error message (never more than 80 characters). */
export function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
