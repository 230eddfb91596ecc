// Several processes' metrics as one exposition: what a `serve` supervisor answers for its workers
// (proxy/workers). Each process gives its registry as prom-client's JSON; prom-client's
// aggregation sums counters, gauges and histograms by label set, and handles its default
// process metrics as each one declares (e.g. the oldest start time, the largest event-loop lag).

import { AggregatorRegistry } from 'prom-client';

/** sumMetrics merges the metrics of several processes (each `registry.getMetricsAsJSON()`) into one Prometheus text exposition. */
export async function sumMetrics(
  perProcess: readonly (readonly unknown[])[],
): Promise<{ readonly contentType: string; readonly body: string }> {
  const registry = AggregatorRegistry.aggregate(perProcess.map((m) => [...m]));
  return { contentType: registry.contentType, body: await registry.metrics() };
}
