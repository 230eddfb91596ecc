// pgbench itself for the gateway bench (test/bench/pgbench.ts): finding or installing a working
// binary (findPgbench), its select-only command line and TPS output (pgbenchArgs, parseTps), and
// running it as a tracked child process (runPgbench, initPgbench, `running`).

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const TOOL_TIMEOUT_MS = 10_000;
const APT_TIMEOUT_MS = 300_000;
/** RUN_GRACE_MS is how long a pgbench run may outlive its -T before it is killed. */
const RUN_GRACE_MS = 60_000;

/** ProtocolMode is pgbench's `-M` query mode. */
export type ProtocolMode = 'simple' | 'extended';

/** PgbenchTool is a usable pgbench binary, or why there is none. */
export type PgbenchTool =
  | { readonly kind: 'found'; readonly path: string; readonly version: string }
  | { readonly kind: 'unavailable'; readonly reason: string };

/** Endpoint is a PostgreSQL server (or proxy) pgbench logs in to. */
export type Endpoint = {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
};

/** PgbenchRun is one select-only measurement: `pgbench -S -n -M <mode> -c <clients> -j <threads>` for -T seconds or -t transactions. */
export type PgbenchRun = {
  readonly endpoint: Endpoint;
  readonly mode: ProtocolMode;
  readonly clients: number;
  readonly threads: number;
  readonly duration: { readonly kind: 'seconds'; readonly seconds: number } | { readonly kind: 'transactions'; readonly count: number };
  /** rate throttles the run to about this many transactions per second (`-R`); absent: as fast as it goes. */
  readonly rate?: number;
  /** connect opens a new connection for every transaction (`-C`: logins per second). */
  readonly connect?: boolean;
};

/** PgbenchOutcome is the TPS a run reported, or why it failed (with pgbench's last output lines). */
export type PgbenchOutcome = { readonly kind: 'ok'; readonly tps: number } | { readonly kind: 'failed'; readonly reason: string };

// ---------------------------------------------------------------------------------------------
// pgbench's command line and output (unit-tested in test/bench/pgbench.test.ts).

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

/** pgbenchArgs builds the command line of a select-only run (the password travels in PGPASSWORD). */
export function pgbenchArgs(run: PgbenchRun): string[] {
  const { endpoint: e } = run;
  const duration = run.duration.kind === 'seconds' ? ['-T', String(run.duration.seconds)] : ['-t', String(run.duration.count)];
  return [
    '-h',
    e.host,
    '-p',
    String(e.port),
    '-U',
    e.user,
    '-S',
    '-n',
    '-M',
    run.mode,
    '-c',
    String(run.clients),
    '-j',
    String(run.threads),
    ...duration,
    ...(run.rate !== undefined ? ['-R', String(Math.max(1, Math.round(run.rate)))] : []),
    ...(run.connect === true ? ['-C'] : []),
    e.database,
  ];
}

// ---------------------------------------------------------------------------------------------
// Processes.

/** Running tracks child processes so an interrupt can kill them. */
export const running = new Set<ChildProcess>();

/** capture runs a command to completion with a timeout and resolves with its exit code and output (never rejects). */
function capture(
  file: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs: number },
): Promise<{ code: number | null; output: string }> {
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

/** executable says whether the file exists and may be run. */
export function executable(path: string): boolean {
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
    const versions = readdirSync(root)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
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

/** aptGet runs apt-get non-interactively (root only), logging a failure's last lines; true when it succeeded. */
export async function aptGet(args: readonly string[], log: (line: string) => void, cwd?: string): Promise<boolean> {
  log(`bench: apt-get ${args.join(' ')}`);
  const r = await capture('apt-get', args, {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    timeoutMs: APT_TIMEOUT_MS,
    ...(cwd !== undefined ? { cwd } : {}),
  });
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
  if (!isRoot)
    return { kind: 'unavailable', reason: 'pgbench is not installed and installing it needs root (apt-get install postgresql-client)' };
  if (!executable('/usr/bin/apt-get'))
    return {
      kind: 'unavailable',
      reason: 'pgbench is not installed and this machine has no apt-get (install PostgreSQL client tools, or set PGBENCH=/path/to/pgbench)',
    };
  log('bench: pgbench not found; installing Debian package postgresql-client');
  if (!(await aptGet(['install', '-y', '--no-install-recommends', 'postgresql-client'], log))) {
    await aptGet(['update'], log);
    await aptGet(['install', '-y', '--no-install-recommends', 'postgresql-client'], log);
  }
  const installed = await firstWorking();
  if (installed !== undefined) return installed;
  const extracted = await extractFromServerPackage(log);
  if (extracted !== undefined) return extracted;
  return {
    kind: 'unavailable',
    reason:
      'pgbench could not be installed (apt-get install postgresql-client and extracting pgbench from postgresql-<version> both failed; see the lines above)',
  };
}

/** extractFromServerPackage downloads `postgresql-<n>` (n: the installed client's major) and unpacks only its files into PGBENCH_CACHE. */
async function extractFromServerPackage(log: (line: string) => void): Promise<PgbenchTool | undefined> {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
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
  const env: NodeJS.ProcessEnv = {
    LC_ALL: 'C',
    LANG: 'C',
    PGPASSWORD: password,
    PGSSLMODE: 'disable',
    PGGSSENCMODE: 'disable',
    PGCONNECT_TIMEOUT: '10',
  };
  if (process.env['PATH'] !== undefined) env['PATH'] = process.env['PATH'];
  return env;
}

/** runPgbench runs one select-only measurement and parses its TPS; never rejects. */
export async function runPgbench(tool: string, run: PgbenchRun): Promise<PgbenchOutcome> {
  const seconds = run.duration.kind === 'seconds' ? run.duration.seconds : 0;
  const r = await capture(tool, pgbenchArgs(run), { env: pgbenchEnv(run.endpoint.password), timeoutMs: seconds * 1000 + RUN_GRACE_MS });
  const tps = parseTps(r.output);
  if (r.code !== 0 || tps === undefined)
    return { kind: 'failed', reason: `pgbench exited with ${r.code ?? 'a signal'}: ${tail(r.output)}` };
  // pgbench exits 0 even when clients aborted mid-run in some versions: treat aborts as failure.
  if (/aborted in command|client \d+ aborted/.test(r.output))
    return { kind: 'failed', reason: `pgbench clients aborted: ${tail(r.output)}` };
  return { kind: 'ok', tps };
}

/**
 * warmUp runs pgbench untimed against every endpoint in every mode at full concurrency, so the
 * first timed run is no warm-up (the JIT, a gateway's caches, a journal's first segment).
 */
export async function warmUp(
  tool: string,
  endpoints: readonly Endpoint[],
  modes: readonly ProtocolMode[],
  load: { readonly clients: number; readonly threads: number; readonly seconds: number },
): Promise<void> {
  for (const endpoint of endpoints)
    for (const mode of modes)
      await runPgbench(tool, {
        endpoint,
        mode,
        clients: load.clients,
        threads: load.threads,
        duration: { kind: 'seconds', seconds: load.seconds },
      });
}

/** initPgbench creates pgbench's tables at scale 1 (`pgbench -i -s 1 -q`) as the given (super)user. */
export async function initPgbench(tool: string, endpoint: Endpoint): Promise<void> {
  const args = ['-i', '-s', '1', '-q', '-h', endpoint.host, '-p', String(endpoint.port), '-U', endpoint.user, endpoint.database];
  const r = await capture(tool, args, { env: pgbenchEnv(endpoint.password), timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`pgbench -i failed (exit ${r.code ?? 'signal'}): ${tail(r.output)}`);
}
