// End-to-end tests of issue 10 §2 "masked values must not reach the agent by any path": with the
// shipped policies (public.customers email and card_number masked), every use of a masked column
// other than a plain result column (a filter, a cast, ordering, grouping, a join key, an aggregate,
// a side-effecting function, a stored value) is refused with 42501 and rule pii.masked_use over
// the simple and the extended protocol, and never reaches PostgreSQL (no backend ever ran the
// marked statement, settings and notifications stay untouched, no row changes); harmless reads
// still pass, with masking.

import pg from 'pg';
import type { Notification } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure, useAgents, useStack } from './helpers.js';

const stack = useStack();
const agents = useAgents(stack);
let direct: pg.Client;
const notifications: Notification[] = [];

beforeAll(async () => {
  direct = new pg.Client(stack.current.superuserConfig());
  await direct.connect();
  direct.on('notification', (n) => notifications.push(n));
  await direct.query('LISTEN c');
});

afterAll(async () => {
  await direct?.end().catch(() => undefined);
});

/** connectAs opens a session whose application_name the ParameterStatus case checks stays unchanged. */
function connectAs(sub: string, roles: readonly string[]): Promise<pg.Client> {
  return agents(sub, roles, { application_name: 'masked-uses' });
}

/** reachedPostgres tells whether any backend (but this one) has a statement holding the marker as its query. */
async function reachedPostgres(marker: string): Promise<boolean> {
  const r = await direct.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND query LIKE '%' || $1 || '%'",
    [marker],
  );
  return (r.rows[0]?.n ?? 0) > 0;
}

const PROTOCOLS = [
  { protocol: 'simple', config: (text: string): pg.QueryConfig => ({ text }) },
  { protocol: 'extended', config: (text: string): pg.QueryConfig => ({ text, queryMode: 'extended' }) as pg.QueryConfig },
] as const;

const READ = ['db:read'];
// set_config and pg_notify are denied to readers by the functions rule already (functions.server);
// a writer may call them, so these cases show the masked-use rule on its own
const WRITE = ['db:write'];

