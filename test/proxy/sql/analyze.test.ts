// analyze(): statement kinds and command tags, flags, tables, columns, functions, parameters,
// statement text and fingerprints, against the real PostgreSQL parser (libpg-query).

import { beforeAll, describe, expect, it } from 'vitest';
import { analyze, initSql, STATEMENT_KINDS, type StatementFacts, type StatementFlags } from '../../../proxy/sql/index.js';

beforeAll(async () => {
  await initSql();
});

/** one analyses a string that must hold exactly one statement. */
function one(sql: string, searchPath?: readonly string[]): StatementFacts {
  const r = analyze(sql, searchPath !== undefined ? { searchPath } : {});
  if (!r.ok) throw new Error(`unexpected ${r.error.code}: ${r.error.message}`);
  expect(r.statements).toHaveLength(1);
  return r.statements[0] as StatementFacts;
}

/** onFlags lists the flags that are true, sorted. */
function onFlags(f: StatementFlags): string[] {
  return Object.entries(f)
    .filter(([, v]) => v === true)
    .map(([k]) => k)
    .sort();
}

describe('kind and command', () => {
  const cases = [
    { sql: 'SELECT 1', kind: 'select', command: 'SELECT' },
    { sql: 'VALUES (1)', kind: 'select', command: 'SELECT' },
    { sql: 'TABLE t', kind: 'select', command: 'SELECT' },
    { sql: 'SELECT a INTO n FROM t', kind: 'select', command: 'SELECT INTO' },
    { sql: 'INSERT INTO t VALUES (1)', kind: 'insert', command: 'INSERT' },
    { sql: 'UPDATE t SET a = 1 WHERE b = 2', kind: 'update', command: 'UPDATE' },
    { sql: 'DELETE FROM t WHERE a = 1', kind: 'delete', command: 'DELETE' },
    { sql: 'MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE', kind: 'merge', command: 'MERGE' },
    { sql: 'COPY t TO STDOUT', kind: 'copy', command: 'COPY' },
    { sql: 'CREATE TABLE t (a int)', kind: 'create_table', command: 'CREATE TABLE' },
    { sql: 'CREATE TABLE n AS SELECT 1', kind: 'create_table', command: 'CREATE TABLE AS' },
    { sql: 'CREATE MATERIALIZED VIEW m AS SELECT 1', kind: 'create_table', command: 'CREATE MATERIALIZED VIEW' },
    { sql: 'ALTER TABLE t ADD COLUMN b int', kind: 'alter_table', command: 'ALTER TABLE' },
    { sql: 'ALTER TABLE t RENAME TO u', kind: 'alter_table', command: 'ALTER TABLE' },
    { sql: 'ALTER INDEX i SET (fillfactor = 50)', kind: 'alter_table', command: 'ALTER INDEX' },
    { sql: 'DROP TABLE t', kind: 'drop', command: 'DROP TABLE' },
    { sql: 'DROP MATERIALIZED VIEW m', kind: 'drop', command: 'DROP MATERIALIZED VIEW' },
    { sql: 'DROP DATABASE d', kind: 'drop', command: 'DROP DATABASE' },
    { sql: 'DROP ROLE r', kind: 'drop', command: 'DROP ROLE' },
    { sql: 'TRUNCATE t', kind: 'truncate', command: 'TRUNCATE TABLE' },
    { sql: 'GRANT SELECT ON t TO bob', kind: 'grant', command: 'GRANT' },
    { sql: 'GRANT admin TO bob', kind: 'grant', command: 'GRANT' },
    { sql: 'REVOKE SELECT ON t FROM bob', kind: 'revoke', command: 'REVOKE' },
    { sql: 'REVOKE admin FROM bob', kind: 'revoke', command: 'REVOKE' },
    { sql: "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'", kind: 'create_function', command: 'CREATE FUNCTION' },
    { sql: "CREATE PROCEDURE p() LANGUAGE sql AS 'SELECT 1'", kind: 'create_function', command: 'CREATE PROCEDURE' },
    { sql: 'DO $$BEGIN NULL; END$$', kind: 'do', command: 'DO' },
    { sql: 'CALL p(1)', kind: 'call', command: 'CALL' },
    { sql: 'SET search_path = app', kind: 'set', command: 'SET' },
    { sql: 'SET TRANSACTION ISOLATION LEVEL SERIALIZABLE', kind: 'set', command: 'SET' },
    { sql: 'RESET work_mem', kind: 'reset', command: 'RESET' },
    { sql: 'RESET ALL', kind: 'reset', command: 'RESET' },
    { sql: 'SHOW search_path', kind: 'show', command: 'SHOW' },
    { sql: 'SET ROLE admin', kind: 'set_role', command: 'SET' },
    { sql: 'SET LOCAL ROLE admin', kind: 'set_role', command: 'SET' },
    { sql: 'RESET ROLE', kind: 'set_role', command: 'RESET' },
    { sql: 'SET SESSION AUTHORIZATION bob', kind: 'set_session_authorization', command: 'SET' },
    { sql: 'RESET SESSION AUTHORIZATION', kind: 'set_session_authorization', command: 'RESET' },
    { sql: 'BEGIN', kind: 'begin', command: 'BEGIN' },
    { sql: 'START TRANSACTION READ ONLY', kind: 'begin', command: 'START TRANSACTION' },
    { sql: 'COMMIT', kind: 'commit', command: 'COMMIT' },
    { sql: 'END', kind: 'commit', command: 'COMMIT' },
    { sql: "PREPARE TRANSACTION 'x'", kind: 'commit', command: 'PREPARE TRANSACTION' },
    { sql: 'ROLLBACK', kind: 'rollback', command: 'ROLLBACK' },
    { sql: 'ABORT', kind: 'rollback', command: 'ROLLBACK' },
    { sql: 'ROLLBACK TO SAVEPOINT s', kind: 'rollback', command: 'ROLLBACK' },
    { sql: 'SAVEPOINT s', kind: 'savepoint', command: 'SAVEPOINT' },
    { sql: 'RELEASE SAVEPOINT s', kind: 'savepoint', command: 'RELEASE' },
    { sql: 'PREPARE p AS SELECT 1', kind: 'prepare', command: 'PREPARE' },
    { sql: 'EXECUTE p', kind: 'execute', command: 'EXECUTE' },
    { sql: 'DEALLOCATE p', kind: 'deallocate', command: 'DEALLOCATE' },
    { sql: 'DEALLOCATE ALL', kind: 'deallocate', command: 'DEALLOCATE ALL' },
    { sql: 'EXPLAIN SELECT 1', kind: 'explain', command: 'EXPLAIN' },
    { sql: 'LISTEN c', kind: 'listen', command: 'LISTEN' },
    { sql: 'UNLISTEN *', kind: 'listen', command: 'UNLISTEN' },
    { sql: 'NOTIFY c', kind: 'notify', command: 'NOTIFY' },
    { sql: 'VACUUM t', kind: 'vacuum', command: 'VACUUM' },
    { sql: 'ANALYZE t', kind: 'analyze', command: 'ANALYZE' },
    { sql: 'LOCK TABLE t IN ACCESS EXCLUSIVE MODE', kind: 'lock', command: 'LOCK TABLE' },
    { sql: 'CREATE INDEX i ON t (a)', kind: 'other', command: 'CREATE INDEX' },
    { sql: 'CREATE VIEW v AS SELECT 1', kind: 'other', command: 'CREATE VIEW' },
    { sql: "COMMENT ON TABLE t IS 'x'", kind: 'other', command: 'COMMENT' },
    { sql: 'DECLARE c CURSOR FOR SELECT 1', kind: 'declare', command: 'DECLARE CURSOR' },
    { sql: 'DECLARE "c 1" BINARY CURSOR WITH HOLD FOR SELECT 1', kind: 'declare', command: 'DECLARE CURSOR' },
    { sql: 'FETCH 10 FROM c', kind: 'fetch', command: 'FETCH' },
    { sql: 'FETCH FORWARD 2000 FROM "c"', kind: 'fetch', command: 'FETCH' },
    { sql: 'MOVE ABSOLUTE 5 IN c', kind: 'move', command: 'MOVE' },
    { sql: 'CLOSE c', kind: 'close', command: 'CLOSE CURSOR' },
    { sql: 'CLOSE ALL', kind: 'close', command: 'CLOSE CURSOR' },
    { sql: 'CREATE CAST (int AS text) WITH INOUT', kind: 'other', command: 'CREATE CAST' },
  ] as const;

  it.each(cases.map((c) => ({ ...c, note: `${c.sql} → ${c.kind} / ${c.command}` })))('$note', ({ sql, kind, command }) => {
    const s = one(sql);
    expect(s.kind).toBe(kind);
    expect(s.command).toBe(command);
    expect(STATEMENT_KINDS).toContain(s.kind);
  });

  it('covers every kind in STATEMENT_KINDS', () => {
    const seen = new Set<string>(cases.map((c) => c.kind));
    expect(STATEMENT_KINDS.filter((k) => !seen.has(k))).toEqual([]);
  });
});

