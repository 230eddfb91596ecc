// End-to-end tests of catalog-backed function and view facts (issue 10): what a statement's
// functions do comes from pg_proc (volatility, SECURITY DEFINER, EXECUTE for PUBLIC, built in),
// views are followed into the tables they read (so masks, functions and statistics follow them),
// and the shipped policy denies on that principle. Every refusal is the gateway's 42501 with the
// rule in the detail, over the simple and the extended protocol, and never reaches PostgreSQL
// (each case checks a side effect that did not happen). Real PostgreSQL, real gateway, `pg`.

import pg from 'pg';
import type { DatabaseError } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compilePolicies, failure, havePsql, REPO_POLICIES, runPsql, useAgents, useStack } from './helpers.js';
import type { Decide } from '../../proxy/index.js';

let policy: Decide | undefined;
const stack = useStack({
  decide: (input) => {
    if (policy === undefined) throw new Error('policy not compiled yet');
    return policy(input);
  },
});
const connectAs = useAgents(stack);
let direct: pg.Client;

const SETUP = `
CREATE SEQUENCE public.e2e_seq;
CREATE FUNCTION public.touch_audit(note text) RETURNS int LANGUAGE sql VOLATILE
  AS $$ INSERT INTO public.audit_log (actor, action) VALUES ('function', note) RETURNING 1 $$;
CREATE FUNCTION public.shout(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT upper(t) $$;
CREATE FUNCTION public.as_owner() RETURNS int LANGUAGE sql STABLE SECURITY DEFINER AS $$ SELECT 1 $$;
CREATE FUNCTION public.touch_op(a int, b int) RETURNS int LANGUAGE sql VOLATILE
  AS $$ INSERT INTO public.audit_log (actor, action) VALUES ('function', 'operator') RETURNING a + b $$;
CREATE OPERATOR public.#%# (LEFTARG = int, RIGHTARG = int, FUNCTION = public.touch_op);
CREATE VIEW public.v_customers AS SELECT * FROM public.customers;
CREATE VIEW public.v_contacts AS SELECT id, name, email AS contact FROM public.v_customers;
CREATE VIEW public.v_loud AS SELECT id, upper(email) AS loud FROM public.customers;
CREATE VIEW public.v_touch AS SELECT id, public.touch_audit('through a view') AS t FROM public.orders;
GRANT ALL ON ALL TABLES IN SCHEMA public TO PUBLIC;
GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO PUBLIC;
`;

beforeAll(async () => {
  policy = await compilePolicies(REPO_POLICIES);
  direct = new pg.Client(stack.current.superuserConfig());
  await direct.connect();
  await direct.query(SETUP);
}, 60_000);

afterAll(async () => {
  await direct?.end().catch(() => undefined);
});

/** sideEffects reads everything the refused statements below would change if they ran. */
async function sideEffects(): Promise<Record<string, unknown>> {
  const r = await direct.query(
    `SELECT (SELECT last_value FROM public.e2e_seq) AS seq, (SELECT is_called FROM public.e2e_seq) AS called,
            (SELECT count(*)::int FROM public.audit_log WHERE actor = 'function') AS touched,
            (SELECT count(*)::int FROM pg_catalog.pg_largeobject_metadata) AS large_objects`,
  );
  return r.rows[0] as Record<string, unknown>;
}

const PROTOCOLS = [
  { protocol: 'simple', run: (c: pg.Client, sql: string) => c.query(sql) },
  { protocol: 'extended', run: (c: pg.Client, sql: string) => c.query({ text: sql, values: [] }) },
] as const;

