// The recording bench section wires up: with a one-second pgbench round per gateway it returns TPS
// for recording off, on as shipped, on with sync: all and on with fsync off, and journal rates for the three that record (no
// timing is asserted; the figures are `npm run bench`'s to print). Plus its report table.

import { describe, expect, it } from 'vitest';
import { benchRecording, renderRecordingReport } from './recording.js';
import type { RecordingBenchResult } from './recording.js';

describe('renderRecordingReport', () => {
  const settings = { seconds: 2, rounds: 2, clients: 8, threads: 2, modes: ['simple'] as const };
  const cases: Array<{ note: string; result: RecordingBenchResult; rows: string[] }> = [
    {
      note: 'medians, both ratios against the target and the journal rates',
      result: {
        kind: 'measured',
        shipping: true,
        shipped: 1234,
        samples: [
          { mode: 'simple', round: 1, variant: 'off', tps: 1000 },
          { mode: 'simple', round: 2, variant: 'off', tps: 1000 },
          { mode: 'simple', round: 1, variant: 'fsync', tps: 800, fsyncsPerSecond: 300, recordsPerSecond: 1600 },
          { mode: 'simple', round: 2, variant: 'fsync', tps: 800, fsyncsPerSecond: 300, recordsPerSecond: 1600 },
          { mode: 'simple', round: 1, variant: 'all', tps: 700, fsyncsPerSecond: 900, recordsPerSecond: 1400 },
          { mode: 'simple', round: 2, variant: 'all', tps: 700, fsyncsPerSecond: 900, recordsPerSecond: 1400 },
          { mode: 'simple', round: 1, variant: 'nofsync', tps: 950, fsyncsPerSecond: 0, recordsPerSecond: 1900 },
          { mode: 'simple', round: 2, variant: 'nofsync', tps: 950, fsyncsPerSecond: 0, recordsPerSecond: 1900 },
        ],
      },
      rows: [
        '| simple | 1,000 | 800 | 0.800 | missed | 300 | 1,600 | 700 | 0.700 | 900 | 1,400 | 950 | 0.950 | 0 | 1,900 |',
        '| simple | 2 | 1,000 | 800 | 300 | 1,600 | - | 700 | 900 | 1,400 | - | 950 | 0 | 1,900 | - |',
        'shipped to the state store during the runs: 1,234',
      ],
    },
    {
      note: 'a ratio at the target meets it; a missing variant is n/a',
      result: {
        kind: 'measured',
        shipping: false,
        shipped: 0,
        samples: [
          { mode: 'simple', round: 1, variant: 'off', tps: 1000 },
          { mode: 'simple', round: 1, variant: 'fsync', tps: 850, fsyncsPerSecond: 10, recordsPerSecond: 20 },
        ],
      },
      rows: ['| simple | 1,000 | 850 | 0.850 | met | 10 | 20 | n/a | n/a | n/a | n/a | n/a | n/a | n/a | n/a |'],
    },
    { note: 'a skipped section says why', result: { kind: 'skipped', reason: 'no pgbench' }, rows: ['Recording: skipped (no pgbench)'] },
  ];
  it.each(cases)('$note', ({ result, rows }) => {
    const text = renderRecordingReport(result, settings);
    for (const row of rows) expect(text).toContain(row);
  });
});

describe('benchRecording', () => {
  it('measures the four gateways with tiny settings', async () => {
    const lines: string[] = [];
    const result = await benchRecording({
      seconds: 1,
      rounds: 1,
      clients: 2,
      threads: 1,
      modes: ['simple'],
      out: (line) => lines.push(line),
      log: () => undefined,
    });
    if (result.kind === 'measured') {
      expect(result.samples.map((s) => s.variant).sort()).toEqual(['all', 'fsync', 'nofsync', 'off']);
      for (const s of result.samples) {
        expect(Number.isFinite(s.tps)).toBe(true);
        if (s.variant !== 'off') {
          expect(Number.isFinite(s.fsyncsPerSecond)).toBe(true);
          expect(Number.isFinite(s.recordsPerSecond)).toBe(true);
        }
      }
      expect(lines.join('\n')).toContain('Recording: pgbench -S');
    } else expect(lines.join('\n')).toContain('Recording: skipped');
  }, 60_000);
});
