// Per-session state of the query cycle and the small helpers every phase shares: pulling frames
// from a channel with one frame of look-ahead, deciding one statement (policy input from the
// session's counters), and writing the gateway's own messages (errors, ReadyForQuery) to the client.

import { encodeBackend } from '../wire/index.js';
import type { BackendMessageOut, Frame, FormatCode, TransactionStatus } from '../wire/index.js';
import { buildPolicyInput } from '../decision/index.js';
import type { Decision, Mask } from '../decision/index.js';
import type { StatementFacts } from '../sql/index.js';
import { toErrorFields } from '../errors.js';
import type { CopyMaskPlan, ResultMaskPlan } from '../actions/index.js';
import type { FrameChannel, SessionContext } from './types.js';

/** PreparedStatement is a statement the upstream accepted (ParseComplete seen); facts undefined for an empty query. */
export type PreparedStatement = { readonly name: string; readonly facts: StatementFacts | undefined };

/** PortalState is a portal the upstream accepted (BindComplete seen) with what its decision asks for. */
export type PortalState = {
  readonly name: string;
  readonly facts: StatementFacts | undefined;
  readonly masks: readonly Mask[];
  readonly resultFormats: readonly FormatCode[];
  /** copy is the COPY TO STDOUT rewrite plan when the portal runs such a COPY with masks. */
  readonly copy: CopyMaskPlan | undefined;
  /** plan is the result mask plan, bound once the portal's RowDescription or NoData (Describe P) arrived. */
  plan: ResultMaskPlan | undefined;
};

/** CycleState is what the query cycle remembers between messages (one per session, never shared). */
export type CycleState = {
  /** txStatus is the last ReadyForQuery status of the upstream. */
  txStatus: TransactionStatus;
  /** statements is the number of statements decided so far. */
  statements: number;
  /** rowsReturned counts DataRow messages and COPY TO rows relayed to the client. */
  rowsReturned: number;
  readonly prepared: Map<string, PreparedStatement>;
  readonly portals: Map<string, PortalState>;
};

/**
 * FramePuller reads a FrameChannel with one frame of look-ahead, so the idle loop can wait on
 * both sides at once without losing the frame of the side that did not win the race.
 */
export class FramePuller {
  readonly #channel: FrameChannel;
  #pending: Promise<Frame | undefined> | undefined;
  #pushedBack: Frame[] = [];

  /** constructor wraps a channel. */
  constructor(channel: FrameChannel) {
    this.#channel = channel;
  }

  /** ready resolves once a frame (or the end) is available; it never rejects (next() reports the error). */
  ready(): Promise<void> {
    if (this.#pushedBack.length > 0) return Promise.resolve();
    this.#pending ??= this.#channel.next();
    return this.#pending.then(
      () => undefined,
      () => undefined,
    );
  }

  /** next returns the next frame (undefined once the peer closed); rejects with the channel's error. */
  next(): Promise<Frame | undefined> {
    const back = this.#pushedBack.shift();
    if (back !== undefined) return Promise.resolve(back);
    const p = this.#pending ?? this.#channel.next();
    this.#pending = undefined;
    return p;
  }

  /** pushBack returns a frame so the next call to next() yields it again. */
  pushBack(frame: Frame): void {
    this.#pushedBack.unshift(frame);
  }
}

/** Cycle bundles a session's context, state and frame pullers. */
export type Cycle = {
  readonly ctx: SessionContext;
  readonly state: CycleState;
  readonly client: FramePuller;
  readonly upstream: FramePuller;
};

/** createCycle starts the query cycle state of a session (idle, nothing decided yet). */
export function createCycle(ctx: SessionContext): Cycle {
  return {
    ctx,
    state: { txStatus: 'I', statements: 0, rowsReturned: 0, prepared: new Map(), portals: new Map() },
    client: new FramePuller(ctx.client),
    upstream: new FramePuller(ctx.upstream),
  };
}

/**
 * decideStatement builds the policy input for one statement and asks the current policy; it
 * counts the statement. ctx.decide never throws; a throw anyway (a broken decider) is a deny.
 */
export function decideStatement(
  cycle: Cycle,
  facts: StatementFacts,
  params: readonly (string | null)[] | null,
  inTransaction: boolean,
): Decision {
  const { ctx, state } = cycle;
  let decision: Decision;
  try {
    const input = buildPolicyInput({
      claims: ctx.principal.claims,
      connection: ctx.connection,
      statement: facts,
      params,
      session: {
        statements: state.statements,
        rowsReturned: state.rowsReturned,
        inTransaction,
        startedAtMs: ctx.startedAt,
      },
      nowMs: ctx.now(),
    });
    decision = ctx.decide(input);
    if (!isDecision(decision)) throw new TypeError('decide returned an invalid decision');
  } catch (err) {
    ctx.log({ type: 'policy_error', message: err instanceof Error ? err.message : String(err) });
    decision = {
      kind: 'deny',
      reason: 'policy error: the decision could not be evaluated',
      rule: 'portcullis.policy_error',
      origin: 'error',
      reasons: [{ reason: 'policy error: the decision could not be evaluated', rule: 'portcullis.policy_error' }],
    };
  }
  state.statements++;
  ctx.log({
    type: 'decision',
    session: ctx.id,
    decision: decision.kind,
    ...(decision.kind !== 'allow' ? { rule: decision.rule } : { masks: decision.masks.length }),
    command: facts.command,
    fingerprint: facts.fingerprint,
  });
  return decision;
}

/** isDecision checks the shape the session relies on (fail closed on anything else). */
function isDecision(d: unknown): d is Decision {
  if (typeof d !== 'object' || d === null) return false;
  const x = d as { kind?: unknown; masks?: unknown; reason?: unknown; rule?: unknown };
  if (x.kind === 'allow') return Array.isArray(x.masks);
  return (x.kind === 'deny' || x.kind === 'hold') && typeof x.reason === 'string' && typeof x.rule === 'string';
}

/** sendToClient encodes and writes one of the gateway's own messages. */
export function sendToClient(cycle: Cycle, msg: BackendMessageOut): void {
  cycle.ctx.client.write(encodeBackend(msg));
}

/** sendError writes an ErrorResponse for any error (toErrorFields: the one mapping; no internals leak). */
export function sendError(cycle: Cycle, err: unknown): void {
  const f = toErrorFields(err);
  cycle.ctx.log({ type: 'error_sent', session: cycle.ctx.id, code: f.code, message: f.message });
  sendToClient(cycle, { kind: 'errorResponse', ...f });
}

/** sendReady writes ReadyForQuery with the upstream's last transaction status. */
export function sendReady(cycle: Cycle): void {
  sendToClient(cycle, { kind: 'readyForQuery', status: cycle.state.txStatus });
}

/** formatOf returns the format code of column/parameter i under PostgreSQL's 0/1/n rule. */
export function formatOf(formats: readonly FormatCode[], i: number): FormatCode {
  if (formats.length === 0) return 0;
  if (formats.length === 1) return formats[0] as FormatCode;
  return formats[i] ?? 0;
}
