// Statements analysed from a template (proxy/sql/template.ts): the lexer cuts out only literals it
// is sure of, and a statement analysed from a learned template has exactly the facts, text and
// fingerprint a full analysis gives it. Over the pg-regress-sql corpus, every statement is
// analysed, then again with each literal changed, and compared with a parse of the changed text.

import { readFileSync } from 'node:fs';
import { parseSync } from 'libpg-query';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyze, initSql, type StatementFacts } from '../../../proxy/sql/index.js';
import { statementFacts } from '../../../proxy/sql/facts.js';
import { TEMPLATE_STATS, lex } from '../../../proxy/sql/template.js';
import { asNode } from '../../../proxy/sql/tree.js';
import { hasShared, sharedPath } from '../../helpers/shared.js';

beforeAll(async () => {
  await initSql();
});

/** fresh is a full analysis of a single statement, with no cache involved (undefined: it does not parse). */
function fresh(sql: string): StatementFacts | undefined {
  let tree: { stmts?: { stmt: unknown; stmt_location?: number; stmt_len?: number }[] };
  try {
    tree = parseSync(sql) as typeof tree;
  } catch {
    return undefined;
  }
  const [first, ...rest] = tree.stmts ?? [];
  if (first === undefined || rest.length > 0) return undefined;
  const node = asNode(first.stmt);
  if (node === undefined) return undefined;
  const start = first.stmt_location ?? 0;
  const text = Buffer.from(sql, 'utf8')
    .subarray(start, first.stmt_len ? start + first.stmt_len : undefined)
    .toString('utf8')
    .trim();
  return statementFacts(node, text, 'public');
}

function analysed(sql: string): StatementFacts | undefined {
  const r = analyze(sql);
  return r.ok && r.statements.length === 1 ? r.statements[0] : undefined;
}

describe('lex', () => {
  const I = '\u0000i';
  const S = '\u0000s';
  const cases: { sql: string; template?: string; values?: string[] }[] = [
    {
      sql: 'SELECT abalance FROM pgbench_accounts WHERE aid = 4711;',
      template: `SELECT abalance FROM pgbench_accounts WHERE aid = ${I};`,
      values: ['4711'],
    },
    { sql: "SELECT * FROM t WHERE a = 'x y' AND b = 007", template: `SELECT * FROM t WHERE a = ${S} AND b = ${I}`, values: ['x y', '7'] },
    { sql: "SELECT '' , 0", template: `SELECT ${S} , ${I}`, values: ['', '0'] },
    { sql: 'SELECT t1.c2 FROM t1', template: 'SELECT t1.c2 FROM t1', values: [] },
    { sql: 'SELECT "a""1" , 1 FROM "x 2"', template: `SELECT "a""1" , ${I} FROM "x 2"`, values: ['1'] },
    { sql: 'SELECT -5, - 5, +5, 1-5, 5', template: `SELECT -5, - 5, +5, ${I}-5, ${I}`, values: ['1', '5'] },
    { sql: 'SELECT 1.5, .5, 5., 1e5, 0x1F, 1_000, 5abc', template: 'SELECT 1.5, .5, 5., 1e5, 0x1F, 1_000, 5abc', values: [] },
    { sql: 'SELECT 1234567890, 123456789', template: `SELECT 1234567890, ${I}`, values: ['123456789'] },
    { sql: "SELECT E'a', B'1', X'1F', N'a', U&'a'" },
    { sql: "SELECT 'it''s'" },
    { sql: "SELECT 'a'\n'b'" },
    { sql: "SELECT 'a\\b'" },
    { sql: 'SELECT $1' },
    { sql: 'SELECT $$x$$' },
    { sql: 'SELECT 1 -- c' },
    { sql: 'SELECT /* c */ 1' },
    { sql: 'SELECT 1; SELECT 2' },
    { sql: "SELECT 'unterminated" },
    { sql: 'SELECT "unterminated' },
    { sql: 'SELECT 1;;  ', template: `SELECT ${I};;  `, values: ['1'] },
  ];
  it.each(cases)('$sql', ({ sql, template, values }) => {
    const l = lex(sql);
    if (template === undefined) {
      expect(l).toBeUndefined();
      return;
    }
    expect(l?.template).toBe(template);
    expect(l?.literals.map((x) => x.value)).toEqual(values);
  });
});

