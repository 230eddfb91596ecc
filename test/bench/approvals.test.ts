// The approvals bench section wires up: with two held statements per path and a one-second
// pgbench round it returns figures for every row of its report (no timing is asserted; the
// figures are `npm run bench`'s to print). Plus its pure helpers: nearest-rank percentiles and the
// report table.

import { describe, expect, it } from 'vitest';
import { benchApprovals, percentile, renderApprovalsReport } from './approvals.js';
import type { ApprovalsBenchResult } from './approvals.js';

describe('percentile (nearest rank)', () => {
  const cases: Array<{ note: string; xs: number[]; p: number; want: number }> = [
    { note: 'p50 of an odd count is the middle value', xs: [30, 10, 20], p: 50, want: 20 },
    { note: 'p50 of an even count is the lower middle value', xs: [4, 1, 3, 2], p: 50, want: 2 },
    { note: 'p99 of ten values is the largest', xs: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], p: 99, want: 10 },
    { note: 'p99 of 200 values is the 198th', xs: Array.from({ length: 200 }, (_, i) => i + 1), p: 99, want: 198 },
    { note: 'one value', xs: [7], p: 99, want: 7 },
  ];
  it.each(cases)('$note', ({ xs, p, want }) => {
    expect(percentile(xs, p)).toBe(want);
  });
  it('is NaN for no samples', () => {
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('renderApprovalsReport', () => {
  const settings = { seconds: 2, rounds: 2, clients: 8, threads: 2, modes: ['simple'] as const };
  const latency = [{ path: 'the same store instance', n: 10, approveP50Ms: 5, p50Ms: 8.5, p99Ms: 20, maxMs: 20 }];
  const cases: Array<{ note: string; result: ApprovalsBenchResult; rows: string[] }> = [
    {
      note: 'latency rows and the with/without medians and ratio',
      result: {
        latency,
        throughput: {
          kind: 'measured',
          samples: [
            { mode: 'simple', round: 1, approvals: true, tps: 900 },
            { mode: 'simple', round: 2, approvals: true, tps: 1100 },
            { mode: 'simple', round: 1, approvals: false, tps: 1000 },
            { mode: 'simple', round: 2, approvals: false, tps: 1000 },
          ],
        },
      },
      rows: ['| the same store instance | 10 | 5.00 | 8.50 | 20.00 | 20.00 |', '| simple | 1,000 | 1,000 | 1.000 |'],
    },
    {
      note: 'a skipped comparison says why',
      result: { latency, throughput: { kind: 'skipped', reason: 'left out' } },
      rows: ['\nApprovals: hold machinery with nothing held: skipped (left out)'],
    },
  ];
  it.each(cases)('$note', ({ result, rows }) => {
    const text = renderApprovalsReport(result, settings);
    for (const row of rows) expect(text).toContain(row);
  });
});

describe('benchApprovals', () => {
  it('measures both approval paths and both gateways with tiny settings', async () => {
    const lines: string[] = [];
    const result = await benchApprovals({
      count: 2,
      seconds: 1,
      rounds: 1,
      clients: 2,
      threads: 1,
      modes: ['simple'],
      out: (line) => lines.push(line),
      log: () => undefined,
    });
    expect(result.latency.map((l) => l.n)).toEqual([2, 2]);
    for (const l of result.latency) for (const v of [l.approveP50Ms, l.p50Ms, l.p99Ms, l.maxMs]) expect(Number.isFinite(v)).toBe(true);
    if (result.throughput.kind === 'measured') {
      expect(result.throughput.samples.map((s) => s.approvals).sort()).toEqual([false, true]);
      for (const s of result.throughput.samples) expect(Number.isFinite(s.tps)).toBe(true);
    }
    expect(lines.join('\n')).toContain('Approvals: approval → first result row');
  }, 30_000);
});
