// The gateway section of `npm run bench`: pgbench select-only TPS (`-S -c 8 -j 2`, simple and
// extended protocol) against a throwaway PostgreSQL directly, through a plain Node pass-through
// proxy, and through Portcullis with the example policies deciding every statement; targets
// alternate round by round and the medians and ratios are printed as a markdown table.
// pgbench comes from Debian's packages (installed when missing). Runs standalone with
// `tsx test/bench/pgbench.ts`; env: PORTCULLIS_BENCH_SECONDS (per run, default 8),
// PORTCULLIS_BENCH_ROUNDS (default 3), PORTCULLIS_BENCH_CLIENTS / _THREADS (default 8 / 2).

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPassthroughProxy } from './passthrough-proxy.js';
import type { PassthroughProxy } from './passthrough-proxy.js';
import type { Gateway } from '../../proxy/index.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const HOST = '127.0.0.1';
const DATABASE = 'bench';
const TOOL_TIMEOUT_MS = 10_000;
const APT_TIMEOUT_MS = 300_000;
/** RUN_GRACE_MS is how long a pgbench run may outlive its -T before it is killed. */
const RUN_GRACE_MS = 60_000;

/** BenchTarget is where pgbench connects. */
export type BenchTarget = 'direct' | 'passthrough' | 'portcullis';

/** BENCH_TARGETS is the order targets alternate in within one round. */
export const BENCH_TARGETS: readonly BenchTarget[] = ['direct', 'passthrough', 'portcullis'];

/** ProtocolMode is pgbench's `-M` query mode. */
export type ProtocolMode = 'simple' | 'extended';

/** PROTOCOL_MODES lists the modes measured, in order. */
export const PROTOCOL_MODES: readonly ProtocolMode[] = ['simple', 'extended'];

/** PgbenchTool is a usable pgbench binary, or why there is none. */
export type PgbenchTool = { readonly kind: 'found'; readonly path: string; readonly version: string } | { readonly kind: 'unavailable'; readonly reason: string };

/** Endpoint is a PostgreSQL server (or proxy) pgbench logs in to. */
export type Endpoint = { readonly host: string; readonly port: number; readonly user: string; readonly password: string; readonly database: string };

/** PgbenchRun is one select-only measurement: `pgbench -S -n -M <mode> -c <clients> -j <threads>` for -T seconds or -t transactions. */
export type PgbenchRun = {
  readonly endpoint: Endpoint;
  readonly mode: ProtocolMode;
  readonly clients: number;
  readonly threads: number;
  readonly duration: { readonly kind: 'seconds'; readonly seconds: number } | { readonly kind: 'transactions'; readonly count: number };
};

/** PgbenchOutcome is the TPS a run reported, or why it failed (with pgbench's last output lines). */
export type PgbenchOutcome = { readonly kind: 'ok'; readonly tps: number } | { readonly kind: 'failed'; readonly reason: string };

/** BenchSample is one run's TPS for a target in a mode and round. */
export type BenchSample = { readonly mode: ProtocolMode; readonly target: BenchTarget; readonly round: number; readonly tps: number };

/** TargetState is a target taking part, or left out with a reason (e.g. the gateway is not built yet). */
export type TargetState = { readonly kind: 'ready'; readonly endpoint: Endpoint } | { readonly kind: 'unavailable'; readonly reason: string };

/** GatewayBenchOptions configure benchGateway; every field has a default from the environment. */
export type GatewayBenchOptions = {
  readonly seconds?: number;
  readonly rounds?: number;
  readonly clients?: number;
  readonly threads?: number;
  /** out receives the report (markdown); default stdout. */
  readonly out?: (line: string) => void;
  /** log receives progress lines; default stderr. */
  readonly log?: (line: string) => void;
};

/** GatewayBenchResult says whether the section ran and, if so, its samples. */
export type GatewayBenchResult =
  | { readonly kind: 'skipped'; readonly reason: string }
  | { readonly kind: 'measured'; readonly samples: readonly BenchSample[]; readonly unavailable: ReadonlyMap<BenchTarget, string> };

// ---------------------------------------------------------------------------------------------
// Pure helpers (unit-tested in test/bench/pgbench.test.ts).

