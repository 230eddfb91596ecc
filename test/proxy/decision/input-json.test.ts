// policyInputJson and the shared copies behind it: the text is exactly JSON.stringify(input);
// parts from deeply frozen sources are copied once and shared (deeply frozen), anything that
// could still change is copied afresh for every input, as before.

import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildPolicyInput } from '../../../proxy/decision/index.js';
import type { PolicyInput, PolicyInputParts } from '../../../proxy/decision/index.js';
import { policyInputJson, sharedCopier } from '../../../proxy/decision/input-json.js';
import { analyze, initSql } from '../../../proxy/sql/index.js';
import type { StatementFacts } from '../../../proxy/sql/index.js';
import { hasShared, sharedPath } from '../../helpers/shared.js';
import { facts } from '../../helpers/statements.js';

const CORPUS = sharedPath('pg-regress-sql', 'regress-statements.json');
import { sampleFacts, sampleParts } from './fixtures.js';

beforeAll(async () => {
  await initSql();
});

function deepFreeze<T>(x: T): T {
  if (typeof x === 'object' && x !== null) {
    for (const v of Object.values(x)) deepFreeze(v);
    Object.freeze(x);
  }
  return x;
}

describe('policyInputJson', () => {
  const inputs = [
    { note: 'the sample parts (nothing frozen)', input: () => buildPolicyInput(sampleParts) },
    {
      note: 'facts from analyze (frozen), simple protocol',
      input: () => buildPolicyInput({ ...sampleParts, statement: facts('SELECT email FROM customers WHERE id = 7'), params: null }),
    },
    {
      note: 'facts from analyze, again (shared copies)',
      input: () => buildPolicyInput({ ...sampleParts, statement: facts('SELECT email FROM customers WHERE id = 8'), params: null }),
    },
    {
      note: 'frozen claims and a statement without output',
      input: () =>
        buildPolicyInput({
          ...sampleParts,
          claims: deepFreeze({ sub: 'x', roles: ['a'] }),
          statement: facts('DELETE FROM t WHERE id = $1'),
        }),
    },
    {
      note: 'unicode and escapes',
      input: () => buildPolicyInput({ ...sampleParts, statement: facts(`SELECT 'ünï "q" \\ \u2028' AS "wéird"`) }),
    },
  ];
  it.each(inputs)('writes JSON.stringify(input) for $note', ({ input }) => {
    const i = input();
    expect(policyInputJson(i)).toBe(JSON.stringify(i));
    expect(policyInputJson(i)).toBe(JSON.stringify(i)); // and again, from remembered texts
  });

  const values: { note: string; value: unknown }[] = [
    { note: 'undefined members are left out', value: { a: undefined, b: 1, c: { d: undefined, e: () => 1 } } },
    { note: 'toJSON is honoured', value: { when: new Date(0), nested: { toJSON: () => 'x' } } },
    { note: 'non-plain objects', value: { m: new Map([[1, 2]]), s: new String('s'), a: [undefined, 1] } },
    { note: 'integer-like keys come first', value: { b: 1, 2: 'two', a: { 10: 1, 1: 0 } } },
    { note: 'not an object', value: 'text' },
    { note: 'null', value: null },
  ];
  it.each(values)('matches JSON.stringify: $note', ({ value }) => {
    expect(policyInputJson(value)).toBe(JSON.stringify(value));
  });
});

