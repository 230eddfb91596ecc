// The extended query protocol: client messages are buffered up to Sync or Flush (a batch),
// Parse is analyzed (facts per statement name), Bind is decided with its parameter values and
// the statement's facts; if every decision allows, the batch is forwarded (with a Describe of
// its own before an Execute whose rows need masks and were not described) and the answers are
// relayed; otherwise nothing is forwarded and the client sees one ErrorResponse, then
// ReadyForQuery for its Sync, as PostgreSQL's "skip until Sync" looks from the client. A batch
// with a Bind that needs approval waits whole (hold.ts) before any of it is forwarded.

import { decodeFrontend, encodeFrontend } from '../../wire/index.js';
import type { BindMessage, FrontendMessage, TaggedFrame } from '../../wire/index.js';
import { analyzeBounded, SqlSyntaxError } from '../../sql/index.js';
import type { StatementFacts } from '../../sql/index.js';
import {
  BatchTooLargeError,
  MAX_PREPARED_STATEMENTS,
  TooManyPreparedError,
  UnknownPortalError,
  UnknownStatementError,
  UnsupportedRequestError,
} from '../../actions/index.js';
import { formatOf } from '../../gate/index.js';
import { ProxyError, toErrorFields } from '../../errors.js';
import type { HoldResult } from '../../approvals/index.js';
import type { Decision } from '../../decision/index.js';
import { collectOutcomes, holdForApproval, stopCollecting } from './hold.js';
import type { HeldStatements } from './hold.js';
import { endRefusedBatch } from './abort.js';
import { sendError } from './replies.js';
import type { Cycle, PortalState, PreparedStatement } from './state.js';
import { relayResponses } from './relay.js';
import type { Expectation, RelayOutcome } from './expectations.js';

/** EXTENDED_TAGS are the client messages that make up an extended-protocol batch. */
export const EXTENDED_TAGS = 'PBDECSH';

/**
 * BATCH_LIMITS bound what is held before Sync. A pipeline is decided whole before any of it runs
 * (a refusal anywhere in it must leave nothing of it committed), so one past these limits is
 * refused whole (BatchTooLargeError) and its messages are discarded up to the Sync.
 */
export const BATCH_LIMITS = Object.freeze({ maxMessages: 10_000, maxBytes: 16 * 1024 * 1024 });

/** BatchEnd says how a batch ended: at Sync, at the client's Flush, past BATCH_LIMITS, or cut by a message outside the protocol. */
export type BatchEnd = 'sync' | 'flush' | 'limit' | 'cut';

/** Batch is the client frames of one batch and how it ended. */
export type Batch = { readonly frames: readonly TaggedFrame[]; readonly end: BatchEnd };

/** collectBatch reads client frames from `first` up to Sync or Flush; undefined when the client closed. */
export async function collectBatch(cycle: Cycle, first: TaggedFrame): Promise<Batch | undefined> {
  const frames: TaggedFrame[] = [first];
  let bytes = first.raw.length;
  for (;;) {
    const last = frames[frames.length - 1] as TaggedFrame;
    if (last.tag === 'S') return { frames, end: 'sync' };
    if (last.tag === 'H') return { frames, end: 'flush' };
    if (frames.length >= BATCH_LIMITS.maxMessages || bytes >= BATCH_LIMITS.maxBytes) return { frames, end: 'limit' };
    const next = await cycle.client.next();
    if (next === undefined) return undefined;
    if (next.kind !== 'tagged' || !EXTENDED_TAGS.includes(next.tag)) {
      cycle.client.pushBack(next);
      return { frames, end: 'cut' };
    }
    frames.push(next);
    bytes += next.raw.length;
  }
}

