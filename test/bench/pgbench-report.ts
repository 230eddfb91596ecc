// The gateway section's report (unit-tested in test/bench/pgbench.test.ts): medians per mode and
// target, the ratios to pgbouncer and to direct, CPU per transaction of each proxy and of
// PostgreSQL behind each, Portcullis's per-stage costs from the profiled run (stages.ts),
// PostgreSQL alone at Portcullis's pace, one client's added latency, logins per second, and every
// run.

import type { ProtocolMode } from './pgbench-tool.js';
import { renderStages } from './stages.js';
import type { StageCosts } from './stages.js';

/** BenchTarget is where pgbench connects. */
export type BenchTarget = 'direct' | 'pgbouncer' | 'passthrough' | 'portcullis';

/** BENCH_TARGETS is the order targets alternate in within one round. */
export const BENCH_TARGETS: readonly BenchTarget[] = ['direct', 'pgbouncer', 'passthrough', 'portcullis'];

/** PROTOCOL_MODES lists the modes measured, in order. */
export const PROTOCOL_MODES: readonly ProtocolMode[] = ['simple', 'extended'];

/**
 * BenchSample is one run's TPS for a target in a mode and round, with the CPU time per
 * transaction (µs) of the proxy (absent for direct) and of PostgreSQL, when they could be read.
 */
export type BenchSample = {
  readonly mode: ProtocolMode;
  readonly target: BenchTarget;
  readonly round: number;
  readonly tps: number;
  readonly proxyCpuUs?: number;
  readonly pgCpuUs?: number;
  /**
   * loopBusy is the share of the run the event loop of an in-process proxy (the pass-through,
   * Portcullis) was busy (performance.eventLoopUtilization): near 1, the proxy's one thread is
   * what limits it, whatever cores are left; well below, the machine or the clients do.
   */
  readonly loopBusy?: number;
};

/** PacedSample is a direct run throttled to Portcullis's median TPS: PostgreSQL's CPU per transaction at that rate, without any proxy. */
export type PacedSample = {
  readonly mode: ProtocolMode;
  readonly rate: number;
  readonly tps: number;
  readonly pgCpuUs: number | undefined;
};

/** TargetTps is one run's TPS through a target (the one-client and login runs). */
export type TargetTps = { readonly target: BenchTarget; readonly tps: number };

/** Extras are the runs besides the rounds: PostgreSQL at Portcullis's pace, one client per target, new connections per target. */
export type Extras = {
  readonly paced: readonly PacedSample[];
  /** oneClient are `-c 1` simple-protocol runs: the latency each target adds to a statement. */
  readonly oneClient: readonly TargetTps[];
  /** logins are `-C` runs (a new connection, and for Portcullis a token verified and a login decision, per transaction). */
  readonly logins: readonly TargetTps[];
  /** stages are the profiled runs' per-stage costs through Portcullis (absent when not profiled). */
  readonly stages?: { readonly intervalUs: number; readonly costs: readonly StageCosts[] };
};

/** NO_EXTRAS is a report without them. */
export const NO_EXTRAS: Extras = { paced: [], oneClient: [], logins: [] };

/** LATENCY_TARGET is the bar: Portcullis's added latency per statement at most twice pgbouncer's. */
export const LATENCY_TARGET = 2;

/** renderLatencyAndLogins prints one client's added latency per statement over direct, and logins per second. */
function renderLatencyAndLogins(extras: Extras, fmt: (n: number) => string): string[] {
  const out: string[] = [];
  const tpsOf = (list: readonly TargetTps[], t: BenchTarget): number => list.find((x) => x.target === t)?.tps ?? Number.NaN;
  if (extras.oneClient.length > 0) {
    const direct = tpsOf(extras.oneClient, 'direct');
    const added = (t: BenchTarget): number => 1e6 / tpsOf(extras.oneClient, t) - 1e6 / direct;
    const [bouncer, gateway] = [added('pgbouncer'), added('portcullis')];
    const ratio = Number.isFinite(bouncer) && Number.isFinite(gateway) && bouncer > 0 ? gateway / bouncer : Number.NaN;
    out.push('\nOne client (pgbench -S -c 1, simple protocol): latency per statement added over direct, µs');
    out.push('| direct TPS | pgbouncer | passthrough | portcullis | portcullis / pgbouncer | target ≤ 2 |');
    out.push('| ---: | ---: | ---: | ---: | ---: | --- |');
    const f = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : 'n/a');
    out.push(
      `| ${fmt(direct)} | ${f(bouncer)} | ${f(added('passthrough'))} | ${f(gateway)} | ${Number.isFinite(ratio) ? ratio.toFixed(2) : 'n/a'} | ${Number.isFinite(ratio) ? (ratio <= LATENCY_TARGET ? 'met' : 'missed') : 'n/a'} |`,
    );
  }
  if (extras.logins.length > 0) {
    out.push(
      '\nLogins (pgbench -S -C: a new connection per transaction; through Portcullis a JWT verified and the login decision each), per second',
    );
    out.push('| direct | pgbouncer | portcullis | portcullis / pgbouncer |');
    out.push('| ---: | ---: | ---: | ---: |');
    const [d, b, g] = (['direct', 'pgbouncer', 'portcullis'] as const).map((t) => tpsOf(extras.logins, t)) as [number, number, number];
    out.push(`| ${fmt(d)} | ${fmt(b)} | ${fmt(g)} | ${Number.isFinite(g / b) && b > 0 ? (g / b).toFixed(3) : 'n/a'} |`);
  }
  return out;
}