// Each attack: the statement, the roles it is tried with (db:read unless said), the masked column the
// reason names (a regular expression; email unless said) and a check that it had no effect.
const ATTACKS: { note: string; sql: string; roles?: readonly string[]; column?: string; after?: (c: pg.Client) => Promise<void> }[] = [
  { note: 'LIKE oracle', sql: "SELECT count(*) FROM customers WHERE card_number LIKE '4111%'", column: 'card_number' },
  { note: 'cast to int in WHERE', sql: 'SELECT id FROM customers WHERE email::int = 1' },
  { note: 'cast to date in WHERE', sql: 'SELECT id FROM customers WHERE email::date IS NOT NULL' },
  { note: 'cast to regclass', sql: 'SELECT id FROM customers WHERE email::regclass IS NOT NULL' },
  { note: 'ORDER BY a cast', sql: 'SELECT id FROM customers ORDER BY email::int' },
  { note: 'HAVING over an aggregate cast', sql: 'SELECT count(*) FROM customers HAVING max(email)::int = 1' },
  {
    note: 'set_config of a custom setting',
    roles: WRITE,
    sql: "SELECT set_config('my.x', email, false) FROM customers",
    after: async (c) => expect((await c.query("SELECT current_setting('my.x', true) AS v")).rows).toEqual([{ v: null }]),
  },
  {
    note: 'set_config of application_name (ParameterStatus)',
    roles: WRITE,
    sql: "SELECT set_config('application_name', email, false) FROM customers",
    after: async (c) => expect((await c.query('SHOW application_name')).rows).toEqual([{ application_name: 'masked-uses' }]),
  },
  {
    note: 'pg_notify',
    roles: WRITE,
    sql: "SELECT pg_notify('c', email) FROM customers",
    after: async () => {
      await direct.query('SELECT 1'); // notifications arrive before the next response
      expect(notifications).toEqual([]);
    },
  },
  { note: 'ORDER BY the column', sql: 'SELECT id FROM customers ORDER BY email' },
  { note: 'ORDER BY an output alias', sql: 'SELECT email AS e FROM customers ORDER BY e' },
  { note: 'ORDER BY a position', sql: 'SELECT id, email FROM customers ORDER BY 2' },
  { note: 'ORDER BY a position into *', sql: 'SELECT * FROM customers ORDER BY 3', column: '(email|card_number)' },
  { note: 'GROUP BY a position', sql: 'SELECT email, count(*) FROM customers GROUP BY 1' },
  { note: 'GROUP BY the column', sql: 'SELECT count(*) FROM customers GROUP BY email' },
  { note: 'DISTINCT', sql: 'SELECT DISTINCT email FROM customers' },
  { note: 'DISTINCT ON', sql: 'SELECT DISTINCT ON (card_number) id FROM customers', column: 'card_number' },
  { note: 'a join key (ON)', sql: 'SELECT o.id FROM orders o JOIN customers c ON c.email = o.status' },
  { note: 'a join key (USING)', sql: 'SELECT 1 FROM customers a JOIN customers b USING (email)' },
  { note: 'window PARTITION BY', sql: 'SELECT id, row_number() OVER (PARTITION BY email) FROM customers' },
  { note: 'window ORDER BY', sql: 'SELECT id, rank() OVER (ORDER BY card_number) FROM customers', column: 'card_number' },
  { note: 'max()', sql: 'SELECT max(email) FROM customers' },
  { note: 'count(column)', sql: 'SELECT count(card_number) FROM customers', column: 'card_number' },
  { note: 'string_agg()', sql: "SELECT string_agg(email, ',') FROM customers" },
  {
    note: "a subquery's WHERE",
    sql: "SELECT count(*) FROM orders WHERE customer_id IN (SELECT id FROM customers WHERE email LIKE 'a%')",
  },
  { note: 'a CTE column', sql: "WITH x AS (SELECT email FROM customers) SELECT 1 FROM x WHERE email LIKE 'a%'" },
  { note: 'a subquery alias', sql: "SELECT 1 FROM (SELECT email AS m FROM customers) s WHERE m LIKE 'a%'" },
  { note: 'a FROM alias column list', sql: "SELECT 1 FROM customers AS c(i, n, e) WHERE e LIKE 'a%'", column: '(email|card_number)' },
  {
    note: 'an unqualified name in a join',
    sql: "SELECT 1 FROM customers c JOIN orders o ON o.customer_id = c.id WHERE email LIKE 'a%'",
  },
  {
    note: 'a discarded expression',
    roles: WRITE,
    sql: "SELECT 1 FROM (SELECT set_config('a.b', email, false) FROM customers) s",
    after: async (c) => expect((await c.query("SELECT current_setting('a.b', true) AS v")).rows).toEqual([{ v: null }]),
  },
  {
    note: 'a function in FROM',
    roles: WRITE,
    sql: "SELECT 1 FROM customers c, LATERAL set_config('a.c', c.email, false) s",
    after: async (c) => expect((await c.query("SELECT current_setting('a.c', true) AS v")).rows).toEqual([{ v: null }]),
  },
  { note: 'INTERSECT', sql: "SELECT email FROM customers INTERSECT SELECT 'ada@example.com'" },
  {
    note: 'UPDATE … SET another column',
    sql: 'UPDATE customers SET name = email WHERE id = 1',
    roles: ['db:write'],
    after: async () => expect((await direct.query('SELECT name FROM customers WHERE id = 1')).rows).toEqual([{ name: 'Ada Lovelace' }]),
  },
  {
    note: 'INSERT … SELECT',
    sql: "INSERT INTO audit_log (actor, action) SELECT 'agent', email FROM customers",
    roles: ['db:write'],
    after: async () =>
      expect((await direct.query("SELECT count(*)::int AS n FROM audit_log WHERE action LIKE '%@%'")).rows).toEqual([{ n: 0 }]),
  },
  { note: 'CREATE TABLE AS', sql: 'CREATE TABLE leak_ctas AS SELECT email FROM customers', roles: ['db:admin'] },
  { note: 'SELECT INTO', sql: 'SELECT email INTO leak_into FROM customers', roles: ['db:admin'] },
];

