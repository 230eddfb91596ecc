// proxy/catalog against a real PostgreSQL: RowDescription (table OID, attnum) → schema.table and
// column, column lists by schema and table name in quoted literals (names with quotes, backslashes
// and dots), caching and invalidation, reconnection after the connection dies, and failing
// closed (undefined) when the upstream is unreachable.

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usePostgres } from '../../helpers/postgres.js';
import { createCatalog, quoteLiteral } from '../../../proxy/catalog/index.js';
import type { Catalog } from '../../../proxy/catalog/index.js';
import { connectUpstream } from '../../../proxy/upstream/index.js';

const schemaSql = `
CREATE SCHEMA "we'ird\\sch";
CREATE TABLE public.customers (id int, email text, dropped text, card text);
ALTER TABLE public.customers DROP COLUMN dropped;
CREATE TABLE "we'ird\\sch"."Mixed ""Case"".t" ("Col One" int, "x\\y" text);
CREATE VIEW public.v_mail AS SELECT id, email AS mail FROM public.customers;
CREATE FUNCTION public.bump(int) RETURNS int LANGUAGE sql VOLATILE AS $$ SELECT $1 + 1 $$;
CREATE FUNCTION public.bump(text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT $1 $$;
CREATE FUNCTION public."Shout"() RETURNS int LANGUAGE sql STABLE SECURITY DEFINER AS $$ SELECT 1 $$;
`;

describe('quoteLiteral', () => {
  it.each([
    { note: 'plain', value: 'abc', want: "'abc'" },
    { note: 'quote doubled', value: "it's", want: "'it''s'" },
    { note: 'backslash uses E and doubles', value: 'a\\b', want: "E'a\\\\b'" },
    { note: 'both', value: "a'\\", want: "E'a''\\\\'" },
  ])('$note', ({ value, want }) => {
    expect(quoteLiteral(value)).toBe(want);
  });

  it('refuses NUL', () => {
    expect(() => quoteLiteral('a\0b')).toThrow(TypeError);
  });
});