/** recordingNote says how Portcullis recorded during the runs (nothing when the caller does not say). */
function recordingNote(recording: boolean | undefined): string {
  if (recording === undefined) return '';
  return `; Portcullis: the shipped policy deciding every statement, ${recording ? 'recording on (journal, fsync; results digest only)' : 'recording off'}`;
}

/** median returns the middle value (mean of the two middle ones for an even count); NaN when empty. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** renderReport prints the medians per mode and target with the ratios to pgbouncer and direct, CPU per transaction, then every sample. */
export function renderReport(
  samples: readonly BenchSample[],
  unavailable: ReadonlyMap<BenchTarget, string>,
  settings: { seconds: number; rounds: number; clients: number; threads: number; recording?: boolean },
  extras: Extras = NO_EXTRAS,
): string {
  const { paced } = extras;
  const out: string[] = [];
  const fmt = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
  const us = (n: number): string => (Number.isFinite(n) ? n.toFixed(0) : 'n/a');
  const ratio = (a: number, b: number): string => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? (a / b).toFixed(3) : 'n/a');
  const med = (mode: ProtocolMode, t: BenchTarget, pick: (s: BenchSample) => number | undefined): number =>
    median(
      samples
        .filter((s) => s.mode === mode && s.target === t)
        .map(pick)
        .filter((v): v is number => v !== undefined),
    );
  out.push(
    `Gateway throughput: pgbench -S -n -c ${settings.clients} -j ${settings.threads} -T ${settings.seconds}, ${settings.rounds} rounds alternating ${BENCH_TARGETS.join(' → ')} (median TPS)${recordingNote(settings.recording)}`,
  );
  out.push(
    '| mode | direct | pgbouncer | passthrough | portcullis | portcullis/pgbouncer | portcullis/direct | pgbouncer/direct | passthrough/direct |',
  );
  out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const mode of PROTOCOL_MODES) {
    const [d, b, p, g] = BENCH_TARGETS.map((t) => med(mode, t, (s) => s.tps)) as [number, number, number, number];
    out.push(
      `| ${mode} | ${fmt(d)} | ${fmt(b)} | ${fmt(p)} | ${fmt(g)} | ${ratio(g, b)} | ${ratio(g, d)} | ${ratio(b, d)} | ${ratio(p, d)} |`,
    );
  }
  out.push('\nCPU per transaction, µs (median): the proxy process, and PostgreSQL (postmaster and backends) behind each target');
  out.push(
    '| mode | pgbouncer | passthrough | portcullis | PostgreSQL: direct | behind pgbouncer | behind passthrough | behind portcullis |',
  );
  out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const mode of PROTOCOL_MODES) {
    const proxy = (t: BenchTarget) => us(med(mode, t, (s) => s.proxyCpuUs));
    const pgc = (t: BenchTarget) => us(med(mode, t, (s) => s.pgCpuUs));
    out.push(
      `| ${mode} | ${proxy('pgbouncer')} | ${proxy('passthrough')} | ${proxy('portcullis')} | ${BENCH_TARGETS.map(pgc).join(' | ')} |`,
    );
  }
  out.push('\nEvent loop busy (median share of each run, the in-process proxies: near 100%, one thread is the limit)');
  out.push('| mode | passthrough | portcullis |');
  out.push('| --- | ---: | ---: |');
  for (const mode of PROTOCOL_MODES) {
    const busy = (t: BenchTarget): string => {
      const v = med(mode, t, (s) => s.loopBusy);
      return Number.isFinite(v) ? `${(100 * v).toFixed(0)}%` : '-';
    };
    out.push(`| ${mode} | ${busy('passthrough')} | ${busy('portcullis')} |`);
  }
  if (extras.stages !== undefined)
    out.push(...renderStages(extras.stages.costs, { seconds: settings.seconds, intervalUs: extras.stages.intervalUs }));
  if (paced.length > 0) {
    out.push(
      '\nPostgreSQL alone at Portcullis\'s pace (direct, pgbench -R at its median TPS): its CPU per transaction rises as throughput falls (idle backends woken per statement), so compare this with "behind portcullis"',
    );
    out.push('| mode | rate | TPS | PostgreSQL µs/tx |');
    out.push('| --- | ---: | ---: | ---: |');
    for (const p of paced) out.push(`| ${p.mode} | ${fmt(p.rate)} | ${fmt(p.tps)} | ${us(p.pgCpuUs ?? Number.NaN)} |`);
  }
  out.push(...renderLatencyAndLogins(extras, fmt));
  for (const [target, reason] of unavailable) out.push(`\n${target}: not measured (${reason})`);
  out.push('\nEvery run (TPS, without initial connection time)');
  out.push(`| mode | round | ${BENCH_TARGETS.join(' | ')} |`);
  out.push('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const mode of PROTOCOL_MODES) {
    for (let round = 1; round <= settings.rounds; round++) {
      const cell = (t: BenchTarget): string => {
        const s = samples.find((x) => x.mode === mode && x.round === round && x.target === t);
        return s === undefined ? '-' : fmt(s.tps);
      };
      out.push(`| ${mode} | ${round} | ${BENCH_TARGETS.map(cell).join(' | ')} |`);
    }
  }
  return out.join('\n');
}
