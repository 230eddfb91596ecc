// Result-column lineage for masking: which source column each result column is (source), which
// columns are mixed into it (derived), where `*` must be bound later (star), and when a whole
// row reaches the client in a form that cannot be bound (wholeRow).

import { beforeAll, describe, expect, it } from 'vitest';
import { analyze, initSql, type OutputColumn, type StatementFacts } from '../../../proxy/sql/index.js';

beforeAll(async () => {
  await initSql();
});

function one(sql: string): StatementFacts {
  const r = analyze(sql);
  if (!r.ok) throw new Error(`unexpected ${r.error.code}: ${r.error.message}`);
  return r.statements[0] as StatementFacts;
}

/** show renders a result column compactly: `name<-table.col`, `name~[a.b,c.d]`, `*(table)`. */
function show(c: OutputColumn): string {
  const derived = c.derived.length > 0 ? `~[${c.derived.map((d) => `${d.table}.${d.column}`).join(',')}]` : '';
  if (c.star !== undefined) return `${c.position}:*(${c.star.table ?? '?'})${derived}`;
  const source = c.source !== undefined ? `<-${c.source.table}.${c.source.column}` : '';
  return `${c.position}:${c.name}${source}${derived}`;
}

describe('output lineage', () => {
  const cases: ReadonlyArray<{ note: string; sql: string; cols: readonly string[]; wholeRow?: boolean }> = [
    { note: 'plain column', sql: 'SELECT email FROM users', cols: ['1:email<-public.users.email'] },
    { note: 'aliased column', sql: 'SELECT email AS contact FROM users', cols: ['1:contact<-public.users.email'] },
    { note: 'qualified through a table alias', sql: 'SELECT u.email FROM users u', cols: ['1:email<-public.users.email'] },
    { note: 'select *', sql: 'SELECT * FROM users', cols: ['1:*(public.users)'] },
    {
      note: 't.* and a column',
      sql: 'SELECT u.*, o.total FROM users u JOIN orders o ON o.uid = u.id',
      cols: ['1:*(public.users)', '2:total<-public.orders.total'],
    },
    {
      note: '* over a join',
      sql: 'SELECT * FROM users u JOIN orders o ON o.uid = u.id',
      cols: ['1:*(public.users)', '1:*(public.orders)'],
    },
    { note: 'function of a column', sql: 'SELECT upper(email) FROM users', cols: ['1:upper~[public.users.email]'] },
    { note: 'cast', sql: 'SELECT email::text FROM users', cols: ['1:email~[public.users.email]'] },
    {
      note: 'concatenation',
      sql: "SELECT name || ' <' || email || '>' AS who FROM users",
      cols: ['1:who~[public.users.email,public.users.name]'],
    },
    { note: 'aggregate', sql: 'SELECT count(*), max(email) FROM users', cols: ['1:count', '2:max~[public.users.email]'] },
    {
      note: 'case expression',
      sql: "SELECT CASE WHEN vip THEN email ELSE 'x' END FROM users",
      cols: ['1:case~[public.users.email,public.users.vip]'],
    },
    { note: 'scalar subquery', sql: 'SELECT (SELECT email FROM users LIMIT 1) AS e', cols: ['1:e~[public.users.email]'] },
    { note: 'EXISTS yields a boolean', sql: 'SELECT EXISTS (SELECT * FROM users) AS e', cols: ['1:e'] },
    { note: 'subquery column keeps its source', sql: 'SELECT x FROM (SELECT email AS x FROM users) s', cols: ['1:x<-public.users.email'] },
    {
      note: 'subquery expression stays derived',
      sql: 'SELECT s.x FROM (SELECT lower(email) AS x FROM users) s',
      cols: ['1:x~[public.users.email]'],
    },
    { note: 'subquery column alias list', sql: 'SELECT y FROM (SELECT email FROM users) s(y)', cols: ['1:y<-public.users.email'] },
    {
      note: '* over a subquery inlines its columns',
      sql: 'SELECT * FROM (SELECT upper(email) AS e, id FROM users) s',
      cols: ['1:e~[public.users.email]', '1:id<-public.users.id'],
    },
    {
      note: 'column through a subquery *',
      sql: 'SELECT upper(email) FROM (SELECT * FROM users) s',
      cols: ['1:upper~[public.users.email]'],
    },
    { note: 'CTE column', sql: 'WITH w AS (SELECT email AS m FROM users) SELECT m FROM w', cols: ['1:m<-public.users.email'] },
    { note: 'CTE expression', sql: 'WITH w AS (SELECT md5(email) AS m FROM users) SELECT * FROM w', cols: ['1:m~[public.users.email]'] },
    {
      note: 'data-modifying CTE returning *',
      sql: 'WITH d AS (DELETE FROM users WHERE id = 1 RETURNING *) SELECT * FROM d',
      cols: ['1:*(public.users)'],
    },
    {
      note: 'union mixes both sides',
      sql: 'SELECT email FROM users UNION SELECT name FROM users',
      cols: ['1:email~[public.users.email,public.users.name]'],
    },
    {
      note: 'union of the same column keeps it',
      sql: 'SELECT email FROM users UNION ALL SELECT email FROM users',
      cols: ['1:email<-public.users.email'],
    },
    {
      note: 'union through a subquery',
      sql: "SELECT x FROM (SELECT email AS x FROM users UNION ALL SELECT 'a') s",
      cols: ['1:x~[public.users.email]'],
    },
    { note: 'values', sql: "VALUES (1, 'a')", cols: ['1:column1', '2:column2'] },
    { note: 'constant', sql: 'SELECT 1 AS one', cols: ['1:one'] },
    { note: 'ambiguous unqualified column', sql: 'SELECT email FROM users, orders', cols: ['1:email<-.email'] },
    {
      note: 'lateral function over a column',
      sql: 'SELECT e FROM users u, LATERAL unnest(ARRAY[u.email]) e',
      cols: ['1:e~[public.users.email]'],
    },
    {
      note: 'RETURNING',
      sql: 'UPDATE users SET name = $1 WHERE id = 1 RETURNING id, email AS e, lower(name)',
      cols: ['1:id<-public.users.id', '2:e<-public.users.email', '3:lower~[public.users.name]'],
    },
    { note: 'RETURNING *', sql: 'INSERT INTO users (name) VALUES ($1) RETURNING *', cols: ['1:*(public.users)'] },
    { note: 'COPY table TO STDOUT', sql: 'COPY users TO STDOUT', cols: ['1:*(public.users)'] },
    {
      note: 'COPY columns TO STDOUT',
      sql: 'COPY users (id, email) TO STDOUT',
      cols: ['1:id<-public.users.id', '2:email<-public.users.email'],
    },
    { note: 'COPY query TO STDOUT', sql: 'COPY (SELECT email AS e FROM users) TO STDOUT', cols: ['1:e<-public.users.email'] },
  ];

  it.each(cases)('$note', ({ sql, cols, wholeRow }) => {
    const out = one(sql).output;
    expect(out).toBeDefined();
    expect(out?.columns.map(show)).toEqual(cols);
    expect(out?.wholeRow).toBe(wholeRow ?? false);
  });
});

