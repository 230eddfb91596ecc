// The gateway section's runs besides its rounds: PostgreSQL alone throttled (`-R`) to Portcullis's
// median pace (its CPU per transaction at that rate, no proxy: is its extra CPU behind the gateway
// the gateway's doing?); one client per target (the latency each adds to a statement); and a new
// connection per transaction (`-C`) per target (logins per second: through Portcullis a JWT
// verified and the login decision each time). One run each, simple protocol.

import { BACKENDS_SETTLE_MS, treeCpuUs } from './cpu.js';
import { PROTOCOL_MODES, median } from './pgbench-report.js';
import type { BenchSample, BenchTarget, Extras, PacedSample, TargetTps } from './pgbench-report.js';
import { runPgbench } from './pgbench-tool.js';
import type { Endpoint } from './pgbench-tool.js';

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, BACKENDS_SETTLE_MS));

/** runExtras runs the extra measurements against the ready targets; a run that fails is left out (and logged). */
export async function runExtras(
  tool: string,
  ready: ReadonlyMap<BenchTarget, Endpoint>,
  samples: readonly BenchSample[],
  settings: { readonly seconds: number; readonly clients: number; readonly threads: number },
  postmaster: number | undefined,
  log: (line: string) => void,
): Promise<Extras> {
  const direct = ready.get('direct');
  const paced: PacedSample[] = [];
  for (const mode of PROTOCOL_MODES) {
    const rate = median(samples.filter((s) => s.mode === mode && s.target === 'portcullis').map((s) => s.tps));
    if (direct === undefined || !Number.isFinite(rate) || postmaster === undefined) continue;
    log(`bench: ${mode}: direct at ${Math.round(rate)} TPS (Portcullis's pace)`);
    await settle();
    const pg0 = treeCpuUs(postmaster);
    const r = await runPgbench(tool, {
      endpoint: direct,
      mode,
      clients: settings.clients,
      threads: settings.threads,
      duration: { kind: 'seconds', seconds: settings.seconds },
      rate,
    });
    await settle();
    const pg1 = treeCpuUs(postmaster);
    if (r.kind === 'ok')
      paced.push({
        mode,
        rate,
        tps: r.tps,
        pgCpuUs: pg0 !== undefined && pg1 !== undefined ? (pg1 - pg0) / (r.tps * settings.seconds) : undefined,
      });
    else log(`bench: paced run failed: ${r.reason}`);
  }
  const oneClient: TargetTps[] = [];
  const logins: TargetTps[] = [];
  for (const [list, label, clients, connect] of [
    [oneClient, 'one client', 1, false],
    [logins, 'a connection per transaction', settings.clients, true],
  ] as const) {
    for (const [target, endpoint] of ready) {
      if (connect && target === 'passthrough') continue;
      log(`bench: ${label}: ${target} (${settings.seconds} s)`);
      await settle();
      const r = await runPgbench(tool, {
        endpoint,
        mode: 'simple',
        clients,
        threads: Math.min(clients, settings.threads),
        duration: { kind: 'seconds', seconds: settings.seconds },
        ...(connect ? { connect: true } : {}),
      });
      if (r.kind === 'ok') list.push({ target, tps: r.tps });
      else log(`bench: ${label} through ${target} failed: ${r.reason}`);
    }
  }
  return { paced, oneClient, logins };
}
