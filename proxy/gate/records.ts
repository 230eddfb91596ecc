// What the gate puts on record for a statement (proxy/recording's bodies): a decided statement
// with its JSON text (the shape's part rendered once per shape, the policy input's text reused),
// a statement refused before analysis, how a hold ended, and which queries cannot change anything
// (their records need only be written before they run).

import type { HoldResult } from '../approvals/index.js';
import { policyInputJson } from '../decision/index.js';
import type { Mask, PolicyInput } from '../decision/index.js';
import type { ProxyError } from '../errors.js';
import type { ApprovalBody, StatementBody } from '../recording/index.js';
import type { StatementFacts } from '../sql/index.js';
import type { HeldBatch, StatementRequest, UnanalysedRequest, Verdict } from './types.js';

/**
 * StatementShapeFacts is what changesNothing reads of a statement: the analyser's facts, or the
 * `statement` of a policy input (same names).
 */
export type StatementShapeFacts = {
  readonly kind: string;
  readonly tables: { readonly written: readonly unknown[] };
  readonly flags: { readonly data_modifying_cte?: boolean; readonly into?: boolean; readonly for_update?: boolean };
};

/**
 * changesNothing tells a query that cannot change anything, whose record need only be written (not
 * yet synced) before it is forwarded: a SELECT that writes no table, has no data-modifying WITH,
 * no INTO and no locking clause, and calls only functions the catalog knows as immutable or stable.
 */
export function changesNothing(
  facts: StatementShapeFacts,
  routines: readonly { readonly known: boolean; readonly volatility: string }[],
): boolean {
  const f = facts.flags;
  return (
    facts.kind === 'select' &&
    facts.tables.written.length === 0 &&
    !f.data_modifying_cte &&
    !f.into &&
    !f.for_update &&
    routines.every((r) => r.known && (r.volatility === 'immutable' || r.volatility === 'stable'))
  );
}

/** StatementShape is what a statement record takes from the facts of the statement's shape, as values and as JSON text. */
type StatementShape = {
  readonly fields: Pick<StatementBody, 'statement_kind' | 'command' | 'tables' | 'columns' | 'flags'>;
  readonly json: string;
};

// Statements that differ only in literal values share one deeply frozen facts object but for
// their text and fingerprint (proxy/sql's facts cache): their columns object is shared, so the
// shape's part of a record is rendered once per columns object.
const shapes = new WeakMap<object, StatementShape>();

/** shapeOf is the part of a statement record that statements of one shape share (cached while their facts live). */
function shapeOf(facts: StatementFacts): StatementShape {
  const hit = shapes.get(facts.columns);
  if (hit !== undefined) return hit;
  const fields = {
    statement_kind: facts.kind,
    command: facts.command,
    tables: { read: facts.tables.read, written: facts.tables.written },
    columns: {
      read: facts.columns.read.map((c) => `${c.table}.${c.column}`),
      written: facts.columns.written.map((c) => `${c.table}.${c.column}`),
    },
    flags: Object.entries(facts.flags)
      .filter(([, on]) => on)
      .map(([name]) => name),
  };
  const shape = { fields, json: JSON.stringify(fields).slice(1, -1) };
  if (Object.isFrozen(facts.columns)) shapes.set(facts.columns, shape);
  return shape;
}

/** ALLOWED is the decision record of a plain allow (no reasons, no masks), the common case. */
const ALLOWED: StatementBody['decision'] = Object.freeze({ kind: 'allow', rules: [], reasons: [], masks: [] });
const ALLOWED_JSON = JSON.stringify(ALLOWED);

type DecisionRecord = { readonly decision: StatementBody['decision']; readonly json: string };

// An allow with masks and no reasons, as a remembered decision gives it to every statement it
// decides: its record depends on the masks alone, rendered once per (frozen) masks array.
const maskedAllows = new WeakMap<readonly Mask[], DecisionRecord>();

