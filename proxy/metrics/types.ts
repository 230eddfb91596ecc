// What the gateway's status, metrics and readiness read: the policy's status (from the provider
// the composition root passes: today the policy loaded at start, later the hot reloader), and the
// live figures of the running gateway as callbacks read when asked (at a scrape, a status request,
// a probe). Plain readonly data; no behaviour lives here.

/** PolicyStatus is a snapshot of the active policy and of the attempts to replace it. */
export type PolicyStatus = {
  /** revision is the active policy's revision (the bundle's manifest revision, or a digest of the compiled policy). */
  readonly revision: string;
  /** activatedAt is when the active policy started deciding (undefined: no policy is active yet). */
  readonly activatedAt: Date | undefined;
  /** lastSuccessfulDownload is when a policy was last fetched (or read) intact. */
  readonly lastSuccessfulDownload: Date | undefined;
  /** lastSuccessfulRequest is when the policy source last answered (a new policy or "not modified"). */
  readonly lastSuccessfulRequest: Date | undefined;
  /** verified is false when signatures are required and the active policy's were not checked. */
  readonly verified: boolean;
  /** reloadFailures counts the new policies refused (fetch, verify or compile failed) since the start. */
  readonly reloadFailures: number;
  /** staleSeconds is how long the source has not answered, when a staleness bound applies (0 otherwise). */
  readonly staleSeconds: number;
  /** stale is true once staleSeconds passed the configured bound (`policy.bundle.max_staleness`). */
  readonly stale: boolean;
  /** errors are the last failed attempt's problems (empty once a later attempt succeeded). */
  readonly errors: readonly string[];
};

/**
 * PolicyStatusProvider answers the policy's status. One snapshot per read, so a status document
 * or a scrape never mixes the revision of one policy with the activation time of another.
 */
export type PolicyStatusProvider = { status(): PolicyStatus };

/** ConnectionCounts are the open client connections by pool (proxy/server's admission). */
export type ConnectionCounts = { readonly unauthenticated: number; readonly authenticated: number };

/** JournalStatus is the recording journal's state (proxy/recording JournalStats, plus what shipping left behind). */
export type JournalStatus = {
  readonly records: number;
  readonly bytes: number;
  readonly fsyncs: number;
  /** failed is the journal's failure message, once a write or sync failed (it stays failed). */
  readonly failed: string | undefined;
  /** unshipped is how many records of this run's journal the state store does not have yet (undefined without a shipper). */
  readonly unshipped: number | undefined;
};

/** DecisionLogCounts are the decision logger's counters (events seen, events dropped by any sink). */
export type DecisionLogCounts = { readonly events: number; readonly dropped: number };

/** GatewaySources are the live figures of a running gateway, read when a scrape, a status request or a probe asks. */
export type GatewaySources = {
  readonly policy: PolicyStatusProvider;
  readonly connections: () => ConnectionCounts;
  /** sessions is the number of logged-in sessions. */
  readonly sessions: () => number;
  /** pendingApprovals is the number of statements this gateway holds for approval (absent: approvals are off). */
  readonly pendingApprovals?: () => number;
  /** journal is the recording journal's state (absent: recording is off). */
  readonly journal?: () => JournalStatus;
  /** decisionLog is the decision logger's counters (absent: no decision-log sink). */
  readonly decisionLog?: () => DecisionLogCounts;
  /** upstreamIdle is the number of upstream connections kept idle for later sessions (absent: no pool). */
  readonly upstreamIdle?: () => number;
  /** draining is true once the gateway is shutting down (it accepts no new connections). */
  readonly draining?: () => boolean;
};

/** ReadinessCheck is one named check's outcome. */
export type ReadinessCheck = { readonly ok: boolean; readonly message?: string };

/** ReadinessReport is ready or not, and each check's outcome (the admin API's /readyz answer). */
export type ReadinessReport = { readonly ready: boolean; readonly checks: Readonly<Record<string, ReadinessCheck>> };

/** ReadinessProbe is one check of readiness: a name and how to run it (it may throw: a failure). */
export type ReadinessProbe = { readonly name: string; readonly check: () => ReadinessCheck | Promise<ReadinessCheck> };