describe('policyInputJson of a sealed input (every part frozen: its own writer)', () => {
  const frozenClaims = deepFreeze({ sub: 'agent-7', iss: 'https://issuer.example', roles: ['db:read'], n: 1.5, e: '\u2028"' });
  const frozenConnection = Object.freeze({ ...sampleParts.connection });
  const sealedInput = (sql: string, over: Partial<PolicyInputParts> = {}) =>
    buildPolicyInput({ ...sampleParts, claims: frozenClaims, connection: frozenConnection, statement: facts(sql), ...over });
  const cases: { note: string; input: () => PolicyInput }[] = [
    { note: 'a SELECT with output lineage and Bind values', input: () => sealedInput('SELECT email FROM customers WHERE id = $1') },
    { note: 'no output, no values (simple protocol)', input: () => sealedInput('DELETE FROM t WHERE id = 3', { params: null }) },
    {
      note: 'routines and functions',
      input: () =>
        sealedInput('SELECT lower(name) FROM customers', {
          routines: [
            {
              schema: 'pg_catalog',
              name: 'lower',
              known: true,
              volatility: 'immutable',
              securityDefiner: false,
              publicExecute: true,
              builtin: true,
              kinds: ['function'],
            },
          ],
        }),
    },
    {
      note: 'odd counters and clock',
      input: () =>
        sealedInput(`SELECT 'ünï "q" \\ \u2028' AS "wéird"`, {
          session: { statements: 0, rowsReturned: 2 ** 40, inTransaction: false, startedAtMs: Number.NaN },
          nowMs: 0,
          params: ['', null, '\u0000x'],
        }),
    },
  ];
  it.each(cases)('writes JSON.stringify(input): $note', ({ input }) => {
    const i = input();
    expect(policyInputJson(i)).toBe(JSON.stringify(i));
    expect(policyInputJson(i)).toBe(JSON.stringify(i));
  });

  describe.runIf(hasShared(CORPUS))('over the pg-regress-sql corpus', () => {
    it('writes JSON.stringify(input) for every statement PostgreSQL parses', () => {
      const parsed = JSON.parse(readFileSync(CORPUS, 'utf8')) as { statements?: { sql: string; lpqOk: boolean }[] };
      let compared = 0;
      const problems: string[] = [];
      for (const e of parsed.statements ?? []) {
        if (!e.lpqOk) continue;
        const r = analyze(e.sql);
        if (!r.ok || r.statements.length !== 1) continue;
        const i = buildPolicyInput({
          ...sampleParts,
          claims: frozenClaims,
          connection: frozenConnection,
          statement: r.statements[0] as StatementFacts,
        });
        compared++;
        if (policyInputJson(i) !== JSON.stringify(i) && problems.length < 5) problems.push(e.sql);
      }
      expect(problems).toEqual([]);
      expect(compared).toBeGreaterThan(5000);
    });
  });
});

describe('shared copies', () => {
  it('shares one deeply frozen copy per deeply frozen source', () => {
    const f = facts('SELECT email FROM customers WHERE id = 1');
    const g = facts('SELECT email FROM customers WHERE id = 2'); // same shape: same frozen parts
    const a = buildPolicyInput({ ...sampleParts, statement: f });
    const b = buildPolicyInput({ ...sampleParts, statement: g });
    expect(b.statement.tables).toBe(a.statement.tables);
    expect(b.statement.output).toBe(a.statement.output);
    expect(Object.isFrozen(a.statement.columns.read[0])).toBe(true);
    expect(a.statement.text).not.toBe(b.statement.text);
    expect(a.statement.tables).toEqual({ read: ['public.customers'], written: [] });
  });

  it('copies anew what can still change', () => {
    const a = buildPolicyInput(sampleParts);
    const b = buildPolicyInput(sampleParts);
    expect(b.statement.tables).not.toBe(a.statement.tables);
    expect(b.identity).not.toBe(a.identity);
    expect(Object.isFrozen(a.statement.tables)).toBe(false);
  });

  it('does not share a copy of a source that is frozen only on the surface', () => {
    const read = ['public.a'];
    const tables = Object.freeze({ read, written: Object.freeze([] as string[]) });
    const first = buildPolicyInput({ ...sampleParts, statement: { ...sampleFacts, tables } });
    read.push('public.b');
    const second = buildPolicyInput({ ...sampleParts, statement: { ...sampleFacts, tables } });
    expect(first.statement.tables.read).toEqual(['public.a']);
    expect(second.statement.tables.read).toEqual(['public.a', 'public.b']);
    expect(policyInputJson(second)).toBe(JSON.stringify(second));
  });

  it('keys copies by converter as well as by source', () => {
    const source = deepFreeze({ x: 1 });
    const one = sharedCopier((s: { x: number }) => ({ y: s.x }));
    const two = sharedCopier((s: { x: number }) => ({ z: s.x + 1 }));
    expect(one(source)).toEqual({ y: 1 });
    expect(two(source)).toEqual({ z: 2 });
    expect(one(source)).toBe(one(source));
  });
});
