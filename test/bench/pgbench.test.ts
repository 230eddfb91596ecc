// The pure parts of the gateway benchmark: reading pgbench's TPS line across versions, the
// command line it runs, medians, env settings and the report table with its ratios.

import { describe, expect, it } from 'vitest';
import { NO_EXTRAS, envNumber, median, renderReport } from './pgbench.js';
import type { BenchSample, BenchTarget } from './pgbench.js';
import { parseTps, pgbenchArgs } from './pgbench-tool.js';

const PG15 = `pgbench (15.18 (Debian 15.18-0+deb12u1))
transaction type: <builtin: select only>
scaling factor: 1
query mode: simple
number of clients: 8
number of threads: 2
duration: 2 s
number of transactions actually processed: 118348
latency average = 0.135 ms
initial connection time = 6.338 ms
tps = 59174.312345 (without initial connection time)
`;

const PG13 = `number of transactions actually processed: 1000
latency average = 0.5 ms
tps = 1500.123 (including connections establishing)
tps = 1700.5 (excluding connections establishing)
`;

describe('parseTps', () => {
  const cases: Array<{ note: string; output: string; want: number | undefined }> = [
    { note: 'PostgreSQL 15+ output (without initial connection time)', output: PG15, want: 59174.312345 },
    { note: 'older output: the excluding-connections line wins over the including one', output: PG13, want: 1700.5 },
    { note: 'a single unlabelled-kind tps line is still read', output: 'tps = 42 (something else)\n', want: 42 },
    { note: 'no tps line (a failed run)', output: 'pgbench: error: connection to server failed\n', want: undefined },
    {
      note: 'tps must start a line (not inside an error message)',
      output: 'ERROR: tps = 5 (without initial connection time)\n',
      want: undefined,
    },
    { note: 'empty output', output: '', want: undefined },
  ];
  it.each(cases)('$note', ({ output, want }) => {
    expect(parseTps(output)).toBe(want);
  });
});

describe('median', () => {
  const cases: Array<{ note: string; xs: number[]; want: number }> = [
    { note: 'odd count: the middle value, whatever the order', xs: [30, 10, 20], want: 20 },
    { note: 'even count: the mean of the two middle values', xs: [4, 1, 3, 2], want: 2.5 },
    { note: 'one value', xs: [7], want: 7 },
  ];
  it.each(cases)('$note', ({ xs, want }) => {
    expect(median(xs)).toBe(want);
  });
  it('is NaN for no samples', () => {
    expect(median([])).toBeNaN();
  });
});

describe('pgbenchArgs', () => {
  const endpoint = { host: '127.0.0.1', port: 6543, user: 'agent', password: 'secret-token', database: 'bench' };
  const cases = [
    {
      note: 'timed select-only run in extended mode',
      run: { endpoint, mode: 'extended' as const, clients: 8, threads: 2, duration: { kind: 'seconds' as const, seconds: 10 } },
      want: ['-h', '127.0.0.1', '-p', '6543', '-U', 'agent', '-S', '-n', '-M', 'extended', '-c', '8', '-j', '2', '-T', '10', 'bench'],
    },
    {
      note: 'smoke run by transaction count in simple mode',
      run: { endpoint, mode: 'simple' as const, clients: 1, threads: 1, duration: { kind: 'transactions' as const, count: 20 } },
      want: ['-h', '127.0.0.1', '-p', '6543', '-U', 'agent', '-S', '-n', '-M', 'simple', '-c', '1', '-j', '1', '-t', '20', 'bench'],
    },
    {
      note: 'a run throttled to a rate (rounded to whole transactions per second)',
      run: { endpoint, mode: 'simple' as const, clients: 8, threads: 2, duration: { kind: 'seconds' as const, seconds: 5 }, rate: 4499.6 },
      want: [
        '-h',
        '127.0.0.1',
        '-p',
        '6543',
        '-U',
        'agent',
        '-S',
        '-n',
        '-M',
        'simple',
        '-c',
        '8',
        '-j',
        '2',
        '-T',
        '5',
        '-R',
        '4500',
        'bench',
      ],
    },
  ];
  it.each(cases)('$note', ({ run, want }) => {
    const args = pgbenchArgs(run);
    expect(args).toEqual(want);
    expect(args.join(' ')).not.toContain('secret-token'); // the password travels in PGPASSWORD only
  });
});

