// The seam between a connection's startup phase (TLS, JWT verification, upstream login:
// proxy/session/startup.ts) and its query cycle (decisions, forwarding, masking:
// proxy/session/query-cycle.ts). Startup builds a SessionContext and hands it to runQueryCycle.

import type { Frame } from '../wire/index.js';
import type { Principal } from '../auth/index.js';
import type { Decision, PolicyInput } from '../decision/index.js';

/**
 * FrameChannel is one side of a session (the client socket or the upstream socket) as a
 * pull-based stream of complete protocol frames. Implementations apply backpressure (pause the
 * socket while frames are unread) and enforce the maximum frame size.
 */
export interface FrameChannel {
  /** next resolves with the next frame, or undefined once the peer closed. Rejects with a ProxyError on a protocol error (e.g. an oversize frame). */
  next(): Promise<Frame | undefined>;
  /** write queues bytes for the peer. */
  write(bytes: Uint8Array): void;
  /** end flushes what was written and closes the socket. */
  end(): void;
  /** closed is true once the socket has closed (either side). */
  readonly closed: boolean;
}

/** UpstreamConnection is the logged-in connection to PostgreSQL that serves one client session. */
export interface UpstreamConnection extends FrameChannel {
  /** backendKey is the upstream's BackendKeyData (used to forward cancel requests). */
  readonly backendKey: { readonly processId: number; readonly secretKey: number };
  /** parameters are the ParameterStatus values the upstream sent at login. */
  readonly parameters: ReadonlyMap<string, string>;
}

/** ConnectionInfo describes the client connection (policy input `connection`). */
export type ConnectionInfo = {
  readonly database: string;
  readonly user: string;
  readonly applicationName: string;
  readonly clientAddress: string;
  readonly tls: boolean;
};

/** ColumnName is a resolved result column source. */
export type ColumnName = { readonly table: string; readonly column: string };

/** CatalogResolver maps RowDescription table OIDs/attribute numbers to names (cached; backed by the upstream catalog). */
export interface CatalogResolver {
  /** resolveColumn returns `schema.table` and the column name, or undefined for OID 0 / unknown. */
  resolveColumn(tableOid: number, attnum: number): Promise<ColumnName | undefined>;
  /** columnsOf lists a table's visible columns in attribute order (for `COPY t TO STDOUT`); `schema.table` form. */
  columnsOf(table: string): Promise<readonly string[] | undefined>;
  /** invalidate drops cached entries (after DDL). */
  invalidate(): void;
}

/** Decide evaluates the current policy; it never throws (it fails closed with a deny Decision). */
export type Decide = (input: PolicyInput) => Decision;

/** SessionLog receives structured events (no console in library code). */
export type SessionLog = (event: { readonly type: string; readonly [k: string]: unknown }) => void;

/** SessionContext is everything the query cycle needs; built by startup once login succeeded. */
export type SessionContext = {
  readonly id: string;
  readonly client: FrameChannel;
  readonly upstream: UpstreamConnection;
  readonly principal: Principal;
  readonly connection: ConnectionInfo;
  /** startedAt is the session start in ms since the epoch. */
  readonly startedAt: number;
  /** decide evaluates the policy loaded right now (hot reload swaps it underneath). */
  readonly decide: Decide;
  readonly catalog: CatalogResolver;
  readonly limits: { readonly maxStatementBytes: number };
  readonly log: SessionLog;
  readonly now: () => number;
};
