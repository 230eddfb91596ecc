// The simple query protocol ('Q'): analyze the whole string, decide every statement before any
// is forwarded (one deny or hold stops the string), check that masked columns can be rewritten,
// plan COPY TO masks, then forward the original frame and relay the answers with masks applied.

import { analyze } from '../sql/index.js';
import type { StatementFacts } from '../sql/index.js';
import { decisionError } from '../decision/index.js';
import type { Mask } from '../decision/index.js';
import type { QueryMessage, TaggedFrame } from '../wire/index.js';
import { checkOutputMasks } from '../actions/index.js';
import type { ProxyError } from '../errors.js';
import { decideStatement, sendError, sendReady } from './cycle-state.js';
import type { Cycle } from './cycle-state.js';
import { planCopyOut } from './copy.js';
import { relayResponses } from './relay.js';
import type { RelayOutcome, SimpleStatementPlan } from './relay.js';

/** runSimpleQuery carries out one Query message and relays its answers up to ReadyForQuery. */
export async function runSimpleQuery(cycle: Cycle, frame: TaggedFrame, msg: QueryMessage): Promise<RelayOutcome> {
  const { ctx, state } = cycle;
  const analyzed = analyze(msg.sql, { maxBytes: ctx.limits.maxStatementBytes });
  if (!analyzed.ok) {
    sendError(cycle, analyzed.error);
    sendReady(cycle);
    return 'done';
  }
  const planned = await planStatements(cycle, analyzed.statements);
  if (!planned.ok) {
    sendError(cycle, planned.error);
    sendReady(cycle);
    return 'done';
  }
  ctx.upstream.write(frame.raw);
  // a simple query destroys the unnamed prepared statement and portal
  state.prepared.delete('');
  state.portals.delete('');
  if (analyzed.statements.some(dropsPreparedStatements)) {
    // DEALLOCATE / DISCARD free names a later SQL PREPARE could reuse with other text: forget all
    state.prepared.clear();
    state.portals.clear();
  }
  return relayResponses(cycle, [{ kind: 'query', statements: planned.statements, masks: planned.masks, index: 0 }]);
}

/** PlanResult is every statement's plan and the union of their masks, or the first refusal. */
type PlanResult =
  | { readonly ok: true; readonly statements: readonly SimpleStatementPlan[]; readonly masks: readonly Mask[] }
  | { readonly ok: false; readonly error: ProxyError };

/** planStatements decides each statement in order; the first deny, hold or unmaskable output refuses the string. */
async function planStatements(cycle: Cycle, statements: readonly StatementFacts[]): Promise<PlanResult> {
  let inTransaction = cycle.state.txStatus !== 'I';
  const plans: SimpleStatementPlan[] = [];
  const masks: Mask[] = [];
  for (const facts of statements) {
    const decision = decideStatement(cycle, facts, null, inTransaction);
    // deny and hold (approvals do not exist yet) both refuse, with the policy's reason and rule
    if (decision.kind !== 'allow') return { ok: false, error: decisionError(decision) as ProxyError };
    const touched = [...facts.tables.read, ...facts.tables.written];
    const masked = checkOutputMasks(facts.output, touched, decision.masks);
    if (masked !== undefined) return { ok: false, error: masked };
    const copy = await planCopyOut(facts, decision.masks, cycle.ctx.catalog);
    if (!copy.ok) return { ok: false, error: copy.error };
    plans.push({ facts, copy: copy.plan });
    masks.push(...decision.masks);
    // later statements of the string run inside a transaction block BEGIN opened
    if (facts.kind === 'begin') inTransaction = true;
    else if (facts.kind === 'commit' || (facts.kind === 'rollback' && facts.command === 'ROLLBACK')) inTransaction = false;
  }
  return { ok: true, statements: plans, masks };
}

/** dropsPreparedStatements tells whether a statement frees prepared-statement names (DEALLOCATE, DISCARD). */
export function dropsPreparedStatements(facts: StatementFacts): boolean {
  return facts.kind === 'deallocate' || facts.command.startsWith('DISCARD');
}
