// The gateway section's profiled run: after the measured rounds (so the profiler never weighs on
// the ratios), one more pgbench run per protocol mode through Portcullis, as long as a round, with
// V8's CPU profiler sampling this process (the gateway runs in it) every PROFILE_INTERVAL_US; the
// profile is split into stages (stages.ts) and each stage's share is turned into µs per
// transaction with this process's CPU time over the run (process.cpuUsage). Skipped with
// PORTCULLIS_BENCH_STAGES=0.

import { Session } from 'node:inspector/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROTOCOL_MODES } from './pgbench-report.js';
import { runPgbench } from './pgbench-tool.js';
import type { Endpoint } from './pgbench-tool.js';
import { attributeStages } from './stages.js';
import type { CpuProfile, StageCosts } from './stages.js';

/** PROFILE_INTERVAL_US is the profiler's sampling interval. */
export const PROFILE_INTERVAL_US = 100;

/** REPO_ROOT is the repository the stages' paths are relative to. */
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** stagesEnabled is false when PORTCULLIS_BENCH_STAGES=0 turns the profiled run off. */
export function stagesEnabled(env: Readonly<Record<string, string | undefined>>): boolean {
  return env['PORTCULLIS_BENCH_STAGES'] !== '0';
}

/** profileStages runs pgbench through the gateway at `endpoint` once per mode with the profiler on; a failed run is reported as such. */
export async function profileStages(
  tool: string,
  endpoint: Endpoint,
  settings: { readonly seconds: number; readonly clients: number; readonly threads: number },
  log: (line: string) => void,
): Promise<StageCosts[]> {
  const session = new Session();
  session.connect();
  const costs: StageCosts[] = [];
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: PROFILE_INTERVAL_US });
    for (const mode of PROTOCOL_MODES) {
      log(`bench: ${mode}: portcullis with the CPU profiler on (${settings.seconds} s)`);
      await session.post('Profiler.start');
      const cpu0 = process.cpuUsage();
      const r = await runPgbench(tool, {
        endpoint,
        mode,
        clients: settings.clients,
        threads: settings.threads,
        duration: { kind: 'seconds', seconds: settings.seconds },
      });
      const cpu = process.cpuUsage(cpu0);
      const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
      if (r.kind !== 'ok' || r.tps <= 0) {
        costs.push({ kind: 'failed', mode, reason: r.kind === 'ok' ? 'no transactions' : r.reason });
        continue;
      }
      costs.push({
        kind: 'profiled',
        mode,
        tps: r.tps,
        cpuUsPerTx: (cpu.user + cpu.system) / (r.tps * settings.seconds),
        times: attributeStages(profile, REPO_ROOT),
      });
    }
    await session.post('Profiler.disable');
  } finally {
    session.disconnect();
  }
  return costs;
}