describe('flags', () => {
  const cases: ReadonlyArray<{ note: string; sql: string; flags: readonly string[] }> = [
    { note: 'plain select', sql: 'SELECT a FROM t', flags: [] },
    { note: 'select with where', sql: 'SELECT a FROM t WHERE b = 1', flags: ['has_where'] },
    { note: 'select *', sql: 'SELECT * FROM t', flags: ['select_star'] },
    { note: 't.* in a function', sql: 'SELECT row_to_json(t.*) FROM t', flags: ['select_star'] },
    { note: 'count(*) is not a star', sql: 'SELECT count(*) FROM t', flags: [] },
    { note: 'for update', sql: 'SELECT a FROM t FOR UPDATE', flags: ['for_update'] },
    { note: 'for key share', sql: 'SELECT a FROM t FOR KEY SHARE', flags: ['for_update'] },
    { note: 'select into', sql: 'SELECT a INTO n FROM t', flags: ['ddl', 'into'] },
    { note: 'delete without where', sql: 'DELETE FROM t', flags: ['delete_without_where'] },
    { note: 'delete with where', sql: 'DELETE FROM t WHERE a = 1', flags: ['has_where'] },
    { note: 'delete where current of', sql: 'DELETE FROM t WHERE CURRENT OF c', flags: ['has_where'] },
    { note: 'update without where', sql: 'UPDATE t SET a = 1', flags: ['update_without_where'] },
    { note: 'update with where', sql: 'UPDATE t SET a = 1 WHERE b = 2', flags: ['has_where'] },
    {
      note: 'update in a CTE without where',
      sql: 'WITH x AS (UPDATE t SET a = 1 RETURNING a) SELECT a FROM x',
      flags: ['data_modifying_cte', 'update_without_where'],
    },
    {
      note: 'delete in a CTE',
      sql: 'WITH x AS (DELETE FROM t WHERE a = 1 RETURNING *) SELECT 1',
      flags: ['data_modifying_cte', 'select_star'],
    },
    { note: 'insert in a CTE', sql: 'WITH x AS (INSERT INTO t VALUES (1)) SELECT 1', flags: ['data_modifying_cte'] },
    { note: 'read-only CTE', sql: 'WITH x AS (SELECT 1) SELECT * FROM x', flags: ['select_star'] },
    { note: 'explain analyze delete', sql: 'EXPLAIN ANALYZE DELETE FROM t', flags: ['delete_without_where'] },
    { note: 'prepared update', sql: 'PREPARE p AS UPDATE t SET a = 1 WHERE b = $1', flags: ['has_where'] },
    { note: 'drop table', sql: 'DROP TABLE t', flags: ['ddl', 'destructive'] },
    { note: 'drop schema cascade', sql: 'DROP SCHEMA s CASCADE', flags: ['cascade', 'ddl', 'destructive'] },
    { note: 'drop table restrict', sql: 'DROP TABLE t RESTRICT', flags: ['ddl', 'destructive'] },
    { note: 'truncate cascade', sql: 'TRUNCATE t CASCADE', flags: ['cascade', 'ddl', 'destructive'] },
    { note: 'alter table drop column cascade', sql: 'ALTER TABLE t DROP COLUMN c CASCADE', flags: ['cascade', 'ddl', 'destructive'] },
    { note: 'truncate', sql: 'TRUNCATE t', flags: ['ddl', 'destructive'] },
    { note: 'alter table drop column', sql: 'ALTER TABLE t DROP COLUMN c', flags: ['ddl', 'destructive'] },
    { note: 'alter table add column', sql: 'ALTER TABLE t ADD COLUMN c int', flags: ['ddl'] },
    { note: 'create table', sql: 'CREATE TABLE t (a int)', flags: ['ddl'] },
    { note: 'grant', sql: 'GRANT SELECT ON t TO bob', flags: ['ddl'] },
    { note: 'copy from program', sql: "COPY t FROM PROGRAM 'curl x'", flags: ['copy_program'] },
    { note: 'copy to program', sql: "COPY t TO PROGRAM 'sh'", flags: ['copy_program'] },
    { note: 'copy from a server file', sql: "COPY t FROM '/etc/passwd'", flags: ['copy_server_file'] },
    { note: 'copy a query to a server file', sql: "COPY (SELECT 1) TO '/tmp/q'", flags: ['copy_server_file'] },
    { note: 'copy from stdin', sql: 'COPY t FROM STDIN', flags: ['copy_from_stdin'] },
    { note: 'copy to stdout', sql: 'COPY t TO STDOUT', flags: ['copy_to_stdout'] },
    {
      note: 'copy query to stdout',
      sql: 'COPY (SELECT * FROM t WHERE a = 1) TO STDOUT',
      flags: ['copy_to_stdout', 'has_where', 'select_star'],
    },
    { note: 'copy to a server file', sql: "COPY t TO '/tmp/t.csv'", flags: ['copy_server_file'] },
    { note: 'DO block', sql: "DO $$BEGIN EXECUTE 'DROP TABLE t'; END$$", flags: ['dynamic_sql'] },
    { note: 'dblink', sql: "SELECT * FROM dblink('dbname=x', 'DELETE FROM t') AS r(a int)", flags: ['dynamic_sql', 'select_star'] },
    { note: 'dblink_exec', sql: "SELECT dblink_exec('DROP TABLE t')", flags: ['dynamic_sql'] },
    { note: 'query_to_xml', sql: "SELECT query_to_xml('SELECT * FROM secrets', true, false, '')", flags: ['dynamic_sql'] },
    { note: 'qualified query_to_xml', sql: "SELECT pg_catalog.query_to_xml('SELECT 1', true, false, '')", flags: ['dynamic_sql'] },
    { note: 'set role', sql: 'SET ROLE admin', flags: ['set_role'] },
    { note: 'reset role', sql: 'RESET ROLE', flags: ['set_role'] },
    { note: 'set_config role', sql: "SELECT set_config('role', 'admin', false)", flags: ['set_role'] },
    { note: 'set_config unknown setting', sql: 'SELECT set_config($1, $2, false)', flags: ['session_authorization', 'set_role'] },
    { note: 'set_config other setting', sql: "SELECT set_config('work_mem', '1MB', false)", flags: [] },
    { note: 'session authorization', sql: 'SET SESSION AUTHORIZATION bob', flags: ['session_authorization'] },
    { note: 'plain set', sql: 'SET work_mem = 1', flags: [] },
    { note: 'discard all resets the role', sql: 'DISCARD ALL', flags: ['session_authorization', 'set_role'] },
    { note: 'discard plans keeps the role', sql: 'DISCARD PLANS', flags: [] },
    { note: 'discard sequences keeps the role', sql: 'DISCARD SEQUENCES', flags: [] },
    { note: 'discard temp keeps the role', sql: 'DISCARD TEMP', flags: [] },
    { note: 'reset all keeps the role', sql: 'RESET ALL', flags: [] },
    { note: 'set local role', sql: 'SET LOCAL ROLE admin', flags: ['set_role'] },
    { note: 'set session role', sql: 'SET SESSION ROLE admin', flags: ['set_role'] },
    { note: 'set role none', sql: 'SET ROLE NONE', flags: ['set_role'] },
    { note: 'reset session authorization', sql: 'RESET SESSION AUTHORIZATION', flags: ['session_authorization'] },
    { note: 'qualified set_config role', sql: "SELECT pg_catalog.set_config('role', 'admin', false)", flags: ['set_role'] },
    { note: 'upper-case set_config role', sql: "SELECT PG_CATALOG.SET_CONFIG('ROLE', 'admin', false)", flags: ['set_role'] },
    { note: 'set_config role in a subquery', sql: "SELECT (SELECT set_config('role', 'admin', false))", flags: ['set_role'] },
    { note: 'set_config role in FROM', sql: "SELECT * FROM set_config('role', 'admin', false)", flags: ['select_star', 'set_role'] },
    {
      note: 'set_config with a cast name (not a constant: both)',
      sql: "SELECT set_config('role'::text, 'admin', false)",
      flags: ['session_authorization', 'set_role'],
    },
    {
      note: 'set_config role in a CTE',
      sql: "WITH x AS (SELECT set_config('role', 'admin', true)) SELECT * FROM x",
      flags: ['select_star', 'set_role'],
    },
  ];

  it.each(cases)('$note', ({ sql, flags }) => {
    expect(onFlags(one(sql).flags)).toEqual([...flags].sort());
  });
});

