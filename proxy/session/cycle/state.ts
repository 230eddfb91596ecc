// Per-session state of the query cycle: the upstream's transaction status, the session's
// counters, and the prepared statements and portals the upstream confirmed, with the frame
// pullers of both sides. One per session, never shared.

import type { FormatCode, TransactionStatus } from '../../wire/index.js';
import type { Mask } from '../../decision/index.js';
import type { StatementFacts } from '../../sql/index.js';
import type { CopyMaskPlan, ResultMaskPlan } from '../../actions/index.js';
import type { GateSession } from '../../gate/index.js';
import type { SessionContext } from '../types.js';
import { FramePuller } from './frame-puller.js';

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
  /** statement is the Bind's statement number in its session when it was recorded. */
  readonly statement?: number;
  /** durable settles once the Bind's record is on disk (a read-only query's answers wait for it: Verdict.durable). */
  readonly durable?: Promise<void>;
};

/** CycleState is what the query cycle remembers between messages (one per session, never shared). */
export type CycleState = {
  /** txStatus is the last ReadyForQuery status of the upstream. */
  txStatus: TransactionStatus;
  /** statements is the number of statements decided so far (the gate counts them). */
  statements: number;
  /** rowsReturned counts DataRow messages and COPY TO rows relayed to the client. */
  rowsReturned: number;
  /** pipelineOpen is true while extended-protocol work was forwarded (at a Flush) and no Sync yet ended its implicit transaction. */
  pipelineOpen: boolean;
  /** upstreamFatal is true once the upstream's own FATAL error reached the client: when it closes, the gateway adds none of its own. */
  upstreamFatal: boolean;
  readonly prepared: Map<string, PreparedStatement>;
  readonly portals: Map<string, PortalState>;
  /** reported are the ParameterStatus values the upstream sent during the session (the pool keeps a reused connection's values current). */
  readonly reported: Map<string, string>;
  /** outcomes, while set, receives how each forwarded statement ends (an approved hold reports them). */
  outcomes: { tag?: string; sqlstate?: string }[] | undefined;
};

/** Cycle bundles a session's context, state, its view for the gate, and the frame pullers. */
export type Cycle = {
  readonly ctx: SessionContext;
  readonly state: CycleState;
  /** session is the session as the statement gate sees it (its counters are `state`'s). */
  readonly session: GateSession;
  readonly client: FramePuller;
  readonly upstream: FramePuller;
};

/** createCycle starts the query cycle state of a session (idle, nothing decided yet). */
export function createCycle(ctx: SessionContext): Cycle {
  const state: CycleState = {
    txStatus: 'I',
    statements: 0,
    rowsReturned: 0,
    pipelineOpen: false,
    upstreamFatal: false,
    prepared: new Map(),
    portals: new Map(),
    reported: new Map(),
    outcomes: undefined,
  };
  return {
    ctx,
    state,
    session: {
      id: ctx.id,
      principal: ctx.principal,
      connection: ctx.connection,
      startedAt: ctx.startedAt,
      counters: state,
      sqlPrepared: new Map(),
    },
    client: new FramePuller(ctx.client),
    upstream: new FramePuller(ctx.upstream),
  };
}
