// analyze() with a catalog snapshot: unqualified names PostgreSQL finds in pg_catalog first,
// views walked as their definitions (lineage, tables and calls follow them, recursively; a view
// inside itself or past the depth limit is opaque), and calls as written.

import { beforeAll, describe, expect, it } from 'vitest';
import { analyze, initSql, type CatalogSnapshot, type StatementFacts } from '../../../proxy/sql/index.js';

beforeAll(async () => {
  await initSql();
});

const VIEWS: CatalogSnapshot['views'] = new Map([
  [
    'public.v_customers',
    { columns: ['id', 'name', 'email'], sql: ' SELECT customers.id, customers.name, customers.email FROM public.customers;' },
  ],
  ['public.v_contacts', { columns: ['id', 'contact'], sql: 'SELECT v.id, v.email AS contact FROM public.v_customers v' }],
  ['public.v_loud', { columns: ['loud'], sql: 'SELECT upper(customers.email) AS loud FROM public.customers' }],
  ['public.v_self', { columns: ['x'], sql: 'SELECT x FROM public.v_self' }],
  ['public.v_stats', { columns: ['n'], sql: 'SELECT count(*) AS n FROM pg_stats' }],
]);
const CATALOG: CatalogSnapshot = { systemRelations: new Set(['pg_stats', 'pg_class', 'pg_statistic']), views: VIEWS };

function one(sql: string, catalog: CatalogSnapshot | null = CATALOG): StatementFacts {
  const r = analyze(sql, catalog !== null ? { catalog } : {});
  if (!r.ok) throw new Error(`unexpected ${r.error.code}: ${r.error.message}`);
  return r.statements[0] as StatementFacts;
}

const EMAIL = { table: 'public.customers', column: 'email' };

describe('analysis with the catalog', () => {
  it.each([
    { note: 'an unqualified system relation', sql: 'SELECT * FROM pg_stats', read: ['pg_catalog.pg_stats'] },
    { note: 'the same without the catalog', sql: 'SELECT * FROM pg_stats', read: ['public.pg_stats'], catalog: null },
    { note: 'a qualified name is kept', sql: 'SELECT * FROM public.pg_class', read: ['public.pg_class'] },
    { note: 'a user table', sql: 'SELECT * FROM customers', read: ['public.customers'] },
    { note: 'a view and what it reads', sql: 'SELECT * FROM v_customers', read: ['public.customers', 'public.v_customers'] },
    {
      note: 'views under views',
      sql: 'SELECT contact FROM v_contacts',
      read: ['public.customers', 'public.v_contacts', 'public.v_customers'],
    },
    { note: 'a view of a system view', sql: 'SELECT n FROM public.v_stats', read: ['pg_catalog.pg_stats', 'public.v_stats'] },
  ])('tables read: $note', ({ sql, read, ...rest }) => {
    expect(one(sql, 'catalog' in rest ? rest.catalog : CATALOG).tables.read).toEqual(read);
  });

  it.each([
    { note: 'SELECT * from a view', sql: 'SELECT * FROM v_customers', want: [{ name: 'email', source: EMAIL }] },
    { note: 'a renamed column through two views', sql: 'SELECT contact FROM v_contacts', want: [{ name: 'contact', source: EMAIL }] },
    { note: 'an alias list over a view', sql: 'SELECT c FROM v_contacts AS x(i, c)', want: [{ name: 'c', source: EMAIL }] },
    { note: 'an expression inside a view', sql: 'SELECT loud FROM v_loud', want: [{ name: 'loud', derived: [EMAIL] }] },
    { note: 'an expression over a view column', sql: 'SELECT lower(contact) FROM v_contacts', want: [{ name: 'lower', derived: [EMAIL] }] },
  ])('lineage: $note', ({ sql, want }) => {
    const cols = one(sql).output?.columns ?? [];
    for (const w of want) expect(cols).toContainEqual(expect.objectContaining(w));
  });

  it.each([
    { sql: "UPDATE v_contacts SET contact = 'x' WHERE id = 1", written: ['public.customers', 'public.v_contacts', 'public.v_customers'] },
    { sql: "INSERT INTO v_customers (id, name, email) VALUES (1, 'a', 'b')", written: ['public.customers', 'public.v_customers'] },
    { sql: 'DELETE FROM v_customers WHERE id = 1', written: ['public.customers', 'public.v_customers'] },
  ])('writing a view writes the tables under it: $sql', ({ sql, written }) => {
    expect(one(sql).tables.written).toEqual(written);
  });

  it('keeps a view met inside itself opaque (its whole row), without looping', () => {
    const f = one('SELECT x FROM v_self');
    expect(f.tables.read).toEqual(['public.v_self']);
    expect(f.output?.wholeRow).toBe(true);
  });

  it.each([
    {
      sql: "SELECT \"Foo\"(1), pg_catalog.lower('a'), LOWER('b')",
      calls: [
        { schema: '', name: 'Foo' },
        { schema: '', name: 'lower' },
        { schema: 'pg_catalog', name: 'lower' },
      ],
    },
    { sql: "SELECT * FROM ROWS FROM (pg_ls_dir('.')) d", calls: [{ schema: '', name: 'pg_ls_dir' }] },
    { sql: "SELECT CAST(pg_read_file('x') AS text)", calls: [{ schema: '', name: 'pg_read_file' }] },
    { sql: 'SELECT loud FROM v_loud', calls: [{ schema: '', name: 'upper' }] },
    { sql: 'SELECT n FROM v_stats', calls: [{ schema: '', name: 'count' }] },
  ])('calls as written: $sql', ({ sql, calls }) => {
    expect(one(sql).calls).toEqual(calls);
  });
});