describe('createCatalog', () => {
  const db = usePostgres({ schemaSql, users: [{ name: 'cat', password: 'cat-pw' }] });
  let su: pg.Client;
  let catalog: Catalog;
  let connects = 0;
  const oidOf = async (regclass: string): Promise<number> =>
    Number((await su.query<{ oid: string }>('SELECT to_regclass($1)::oid AS oid', [regclass])).rows[0]?.oid);

  beforeAll(async () => {
    su = new pg.Client(db.current.connectionString());
    await su.connect();
    catalog = createCatalog(() => {
      connects += 1;
      return connectUpstream({
        host: db.current.host,
        port: db.current.port,
        database: db.current.database,
        user: 'cat',
        password: 'cat-pw',
        applicationName: 'catalog-test',
        connectTimeoutMs: 5_000,
      });
    });
  });
  afterAll(async () => {
    catalog.close();
    await su.end();
  });

  it('resolves columns by table OID and attribute number, lazily connecting once', async () => {
    expect(connects).toBe(0);
    const oid = await oidOf('public.customers');
    const weird = await oidOf(`"we'ird\\sch"."Mixed ""Case"".t"`);
    const cases = [
      { oid, attnum: 1, want: { table: 'public.customers', column: 'id' } },
      { oid, attnum: 2, want: { table: 'public.customers', column: 'email' } },
      { oid, attnum: 3, want: undefined }, // dropped
      { oid, attnum: 4, want: { table: 'public.customers', column: 'card' } },
      { oid, attnum: 99, want: undefined },
      { oid: 0, attnum: 1, want: undefined },
      { oid, attnum: 0, want: undefined },
      { oid, attnum: -1, want: undefined }, // system column
      { oid: 4_294_967_296, attnum: 1, want: undefined },
      { oid: 1.5, attnum: 1, want: undefined },
      { oid: weird, attnum: 2, want: { table: `we'ird\\sch.Mixed "Case".t`, column: 'x\\y' } },
    ];
    const got = await Promise.all(cases.map((c) => catalog.resolveColumn(c.oid, c.attnum)));
    expect(got).toEqual(cases.map((c) => c.want));
    expect(connects).toBe(1);
  });

  it.each([
    { note: 'a plain table', table: 'public.customers', want: ['id', 'email', 'card'] },
    { note: 'quotes, backslashes and a dot in names', table: `we'ird\\sch.Mixed "Case".t`, want: ['Col One', 'x\\y'] },
    { note: 'an unknown table', table: 'public.nope', want: undefined },
    { note: 'an injection attempt', table: "public.x') OR true --", want: undefined },
    { note: 'no schema', table: 'customers', want: undefined },
  ])('lists the columns of $note', async ({ table, want }) => {
    expect(await catalog.columnsOf(table)).toEqual(want);
  });

  it('serves from the cache until invalidated', async () => {
    await su.query('CREATE TABLE public.temp_t (a int, b int)');
    const oid = await oidOf('public.temp_t');
    expect(await catalog.resolveColumn(oid, 2)).toEqual({ table: 'public.temp_t', column: 'b' });
    expect(await catalog.columnsOf('public.temp_t')).toEqual(['a', 'b']);
    await su.query('ALTER TABLE public.temp_t RENAME COLUMN b TO c');
    expect(await catalog.resolveColumn(oid, 2)).toEqual({ table: 'public.temp_t', column: 'b' });
    expect(await catalog.columnsOf('public.temp_t')).toEqual(['a', 'b']);
    catalog.invalidate();
    expect(await catalog.resolveColumn(oid, 2)).toEqual({ table: 'public.temp_t', column: 'c' });
    expect(await catalog.columnsOf('public.temp_t')).toEqual(['a', 'c']);
  });

  it('reconnects after its connection was terminated', async () => {
    await su.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'catalog-test'");
    await new Promise((r) => setTimeout(r, 100));
    catalog.invalidate();
    const before = connects;
    expect(await catalog.resolveColumn(await oidOf('public.customers'), 2)).toEqual({ table: 'public.customers', column: 'email' });
    expect(connects).toBe(before + 1);
  });

  it.each([
    {
      note: 'a volatile built-in',
      schema: '',
      name: 'nextval',
      want: [{ schema: 'pg_catalog', volatility: 'volatile', publicExecute: true, builtin: true, securityDefiner: false }],
    },
    {
      note: 'a privileged built-in',
      schema: 'pg_catalog',
      name: 'pg_read_file',
      want: [{ schema: 'pg_catalog', volatility: 'volatile', publicExecute: false, builtin: true }],
    },
    { note: 'a stable built-in', schema: '', name: 'now', want: [{ schema: 'pg_catalog', volatility: 'stable', builtin: true }] },
    {
      note: 'overloads: the least safe wins',
      schema: 'public',
      name: 'bump',
      want: [{ schema: 'public', volatility: 'volatile', builtin: false, kinds: ['function'] }],
    },
    {
      note: 'a quoted, mixed-case SECURITY DEFINER function',
      schema: '',
      name: 'Shout',
      want: [{ schema: 'public', volatility: 'stable', securityDefiner: true }],
    },
    { note: 'no such function', schema: '', name: 'shout', want: [] },
    { note: 'an aggregate', schema: 'pg_catalog', name: 'count', want: [{ kinds: ['aggregate'], volatility: 'immutable' }] },
  ])('describes functions: $note', async ({ schema, name, want }) => {
    const got = await catalog.routines(schema, name);
    expect(got).toEqual(want.map((w) => expect.objectContaining({ name, ...w })));
    // a second answer comes from the cache, synchronously
    expect(catalog.routines(schema, name)).toEqual(got);
  });

  it('describes relations: kind, columns and a view definition with qualified names', async () => {
    const view = await catalog.relation('public.v_mail');
    expect(view).toMatchObject({ kind: 'view', columns: ['id', 'mail'] });
    expect(view?.definition).toMatch(/FROM public\.customers/);
    expect(await catalog.relation('public.customers')).toEqual({ kind: 'table', columns: ['id', 'email', 'card'] });
    expect(await catalog.relation('public.nope')).toBeNull();
    expect(catalog.relation('not-qualified')).toBeNull();
    const system = await catalog.systemRelations();
    expect(system?.has('pg_stats')).toBe(true);
    expect(system?.has('customers')).toBe(false);
    expect(catalog.systemRelations()).toBe(system);
  });

  it('answers undefined (and does not cache) while the upstream is unreachable', async () => {
    const events: unknown[] = [];
    let reachable = false;
    const flaky = createCatalog(
      () =>
        connectUpstream({
          host: db.current.host,
          port: reachable ? db.current.port : 1,
          database: db.current.database,
          user: 'cat',
          password: 'cat-pw',
          connectTimeoutMs: 2_000,
        }),
      { events: { publish: (e) => events.push(e) } },
    );
    const oid = await oidOf('public.customers');
    expect(await flaky.resolveColumn(oid, 2)).toBeUndefined();
    expect(await flaky.columnsOf('public.customers')).toBeUndefined();
    expect(events).toHaveLength(2);
    reachable = true;
    expect(await flaky.resolveColumn(oid, 2)).toEqual({ table: 'public.customers', column: 'email' });
    flaky.close();
  });
});
