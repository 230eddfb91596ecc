// The gateway's Prometheus metrics: a prom-client Registry of its own (never the global one, so
// two gateways in one process never share counts), fed by the event bus (connections, statements
// by decision, decision and upstream latency) and, at scrape time, by the callbacks of
// GatewaySources (sessions, pending approvals, the policy's status, the journal, decision-log
// drops). Names follow Prometheus' conventions: `portcullis_` prefix, base units (seconds),
// counters end in `_total`; no label carries an identity, a statement or an address.

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { GatewayEvent, Subscriber } from '../events.js';
import type { GatewaySources } from './types.js';

/** STATEMENT_DECISIONS are the `decision` label's values of portcullis_statements_total. */
export const STATEMENT_DECISIONS = ['allow', 'mask', 'deny', 'hold', 'refuse'] as const;

/** DECISION_BUCKETS are the decision latency buckets in seconds: a policy decides in tens of microseconds to milliseconds. */
export const DECISION_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25];

/** UPSTREAM_BUCKETS are the upstream latency buckets in seconds (prom-client's defaults, with a 1 ms and a 30 s bucket). */
export const UPSTREAM_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** GatewayMetrics is the registry, the subscriber that feeds it and its text exposition. */
export type GatewayMetrics = {
  readonly registry: Registry;
  /** subscriber goes to EventBus.subscribe. */
  readonly subscriber: Subscriber;
  /** exposition renders every metric in the Prometheus text format, with its content type. */
  exposition(): Promise<{ readonly contentType: string; readonly body: string }>;
  /** figures reads the live figures the web console's overview shows, from the same metrics /metrics serves. */
  figures(): Promise<MetricFigures>;
};

/** MetricFigures are live sessions, statements so far by decision (portcullis_statements_total) and statements held now. */
export type MetricFigures = {
  readonly sessions: number;
  readonly statements: Readonly<Record<string, number>>;
  readonly pendingApprovals: number;
};

/** GatewayMetricsOptions configure createGatewayMetrics. */
export type GatewayMetricsOptions = {
  /** defaultMetrics adds prom-client's process and Node.js metrics (CPU, memory, event-loop lag, file descriptors); default true. */
  readonly defaultMetrics?: boolean;
};

/** createGatewayMetrics builds the registry over the sources; subscribe its subscriber to the gateway's bus. */
export function createGatewayMetrics(sources: GatewaySources, options: GatewayMetricsOptions = {}): GatewayMetrics {
  const registry = new Registry();
  const registers = [registry];
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });

  const accepted = new Counter({
    name: 'portcullis_connections_accepted_total',
    help: 'Client connections the accept loop admitted (they may still be refused at login).',
    registers,
  });
  const rejected = new Counter({
    name: 'portcullis_connections_rejected_total',
    help: 'Client connections refused or closed by the connection limits, or refused at login, by reason.',
    labelNames: ['reason'],
    registers,
  });
  new Gauge({
    name: 'portcullis_connections_active',
    help: 'Open client connections by state: logging in (unauthenticated) or authenticated.',
    labelNames: ['state'],
    registers,
    collect() {
      const c = sources.connections();
      this.set({ state: 'unauthenticated' }, c.unauthenticated);
      this.set({ state: 'authenticated' }, c.authenticated);
    },
  });
  const sessionsGauge = new Gauge({
    name: 'portcullis_sessions_active',
    help: 'Logged-in sessions.',
    registers,
    collect() {
      this.set(sources.sessions());
    },
  });
  new Gauge({
    name: 'portcullis_upstream_idle_connections',
    help: 'Upstream connections kept idle, reset, for later sessions (upstream.pool).',
    registers,
    collect() {
      this.set(sources.upstreamIdle?.() ?? 0);
    },
  });
  const statements = new Counter({
    name: 'portcullis_statements_total',
    help: 'Statements by outcome: allow, mask (allowed with masks), deny, hold (policy decisions), refuse (refused by the gateway before or without a policy decision).',
    labelNames: ['decision'],
    registers,
  });
  for (const decision of STATEMENT_DECISIONS) statements.inc({ decision }, 0);
  const decisionSeconds = new Histogram({
    name: 'portcullis_decision_duration_seconds',
    help: "Time the policy took to decide a statement (the engine's evaluation).",
    buckets: DECISION_BUCKETS,
    registers,
  });
  const upstreamSeconds = new Histogram({
    name: 'portcullis_upstream_duration_seconds',
    help: "The upstream's time on a statement, from its forwarding to its completion (millisecond resolution).",
    buckets: UPSTREAM_BUCKETS,
    registers,
  });
  registerPolicyMetrics(sources, registers);
  registerControlMetrics(sources, registers);

  const subscriber: Subscriber = (event: GatewayEvent) => {
    switch (event.type) {
      case 'connection.accepted':
        accepted.inc();
        return;
      case 'connection.refused':
        rejected.inc({ reason: event.reason });
        return;
      case 'login.refused':
        // the stable code names the reason (token_expired, login_denied, …): a short, closed set
        rejected.inc({ reason: event.code.replace(/^ERR_PROXY_/, '').toLowerCase() });
        return;
      case 'statement.decided': {
        const d = event.decision;
        statements.inc({ decision: d.kind === 'allow' && d.masks.length > 0 ? 'mask' : d.kind });
        if (event.evalNs !== undefined) decisionSeconds.observe(event.evalNs / 1e9);
        return;
      }
      case 'statement.refused':
        // a policy denial (it names its rule) was counted as its decision already
        if (event.rule === undefined) statements.inc({ decision: 'refuse' });
        return;
      case 'statement.finished':
        if (event.durationMs !== undefined) upstreamSeconds.observe(event.durationMs / 1000);
        return;
      default:
        return;
    }
  };
  return {
    registry,
    subscriber,
    async exposition() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
    async figures() {
      const [counted, live] = await Promise.all([statements.get(), sessionsGauge.get()]);
      const byDecision: Record<string, number> = {};
      for (const v of counted.values) byDecision[String(v.labels['decision'])] = v.value;
      return {
        sessions: live.values[0]?.value ?? 0,
        statements: byDecision,
        pendingApprovals: sources.pendingApprovals?.() ?? 0,
      };
    },
  };
}