/** maskedAllow is the decision record of an allow with these masks and no reasons. */
function maskedAllow(masks: readonly Mask[]): DecisionRecord {
  const hit = maskedAllows.get(masks);
  if (hit !== undefined) return hit;
  const decision = { kind: 'allow' as const, rules: [], reasons: [], masks: masks.map((m) => `${m.table}.${m.column}:${m.kind}`) };
  const made = { decision, json: JSON.stringify(decision) };
  if (Object.isFrozen(masks) && masks.every((m) => Object.isFrozen(m))) maskedAllows.set(masks, made);
  return made;
}

/**
 * statementRecord is a decided statement as the recording keeps it, with its JSON text: the
 * shape's part is rendered once per shape (shapeOf) and the policy input (the bulk of it) by
 * policyInputJson, which reuses the texts of the input's shared parts.
 */
export function statementRecord(
  req: StatementRequest,
  verdict: Verdict,
  input: PolicyInput | undefined,
  id: number,
  revision: string,
): { body: StatementBody; json: string } {
  const d = verdict.decision;
  const reasons = d === undefined || d.kind === 'allow' ? [] : d.reasons;
  const masks = verdict.kind === 'refuse' ? [] : verdict.masks;
  const refusedByGateway = verdict.kind === 'refuse' && d?.kind !== 'deny';
  const plain = verdict.kind === 'run' && reasons.length === 0;
  const remembered = plain && masks.length > 0 ? maskedAllow(masks) : undefined;
  const decision: StatementBody['decision'] =
    plain && masks.length === 0
      ? ALLOWED
      : (remembered?.decision ?? {
          kind: verdict.kind === 'run' ? 'allow' : verdict.kind === 'hold' ? 'hold' : d?.kind === 'deny' ? 'deny' : 'refuse',
          rules: refusedByGateway ? [verdict.error.code] : reasons.map((r) => r.rule),
          reasons: refusedByGateway ? [verdict.error.message] : reasons.map((r) => r.reason),
          masks: masks.map((m) => `${m.table}.${m.column}:${m.kind}`),
        });
  const shape = shapeOf(req.facts);
  const session = req.session.id;
  const body: StatementBody = {
    kind: 'statement',
    session,
    statement: id,
    text: req.facts.text,
    params: req.params,
    ...shape.fields,
    fingerprint: req.facts.fingerprint,
    decision,
    approval: null,
    policy_revision: revision,
    input: input ?? null,
  };
  const json =
    `{"kind":"statement","session":${JSON.stringify(session)},"statement":${id},"text":${JSON.stringify(req.facts.text)}` +
    `,"params":${JSON.stringify(req.params)},${shape.json},"fingerprint":${JSON.stringify(req.facts.fingerprint)}` +
    `,"decision":${decision === ALLOWED ? ALLOWED_JSON : (remembered?.json ?? JSON.stringify(decision))},"approval":null,"policy_revision":${JSON.stringify(revision)}` +
    `,"input":${input === undefined ? 'null' : policyInputJson(input)}}`;
  return { body, json };
}

/** approvalRecord is how a hold ended, as the recording keeps it. */
export function approvalRecord(batch: HeldBatch, result: HoldResult): ApprovalBody {
  return {
    kind: 'statement.approval',
    session: batch.session.id,
    statements: batch.recorded ?? [],
    approval: result.id ?? null,
    outcome: result.kind === 'approved' ? 'approved' : 'refused',
    code: result.kind === 'refused' ? result.error.code : null,
    reason: result.kind === 'refused' ? result.error.message : null,
  };
}

/** unanalysedRecord is the record of a statement refused before analysis: its text, values and the refusal. */
export function unanalysedRecord(req: UnanalysedRequest, id: number, error: ProxyError, revision: string): StatementBody {
  return {
    kind: 'statement',
    session: req.session.id,
    statement: id,
    text: req.text,
    params: req.params,
    statement_kind: 'unknown',
    command: '',
    tables: { read: [], written: [] },
    columns: { read: [], written: [] },
    flags: [],
    fingerprint: '',
    decision: { kind: 'refuse', rules: [error.code], reasons: [error.message], masks: [] },
    approval: null,
    policy_revision: revision,
    input: null,
  };
}