describe('tables, columns, functions', () => {
  const cases: ReadonlyArray<{
    note: string;
    sql: string;
    searchPath?: readonly string[];
    read?: readonly string[];
    written?: readonly string[];
    colsRead?: readonly string[];
    colsWritten?: readonly string[];
    functions?: readonly string[];
  }> = [
    { note: 'unqualified resolves to public', sql: 'SELECT a FROM t', read: ['public.t'], colsRead: ['public.t.a'] },
    { note: 'search path first schema', sql: 'SELECT a FROM t', searchPath: ['app', 'public'], read: ['app.t'] },
    { note: 'qualified kept', sql: 'SELECT a FROM s.t', read: ['s.t'], colsRead: ['s.t.a'] },
    { note: 'unquoted is lower-cased', sql: 'SELECT A FROM S.T', read: ['s.t'], colsRead: ['s.t.a'] },
    {
      note: 'quoted kept exact',
      sql: 'SELECT "Col A" FROM "My Schema"."My Table"',
      read: ['My Schema.My Table'],
      colsRead: ['My Schema.My Table.Col A'],
    },
    {
      note: 'alias resolves to the table',
      sql: 'SELECT x.a FROM t AS x WHERE x.b = 1',
      read: ['public.t'],
      colsRead: ['public.t.a', 'public.t.b'],
    },
    { note: 'table name as qualifier', sql: 'SELECT t.a FROM t', read: ['public.t'], colsRead: ['public.t.a'] },
    { note: 'schema-qualified column', sql: 'SELECT s.t.a FROM s.t', read: ['s.t'], colsRead: ['s.t.a'] },
    {
      note: 'join: qualified resolve, unqualified ambiguous',
      sql: 'SELECT u.name, o.total, email FROM users u JOIN orders o ON o.user_id = u.id',
      read: ['public.orders', 'public.users'],
      colsRead: ['.email', 'public.orders.total', 'public.orders.user_id', 'public.users.id', 'public.users.name'],
    },
    {
      note: 'CTE names are not tables',
      sql: 'WITH t AS (SELECT a FROM src) SELECT a FROM t',
      read: ['public.src'],
      colsRead: ['public.src.a'],
    },
    { note: 'qualified name is never a CTE', sql: 'WITH t AS (SELECT 1) SELECT * FROM public.t', read: ['public.t'] },
    {
      note: 'subqueries in FROM, WHERE and SELECT',
      sql: 'SELECT (SELECT max(b) FROM u), s.a FROM (SELECT a FROM t) s WHERE s.a IN (SELECT c FROM v)',
      read: ['public.t', 'public.u', 'public.v'],
      colsRead: ['public.t.a', 'public.u.b', 'public.v.c'],
      functions: ['max'],
    },
    {
      note: 'insert with column list and select',
      sql: 'INSERT INTO t (a, b) SELECT x, y FROM src',
      read: ['public.src'],
      written: ['public.t'],
      colsRead: ['public.src.x', 'public.src.y'],
      colsWritten: ['public.t.a', 'public.t.b'],
    },
    {
      note: 'update set targets and from',
      sql: 'UPDATE t SET a = s.v, (b, c) = (1, 2) FROM s WHERE t.id = s.id',
      read: ['public.s'],
      written: ['public.t'],
      colsRead: ['public.s.id', 'public.s.v', 'public.t.id'],
      colsWritten: ['public.t.a', 'public.t.b', 'public.t.c'],
    },
    {
      note: 'delete using',
      sql: 'DELETE FROM t USING u WHERE t.id = u.id',
      read: ['public.u'],
      written: ['public.t'],
      colsRead: ['public.t.id', 'public.u.id'],
    },
    {
      note: 'merge',
      sql: 'MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET a = s.a WHEN NOT MATCHED THEN INSERT (id, a) VALUES (s.id, s.a)',
      read: ['public.s'],
      written: ['public.t'],
      colsRead: ['public.s.a', 'public.s.id', 'public.t.id'],
      colsWritten: ['public.t.a', 'public.t.id'],
    },
    {
      note: 'insert on conflict',
      sql: 'INSERT INTO t (id, a) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET a = excluded.a',
      written: ['public.t'],
      colsRead: ['public.t.a', 'public.t.id'],
      colsWritten: ['public.t.a', 'public.t.id'],
    },
    { note: 'copy from with columns', sql: 'COPY t (a, b) FROM STDIN', written: ['public.t'], colsWritten: ['public.t.a', 'public.t.b'] },
    { note: 'copy to with columns', sql: 'COPY s.t (a) TO STDOUT', read: ['s.t'], colsRead: ['s.t.a'] },
    { note: 'drop several', sql: 'DROP TABLE a, s.b, "C"', written: ['public.C', 'public.a', 's.b'] },
    { note: 'drop view counts as a table', sql: 'DROP VIEW v', written: ['public.v'] },
    { note: 'drop index is not a table', sql: 'DROP INDEX i', written: [] },
    { note: 'truncate', sql: 'TRUNCATE a, s.b', written: ['public.a', 's.b'] },
    { note: 'alter table', sql: 'ALTER TABLE s.t ADD COLUMN c int', written: ['s.t'] },
    {
      note: 'create table as',
      sql: 'CREATE TABLE n AS SELECT a FROM t',
      read: ['public.t'],
      written: ['public.n'],
      colsRead: ['public.t.a'],
    },
    { note: 'create view', sql: 'CREATE VIEW v AS SELECT a FROM t', read: ['public.t'], written: ['public.v'], colsRead: ['public.t.a'] },
    { note: 'select into', sql: 'SELECT a INTO n FROM t', read: ['public.t'], written: ['public.n'], colsRead: ['public.t.a'] },
    { note: 'grant on a table', sql: 'GRANT SELECT ON s.t TO bob', written: ['s.t'] },
    { note: 'views count as tables', sql: 'SELECT * FROM active_users', read: ['public.active_users'] },
    {
      note: 'functions lower-cased, qualified when written so',
      sql: 'SELECT UPPER(a), pg_catalog.lower(b), "MyFn"(c), s.f() FROM t',
      read: ['public.t'],
      colsRead: ['public.t.a', 'public.t.b', 'public.t.c'],
      functions: ['myfn', 'pg_catalog.lower', 's.f', 'upper'],
    },
    { note: 'function in FROM', sql: 'SELECT * FROM generate_series(1, 3) g', functions: ['generate_series'] },
    { note: 'call', sql: 'CALL s.proc(1)', functions: ['s.proc'] },
    { note: 'table inside EXPLAIN', sql: 'EXPLAIN SELECT a FROM t', read: ['public.t'], colsRead: ['public.t.a'] },
    {
      note: 'recursive CTE',
      sql: 'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT n FROM r',
      read: [],
    },
    {
      note: 'lateral join',
      sql: 'SELECT u.id, l.x FROM users u, LATERAL (SELECT u.email AS x) l',
      read: ['public.users'],
      colsRead: ['public.users.email', 'public.users.id'],
    },
  ];

  const colNames = (cs: readonly { table: string; column: string }[]): string[] => cs.map((c) => `${c.table}.${c.column}`);

  it.each(cases)('$note', ({ sql, searchPath, read, written, colsRead, colsWritten, functions }) => {
    const s = one(sql, searchPath);
    if (read !== undefined) expect(s.tables.read).toEqual(read);
    expect(s.tables.written).toEqual(written ?? []);
    if (colsRead !== undefined) expect(colNames(s.columns.read)).toEqual(colsRead);
    expect(colNames(s.columns.written)).toEqual(colsWritten ?? []);
    if (functions !== undefined) expect(s.functions).toEqual(functions);
  });
});

