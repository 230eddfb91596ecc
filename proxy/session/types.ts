// The seam between a connection's startup phase (TLS, JWT verification, upstream login:
// proxy/session/startup/) and its query cycle (statements through the gate, forwarding, masking:
// proxy/session/cycle/). Startup builds a SessionContext and hands it to the query cycle.

import type { Principal } from '../auth/index.js';
import type { CatalogResolver } from '../catalog/index.js';
import type { EventSink } from '../events.js';
import type { ConnectionInfo, Gate } from '../gate/index.js';
import type { FrameChannel } from '../net/index.js';
import type { UpstreamConnection } from '../upstream/index.js';
import type { Recorder } from '../recording/index.js';
import type { Frame } from '../wire/index.js';

/** SessionContext is everything the query cycle needs; built by startup once login succeeded. */
export type SessionContext = {
  readonly id: string;
  readonly client: FrameChannel;
  readonly upstream: UpstreamConnection;
  readonly principal: Principal;
  readonly connection: ConnectionInfo;
  /** startedAt is the session start in ms since the epoch. */
  readonly startedAt: number;
  /** gate decides every statement and says how to carry the decision out. */
  readonly gate: Gate;
  /** catalog names RowDescription columns for masking. */
  readonly catalog: CatalogResolver;
  readonly limits: { readonly maxStatementBytes: number };
  /** maskHashKey makes `hash` masks an HMAC (config `masking.hash_key_*`); absent: plain SHA-256. */
  readonly maskHashKey?: string;
  readonly events: EventSink;
  /** recorder records each statement's outcome and what the agent saw (absent: nothing is recorded). */
  readonly recorder?: Recorder;
  /** recordRowsBytes, when set, keeps the rows the agent saw in the outcome record, up to this many bytes per statement. */
  readonly recordRowsBytes?: number;
  /** interrupt ends a wait for approval early (the client's CancelRequest or disconnect); absent: nothing interrupts it. */
  readonly interrupt?: HoldInterrupt;
  /** activity tells the session's owner when the session is idle (a draining gateway ends it then); absent: nobody asks. */
  readonly activity?: SessionActivity;
  /** reuseUpstream: a session ending at rest leaves a clean upstream open for its owner (SessionEnd.idleUpstream); absent: the cycle ends it. */
  readonly reuseUpstream?: boolean;
};

/**
 * SessionActivity is what the query cycle says about its session: `idle` between statements
 * outside a transaction block (set to false when a client message arrives, and to whether the
 * transaction ended when its answer is complete), and `wentIdle()` called each time it becomes idle.
 */
export type SessionActivity = { idle: boolean; readonly wentIdle: () => void };

/** HoldInterrupt lets a CancelRequest or a disconnect end the session's wait for approval. */
export type HoldInterrupt = {
  /** arm returns the signal of the wait about to start (already aborted when the client is gone). */
  arm(): AbortSignal;
  /** disarm ends the wait's interruptibility. */
  disarm(): void;
  /** fire aborts the current wait; false when nothing was waiting. */
  fire(): boolean;
  /** gone marks the client as disconnected: the current and every later wait aborts. */
  gone(): void;
};

/** SessionEnd says how a logged-in session's query cycle ended and how many statements it decided. */
export type SessionEnd = {
  readonly reason: 'client' | 'upstream' | 'error';
  readonly statements: number;
  readonly rows?: number;
  /**
   * idleUpstream, when set, says the session ended between requests with its upstream idle and
   * clean (last ReadyForQuery 'I', nothing in flight, no failure) and left open: the owner may
   * reset and reuse it, or must close it. Absent: the cycle ended the upstream (or should have).
   */
  readonly idleUpstream?: IdleUpstreamState;
};

/** IdleUpstreamState is an idle upstream as the cycle leaves it: the read it began and never consumed, and the parameters reported meanwhile. */
export type IdleUpstreamState = {
  readonly unread: Promise<Frame | undefined> | undefined;
  /** reported are the ParameterStatus values the upstream sent during the session. */
  readonly reported: ReadonlyMap<string, string>;
};

/** QueryCycle serves a logged-in session (proxy/session/cycle runQueryCycle, or a test double that reports nothing). */
export type QueryCycle = (ctx: SessionContext) => Promise<SessionEnd | undefined>;
