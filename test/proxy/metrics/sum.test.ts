// sumMetrics: several processes' registries (as prom-client's JSON) merged into one exposition,
// counters, gauges and histograms summed by label set.

import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { sumMetrics } from '../../../proxy/metrics/index.js';

/** processMetrics is one process's registry after `n` statements of each decision and `live` sessions. */
async function processMetrics(n: { allow: number; deny: number }, live: number, latencies: number[]): Promise<unknown[]> {
  const registry = new Registry();
  const registers = [registry];
  const statements = new Counter({ name: 'portcullis_statements_total', help: 'h', labelNames: ['decision'], registers });
  statements.inc({ decision: 'allow' }, n.allow);
  statements.inc({ decision: 'deny' }, n.deny);
  new Gauge({ name: 'portcullis_sessions_active', help: 'h', registers }).set(live);
  const h = new Histogram({ name: 'portcullis_decision_seconds', help: 'h', buckets: [0.001, 0.01], registers });
  for (const l of latencies) h.observe(l);
  return registry.getMetricsAsJSON();
}

function sample(text: string, line: string): number | undefined {
  const hit = text.split('\n').find((l) => l.startsWith(`${line} `));
  return hit === undefined ? undefined : Number(hit.slice(line.length + 1));
}

describe('sumMetrics', () => {
  it('sums counters and gauges by label set, and histograms bucket by bucket', async () => {
    const { body, contentType } = await sumMetrics([
      await processMetrics({ allow: 3, deny: 1 }, 2, [0.0005, 0.005]),
      await processMetrics({ allow: 4, deny: 0 }, 5, [0.05]),
    ]);
    expect(contentType).toContain('text/plain');
    expect.soft(sample(body, 'portcullis_statements_total{decision="allow"}')).toBe(7);
    expect.soft(sample(body, 'portcullis_statements_total{decision="deny"}')).toBe(1);
    expect.soft(sample(body, 'portcullis_sessions_active')).toBe(7);
    expect.soft(sample(body, 'portcullis_decision_seconds_bucket{le="0.001"}')).toBe(1);
    expect.soft(sample(body, 'portcullis_decision_seconds_bucket{le="0.01"}')).toBe(2);
    expect.soft(sample(body, 'portcullis_decision_seconds_bucket{le="+Inf"}')).toBe(3);
    expect.soft(sample(body, 'portcullis_decision_seconds_count')).toBe(3);
  });

  it('one process: its own figures; none: an empty exposition', async () => {
    const one = await sumMetrics([await processMetrics({ allow: 2, deny: 2 }, 1, [])]);
    expect(sample(one.body, 'portcullis_statements_total{decision="deny"}')).toBe(2);
    expect((await sumMetrics([])).body.trim()).toBe('');
  });
});
