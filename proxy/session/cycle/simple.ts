// The simple query protocol ('Q'): analyze the whole string, pass every statement through the
// gate before any is forwarded (one refusal stops the string, and aborts an open transaction as a
// failed statement would: abort.ts), hold the whole string for approval when any statement needs
// it (hold.ts), then forward the original frame and relay the answers with masks applied.

import { analyzeBounded } from '../../sql/index.js';
import type { StatementFacts } from '../../sql/index.js';
import type { Decision, Mask } from '../../decision/index.js';
import type { HoldResult } from '../../approvals/index.js';
import { collectOutcomes, holdForApproval, stopCollecting } from './hold.js';
import type { QueryMessage, TaggedFrame } from '../../wire/index.js';
import { toErrorFields } from '../../errors.js';
import type { ProxyError } from '../../errors.js';
import { endRefusedQuery } from './abort.js';
import { sendError } from './replies.js';
import type { Cycle } from './state.js';
import { relayResponses } from './relay.js';
import type { RelayOutcome, SimpleStatementPlan } from './expectations.js';

/** runSimpleQuery carries out one Query message and relays its answers up to ReadyForQuery. */
export async function runSimpleQuery(cycle: Cycle, frame: TaggedFrame, msg: QueryMessage): Promise<RelayOutcome> {
  const { ctx, state } = cycle;
  // a long string is analysed on a worker thread (never stalling other sessions), a short one at once
  const analysis = analyzeBounded(msg.sql, { maxBytes: ctx.limits.maxStatementBytes });
  const analyzed = analysis instanceof Promise ? await analysis : analysis;
  if (!analyzed.ok) {
    await ctx.gate.refuseUnanalysed({ session: cycle.session, text: msg.sql, params: null }, analyzed.error);
    sendError(cycle, analyzed.error);
    return endRefusedQuery(cycle);
  }
  let planned = await planStatements(cycle, analyzed.statements);
  if (!planned.ok) {
    sendError(cycle, planned.error);
    return endRefusedQuery(cycle);
  }
  let approved: Extract<HoldResult, { kind: 'approved' }> | undefined;
  if (planned.holds.length > 0) {
    // the whole string waits for a human; nothing of it runs before
    const revision = ctx.gate.revision();
    const held = await holdForApproval(cycle, {
      statements: analyzed.statements.map((facts) => ({ facts, params: null })),
      holds: planned.holds,
      recorded: planned.statements.flatMap((p) => (p.statement !== undefined ? [p.statement] : [])),
    });
    if (held.kind === 'refused') {
      sendError(cycle, held.error);
      return endRefusedQuery(cycle);
    }
    approved = held;
    if (ctx.gate.revision() !== revision) {
      // the policy changed while the string waited: it is decided again (the approval covers its holds)
      planned = await planStatements(cycle, analyzed.statements);
      if (!planned.ok) {
        approved.finished([{ sqlstate: toErrorFields(planned.error).code }]);
        sendError(cycle, planned.error);
        return endRefusedQuery(cycle);
      }
    }
  }
  ctx.upstream.write(frame.raw);
  // the Query ends any implicit transaction the extended protocol left open
  state.pipelineOpen = false;
  // a simple query destroys the unnamed prepared statement and portal
  state.prepared.delete('');
  state.portals.delete('');
  if (analyzed.statements.some(dropsPreparedStatements)) {
    // DEALLOCATE / DISCARD free names a later SQL PREPARE could reuse with other text: forget all
    state.prepared.clear();
    state.portals.clear();
  }
  if (approved === undefined)
    return relayResponses(cycle, [{ kind: 'query', statements: planned.statements, masks: planned.masks, index: 0 }]);
  const outcomes = collectOutcomes(cycle);
  try {
    return await relayResponses(cycle, [{ kind: 'query', statements: planned.statements, masks: planned.masks, index: 0 }]);
  } finally {
    stopCollecting(cycle);
    approved.finished(outcomes);
  }
}

/** PlanResult is every statement's plan and the union of their masks, or the first refusal. */
type PlanResult =
  | {
      readonly ok: true;
      readonly statements: readonly SimpleStatementPlan[];
      readonly masks: readonly Mask[];
      /** holds are the decisions of the statements that need a human's approval first. */
      readonly holds: readonly Extract<Decision, { kind: 'hold' }>[];
    }
  | { readonly ok: false; readonly error: ProxyError };

/** planStatements passes each statement through the gate in order; the first refusal refuses the string. */
async function planStatements(cycle: Cycle, statements: readonly StatementFacts[]): Promise<PlanResult> {
  let inTransaction = cycle.state.txStatus !== 'I';
  const plans: SimpleStatementPlan[] = [];
  const masks: Mask[] = [];
  const holds: Extract<Decision, { kind: 'hold' }>[] = [];
  for (const facts of statements) {
    const verdict = await cycle.ctx.gate.enforce({
      session: cycle.session,
      facts,
      params: null,
      inTransaction,
      protocol: 'simple',
      resultFormats: [],
    });
    if (verdict.kind === 'refuse') return { ok: false, error: verdict.error };
    if (verdict.kind === 'hold') holds.push(verdict.decision);
    plans.push({
      facts,
      copy: verdict.copy,
      masks: verdict.masks,
      ...(verdict.statement !== undefined ? { statement: verdict.statement } : {}),
      ...(verdict.durable !== undefined ? { durable: verdict.durable } : {}),
    });
    masks.push(...verdict.masks);
    // later statements of the string run inside a transaction block BEGIN opened
    if (facts.kind === 'begin') inTransaction = true;
    else if (facts.kind === 'commit' || (facts.kind === 'rollback' && facts.command === 'ROLLBACK')) inTransaction = false;
  }
  return { ok: true, statements: plans, masks, holds };
}

/** dropsPreparedStatements tells whether a statement frees prepared-statement names (DEALLOCATE, DISCARD). */
export function dropsPreparedStatements(facts: StatementFacts): boolean {
  return facts.kind === 'deallocate' || facts.command.startsWith('DISCARD');
}
