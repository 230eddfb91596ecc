// The gateway's operational status, wired by the composition root (gateway.ts): the Prometheus
// registry subscribed to the event bus, the status document and the readiness checks, all reading
// the running parts through callbacks (proxy/metrics). The policy's status comes from a
// PolicyStatusProvider: today the policy loaded at start (staticPolicyStatus); a hot reloader
// passes its own.

import type { GatewayConfig } from '../config/index.js';
import type { EventBus } from '../events.js';
import {
  createGatewayMetrics,
  createReadiness,
  drainingCheck,
  gatewayStatus,
  policyCheck,
  stalenessCheck,
  stateCheck,
  upstreamCheck,
} from '../metrics/index.js';
import type {
  GatewaySources,
  JournalStatus,
  MetricFigures,
  PolicyStatusProvider,
  ReadinessReport,
  StatusDocument,
} from '../metrics/index.js';

/** GatewayStatusParts are the running parts the status reads. */
export type GatewayStatusParts = {
  readonly config: GatewayConfig;
  readonly events: EventBus;
  readonly policy: PolicyStatusProvider;
  readonly gateway: {
    connections(): { readonly unauthenticated: number; readonly authenticated: number };
    live(): readonly unknown[];
    draining(): boolean;
    /** upstreamIdle, when the gateway has it, counts its idle pooled upstream connections. */
    upstreamIdle?(): number;
  };
  readonly state: { query(sql: string): Promise<unknown> } | undefined;
  readonly holds: { readonly waiting: number } | undefined;
  readonly journal: (() => JournalStatus) | undefined;
  readonly decisionLog: { readonly stats: { readonly events: number; readonly dropped: number } } | undefined;
  readonly labels: { readonly id: string; readonly version: string };
};

/** GatewayStatus is what the admin API serves: metrics, readiness and the status document. */
export type GatewayStatus = {
  metrics(): Promise<{ readonly contentType: string; readonly body: string }>;
  /** metricsJson is this process's metrics as prom-client's JSON (what a `serve` supervisor sums over its workers). */
  metricsJson(): Promise<readonly unknown[]>;
  readiness(): Promise<ReadinessReport>;
  status(): StatusDocument;
  /** figures reads the web console's live overview from the same metrics. */
  figures(): Promise<MetricFigures>;
  /** close unsubscribes the metrics from the bus. */
  close(): void;
};

/** startGatewayStatus subscribes the metrics to the bus and builds the readiness checks and the status document over the parts. */
export function startGatewayStatus(parts: GatewayStatusParts): GatewayStatus {
  const { gateway, holds, decisionLog, journal } = parts;
  const sources: GatewaySources = {
    policy: parts.policy,
    connections: () => gateway.connections(),
    sessions: () => gateway.live().length,
    upstreamIdle: () => gateway.upstreamIdle?.() ?? 0,
    draining: () => gateway.draining(),
    ...(holds !== undefined ? { pendingApprovals: () => holds.waiting } : {}),
    ...(journal !== undefined ? { journal } : {}),
    ...(decisionLog !== undefined ? { decisionLog: () => decisionLog.stats } : {}),
  };
  const metrics = createGatewayMetrics(sources);
  const unsubscribe = parts.events.subscribe(metrics.subscriber);
  const readiness = createReadiness([
    policyCheck(parts.policy),
    stalenessCheck(parts.policy),
    drainingCheck(() => gateway.draining()),
    stateCheck(parts.state),
    upstreamCheck(parts.config.upstream.host, parts.config.upstream.port),
  ]);
  return {
    metrics: () => metrics.exposition(),
    metricsJson: () => metrics.registry.getMetricsAsJSON(),
    readiness,
    status: () => gatewayStatus(sources, parts.labels),
    figures: () => metrics.figures(),
    close: unsubscribe,
  };
}