describe('a statement of a learned template', () => {
  const cases: { note: string; a: string; b: string; templated: boolean }[] = [
    {
      note: 'pgbench select',
      a: 'SELECT abalance FROM pgbench_accounts WHERE aid = 17;',
      b: 'SELECT abalance FROM pgbench_accounts WHERE aid = 9;',
      templated: true,
    },
    { note: 'to zero and back', a: 'SELECT a FROM t1 WHERE b = 5 LIMIT 3', b: 'SELECT a FROM t1 WHERE b = 0 LIMIT 0', templated: true },
    {
      note: 'strings, empty and not',
      a: "SELECT a FROM t2 WHERE s = 'x' OR s = ''",
      b: "SELECT a FROM t2 WHERE s = '' OR s = 'é ü'",
      templated: true,
    },
    {
      note: 'literal order differs from tree order',
      a: 'SELECT a FROM t3 WHERE b = 1 ORDER BY a LIMIT 2',
      b: 'SELECT a FROM t3 WHERE b = 10 ORDER BY a LIMIT 20',
      templated: true,
    },
    { note: 'a typed string', a: "SELECT date '2020-01-01' FROM t4", b: "SELECT date '2021-02-03' FROM t4", templated: true },
    { note: 'leading and trailing space', a: '  SELECT 1 FROM t5 ;  ', b: '  SELECT 2 FROM t5 ;  ', templated: true },
    {
      note: 'a literal the facts read is never templated',
      a: "SELECT set_config('role', 'a', false)",
      b: "SELECT set_config('role', 'b', false)",
      templated: false,
    },
    { note: 'a COPY file name is not a constant', a: "COPY t6 FROM '/tmp/a'", b: "COPY t6 FROM '/etc/passwd'", templated: false },
    { note: 'float(n) chooses a type', a: 'SELECT x::float(5) FROM t7', b: 'SELECT x::float(30) FROM t7', templated: false },
    { note: 'a comment on', a: "COMMENT ON TABLE t8 IS 'a'", b: "COMMENT ON TABLE t8 IS 'b'", templated: false },
  ];
  it.each(cases)('$note', ({ a, b, templated }) => {
    expect(analysed(a)).toEqual(fresh(a));
    const hits = TEMPLATE_STATS.hits;
    const got = analysed(b);
    expect(got).toEqual(fresh(b));
    expect(got?.fingerprint).not.toBe(fresh(a)?.fingerprint);
    expect(TEMPLATE_STATS.hits - hits).toBe(templated ? 1 : 0);
  });
});

const CORPUS = sharedPath('pg-regress-sql', 'regress-statements.json');

describe.runIf(hasShared(CORPUS))('pg-regress-sql corpus', () => {
  it('a statement with its literals changed gets what a full analysis gives it', () => {
    const parsed = JSON.parse(readFileSync(CORPUS, 'utf8')) as { statements?: { sql: string; lpqOk: boolean }[] };
    const problems: string[] = [];
    let compared = 0;
    const hits0 = TEMPLATE_STATS.hits;
    for (const e of parsed.statements ?? []) {
      if (!e.lpqOk) continue;
      const l = lex(e.sql);
      if (l === undefined || l.literals.length === 0 || fresh(e.sql) === undefined) continue;
      analysed(e.sql);
      // every literal changed: integers to another value (zero to non-zero and back), strings lengthened or emptied
      let variant = '';
      let from = 0;
      for (const lit of l.literals) {
        const end = lit.kind === 'int' ? lit.offset + e.sql.slice(lit.offset).search(/[^0-9]|$/) : e.sql.indexOf("'", lit.offset + 1) + 1;
        const value =
          lit.kind === 'int' ? String(lit.value === '0' ? 7 : (Number(lit.value) * 3 + 1) % 100000) : `'${lit.value === '' ? 'zz' : ''}'`;
        variant += e.sql.slice(from, lit.offset) + value;
        from = end;
      }
      variant += e.sql.slice(from);
      const want = fresh(variant);
      const got = analyze(variant);
      if (want === undefined) continue; // the changed text does not parse (a value the grammar checks): analysed in full like any other
      compared++;
      const same = got.ok && got.statements.length === 1 && JSON.stringify(got.statements[0]) === JSON.stringify(want);
      if (!same && problems.length < 10) problems.push(`${variant.slice(0, 160)}`);
    }
    expect(problems).toEqual([]);
    expect(compared).toBeGreaterThan(1000);
    // the corpus exercises the template path itself, not only the full analysis
    expect(TEMPLATE_STATS.hits - hits0).toBeGreaterThan(500);
  });
});