describe('functions: what the catalog says decides', () => {
  const refused = [
    // server administration and other sessions
    {
      note: 'pg_terminate_backend',
      roles: ['db:write'],
      sql: 'SELECT pg_terminate_backend(pg_backend_pid() + 1)',
      rule: 'functions.server',
    },
    {
      note: 'pg_cancel_backend over pg_stat_activity',
      roles: ['db:admin'],
      sql: 'SELECT pg_cancel_backend(pid) FROM pg_stat_activity',
      rule: 'functions.server',
    },
    {
      note: "reading pg_stat_activity (another session's text)",
      roles: ['db:read'],
      sql: 'SELECT query FROM pg_stat_activity',
      rule: 'functions.server',
    },
    {
      note: 'pg_catalog.pg_stat_activity, qualified',
      roles: ['db:write'],
      sql: 'SELECT pid FROM pg_catalog.pg_stat_activity',
      rule: 'functions.server',
    },
    // host access, in every spelling
    { note: 'pg_read_file', roles: ['db:admin'], sql: "SELECT pg_read_file('/etc/hostname')", rule: 'functions.server' },
    { note: 'PG_READ_FILE upper case', roles: ['db:read'], sql: "SELECT PG_READ_FILE('/etc/hostname')", rule: 'functions.server' },
    {
      note: 'schema-qualified',
      roles: ['db:read'],
      sql: "SELECT pg_catalog.pg_read_binary_file('/etc/hostname')",
      rule: 'functions.server',
    },
    { note: 'quoted', roles: ['db:read'], sql: 'SELECT "pg_read_file"(\'/etc/hostname\')', rule: 'functions.server' },
    { note: 'in ROWS FROM', roles: ['db:read'], sql: "SELECT * FROM ROWS FROM (pg_ls_dir('.')) AS d", rule: 'functions.server' },
    { note: 'in a cast', roles: ['db:read'], sql: "SELECT CAST(pg_read_file('/etc/hostname') AS varchar)", rule: 'functions.server' },
    { note: 'in a subquery', roles: ['db:read'], sql: "SELECT (SELECT pg_ls_dir('.') LIMIT 1)", rule: 'functions.server' },
    { note: 'lo_import', roles: ['db:admin'], sql: "SELECT lo_import('/etc/hostname')", rule: 'functions.server' },
    { note: 'lo_export', roles: ['db:admin'], sql: "SELECT lo_export(1, '/tmp/portcullis-e2e-lo')", rule: 'functions.server' },
    // writes through functions
    { note: 'nextval by a reader', roles: ['db:read'], sql: "SELECT nextval('public.e2e_seq')", rule: 'functions.server' },
    { note: 'setval by a reader', roles: ['db:read'], sql: "SELECT setval('public.e2e_seq', 42)", rule: 'functions.server' },
    { note: 'lo_from_bytea', roles: ['db:write'], sql: "SELECT lo_from_bytea(0, 'x')", rule: 'functions.server' },
    { note: 'pg_notify by a reader', roles: ['db:read'], sql: "SELECT pg_notify('e2e', 'x')", rule: 'functions.server' },
    { note: 'pg_sleep', roles: ['db:write'], sql: 'SELECT pg_sleep(5)', rule: 'functions.server' },
    { note: 'advisory locks', roles: ['db:write'], sql: 'SELECT pg_advisory_lock(1)', rule: 'functions.server' },
    {
      note: 'a writing user function from SELECT',
      roles: ['db:read'],
      sql: "SELECT public.touch_audit('select')",
      rule: 'functions.read_only',
    },
    { note: 'unqualified', roles: ['db:read'], sql: "SELECT touch_audit('unqualified')", rule: 'functions.read_only' },
    { note: 'from a CTE', roles: ['db:read'], sql: "WITH t AS (SELECT touch_audit('cte')) SELECT * FROM t", rule: 'functions.read_only' },
    {
      note: 'under EXPLAIN ANALYZE',
      roles: ['db:read'],
      sql: "EXPLAIN ANALYZE SELECT touch_audit('explain')",
      rule: 'functions.read_only',
    },
    { note: 'through a view', roles: ['db:read'], sql: 'SELECT id FROM public.v_touch', rule: 'functions.read_only' },
    {
      note: 'in WHERE',
      roles: ['db:read'],
      sql: "SELECT id FROM public.orders WHERE touch_audit('where') = 1",
      rule: 'functions.read_only',
    },
    { note: 'SECURITY DEFINER', roles: ['db:admin'], sql: 'SELECT public.as_owner()', rule: 'functions.security_definer' },
    { note: 'an unknown function by a reader', roles: ['db:read'], sql: 'SELECT public.no_such_function()', rule: 'functions.read_only' },
    // statistics hold samples of masked columns
    {
      note: 'pg_stats',
      roles: ['db:read'],
      sql: "SELECT most_common_vals FROM pg_stats WHERE tablename = 'customers'",
      rule: 'statistics.masked_values',
    },
    { note: 'pg_statistic', roles: ['db:admin'], sql: 'SELECT stavalues1 FROM pg_catalog.pg_statistic', rule: 'statistics.masked_values' },
  ];

  for (const { protocol, run } of PROTOCOLS) {
    it.each(refused)(
      `refuses $note ($protocol protocol) with $rule, nothing upstream`.replace('$protocol', protocol),
      async ({ roles, sql, rule }) => {
        const before = await sideEffects();
        const client = await connectAs(`fn-${protocol}`, roles);
        const err = await failure(run(client, sql));
        expect(err.code).toBe('42501');
        expect(err.detail).toBe(`rule: ${rule}`);
        expect(await sideEffects()).toEqual(before);
        expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      },
    );
  }

  it('the session that would have been terminated is still there', async () => {
    const writer = await connectAs('fn-terminate', ['db:write']);
    const pids = await direct.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE application_name = 'portcullis catalog'");
    for (const { pid } of pids.rows) {
      expect((await failure(writer.query(`SELECT pg_terminate_backend(${pid})`))).detail).toBe('rule: functions.server');
    }
    expect(
      (await direct.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'portcullis catalog'"))
        .rows[0]?.n,
    ).toBe(pids.rows.length);
  });

  it.each([
    {
      note: 'now() and count(*)',
      roles: ['db:read'],
      sql: 'SELECT count(*)::int AS n, now() IS NOT NULL AS t FROM public.orders',
      rows: [{ n: 6, t: true }],
    },
    { note: 'immutable user function', roles: ['db:read'], sql: "SELECT public.shout('a') AS s", rows: [{ s: 'A' }] },
    {
      note: 'stable catalog functions (psql \\d style)',
      roles: ['db:read'],
      sql: "SELECT pg_catalog.format_type(atttypid, atttypmod) AS t FROM pg_catalog.pg_attribute WHERE attrelid = 'public.orders'::regclass AND attname = 'amount'",
      rows: [{ t: 'numeric(12,2)' }],
    },
    { note: 'random() (granted to every identity)', roles: ['db:read'], sql: 'SELECT random() < 2 AS ok', rows: [{ ok: true }] },
    { note: 'gen_random_uuid()', roles: ['db:read'], sql: 'SELECT length(gen_random_uuid()::text) AS n', rows: [{ n: 36 }] },
    { note: 'a writing function by a writer', roles: ['db:write'], sql: "SELECT public.touch_audit('writer') AS t", rows: [{ t: 1 }] },
    { note: 'currval by a writer', roles: ['db:write'], sql: "SELECT setval('public.e2e_seq', 7) AS v", rows: [{ v: '7' }] },
  ])('allows $note, simple and extended', async ({ roles, sql, rows }) => {
    const client = await connectAs('fn-allowed', roles);
    expect((await client.query(sql)).rows).toEqual(rows);
    expect((await client.query({ text: sql, values: [] })).rows).toEqual(rows);
  });
});

describe('views: lineage follows a view into the tables it reads', () => {
  it.each([
    {
      note: 'SELECT * from a view over a masked table',
      sql: 'SELECT * FROM public.v_customers WHERE id = 1',
      column: 'email',
      value: '***********.com',
    },
    {
      note: 'a view column that renames a masked column, through two views',
      sql: 'SELECT contact FROM public.v_contacts WHERE id = 1',
      column: 'contact',
      value: '***********.com',
    },
    {
      note: 'an aliased view column',
      sql: 'SELECT c.email AS e FROM public.v_customers c WHERE id = 1',
      column: 'e',
      value: '***********.com',
    },
  ])('masks $note, simple and extended', async ({ sql, column, value }) => {
    const client = await connectAs('view-reader', ['db:read']);
    for (const { run } of PROTOCOLS) {
      const res = await run(client, sql);
      expect(res.rows[0]?.[column]).toBe(value);
    }
  });

  it.skipIf(!havePsql)('masks COPY (SELECT * FROM view) TO STDOUT through the view (psql)', async () => {
    const sql = 'COPY (SELECT id, contact FROM public.v_contacts JOIN public.v_customers USING (id) WHERE id = 1) TO STDOUT';
    const r = await runPsql(stack, sql, ['db:read'], { sub: 'view-copy' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('1\t***********.com\n');
  });

  it('refuses expressions over a masked column reached through a view', async () => {
    const client = await connectAs('view-expr', ['db:read']);
    const res = await failure(client.query('SELECT upper(email) FROM public.v_customers'));
    expect(res.code).toBe('42501');
    const loud = await client.query('SELECT loud FROM public.v_loud WHERE id = 1').catch((e: DatabaseError) => e);
    // a view column computed from a masked column never shows the value
    if (loud instanceof Error) expect((loud as DatabaseError).code).toBe('42501');
    else expect(JSON.stringify(loud.rows)).not.toMatch(/ADA@|ada@/i);
  });

  it.each(PROTOCOLS)('a write through a view is a write to the tables under it ($protocol)', async ({ run }) => {
    const writer = await connectAs('view-writer', ['db:write']);
    const err = await failure(run(writer, "UPDATE public.v_contacts SET name = 'changed' WHERE id = 2"));
    expect(err.detail).toBe('rule: production.write');
    const r = await direct.query('SELECT name FROM public.customers WHERE id = 2');
    expect(r.rows).toEqual([{ name: 'Alan Turing' }]);
  });

  it('shows the values to an identity with pii:read', async () => {
    const client = await connectAs('view-pii', ['db:read', 'pii:read']);
    const res = await client.query('SELECT contact FROM public.v_contacts WHERE id = 1');
    expect(res.rows).toEqual([{ contact: 'ada@example.com' }]);
  });

  it('tells the policy which functions a statement calls (as the catalog says) and which tables a view reads', async () => {
    const client = await connectAs('view-facts', ['db:read']);
    await client.query('SELECT lower(name) FROM public.v_contacts WHERE id = 1');
    const decided = stack.current.events.filter((e) => e.type === 'statement.decided' && e.subject === 'view-facts');
    const last = decided.at(-1);
    expect(last?.type === 'statement.decided' ? last.statement.tables.read : []).toEqual([
      'public.customers',
      'public.v_contacts',
      'public.v_customers',
    ]);
  });
});
