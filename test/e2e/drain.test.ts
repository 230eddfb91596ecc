// SIGTERM drains `portcullis serve` (a child process, as an orchestrator stops it): a long
// statement in flight finishes and its client gets its rows, an idle session ends at once with
// FATAL 57P01, a new connection is refused, the recording says each session ended by `shutdown`,
// and the process exits 0. A second signal during the drain exits at once.

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_POLICIES, servedConfig, useStack } from './helpers.js';

const stackRef = useStack();
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = join(root, 'bin/portcullis.js');
const dir = mkdtempSync(join(tmpdir(), 'portcullis-drain-'));
const configPath = join(dir, 'opa.config.yaml');
const children: ChildProcess[] = [];

beforeAll(() => {
  const stack = stackRef.current;
  // the shipped policies, with pg_sleep granted to the role drain:sleep (a statement that runs long)
  const policies = join(dir, 'policies');
  cpSync(REPO_POLICIES, policies, { recursive: true });
  const data = JSON.parse(readFileSync(join(policies, 'data.json'), 'utf8'));
  data.portcullis.functions.granted['drain:sleep'] = ['pg_catalog.pg_sleep'];
  writeFileSync(join(policies, 'data.json'), JSON.stringify(data));
  writeFileSync(
    configPath,
    JSON.stringify(
      servedConfig(stack, {
        policy: { paths: [policies] },
        recording: { dir: join(dir, 'journal'), fsync: false },
        limits: { shutdown_grace: '10s' },
        admin: { enabled: false },
        log: { level: 'info' },
      }),
    ),
  );
});

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

type Served = {
  readonly child: ChildProcess;
  readonly port: number;
  readonly stderr: () => string;
  readonly exited: Promise<number | null>;
};

/** serve starts `portcullis serve` and resolves once it listens. */
function serve(): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'serve', '--config', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let err = '';
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return new Promise((resolvePort, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${err}`)), 60_000);
    child.stderr?.on('data', (b: Buffer) => {
      err += b.toString();
      const m = err.match(/"event":"gateway\.listening"[^\n]*"port":(\d+)/);
      if (m !== null) {
        clearTimeout(timer);
        resolvePort({ child, port: Number(m[1]), stderr: () => err, exited });
      }
    });
    void exited.then((code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
}

/** tcpRefused tries a TCP connection and resolves with its error code (undefined: it connected). */
function tcpRefused(port: number): Promise<string | undefined> {
  return new Promise((done) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      done(undefined);
    });
    s.once('error', (e: NodeJS.ErrnoException) => done(e.code));
  });
}

async function client(port: number, sub: string): Promise<pg.Client & { errors: Error[] }> {
  const token = await stackRef.current.mint(sub, { roles: ['db:read', 'drain:sleep'] });
  const c = new pg.Client({ ...stackRef.current.clientConfig(token), host: '127.0.0.1', port }) as pg.Client & { errors: Error[] };
  c.errors = [];
  c.on('error', (e) => c.errors.push(e));
  await c.connect();
  return c;
}

describe('portcullis serve on SIGTERM', () => {
  it('lets the running statement finish, ends idle sessions with 57P01, refuses new connections, exits 0', async () => {
    const served = await serve();
    const busy = await client(served.port, 'drain-busy');
    const idle = await client(served.port, 'drain-idle');
    const running = busy.query('SELECT pg_sleep(1.5), 42 AS answer');
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    served.child.kill('SIGTERM');
    // the idle session is ended at once, as PostgreSQL's admin shutdown does
    for (let i = 0; i < 100 && idle.errors.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(idle.errors[0]).toMatchObject({ code: '57P01', message: 'terminating connection due to gateway shutdown' });
    // no new connection is accepted while the statement runs
    expect(await tcpRefused(served.port)).toBe('ECONNREFUSED');
    // the running statement finishes: its client gets its rows
    expect((await running).rows).toEqual([{ pg_sleep: '', answer: 42 }]);
    expect(Date.now() - t0).toBeGreaterThan(900);
    expect(await served.exited).toBe(0);
    for (let i = 0; i < 50 && busy.errors.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(busy.errors[0]).toMatchObject({ code: '57P01' });
    expect(served.stderr()).toContain('portcullis: shutting down; running statements may finish within 10 s');
    // the recording: both sessions ended by the shutdown
    const journal = join(dir, 'journal');
    const records = readdirSync(journal)
      .flatMap((f) => readFileSync(join(journal, f), 'utf8').split('\n'))
      .filter((l) => l.includes('"session.end"'))
      .map((l) => JSON.parse(l) as { body: { reason: string } });
    expect(records.map((r) => r.body.reason)).toEqual(['shutdown', 'shutdown']);
  }, 60_000);

  it('a second SIGTERM during the drain exits at once', async () => {
    const served = await serve();
    const busy = await client(served.port, 'drain-twice');
    const running = busy.query('SELECT pg_sleep(8)').catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    served.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    served.child.kill('SIGTERM');
    expect(await served.exited).toBe(143);
    expect(Date.now() - t0).toBeLessThan(4_000);
    expect(served.stderr()).toContain('portcullis: SIGTERM again: exiting now');
    await running;
  }, 60_000);
});
