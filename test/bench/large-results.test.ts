// The large-result section's parts: its figures and report (medians, ratio to pgbouncer, the
// verdict on each half of the target line), the RSS sampler, the mask check, and, against a real
// PostgreSQL and the bench's own Portcullis, the table it fills: about 113 bytes a row on the
// wire, email and card_number masked through the gateway for the bench token and not directly.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { usePostgres } from '../helpers/postgres.js';
import { RSS_FLAT_BOUND, figuresOf, renderLargeResultsReport, watchRss } from './large-results-report.js';
import type { LargeSample } from './large-results-report.js';
import { checkMasked, tableSql } from './large-results.js';
import { BENCH_TARGETS, startPortcullis } from './pgbench.js';
import type { Endpoint } from './pgbench-tool.js';
import { streamQuery } from './stream-client.js';

const MIB = 2 ** 20;
const MB = 1e6;

/** run is a sample of `mb` megabytes in `seconds`, with the proxy's RSS when given (MiB). */
function run(target: LargeSample['target'], round: number, mb: number, seconds: number, rss?: [number, number]): LargeSample {
  return {
    target,
    round,
    bytes: mb * MB,
    seconds,
    ...(rss !== undefined ? { rssBefore: rss[0] * MIB, rssPeak: rss[1] * MIB } : {}),
  };
}

const settings = { rows: 1_000_000, rounds: 3, table: 'public.customers', masked: 'email and card_number' };

describe('figuresOf', () => {
  it('takes the median MB/s per target and the worst RSS growth of its runs', () => {
    const samples = [
      run('pgbouncer', 1, 100, 1, [8, 9]),
      run('pgbouncer', 2, 100, 0.5, [9, 9]),
      run('pgbouncer', 3, 100, 2, [9, 10]),
      run('portcullis', 1, 100, 4, [200, 230]),
      run('portcullis', 2, 100, 5, [210, 215]),
      run('direct', 1, 100, 0.25),
    ];
    expect(figuresOf(samples, BENCH_TARGETS)).toEqual([
      { target: 'direct', runs: 1, mbPerSecond: 400, seconds: 0.25, bytes: 100 * MB, rssGrowth: undefined, rssBefore: undefined },
      { target: 'pgbouncer', runs: 3, mbPerSecond: 100, seconds: 1, bytes: 100 * MB, rssGrowth: 1 * MIB, rssBefore: 8 * MIB },
      { target: 'portcullis', runs: 2, mbPerSecond: 22.5, seconds: 4.5, bytes: 100 * MB, rssGrowth: 30 * MIB, rssBefore: 200 * MIB },
    ]);
  });
});

describe('renderLargeResultsReport', () => {
  const cases = [
    {
      note: 'both halves met',
      gateway: run('portcullis', 1, 100, 1.5, [200, 210]),
      want: [
        '| Portcullis | 66.7 | 0.667 |',
        'Portcullis: 0.667× pgbouncer (met); RSS grew at most 10.0 MiB from 200.0 MiB',
        '(10.5% of the result): flat.',
      ],
    },
    {
      note: 'too slow',
      gateway: run('portcullis', 1, 100, 4, [200, 201]),
      want: ['| Portcullis | 25.0 | 0.250 |', '0.250× pgbouncer (NOT met)', ': flat.'],
    },
    {
      note: 'memory grows with the result',
      gateway: run('portcullis', 1, 100, 1, [200, 300]),
      want: ['1.000× pgbouncer (met)', 'RSS grew at most 100.0 MiB', '(104.9% of the result): NOT flat.'],
    },
  ];
  it.each(cases)('$note', ({ gateway, want }) => {
    const text = renderLargeResultsReport([run('pgbouncer', 1, 100, 1, [8, 8]), gateway], new Map(), settings, BENCH_TARGETS);
    expect(text).toContain('| pgbouncer (session) | 100.0 | 1.000 | 1.00 | 100.0 | 0.0 MiB |');
    expect(text).toContain(
      `Target: Portcullis ≥ 0.5× pgbouncer, RSS flat (growth ≤ ${(RSS_FLAT_BOUND / MIB).toFixed(1)} MiB while streaming).`,
    );
    for (const w of want) expect(text).toContain(w);
  });

  it('names the targets that were not measured, and says when Portcullis was not', () => {
    const text = renderLargeResultsReport(
      [run('direct', 1, 100, 1)],
      new Map([['portcullis', 'the gateway does not load']]),
      settings,
      BENCH_TARGETS,
    );
    expect(text).toContain('| direct | 100.0 | n/a | 1.00 | 100.0 | — |');
    expect(text).toContain('Portcullis: not measured.');
    expect(text).toContain('- Portcullis: not measured (the gateway does not load)');
  });
});

