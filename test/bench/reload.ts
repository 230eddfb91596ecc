// The reload section of `npm run bench`: what hot reload costs the statements in flight. pgbench
// -S (8 clients) through Portcullis, whose policy (the shipped library) is held by the active
// policy (proxy/policy) and fed by the bundle poller (proxy/bundle-service, long polling) from a
// `bundle serve` server on a scratch directory, as `policy.bundle.url` runs it. One run with no
// publication, then one run during which a new bundle revision (same rules, new data) is published
// every run/N seconds, N = PORTCULLIS_BENCH_RELOADS (default 100), then again without. Printed:
// failed statements (pgbench aborts a client on any error, so a clean run means 0), the TPS of
// each run and the reload run's ratio to the median of the others (the dip), activations seen,
// and the time from publication (the file renamed into place) to activation, p50/p99/max, with
// the load time (off the statement path) of each activation. Nothing is asserted. Standalone:
// `tsx test/bench/reload.ts`; PORTCULLIS_BENCH_RELOAD=0 skips it in run.ts; PORTCULLIS_BENCH_SECONDS
// (default 8; the reload run is twice as long), _CLIENTS, _THREADS as elsewhere.

import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envNumber, median, startPortcullis } from './pgbench.js';
import { findPgbench, runPgbench, running } from './pgbench-tool.js';
import { runAsScript, runCleanups, startBenchCluster } from './section.js';
import type { Bundle } from '../../bundles/index.js';

const REPO_POLICIES = join(import.meta.dirname, '../../policies');

/** ReloadBenchResult is what the section measured, or why it could not. */
export type ReloadBenchResult =
  | {
      readonly kind: 'measured';
      readonly runs: readonly { readonly label: string; readonly tps: number | undefined; readonly failure?: string }[];
      readonly published: number;
      readonly activated: number;
      /** latencies are publish → activation, ms; loads are each activation's load time (off the statement path), ms. */
      readonly latencies: readonly number[];
      readonly loads: readonly number[];
    }
  | { readonly kind: 'skipped'; readonly reason: string };

/** percentile is the nearest-rank percentile of xs (NaN when empty). */
function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] as number;
}

