// The recording section of `npm run bench`: what recording every session costs. pgbench -S TPS
// (simple and extended protocol) through four Portcullis gateways on one throwaway PostgreSQL,
// alternating round by round: recording off; recording on as shipped (results digest only, the
// journal synced with fdatasync, `recording.sync: writes` with its default interval, `on_failure:
// refuse`); recording on with `recording.sync: all` (read-only answers wait for their record's
// sync too); and recording on with the journal's fsync off (to show how much of the cost is the sync). Each recording gateway
// has its own journal in a temp dir under the bench's scratch dir. Printed: median TPS, the on/off
// ratios beside the target (recording must cost under 15%: on/off ≥ 0.85), and the journal's
// fsyncs and records per second during the recorded rounds (journal.stats deltas over each run's
// wall time). With PORTCULLIS_BENCH_RECORDING_SHIP=1 each recording gateway also ships, as
// `portcullis serve` does, to a state store database (`portcullis_state`) in the same cluster; a
// shipper runs only during its own gateway's runs and is drained after each (the drain time is
// printed), so no backlog runs beside another gateway; the drains can take minutes (each group
// commit queues a shipping round that re-reads the segment). Nothing is asserted. Runs standalone
// with `tsx test/bench/recording.ts`; env: PORTCULLIS_BENCH_RECORDING=0 skips the section (in
// run.ts), PORTCULLIS_BENCH_SECONDS / _ROUNDS / _CLIENTS / _THREADS as in the gateway section.

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { envNumber, median, startPortcullis } from './pgbench.js';
import { findPgbench, runPgbench, running, warmUp } from './pgbench-tool.js';
import { runAsScript, runCleanups, startBenchCluster } from './section.js';
import type { Endpoint, ProtocolMode } from './pgbench-tool.js';
import type { GatewayDeps } from '../../proxy/index.js';
import type { Journal, Shipper } from '../../proxy/recording/index.js';
import { RECORDING_DEFAULTS } from '../../proxy/config/index.js';

const DATABASE = 'bench';
const STATE_DB = 'portcullis_state';
const SHIP_INTERVAL_MS = 1_000;

/** RECORDING_TARGET_RATIO is the issue's target: recording on costs under 15% of the TPS without it. */
export const RECORDING_TARGET_RATIO = 0.85;

/**
 * RecordingVariant is how a bench gateway records: not at all; as shipped (`fsync`: a synced
 * journal, `recording.sync: writes`); with `recording.sync: all`; or to a journal without fsync.
 */
export type RecordingVariant = 'off' | 'fsync' | 'all' | 'nofsync';

/** RECORDING_VARIANTS are the compared gateways, in report order. */
export const RECORDING_VARIANTS: readonly RecordingVariant[] = ['off', 'fsync', 'all', 'nofsync'];

/** RECORDING_LABELS name the recording variants in the report. */
const RECORDING_LABELS: Readonly<Record<Exclude<RecordingVariant, 'off'>, string>> = {
  fsync: 'on',
  all: 'on, sync: all',
  nofsync: 'on, fsync off',
};

/** RecordingBenchOptions configure benchRecording; every field has a default from the environment. */
export type RecordingBenchOptions = {
  readonly seconds?: number;
  readonly rounds?: number;
  readonly clients?: number;
  readonly threads?: number;
  /** modes are the pgbench protocol modes compared (default simple and extended). */
  readonly modes?: readonly ProtocolMode[];
  /** ship true adds a shipper to the state store per recording gateway, as `portcullis serve` has (default PORTCULLIS_BENCH_RECORDING_SHIP=1). */
  readonly ship?: boolean;
  /** out receives the report (markdown); default stdout. */
  readonly out?: (line: string) => void;
  /** log receives progress lines; default stderr. */
  readonly log?: (line: string) => void;
};

/** RecordingSample is one pgbench run through one gateway; the journal rates are absent for the gateway that does not record. */
export type RecordingSample = {
  readonly mode: ProtocolMode;
  readonly round: number;
  readonly variant: RecordingVariant;
  readonly tps: number;
  /** fsyncsPerSecond and recordsPerSecond are the journal's stats deltas over the run's wall time. */
  readonly fsyncsPerSecond?: number;
  readonly recordsPerSecond?: number;
  /** shipDrainSeconds is how long the shipper took, after the run, to ship what it had not shipped yet (absent when not shipping). */
  readonly shipDrainSeconds?: number;
};

