// The decision logger: a subscriber to the gateway's event bus that turns every `statement.decided`
// into an OPA-format decision-log event (uuid, labels, bundles, path, input, result, timestamp,
// session and statement ids), masks it (Bind values erased by default), encodes it once and hands
// it to every sink. It remembers each open session (`session.opened`) for the client's address and
// a statement counter when the event carries none. It never throws into the data path.

import { randomUUID } from 'node:crypto';
import type { EventOf, GatewayEvent } from '../events.js';
import { decisionResult, fallbackInput, inputClientAddress, inputTimeMs, rfc3339Nano } from './event.js';
import type { OpenedSession } from './event.js';
import { applyMasks, effectiveRules, parsePointer } from './mask.js';
import { createDropCounter } from './report.js';
import type { OpLog } from './report.js';
import type { DecisionLogEvent, DecisionLogStats, JsonValue, MaskRule, Sink } from './types.js';

/** MAX_SESSIONS bounds the sessions remembered (their client address), should closes go unseen. */
const MAX_SESSIONS = 100_000;

/** Bundles name policy bundles and their revisions. */
type Bundles = Readonly<Record<string, { readonly revision: string }>>;

/** DecisionLoggerOptions are the gateway's identity, the policy's, the sinks and the masking. */
export type DecisionLoggerOptions = {
  /** labels identify the gateway: `id` (its instance id) and `version`, plus any others. */
  readonly labels: { readonly id: string; readonly version: string } & Readonly<Record<string, string>>;
  /**
   * bundles name the policy bundles and their revisions (`{}` for policies compiled from paths),
   * or a getter read as each decision is logged (a hot reload changes the revision; events are
   * logged as they are published, so the revision read is the one that decided).
   */
  readonly bundles: Bundles | (() => Bundles);
  /** path is the decision's entrypoint, e.g. `portcullis/decision`. */
  readonly path: string;
  readonly sinks: readonly Sink[];
  /** mask rules are applied in order to every event (docs/decision-logs.md "Masking"). */
  readonly mask?: readonly MaskRule[];
  /**
   * maskPolicy asks the policy for more mask rules per event, as OPA's `system.log.mask` does: it
   * gets `{input, result}` and answers JSON pointers to erase, or `{op, path, value}` rules;
   * answers that are not rules are dropped; a failure drops the event (never logged unmasked).
   */
  readonly maskPolicy?: (doc: { readonly input: unknown; readonly result: unknown }) => readonly MaskRule[];
  /** eraseParams erases /input/statement/params unless a mask rule names it (default true). */
  readonly eraseParams?: boolean;
  /** now is the clock, ms since the epoch (default Date.now); the input's own `time` wins when present. */
  readonly now?: () => number;
  /** log receives operational events, the logger's and every sink's (attached with Sink.listen): drops, failed uploads. */
  readonly log?: OpLog;
  /** newId makes decision ids (default: random UUIDs). */
  readonly newId?: () => string;
};

/** DecisionLogger is the bus subscriber and the handles to drain and stop its sinks. */
export type DecisionLogger = {
  /** subscriber goes to EventBus.subscribe; it acts on statement.decided and session open/close. */
  readonly subscriber: (event: GatewayEvent) => void;
  /** flush resolves when every sink wrote or uploaded (or dropped) what it was given. */
  flush(): Promise<void>;
  /** close flushes and closes every sink (the HTTP sink gives up after its close timeout); later events are dropped. */
  close(): Promise<void>;
  /** stats is a snapshot of the counters, taken at each read. */
  readonly stats: DecisionLogStats;
};