/** registerPolicyMetrics adds the active policy's revision, activation, reload failures and staleness, read at scrape time. */
function registerPolicyMetrics(sources: GatewaySources, registers: Registry[]): void {
  new Gauge({
    name: 'portcullis_policy_info',
    help: 'The active policy: 1, labelled with its revision.',
    labelNames: ['revision'],
    registers,
    collect() {
      this.reset();
      this.set({ revision: sources.policy.status().revision }, 1);
    },
  });
  new Gauge({
    name: 'portcullis_policy_last_activation_timestamp_seconds',
    help: 'When the active policy started deciding, in seconds since the Unix epoch (0: none yet).',
    registers,
    collect() {
      const at = sources.policy.status().activatedAt;
      this.set(at === undefined ? 0 : at.getTime() / 1000);
    },
  });
  new Counter({
    name: 'portcullis_policy_reload_failures_total',
    help: 'New policies refused since the start (fetch, signature verification or compilation failed); the active policy stayed.',
    registers,
    collect() {
      this.reset();
      this.inc(sources.policy.status().reloadFailures);
    },
  });
  new Gauge({
    name: 'portcullis_policy_staleness_seconds',
    help: 'How long the policy source has not answered, when policy.bundle.max_staleness applies (0 otherwise).',
    registers,
    collect() {
      this.set(sources.policy.status().staleSeconds);
    },
  });
}

/** registerControlMetrics adds pending approvals, recording lag and decision-log drops, read at scrape time. */
function registerControlMetrics(sources: GatewaySources, registers: Registry[]): void {
  new Gauge({
    name: 'portcullis_approvals_pending',
    help: 'Statements this gateway holds for approval right now.',
    registers,
    collect() {
      this.set(sources.pendingApprovals?.() ?? 0);
    },
  });
  const journal = sources.journal;
  if (journal !== undefined && journal().unshipped !== undefined) {
    // without a state store nothing is shipped: the gauge would only grow, so it is left out
    new Gauge({
      name: 'portcullis_recording_unshipped_records',
      help: "Records of this run's recording journal the state store does not have yet (the recording's lag).",
      registers,
      collect() {
        this.set(journal().unshipped ?? 0);
      },
    });
  }
  if (journal !== undefined) {
    new Gauge({
      name: 'portcullis_recording_journal_failed',
      help: 'Whether the recording journal failed (1: a write or sync failed; see recording.on_failure).',
      registers,
      collect() {
        this.set(journal().failed === undefined ? 0 : 1);
      },
    });
  }
  new Counter({
    name: 'portcullis_decision_log_dropped_total',
    help: 'Decision-log events dropped by any sink (buffer full, upload or write failed, too large, closed).',
    registers,
    collect() {
      this.reset();
      this.inc(sources.decisionLog?.().dropped ?? 0);
    },
  });
}
