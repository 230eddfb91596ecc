// The benchmark's pass-through baseline against a real PostgreSQL started here: real `pg`
// clients (simple and extended protocol) through the proxy on 127.0.0.1, connection tracking,
// close() cutting open sessions, and an unreachable upstream closing the client cleanly.

import { createServer } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres } from '../../proxy/dev/index.js';
import type { PostgresHandle } from '../../proxy/dev/index.js';
import { startPassthroughProxy } from './passthrough-proxy.js';
import type { PassthroughProxy } from './passthrough-proxy.js';

let postgres: PostgresHandle | undefined;
let proxy: PassthroughProxy | undefined;

beforeAll(async () => {
  postgres = await startPostgres({
    schemaSql: "CREATE TABLE t (id int PRIMARY KEY, name text); INSERT INTO t VALUES (1, 'one'), (2, 'two');",
  });
  proxy = await startPassthroughProxy({ upstreamHost: postgres.host, upstreamPort: postgres.port });
}, 60_000);

afterAll(async () => {
  await proxy?.close();
  await postgres?.stop();
});

function clientVia(p: PassthroughProxy, pgh: PostgresHandle): pg.Client {
  return new pg.Client({ host: p.host, port: p.port, user: pgh.superuser.name, password: pgh.superuser.password, database: pgh.database });
}

/** closedPort returns a loopback port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

describe('startPassthroughProxy', () => {
  const cases = [
    {
      note: 'simple protocol query',
      run: (c: pg.Client) => c.query('SELECT name FROM t ORDER BY id'),
      want: [{ name: 'one' }, { name: 'two' }],
    },
    {
      note: 'extended protocol with a parameter',
      run: (c: pg.Client) => c.query('SELECT name FROM t WHERE id = $1', [2]),
      want: [{ name: 'two' }],
    },
    {
      note: 'named prepared statement',
      run: (c: pg.Client) => c.query({ name: 'by_id', text: 'SELECT name FROM t WHERE id = $1', values: [1] }),
      want: [{ name: 'one' }],
    },
  ];
  it.each(cases)('relays a whole session: $note', async ({ run, want }) => {
    const client = clientVia(proxy!, postgres!);
    await client.connect();
    try {
      expect((await run(client)).rows).toEqual(want);
      expect(proxy!.connections()).toBe(1);
    } finally {
      await client.end();
    }
  });

  it('forgets a connection once the client ends it', async () => {
    const client = clientVia(proxy!, postgres!);
    await client.connect();
    await client.end();
    await expect.poll(() => proxy!.connections()).toBe(0);
  });

  it('closes the client when the upstream is unreachable, and keeps serving others', async () => {
    const dead = await startPassthroughProxy({ upstreamHost: '127.0.0.1', upstreamPort: await closedPort() });
    try {
      const client = clientVia(dead, postgres!);
      await expect(client.connect()).rejects.toThrow(/Connection terminated|ECONNRESET|ended/i);
      await expect.poll(() => dead.connections()).toBe(0);
    } finally {
      await dead.close();
    }
    const ok = clientVia(proxy!, postgres!);
    await ok.connect();
    await expect(ok.query('SELECT 1 AS one')).resolves.toMatchObject({ rows: [{ one: 1 }] });
    await ok.end();
  });

  it('close() cuts open sessions and stops accepting', async () => {
    const own = await startPassthroughProxy({ upstreamHost: postgres!.host, upstreamPort: postgres!.port });
    const client = clientVia(own, postgres!);
    client.on('error', () => undefined); // the cut is expected
    await client.connect();
    const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
    await own.close();
    await ended;
    await expect(client.query('SELECT 1')).rejects.toThrow();
    const late = clientVia(own, postgres!);
    await expect(late.connect()).rejects.toThrow(/ECONNREFUSED/);
    await expect(own.close()).resolves.toBeUndefined(); // idempotent
  });
});
