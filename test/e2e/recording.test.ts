// The session recording end to end, with `portcullis serve` as a real process: every statement is
// in the journal before it reaches PostgreSQL, shipped to the state store, and after `kill -9`
// under a write workload the restarted gateway ships what the journal holds, so every row that
// reached the database has its statement on record. `portcullis audit verify` checks the chain,
// and names a record edited or deleted in the store.

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_POLICIES, servedConfig, useStack } from './helpers.js';

const stackRef = useStack();
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = join(root, 'bin/portcullis.js');
const dir = mkdtempSync(join(tmpdir(), 'portcullis-rec-'));
const configPath = join(dir, 'opa.config.yaml');
const children: ChildProcess[] = [];

beforeAll(async () => {
  const stack = stackRef.current;
  const admin = new pg.Client(stack.superuserConfig());
  await admin.connect();
  await admin.query('CREATE DATABASE rec_state');
  await admin.end();
  writeFileSync(
    configPath,
    JSON.stringify(
      servedConfig(stack, {
        policy: { paths: [REPO_POLICIES] },
        state: {
          host: stack.pg.host,
          port: stack.pg.port,
          database: 'rec_state',
          user: stack.pg.superuser.name,
          password: stack.pg.superuser.password,
        },
        recording: { dir: join(dir, 'journal'), ship_interval: '100ms' },
        admin: { enabled: false },
        log: { level: 'info' },
      }),
    ),
  );
}, 60_000);

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** serve starts `portcullis serve` and resolves with the port it listens on. */
function serve(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--config', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  return new Promise((resolvePort, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${err}`)), 60_000);
    child.stderr?.on('data', (b: Buffer) => {
      err += b.toString();
      const m = err.match(/"event":"gateway\.listening"[^\n]*"port":(\d+)/);
      if (m !== null) {
        clearTimeout(timer);
        resolvePort({ child, port: Number(m[1]) });
      }
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
}

async function state(sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const { pg: cluster } = stackRef.current;
  const c = new pg.Client({
    host: cluster.host,
    port: cluster.port,
    database: 'rec_state',
    user: cluster.superuser.name,
    password: cluster.superuser.password,
  });
  await c.connect();
  try {
    return await c.query(sql, params);
  } finally {
    await c.end();
  }
}

function audit(): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, 'audit', 'verify', '--config', configPath]);
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('close', (code) => done({ code: code ?? -1, out }));
  });
}

describe('recording with a real serve process', () => {
  it('after kill -9 under writes, every row that reached the database has its statement on record; the chain verifies', async () => {
    let gw = await serve();
    const token = await stackRef.current.mint('writer-bot', { roles: ['db:write'] });
    const marker = `kill9-${Date.now()}`;
    const clients = await Promise.all(
      [0, 1, 2, 3].map(async () => {
        const c = new pg.Client({ ...stackRef.current.clientConfig(token), host: '127.0.0.1', port: gw.port });
        c.on('error', () => {});
        await c.connect();
        return c;
      }),
    );
    let n = 0;
    let stop = false;
    const loops = clients.map(async (c) => {
      while (!stop) {
        const i = n++;
        await c.query('INSERT INTO audit_log (actor, action) VALUES ($1, $2)', [marker, `w${i}`]).catch(() => {
          stop = true;
        });
      }
    });
    await new Promise((r) => setTimeout(r, 1_500));
    gw.child.kill('SIGKILL');
    stop = true;
    await Promise.all(loops);
    const written = await new pg.Client(stackRef.current.superuserConfig());
    await written.connect();
    const rows = (await written.query('SELECT action FROM audit_log WHERE actor = $1', [marker])).rows.map((r) => r.action as string);
    await written.end();
    expect(rows.length).toBeGreaterThan(10);
    // the restarted gateway ships what the journal holds
    gw = await serve();
    await expect
      .poll(
        async () => {
          const recorded = await state(
            "SELECT body->'params'->>1 AS action FROM portcullis.recording_records WHERE kind = 'statement' AND body->>'text' LIKE 'INSERT INTO audit_log%' AND body->'params'->>0 = $1",
            [marker],
          );
          const have = new Set(recorded.rows.map((r) => r.action as string));
          return rows.filter((a) => !have.has(a));
        },
        { timeout: 15_000, interval: 250 },
      )
      .toEqual([]);
    const ok = await audit();
    expect(ok.out).toMatch(/^ok: \d+ records in \d+ journals/m);
    expect(ok.code).toBe(0);
    gw.child.kill('SIGTERM');
  }, 120_000);

  it('audit verify names a record edited, and one deleted, in the store', async () => {
    const edited = await state(
      "SELECT journal, seq FROM portcullis.recording_records WHERE kind = 'statement' ORDER BY journal, seq LIMIT 1 OFFSET 3",
    );
    const { journal, seq } = edited.rows[0] as { journal: string; seq: string };
    await state(
      `UPDATE portcullis.recording_records SET body = jsonb_set(body::jsonb, '{text}', '"SELECT 1"')::json WHERE journal = $1 AND seq = $2`,
      [journal, seq],
    );
    const altered = await audit();
    expect(altered.code).toBe(1);
    expect(altered.out).toContain(`journal ${journal} seq ${seq}: altered`);
    const removed = Number(seq) + 2;
    await state('DELETE FROM portcullis.recording_records WHERE journal = $1 AND seq = $2', [journal, removed]);
    const both = await audit();
    expect(both.code).toBe(1);
    expect(both.out).toContain(`journal ${journal} seq ${removed}: removed`);
  }, 60_000);
});