/** RecordingBenchResult is what the section measured, or why it could not. */
export type RecordingBenchResult =
  | { readonly kind: 'measured'; readonly samples: readonly RecordingSample[]; readonly shipping: boolean; readonly shipped: number }
  | { readonly kind: 'skipped'; readonly reason: string };

/** RecordingReportSettings are the run's parameters, for the report's headings. */
export type RecordingReportSettings = {
  readonly seconds: number;
  readonly rounds: number;
  readonly clients: number;
  readonly threads: number;
  readonly modes: readonly ProtocolMode[];
};

// ---------------------------------------------------------------------------------------------
// The report (unit-tested in test/bench/recording.test.ts).

/** renderRecordingReport prints median TPS per variant, the on/off ratios against the target, and the journal rates. */
export function renderRecordingReport(result: RecordingBenchResult, settings: RecordingReportSettings): string {
  if (result.kind === 'skipped') return `Recording: skipped (${result.reason})`;
  const fmt = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
  const ratio = (a: number, b: number): number => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : Number.NaN);
  const fmtRatio = (r: number): string => (Number.isFinite(r) ? r.toFixed(3) : 'n/a');
  const { samples } = result;
  const med = (mode: ProtocolMode, variant: RecordingVariant, pick: (s: RecordingSample) => number | undefined): number =>
    median(
      samples
        .filter((s) => s.mode === mode && s.variant === variant)
        .map(pick)
        .filter((v): v is number => v !== undefined),
    );
  const out: string[] = [];
  const recorded = ['fsync', 'all', 'nofsync'] as const;
  out.push(
    `Recording: pgbench -S -n -c ${settings.clients} -j ${settings.threads} -T ${settings.seconds}, ${settings.rounds} rounds alternating recording off / on (as shipped: fsync, sync: writes) / on (sync: all) / on (fsync off); results digest only; median TPS; target on/off ≥ ${RECORDING_TARGET_RATIO}`,
  );
  out.push(
    `| mode | off TPS | ${recorded.map((v) => `${RECORDING_LABELS[v]} TPS | on/off${v === 'fsync' ? ` | target ≥ ${RECORDING_TARGET_RATIO}` : ''} | fsyncs/s | records/s`).join(' | ')} |`,
  );
  out.push(`| --- | ---: | ${recorded.map((v) => `---: | ---: |${v === 'fsync' ? ' --- |' : ''} ---: | ---:`).join(' | ')} |`);
  for (const mode of settings.modes) {
    const off = med(mode, 'off', (s) => s.tps);
    const cells = recorded.map((v) => {
      const on = med(mode, v, (s) => s.tps);
      const r = ratio(on, off);
      const verdict = Number.isFinite(r) ? (r >= RECORDING_TARGET_RATIO ? 'met' : 'missed') : 'n/a';
      return `${fmt(on)} | ${fmtRatio(r)}${v === 'fsync' ? ` | ${verdict}` : ''} | ${fmt(med(mode, v, (s) => s.fsyncsPerSecond))} | ${fmt(med(mode, v, (s) => s.recordsPerSecond))}`;
    });
    out.push(`| ${mode} | ${fmt(off)} | ${cells.join(' | ')} |`);
  }
  out.push(
    result.shipping
      ? `\nRecords shipped to the state store during the runs: ${result.shipped.toLocaleString('en-US')}`
      : '\nNo shipper (PORTCULLIS_BENCH_RECORDING_SHIP=1 adds one per recording gateway)',
  );
  out.push(
    '\nEvery run (TPS, without initial connection time; fsyncs/s and records/s of the journal; seconds the shipper took after the run to catch up)',
  );
  out.push(`| mode | round | off | ${recorded.map((v) => `${RECORDING_LABELS[v]} | fsyncs/s | records/s | ship drain s`).join(' | ')} |`);
  out.push(`| --- | ---: | ---: | ${recorded.map(() => '---: | ---: | ---: | ---:').join(' | ')} |`);
  for (const mode of settings.modes) {
    for (let round = 1; round <= settings.rounds; round++) {
      const find = (v: RecordingVariant): RecordingSample | undefined =>
        samples.find((s) => s.mode === mode && s.round === round && s.variant === v);
      const cell = (s: RecordingSample | undefined, pick: (s: RecordingSample) => number | undefined): string => {
        const v = s === undefined ? undefined : pick(s);
        return v === undefined ? '-' : fmt(v);
      };
      const secs = (s: RecordingSample | undefined): string => (s?.shipDrainSeconds === undefined ? '-' : s.shipDrainSeconds.toFixed(1));
      const cells = recorded.map((v) => {
        const on = find(v);
        return `${cell(on, (s) => s.tps)} | ${cell(on, (s) => s.fsyncsPerSecond)} | ${cell(on, (s) => s.recordsPerSecond)} | ${secs(on)}`;
      });
      out.push(`| ${mode} | ${round} | ${cell(find('off'), (s) => s.tps)} | ${cells.join(' | ')} |`);
    }
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// The section.

/** Target is one bench gateway: where pgbench connects and, when it records, its journal. */
type Target = { readonly variant: RecordingVariant; readonly endpoint: Endpoint; readonly journal?: Journal; readonly shipper?: Shipper };

/** benchRecording runs the recording section end to end and prints its report; it stops everything it started, also on error. */
export async function benchRecording(options: RecordingBenchOptions = {}): Promise<RecordingBenchResult> {
  const out = options.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const settings: RecordingReportSettings = {
    seconds: options.seconds ?? envNumber(process.env, 'PORTCULLIS_BENCH_SECONDS', 8),
    rounds: options.rounds ?? envNumber(process.env, 'PORTCULLIS_BENCH_ROUNDS', 3),
    clients: options.clients ?? envNumber(process.env, 'PORTCULLIS_BENCH_CLIENTS', 8),
    threads: options.threads ?? envNumber(process.env, 'PORTCULLIS_BENCH_THREADS', 2),
    modes: options.modes ?? (['simple', 'extended'] as const),
  };
  const ship = options.ship ?? process.env['PORTCULLIS_BENCH_RECORDING_SHIP'] === '1';

  const tool = await findPgbench(log);
  if (tool.kind === 'unavailable') {
    const result: RecordingBenchResult = { kind: 'skipped', reason: tool.reason };
    out('');
    out(renderRecordingReport(result, settings));
    return result;
  }

  const cleanups: Array<() => Promise<void> | void> = [];
  try {
    const scratch = mkdtempSync(join(tmpdir(), 'portcullis-bench-recording-'));
    cleanups.push(() => rmSync(scratch, { recursive: true, force: true }));
    cleanups.push(() => {
      for (const child of running) child.kill('SIGKILL');
    });

    const rec = await import('../../proxy/recording/index.js');
    const { direct } = await startBenchCluster(tool.path, DATABASE, log, cleanups);

    // the state store the shippers ship to (migration 4 creates portcullis.recording_records)
    let store: import('../../proxy/state/index.js').StateStore | undefined;
    if (ship) {
      const admin = new pg.Client({ ...direct });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${STATE_DB}`);
      await admin.end();
      const { createStateStore } = await import('../../proxy/state/index.js');
      const opened = createStateStore({ ...direct, database: STATE_DB, connectTimeoutMs: 3_000 });
      cleanups.push(() => opened.close());
      await opened.migrate();
      store = opened;
    }
    let shipped = 0;
    const shipProblems: string[] = [];

    // recording off first, then the three recording gateways, each with its own journal (and shipper)
    const targets: Target[] = [];
    for (const variant of RECORDING_VARIANTS) {
      let journal: Journal | undefined;
      let shipperOf: Shipper | undefined;
      let deps: Partial<GatewayDeps> = {};
      if (variant !== 'off') {
        const dir = join(scratch, `journal-${variant}`);
        mkdirSync(dir, { recursive: true });
        let shipper: Shipper | undefined;
        const opened = await rec.openJournal({
          dir,
          fsync: variant !== 'nofsync',
          syncWithin: RECORDING_DEFAULTS.syncIntervalMs,
          onCommit: () => shipper?.kick(),
        });
        journal = opened;
        cleanups.push(() => opened.close().catch(() => undefined));
        if (store !== undefined) {
          // as the gateway ships: from a thread of its own, with its own store connection
          const started = rec.startShipThread({
            dir,
            login: {
              host: direct.host,
              port: direct.port,
              database: STATE_DB,
              user: direct.user,
              password: direct.password,
              connectTimeoutMs: 3_000,
            },
            onEvent: (e) => {
              if (e.type === 'recording.shipped') shipped += e.records;
              else if (shipProblems.length < 5) shipProblems.push(e.message);
            },
          });
          cleanups.push(() => started.stop());
          shipper = started;
          shipperOf = started;
        }
        const recorder = rec.createJournalRecorder({
          journal: opened,
          onFailure: 'refuse',
          onProblem: (message) => log(`bench: recording (${variant}): ${message}`),
          syncReads: variant === 'all',
        });
        deps = { recorder, gatewayId: `bench-${variant}` };
      }
      const started = await startPortcullis(direct, scratch, log, { deps });
      if (started.kind !== 'started') throw new Error(`the gateway (recording ${variant}) did not start: ${started.reason}`);
      cleanups.push(() => started.gateway.close());
      targets.push({
        variant,
        endpoint: started.gateway.endpoint,
        ...(journal !== undefined ? { journal } : {}),
        ...(shipperOf !== undefined ? { shipper: shipperOf } : {}),
      });
    }

    for (const t of targets) {
      for (const mode of settings.modes) {
        const smoke = await runPgbench(tool.path, {
          endpoint: t.endpoint,
          mode,
          clients: 1,
          threads: 1,
          duration: { kind: 'transactions', count: 20 },
        });
        if (smoke.kind === 'failed') throw new Error(`pgbench ${mode} smoke run (recording ${t.variant}) failed: ${smoke.reason}`);
      }
      if (t.journal !== undefined && t.journal.stats.records === 0) throw new Error(`recording ${t.variant}: nothing reached the journal`);
    }
    // one untimed second per target and mode: the first timed run is not a warm-up
    await warmUp(
      tool.path,
      targets.map((t) => t.endpoint),
      settings.modes,
      { clients: settings.clients, threads: settings.threads, seconds: 1 },
    );

    // a shipper runs only during (and drains right after) its own gateway's runs, so no shipping
    // backlog is left to run beside another gateway's rounds
    const drain = async (t: Target): Promise<number | undefined> => {
      if (t.shipper === undefined) return undefined;
      const t0 = performance.now();
      await t.shipper.stop();
      await t.shipper.shipOnce();
      return (performance.now() - t0) / 1000;
    };
    for (const t of targets) await drain(t);
    const samples: RecordingSample[] = [];
    for (const mode of settings.modes) {
      for (let round = 1; round <= settings.rounds; round++) {
        // rotate which goes first, so no gateway always runs on a warmer (or busier) machine
        const shift = (round - 1) % targets.length;
        const order = [...targets.slice(shift), ...targets.slice(0, shift)];
        for (const t of order) {
          log(`bench: recording: ${mode} round ${round}/${settings.rounds}: recording ${t.variant} (${settings.seconds} s)`);
          const before = t.journal === undefined ? undefined : { ...t.journal.stats };
          t.shipper?.start(SHIP_INTERVAL_MS);
          const t0 = performance.now();
          const r = await runPgbench(tool.path, {
            endpoint: t.endpoint,
            mode,
            clients: settings.clients,
            threads: settings.threads,
            duration: { kind: 'seconds', seconds: settings.seconds },
          });
          const elapsedS = (performance.now() - t0) / 1000;
          const drained = await drain(t);
          if (r.kind !== 'ok') throw new Error(`pgbench ${mode} round ${round} (recording ${t.variant}) failed: ${r.reason}`);
          if (t.journal === undefined || before === undefined) {
            samples.push({ mode, round, variant: t.variant, tps: r.tps });
            continue;
          }
          const after = t.journal.stats;
          samples.push({
            mode,
            round,
            variant: t.variant,
            tps: r.tps,
            fsyncsPerSecond: (after.fsyncs - before.fsyncs) / elapsedS,
            recordsPerSecond: (after.records - before.records) / elapsedS,
            ...(drained !== undefined ? { shipDrainSeconds: drained } : {}),
          });
        }
      }
    }
    for (const p of shipProblems) log(`bench: recording: shipping failed: ${p}`);
    const result: RecordingBenchResult = { kind: 'measured', samples, shipping: ship, shipped };
    out('');
    out(renderRecordingReport(result, settings));
    return result;
  } finally {
    await runCleanups(cleanups, 'recording', log);
  }
}

// Standalone: `tsx test/bench/recording.ts`.
await runAsScript(import.meta.url, 'recording', benchRecording);
