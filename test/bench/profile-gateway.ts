// Profiles the gateway under pgbench -S load: starts a throwaway PostgreSQL and Portcullis in
// this process (as the gateway section of `npm run bench` does), runs pgbench in each protocol
// mode with the V8 CPU profiler on, and writes one .cpuprofile per mode plus a summary of self
// time by function and by source file, and the gateway's CPU time per transaction. Run:
// `tsx test/bench/profile-gateway.ts [outdir]`; env PORTCULLIS_BENCH_SECONDS (default 8),
// PORTCULLIS_PROFILE=0 (measure without the profiler), =alloc (sample allocations instead), PORTCULLIS_PROFILE_RECORDING=fsync|all|nofsync
// (record every session to a journal in the scratch directory: as shipped, with recording.sync: all, without fsync), PORTCULLIS_PROFILE_CLIENTS (default 8),
// PORTCULLIS_PROFILE_CONNECT=1 (a new connection per transaction: logins).

import { Session } from 'node:inspector/promises';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { mainThreadCpuUs } from './cpu.js';
import { PROTOCOL_MODES, envNumber, startPortcullis } from './pgbench.js';
import { findPgbench, initPgbench, runPgbench } from './pgbench-tool.js';
import type { Endpoint } from './pgbench-tool.js';

type ProfileNode = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] };
type Profile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

/** summarize prints the top self-time functions and files of a profile. */
function summarize(profile: Profile, top = 30): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (const [i, id] of profile.samples.entries()) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  for (const [id, t] of self) {
    const n = byId.get(id);
    if (n === undefined) continue;
    const url = n.callFrame.url.replace(/^file:\/\//, '').replace(/.*\/wt-perf\//, '');
    const key = `${n.callFrame.functionName || '(anonymous)'} ${url}:${n.callFrame.lineNumber + 1}`;
    fn.set(key, (fn.get(key) ?? 0) + t);
    const f = url === '' ? `(${n.callFrame.functionName})` : url.replace(/node_modules\/([^/]+(\/[^/]+)?)\/.*/, 'node_modules/$1');
    file.set(f, (file.get(f) ?? 0) + t);
  }
  const pct = (t: number): string => `${((100 * t) / total).toFixed(1).padStart(5)}%`;
  const rows = (m: Map<string, number>): string[] =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, t]) => `${pct(t)}  ${k}`);
  return [
    `total sampled ${(total / 1e6).toFixed(2)} s`,
    '',
    'self time by function:',
    ...rows(fn),
    '',
    'self time by file:',
    ...rows(file),
  ].join('\n');
}

type HeapNode = {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
};
type SamplingHeapProfile = { head: HeapNode };