describe('parameters', () => {
  const cases = [
    { note: 'none', sql: 'SELECT 1', parameters: 0 },
    { note: 'highest $n', sql: 'SELECT $1, $3 FROM t WHERE a = $2', parameters: 3 },
    { note: 'inside a subquery', sql: 'SELECT 1 WHERE EXISTS (SELECT 1 FROM t WHERE a = $4)', parameters: 4 },
    { note: 'insert values', sql: 'INSERT INTO t VALUES ($1, $2)', parameters: 2 },
  ];
  it.each(cases)('$note', ({ sql, parameters }) => {
    expect(one(sql).parameters).toBe(parameters);
  });
});

describe('statement splitting and text', () => {
  it("reads 'a\\' as a complete string (standard_conforming_strings): a SELECT, then a DROP TABLE", () => {
    const r = analyze("SELECT 'a\\'; DROP TABLE t; --'");
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.statements.map((s) => [s.kind, s.command, s.text])).toEqual([
      ['select', 'SELECT', "SELECT 'a\\'"],
      ['drop', 'DROP TABLE', 'DROP TABLE t'],
    ]);
    expect(r.statements[1]?.tables.written).toEqual(['public.t']);
    expect(r.statements[1]?.flags.destructive).toBe(true);
  });

  const cases = [
    { note: 'empty string', sql: '', texts: [] },
    { note: 'whitespace only', sql: '  \n\t ', texts: [] },
    { note: 'comment only', sql: '-- nothing here', texts: [] },
    { note: 'semicolons only', sql: ';;', texts: [] },
    { note: 'two statements', sql: 'SELECT 1; SELECT 2', texts: ['SELECT 1', 'SELECT 2'] },
    { note: 'empty statements between', sql: 'SELECT 1;; ;SELECT 2;', texts: ['SELECT 1', 'SELECT 2'] },
    { note: 'multi-byte text before', sql: "SELECT 'héllo ✓'; SELECT 'ok'", texts: ["SELECT 'héllo ✓'", "SELECT 'ok'"] },
    { note: 'semicolon inside a dollar quote', sql: 'DO $$BEGIN NULL; END$$; SELECT 1', texts: ['DO $$BEGIN NULL; END$$', 'SELECT 1'] },
  ];
  it.each(cases)('$note', ({ sql, texts }) => {
    const r = analyze(sql);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.statements.map((s) => s.text)).toEqual(texts);
  });
});