/** renderReloadReport prints the runs, the dip, failures and publish → activation latency. */
export function renderReloadReport(result: ReloadBenchResult, settings: { seconds: number; clients: number; reloads: number }): string {
  if (result.kind === 'skipped') return `Hot reload: skipped (${result.reason})`;
  const fmt = (n: number | undefined): string => (n !== undefined && Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
  const ms = (n: number): string => (Number.isFinite(n) ? n.toFixed(0) : 'n/a');
  const out: string[] = [];
  out.push(
    `Hot reload: pgbench -S -c ${settings.clients} through Portcullis polling a bundle server (long polling); ${settings.reloads} new bundle revisions published during the reload run`,
  );
  out.push('| run | TPS | failed statements |');
  out.push('| --- | ---: | --- |');
  for (const r of result.runs) out.push(`| ${r.label} | ${fmt(r.tps)} | ${r.failure === undefined ? '0' : `run failed: ${r.failure}`} |`);
  const quiet = median(result.runs.filter((r) => !r.label.startsWith('reloading') && r.tps !== undefined).map((r) => r.tps as number));
  const busy = result.runs.find((r) => r.label.startsWith('reloading'))?.tps;
  out.push(`\nTPS while reloading / without: ${busy !== undefined && quiet > 0 ? (busy / quiet).toFixed(3) : 'n/a'}`);
  out.push(
    `Published ${result.published}, activated ${result.activated} (a revision superseded before its turn is skipped: the latest wins)`,
  );
  out.push(
    `Publish → activation ms: p50 ${ms(percentile(result.latencies, 50))}, p99 ${ms(percentile(result.latencies, 99))}, max ${ms(Math.max(...result.latencies))}; load (off the statement path) ms: p50 ${ms(percentile(result.loads, 50))}, max ${ms(Math.max(...result.loads))}`,
  );
  return out.join('\n');
}

/** benchReload runs the section and prints its report; it stops everything it started. */
export async function benchReload(
  options: { readonly out?: (line: string) => void; readonly log?: (line: string) => void } = {},
): Promise<ReloadBenchResult> {
  const out = options.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const settings = {
    seconds: envNumber(process.env, 'PORTCULLIS_BENCH_SECONDS', 8),
    clients: envNumber(process.env, 'PORTCULLIS_BENCH_CLIENTS', 8),
    threads: envNumber(process.env, 'PORTCULLIS_BENCH_THREADS', 2),
    reloads: envNumber(process.env, 'PORTCULLIS_BENCH_RELOADS', 100),
  };
  const tool = await findPgbench(log);
  if (tool.kind === 'unavailable') {
    const result: ReloadBenchResult = { kind: 'skipped', reason: tool.reason };
    out(`\n${renderReloadReport(result, settings)}`);
    return result;
  }
  const cleanups: Array<() => unknown> = [];
  try {
    const scratch = mkdtempSync(join(tmpdir(), 'portcullis-bench-reload-'));
    cleanups.push(() => rmSync(scratch, { recursive: true, force: true }));
    cleanups.push(() => {
      for (const child of running) child.kill('SIGKILL');
    });
    const bundles = await import('../../bundles/index.js');
    const policyModule = await import('../../proxy/policy/index.js');
    const service = await import('../../proxy/bundle-service/index.js');
    const decision = await import('../../proxy/decision/index.js');
    const { direct } = await startBenchCluster(tool.path, 'bench', log, cleanups);

    // the shipped library, compiled once; each revision changes only its data (a new unit is instantiated all the same)
    const built = await bundles.loadBundle({ kind: 'paths', paths: [REPO_POLICIES], entrypoints: [decision.DEFAULT_ENTRYPOINT] });
    if (!built.ok) throw new Error('the shipped policies do not compile');
    const revisionOf = (i: number): Bundle => ({
      ...built.bundle,
      manifest: { ...built.bundle.manifest, revision: `bench-${i}` },
      data: { ...built.bundle.data, bench: { generation: i } },
    });
    const served = join(scratch, 'served');
    mkdirSync(served);
    const publishedAt = new Map<string, number>();
    const publish = async (i: number): Promise<void> => {
      const bytes = await bundles.writeBundleTarball(revisionOf(i));
      writeFileSync(join(served, '.next'), bytes);
      publishedAt.set(`bench-${i}`, performance.now());
      renameSync(join(served, '.next'), join(served, 'portcullis.tar.gz'));
    };
    await publish(0);
    const server = await service.startBundleServer({ dir: served, port: 0, scanIntervalMs: 50 });
    cleanups.push(() => server.close());

    const entrypoints = {
      statement: decision.DEFAULT_ENTRYPOINT,
      connection: 'portcullis/connection',
      approval: 'portcullis/approval',
      audit: 'portcullis/audit',
    };
    const first = revisionOf(0);
    const initial = await policyModule.makeUnit(first, 'bench', entrypoints, () => undefined);
    const latencies: number[] = [];
    const loads: number[] = [];
    const active = policyModule.createActivePolicy({
      initial,
      initialBundle: first,
      load: async () => ({ ok: false, reasons: ['the bench reloads through the poller only'] }),
      entrypoints,
      onPrint: () => undefined,
      publish: (e) => {
        if (e.type !== 'policy.activated') return;
        const t = publishedAt.get(e.revision);
        if (t !== undefined) latencies.push(performance.now() - t);
        loads.push(e.ms);
      },
    });
    const poller = service.startBundlePoller({
      url: `${server.url}/bundles/portcullis.tar.gz`,
      minDelayMs: 1_000,
      maxDelayMs: 2_000,
      longPollingTimeoutMs: 30_000,
      activate: async (bytes) => {
        const outcome = await active.offer({ ok: true, bundle: await bundles.readBundleTarball(bytes), origin: 'bench' }, 'poll');
        if (outcome.kind === 'failed') throw new Error(outcome.reasons.join('; '));
        return { revision: outcome.revision };
      },
    });
    cleanups.push(() => poller.stop());

    const decider = decision.createDecider({ policy: () => active.current().policy, entrypoint: decision.DEFAULT_ENTRYPOINT });
    const started = await startPortcullis(direct, scratch, log, {
      deps: { decide: (input) => decider.decide(input), revision: () => active.current().revision },
    });
    if (started.kind !== 'started') {
      const result: ReloadBenchResult = { kind: 'skipped', reason: started.reason };
      out(`\n${renderReloadReport(result, settings)}`);
      return result;
    }
    cleanups.push(() => started.gateway.close());
    const endpoint = started.gateway.endpoint;
    const pgbench = async (label: string, seconds: number) => {
      const r = await runPgbench(tool.path, {
        endpoint,
        mode: 'simple',
        clients: settings.clients,
        threads: settings.threads,
        duration: { kind: 'seconds', seconds },
      });
      log(`bench: reload: ${label}: ${r.kind === 'ok' ? `${Math.round(r.tps)} TPS` : r.reason}`);
      return r.kind === 'ok' ? { label, tps: r.tps } : { label, tps: undefined, failure: r.reason };
    };
    const runs = [await pgbench('without reloads', settings.seconds)];
    latencies.length = 0;
    loads.length = 0;
    const reloadSeconds = settings.seconds * 2;
    const every = (reloadSeconds * 1000) / (settings.reloads + 1);
    let published = 0;
    const publisher = (async () => {
      for (let i = 1; i <= settings.reloads; i++) {
        await new Promise((r) => setTimeout(r, every));
        await publish(i);
        published++;
      }
    })();
    runs.push(await pgbench(`reloading (${settings.reloads} revisions in ${reloadSeconds} s)`, reloadSeconds));
    await publisher;
    // the last revision's activation, before the quiet run
    for (let i = 0; i < 100 && active.current().revision !== `bench-${settings.reloads}`; i++) await new Promise((r) => setTimeout(r, 50));
    const activated = latencies.length;
    runs.push(await pgbench('without reloads, again', settings.seconds));
    const result: ReloadBenchResult = { kind: 'measured', runs, published, activated, latencies: [...latencies], loads: [...loads] };
    out(`\n${renderReloadReport(result, settings)}`);
    return result;
  } finally {
    await runCleanups(cleanups, 'reload', log);
  }
}

await runAsScript(import.meta.url, 'reload', benchReload);