/** runExtendedBatch collects, decides, forwards and relays one batch starting with `first`. */
export async function runExtendedBatch(cycle: Cycle, first: TaggedFrame): Promise<RelayOutcome> {
  const batch = await collectBatch(cycle, first);
  if (batch === undefined) return 'closed';
  let planned: BatchPlan =
    batch.end === 'limit'
      ? { ok: false, error: new BatchTooLargeError(BATCH_LIMITS.maxMessages, BATCH_LIMITS.maxBytes) }
      : await planBatch(cycle, batch);
  let approved: Extract<HoldResult, { kind: 'approved' }> | undefined;
  if (planned.ok && planned.held.holds.length > 0) {
    // the whole batch up to Sync waits for a human; nothing of it runs before
    const revision = cycle.ctx.gate.revision();
    const held = await holdForApproval(cycle, planned.held);
    if (held.kind === 'refused') planned = { ok: false, error: held.error };
    else {
      approved = held;
      // the policy changed while the batch waited: it is decided again (the approval covers its holds)
      if (cycle.ctx.gate.revision() !== revision) planned = await planBatch(cycle, batch);
      if (!planned.ok) approved.finished([{ sqlstate: toErrorFields(planned.error).code }]);
    }
  }
  if (planned.ok) {
    const out = [...planned.out];
    // the upstream holds its answers until Sync or Flush; a cut batch needs a Flush to get them
    if (batch.end === 'cut') out.push(encodeFrontend({ kind: 'flush' }));
    cycle.ctx.upstream.write(Buffer.concat(out));
    // forwarded work without a Sync leaves the implicit transaction open
    cycle.state.pipelineOpen = batch.end !== 'sync';
    if (approved === undefined) return relayResponses(cycle, planned.queue);
    const outcomes = collectOutcomes(cycle);
    try {
      return await relayResponses(cycle, planned.queue);
    } finally {
      stopCollecting(cycle);
      approved.finished(outcomes);
    }
  }
  sendError(cycle, planned.error);
  if (batch.end !== 'sync') {
    // as PostgreSQL does after an error: discard messages until Sync
    for (;;) {
      const f = await cycle.client.next();
      if (f === undefined) return 'closed';
      if (f.kind === 'tagged' && f.tag === 'S') break;
      if (f.kind === 'tagged' && f.tag === 'X') {
        cycle.client.pushBack(f);
        return 'done';
      }
    }
  }
  // nothing of the batch was forwarded; what earlier batches left open is aborted (abort.ts)
  return endRefusedBatch(cycle);
}

/** BatchPlan is the bytes to forward and the answers to expect, or the first refusal. */
export type BatchPlan =
  | {
      readonly ok: true;
      readonly out: readonly Buffer[];
      readonly queue: Expectation[];
      /** held is every Bind's statement and values, and the hold decisions among them (none: nothing waits). */
      readonly held: HeldStatements;
    }
  | { readonly ok: false; readonly error: unknown };

/** HeldDraft gathers a batch's statements, hold decisions and recorded statement numbers as its Binds are decided. */
type HeldDraft = {
  statements: HeldStatements['statements'][number][];
  holds: Extract<Decision, { kind: 'hold' }>[];
  recorded: number[];
};

/**
 * planBatch decides a batch against a copy of the session's statements and portals (the real
 * ones change only when the upstream confirms: ParseComplete, BindComplete, CloseComplete), so a
 * refused Parse is never known and later Binds to it are refused too.
 */
