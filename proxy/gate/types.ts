// The statement gate's contract: what a protocol path hands it for one statement (facts, Bind
// values, the session's view), what comes back (run with masks, or refuse with the error the
// client sees), and the ports it waits on (the policy's decide, the approvals of held statements).

import type { Principal } from '../auth/index.js';
import type { Decision, Mask, PolicyInput } from '../decision/index.js';
import type { ProxyError } from '../errors.js';
import type { CopyMaskPlan } from '../actions/index.js';
import type { StatementFacts } from '../sql/index.js';
import type { FormatCode } from '../wire/index.js';
import type { HoldNotice, HoldResult, HoldTicket } from '../approvals/index.js';

/** Decide evaluates the current policy; it never throws (it fails closed with a deny Decision). A later policy source may answer asynchronously. */
export type Decide = (input: PolicyInput) => Decision | Promise<Decision>;

/** ConnectionInfo describes the client connection (policy input `connection`). */
export type ConnectionInfo = {
  readonly database: string;
  readonly user: string;
  readonly applicationName: string;
  readonly clientAddress: string;
  readonly tls: boolean;
};

/** SessionCounters are the session's running totals; the gate counts every statement it decides. */
export type SessionCounters = { statements: number; rowsReturned: number };

/** GateSession is the session as the gate sees it. */
export type GateSession = {
  readonly id: string;
  readonly principal: Principal;
  readonly connection: ConnectionInfo;
  /** startedAt is the session start in ms since the epoch. */
  readonly startedAt: number;
  readonly counters: SessionCounters;
  /**
   * sqlPrepared maps the names of SQL-level prepared statements (PREPARE name AS …) to the facts of
   * the statement each runs, so an EXECUTE is decided by what it runs (the gate keeps it).
   */
  readonly sqlPrepared: Map<string, StatementFacts>;
};

/** StatementRequest is one statement about to be forwarded, as a protocol path sees it. */
export type StatementRequest = {
  readonly session: GateSession;
  readonly facts: StatementFacts;
  /** params are the Bind values (text format as strings, binary and NULL as null); null for the simple protocol. */
  readonly params: readonly (string | null)[] | null;
  /** inTransaction is whether the statement runs inside a transaction block. */
  readonly inTransaction: boolean;
  /** protocol is how the statement came: a simple Query or an extended-protocol Bind. */
  readonly protocol: 'simple' | 'extended';
  /** resultFormats are the Bind's result format codes (empty for the simple protocol: all text). */
  readonly resultFormats: readonly FormatCode[];
};

/** Verdict is what the protocol path carries out: forward with these masks, or refuse with this error. */
export type Verdict =
  | {
      readonly kind: 'run';
      readonly decision: Decision;
      readonly masks: readonly Mask[];
      /** copy is the COPY TO STDOUT rewrite plan when the statement is such a COPY with masks. */
      readonly copy: CopyMaskPlan | undefined;
      /** statement is the statement's number in its session, when it was recorded (its outcome is recorded under it). */
      readonly statement?: number;
      /**
       * durable, when set, settles once the statement's record is on disk: a read-only query is
       * forwarded once its record is written, and its answers reach the client only after this
       * resolves (rejected: the record could not be synced, and the answers must not be sent).
       */
      readonly durable?: Promise<void>;
    }
  | {
      /** hold: the statement may run (with these masks) only once a human approves it (Gate.awaitApproval). */
      readonly kind: 'hold';
      readonly decision: Extract<Decision, { kind: 'hold' }>;
      readonly masks: readonly Mask[];
      readonly copy: CopyMaskPlan | undefined;
      readonly statement?: number;
      /** durable: as for run (never set for a held statement: its record is synced before anyone is asked). */
      readonly durable?: Promise<void>;
    }
  | { readonly kind: 'refuse'; readonly decision: Decision | undefined; readonly error: ProxyError };

/** HeldBatch is a simple-query string or an extended-protocol batch of which some statement needs approval: all of it waits. */
export type HeldBatch = {
  readonly session: GateSession;
  /** statements are every statement of the string or batch, in order, with their Bind values. */
  readonly statements: readonly { readonly facts: StatementFacts; readonly params: readonly (string | null)[] | null }[];
  /** holds are the hold decisions of the statements that need approval. */
  readonly holds: readonly Extract<Decision, { kind: 'hold' }>[];
  /** recorded are the numbers of its statements on record (how the hold ends is recorded against them). */
  readonly recorded?: readonly number[];
  /** signal aborts when the client cancels (CancelRequest) or disconnects: the request is withdrawn. */
  readonly signal: AbortSignal;
  /** notice sends the waiting client a NoticeResponse. */
  readonly notice: (n: HoldNotice) => void;
};

/** ApprovalPort holds a batch until it is approved, denied or expires (proxy/approvals plugs in here); hold never rejects. */
export type ApprovalPort = {
  hold(ticket: HoldTicket): Promise<HoldResult>;
};

/** UnanalysedRequest is what is known of a statement that could not be analysed. */
export type UnanalysedRequest = {
  readonly session: GateSession;
  readonly text: string;
  readonly params: readonly (string | null)[] | null;
};
