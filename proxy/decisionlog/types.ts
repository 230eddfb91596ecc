// The decision-log contract: the event each statement decision becomes (OPA's decision-log format
// plus the session and statement ids), the mask rules applied to it before it leaves, the sink
// interface the console, file and HTTP sinks implement, and the operational events they report
// (drops, failed uploads) so nothing is lost silently.

/** JsonValue is any value JSON can carry (what inputs, results and mask values are). */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/**
 * DecisionResult is the decision in the policy's own shape (docs/policy.md "Decision", snake_case):
 * `allow`, the `deny` and `approval` entries, the `mask` set; plus `outcome` (what the gateway did)
 * and, for a denial the gateway made itself, `origin` (`default`: no rule allowed it, `error`: the
 * policy failed).
 */
export type DecisionResult = {
  readonly outcome: 'allow' | 'deny' | 'hold';
  readonly allow: boolean;
  readonly deny?: readonly { readonly reason: string; readonly rule: string }[];
  readonly origin?: 'policy' | 'default' | 'error';
  readonly approval?: readonly { readonly reason: string; readonly rule: string }[];
  /** hold is what the approval entries ask, combined (the strictest wins). */
  readonly hold?: { readonly ttl_ms?: number; readonly min_approvals: number; readonly mode?: string };
  readonly mask: readonly { readonly table: string; readonly column: string; readonly kind: string; readonly keep?: number }[];
};

/**
 * DecisionLogEvent is one statement decision in OPA's decision-log format
 * (openpolicyagent.org/docs/management-decision-logs), with `session_id` and `statement_id` added.
 */
export type DecisionLogEvent = {
  readonly decision_id: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly bundles: Readonly<Record<string, { readonly revision: string }>>;
  readonly path: string;
  readonly input: JsonValue;
  readonly result: JsonValue;
  /** requested_by is the client's address, when the logger saw its session open (or the input names it). */
  readonly requested_by?: string;
  /** timestamp is RFC 3339 with nanoseconds, UTC (`2026-01-01T12:00:00.123000000Z`). */
  readonly timestamp: string;
  readonly metrics: Readonly<Record<string, number>>;
  /** erased lists the JSON pointers a `remove` mask took out. */
  readonly erased?: readonly string[];
  /** masked lists the JSON pointers an `upsert` mask replaced. */
  readonly masked?: readonly string[];
  /** error is the policy failure behind a denial of origin `error` (for the operator). */
  readonly error?: { readonly code: string; readonly message: string };
  readonly session_id: string;
  readonly statement_id: number;
};

/**
 * MaskRule is one of OPA's `system.log.mask` operations: `remove` erases the value at `path`,
 * `upsert` sets it to `value` (creating missing objects on the way). Paths are JSON pointers
 * (RFC 6901) under `/input` or `/result`; a path that does not exist is ignored.
 */
export type MaskRule =
  | { readonly op: 'remove'; readonly path: string }
  | { readonly op: 'upsert'; readonly path: string; readonly value: unknown };

/** SinkStats counts what one sink did with the events it was given. */
export type SinkStats = {
  /** written: events delivered (a line written, or an upload answered 2xx). */
  readonly written: number;
  /** dropped: events lost (buffer full, too large for a chunk, write failure); each drop is also logged. */
  readonly dropped: number;
  /** buffered: events waiting to be written or uploaded. */
  readonly buffered: number;
  /** failures: writes or uploads that failed (an upload that failed is retried). */
  readonly failures: number;
};

/** Sink is where encoded decision-log events go; `write` never throws and never blocks. */
export type Sink = {
  /** name identifies the sink in stats and operational events (`console`, `file`, `service`). */
  readonly name: string;
  /** write takes one event, already masked and encoded as one JSON text. */
  write(line: string): void;
  /** flush resolves when every event given so far was written, uploaded or dropped. */
  flush(): Promise<void>;
  /** close flushes and releases the sink (files, timers); later writes are dropped. */
  close(): Promise<void>;
  /** stats reports the sink's counters. */
  stats(): SinkStats;
  /** listen adds a receiver of the sink's operational events (the logger attaches its `log`). */
  listen(log: OpLog): void;
};

/** OpLog receives the decision logger's operational events (drops, failed uploads). */
export type OpLog = (event: DecisionLogOpEvent) => void;

/** DecisionLogOpEvent is what the decision logger and its sinks report to the operator. */
export type DecisionLogOpEvent =
  | {
      readonly type: 'decision_log.dropped';
      readonly sink: string;
      /**
       * reason: buffer_full (the oldest waiting events), too_large (one event above the chunk limit),
       * write_failed (the file or stream refused it), closed (given after close, or still buffered when
       * close gave up), mask_failed (a mask could not be applied: never logged unmasked), encode_failed.
       */
      readonly reason: 'buffer_full' | 'too_large' | 'write_failed' | 'closed' | 'mask_failed' | 'encode_failed';
      readonly count: number;
      /** total is the sink's dropped count so far. */
      readonly total: number;
      readonly message?: string;
    }
  | {
      readonly type: 'decision_log.upload_failed';
      readonly sink: string;
      readonly url: string;
      readonly attempt: number;
      readonly status?: number;
      readonly message: string;
      /** retryInMs is when the chunk is tried again. */
      readonly retryInMs: number;
      readonly events: number;
    }
  | { readonly type: 'decision_log.upload_recovered'; readonly sink: string; readonly url: string; readonly attempts: number }
  | { readonly type: 'decision_log.write_failed'; readonly sink: string; readonly message: string };

/** DecisionLogStats are the logger's counters and each sink's. */
export type DecisionLogStats = {
  /** events: statement decisions turned into decision-log events. */
  readonly events: number;
  /** dropped: events lost before any sink (masking failed) plus every sink's drops: one number for "how blind are we". */
  readonly dropped: number;
  readonly sinks: Readonly<Record<string, SinkStats>>;
};