/**
 * parseTps reads pgbench's throughput line: `tps = N (without initial connection time)` (15+),
 * or `(excluding connections establishing)` from older versions; undefined when absent.
 */
export function parseTps(output: string): number | undefined {
  const lines = [...output.matchAll(/^tps = (\d+(?:\.\d+)?) \(([^)]*)\)/gm)];
  const preferred = lines.find((m) => /without initial connection|excluding connections/.test(m[2] as string)) ?? lines[0];
  if (preferred === undefined) return undefined;
  const tps = Number(preferred[1]);
  return Number.isFinite(tps) ? tps : undefined;
}

/** median returns the middle value (mean of the two middle ones for an even count); NaN when empty. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** pgbenchArgs builds the command line of a select-only run (the password travels in PGPASSWORD). */
export function pgbenchArgs(run: PgbenchRun): string[] {
  const { endpoint: e } = run;
  const duration = run.duration.kind === 'seconds' ? ['-T', String(run.duration.seconds)] : ['-t', String(run.duration.count)];
  return ['-h', e.host, '-p', String(e.port), '-U', e.user, '-S', '-n', '-M', run.mode, '-c', String(run.clients), '-j', String(run.threads), ...duration, e.database];
}

/** renderReport prints the medians per mode and target and the three ratios as a markdown table, then every sample. */
export function renderReport(samples: readonly BenchSample[], unavailable: ReadonlyMap<BenchTarget, string>, settings: { seconds: number; rounds: number; clients: number; threads: number }): string {
  const out: string[] = [];
  const fmt = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
  const ratio = (a: number, b: number): string => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? (a / b).toFixed(3) : 'n/a');
  out.push(`Gateway throughput: pgbench -S -n -c ${settings.clients} -j ${settings.threads} -T ${settings.seconds}, ${settings.rounds} rounds alternating direct → passthrough → portcullis (median TPS)`);
  out.push('| mode | direct | passthrough | portcullis | portcullis/direct | portcullis/passthrough | passthrough/direct |');
  out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const mode of PROTOCOL_MODES) {
    const m = (t: BenchTarget): number => median(samples.filter((s) => s.mode === mode && s.target === t).map((s) => s.tps));
    const [d, p, g] = [m('direct'), m('passthrough'), m('portcullis')];
    out.push(`| ${mode} | ${fmt(d)} | ${fmt(p)} | ${fmt(g)} | ${ratio(g, d)} | ${ratio(g, p)} | ${ratio(p, d)} |`);
  }
  for (const [target, reason] of unavailable) out.push(`\n${target}: not measured (${reason})`);
  out.push('\nEvery run (TPS, without initial connection time)');
  out.push('| mode | round | direct | passthrough | portcullis |');
  out.push('| --- | ---: | ---: | ---: | ---: |');
  for (const mode of PROTOCOL_MODES) {
    for (let round = 1; round <= settings.rounds; round++) {
      const cell = (t: BenchTarget): string => {
        const s = samples.find((x) => x.mode === mode && x.round === round && x.target === t);
        return s === undefined ? '-' : fmt(s.tps);
      };
      out.push(`| ${mode} | ${round} | ${cell('direct')} | ${cell('passthrough')} | ${cell('portcullis')} |`);
    }
  }
  return out.join('\n');
}