/** summarizeAllocations prints the top allocation sites (sampled bytes per transaction, by function). */
function summarizeAllocations(profile: SamplingHeapProfile, transactions: number, top = 30): string {
  const by = new Map<string, number>();
  let total = 0;
  const walk = (n: HeapNode): void => {
    if (n.selfSize > 0) {
      const url = n.callFrame.url.replace(/^file:\/\//, '');
      const key = `${n.callFrame.functionName || '(anonymous)'} ${url}:${n.callFrame.lineNumber + 1}`;
      by.set(key, (by.get(key) ?? 0) + n.selfSize);
      total += n.selfSize;
    }
    for (const c of n.children) walk(c);
  };
  walk(profile.head);
  const perTx = (b: number): string => `${(b / Math.max(1, transactions)).toFixed(0).padStart(6)} B/tx`;
  const rows = [...by].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [`allocated (sampled) ${perTx(total)}`, ...rows.map(([k, b]) => `${perTx(b)}  ${k}`)].join('\n');
}

const out = resolve(process.argv[2] ?? join(tmpdir(), 'portcullis-profile'));
mkdirSync(out, { recursive: true });
const seconds = envNumber(process.env, 'PORTCULLIS_BENCH_SECONDS', 8);
/** clients is how many pgbench clients run (PORTCULLIS_PROFILE_CLIENTS, default 8). */
const clients = envNumber(process.env, 'PORTCULLIS_PROFILE_CLIENTS', 8);
const threads = Math.min(2, clients);
/** connect: a new connection per transaction (pgbench -C: logins), PORTCULLIS_PROFILE_CONNECT=1. */
const connectEach = process.env['PORTCULLIS_PROFILE_CONNECT'] === '1';
/** profiling is off with PORTCULLIS_PROFILE=0 (only TPS and CPU per transaction are reported); `alloc` samples allocations instead of CPU. */
const profiling = process.env['PORTCULLIS_PROFILE'] !== '0';
const allocations = process.env['PORTCULLIS_PROFILE'] === 'alloc';
const log = (line: string): void => void process.stderr.write(`${line}\n`);
const tool = await findPgbench(log);
if (tool.kind === 'unavailable') throw new Error(tool.reason);
const scratch = mkdtempSync(join(tmpdir(), 'portcullis-profile-'));
const { startPostgres } = await import('../../proxy/dev/index.js');
const pg = await startPostgres({ database: 'bench', log: (line) => log(`postgres: ${line}`) });
try {
  const direct: Endpoint = {
    host: pg.host,
    port: pg.port,
    user: pg.superuser.name,
    password: pg.superuser.password,
    database: pg.database,
  };
  await initPgbench(tool.path, direct);
  // PORTCULLIS_PROFILE_RECORDING=fsync|all|nofsync profiles with a journal recorder (as the recording section's gateways)
  const recording = process.env['PORTCULLIS_PROFILE_RECORDING'];
  let deps: Parameters<typeof startPortcullis>[3] = {};
  if (recording === 'fsync' || recording === 'all' || recording === 'nofsync') {
    const rec = await import('../../proxy/recording/index.js');
    const { RECORDING_DEFAULTS } = await import('../../proxy/config/index.js');
    const journal = await rec.openJournal({
      dir: join(scratch, 'journal'),
      fsync: recording !== 'nofsync',
      syncWithin: RECORDING_DEFAULTS.syncIntervalMs,
    });
    const recorder = rec.createJournalRecorder({ journal, onFailure: 'refuse', syncReads: recording === 'all' });
    deps = { deps: { recorder, gatewayId: 'profile' } };
    process.on('beforeExit', () => {
      const st = journal.stats;
      log(
        `journal: ${st.records} records, ${Math.round(st.bytes / Math.max(1, st.records))} bytes each, ${st.fsyncs} fsyncs, ${st.writes} writes`,
      );
    });
  }
  const started = await startPortcullis(direct, scratch, log, deps);
  if (started.kind !== 'started') throw new Error(started.reason);
  const gw = started.gateway;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  try {
    for (const mode of PROTOCOL_MODES) {
      // warm-up, unprofiled
      await runPgbench(tool.path, { endpoint: gw.endpoint, mode, clients, threads, duration: { kind: 'seconds', seconds: 2 } });
      if (allocations)
        await session.post('HeapProfiler.startSampling', {
          samplingInterval: 4096,
          includeObjectsCollectedByMajorGC: true,
          includeObjectsCollectedByMinorGC: true,
        });
      else if (profiling) await session.post('Profiler.start');
      const cpu0 = process.cpuUsage();
      const main0 = mainThreadCpuUs();
      const r = await runPgbench(tool.path, {
        endpoint: gw.endpoint,
        mode,
        clients,
        threads,
        ...(connectEach ? { connect: true } : {}),
        duration: { kind: 'seconds', seconds },
      });
      const cpu = process.cpuUsage(cpu0);
      const main1 = mainThreadCpuUs();
      const tps = r.kind === 'ok' ? r.tps : Number.NaN;
      // CPU time of this process per transaction (the gateway's cost, whatever else shares the machine)
      const perTx = (us: number): string => (us / (tps * seconds)).toFixed(1);
      const main = main0 !== undefined && main1 !== undefined ? `; main thread ${perTx(main1 - main0)} µs` : '';
      const head = `${mode}: ${r.kind === 'ok' ? `${Math.round(tps)} TPS` : r.reason}; gateway CPU per transaction: user ${perTx(cpu.user)} µs, system ${perTx(cpu.system)} µs${main}`;
      let summary = head;
      if (allocations) {
        const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as { profile: SamplingHeapProfile };
        writeFileSync(join(out, `${mode}.heapprofile`), JSON.stringify(profile));
        summary = `${head}\n${summarizeAllocations(profile, tps * seconds)}\n`;
      } else if (profiling) {
        const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
        writeFileSync(join(out, `${mode}.cpuprofile`), JSON.stringify(profile));
        summary = `${head}\n${summarize(profile)}\n`;
      }
      writeFileSync(join(out, `${mode}.txt`), summary);
      process.stdout.write(`${summary}\n`);
    }
  } finally {
    session.disconnect();
    await gw.close();
  }
} finally {
  await pg.stop();
  rmSync(scratch, { recursive: true, force: true });
}