describe('watchRss', () => {
  afterEach(() => {
    vi.useRealTimers();
  });
  it('keeps the reading before and the largest one until stopped', () => {
    vi.useFakeTimers();
    const readings = [100, 150, 400, 120, 130];
    let i = 0;
    const watch = watchRss(() => readings[Math.min(i++, readings.length - 1)] as number, 50);
    vi.advanceTimersByTime(150); // three readings: 150, 400, 120
    expect(watch.stop()).toEqual({ before: 100, peak: 400 });
    vi.advanceTimersByTime(500);
    expect(i).toBe(5); // stopped: the last reading was stop()'s own
  });
});

describe('checkMasked', () => {
  const columns = ['id', 'name', 'email', 'card_number', 'created_at'];
  const row = (email: string, card: string): string[] => ['42', 'Customer 42', email, card, '2024-01-01 00:42:00+00'];
  const cases = [
    { note: 'a masked row passes', row: row('******************.com', '************0042'), error: undefined },
    {
      note: 'an email in clear fails',
      row: row('customer42@example.com', '************0042'),
      error:
        'public.customers.email did not come back masked through Portcullis: row id 42 has "customer42@example.com", the shipped policy\'s mask gives "******************.com"',
    },
    {
      note: 'a card number in clear fails',
      row: row('******************.com', '4111000000000042'),
      error: 'public.customers.card_number did not come back masked',
    },
    { note: 'a row masked otherwise fails', row: row('****', '****'), error: 'public.customers.email did not come back masked' },
    {
      note: 'a row without its id fails',
      row: [null, 'x', 'y', 'z', ''],
      error: 'Portcullis returned a row of public.customers without its id',
    },
    { note: 'no row fails', row: undefined, error: 'Portcullis returned no rows of public.customers' },
  ];
  it.each(cases)('$note', ({ row, error }) => {
    if (error === undefined) expect(() => checkMasked(columns, row)).not.toThrow();
    else expect(() => checkMasked(columns, row)).toThrow(error);
  });
});

describe('the bench table, directly and through Portcullis', () => {
  const postgres = usePostgres();
  const scratch = mkdtempSync(join(tmpdir(), 'portcullis-large-test-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('is about 100 bytes a row, masked through the gateway and in clear directly', async () => {
    const { host, port, database, superuser } = postgres.current;
    const direct: Endpoint = { host, port, database, user: superuser.name, password: superuser.password };
    await streamQuery(direct, tableSql(1_000));
    const plain = await streamQuery(direct, 'SELECT * FROM public.customers');
    expect(plain.rows).toBe(1_000);
    expect(plain.columns).toEqual(['id', 'name', 'email', 'card_number', 'created_at']);
    expect(plain.firstRow?.slice(0, 4)).toEqual(['1', 'Customer 1', 'customer1@example.com', '4111000000000001']);
    expect(() => checkMasked(plain.columns, plain.firstRow)).toThrow('public.customers.email did not come back masked');
    // ids 1..1,000 are shorter than a million rows' (~113 bytes a row there)
    expect(plain.dataRowBytes / plain.rows).toBeGreaterThan(95);
    expect(plain.dataRowBytes / plain.rows).toBeLessThan(113);

    const started = await startPortcullis(direct, scratch, () => undefined);
    if (started.kind !== 'started') throw new Error(`the bench gateway did not start: ${started.reason}`);
    try {
      const through = await streamQuery(started.gateway.endpoint, 'SELECT * FROM public.customers');
      expect(through.rows).toBe(1_000);
      checkMasked(through.columns, through.firstRow);
      // masking keeps every value's length: the same bytes on the wire
      expect(through.dataRowBytes).toBe(plain.dataRowBytes);
    } finally {
      await started.gateway.close();
    }
  }, 60_000);
});
