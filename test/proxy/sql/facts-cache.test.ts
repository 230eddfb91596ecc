// The facts cache: statements that differ only in literal values share their facts (the same
// frozen objects) but keep their own text and fingerprint; statements that differ in structure,
// search path or in a literal the facts read (set_config('role', …)) never do. Over the
// pg-regress-sql corpus, changing every literal of a statement must not change its facts unless
// the walk says it read one: the precondition the cache relies on.

import { readFileSync } from 'node:fs';
import { parseSync } from 'libpg-query';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyze, initSql, type StatementFacts } from '../../../proxy/sql/index.js';
import { shapeFacts } from '../../../proxy/sql/facts.js';
import { asNode } from '../../../proxy/sql/tree.js';
import { hasShared, sharedPath } from '../../helpers/shared.js';

beforeAll(async () => {
  await initSql();
});

function one(sql: string, searchPath?: readonly string[]): StatementFacts {
  const r = analyze(sql, searchPath !== undefined ? { searchPath } : {});
  if (!r.ok) throw new Error(`unexpected ${r.error.code}: ${r.error.message}`);
  expect(r.statements).toHaveLength(1);
  return r.statements[0] as StatementFacts;
}

/** shared drops what a statement never shares: its text and fingerprint. */
function shared(f: StatementFacts): Omit<StatementFacts, 'text' | 'fingerprint'> {
  const { text: _text, fingerprint: _fingerprint, ...rest } = f;
  return rest;
}

describe('statements that differ only in literals', () => {
  const cases = [
    {
      note: 'an integer',
      a: 'SELECT abalance FROM pgbench_accounts WHERE aid = 1',
      b: 'SELECT abalance FROM pgbench_accounts WHERE aid = 99999',
    },
    { note: 'a string', a: "SELECT email FROM customers WHERE name = 'ada'", b: "SELECT email FROM customers WHERE name = 'grace hopper'" },
    {
      note: 'several literals of each type',
      a: "UPDATE t SET a = 1.5, b = 'x', c = true WHERE id = 1",
      b: "UPDATE t SET a = 2.75, b = 'yy', c = false WHERE id = 0",
    },
    {
      note: 'LIMIT and OFFSET',
      a: 'SELECT * FROM orders ORDER BY id LIMIT 10 OFFSET 20',
      b: 'SELECT * FROM orders ORDER BY id LIMIT 50 OFFSET 0',
    },
    {
      note: 'a literal in a subquery',
      a: 'SELECT (SELECT max(a) FROM u WHERE b = 1) FROM t',
      b: 'SELECT (SELECT max(a) FROM u WHERE b = 2) FROM t',
    },
    {
      note: 'set_config of a setting given by parameter',
      a: 'SELECT set_config($1, 1::text, false)',
      b: 'SELECT set_config($1, 2::text, false)',
    },
  ];
  it.each(cases)('share facts: $note', ({ a, b }) => {
    const fa = one(a);
    const fb = one(b);
    expect(shared(fb)).toEqual(shared(fa));
    // the very same frozen objects: the second statement's walk was skipped
    expect(fb.tables).toBe(fa.tables);
    expect(fb.flags).toBe(fa.flags);
    expect(Object.isFrozen(fb.columns)).toBe(true);
    // …but never the statement's own text or fingerprint
    expect(fb.text).toBe(b);
    expect(fb.fingerprint).not.toBe(fa.fingerprint);
  });
});