describe('fingerprint', () => {
  const same = [
    { note: 'spacing and keyword case', a: 'SELECT a FROM t WHERE b = 1', b: 'select  a\nfrom t   where b=1' },
    { note: 'comments', a: 'SELECT a FROM t', b: 'SELECT /* hi */ a FROM t -- bye' },
  ];
  const different = [
    { note: 'another constant', a: 'DELETE FROM t WHERE id = 1', b: 'DELETE FROM t WHERE id = 2' },
    { note: 'another table', a: 'SELECT a FROM t', b: 'SELECT a FROM u' },
    { note: 'quoted case', a: 'SELECT a FROM t', b: 'SELECT a FROM "T"' },
  ];
  it.each(same)('equal across $note', ({ a, b }) => {
    expect(one(a).fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(one(a).fingerprint).toBe(one(b).fingerprint);
  });
  it.each(different)('differs for $note', ({ a, b }) => {
    expect(one(a).fingerprint).not.toBe(one(b).fingerprint);
  });
});

describe('facts are plain JSON', () => {
  it('round-trips through JSON unchanged', () => {
    const r = analyze('WITH x AS (DELETE FROM t RETURNING *) SELECT upper(a), * FROM x JOIN u USING (id)');
    expect(r.ok).toBe(true);
    if (r.ok) expect(JSON.parse(JSON.stringify(r.statements))).toEqual(r.statements);
  });
});

describe('memoised analysis', () => {
  it('returns the same frozen facts for a repeated statement, per search path', () => {
    const a = analyze('SELECT email FROM customers WHERE id = $1');
    const b = analyze('SELECT email FROM customers WHERE id = $1');
    const other = analyze('SELECT email FROM customers WHERE id = $1', { searchPath: ['crm'] });
    expect(b).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    if (!a.ok || !other.ok) throw new Error('expected facts');
    expect(a.statements[0]?.tables.read).toEqual(['public.customers']);
    expect(other.statements[0]?.tables.read).toEqual(['crm.customers']);
  });

  it('does not memoise refusals', () => {
    const a = analyze('SELEC 1');
    const b = analyze('SELEC 1');
    expect(a.ok).toBe(false);
    expect(b).not.toBe(a);
  });
});