describe('whole rows that cannot be bound', () => {
  const cases: ReadonlyArray<{ note: string; sql: string; wholeRow: boolean }> = [
    { note: 'row_to_json(t)', sql: 'SELECT row_to_json(u) FROM users u', wholeRow: true },
    { note: 'to_jsonb(t.*)', sql: 'SELECT to_jsonb(u.*) FROM users u', wholeRow: true },
    { note: 'table reference as a value', sql: 'SELECT u FROM users u', wholeRow: true },
    { note: 'unaliased table as a value', sql: 'SELECT users FROM users', wholeRow: true },
    { note: 'ROW(t.*)', sql: 'SELECT ROW(u.*) FROM users u', wholeRow: true },
    { note: 'whole row cast to text', sql: 'SELECT u::text FROM users u', wholeRow: true },
    { note: 'array of a subquery *', sql: 'SELECT ARRAY(SELECT * FROM users)', wholeRow: true },
    { note: 'whole row of a subquery', sql: 'SELECT s FROM (SELECT email FROM users) s', wholeRow: true },
    { note: 'star through a union', sql: 'SELECT * FROM users UNION ALL SELECT * FROM users', wholeRow: true },
    { note: 'whole row in RETURNING', sql: 'DELETE FROM users u WHERE id = 1 RETURNING row_to_json(u)', wholeRow: true },
    { note: 'whole row only in WHERE does not reach the client', sql: "SELECT id FROM users u WHERE u::text LIKE '%x%'", wholeRow: false },
    { note: 'ROW of plain columns is derived, not whole', sql: 'SELECT ROW(id, email) FROM users', wholeRow: false },
    { note: 'plain select *', sql: 'SELECT * FROM users', wholeRow: false },
  ];
  it.each(cases)('$note', ({ sql, wholeRow }) => {
    expect(one(sql).output?.wholeRow).toBe(wholeRow);
  });

  it('ROW(a, b) carries its columns as derived', () => {
    expect(one('SELECT ROW(id, email) FROM users').output?.columns[0]?.derived).toEqual([
      { table: 'public.users', column: 'email' },
      { table: 'public.users', column: 'id' },
    ]);
  });
});

describe('statements without rows for the client have no output', () => {
  const cases = [
    { note: 'insert without RETURNING', sql: 'INSERT INTO t VALUES (1)' },
    { note: 'select into', sql: 'SELECT * INTO n FROM t' },
    { note: 'copy from stdin', sql: 'COPY t FROM STDIN' },
    { note: 'copy to a server file', sql: "COPY t TO '/tmp/x'" },
    { note: 'ddl', sql: 'CREATE TABLE t (a int)' },
    { note: 'set', sql: 'SET work_mem = 1' },
  ];
  it.each(cases)('$note', ({ sql }) => {
    expect(one(sql).output).toBeUndefined();
  });
});
