// The gateway section of `npm run bench`: pgbench select-only TPS (`-S -c 8 -j 2`, simple and
// extended protocol) against a throwaway PostgreSQL directly, through pgbouncer in session mode,
// through a plain Node pass-through proxy, and through Portcullis with the example policies
// deciding every statement and every session recorded to a journal with fsync on (results digest
// only, as the targets are measured; the journal sits in the section's scratch dir);
// targets alternate round by round and the medians and ratios are printed as a markdown table,
// with each proxy's CPU per transaction and PostgreSQL's behind each (cpu.ts). After the measured
// runs, one more run per mode through Portcullis with the V8 CPU profiler on splits its CPU per
// transaction into stages (frame handling, analysis, input, evaluation, recording, relay, …;
// pgbench-stages.ts, stages.ts). pgbench and pgbouncer come from Debian's packages (installed when
// missing; see pgbench-tool.ts, pgbouncer.ts). Runs standalone with `tsx test/bench/pgbench.ts`;
// env: PORTCULLIS_BENCH_SECONDS (per run, default 8), PORTCULLIS_BENCH_ROUNDS (default 3),
// PORTCULLIS_BENCH_CLIENTS / _THREADS (default 8 / 2), PORTCULLIS_BENCH_GATEWAY_RECORDING=0
// (Portcullis without recording), PORTCULLIS_BENCH_STAGES=0 (no profiled run).

import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BACKENDS_SETTLE_MS, procCpuUs, selfCpuUs, treeCpuUs } from './cpu.js';
import { startPassthroughProxy } from './passthrough-proxy.js';
import { findPgbouncer, startPgbouncer } from './pgbouncer.js';
import type { PassthroughProxy } from './passthrough-proxy.js';
import { findPgbench, runPgbench, running, warmUp } from './pgbench-tool.js';
import { runAsScript, runCleanups, startBenchCluster } from './section.js';
import type { Endpoint } from './pgbench-tool.js';
import type { Gateway, GatewayDeps } from '../../proxy/index.js';
import type { Journal } from '../../proxy/recording/index.js';

import { BENCH_TARGETS, PROTOCOL_MODES, renderReport } from './pgbench-report.js';
import type { BenchSample, BenchTarget, Extras } from './pgbench-report.js';
import { runExtras } from './pgbench-extras.js';
import { PROFILE_INTERVAL_US, profileStages, stagesEnabled } from './pgbench-stages.js';

export { BENCH_TARGETS, LATENCY_TARGET, NO_EXTRAS, PROTOCOL_MODES, median, renderReport } from './pgbench-report.js';
export type { BenchSample, BenchTarget, Extras, PacedSample, TargetTps } from './pgbench-report.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const HOST = '127.0.0.1';
const DATABASE = 'bench';

/** TargetState is a target taking part, or left out with a reason (e.g. the gateway is not built yet). */
export type TargetState =
  | { readonly kind: 'ready'; readonly endpoint: Endpoint }
  | { readonly kind: 'unavailable'; readonly reason: string };

/** GatewayBenchOptions configure benchGateway; every field has a default from the environment. */
export type GatewayBenchOptions = {
  readonly seconds?: number;
  readonly rounds?: number;
  readonly clients?: number;
  readonly threads?: number;
  /**
   * recording records every session through Portcullis to a journal with fsync on (results digest
   * only), as the targets are measured; default on (PORTCULLIS_BENCH_GATEWAY_RECORDING=0: off).
   */
  readonly recording?: boolean;
  /** stages adds the profiled run per mode and its per-stage costs (pgbench-stages.ts); default on (PORTCULLIS_BENCH_STAGES=0: off). */
  readonly stages?: boolean;
  /** out receives the report (markdown); default stdout. */
  readonly out?: (line: string) => void;
  /** log receives progress lines; default stderr. */
  readonly log?: (line: string) => void;
};

/** GatewayBenchResult says whether the section ran and, if so, its samples. */
export type GatewayBenchResult =
  | { readonly kind: 'skipped'; readonly reason: string }
  | {
      readonly kind: 'measured';
      readonly samples: readonly BenchSample[];
      readonly unavailable: ReadonlyMap<BenchTarget, string>;
      readonly extras: Extras;
    };

