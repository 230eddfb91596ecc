// The decider: PolicyInput → PolicyInstance.evaluateRaw(its JSON, 'portcullis/decision') → Decision.
// It fails closed: no policy, an evaluation error or abort, an undefined result or a decision
// object of the wrong shape all become a deny with a clear reason and a `portcullis.*` rule id.
// Precedence: any deny wins over approval, approval over allow; no allow means deny.

import type { PolicyInstance } from '../../engine/index.js';
import { evaluateEntrypoint } from './evaluate.js';
import type { DecisionMemo } from './memo.js';
import { HOLD_MODES, MASK_KINDS, RULE_IDS } from './types.js';
import type { Decider, Decision, HoldApproval, HoldMode, Mask, MaskKind, PolicyInput, Reason } from './types.js';

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
  /**
   * memo returns the decision memo of the policy deciding now, if it has one (proxy/policy makes
   * one per unit whose entrypoint reads a bounded set of input paths). A miss is evaluated with
   * the memo's own policy, so what it remembers is always that policy's decision.
   */
  readonly memo?: () => DecisionMemo | undefined;
};

const DECISION_KEYS = new Set(['allow', 'deny', 'mask', 'approval']);
const MASK_FIELDS = new Set(['table', 'column', 'kind', 'keep']);
const APPROVAL_FIELDS = ['reason', 'rule', 'ttl', 'min_approvals', 'mode'] as const;

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
  const evaluate = (policy: DeciderOptions['policy'], input: PolicyInput): Decision => {
    const evaluated = evaluateEntrypoint(policy, entrypoint, input, 'every statement is denied');
    if (!evaluated.ok) return fail(evaluated.reason, evaluated.rule, evaluated.cause, evaluated.detail);
    const decision = interpretResult(evaluated.resultSet);
    if (decision.kind === 'deny' && decision.origin === 'error') onPolicyError(decision.reason, undefined);
    return decision;
  };
  const memoOf = options.memo;
  return {
    decide(input: PolicyInput): Decision {
      const memo = memoOf?.();
      if (memo === undefined) return evaluate(source, input);
      const key = memo.keyOf(input);
      const hit = memo.get(key);
      if (hit !== undefined) return hit;
      const decision = evaluate(memo.policy, input);
      // a policy error is reported every time it happens, never answered from memory
      if (decision.kind !== 'deny' || decision.origin !== 'error') memo.set(key, decision);
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
  const approvals = readApprovals(value['approval']);
  if (typeof approvals === 'string') return policyError(approvals);
  const masks = readMasks(value['mask']);
  if (typeof masks === 'string') return policyError(masks);

  const firstDeny = denies[0];
  if (firstDeny !== undefined) return { kind: 'deny', reason: firstDeny.reason, rule: firstDeny.rule, origin: 'policy', reasons: denies };
  const firstApproval = approvals.reasons[0];
  if (firstApproval !== undefined) {
    const { reasons, approval } = approvals;
    return { kind: 'hold', reason: firstApproval.reason, rule: firstApproval.rule, reasons, masks, approval };
  }
  if (allow !== true) return deny('no policy rule allowed this statement', RULE_IDS.defaultDeny, 'default');
  return { kind: 'allow', masks };
}

/** readReasons validates a set of plain reasons (deny entries): absent → []; entries exactly `{reason, rule}` with non-empty strings. Approval entries, which may carry more, go through readApprovals. */
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

/** ApprovalEntries are a decision's approval entries: their reasons, sorted, and what they ask of the approvers, combined. */
export type ApprovalEntries = { readonly reasons: Reason[]; readonly approval: HoldApproval };

/**
 * readApprovals validates the approval set: absent → no entries; each entry is `{reason, rule}`
 * (non-empty strings) with optional `ttl` (a duration such as "90s", "2m", "1h30m", or a positive
 * number of seconds), `min_approvals` (an integer >= 1) and `mode` ("hold" | "refuse_and_grant").
 * The entries combine strictest first: the shortest ttl, the largest quorum, `refuse_and_grant`
 * over `hold`. Anything else (an unknown key included) is a message for a policy error.
 */
export function readApprovals(v: unknown): ApprovalEntries | string {
  if (v === undefined) return { reasons: [], approval: { minApprovals: 1 } };
  if (!Array.isArray(v)) return `decision.approval must be a set of {reason, rule} objects, got ${describe(v)}`;
  const reasons: Reason[] = [];
  let ttlMs: number | undefined;
  let minApprovals = 1;
  const modes = new Set<HoldMode>();
  for (const [i, e] of v.entries()) {
    const at = `decision.approval[${i}]`;
    if (!isRecord(e) || !isNonEmptyString(e['reason']) || !isNonEmptyString(e['rule'])) {
      return `${at} must be {"reason": string, "rule": string, "ttl"?, "min_approvals"?, "mode"?}, got ${describe(e)}`;
    }
    const unknown = Object.keys(e).find((k) => !(APPROVAL_FIELDS as readonly string[]).includes(k));
    if (unknown !== undefined) return `${at} has an unknown key "${unknown}" (allowed: ${APPROVAL_FIELDS.join(', ')})`;
    const { reason, rule, ttl, min_approvals: quorum, mode } = e;
    if (ttl !== undefined) {
      const ms = parseTtl(ttl);
      if (ms === undefined)
        return `${at}.ttl must be a duration ("90s", "2m", "1h", "1h30m") or a positive number of seconds, got ${describe(ttl)}`;
      ttlMs = ttlMs === undefined ? ms : Math.min(ttlMs, ms);
    }
    if (quorum !== undefined) {
      if (typeof quorum !== 'number' || !Number.isSafeInteger(quorum) || quorum < 1) {
        return `${at}.min_approvals must be an integer >= 1, got ${describe(quorum)}`;
      }
      minApprovals = Math.max(minApprovals, quorum);
    }
    if (mode !== undefined) {
      if (typeof mode !== 'string' || !(HOLD_MODES as readonly string[]).includes(mode)) {
        return `${at}.mode must be ${HOLD_MODES.map((m) => `"${m}"`).join(' or ')}, got ${describe(mode)}`;
      }
      modes.add(mode as HoldMode);
    }
    reasons.push({ reason, rule });
  }
  const mode: HoldMode | undefined = modes.has('refuse_and_grant') ? 'refuse_and_grant' : modes.has('hold') ? 'hold' : undefined;
  const approval: HoldApproval = { ...(ttlMs !== undefined ? { ttlMs } : {}), minApprovals, ...(mode !== undefined ? { mode } : {}) };
  // Sets come back sorted by the engine already; sort again so the reported entry never depends on it.
  return { reasons: reasons.sort((a, b) => compare(a.rule, b.rule) || compare(a.reason, b.reason)), approval };
}

const TTL_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * parseTtl reads an approval entry's ttl into milliseconds: a positive number of seconds, or a
 * duration string in config's grammar (`500ms`, `90s`, `2m`, `1.5h`, `1h30m`); undefined when it
 * is neither, not positive, or too large to count in milliseconds.
 */
export function parseTtl(ttl: unknown): number | undefined {
  let ms: number;
  if (typeof ttl === 'number') {
    ms = Math.round(ttl * 1000);
  } else if (typeof ttl === 'string' && /^(\d+(\.\d+)?(ms|s|m|h))+$/.test(ttl)) {
    ms = 0;
    for (const m of ttl.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) ms += Number(m[1]) * (TTL_UNITS[m[2] as string] ?? 0);
    ms = Math.round(ms);
  } else {
    return undefined;
  }
  return Number.isSafeInteger(ms) && ms >= 1 ? ms : undefined;
}

function isNonEmptyString(v: unknown): v is string {
  return typeof v === 'string' && v !== '';
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
