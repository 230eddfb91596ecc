// Public surface of proxy/metrics: the gateway's operational status — Prometheus metrics (a
// registry of its own, fed by the event bus and read through callbacks at scrape time), the status
// document in the shape of OPA's status API, and the readiness checks. Re-exports only.

export { DECISION_BUCKETS, STATEMENT_DECISIONS, UPSTREAM_BUCKETS, createGatewayMetrics } from './registry.js';
export type { GatewayMetrics, GatewayMetricsOptions, MetricFigures } from './registry.js';
export { sumMetrics } from './sum.js';
export { BUNDLE_NAME, NEVER, gatewayStatus, staticPolicyStatus } from './status.js';
export type { PluginState, StatusDocument } from './status.js';
export {
  PROBE_CACHE_MS,
  PROBE_TIMEOUT_MS,
  cachedCheck,
  createReadiness,
  drainingCheck,
  policyCheck,
  stalenessCheck,
  stateCheck,
  tcpReachable,
  upstreamCheck,
} from './readiness.js';
export type * from './types.js';