/** envNumber reads a positive integer setting from the environment, else the default. */
export function envNumber(env: Readonly<Record<string, string | undefined>>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new TypeError(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return n;
}

// ---------------------------------------------------------------------------------------------
// The gateway under test.

/** BENCH_CLAIMS are the claims of the bench token: the example policy's `db:read` role lets it run SELECT (see policies/data.json). */
export const BENCH_CLAIMS: Readonly<Record<string, unknown>> = Object.freeze({ roles: ['db:read'] });

/** RunningGateway is a started Portcullis with a token for pgbench. */
export type RunningGateway = {
  readonly endpoint: Endpoint;
  readonly close: () => Promise<void>;
  readonly logTail: () => string;
  /** issuer is the `iss` of the gateway's dev issuer (approvers' claims name it). */
  readonly issuer: string;
  /** mint signs a token of the gateway's issuer for `sub` with these claims (30 min). */
  readonly mint: (sub: string, claims: Readonly<Record<string, unknown>>) => Promise<string>;
};

/**
 * StartPortcullisOptions add to the bench gateway's composition: `deps` (e.g. `deps.approvals` for
 * the approvals section) and `recording`, a journal in `recording.dir` that every session is
 * recorded to (results digest only, `on_failure: refuse`, as `portcullis serve` records; absent:
 * nothing is recorded). A recorder in `deps` wins over `recording`.
 */
export type StartPortcullisOptions = {
  readonly deps?: Partial<GatewayDeps>;
  readonly recording?: { readonly dir: string; readonly fsync: boolean };
};

/** startPortcullis compiles policies/, starts a dev issuer and the gateway in front of the cluster; unavailable when the gateway does not load. */
export async function startPortcullis(
  upstream: Endpoint,
  scratch: string,
  log: (line: string) => void,
  options: StartPortcullisOptions = {},
): Promise<{ kind: 'started'; gateway: RunningGateway } | { kind: 'unavailable'; reason: string }> {
  let proxy: typeof import('../../proxy/index.js');
  try {
    // Imported lazily: a gateway that does not load yet leaves the other targets measurable.
    proxy = await import('../../proxy/index.js');
  } catch (e) {
    return { kind: 'unavailable', reason: `the gateway does not load (proxy/index.ts: ${(e as Error).message.split('\n')[0]})` };
  }

  const engine = await import('../../engine/index.js');
  const bundles = await import('../../bundles/index.js');
  const { validateConfig, toIdentityConfig } = await import('../../proxy/config/index.js');
  const auth = await import('../../proxy/auth/index.js');
  const decision = await import('../../proxy/decision/index.js');
  const { createOperationalLog } = await import('../../proxy/observe/index.js');

  const policyDir = join(REPO_ROOT, 'policies');
  const compiled = engine.compile({
    files: bundles.collectSources([policyDir]).map((f) => ({ name: f.name, text: f.text })),
    entrypoints: [decision.DEFAULT_ENTRYPOINT],
  });
  if (engine.hasErrors(compiled.diagnostics) || compiled.wasm === undefined) {
    const first = compiled.diagnostics
      .slice(0, 3)
      .map((d) => engine.formatDiagnostic(d))
      .join('; ');
    return { kind: 'unavailable', reason: `the example policies do not compile: ${first}` };
  }
  const policy = await engine.loadPolicy(compiled.wasm);
  policy.setData(bundles.loadDataFiles([policyDir]));

  const issuer = await (await import('../../proxy/dev/index.js')).createDevIssuer({
    issuer: 'https://bench.portcullis.invalid',
    audience: 'portcullis',
  });
  const jwksFile = join(scratch, `jwks-${randomBytes(4).toString('hex')}.json`);
  writeFileSync(jwksFile, JSON.stringify(issuer.jwks()));
  const validated = validateConfig({
    listen: { host: HOST, port: 0 },
    upstream: { host: upstream.host, port: upstream.port, database: upstream.database, user: upstream.user, password: upstream.password },
    identity: { issuer: issuer.issuer, audience: issuer.audience, jwks: { file: jwksFile }, algorithms: ['ES256'] },
    policy: { paths: [policyDir] },
    limits: { max_connections: 64 },
  });
  if (!validated.ok) return { kind: 'unavailable', reason: `the bench's gateway configuration is invalid: ${validated.errors.join('; ')}` };
  const config = validated.config;
  const verifier = auth.createTokenVerifier(toIdentityConfig(config), { readFile: (path) => readFile(path, 'utf8') });
  // decisions memoised on the input paths the entrypoint reads, as `portcullis serve` does (proxy/policy)
  const reads = compiled.inputReads?.[decision.DEFAULT_ENTRYPOINT];
  const memo = reads?.kind === 'paths' ? decision.createDecisionMemo(policy, reads.paths) : undefined;
  const decider = decision.createDecider({ policy, entrypoint: config.policy.entrypoint, memo: () => memo });
  // the operational log at `serve`'s default level, as `portcullis serve` subscribes it (lines kept for failure reports)
  const lines: string[] = [];
  const bus = proxy.createEventBus();
  bus.subscribe(
    createOperationalLog({
      level: config.log.level,
      write: (line) => {
        lines.push(line.slice(0, 400));
        if (lines.length > 50) lines.shift();
      },
    }),
  );
  let journal: Journal | undefined;
  let recording: Partial<GatewayDeps> = {};
  if (options.recording !== undefined) {
    const rec = await import('../../proxy/recording/index.js');
    let opened: Journal;
    try {
      // as `portcullis serve` records by default (recording.sync and sync_interval)
      const { RECORDING_DEFAULTS } = await import('../../proxy/config/index.js');
      opened = await rec.openJournal({
        dir: options.recording.dir,
        fsync: options.recording.fsync,
        syncWithin: RECORDING_DEFAULTS.syncIntervalMs,
      });
    } catch (e) {
      verifier.close();
      return { kind: 'unavailable', reason: `the journal cannot be opened: ${(e as Error).message}` };
    }
    journal = opened;
    const { RECORDING_DEFAULTS } = await import('../../proxy/config/index.js');
    const recorder = rec.createJournalRecorder({
      journal: opened,
      onFailure: 'refuse',
      onProblem: (m) => log(`bench: recording: ${m}`),
      syncReads: (RECORDING_DEFAULTS.sync as string) === 'all',
    });
    recording = { recorder, gatewayId: 'bench' };
  }
  let handle: Gateway;
  try {
    handle = await proxy.startGateway(config, {
      verifier,
      decide: (input) => decider.decide(input),
      events: bus,
      ...recording,
      ...options.deps,
    });
  } catch (e) {
    verifier.close();
    await journal?.close().catch(() => undefined);
    return { kind: 'unavailable', reason: `startGateway failed: ${(e as Error).message}` };
  }
  const token = await issuer.mint({ sub: 'pgbench', claims: BENCH_CLAIMS, ttlSeconds: 1800 });
  const recordingNote =
    journal === undefined ? '' : `, recording to ${options.recording?.dir}${options.recording?.fsync ? ' (fsync)' : ''}`;
  log(`bench: Portcullis listening on ${handle.host}:${handle.port} (policies/, token sub=pgbench roles=[db:read]${recordingNote})`);
  return {
    kind: 'started',
    gateway: {
      endpoint: { host: handle.host, port: handle.port, user: 'pgbench', password: token, database: upstream.database },
      close: async () => {
        await handle.close();
        verifier.close();
        await journal?.close();
      },
      logTail: () => lines.slice(-5).join(''),
      issuer: issuer.issuer,
      mint: (sub, claims) => issuer.mint({ sub, claims, ttlSeconds: 1800 }),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The section.

/** benchGateway runs the gateway section end to end and prints its report; it stops everything it started, also on error or Ctrl-C. */
export async function benchGateway(options: GatewayBenchOptions = {}): Promise<GatewayBenchResult> {
  const out = options.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const settings = {
    seconds: options.seconds ?? envNumber(process.env, 'PORTCULLIS_BENCH_SECONDS', 8),
    rounds: options.rounds ?? envNumber(process.env, 'PORTCULLIS_BENCH_ROUNDS', 3),
    clients: options.clients ?? envNumber(process.env, 'PORTCULLIS_BENCH_CLIENTS', 8),
    threads: options.threads ?? envNumber(process.env, 'PORTCULLIS_BENCH_THREADS', 2),
    recording: options.recording ?? process.env['PORTCULLIS_BENCH_GATEWAY_RECORDING'] !== '0',
  };
  const profiled = options.stages ?? stagesEnabled(process.env);

  const tool = await findPgbench(log);
  if (tool.kind === 'unavailable') {
    out(`\nGateway throughput: skipped (${tool.reason})`);
    return { kind: 'skipped', reason: tool.reason };
  }
  log(`bench: using ${tool.path} (${tool.version})`);

  const cleanups: Array<() => Promise<void>> = [];
  let cleaning: Promise<void> | undefined;
  const cleanup = (): Promise<void> => {
    cleaning ??= (async () => {
      for (const child of running) child.kill('SIGKILL');
      await runCleanups(cleanups, 'gateway', log);
    })();
    return cleaning;
  };
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    interrupted = true;
    log(`bench: ${signal}: stopping everything`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const scratch = mkdtempSync(join(tmpdir(), 'portcullis-bench-'));
    cleanups.push(async () => rmSync(scratch, { recursive: true, force: true }));

    const { direct, cluster: pg } = await startBenchCluster(tool.path, DATABASE, log, cleanups);

    const passthrough: PassthroughProxy = await startPassthroughProxy({ upstreamHost: pg.host, upstreamPort: pg.port });
    cleanups.push(() => passthrough.close());

    const targets = new Map<BenchTarget, TargetState>([
      ['direct', { kind: 'ready', endpoint: direct }],
      ['passthrough', { kind: 'ready', endpoint: { ...direct, host: passthrough.host, port: passthrough.port } }],
    ]);
    // pgbouncer in session mode, the reference (installed from Debian's package when missing)
    let pgbouncerPid: number | undefined;
    const bouncerTool = await findPgbouncer(log);
    if (bouncerTool.kind === 'found') {
      try {
        const bouncer = await startPgbouncer(bouncerTool.path, direct);
        cleanups.push(() => bouncer.close());
        pgbouncerPid = bouncer.pid;
        targets.set('pgbouncer', { kind: 'ready', endpoint: bouncer.endpoint });
      } catch (e) {
        targets.set('pgbouncer', { kind: 'unavailable', reason: (e as Error).message });
      }
    } else {
      targets.set('pgbouncer', bouncerTool);
    }
    const postmaster = postmasterPid(pg.dataDir);
    // the journal lives in the scratch dir, removed with it
    const gateway = await startPortcullis(
      direct,
      scratch,
      log,
      settings.recording ? { recording: { dir: join(scratch, 'journal'), fsync: true } } : {},
    );
    let logTail = (): string => '';
    if (gateway.kind === 'started') {
      cleanups.push(() => gateway.gateway.close());
      targets.set('portcullis', { kind: 'ready', endpoint: gateway.gateway.endpoint });
      logTail = gateway.gateway.logTail;
    } else {
      targets.set('portcullis', gateway);
    }

    // A short smoke run per target and mode: a target that cannot run pgbench's script (e.g. the
    // policy denies it) is reported instead of silently measured as zero.
    for (const [target, state] of targets) {
      if (state.kind !== 'ready') continue;
      for (const mode of PROTOCOL_MODES) {
        const smoke = await runPgbench(tool.path, {
          endpoint: state.endpoint,
          mode,
          clients: 1,
          threads: 1,
          duration: { kind: 'transactions', count: 20 },
        });
        if (smoke.kind === 'failed') {
          const extra = target === 'portcullis' && logTail() !== '' ? `; gateway log: ${logTail()}` : '';
          targets.set(target, { kind: 'unavailable', reason: `${mode} smoke run failed: ${smoke.reason}${extra}` });
          break;
        }
      }
    }

    // two untimed seconds per target and mode, so the first timed round is no warm-up
    const warming = [...targets.values()].flatMap((state) => (state.kind === 'ready' ? [state.endpoint] : []));
    await warmUp(tool.path, warming, PROTOCOL_MODES, { clients: settings.clients, threads: settings.threads, seconds: 2 });

    const samples: BenchSample[] = [];
    const unavailable = new Map<BenchTarget, string>();
    for (const [t, s] of targets) if (s.kind === 'unavailable') unavailable.set(t, s.reason);
    for (const mode of PROTOCOL_MODES) {
      for (let round = 1; round <= settings.rounds; round++) {
        for (const target of BENCH_TARGETS) {
          const state = targets.get(target);
          if (interrupted) throw new Error('interrupted');
          if (state === undefined || state.kind !== 'ready' || unavailable.has(target)) continue;
          log(`bench: ${mode} round ${round}/${settings.rounds}: ${target} (${settings.seconds} s)`);
          // the proxy's CPU: pgbouncer's process, or this one for the in-process proxies
          const proxyCpu = (): number | undefined =>
            target === 'direct'
              ? undefined
              : target === 'pgbouncer'
                ? pgbouncerPid !== undefined
                  ? procCpuUs(pgbouncerPid)
                  : undefined
                : selfCpuUs();
          const pgCpu = (): number | undefined => (postmaster !== undefined ? treeCpuUs(postmaster) : undefined);
          const [proxy0, pg0] = [proxyCpu(), pgCpu()];
          const inProcess = target === 'passthrough' || target === 'portcullis';
          const loop0 = inProcess ? performance.eventLoopUtilization() : undefined;
          const r = await runPgbench(tool.path, {
            endpoint: state.endpoint,
            mode,
            clients: settings.clients,
            threads: settings.threads,
            duration: { kind: 'seconds', seconds: settings.seconds },
          });
          const proxy1 = proxyCpu();
          const loopBusy = loop0 !== undefined ? performance.eventLoopUtilization(loop0).utilization : undefined;
          // the run's backends end once pgbench disconnects: sampled after the postmaster has reaped them
          // (a backend ending while /proc is read would be counted in neither sample)
          await new Promise((r) => setTimeout(r, BACKENDS_SETTLE_MS));
          const pg1 = pgCpu();
          if (r.kind === 'ok') {
            const perTx = (a: number | undefined, b: number | undefined) =>
              a !== undefined && b !== undefined && r.tps > 0 ? (b - a) / (r.tps * settings.seconds) : undefined;
            const proxyCpuUs = perTx(proxy0, proxy1);
            const pgCpuUs = perTx(pg0, pg1);
            samples.push({
              mode,
              target,
              round,
              tps: r.tps,
              ...(proxyCpuUs !== undefined ? { proxyCpuUs } : {}),
              ...(pgCpuUs !== undefined ? { pgCpuUs } : {}),
              ...(loopBusy !== undefined ? { loopBusy } : {}),
            });
          } else unavailable.set(target, `${mode} round ${round} failed: ${r.reason}`);
        }
      }
    }
    // PostgreSQL alone at Portcullis's pace, one client per target, logins per target
    const ready = new Map<BenchTarget, Endpoint>();
    for (const [t, st] of targets) if (st.kind === 'ready' && !unavailable.has(t)) ready.set(t, st.endpoint);
    let extras: Extras = await runExtras(tool.path, ready, samples, settings, postmaster, log);
    // last, so the profiler weighs on none of the measurements above
    const gatewayEndpoint = ready.get('portcullis');
    if (profiled && gatewayEndpoint !== undefined) {
      const costs = await profileStages(tool.path, gatewayEndpoint, settings, log).catch((e: unknown) =>
        PROTOCOL_MODES.map((mode) => ({ kind: 'failed' as const, mode, reason: (e as Error).message })),
      );
      extras = { ...extras, stages: { intervalUs: PROFILE_INTERVAL_US, costs } };
    }
    out('');
    out(renderReport(samples, unavailable, settings, extras));
    return { kind: 'measured', samples, unavailable, extras };
  } finally {
    await cleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** postmasterPid reads the postmaster's pid from the cluster's directory (its `data/postmaster.pid`; undefined when it cannot). */
function postmasterPid(clusterDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(clusterDir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

// Standalone: `tsx test/bench/pgbench.ts`.
await runAsScript(import.meta.url, 'gateway', benchGateway);