describe.each(PROTOCOLS)('masked columns: refused uses ($protocol protocol)', ({ protocol, config }) => {
  it.each(ATTACKS)('refuses $note', async ({ note, sql, roles, column, after }) => {
    const marker = `mu-${protocol}-${note.replace(/[^a-z0-9]+/gi, '-')}`;
    const client = await connectAs(`masked-uses-${protocol}`, roles ?? READ);
    const err = await failure(client.query(config(`/* ${marker} */ ${sql}`)));
    expect(err.code).toBe('42501');
    expect(err.detail).toBe('rule: pii.masked_use');
    expect(err.message).toMatch(
      new RegExp(`^column public\\.customers\\.${column ?? 'email'} is masked and cannot be used .*select the column itself`),
    );
    expect(await reachedPostgres(marker)).toBe(false);
    await after?.(client);
  });

  it('leaves no table created by a refused CREATE TABLE AS / SELECT INTO', async () => {
    const r = await direct.query("SELECT count(*)::int AS n FROM pg_class WHERE relname IN ('leak_ctas', 'leak_into')");
    expect(r.rows).toEqual([{ n: 0 }]);
  });
});

const HARMLESS: { note: string; sql: string; rows: unknown[] }[] = [
  { note: 'a masked column selected', sql: 'SELECT email FROM customers WHERE id = 1', rows: [{ email: '***********.com' }] },
  {
    note: 'SELECT *',
    sql: 'SELECT * FROM customers WHERE id = 1',
    rows: [expect.objectContaining({ id: 1, email: '***********.com', card_number: '************1111' })],
  },
  {
    note: 'a join, filter and order over unmasked columns',
    sql: "SELECT c.name, o.amount FROM customers c JOIN orders o ON o.customer_id = c.id WHERE c.name LIKE 'A%' ORDER BY o.amount, c.name",
    rows: [
      { name: 'Ada Lovelace', amount: '35.50' },
      { name: 'Ada Lovelace', amount: '120.00' },
      { name: 'Alan Turing', amount: '999.99' },
    ],
  },
  {
    note: 'an aggregate grouped by an unmasked column',
    sql: 'SELECT customer_id, sum(amount) AS total FROM orders WHERE customer_id = 1 GROUP BY customer_id',
    rows: [{ customer_id: 1, total: '155.50' }],
  },
  { note: 'count(*)', sql: 'SELECT count(*)::int AS n FROM customers WHERE id <= 5', rows: [{ n: 5 }] },
  { note: 'now()', sql: 'SELECT now() IS NOT NULL AS ok', rows: [{ ok: true }] },
  {
    note: 'a masked column ordered by an unmasked one',
    sql: 'SELECT email AS e FROM customers WHERE id IN (1, 2) ORDER BY name DESC',
    rows: [{ e: '************.com' }, { e: '***********.com' }],
  },
];

describe.each(PROTOCOLS)('masked columns: harmless reads pass ($protocol protocol)', ({ config }) => {
  it.each(HARMLESS)('allows $note', async ({ sql, rows }) => {
    const client = await connectAs('masked-uses-reader', READ);
    expect((await client.query(config(sql))).rows).toEqual(rows);
  });

  it('lets an identity with pii:read filter on a masked column', async () => {
    const client = await connectAs('masked-uses-support', ['db:read', 'pii:read']);
    const r = await client.query(config("SELECT id FROM customers WHERE card_number LIKE '4111%'"));
    expect(r.rows).toEqual([{ id: 1 }]);
  });
});
