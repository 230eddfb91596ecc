// The approvals section of `npm run bench`. (1) Wake-up latency: a writer's
// `UPDATE orders … RETURNING amount` is held by the shipped policy (production.write); the bench
// reads the request id from the hold notice, takes t0 just before `service.approve` and t1 when the
// client's query resolves with its row; p50/p99 of t1 − t0, approving through the gateway's own
// state store handle and through a second store + service on the same database, the two paths
// taking turns (the second is the cross-instance wake-up; both wake the held statement by NOTIFY
// on the holds' LISTEN connection, the first shares the gateway's store connections).
// (2) The cost of the hold machinery when nothing is held: pgbench -S TPS through Portcullis with
// approvals configured (deps.approvals over a state store) and through the same gateway without,
// alternating round by round; medians and the with/without ratio. Nothing here is asserted: the
// figures are printed. Runs standalone with `tsx test/bench/approvals.ts`; env:
// PORTCULLIS_BENCH_APPROVALS (held statements per path, default 50, 0 skips the section),
// PORTCULLIS_BENCH_SECONDS / _ROUNDS / _CLIENTS / _THREADS as in the gateway section.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { envNumber, median, startPortcullis } from './pgbench.js';
import type { RunningGateway } from './pgbench.js';
import { findPgbench, initPgbench, runPgbench, running, warmUp } from './pgbench-tool.js';
import { runAsScript, runCleanups } from './section.js';
import type { Endpoint, ProtocolMode } from './pgbench-tool.js';
import type { ApprovalPolicyInput, ApprovalService, ApprovalVerdict } from '../../proxy/approvals/index.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DATABASE = 'bench';
const STATE_DB = 'portcullis_state';
const HOLD_NOTICE_TIMEOUT_MS = 10_000;
const ROW = /^statement held for approval \(request ([A-Za-z0-9_-]{22})\)/;

/** ApprovalsBenchOptions configure benchApprovals; every field has a default from the environment. */
export type ApprovalsBenchOptions = {
  /** count is the number of held statements measured per approval path (after one warm-up). */
  readonly count?: number;
  /** throughput false leaves out the pgbench comparison (default: measured when pgbench is found). */
  readonly throughput?: boolean;
  readonly seconds?: number;
  readonly rounds?: number;
  readonly clients?: number;
  readonly threads?: number;
  /** modes are the pgbench protocol modes compared (default simple and extended). */
  readonly modes?: readonly ProtocolMode[];
  /** out receives the report (markdown); default stdout. */
  readonly out?: (line: string) => void;
  /** log receives progress lines; default stderr. */
  readonly log?: (line: string) => void;
};

/** LatencySummary is one approval path's wake-up latency in milliseconds. */
export type LatencySummary = {
  readonly path: string;
  readonly n: number;
  /** approveP50Ms is how long `service.approve` itself took (median). */
  readonly approveP50Ms: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
};

/** HoldCostSample is one pgbench run: TPS through the gateway with or without approvals configured. */
export type HoldCostSample = { readonly mode: ProtocolMode; readonly round: number; readonly approvals: boolean; readonly tps: number };

/** ApprovalsBenchResult is what the section measured; throughput is absent when it was left out or pgbench is missing. */
export type ApprovalsBenchResult = {
  readonly latency: readonly LatencySummary[];
  readonly throughput:
    | { readonly kind: 'measured'; readonly samples: readonly HoldCostSample[] }
    | { readonly kind: 'skipped'; readonly reason: string };
};

// ---------------------------------------------------------------------------------------------
// Pure helpers.

/** percentile is the nearest-rank p-th percentile (0 < p ≤ 100) of xs; NaN when empty. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.min(s.length, Math.max(1, Math.ceil((p / 100) * s.length)));
  return s[rank - 1] as number;
}

/** summarize turns one path's samples (t1 − t0 and approve() durations, ms) into a LatencySummary. */
export function summarize(path: string, wake: readonly number[], approve: readonly number[]): LatencySummary {
  return {
    path,
    n: wake.length,
    approveP50Ms: percentile(approve, 50),
    p50Ms: percentile(wake, 50),
    p99Ms: percentile(wake, 99),
    maxMs: wake.length === 0 ? Number.NaN : Math.max(...wake),
  };
}

