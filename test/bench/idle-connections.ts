// The connection-cost section of `npm run bench`: resident memory of a running gateway
// (`portcullis serve` in its own process, the shipped policies, the login entrypoint's SET ROLE)
// per idle authenticated connection, then per connection with a statement in flight. N agents
// (PORTCULLIS_BENCH_IDLE_CONNECTIONS, default 5,000; 0 skips) log in over raw sockets; the
// upstream is a stub PostgreSQL in this process that greets every login, answers SET SESSION
// ROLE and never answers any other query, so N statements stay in flight without N real
// backends (5,000 PostgreSQL backends would be the database's cost, not the gateway's, and more
// memory than a bench machine has). RSS is read from /proc/<pid>/status (Linux only).
// Runs standalone with `tsx test/bench/idle-connections.ts`.

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDevIssuer } from '../../proxy/dev/index.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const HOST = '127.0.0.1';
/** BATCH is how many logins run at once (below limits.max_unauthenticated). */
const BATCH = 100;

/** IdleBenchResult is what the section measured (bytes). */
export type IdleBenchResult =
  | { readonly kind: 'skipped'; readonly reason: string }
  | {
      readonly kind: 'measured';
      readonly connections: number;
      readonly baselineRss: number;
      readonly idleRss: number;
      readonly inFlightRss: number;
      readonly loginSeconds: number;
    };

