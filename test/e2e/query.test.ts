// End-to-end tests of the query cycle: allow, deny (42501 with the policy's reason and rule, and
// nothing reaching PostgreSQL), multi-statement strings stopped as a whole, transactions (and
// in_transaction as the policy sees it), the extended protocol with named statements and
// pipelining, refused protocol features, against a real PostgreSQL through the real gateway
// with the shipped example policies and the `pg` client.

import pg from 'pg';
import type { DatabaseError } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compilePolicies, REPO_POLICIES, useStack } from './helpers.js';
import type { Decide } from '../../proxy/index.js';
import type { PolicyInput } from '../../proxy/decision/index.js';

let policy: Decide | undefined;
const inputs: PolicyInput[] = [];
const recordingDecide: Decide = (input) => {
  inputs.push(input);
  if (policy === undefined) throw new Error('policy not compiled yet');
  return policy(input);
};

/** LIMITS keep statements well under the frame cap, so the statement limit (not framing) refuses. */
const LIMITS = { maxMessageBytes: 1_048_576, maxStatementBytes: 65_536, maxConnections: 100, maxAnalysisMs: 10_000 };
const stack = useStack({ decide: recordingDecide, config: { limits: LIMITS } });
const clients: pg.Client[] = [];
let direct: pg.Client;

beforeAll(async () => {
  policy = await compilePolicies(REPO_POLICIES);
  direct = new pg.Client(stack.current.superuserConfig());
  await direct.connect();
}, 60_000);

afterAll(async () => {
  for (const c of clients) await c.end().catch(() => undefined);
  await direct?.end().catch(() => undefined);
});

/** connectAs opens a gateway session for an agent with the given roles. */
async function connectAs(sub: string, roles: readonly string[]): Promise<pg.Client> {
  const token = await stack.current.mint(sub, { roles: [...roles] });
  const client = new pg.Client(stack.current.clientConfig(token));
  await client.connect();
  clients.push(client);
  return client;
}

/** markers counts audit_log rows with this action, read directly from PostgreSQL. */
async function markers(action: string): Promise<number> {
  const r = await direct.query<{ n: string }>('SELECT count(*) AS n FROM public.audit_log WHERE action = $1', [action]);
  return Number(r.rows[0]?.n);
}

/** failure runs a query and returns the error it must raise. */
async function failure(p: Promise<unknown>): Promise<DatabaseError> {
  try {
    await p;
  } catch (err) {
    return err as DatabaseError;
  }
  throw new Error('the query succeeded but was expected to fail');
}