/** envNumber reads a positive integer setting from the environment, else the default. */
export function envNumber(env: Readonly<Record<string, string | undefined>>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new TypeError(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return n;
}

// ---------------------------------------------------------------------------------------------
// Processes.

/** Running tracks child processes so an interrupt can kill them. */
const running = new Set<ChildProcess>();

/** capture runs a command to completion with a timeout and resolves with its exit code and output (never rejects). */
function capture(file: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs: number }): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    let child: ChildProcess;
    try {
      child = spawn(file, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      done({ code: null, output: (e as Error).message });
      return;
    }
    running.add(child);
    let output = '';
    const keep = (d: Buffer): void => {
      output = (output + d.toString()).slice(-64_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const timer = setTimeout(() => {
      output += `\n(killed after ${options.timeoutMs} ms)`;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('error', (e) => {
      output += `\n${e.message}`;
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      running.delete(child);
      done({ code, output });
    });
  });
}

function tail(output: string, lines = 4): string {
  return output.trim().split('\n').slice(-lines).join(' | ');
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** probe runs `<path> --version` and returns the version line when it works. */
async function probe(path: string): Promise<string | undefined> {
  if (!executable(path)) return undefined;
  const r = await capture(path, ['--version'], { timeoutMs: TOOL_TIMEOUT_MS });
  return r.code === 0 && /pgbench/.test(r.output) ? r.output.trim() : undefined;
}

/** PGBENCH_CACHE holds a pgbench extracted from Debian's server package (bookworm ships it there, not in the client). */
const PGBENCH_CACHE = join(REPO_ROOT, 'node_modules', '.cache', 'portcullis-pgbench');

/** candidates lists pgbench binaries to try, best first. */
function candidates(): string[] {
  const out: string[] = [];
  const fromEnv = process.env['PGBENCH'];
  if (fromEnv !== undefined && fromEnv !== '') out.push(fromEnv);
  out.push('/usr/bin/pgbench');
  for (const root of ['/usr/lib/postgresql', join(PGBENCH_CACHE, 'usr', 'lib', 'postgresql')]) {
    if (!existsSync(root)) continue;
    const versions = readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) out.push(join(root, v, 'bin', 'pgbench'));
  }
  return out;
}

async function firstWorking(): Promise<PgbenchTool | undefined> {
  for (const path of candidates()) {
    const version = await probe(path);
    if (version !== undefined) return { kind: 'found', path, version };
  }
  return undefined;
}

async function aptGet(args: readonly string[], log: (line: string) => void, cwd?: string): Promise<boolean> {
  log(`bench: apt-get ${args.join(' ')}`);
  const r = await capture('apt-get', args, { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, timeoutMs: APT_TIMEOUT_MS, ...(cwd !== undefined ? { cwd } : {}) });
  if (r.code !== 0) log(`bench: apt-get ${args[0]} failed: ${tail(r.output, 3)}`);
  return r.code === 0;
}

/**
 * findPgbench returns a working pgbench: $PGBENCH, /usr/bin/pgbench, /usr/lib/postgresql/<n>/bin;
 * else installs `postgresql-client` with apt-get (after `apt-get update` if the first try fails),
 * and where the client package has no pgbench (Debian ≤ 12 ships it in the server package)
 * extracts it from `postgresql-<n>` into node_modules/.cache without installing a server.
 */
export async function findPgbench(log: (line: string) => void): Promise<PgbenchTool> {
  const found = await firstWorking();
  if (found !== undefined) return found;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) return { kind: 'unavailable', reason: 'pgbench is not installed and installing it needs root (apt-get install postgresql-client)' };
  if (!executable('/usr/bin/apt-get')) return { kind: 'unavailable', reason: 'pgbench is not installed and this machine has no apt-get (install PostgreSQL client tools, or set PGBENCH=/path/to/pgbench)' };
  log('bench: pgbench not found; installing Debian package postgresql-client');
  if (!(await aptGet(['install', '-y', '--no-install-recommends', 'postgresql-client'], log))) {
    await aptGet(['update'], log);
    await aptGet(['install', '-y', '--no-install-recommends', 'postgresql-client'], log);
  }
  const installed = await firstWorking();
  if (installed !== undefined) return installed;
  const extracted = await extractFromServerPackage(log);
  if (extracted !== undefined) return extracted;
  return { kind: 'unavailable', reason: 'pgbench could not be installed (apt-get install postgresql-client and extracting pgbench from postgresql-<version> both failed; see the lines above)' };
}

/** extractFromServerPackage downloads `postgresql-<n>` (n: the installed client's major) and unpacks only its files into PGBENCH_CACHE. */
async function extractFromServerPackage(log: (line: string) => void): Promise<PgbenchTool | undefined> {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  const major = majors[0];
  if (major === undefined) return undefined;
  const work = mkdtempSync(join(tmpdir(), 'portcullis-pgbench-'));
  try {
    log(`bench: postgresql-client has no pgbench here; extracting it from postgresql-${major} (downloaded, not installed)`);
    if (!(await aptGet(['download', `postgresql-${major}`], log, work))) return undefined;
    const deb = readdirSync(work).find((f) => f.endsWith('.deb'));
    if (deb === undefined) return undefined;
    mkdirSync(PGBENCH_CACHE, { recursive: true });
    const r = await capture('dpkg-deb', ['-x', join(work, deb), PGBENCH_CACHE], { timeoutMs: APT_TIMEOUT_MS });
    if (r.code !== 0) {
      log(`bench: dpkg-deb -x failed: ${tail(r.output, 3)}`);
      return undefined;
    }
    return await firstWorking();
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** pgbenchEnv is the environment of a pgbench run: C locale, the password, no TLS or GSS negotiation, no PG* leaking in. */
function pgbenchEnv(password: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { LC_ALL: 'C', LANG: 'C', PGPASSWORD: password, PGSSLMODE: 'disable', PGGSSENCMODE: 'disable', PGCONNECT_TIMEOUT: '10' };
  if (process.env['PATH'] !== undefined) env['PATH'] = process.env['PATH'];
  return env;
}

/** runPgbench runs one select-only measurement and parses its TPS; never rejects. */
export async function runPgbench(tool: string, run: PgbenchRun): Promise<PgbenchOutcome> {
  const seconds = run.duration.kind === 'seconds' ? run.duration.seconds : 0;
  const r = await capture(tool, pgbenchArgs(run), { env: pgbenchEnv(run.endpoint.password), timeoutMs: seconds * 1000 + RUN_GRACE_MS });
  const tps = parseTps(r.output);
  if (r.code !== 0 || tps === undefined) return { kind: 'failed', reason: `pgbench exited with ${r.code ?? 'a signal'}: ${tail(r.output)}` };
  // pgbench exits 0 even when clients aborted mid-run in some versions: treat aborts as failure.
  if (/aborted in command|client \d+ aborted/.test(r.output)) return { kind: 'failed', reason: `pgbench clients aborted: ${tail(r.output)}` };
  return { kind: 'ok', tps };
}

/** initPgbench creates pgbench's tables at scale 1 (`pgbench -i -s 1 -q`) as the given (super)user. */
export async function initPgbench(tool: string, endpoint: Endpoint): Promise<void> {
  const args = ['-i', '-s', '1', '-q', '-h', endpoint.host, '-p', String(endpoint.port), '-U', endpoint.user, endpoint.database];
  const r = await capture(tool, args, { env: pgbenchEnv(endpoint.password), timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`pgbench -i failed (exit ${r.code ?? 'signal'}): ${tail(r.output)}`);
}

// ---------------------------------------------------------------------------------------------
// The gateway under test.

/** BENCH_CLAIMS are the claims of the bench token: the example policy's `db:read` role lets it run SELECT (see policies/data.json). */
export const BENCH_CLAIMS: Readonly<Record<string, unknown>> = Object.freeze({ roles: ['db:read'] });

/** RunningGateway is a started Portcullis with a token for pgbench. */
export type RunningGateway = { readonly endpoint: Endpoint; readonly close: () => Promise<void>; readonly logTail: () => string };

/** startPortcullis compiles policies/, starts a dev issuer and the gateway in front of the cluster; unavailable when the gateway does not load. */
export async function startPortcullis(upstream: Endpoint, scratch: string, log: (line: string) => void): Promise<{ kind: 'started'; gateway: RunningGateway } | { kind: 'unavailable'; reason: string }> {
  let proxy: typeof import('../../proxy/index.js');
  try {
    // Imported lazily: a gateway that does not load yet leaves the other targets measurable.
    proxy = await import('../../proxy/index.js');
  } catch (e) {
    return { kind: 'unavailable', reason: `the gateway does not load (proxy/index.ts: ${(e as Error).message.split('\n')[0]})` };
  }

  const engine = await import('../../engine/index.js');
  const bundles = await import('../../bundles/index.js');
  const { validateConfig, toIdentityConfig } = await import('../../proxy/config.js');
  const auth = await import('../../proxy/auth/index.js');
  const decision = await import('../../proxy/decision/index.js');

  const policyDir = join(REPO_ROOT, 'policies');
  const compiled = engine.compile({ files: bundles.collectSources([policyDir]).map((f) => ({ name: f.name, text: f.text })), entrypoints: [decision.DEFAULT_ENTRYPOINT] });
  if (engine.hasErrors(compiled.diagnostics) || compiled.wasm === undefined) {
    const first = compiled.diagnostics.slice(0, 3).map((d) => engine.formatDiagnostic(d)).join('; ');
    return { kind: 'unavailable', reason: `the example policies do not compile: ${first}` };
  }
  const policy = await engine.loadPolicy(compiled.wasm);
  policy.setData(bundles.loadDataFiles([policyDir]));

  const issuer = await auth.createDevIssuer({ issuer: 'https://bench.portcullis.invalid', audience: 'portcullis' });
  const jwksFile = join(scratch, 'jwks.json');
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
  const verifier = auth.createTokenVerifier(toIdentityConfig(config));
  const decider = decision.createDecider({ policy, entrypoint: config.policy.entrypoint });
  const events: string[] = [];
  const remember = (event: unknown): void => {
    events.push(JSON.stringify(event).slice(0, 400));
    if (events.length > 50) events.shift();
  };
  let handle: Gateway;
  try {
    handle = await proxy.startGateway(config, { verifier, decide: (input) => decider.decide(input), events: { publish: remember } });
  } catch (e) {
    verifier.close();
    return { kind: 'unavailable', reason: `startGateway failed: ${(e as Error).message}` };
  }
  const token = await issuer.mint({ sub: 'pgbench', claims: BENCH_CLAIMS, ttlSeconds: 1800 });
  log(`bench: Portcullis listening on ${handle.host}:${handle.port} (policies/, token sub=pgbench roles=[db:read])`);
  return {
    kind: 'started',
    gateway: {
      endpoint: { host: handle.host, port: handle.port, user: 'pgbench', password: token, database: upstream.database },
      close: async () => {
        await handle.close();
        verifier.close();
      },
      logTail: () => events.slice(-5).join('\n'),
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
  };

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
      for (const step of cleanups.reverse()) {
        try {
          await step();
        } catch (e) {
          log(`bench: cleanup: ${(e as Error).message}`);
        }
      }
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

    const { startPostgres } = await import('../../proxy/cli/postgres/index.js');
    const pg = await startPostgres({ database: DATABASE, log: (line) => log(`bench: postgres: ${line}`) });
    cleanups.push(() => pg.stop());
    const direct: Endpoint = { host: pg.host, port: pg.port, user: pg.superuser.name, password: pg.superuser.password, database: pg.database };
    log('bench: pgbench -i -s 1');
    await initPgbench(tool.path, direct);

    const passthrough: PassthroughProxy = await startPassthroughProxy({ upstreamHost: pg.host, upstreamPort: pg.port });
    cleanups.push(() => passthrough.close());

    const targets = new Map<BenchTarget, TargetState>([
      ['direct', { kind: 'ready', endpoint: direct }],
      ['passthrough', { kind: 'ready', endpoint: { ...direct, host: passthrough.host, port: passthrough.port } }],
    ]);
    const gateway = await startPortcullis(direct, scratch, log);
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
        const smoke = await runPgbench(tool.path, { endpoint: state.endpoint, mode, clients: 1, threads: 1, duration: { kind: 'transactions', count: 20 } });
        if (smoke.kind === 'failed') {
          const extra = target === 'portcullis' && logTail() !== '' ? `; gateway log: ${logTail()}` : '';
          targets.set(target, { kind: 'unavailable', reason: `${mode} smoke run failed: ${smoke.reason}${extra}` });
          break;
        }
      }
    }

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
          const r = await runPgbench(tool.path, { endpoint: state.endpoint, mode, clients: settings.clients, threads: settings.threads, duration: { kind: 'seconds', seconds: settings.seconds } });
          if (r.kind === 'ok') samples.push({ mode, target, round, tps: r.tps });
          else unavailable.set(target, `${mode} round ${round} failed: ${r.reason}`);
        }
      }
    }
    out('');
    out(renderReport(samples, unavailable, settings));
    return { kind: 'measured', samples, unavailable };
  } finally {
    await cleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

// Standalone: `tsx test/bench/pgbench.ts`.
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t0 = performance.now();
  try {
    await benchGateway();
    process.stderr.write(`bench: gateway section finished in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  } catch (e) {
    process.stderr.write(`bench: gateway section failed: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