/** renderApprovalsReport prints the latency table and the with/without throughput table (medians, ratio). */
export function renderApprovalsReport(
  result: ApprovalsBenchResult,
  settings: { seconds: number; rounds: number; clients: number; threads: number; modes: readonly ProtocolMode[] },
): string {
  const ms = (n: number): string => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');
  const fmt = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
  const out: string[] = [];
  out.push('Approvals: approval → first result row (t0 before service.approve, t1 when the held query resolves; ms)');
  out.push('| approved through | held statements | approve() p50 | p50 | p99 | max |');
  out.push('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const l of result.latency)
    out.push(`| ${l.path} | ${l.n} | ${ms(l.approveP50Ms)} | ${ms(l.p50Ms)} | ${ms(l.p99Ms)} | ${ms(l.maxMs)} |`);
  if (result.throughput.kind === 'skipped') {
    out.push(`\nApprovals: hold machinery with nothing held: skipped (${result.throughput.reason})`);
    return out.join('\n');
  }
  const { samples } = result.throughput;
  out.push(
    `\nApprovals: hold machinery with nothing held: pgbench -S -n -c ${settings.clients} -j ${settings.threads} -T ${settings.seconds}, ${settings.rounds} rounds alternating with/without approvals configured (median TPS)`,
  );
  out.push('| mode | with approvals | without | with/without |');
  out.push('| --- | ---: | ---: | ---: |');
  for (const mode of settings.modes) {
    const m = (approvals: boolean): number => median(samples.filter((s) => s.mode === mode && s.approvals === approvals).map((s) => s.tps));
    const [w, wo] = [m(true), m(false)];
    const ratio = Number.isFinite(w) && Number.isFinite(wo) && wo > 0 ? (w / wo).toFixed(3) : 'n/a';
    out.push(`| ${mode} | ${fmt(w)} | ${fmt(wo)} | ${ratio} |`);
  }
  out.push('\nEvery run (TPS, without initial connection time)');
  out.push('| mode | round | with approvals | without |');
  out.push('| --- | ---: | ---: | ---: |');
  for (const mode of settings.modes) {
    for (let round = 1; round <= settings.rounds; round++) {
      const cell = (approvals: boolean): string => {
        const s = samples.find((x) => x.mode === mode && x.round === round && x.approvals === approvals);
        return s === undefined ? '-' : fmt(s.tps);
      };
      out.push(`| ${mode} | ${round} | ${cell(true)} | ${cell(false)} |`);
    }
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// The pieces under test.

/** compileApprovalDecide builds policies/'s approval entrypoint (as test/e2e/helpers.ts compileApprovalPolicy does). */
async function compileApprovalDecide(): Promise<(input: ApprovalPolicyInput) => ApprovalVerdict> {
  const { buildBundle, collectSources, loadDataFiles } = await import('../../bundles/index.js');
  const { formatDiagnostic, loadPolicy } = await import('../../engine/index.js');
  const { createApprovalDecider, DEFAULT_APPROVAL_ENTRYPOINT } = await import('../../proxy/decision/index.js');
  const dir = join(REPO_ROOT, 'policies');
  const built = buildBundle({ files: collectSources([dir]), data: loadDataFiles([dir]), entrypoints: [DEFAULT_APPROVAL_ENTRYPOINT] });
  if (!built.ok) throw new Error(`the approval policy does not compile: ${built.diagnostics.map((d) => formatDiagnostic(d)).join('; ')}`);
  const policy = await loadPolicy(built.bundle.wasm);
  policy.setData(built.bundle.data);
  const decider = createApprovalDecider({ policy });
  return (input) => decider.decide(input);
}

/** Writer is a gateway session allowed to write, with a queue of the request ids its hold notices name. */
type Writer = { readonly client: pg.Client; nextHold(): Promise<string> };

async function connectWriter(gateway: RunningGateway): Promise<Writer> {
  const token = await gateway.mint('bench-writer', { roles: ['db:write'] });
  const client = new pg.Client({ ...gateway.endpoint, user: 'agent', password: token, connectionTimeoutMillis: 10_000 });
  const ids: string[] = [];
  let waiting: ((id: string) => void) | undefined;
  client.on('notice', (n) => {
    const id = ROW.exec(n.message ?? '')?.[1];
    if (id === undefined || ids.includes(id)) return; // reminders repeat the id
    if (waiting !== undefined) {
      const w = waiting;
      waiting = undefined;
      w(id);
    } else ids.push(id);
  });
  client.on('error', () => undefined);
  await client.connect();
  return {
    client,
    nextHold: () => {
      const queued = ids.shift();
      if (queued !== undefined) return Promise.resolve(queued);
      return new Promise<string>((resolveId, reject) => {
        const timer = setTimeout(() => reject(new Error('no hold notice (is the write held by the policy?)')), HOLD_NOTICE_TIMEOUT_MS);
        waiting = (id) => {
          clearTimeout(timer);
          resolveId(id);
        };
      });
    },
  };
}

/** ApprovalPath is a way to approve: a named approval service. */
type ApprovalPath = { readonly path: string; readonly service: ApprovalService };

/** holdAndApprove holds one UPDATE on `writer`, approves it through `service`; returns t1 − t0 and the approve() duration (ms). */
async function holdAndApprove(
  writer: Writer,
  service: ApprovalService,
  approver: Parameters<ApprovalService['approve']>[1],
  amount: number,
): Promise<{ wake: number; approve: number }> {
  const hold = writer.nextHold();
  const done = writer.client
    .query(`UPDATE orders SET amount = ${amount} WHERE id = 1 RETURNING amount::int AS amount`)
    .then((res) => ({ res, t1: performance.now() }));
  done.catch(() => undefined); // awaited below; a refused hold surfaces there
  const id = await hold;
  const t0 = performance.now();
  const verdict = await service.approve(id, approver, 'bench');
  const tApproved = performance.now();
  if (!verdict.ok) throw new Error(`approve ${id} was refused: ${verdict.code}`);
  const { res, t1 } = await done;
  if ((res.rows[0] as { amount?: number } | undefined)?.amount !== amount)
    throw new Error(`the approved statement returned ${JSON.stringify(res.rows)}; expected amount ${amount}`);
  return { wake: t1 - t0, approve: tApproved - t0 };
}

/** measureWakeUps approves `warmup + count` held statements through each path, the paths taking turns (no path always runs first); summaries in path order. */
async function measureWakeUps(
  writer: Writer,
  paths: readonly ApprovalPath[],
  approver: Parameters<ApprovalService['approve']>[1],
  count: number,
  warmup: number,
): Promise<LatencySummary[]> {
  const samples = paths.map(() => ({ wake: [] as number[], approve: [] as number[] }));
  let amount = 1_000;
  for (let i = 0; i < warmup + count; i++) {
    const order = i % 2 === 0 ? paths.map((_, k) => k) : paths.map((_, k) => paths.length - 1 - k);
    for (const k of order) {
      const r = await holdAndApprove(writer, (paths[k] as ApprovalPath).service, approver, amount++);
      if (i < warmup) continue;
      samples[k]?.wake.push(r.wake);
      samples[k]?.approve.push(r.approve);
    }
  }
  return paths.map((p, k) => summarize(p.path, samples[k]?.wake ?? [], samples[k]?.approve ?? []));
}

// ---------------------------------------------------------------------------------------------
// The section.

/** benchApprovals runs the approvals section end to end and prints its report; it stops everything it started, also on error. */
export async function benchApprovals(options: ApprovalsBenchOptions = {}): Promise<ApprovalsBenchResult> {
  const out = options.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const count = options.count ?? envNumber(process.env, 'PORTCULLIS_BENCH_APPROVALS', 50);
  const settings = {
    seconds: options.seconds ?? envNumber(process.env, 'PORTCULLIS_BENCH_SECONDS', 8),
    rounds: options.rounds ?? envNumber(process.env, 'PORTCULLIS_BENCH_ROUNDS', 3),
    clients: options.clients ?? envNumber(process.env, 'PORTCULLIS_BENCH_CLIENTS', 8),
    threads: options.threads ?? envNumber(process.env, 'PORTCULLIS_BENCH_THREADS', 2),
    modes: options.modes ?? (['simple', 'extended'] as const),
  };

  const cleanups: Array<() => Promise<void> | void> = [];
  try {
    const scratch = mkdtempSync(join(tmpdir(), 'portcullis-bench-approvals-'));
    cleanups.push(() => rmSync(scratch, { recursive: true, force: true }));

    const dev = await import('../../proxy/dev/index.js');
    const { createStateStore } = await import('../../proxy/state/index.js');
    const { createApprovalHolds, createApprovalService } = await import('../../proxy/approvals/index.js');

    // the demo schema (public.orders, a production table) beside pgbench's tables, in one database
    const cluster = await dev.startPostgres({
      database: DATABASE,
      schemaSql: readFileSync(dev.DEMO_SCHEMA_PATH, 'utf8'),
      log: (line) => log(`bench: postgres: ${line}`),
    });
    cleanups.push(() => cluster.stop());
    const direct: Endpoint = {
      host: cluster.host,
      port: cluster.port,
      user: cluster.superuser.name,
      password: cluster.superuser.password,
      database: cluster.database,
    };
    const admin = new pg.Client({ ...direct });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${STATE_DB}`);
    await admin.end();

    const storeOptions = { ...direct, database: STATE_DB, connectTimeoutMs: 3_000 };
    const decide = await compileApprovalDecide();
    const holdsConfig = { ttlMs: 120_000, mode: 'hold' as const, noticeIntervalMs: 60_000 };
    const storeA = createStateStore(storeOptions);
    cleanups.push(() => storeA.close());
    await storeA.migrate();
    const holds = createApprovalHolds({ store: storeA, config: holdsConfig, gateway: 'bench-a' });
    cleanups.push(() => holds.close());
    const serviceA = createApprovalService({ store: storeA, decide, grantTtlMs: 60_000 });
    // a second instance: its own store handle (own connections) and service on the same database
    const storeB = createStateStore(storeOptions);
    cleanups.push(() => storeB.close());
    await storeB.ready();
    const serviceB = createApprovalService({ store: storeB, decide, grantTtlMs: 60_000 });

    const withApprovals = await startPortcullis(direct, scratch, log, { deps: { approvals: holds } });
    if (withApprovals.kind !== 'started') throw new Error(`the gateway with approvals did not start: ${withApprovals.reason}`);
    cleanups.push(() => withApprovals.gateway.close());
    const gw = withApprovals.gateway;
    const approver = {
      sub: 'bench-approver',
      iss: gw.issuer,
      claims: { sub: 'bench-approver', iss: gw.issuer, roles: ['db:approver'] },
    };

    const writer = await connectWriter(gw);
    cleanups.push(() => writer.client.end().catch(() => undefined));
    const paths: ApprovalPath[] = [
      { path: 'the same store instance', service: serviceA },
      { path: 'a second store instance (NOTIFY across instances)', service: serviceB },
    ];
    log(`bench: approvals: ${count} held statements per path, approved through each path in turn`);
    const latency = await measureWakeUps(writer, paths, approver, count, 2);

    let throughput: ApprovalsBenchResult['throughput'];
    const tool = options.throughput === false ? undefined : await findPgbench(log);
    if (tool === undefined) throughput = { kind: 'skipped', reason: 'left out' };
    else if (tool.kind === 'unavailable') throughput = { kind: 'skipped', reason: tool.reason };
    else {
      cleanups.push(() => {
        for (const child of running) child.kill('SIGKILL');
      });
      const without = await startPortcullis(direct, scratch, log);
      if (without.kind !== 'started') throw new Error(`the gateway without approvals did not start: ${without.reason}`);
      cleanups.push(() => without.gateway.close());
      log('bench: approvals: pgbench -i -s 1');
      await initPgbench(tool.path, direct);
      const targets = [
        { approvals: true, endpoint: gw.endpoint },
        { approvals: false, endpoint: without.gateway.endpoint },
      ];
      for (const t of targets) {
        for (const mode of settings.modes) {
          const smoke = await runPgbench(tool.path, {
            endpoint: t.endpoint,
            mode,
            clients: 1,
            threads: 1,
            duration: { kind: 'transactions', count: 20 },
          });
          if (smoke.kind === 'failed') throw new Error(`pgbench ${mode} smoke run (approvals ${t.approvals}) failed: ${smoke.reason}`);
        }
      }
      // one untimed second per target and mode: the first timed run is not a warm-up
      await warmUp(
        tool.path,
        targets.map((t) => t.endpoint),
        settings.modes,
        { clients: settings.clients, threads: settings.threads, seconds: 1 },
      );
      const samples: HoldCostSample[] = [];
      for (const mode of settings.modes) {
        for (let round = 1; round <= settings.rounds; round++) {
          // alternate which goes first, so neither always runs on a warmer machine
          for (const t of round % 2 === 1 ? targets : [...targets].reverse()) {
            log(
              `bench: approvals: ${mode} round ${round}/${settings.rounds}: ${t.approvals ? 'with' : 'without'} approvals (${settings.seconds} s)`,
            );
            const r = await runPgbench(tool.path, {
              endpoint: t.endpoint,
              mode,
              clients: settings.clients,
              threads: settings.threads,
              duration: { kind: 'seconds', seconds: settings.seconds },
            });
            if (r.kind !== 'ok') throw new Error(`pgbench ${mode} round ${round} (approvals ${t.approvals}) failed: ${r.reason}`);
            samples.push({ mode, round, approvals: t.approvals, tps: r.tps });
          }
        }
      }
      if (holds.waiting !== 0) throw new Error(`${holds.waiting} statements held during the select-only runs`);
      throughput = { kind: 'measured', samples };
    }
    const result: ApprovalsBenchResult = { latency, throughput };
    out('');
    out(renderApprovalsReport(result, settings));
    return result;
  } finally {
    await runCleanups(cleanups, 'approvals', log);
  }
}

// Standalone: `tsx test/bench/approvals.ts`.
await runAsScript(import.meta.url, 'approvals', benchApprovals);
