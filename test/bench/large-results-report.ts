// The large-result section's figures and report (unit-tested in test/bench/large-results.test.ts):
// one sample per streamed run (bytes, wall time, the proxy's resident memory before and at its
// peak), the resident-memory sampler that takes them, and the markdown table of median MB/s per
// target, the ratio to pgbouncer and each proxy's RSS growth, against issue 16's target line.

import { median } from './pgbench-report.js';
import type { BenchTarget } from './pgbench-report.js';

/** THROUGHPUT_TARGET is issue 16's bar: Portcullis streams at least half pgbouncer's bytes per second. */
export const THROUGHPUT_TARGET = 0.5;

/**
 * RSS_FLAT_BOUND is how much a proxy's resident memory may grow while it streams the result and
 * still count as flat: a fixed bound, whatever the result's size (a proxy holding the rows grows
 * by about the result's size: 113 MB at 1,000,000 rows).
 */
export const RSS_FLAT_BOUND = 32 * 2 ** 20;

/** LargeSample is one streamed run through a target: its bytes and wall time, and the proxy's RSS (bytes) when it could be read. */
export type LargeSample = {
  readonly target: BenchTarget;
  readonly round: number;
  readonly bytes: number;
  readonly seconds: number;
  /** rssBefore is the proxy's RSS right before the run; rssPeak the largest reading during it. */
  readonly rssBefore?: number;
  readonly rssPeak?: number;
};

/** RssWatch is a running sampler; stop() ends it with the reading before and the largest one seen (including a last reading). */
export type RssWatch = { stop(): { readonly before: number; readonly peak: number } };

/** watchRss reads `read()` now and every `everyMs` until stopped, keeping the largest reading. */
export function watchRss(read: () => number, everyMs = 50): RssWatch {
  const before = read();
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, read());
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return { before, peak: Math.max(peak, read()) };
    },
  };
}

/** TargetFigures are one target's medians and its proxy's worst RSS growth within a run. */
export type TargetFigures = {
  readonly target: BenchTarget;
  readonly runs: number;
  /** mbPerSecond is the median of the runs' bytes / seconds, in 10^6 bytes per second. */
  readonly mbPerSecond: number;
  readonly seconds: number;
  readonly bytes: number;
  /** rssGrowth is the largest peak − before of its runs (undefined when RSS was not read). */
  readonly rssGrowth: number | undefined;
  readonly rssBefore: number | undefined;
};

/** figuresOf sums up each target's samples (targets without samples are left out). */
export function figuresOf(samples: readonly LargeSample[], targets: readonly BenchTarget[]): TargetFigures[] {
  const figures: TargetFigures[] = [];
  for (const target of targets) {
    const own = samples.filter((s) => s.target === target);
    if (own.length === 0) continue;
    const growths = own.flatMap((s) => (s.rssBefore !== undefined && s.rssPeak !== undefined ? [s.rssPeak - s.rssBefore] : []));
    figures.push({
      target,
      runs: own.length,
      mbPerSecond: median(own.map((s) => s.bytes / s.seconds / 1e6)),
      seconds: median(own.map((s) => s.seconds)),
      bytes: median(own.map((s) => s.bytes)),
      rssGrowth: growths.length > 0 ? Math.max(...growths) : undefined,
      rssBefore: own.find((s) => s.rssBefore !== undefined)?.rssBefore,
    });
  }
  return figures;
}

/** LargeReportSettings say what was streamed and how often. */
export type LargeReportSettings = { readonly rows: number; readonly rounds: number; readonly table: string; readonly masked: string };

const LABELS: Readonly<Record<BenchTarget, string>> = {
  direct: 'direct',
  pgbouncer: 'pgbouncer (session)',
  passthrough: 'Node pass-through',
  portcullis: 'Portcullis',
};

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/** renderLargeResultsReport prints the table of medians, the verdict on the target line, the unavailable targets and every run. */
export function renderLargeResultsReport(
  samples: readonly LargeSample[],
  unavailable: ReadonlyMap<BenchTarget, string>,
  settings: LargeReportSettings,
  targets: readonly BenchTarget[],
): string {
  const figures = figuresOf(samples, targets);
  const of = (t: BenchTarget): TargetFigures | undefined => figures.find((f) => f.target === t);
  const bouncer = of('pgbouncer');
  const out: string[] = [
    `Large results: \`SELECT * FROM ${settings.table}\`, ${settings.rows.toLocaleString('en-US')} rows (${settings.masked} masked by the shipped policy for the bench token), simple protocol, one client reading to the end; median of ${settings.rounds} round(s)`,
    '',
    '| target | MB/s | ratio to pgbouncer | s | MB received | proxy RSS growth (peak − before, worst run) |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const f of figures) {
    const ratio = bouncer !== undefined ? (f.mbPerSecond / bouncer.mbPerSecond).toFixed(3) : 'n/a';
    const growth = f.rssGrowth !== undefined ? mib(f.rssGrowth) : '—';
    out.push(
      `| ${LABELS[f.target]} | ${f.mbPerSecond.toFixed(1)} | ${ratio} | ${f.seconds.toFixed(2)} | ${(f.bytes / 1e6).toFixed(1)} | ${growth} |`,
    );
  }
  out.push('', `Target: Portcullis ≥ ${THROUGHPUT_TARGET}× pgbouncer, RSS flat (growth ≤ ${mib(RSS_FLAT_BOUND)} while streaming).`);
  out.push(verdict(of('portcullis'), bouncer));
  for (const [t, reason] of unavailable) out.push(`- ${LABELS[t]}: not measured (${reason})`);
  out.push('', '| round | target | MB/s | s | RSS before | RSS peak |', '| ---: | --- | ---: | ---: | ---: | ---: |');
  for (const s of samples) {
    const rss = (n: number | undefined) => (n !== undefined ? mib(n) : '—');
    out.push(
      `| ${s.round} | ${LABELS[s.target]} | ${(s.bytes / s.seconds / 1e6).toFixed(1)} | ${s.seconds.toFixed(2)} | ${rss(s.rssBefore)} | ${rss(s.rssPeak)} |`,
    );
  }
  return out.join('\n');
}

/** verdict says whether Portcullis met each half of the target line, with the figures behind it. */
function verdict(gateway: TargetFigures | undefined, bouncer: TargetFigures | undefined): string {
  if (gateway === undefined) return 'Portcullis: not measured.';
  const parts: string[] = [];
  if (bouncer !== undefined) {
    const ratio = gateway.mbPerSecond / bouncer.mbPerSecond;
    parts.push(`${ratio.toFixed(3)}× pgbouncer (${ratio >= THROUGHPUT_TARGET ? 'met' : 'NOT met'})`);
  } else parts.push('no pgbouncer figure to compare with');
  if (gateway.rssGrowth !== undefined) {
    const flat = gateway.rssGrowth <= RSS_FLAT_BOUND;
    const share = ((gateway.rssGrowth / gateway.bytes) * 100).toFixed(1);
    const before = gateway.rssBefore !== undefined ? ` from ${mib(gateway.rssBefore)}` : '';
    parts.push(
      `RSS grew at most ${mib(gateway.rssGrowth)}${before} while streaming ${(gateway.bytes / 1e6).toFixed(1)} MB (${share}% of the result): ${flat ? 'flat' : 'NOT flat'}`,
    );
  }
  return `Portcullis: ${parts.join('; ')}.`;
}