/** benchIdleConnections runs the section and prints its report; it stops everything it started. */
export async function benchIdleConnections(
  out: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<IdleBenchResult> {
  const n = Number(process.env['PORTCULLIS_BENCH_IDLE_CONNECTIONS'] ?? 5_000);
  if (!Number.isInteger(n) || n <= 0) return skipped(out, 'PORTCULLIS_BENCH_IDLE_CONNECTIONS=0');
  if (process.platform !== 'linux') return skipped(out, 'resident memory is read from /proc (Linux only)');

  const scratch = mkdtempSync(join(tmpdir(), 'portcullis-idle-'));
  const stub = await startStubUpstream();
  const clients: Socket[] = [];
  let gateway: ChildProcess | undefined;
  try {
    const issuer = await createDevIssuer({ issuer: 'https://bench.portcullis.invalid', audience: 'portcullis' });
    writeFileSync(join(scratch, 'jwks.json'), JSON.stringify(issuer.jwks()));
    const config = {
      listen: { host: HOST, port: 0 }, // startServe picks the port
      admin: { enabled: false },
      upstream: { host: HOST, port: stub.port, database: 'bench', user: 'bench', password: 'unused' },
      identity: { issuer: issuer.issuer, audience: issuer.audience, jwks: { file: 'jwks.json' }, algorithms: ['ES256'] },
      policy: { paths: [join(REPO_ROOT, 'policies')] },
      limits: { max_connections: n + 10, max_unauthenticated: BATCH * 2, max_unauthenticated_per_address: BATCH * 2 },
      log: { level: 'warn' },
    };
    writeFileSync(join(scratch, 'config.json'), JSON.stringify(config));
    const started = await startServe(join(scratch, 'config.json'), log);
    gateway = started.child;
    const pid = started.child.pid as number;
    const token = await issuer.mint({ sub: 'bench', claims: { roles: ['db:read'] }, ttlSeconds: 3600 });

    // warm up: one session with a statement answered (JIT, the SQL parser, the policy), then settle
    const warm = await login(started.port, token);
    await inFlight(warm, stub, 1);
    warm.destroy();
    await settle();
    const baselineRss = rssOf(pid);

    log(`bench: logging in ${n.toLocaleString('en-US')} connections (${BATCH} at a time)`);
    const t0 = performance.now();
    for (let i = 0; i < n; i += BATCH) {
      const batch = await Promise.all(Array.from({ length: Math.min(BATCH, n - i) }, () => login(started.port, token)));
      clients.push(...batch);
    }
    const loginSeconds = (performance.now() - t0) / 1000;
    await settle();
    const idleRss = rssOf(pid);

    const before = stub.queries();
    for (const c of clients) c.write(queryMessage('SELECT 1'));
    await until(() => stub.queries() - before >= clients.length, 120_000);
    await settle();
    const inFlightRss = rssOf(pid);

    const perIdle = (idleRss - baselineRss) / n;
    const perInFlight = (inFlightRss - baselineRss) / n;
    out(
      `\nConnection cost: resident memory of \`portcullis serve\` (shipped policies, SET ROLE per login), ${n.toLocaleString('en-US')} connections`,
    );
    out(
      `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`,
    );
    out('| state | gateway RSS | per connection |');
    out('| --- | ---: | ---: |');
    out(`| baseline (one session opened and closed) | ${mib(baselineRss)} | — |`);
    out(`| ${n.toLocaleString('en-US')} idle authenticated connections | ${mib(idleRss)} | ${kib(perIdle)} |`);
    out(`| the same, each with a statement in flight (SELECT 1, upstream not answering) | ${mib(inFlightRss)} | ${kib(perInFlight)} |`);
    out(`logins: ${(n / loginSeconds).toFixed(0)}/s (${loginSeconds.toFixed(1)} s, ${BATCH} at a time)`);
    return { kind: 'measured', connections: n, baselineRss, idleRss, inFlightRss, loginSeconds };
  } finally {
    for (const c of clients) c.destroy();
    if (gateway !== undefined && gateway.exitCode === null) {
      gateway.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 200));
      if (gateway.exitCode === null) gateway.kill('SIGKILL');
    }
    await stub.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

function skipped(out: (line: string) => void, reason: string): IdleBenchResult {
  out(`\nConnection cost: skipped (${reason})`);
  return { kind: 'skipped', reason };
}

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;

/** rssOf reads a process's resident set size in bytes. */
export function rssOf(pid: number): number {
  const line = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (line === null) throw new Error(`no VmRSS for ${pid}`);
  return Number(line[1]) * 1024;
}

/** settle lets timers and the collector catch up before a reading. */
export function settle(): Promise<void> {
  return new Promise((r) => setTimeout(r, 2_000));
}

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** startServe runs `portcullis serve` on a free port and resolves once the port accepts connections. */
export async function startServe(configPath: string, log: (line: string) => void): Promise<{ child: ChildProcess; port: number }> {
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as { listen: { port: number } };
  const port = await freePort();
  config.listen.port = port;
  writeFileSync(configPath, JSON.stringify(config));
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/portcullis.js'), 'serve', '--config', configPath], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-2_000);
  });
  const deadline = Date.now() + 60_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`portcullis serve did not start: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  log(`bench: portcullis serve (pid ${child.pid}) listening on ${HOST}:${port}`);
  return { child, port };
}

/** freePort asks the OS for a free port on HOST. */
function freePort(): Promise<number> {
  return new Promise((resolvePort) => {
    const probe = createServer();
    probe.listen(0, HOST, () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolvePort(port));
    });
  });
}

/** accepts tells whether a TCP connection to the port succeeds. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolveOk) => {
    const s = connect({ host: HOST, port });
    s.once('connect', () => {
      s.destroy();
      resolveOk(true);
    });
    s.once('error', () => resolveOk(false));
  });
}

/** Stub is the stub upstream: it counts the queries it left unanswered. */
type Stub = { readonly port: number; queries(): number; close(): Promise<void> };

/** startStubUpstream greets every login (AuthenticationOk, a few ParameterStatus, BackendKeyData, ReadyForQuery), answers SET SESSION ROLE, and no other query. */
async function startStubUpstream(): Promise<Stub> {
  let queries = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffer = Buffer.alloc(0);
    let started = false;
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (!started) {
          if (buffer.length < 4 || buffer.length < buffer.readInt32BE(0)) return;
          buffer = buffer.subarray(buffer.readInt32BE(0));
          started = true;
          socket.write(
            Buffer.concat([
              backend('R', int32(0)),
              ...[
                ['server_version', '17.0'],
                ['server_encoding', 'UTF8'],
                ['client_encoding', 'UTF8'],
                ['DateStyle', 'ISO, MDY'],
                ['integer_datetimes', 'on'],
                ['standard_conforming_strings', 'on'],
              ].map(([k, v]) => backend('S', Buffer.from(`${k}\0${v}\0`))),
              backend('K', Buffer.concat([int32(1), int32(2)])),
              backend('Z', Buffer.from('I')),
            ]),
          );
          continue;
        }
        if (buffer.length < 5 || buffer.length < 1 + buffer.readInt32BE(1)) return;
        const tag = String.fromCharCode(buffer[0] as number);
        const body = buffer.subarray(5, 1 + buffer.readInt32BE(1));
        buffer = buffer.subarray(1 + buffer.readInt32BE(1));
        if (tag === 'X') socket.end();
        else if (tag === 'Q' && body.toString('utf8').startsWith('SET SESSION ROLE')) {
          socket.write(Buffer.concat([backend('C', Buffer.from('SET\0')), backend('Z', Buffer.from('I'))]));
        } else if (tag === 'Q') {
          // answered during the warm-up only: afterwards every query stays in flight
          queries += 1;
          if (warmAnswers > 0) {
            warmAnswers -= 1;
            socket.write(
              Buffer.concat([
                backend(
                  'T',
                  Buffer.concat([int16(1), Buffer.from('?column?\0'), int32(0), int16(0), int32(23), int16(4), int32(-1), int16(0)]),
                ),
                backend('D', Buffer.concat([int16(1), int32(1), Buffer.from('1')])),
                backend('C', Buffer.from('SELECT 1\0')),
                backend('Z', Buffer.from('I')),
              ]),
            );
          }
        }
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, HOST, r));
  return {
    port: (server.address() as AddressInfo).port,
    queries: () => queries,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** warmAnswers is how many upcoming queries the stub answers (the warm-up's). */
let warmAnswers = 0;

/** inFlight sends SELECT 1 on the warm-up session and waits for its answer. */
async function inFlight(socket: Socket, stub: Stub, answers: number): Promise<void> {
  warmAnswers = answers;
  const before = stub.queries();
  let got = Buffer.alloc(0);
  const done = new Promise<void>((r) =>
    socket.on('data', (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      if (got.includes(Buffer.from([0x5a, 0, 0, 0, 5]))) r();
    }),
  );
  socket.write(queryMessage('SELECT 1'));
  await done;
  if (stub.queries() === before) throw new Error('the warm-up query did not reach the stub');
}

/** login logs in over a raw socket (StartupMessage, then the token when asked) and resolves at ReadyForQuery. */
export function login(port: number, token: string): Promise<Socket> {
  return new Promise((resolveSocket, reject) => {
    const socket = connect({ host: HOST, port });
    let got = Buffer.alloc(0);
    let sentPassword = false;
    const onData = (chunk: Buffer): void => {
      got = Buffer.concat([got, chunk]);
      if (!sentPassword && got.length >= 9 && got[0] === 0x52) {
        sentPassword = true;
        got = got.subarray(9);
        socket.write(backend('p', Buffer.from(`${token}\0`)));
        return;
      }
      if (got.includes(0x45) && got.indexOf(0x45) === 0) {
        socket.destroy();
        reject(new Error(`login refused: ${got.toString('latin1')}`));
        return;
      }
      if (got.length >= 6 && got.subarray(-6, -1).equals(Buffer.from([0x5a, 0, 0, 0, 5]))) {
        socket.off('data', onData);
        resolveSocket(socket);
      }
    };
    socket.on('data', onData);
    socket.on('error', reject);
    socket.once('connect', () => {
      const body = Buffer.from('user\0bench\0database\0bench\0\0');
      socket.write(Buffer.concat([int32(8 + body.length), int32(196608), body]));
    });
  });
}

export function queryMessage(sql: string): Buffer {
  return backend('Q', Buffer.from(`${sql}\0`));
}

/** backend frames a tagged message (the same framing both ways). */
export function backend(tag: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(tag, 0, 'latin1');
  head.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([head, body]);
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

function int16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await benchIdleConnections();
}
