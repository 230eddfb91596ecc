// columns.uses: where each column's value is used (output, expression, filter, join, order, group,
// store), computed on lineage through CTEs, subqueries, alias lists and output aliases, against
// the real PostgreSQL parser; shared by statements of the same shape; linear on long expressions.

import { beforeAll, describe, expect, it } from 'vitest';
import { analyze, initSql, type StatementFacts } from '../../../proxy/sql/index.js';

beforeAll(async () => {
  await initSql();
});

function one(sql: string): StatementFacts {
  const r = analyze(sql);
  if (!r.ok) throw new Error(`unexpected ${r.error.code}: ${r.error.message}`);
  return r.statements[0] as StatementFacts;
}

/** uses renders a statement's uses compactly, `table.column:use` (table `public.` left out), in fact order. */
function uses(sql: string): string[] {
  return one(sql).columns.uses.map((u) => `${u.table.replace(/^public\./, '')}.${u.column}:${u.use}`);
}

describe('columns.uses', () => {
  const cases: ReadonlyArray<{ note: string; sql: string; uses: readonly string[] }> = [
    // output
    { note: 'a plain column', sql: 'SELECT email FROM c', uses: ['c.email:output'] },
    { note: 'an aliased column', sql: 'SELECT email AS e FROM c', uses: ['c.email:output'] },
    { note: 'a star uses nothing', sql: 'SELECT * FROM c', uses: [] },
    { note: 'count(*) and now()', sql: 'SELECT count(*), now() FROM c', uses: [] },
    { note: 'through a subquery', sql: 'SELECT e FROM (SELECT email AS e FROM c) s', uses: ['c.email:output'] },
    { note: 'RETURNING', sql: 'DELETE FROM c WHERE id = 1 RETURNING email', uses: ['c.email:output', 'c.id:filter'] },
    // expression
    { note: 'a function', sql: 'SELECT upper(email) FROM c', uses: ['c.email:expression'] },
    { note: 'an operator in the target list', sql: "SELECT email = 'x' FROM c", uses: ['c.email:expression'] },
    { note: 'a cast in the target list', sql: 'SELECT email::int FROM c', uses: ['c.email:expression'] },
    { note: 'an aggregate', sql: 'SELECT max(email) FROM c', uses: ['c.email:expression'] },
    { note: 'set_config', sql: "SELECT set_config('my.x', email, false) FROM c", uses: ['c.email:expression'] },
    {
      note: 'a discarded expression in a subquery',
      sql: "SELECT 1 FROM (SELECT set_config('a.b', email, false) FROM c) s",
      uses: ['c.email:expression'],
    },
    { note: 'a function in FROM', sql: "SELECT 1 FROM c, LATERAL set_config('a.b', c.email, false)", uses: ['c.email:expression'] },
    { note: 'a scalar subquery', sql: 'SELECT (SELECT email FROM c LIMIT 1)', uses: ['c.email:expression', 'c.email:output'] },
    {
      note: 'an expression over a subquery column',
      sql: 'SELECT lower(e) FROM (SELECT email AS e FROM c) s',
      uses: ['c.email:expression', 'c.email:output'],
    },
    { note: 'a whole row as a value', sql: 'SELECT row_to_json(x) FROM c x', uses: ['.:expression', 'c.x:expression'] },
    // filter
    { note: 'LIKE in WHERE', sql: "SELECT count(*) FROM c WHERE card LIKE '4111%'", uses: ['c.card:filter'] },
    { note: 'a cast in WHERE', sql: 'SELECT 1 FROM c WHERE email::int = 1', uses: ['c.email:expression', 'c.email:filter'] },
    {
      note: 'CASE in WHERE',
      sql: "SELECT 1 FROM c WHERE CASE WHEN email LIKE 'a%' THEN 1/0 END = 1",
      uses: ['c.email:expression', 'c.email:filter'],
    },
    {
      note: 'HAVING over an aggregate cast',
      sql: 'SELECT 1 FROM c HAVING max(email)::int = 1',
      uses: ['c.email:expression', 'c.email:filter'],
    },
    {
      note: 'an aggregate FILTER',
      sql: "SELECT count(*) FILTER (WHERE email LIKE 'a%') FROM c",
      uses: ['c.email:expression', 'c.email:filter'],
    },
    { note: 'LIMIT', sql: 'SELECT 1 FROM c LIMIT (SELECT length(email) FROM c)', uses: ['c.email:expression', 'c.email:filter'] },
    {
      note: "a subquery's WHERE",
      sql: "SELECT 1 FROM o WHERE cid IN (SELECT id FROM c WHERE email LIKE 'a%')",
      uses: ['c.email:filter', 'c.id:filter', 'c.id:output', 'o.cid:filter'],
    },
    {
      note: 'EXISTS uses no column of its subquery',
      sql: 'SELECT 1 FROM o WHERE EXISTS (SELECT * FROM c WHERE c.id = o.cid)',
      uses: ['c.id:filter', 'o.cid:filter'],
    },
    {
      note: 'through a CTE',
      sql: "WITH x AS (SELECT email FROM c) SELECT 1 FROM x WHERE email LIKE 'a%'",
      uses: ['c.email:filter', 'c.email:output'],
    },
    {
      note: 'through a subquery alias',
      sql: "SELECT 1 FROM (SELECT email AS m FROM c) s WHERE m LIKE 'a%'",
      uses: ['c.email:filter', 'c.email:output'],
    },
    { note: 'through a FROM alias column list', sql: "SELECT 1 FROM c AS x(i, n, e) WHERE e LIKE 'a%'", uses: ['c.:filter'] },
    {
      note: 'an unqualified name in a join',
      sql: "SELECT 1 FROM c JOIN o ON o.cid = c.id WHERE email LIKE 'a%'",
      uses: ['.email:filter', 'c.id:join', 'o.cid:join'],
    },
    // join
    { note: 'ON', sql: 'SELECT 1 FROM c JOIN o ON c.email = o.note', uses: ['c.email:join', 'o.note:join'] },
    { note: 'USING', sql: 'SELECT 1 FROM c JOIN o USING (email)', uses: ['c.email:join', 'o.email:join'] },
    { note: 'NATURAL', sql: 'SELECT 1 FROM c NATURAL JOIN o', uses: ['c.:join', 'o.:join'] },
    // order
    { note: 'ORDER BY a column', sql: 'SELECT id FROM c ORDER BY email', uses: ['c.email:order', 'c.id:output'] },
    { note: 'ORDER BY an output alias', sql: 'SELECT email AS e FROM c ORDER BY e', uses: ['c.email:order', 'c.email:output'] },
    { note: 'ORDER BY a position', sql: 'SELECT id, email FROM c ORDER BY 2', uses: ['c.email:order', 'c.email:output', 'c.id:output'] },
    { note: 'ORDER BY another position', sql: 'SELECT id, email FROM c ORDER BY 1', uses: ['c.email:output', 'c.id:order', 'c.id:output'] },
    { note: 'ORDER BY a position into *', sql: 'SELECT id, * FROM c ORDER BY 3', uses: ['c.:order', 'c.id:output'] },
    { note: 'ORDER BY a position before *', sql: 'SELECT id, * FROM c ORDER BY 1', uses: ['c.id:order', 'c.id:output'] },
    { note: 'ORDER BY a cast', sql: 'SELECT id FROM c ORDER BY email::int', uses: ['c.email:expression', 'c.email:order', 'c.id:output'] },
    { note: 'window ORDER BY', sql: 'SELECT rank() OVER (ORDER BY email) FROM c', uses: ['c.email:expression', 'c.email:order'] },
    // group
    { note: 'GROUP BY', sql: 'SELECT count(*) FROM c GROUP BY email', uses: ['c.email:group'] },
    { note: 'GROUP BY a position', sql: 'SELECT email, count(*) FROM c GROUP BY 1', uses: ['c.email:group', 'c.email:output'] },
    {
      note: 'GROUP BY a name both output alias and input column',
      sql: 'SELECT name AS email FROM c GROUP BY email',
      uses: ['c.email:group', 'c.name:group', 'c.name:output'],
    },
    { note: 'DISTINCT', sql: 'SELECT DISTINCT email FROM c', uses: ['c.email:group', 'c.email:output'] },
    { note: 'DISTINCT ON', sql: 'SELECT DISTINCT ON (email) id FROM c', uses: ['c.email:group', 'c.id:output'] },
    { note: 'PARTITION BY', sql: 'SELECT row_number() OVER (PARTITION BY email) FROM c', uses: ['c.email:expression', 'c.email:group'] },
    { note: 'a named window', sql: 'SELECT row_number() OVER w FROM c WINDOW w AS (PARTITION BY email)', uses: ['c.email:group'] },
    { note: 'INTERSECT', sql: "SELECT email FROM c INTERSECT SELECT 'x'", uses: ['c.email:group', 'c.email:output'] },
    {
      note: 'UNION ALL does not compare',
      sql: 'SELECT email FROM c UNION ALL SELECT note FROM o',
      uses: ['c.email:output', 'o.note:output'],
    },
    // store
    { note: 'UPDATE SET', sql: 'UPDATE c SET name = email WHERE id = 1', uses: ['c.email:store', 'c.id:filter'] },
    { note: 'INSERT … SELECT', sql: 'INSERT INTO o (note) SELECT email FROM c', uses: ['c.email:output', 'c.email:store'] },
    { note: 'INSERT … SELECT *', sql: 'INSERT INTO o SELECT * FROM c', uses: ['c.:store'] },
    { note: 'CREATE TABLE AS', sql: 'CREATE TABLE n AS SELECT email FROM c', uses: ['c.email:output', 'c.email:store'] },
    { note: 'SELECT INTO', sql: 'SELECT email INTO n FROM c', uses: ['c.email:output', 'c.email:store'] },
    {
      note: 'MERGE',
      sql: 'MERGE INTO o USING c ON o.cid = c.id WHEN NOT MATCHED THEN INSERT (note) VALUES (c.email)',
      uses: ['c.email:store', 'c.id:join', 'o.cid:join'],
    },
    { note: 'COPY (query) TO a file', sql: "COPY (SELECT email FROM c) TO '/tmp/x'", uses: ['c.email:output', 'c.email:store'] },
    { note: 'COPY (query) TO STDOUT is output', sql: 'COPY (SELECT email FROM c) TO STDOUT', uses: ['c.email:output'] },
  ];
  it.each(cases)('$note', ({ sql, uses: want }) => {
    expect(uses(sql)).toEqual(want);
  });

  it('is sorted by table, column and use, and unique', () => {
    const u = one('SELECT email, upper(email), email FROM c WHERE email > $1 AND name LIKE $2 ORDER BY email').columns.uses;
    const keys = u.map((x) => `${x.table}\u0000${x.column}\u0000${x.use}`);
    expect(keys).toEqual([...new Set(keys)].sort());
  });

  it('a position number is a literal the facts depend on: ORDER BY 1 and ORDER BY 2 differ', () => {
    expect(uses('SELECT id, email FROM c ORDER BY 2')).toContain('c.email:order');
    expect(uses('SELECT id, email FROM c ORDER BY 1')).toContain('c.id:order');
    expect(uses('SELECT id, email FROM c ORDER BY 2')).toContain('c.email:order');
  });

  it('are shared by statements of the same shape', () => {
    const a = one("SELECT id FROM shaped WHERE email LIKE 'a%'");
    const b = one("SELECT id FROM shaped WHERE email LIKE 'b%'");
    expect(b.columns).toBe(a.columns);
    expect(b.columns.uses).toEqual([
      { table: 'public.shaped', column: 'email', use: 'filter' },
      { table: 'public.shaped', column: 'id', use: 'output' },
    ]);
  });

  it('stay linear on long left-deep expressions (the A_Expr loop: no recursion per term)', () => {
    const terms = Array.from({ length: 3000 }, (_, i) => `a${i}`).join(' + ');
    const started = performance.now();
    const f = one(`SELECT ${terms} FROM t WHERE ${terms} > 0 ORDER BY ${terms}`);
    expect(f.columns.uses).toHaveLength(3 * 3000); // each aN: expression, filter, order
    expect(performance.now() - started).toBeLessThan(5_000); // parsing dominates; a quadratic walk would not fit
  });
});