describe('query cycle: simple protocol', () => {
  it.each([
    { note: 'a plain SELECT', sql: 'SELECT id, status FROM public.orders WHERE id = 3', rows: [{ id: 3, status: 'pending' }] },
    { note: 'SHOW', sql: 'SHOW server_version_num', rows: [{ server_version_num: expect.stringMatching(/^1[5-9]/) }] },
    { note: 'an unqualified table', sql: 'SELECT count(*)::int AS n FROM orders', rows: [{ n: 6 }] },
  ])('allows $note', async ({ sql, rows }) => {
    const client = await connectAs('reader', ['db:read']);
    const res = await client.query(sql);
    expect(res.rows).toEqual(rows);
  });

  it.each([
    {
      note: 'an INSERT by a read-only identity',
      roles: ['db:read'],
      sql: (m: string) => `INSERT INTO public.audit_log (actor, action) VALUES ('agent', '${m}')`,
      rule: 'read_only.write',
      message: /read-only/,
      goesOn: true,
    },
    {
      note: 'a row lock (FOR UPDATE) by a read-only identity',
      roles: ['db:read'],
      sql: (m: string) => `SELECT id FROM public.orders WHERE status <> '${m}' FOR UPDATE`,
      rule: 'read_only.write',
      message: /locks rows/,
      goesOn: true,
    },
    {
      note: 'a row lock (FOR SHARE) by a read-only identity',
      roles: ['db:read'],
      sql: (m: string) => `SELECT id FROM public.orders WHERE status <> '${m}' FOR SHARE`,
      rule: 'read_only.write',
      message: /locks rows/,
      goesOn: true,
    },
    {
      note: 'a COPY to a file on the database server, even by an administrator',
      roles: ['db:admin'],
      sql: (m: string) => `COPY (SELECT '${m}') TO '/tmp/portcullis-e2e-copy.csv'`,
      rule: 'escape.copy_server_file',
      message: /server's file system/,
      goesOn: true,
    },
    {
      note: 'a statement without any role',
      roles: [],
      sql: (m: string) => `INSERT INTO public.audit_log (actor, action) VALUES ('agent', '${m}')`,
      rule: 'access.no_role',
      message: /has no database role/,
      goesOn: false,
    },
    {
      note: 'a write to a production table (approval required, denied until approvals exist)',
      roles: ['db:write'],
      sql: (m: string) => `UPDATE public.orders SET status = '${m}' WHERE id = 3`,
      rule: 'production.write',
      message: /^approval required: .*production table public\.orders/,
      goesOn: true,
    },
  ])('denies $note: 42501, reason, rule, nothing upstream', async ({ roles, sql, rule, message, goesOn }) => {
    const marker = `deny-${rule}`;
    const client = await connectAs('denied', roles);
    const err = await failure(client.query(sql(marker)));
    expect(err.code).toBe('42501');
    expect(err.message).toMatch(message);
    expect(err.detail).toBe(`rule: ${rule}`);
    expect(await markers(marker)).toBe(0);
    const status = await direct.query(
      "SELECT count(*)::int AS n FROM public.orders WHERE status NOT IN ('pending', 'paid', 'shipped', 'refunded')",
    );
    expect(status.rows[0]).toEqual({ n: 0 });
    // the session goes on (the next statement is decided afresh)
    const next = client.query('SELECT 1 AS one');
    if (goesOn) expect((await next).rows).toEqual([{ one: 1 }]);
    else expect((await failure(next)).detail).toBe(`rule: ${rule}`);
  });

  it('stops a whole multi-statement string when one statement is denied: none ran', async () => {
    const client = await connectAs('writer', ['db:write']);
    const err = await failure(
      client.query(
        "INSERT INTO public.audit_log (actor, action) VALUES ('w', 'multi-1'); DELETE FROM public.orders WHERE id = 6; INSERT INTO public.audit_log (actor, action) VALUES ('w', 'multi-2')",
      ),
    );
    expect(err.code).toBe('42501');
    expect(err.detail).toBe('rule: production.write');
    expect(await markers('multi-1')).toBe(0);
    expect(await markers('multi-2')).toBe(0);
    expect((await direct.query('SELECT count(*)::int AS n FROM public.orders WHERE id = 6')).rows[0]).toEqual({ n: 1 });
  });

  it('runs a multi-statement string when every statement is allowed', async () => {
    const client = await connectAs('writer', ['db:write']);
    const res = (await client.query(
      "INSERT INTO public.audit_log (actor, action) VALUES ('w', 'multi-ok'); SELECT count(*)::int AS n FROM public.audit_log WHERE action = 'multi-ok'",
    )) as unknown as pg.QueryResult[];
    expect(res.map((r) => r.command)).toEqual(['INSERT', 'SELECT']);
    expect(res[1]?.rows).toEqual([{ n: 1 }]);
  });

  it('reports a syntax error without reaching the upstream', async () => {
    const client = await connectAs('reader', ['db:read']);
    const err = await failure(client.query('SELEC 1'));
    expect(err.code).toBe('42601');
    expect((await client.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
  });

  it('refuses a statement over the size limit', async () => {
    const client = await connectAs('reader', ['db:read']);
    const big = `SELECT '${'x'.repeat(LIMITS.maxStatementBytes)}' AS big`;
    const err = await failure(client.query(big));
    expect(err.code).toBe('54000');
    expect((await client.query('SELECT 3 AS three')).rows).toEqual([{ three: 3 }]);
  });
});

describe('query cycle: transactions', () => {
  it('carries BEGIN/COMMIT, shows in_transaction to the policy, and keeps ROLLBACK atomic', async () => {
    const client = await connectAs('tx-writer', ['db:write']);
    await client.query('BEGIN');
    inputs.length = 0;
    await client.query("INSERT INTO public.audit_log (actor, action) VALUES ('tx', 'rolled-back')");
    expect(inputs.map((i) => [i.statement.kind, i.session.in_transaction])).toEqual([['insert', true]]);
    await client.query('ROLLBACK');
    expect(await markers('rolled-back')).toBe(0);

    inputs.length = 0;
    await client.query("INSERT INTO public.audit_log (actor, action) VALUES ('tx', 'outside')");
    expect(inputs.map((i) => i.session.in_transaction)).toEqual([false]);

    await client.query('BEGIN');
    await client.query("INSERT INTO public.audit_log (actor, action) VALUES ('tx', 'committed')");
    await client.query('COMMIT');
    expect(await markers('committed')).toBe(1);
  });

  it('counts statements and returned rows for the policy', async () => {
    const client = await connectAs('counter', ['db:read']);
    await client.query('SELECT id FROM public.orders');
    inputs.length = 0;
    await client.query('SELECT 1');
    expect(inputs[0]?.session).toMatchObject({ statements: 1, rows_returned: 6, in_transaction: false });
  });
});

describe('query cycle: extended protocol', () => {
  it.each([
    {
      note: 'unnamed statement with a text parameter',
      query: { text: 'SELECT status FROM public.orders WHERE id = $1', values: [3] },
      rows: [{ status: 'pending' }],
    },
    {
      note: 'named statement',
      query: { name: 'by-id', text: 'SELECT status FROM public.orders WHERE id = $1', values: [4] },
      rows: [{ status: 'refunded' }],
    },
    { note: 'NULL parameter', query: { text: 'SELECT $1::text IS NULL AS isnull', values: [null] }, rows: [{ isnull: true }] },
  ])('allows $note', async ({ query, rows }) => {
    const client = await connectAs('ext-reader', ['db:read']);
    expect((await client.query(query as pg.QueryConfig)).rows).toEqual(rows);
  });

  it('decides with the bound parameter values', async () => {
    const client = await connectAs('ext-reader', ['db:read']);
    inputs.length = 0;
    await client.query({ text: 'SELECT $1::text AS a, $2::int AS b', values: ['hello', 7] });
    expect(inputs.map((i) => i.statement.params)).toEqual([['hello', '7']]);
  });

  it('denies a Bind: 42501, nothing upstream, the session goes on', async () => {
    const client = await connectAs('ext-reader', ['db:read']);
    const err = await failure(
      client.query({ text: 'INSERT INTO public.audit_log (actor, action) VALUES ($1, $2)', values: ['x', 'ext-denied'] }),
    );
    expect(err.code).toBe('42501');
    expect(err.detail).toBe('rule: read_only.write');
    expect(await markers('ext-denied')).toBe(0);
    expect((await client.query({ text: 'SELECT $1::int AS n', values: [5] })).rows).toEqual([{ n: 5 }]);
  });

  it('reuses a named statement and refuses one whose Parse was refused', async () => {
    const client = await connectAs('ext-named', ['db:read']);
    for (const id of [1, 2, 5]) {
      const r = await client.query({ name: 'status-of', text: 'SELECT status FROM public.orders WHERE id = $1', values: [id] });
      expect(r.rows).toHaveLength(1);
    }
    const bad = await failure(client.query({ name: 'broken', text: 'SELEC $1', values: [1] }));
    expect(bad.code).toBe('42601');
    // pg believes nothing about "broken"; a raw Bind to it is covered by the unit tests
    expect((await client.query({ name: 'status-of', text: 'SELECT status FROM public.orders WHERE id = $1', values: [6] })).rows).toEqual([
      { status: 'pending' },
    ]);
  });

  it('keeps answers in order for pipelined queries', async () => {
    const client = await connectAs('ext-pipe', ['db:read']);
    const results = await Promise.allSettled([
      client.query({ text: 'SELECT $1::int AS n', values: [1] }),
      client.query('SELECT 2 AS n'),
      client.query({ text: 'INSERT INTO public.audit_log (actor, action) VALUES ($1, $2)', values: ['p', 'pipe'] }),
      client.query({ text: 'SELECT $1::int AS n', values: [4] }),
    ]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value.rows : (r.reason as DatabaseError).code))).toEqual([
      [{ n: 1 }],
      [{ n: 2 }],
      '42501',
      [{ n: 4 }],
    ]);
    expect(await markers('pipe')).toBe(0);
  });
});