describe('statements that never share facts', () => {
  const cases = [
    { note: 'another table', a: 'SELECT a FROM t WHERE id = 1', b: 'SELECT a FROM u WHERE id = 2' },
    { note: 'another column', a: 'SELECT a FROM t WHERE id = 1', b: 'SELECT b FROM t WHERE id = 2' },
    { note: 'a WHERE clause', a: 'DELETE FROM t WHERE id = 1', b: 'DELETE FROM t' },
    { note: 'a parameter against a literal', a: 'SELECT a FROM t WHERE id = $1', b: 'SELECT a FROM t WHERE id = 1' },
    { note: 'an alias', a: 'SELECT a AS x FROM t WHERE id = 1', b: 'SELECT a AS y FROM t WHERE id = 2' },
    { note: 'a schema', a: 'SELECT a FROM public.t WHERE id = 1', b: 'SELECT a FROM crm.t WHERE id = 2' },
  ];
  it.each(cases)('$note', ({ a, b }) => {
    const fa = one(a);
    const fb = one(b);
    expect(shared(fb)).not.toEqual(shared(fa));
    expect(fb.tables === fa.tables && fb.columns === fa.columns && fb.flags === fa.flags && fb.output === fa.output).toBe(false);
  });

  it('across search paths', () => {
    const fa = one('SELECT a FROM t WHERE id = 1', ['public']);
    const fb = one('SELECT a FROM t WHERE id = 2', ['crm']);
    expect(fa.tables.read).toEqual(['public.t']);
    expect(fb.tables.read).toEqual(['crm.t']);
  });

  it('when the facts read a literal: set_config names the setting', () => {
    const search = one("SELECT set_config('search_path', 'x', false)");
    const role = one("SELECT set_config('role', 'x', false)");
    const auth = one("SELECT set_config('session_authorization', 'x', false)");
    expect([search.flags.set_role, search.flags.session_authorization]).toEqual([false, false]);
    expect([role.flags.set_role, role.flags.session_authorization]).toEqual([true, false]);
    expect([auth.flags.set_role, auth.flags.session_authorization]).toEqual([false, true]);
    // and again in the other order, so a cached entry could not hide it
    expect(one("SELECT set_config('role', 'y', false)").flags.set_role).toBe(true);
    expect(one("SELECT set_config('search_path', 'y', false)").flags.set_role).toBe(false);
  });
});

describe('the memo by text', () => {
  it('takes a string whose facts were shared only when it comes again', () => {
    one('SELECT total FROM invoices WHERE id = 1'); // a new shape: walked, memoised
    const first = analyze('SELECT total FROM invoices WHERE id = 2'); // shared facts: not memoised yet
    const second = analyze('SELECT total FROM invoices WHERE id = 2'); // seen again: memoised now
    const third = analyze('SELECT total FROM invoices WHERE id = 2');
    expect(second).not.toBe(first);
    expect(third).toBe(second);
    expect(second).toEqual(first);
  });

  it('memoises a new shape at once', () => {
    const a = analyze('SELECT due FROM invoices WHERE id = 1');
    expect(analyze('SELECT due FROM invoices WHERE id = 1')).toBe(a);
  });
});

/** changeLiterals returns a copy of a parse tree with every A_Const value replaced by another of its type. */
function changeLiterals(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(changeLiterals);
  if (typeof x !== 'object' || x === null) return x;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(x)) {
    if (k === 'A_Const' && typeof v === 'object' && v !== null) {
      const c = { ...(v as Record<string, unknown>) };
      if ('ival' in c) c['ival'] = { ival: ((c['ival'] as { ival?: number }).ival ?? 0) + 7 };
      if ('fval' in c) c['fval'] = { fval: '98765.4321' };
      if ('sval' in c) c['sval'] = { sval: `${(c['sval'] as { sval?: string }).sval ?? ''}-changed` };
      if ('boolval' in c) c['boolval'] = { boolval: !(c['boolval'] as { boolval?: boolean }).boolval };
      if ('bsval' in c) c['bsval'] = { bsval: 'b0101' };
      out[k] = c;
    } else out[k] = changeLiterals(v);
  }
  return out;
}

const CORPUS = sharedPath('pg-regress-sql', 'regress-statements.json');

describe.runIf(hasShared(CORPUS))('pg-regress-sql corpus', () => {
  it('facts depend on a literal only where the walk says it read one', () => {
    const parsed = JSON.parse(readFileSync(CORPUS, 'utf8')) as {
      statements?: { file: string; line: number; sql: string; lpqOk: boolean }[];
    };
    const problems: string[] = [];
    let compared = 0;
    for (const e of parsed.statements ?? []) {
      if (!e.lpqOk) continue;
      let stmts: { stmt: unknown }[];
      try {
        stmts = (parseSync(e.sql) as { stmts?: { stmt: unknown }[] }).stmts ?? [];
      } catch {
        continue;
      }
      for (const { stmt } of stmts) {
        const node = asNode(stmt);
        const changed = asNode(changeLiterals(stmt));
        if (node === undefined || changed === undefined) continue;
        let a: ReturnType<typeof shapeFacts>;
        let b: ReturnType<typeof shapeFacts>;
        try {
          a = shapeFacts(node, 'public');
          b = shapeFacts(changed, 'public');
        } catch {
          continue; // too deep to walk: refused either way
        }
        if (a.literalsRead) continue;
        compared++;
        if (JSON.stringify(a.facts) !== JSON.stringify(b.facts)) problems.push(`${e.file}:${e.line}`);
      }
    }
    expect(compared).toBeGreaterThan(10_000);
    expect(problems.slice(0, 20)).toEqual([]);
  });
});