describe('envNumber', () => {
  const cases: Array<{ note: string; raw: string | undefined; want: number | 'throws' }> = [
    { note: 'unset: the default', raw: undefined, want: 8 },
    { note: 'blank: the default', raw: ' ', want: 8 },
    { note: 'a positive integer', raw: '3', want: 3 },
    { note: 'zero is refused', raw: '0', want: 'throws' },
    { note: 'a fraction is refused', raw: '2.5', want: 'throws' },
    { note: 'text is refused', raw: 'ten', want: 'throws' },
  ];
  it.each(cases)('$note', ({ raw, want }) => {
    const read = (): number => envNumber({ PORTCULLIS_BENCH_SECONDS: raw }, 'PORTCULLIS_BENCH_SECONDS', 8);
    if (want === 'throws') expect(read).toThrow(/PORTCULLIS_BENCH_SECONDS must be a positive integer/);
    else expect(read()).toBe(want);
  });
});

describe('renderReport', () => {
  const settings = { seconds: 10, rounds: 3, clients: 8, threads: 2 };
  const sample = (mode: 'simple' | 'extended', target: BenchTarget, round: number, tps: number): BenchSample => ({
    mode,
    target,
    round,
    tps,
  });
  const all: BenchSample[] = [
    ...[1000, 1200, 1100].map((t, i) => sample('simple', 'direct', i + 1, t)),
    ...[700, 800, 750].map((t, i) => sample('simple', 'pgbouncer', i + 1, t)),
    ...[800, 900, 850].map((t, i) => sample('simple', 'passthrough', i + 1, t)),
    ...[400, 440, 420].map((t, i) => sample('simple', 'portcullis', i + 1, t)),
    ...[600, 600, 600].map((t, i) => sample('extended', 'direct', i + 1, t)),
    ...[500, 500, 500].map((t, i) => sample('extended', 'pgbouncer', i + 1, t)),
    ...[300, 300, 300].map((t, i) => sample('extended', 'passthrough', i + 1, t)),
    ...[150, 150, 150].map((t, i) => sample('extended', 'portcullis', i + 1, t)),
  ];
  // CPU per transaction: the proxy's and PostgreSQL's (medians 20, 40, 200 and 60, 70, 80, 120)
  const withCpu = all.map((s) =>
    s.mode !== 'simple'
      ? s
      : {
          ...s,
          ...(s.target === 'direct' ? {} : { proxyCpuUs: { pgbouncer: 20, passthrough: 40, portcullis: 200 }[s.target] + s.round - 2 }),
          pgCpuUs: { direct: 60, pgbouncer: 70, passthrough: 80, portcullis: 120 }[s.target],
          // event loop busy share of the in-process proxies (medians 51% and 97%)
          ...(s.target === 'passthrough' || s.target === 'portcullis'
            ? { loopBusy: (s.target === 'passthrough' ? 0.5 : 0.96) + s.round / 100 }
            : {}),
        },
  );
  const cases = [
    {
      note: 'medians and the ratios to pgbouncer and direct per mode, CPU per transaction',
      samples: withCpu,
      unavailable: new Map<BenchTarget, string>(),
      rows: [
        '| simple | 1,100 | 750 | 850 | 420 | 0.560 | 0.382 | 0.682 | 0.773 |',
        '| extended | 600 | 500 | 300 | 150 | 0.300 | 0.250 | 0.833 | 0.500 |',
        '| simple | 20 | 40 | 200 | 60 | 70 | 80 | 120 |',
        '| extended | n/a | n/a | n/a | n/a | n/a | n/a | n/a |',
        '| simple | 52% | 98% |',
        '| extended | - | - |',
        '| simple | 2 | 1,200 | 800 | 900 | 440 |',
      ],
    },
    {
      note: 'an unavailable gateway shows n/a ratios and the reason',
      samples: all.filter((s) => s.target !== 'portcullis'),
      unavailable: new Map<BenchTarget, string>([['portcullis', 'the gateway does not load yet']]),
      rows: [
        '| simple | 1,100 | 750 | 850 | n/a | n/a | n/a | 0.682 | 0.773 |',
        'portcullis: not measured (the gateway does not load yet)',
        '| extended | 3 | 600 | 500 | 300 | - |',
      ],
    },
    {
      note: 'no pgbouncer (not installable) leaves its column and ratio n/a',
      samples: all.filter((s) => s.target !== 'pgbouncer'),
      unavailable: new Map<BenchTarget, string>([
        ['pgbouncer', 'pgbouncer is not installed and installing it needs root (apt-get install pgbouncer)'],
      ]),
      rows: [
        '| simple | 1,100 | n/a | 850 | 420 | n/a | 0.382 | n/a | 0.773 |',
        'pgbouncer: not measured (pgbouncer is not installed and installing it needs root (apt-get install pgbouncer))',
      ],
    },
  ];
  it("shows one client's added latency against the bar and logins per second", () => {
    const extras = {
      ...NO_EXTRAS,
      oneClient: [
        { target: 'direct' as const, tps: 5000 },
        { target: 'pgbouncer' as const, tps: 4000 },
        { target: 'passthrough' as const, tps: 3900 },
        { target: 'portcullis' as const, tps: 2000 },
      ],
      logins: [
        { target: 'direct' as const, tps: 900 },
        { target: 'pgbouncer' as const, tps: 1000 },
        { target: 'portcullis' as const, tps: 250 },
      ],
    };
    const lines = renderReport(all, new Map(), settings, extras).split('\n');
    // added µs: pgbouncer 250 - 200 = 50, passthrough 256 - 200 = 56, portcullis 500 - 200 = 300: 6× pgbouncer's
    expect(lines).toContain('| 5,000 | 50 | 56 | 300 | 6.00 | missed |');
    expect(lines).toContain('| 900 | 1,000 | 250 | 0.250 |');
  });

  it("shows PostgreSQL alone at Portcullis's pace beside the runs", () => {
    const lines = renderReport(all, new Map(), settings, {
      ...NO_EXTRAS,
      paced: [{ mode: 'simple', rate: 420, tps: 419.6, pgCpuUs: 101.4 }],
    }).split('\n');
    expect(lines).toContain('| simple | 420 | 420 | 101 |');
  });

  it.each([
    { note: 'recording on', recording: true, want: 'recording on (journal, fsync; results digest only)' },
    { note: 'recording off', recording: false, want: 'recording off' },
  ])('says how Portcullis recorded in the heading: $note', ({ recording, want }) => {
    const [heading] = renderReport(all, new Map(), { ...settings, recording }).split('\n');
    expect(heading).toContain(`Portcullis: the shipped policy deciding every statement, ${want}`);
  });

  it('prints the per-stage costs under the CPU table, before the runs', () => {
    const times = {
      busyUs: 1_000,
      excludedUs: 0,
      byStage: new Map([
        ['relay' as const, 600],
        ['evaluation' as const, 400],
      ]),
    };
    const lines = renderReport(all, new Map(), settings, {
      ...NO_EXTRAS,
      stages: { intervalUs: 100, costs: [{ kind: 'profiled', mode: 'simple', tps: 400, cpuUsPerTx: 250, times }] },
    }).split('\n');
    const at = (prefix: string): number => lines.findIndex((l) => l.startsWith(prefix));
    expect(at('| relay | 60.0% | 150.0 |')).toBeGreaterThan(at('CPU per transaction, µs'));
    expect(at('| evaluation | 40.0% | 100.0 |')).toBe(at('| relay |') + 1);
    expect(at('Every run')).toBeGreaterThan(at('| evaluation |'));
  });

  it.each(cases)('$note', ({ samples, unavailable, rows }) => {
    const lines = renderReport(samples, unavailable, settings).split('\n');
    for (const row of rows) expect(lines).toContain(row);
    expect(lines[0]).toContain('pgbench -S -n -c 8 -j 2 -T 10, 3 rounds');
  });
});