/** createDecisionLogger builds the logger; it throws TypeError for a mask rule whose path is not a JSON pointer under /input or /result. */
export function createDecisionLogger(options: DecisionLoggerOptions): DecisionLogger {
  const rules = effectiveRules(options.mask ?? [], options.eraseParams ?? true);
  for (const r of rules) {
    if (parsePointer(r.path) === undefined)
      throw new TypeError(`mask path ${JSON.stringify(r.path)} is not a JSON pointer under /input or /result`);
  }
  const now = options.now ?? Date.now;
  const newId = options.newId ?? randomUUID;
  const labels = { ...options.labels };
  const copy = (b: Bundles): Bundles => Object.fromEntries(Object.entries(b).map(([k, v]) => [k, { revision: v.revision }]));
  const given = options.bundles;
  const fixed = typeof given === 'function' ? undefined : copy(given);
  let last: { readonly from: Bundles; readonly copied: Bundles } | undefined;
  /** bundlesNow is the bundles to log now (copied once per change of the getter's answer). */
  const bundlesNow = (): Bundles => {
    if (fixed !== undefined || typeof given !== 'function') return fixed ?? {};
    const from = given();
    if (last?.from !== from) last = { from, copied: copy(from) };
    return last.copied;
  };
  const drops = createDropCounter('decision_log', options.log);
  if (options.log !== undefined) for (const sink of options.sinks) sink.listen(options.log);
  const sessions = new Map<string, OpenedSession>();
  /** counters number each session's statements when the event carries no statementId (1 for the first). */
  const counters = new Map<string, number>();
  let events = 0;
  let closed = false;

  function decided(e: EventOf<'statement.decided'>): void {
    const session = sessions.get(e.session);
    const statementId = e.statementId ?? (counters.get(e.session) ?? 0) + 1;
    counters.set(e.session, statementId);
    const nowMs = now();
    const input = e.input !== undefined ? e.input : fallbackInput(e, session, nowMs);
    const doc: Record<string, JsonValue> = JSON.parse(JSON.stringify({ input, result: decisionResult(e.decision) }));
    let outcome: ReturnType<typeof applyMasks>;
    try {
      const extra = options.maskPolicy?.({ input: doc['input'] ?? null, result: doc['result'] ?? null }) ?? [];
      const valid = extra.filter((r) => parsePointer(r.path) !== undefined && /^\/(input|result)(\/|$)/.test(r.path));
      outcome = applyMasks(doc, valid.length > 0 ? [...rules, ...valid] : rules);
    } catch (err) {
      // as OPA: an event that cannot be masked is dropped, never logged unmasked
      drops.drop('mask_failed', 1, err instanceof Error ? err.message : String(err));
      return;
    }
    const requestedBy = session?.clientAddress || inputClientAddress(input);
    const event: DecisionLogEvent = {
      decision_id: newId(),
      labels,
      bundles: bundlesNow(),
      path: options.path,
      input: doc['input'] ?? null,
      result: doc['result'] ?? null,
      ...(requestedBy !== undefined && requestedBy !== '' ? { requested_by: requestedBy } : {}),
      timestamp: rfc3339Nano(inputTimeMs(input) ?? nowMs),
      metrics: e.evalNs !== undefined ? { timer_rego_query_eval_ns: e.evalNs } : {},
      ...(outcome.erased.length > 0 ? { erased: outcome.erased } : {}),
      ...(outcome.masked.length > 0 ? { masked: outcome.masked } : {}),
      ...(e.decision.kind === 'deny' && e.decision.origin === 'error'
        ? { error: { code: 'policy_error', message: e.decision.detail ?? e.decision.reason } }
        : {}),
      session_id: e.session,
      statement_id: statementId,
    };
    if (!('input' in doc)) delete (event as { input?: JsonValue }).input;
    if (!('result' in doc)) delete (event as { result?: JsonValue }).result;
    const line = JSON.stringify(event);
    events++;
    for (const sink of options.sinks) sink.write(line);
  }

  function subscriber(e: GatewayEvent): void {
    try {
      switch (e.type) {
        case 'session.opened':
          if (sessions.size >= MAX_SESSIONS) sessions.delete(sessions.keys().next().value as string); // a session whose close was never seen
          sessions.set(e.session, {
            issuer: e.issuer,
            clientAddress: e.clientAddress,
            tls: e.tls,
            database: e.database,
            user: e.user,
            applicationName: e.applicationName,
            openedAtMs: now(),
          });
          return;
        case 'session.closed':
        case 'session.failed':
          sessions.delete(e.session);
          counters.delete(e.session);
          return;
        case 'statement.decided':
          if (closed) drops.drop('closed', 1);
          else decided(e);
          return;
        default:
          return;
      }
    } catch (err) {
      drops.drop('encode_failed', 1, err instanceof Error ? err.message : String(err));
    }
  }

  return {
    subscriber,
    async flush() {
      await Promise.all(options.sinks.map((s) => s.flush()));
      drops.report();
    },
    async close() {
      closed = true;
      await Promise.all(options.sinks.map((s) => s.close()));
      drops.report();
    },
    get stats(): DecisionLogStats {
      const sinks = Object.fromEntries(options.sinks.map((s) => [s.name, s.stats()]));
      const dropped = drops.total() + Object.values(sinks).reduce((n, s) => n + s.dropped, 0);
      return { events, dropped, sinks };
    },
  };
}