export async function planBatch(cycle: Cycle, batch: Batch): Promise<BatchPlan> {
  const prepared = new Map(cycle.state.prepared);
  const portals = new Map(cycle.state.portals);
  const described = new Set<PortalState>();
  const out: Buffer[] = [];
  const queue: Expectation[] = [];
  const held: HeldDraft = { statements: [], holds: [], recorded: [] };
  for (const frame of batch.frames) {
    let msg: FrontendMessage;
    try {
      msg = decodeFrontend(frame);
    } catch (err) {
      return { ok: false, error: err };
    }
    switch (msg.kind) {
      case 'parse': {
        // a long statement is analysed on a worker thread (never stalling other sessions), a short one at once
        const analysis = analyzeBounded(msg.query, { maxBytes: cycle.ctx.limits.maxStatementBytes });
        const analyzed = analysis instanceof Promise ? await analysis : analysis;
        if (!analyzed.ok || analyzed.statements.length > 1) {
          const error = analyzed.ok ? new SqlSyntaxError('cannot insert multiple commands into a prepared statement', 0) : analyzed.error;
          // refused before any policy saw it, and still on record
          await cycle.ctx.gate.refuseUnanalysed({ session: cycle.session, text: msg.query, params: null }, error);
          return { ok: false, error };
        }
        const statement: PreparedStatement = { name: msg.name, facts: analyzed.statements[0] };
        // the gateway keeps each named statement's facts: a session may hold a bounded number
        if (!prepared.has(msg.name) && prepared.size >= MAX_PREPARED_STATEMENTS) return { ok: false, error: new TooManyPreparedError() };
        prepared.set(msg.name, statement);
        queue.push({ kind: 'parse', statement });
        break;
      }
      case 'bind': {
        const statement = prepared.get(msg.statement);
        if (statement === undefined) return { ok: false, error: new UnknownStatementError(msg.statement) };
        const portal = await planBind(cycle, msg, statement.facts, held);
        if (portal instanceof ProxyError) return { ok: false, error: portal };
        portals.set(msg.portal, portal);
        queue.push({ kind: 'bind', portal });
        break;
      }
      case 'describe': {
        if (msg.target === 'S') {
          if (!prepared.has(msg.name)) return { ok: false, error: new UnknownStatementError(msg.name) };
          queue.push({ kind: 'describeStatement' });
        } else {
          const portal = portals.get(msg.name);
          if (portal === undefined) return { ok: false, error: new UnknownPortalError(msg.name) };
          described.add(portal);
          queue.push({ kind: 'describePortal', portal, synthetic: false });
        }
        break;
      }
      case 'execute': {
        const portal = portals.get(msg.portal);
        if (portal === undefined) return { ok: false, error: new UnknownPortalError(msg.portal) };
        if (portal.masks.length > 0 && portal.plan === undefined && !described.has(portal)) {
          // bind the result columns before the rows arrive: our own Describe, answered to us only
          out.push(encodeFrontend({ kind: 'describe', target: 'P', name: msg.portal }));
          queue.push({ kind: 'describePortal', portal, synthetic: true });
          described.add(portal);
        }
        queue.push({ kind: 'execute', portal });
        break;
      }
      case 'close':
        if (msg.target === 'S') prepared.delete(msg.name);
        else portals.delete(msg.name);
        queue.push({ kind: 'close', target: msg.target, name: msg.name });
        break;
      case 'sync':
        queue.push({ kind: 'sync' });
        break;
      case 'flush':
        break;
      default:
        return { ok: false, error: new UnsupportedRequestError(`message '${frame.tag}' inside an extended-protocol batch`) };
    }
    out.push(frame.raw);
  }
  return { ok: true, out, queue, held };
}

/** planBind passes one Bind through the gate and returns the portal it creates, or the error that refuses it. */
async function planBind(
  cycle: Cycle,
  msg: BindMessage,
  facts: StatementFacts | undefined,
  held: HeldDraft,
): Promise<PortalState | ProxyError> {
  const base = { name: msg.portal, facts, resultFormats: msg.resultFormats, plan: undefined };
  // an empty statement runs nothing: EmptyQueryResponse
  if (facts === undefined) return { ...base, masks: [], copy: undefined };
  const params = bindParams(msg);
  held.statements.push({ facts, params });
  const verdict = await cycle.ctx.gate.enforce({
    session: cycle.session,
    facts,
    params,
    inTransaction: cycle.state.txStatus !== 'I',
    protocol: 'extended',
    resultFormats: msg.resultFormats,
  });
  if (verdict.kind === 'refuse') return verdict.error;
  if (verdict.kind === 'hold') held.holds.push(verdict.decision);
  if (verdict.statement !== undefined) held.recorded.push(verdict.statement);
  return {
    ...base,
    masks: verdict.masks,
    copy: verdict.copy,
    ...(verdict.statement !== undefined ? { statement: verdict.statement } : {}),
    ...(verdict.durable !== undefined ? { durable: verdict.durable } : {}),
  };
}

/** bindParams renders Bind values for the policy: text format as strings, binary format and NULL as null. */
export function bindParams(msg: BindMessage): (string | null)[] {
  return msg.values.map((v, i) => (v === null || formatOf(msg.paramFormats, i) === 1 ? null : v.toString('utf8')));
}
