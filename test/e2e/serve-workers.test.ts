// `portcullis serve` with `workers: 2`, as a real process tree on real PostgreSQL: one listen
// address and one admin address served by two gateway processes (sessions spread over both, each
// recording to a journal of its own); /metrics sums both, whichever answers; a policy reload through
// one worker's admin API reaches the other; SIGHUP reaches both; a killed worker is replaced while
// the other serves on; SIGTERM drains both (an open session ends with 57P01) and exits 0.

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_POLICIES, servedConfig, useStack } from './helpers.js';

const stackRef = useStack();
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = join(root, 'bin/portcullis.js');
const dir = mkdtempSync(join(tmpdir(), 'portcullis-workers-'));
const configPath = join(dir, 'opa.config.yaml');
const journal = join(dir, 'journal');
const policies = join(dir, 'policies');
let child: ChildProcess;
let port = 0;
let adminUrl = '';
let out = '';
let err = '';

/** until waits for `re` in the process's stdout + stderr (after `from` characters of stderr). */
async function until(re: RegExp, from = 0, ms = 30_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + ms;
  for (;;) {
    const m = (out + err.slice(from)).match(re);
    if (m !== null) return m;
    if (Date.now() > deadline) throw new Error(`no ${re} in:\n${out}\n${err.slice(from)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** workerPids are the supervisor's children (the workers) now. */
function workerPids(): number[] {
  const children = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim();
  return children === '' ? [] : children.split(/\s+/).map(Number);
}

async function session(sub: string): Promise<pg.Client> {
  const token = await stackRef.current.mint(sub, { roles: ['db:read'] });
  const c = new pg.Client({ ...stackRef.current.clientConfig(token), host: '127.0.0.1', port });
  await c.connect();
  return c;
}

/** sumOf adds the samples of a metric (all label sets) in a Prometheus text exposition. */
function sumOf(text: string, name: string): number {
  let total = 0;
  for (const line of text.split('\n'))
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) total += Number(line.split(' ').at(-1));
  return total;
}

beforeAll(async () => {
  const stack = stackRef.current;
  const admin = new pg.Client(stack.superuserConfig());
  await admin.connect();
  await admin.query('CREATE DATABASE workers_state');
  await admin.end();
  cpSync(REPO_POLICIES, policies, { recursive: true });
  writeFileSync(
    configPath,
    JSON.stringify(
      servedConfig(stack, {
        workers: 2,
        policy: { paths: [policies] },
        state: {
          host: stack.pg.host,
          port: stack.pg.port,
          database: 'workers_state',
          user: stack.pg.superuser.name,
          password: stack.pg.superuser.password,
        },
        admin: { port: 0 },
        recording: { dir: journal, fsync: false },
        log: { level: 'info' },
      }),
    ),
  );
  child = spawn(process.execPath, [BIN, 'serve', '--config', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (err += b.toString()));
  const listening = await until(/gateway listening on 127\.0\.0\.1:(\d+) \(2 workers\)/, 0, 60_000);
  port = Number(listening[1]);
  adminUrl = (await until(/admin API on (http:\/\/\S+)/))[1] ?? '';
}, 90_000);

afterAll(() => {
  // the workers first: they are the supervisor's children, listed while it lives
  let left: number[] = [];
  try {
    left = workerPids();
  } catch {
    // the supervisor is gone (it exited): its workers went with it
  }
  for (const pid of left) process.kill(pid, 'SIGKILL');
  child?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('serve with workers: 2', () => {
  it('runs two gateway processes on one address: sessions go to both, each records to its own journal', async () => {
    expect(workerPids()).toHaveLength(2);
    const clients = await Promise.all(Array.from({ length: 6 }, (_, i) => session(`worker-agent-${i}`)));
    for (const c of clients) expect((await c.query('SELECT count(*) FROM orders')).rowCount).toBe(1);
    await Promise.all(clients.map((c) => c.end()));
    // each worker's journal holds the session starts of the sessions it served, with its own gateway id
    const gateways = new Set<string>();
    const journals = new Set<string>();
    for (const f of readdirSync(journal).filter((n) => n.endsWith('.jsonl'))) {
      for (const line of readFileSync(join(journal, f), 'utf8').split('\n')) {
        if (!line.startsWith('{')) continue;
        const r = JSON.parse(line) as { journal: string; body: { kind: string; gateway?: string } };
        if (r.body.kind !== 'session.start') continue;
        journals.add(r.journal);
        if (r.body.gateway !== undefined) gateways.add(r.body.gateway);
      }
    }
    expect(journals.size).toBe(2);
    expect(gateways.size).toBe(2);
  });

  it('/metrics sums every worker, whichever answers', async () => {
    const before = await (await fetch(`${adminUrl}/metrics`)).text();
    const accepted = sumOf(before, 'portcullis_connections_accepted_total');
    const clients = await Promise.all(Array.from({ length: 4 }, (_, i) => session(`metrics-agent-${i}`)));
    await Promise.all(clients.map((c) => c.end()));
    // four requests: round robin puts them on both workers; each answer counts every worker's sessions
    for (let i = 0; i < 4; i++) {
      const text = await (await fetch(`${adminUrl}/metrics`)).text();
      expect(sumOf(text, 'portcullis_connections_accepted_total')).toBe(accepted + 4);
    }
  });

  it('a policy reload through one worker reaches both; so does SIGHUP', async () => {
    const token = await stackRef.current.mint('policy-admin', { roles: ['audit:admin'] });
    /** closeOrders adds a rule refusing reads of orders (a new revision for each reason). */
    const closeOrders = (why: string): void =>
      writeFileSync(
        join(policies, 'portcullis', 'rules', 'closed.rego'),
        `package portcullis.rules.read_only\n\ndeny contains {"reason": "orders closed by ${why}", "rule": "test.closed"} if "public.orders" in input.statement.tables.read\n`,
      );
    /** refusedEverywhere: every session, on either worker, now gets the new reason. */
    const refusedEverywhere = async (why: string): Promise<void> => {
      const clients = await Promise.all(Array.from({ length: 4 }, (_, i) => session(`reload-agent-${i}`)));
      for (const c of clients) await expect(c.query('SELECT count(*) FROM orders')).rejects.toThrow(`orders closed by ${why}`);
      await Promise.all(clients.map((c) => c.end()));
    };
    let mark = err.length;
    closeOrders('the admin API');
    const res = await fetch(`${adminUrl}/v1/policy/reload`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    await until(/\{"worker":1,[^\n]*"msg":"policy activated/, mark);
    await until(/\{"worker":2,[^\n]*"msg":"policy activated/, mark);
    await refusedEverywhere('the admin API');
    mark = err.length;
    closeOrders('SIGHUP');
    child.kill('SIGHUP');
    await until(/\{"worker":1,[^\n]*"msg":"policy activated/, mark);
    await until(/\{"worker":2,[^\n]*"msg":"policy activated/, mark);
    await refusedEverywhere('SIGHUP');
    rmSync(join(policies, 'portcullis', 'rules', 'closed.rego'));
    child.kill('SIGHUP');
    expect(child.exitCode).toBeNull();
  });

  it('a killed worker is replaced; the other serves meanwhile', async () => {
    const [victim, survivor] = workerPids() as [number, number];
    const mark = err.length;
    process.kill(victim, 'SIGKILL');
    await until(/worker \d \(pid \d+\) exited \(signal SIGKILL\); restarting it/, mark);
    // meanwhile every new session lands on the survivor
    const c = await session('while-restarting');
    expect((await c.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await c.end();
    await until(/worker \d \(pid \d+\) is serving again/, mark);
    const now = workerPids();
    expect(now).toHaveLength(2);
    expect(now).toContain(survivor);
    expect(now).not.toContain(victim);
  });

  it('SIGTERM drains both workers: an open session ends with 57P01 and the supervisor exits 0', async () => {
    const open = await session('at-shutdown');
    const ended = new Promise<Error>((r) => open.on('error', r));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(((await ended) as Error & { code?: string }).code).toBe('57P01');
    expect(await exited).toBe(0);
  });
});

describe('serve with workers: 2 that cannot start', () => {
  it('a worker that fails at start stops the others; serve exits 1 with the worker-prefixed reasons', async () => {
    const broken = mkdtempSync(join(tmpdir(), 'portcullis-workers-broken-'));
    try {
      const bad = join(broken, 'policies');
      cpSync(REPO_POLICIES, bad, { recursive: true });
      writeFileSync(join(bad, 'portcullis', 'rules', 'broken.rego'), 'package portcullis.rules.broken\n\ndeny contains x if {\n');
      const file = join(broken, 'opa.config.yaml');
      writeFileSync(
        file,
        JSON.stringify(
          servedConfig(stackRef.current, {
            workers: 2,
            policy: { paths: [bad] },
            state: { host: '127.0.0.1', port: 1, database: 'nowhere', user: 'nobody', connect_timeout: '200ms' },
            admin: { enabled: false },
          }),
        ),
      );
      const p = spawn(process.execPath, [BIN, 'serve', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      p.stdout?.on('data', (b: Buffer) => (text += b.toString()));
      p.stderr?.on('data', (b: Buffer) => (text += b.toString()));
      const code = await new Promise<number | null>((r) => p.once('exit', (c) => r(c)));
      expect(code).toBe(1);
      expect(text).toMatch(/\[worker [12]\] [^\n]*broken\.rego/);
      expect(text).toMatch(/worker [12] \(pid \d+\) exited before it was serving \(code 1\); stopping the other workers/);
      expect(text).not.toMatch(/gateway listening/);
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  }, 60_000);
});
