// canonicalize / fingerprint / shapeOf: the one-pass canonical JSON gives exactly the fingerprint
// of the original definition (sha256 over location-free JSON with sorted keys, written out by a
// reference implementation below), and the shape cuts out literal values and nothing else.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseSync } from 'libpg-query';
import { beforeAll, describe, expect, it } from 'vitest';
import { canonicalize, fingerprint, shapeOf } from '../../../proxy/sql/fingerprint.js';
import { initSql } from '../../../proxy/sql/index.js';
import { hasShared, sharedPath } from '../../helpers/shared.js';

beforeAll(async () => {
  await initSql();
});

/** referenceJson is the canonical JSON as first defined: sorted keys, location fields dropped, recursive. */
function referenceJson(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(referenceJson).join(',')}]`;
  if (typeof x === 'object' && x !== null) {
    const keys = Object.keys(x)
      .sort()
      .filter((k) => k !== 'location' && k !== 'stmt_location' && k !== 'stmt_len');
    return `{${keys.map((k) => `${JSON.stringify(k)}:${referenceJson((x as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(x) ?? 'null';
}

/** statementsOf parses SQL and returns each statement node as analyze() hands it to fingerprint. */
function statementsOf(sql: string): unknown[] {
  const tree = parseSync(sql) as { stmts?: { stmt: unknown }[] };
  return (tree.stmts ?? []).map((s) => s.stmt);
}

const SQL = [
  'SELECT 1',
  "SELECT abalance FROM pgbench_accounts WHERE aid = 42 AND name = 'x' AND f = 1.5 AND b = true AND n IS NULL",
  "SELECT B'101', X'ff', -7, 0, '', NULL, ARRAY[1, 2], '{\"a\": 1}'::jsonb",
  'WITH x AS (DELETE FROM t RETURNING *) SELECT upper(a), * FROM x JOIN u USING (id) ORDER BY 1 LIMIT 10 OFFSET 5',
  "INSERT INTO t (a, b) VALUES (1, 'a'), (2, 'b') ON CONFLICT (a) DO UPDATE SET b = excluded.b",
  "SELECT set_config('role', 'admin', false)",
  "CREATE TABLE t (a varchar(10) DEFAULT 'x', b numeric(5, 2))",
  "SELECT interval '1' day, 'a' || 'b', $1::int",
];

describe('canonicalize', () => {
  it.each(SQL)('writes the reference canonical JSON for %s', (sql) => {
    for (const stmt of statementsOf(sql)) {
      const c = canonicalize(stmt);
      expect(c.json).toBe(referenceJson(stmt));
      expect(fingerprint(stmt)).toBe(createHash('sha256').update(referenceJson(stmt)).digest('hex'));
    }
  });

  it('handles a tree 100,000 levels deep without recursion', () => {
    let tree: unknown = { A_Const: { ival: { ival: 1 }, location: 3 } };
    for (let i = 0; i < 100_000; i++) tree = { A_Expr: { lexpr: tree, location: i } };
    const c = canonicalize(tree);
    expect(c.json.startsWith('{"A_Expr":{"lexpr":{"A_Expr":')).toBe(true);
    expect(c.constants).toHaveLength(2);
    expect(shapeOf(c)).toContain('{"A_Const":{"ival":?}}');
  });
});

describe('shapeOf', () => {
  const same = [
    { note: 'integer', a: 'SELECT a FROM t WHERE id = 1', b: 'SELECT a FROM t WHERE id = 987654' },
    { note: 'string', a: "SELECT a FROM t WHERE s = 'x'", b: "SELECT a FROM t WHERE s = 'a much longer string'" },
    { note: 'zero (an empty ival) and another integer', a: 'SELECT a FROM t LIMIT 0', b: 'SELECT a FROM t LIMIT 5' },
    { note: 'float', a: 'SELECT 1.5', b: 'SELECT 2.25' },
    { note: 'boolean', a: 'SELECT true', b: 'SELECT false' },
    { note: 'bit string', a: "SELECT B'1'", b: "SELECT B'0110'" },
    { note: 'spacing and comments', a: 'SELECT a FROM t WHERE id = 1', b: 'select a  from t /* c */ where id=2' },
  ];
  const different = [
    { note: 'another column', a: 'SELECT a FROM t WHERE id = 1', b: 'SELECT b FROM t WHERE id = 1' },
    { note: 'another table', a: 'SELECT a FROM t WHERE id = 1', b: 'SELECT a FROM u WHERE id = 1' },
    { note: 'a parameter instead of a literal', a: 'SELECT a FROM t WHERE id = 1', b: 'SELECT a FROM t WHERE id = $1' },
    { note: 'an integer against a string', a: 'SELECT a FROM t WHERE id = 1', b: "SELECT a FROM t WHERE id = '1'" },
    { note: 'NULL against a value', a: 'SELECT a FROM t WHERE id = NULL', b: 'SELECT a FROM t WHERE id = 1' },
    { note: 'more list items', a: 'SELECT a FROM t WHERE id IN (1, 2)', b: 'SELECT a FROM t WHERE id IN (1, 2, 3)' },
    { note: 'an operator', a: 'SELECT a FROM t WHERE id = 1', b: 'SELECT a FROM t WHERE id < 1' },
    { note: 'a quoted identifier', a: 'SELECT a FROM t', b: 'SELECT a FROM "T"' },
    { note: 'a type name', a: "SELECT '1'::int", b: "SELECT '1'::text" },
  ];
  const shape = (sql: string): string => shapeOf(canonicalize(statementsOf(sql)[0]));
  it.each(same)('equal across $note', ({ a, b }) => {
    expect(shape(a)).toBe(shape(b));
    expect(fingerprint(statementsOf(a)[0])).not.toBe(fingerprint(statementsOf(b)[0]));
  });
  it.each(different)('differs for $note', ({ a, b }) => {
    expect(shape(a)).not.toBe(shape(b));
  });
});

const CORPUS = sharedPath('pg-regress-sql', 'regress-statements.json');

describe.runIf(hasShared(CORPUS))('pg-regress-sql corpus', () => {
  it('gives the reference canonical JSON for every statement the parser accepts', () => {
    const parsed = JSON.parse(readFileSync(CORPUS, 'utf8')) as {
      statements?: { file: string; line: number; sql: string; lpqOk: boolean }[];
    };
    const problems: string[] = [];
    for (const e of parsed.statements ?? []) {
      if (!e.lpqOk) continue;
      let stmts: unknown[];
      try {
        stmts = statementsOf(e.sql);
      } catch {
        continue;
      }
      for (const stmt of stmts) {
        let ref: string;
        try {
          ref = referenceJson(stmt);
        } catch {
          continue; // too deep for the recursive reference
        }
        if (canonicalize(stmt).json !== ref) problems.push(`${e.file}:${e.line}`);
      }
    }
    expect(problems.slice(0, 20)).toEqual([]);
  });
});
