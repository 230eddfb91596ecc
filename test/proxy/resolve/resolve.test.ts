// resolveStatement against an in-memory catalog: synchronous when every answer is cached, waits
// once per round of lookups otherwise, follows views (re-analysing the statement), reports
// routines per schema (unknown ones too), gives view columns their lineage, and refuses the
// statement when a lookup fails or views nest beyond the limit.

import { beforeAll, describe, expect, it } from 'vitest';
import { initSql } from '../../../proxy/sql/index.js';
import { facts } from '../../helpers/statements.js';
import type { CatalogFacts, RelationFacts, RoutineFacts } from '../../../proxy/catalog/index.js';
import { CatalogTooDeepError, CatalogUnavailableError, resolveStatement } from '../../../proxy/resolve/index.js';
import type { Resolved } from '../../../proxy/resolve/index.js';

beforeAll(async () => {
  await initSql();
});

const RELATIONS: Record<string, RelationFacts | null> = {
  'public.customers': { kind: 'table', columns: ['id', 'email'] },
  'public.v_mail': {
    kind: 'view',
    columns: ['id', 'mail'],
    definition: 'SELECT customers.id, customers.email AS mail FROM public.customers;',
  },
  'public.v_top': { kind: 'view', columns: ['mail'], definition: 'SELECT v_mail.mail FROM public.v_mail;' },
  'pg_catalog.pg_stats': { kind: 'view', columns: ['n'], definition: 'SELECT count(*) AS n FROM pg_statistic' },
  'pg_catalog.pg_statistic': { kind: 'table', columns: ['starelid'] },
};
const ROUTINES: Record<string, RoutineFacts[]> = {
  '\0now': [
    {
      schema: 'pg_catalog',
      name: 'now',
      volatility: 'stable',
      securityDefiner: false,
      publicExecute: true,
      builtin: true,
      kinds: ['function'],
    },
  ],
  '\0count': [
    {
      schema: 'pg_catalog',
      name: 'count',
      volatility: 'immutable',
      securityDefiner: false,
      publicExecute: true,
      builtin: true,
      kinds: ['aggregate'],
    },
  ],
};

const OPERATORS: Record<string, RoutineFacts[]> = {
  '\0#%#': [
    {
      schema: 'public',
      name: 'bump',
      volatility: 'volatile',
      securityDefiner: false,
      publicExecute: true,
      builtin: false,
      kinds: ['function'],
    },
  ],
};

/** fakeCatalog answers from the tables above, synchronously or (mode 'async') the first time through a promise. */
function fakeCatalog(
  mode: 'sync' | 'async' | 'failing',
  extra: Record<string, RelationFacts | null> = {},
): CatalogFacts & { lookups: number } {
  const seen = new Set<string>();
  const relations = { ...RELATIONS, ...extra };
  const answer = <T>(key: string, value: T): T | Promise<T | undefined> | undefined => {
    if (mode === 'failing') return Promise.resolve(undefined);
    if (mode === 'sync' || seen.has(key)) return value;
    seen.add(key);
    self.lookups += 1;
    return Promise.resolve(value);
  };
  const self = {
    lookups: 0,
    generation: () => 0,
    systemRelations: () => answer('system', new Set(['pg_stats', 'pg_statistic'])),
    relation: (t: string) => answer(`r:${t}`, relations[t] ?? null),
    routines: (schema: string, name: string) => answer(`f:${schema}.${name}`, ROUTINES[`${schema}\0${name}`] ?? []),
    operatorRoutines: (schema: string, name: string) => answer(`o:${schema}.${name}`, OPERATORS[`${schema}\0${name}`] ?? []),
  };
  return self;
}

/** countingCatalog is a synchronous fake catalog that counts its relation and function lookups, with a generation the test moves. */
function countingCatalog(): { catalog: CatalogFacts; asked: number; gen: number } {
  const base = fakeCatalog('sync');
  const c: { catalog: CatalogFacts; asked: number; gen: number } = {
    asked: 0,
    gen: 0,
    catalog: {
      ...base,
      generation: () => c.gen,
      relation: (t: string) => {
        c.asked += 1;
        return base.relation(t);
      },
      routines: (schema: string, name: string) => {
        c.asked += 1;
        return base.routines(schema, name);
      },
    } as CatalogFacts,
  };
  return c;
}

function ok(r: Resolved): Extract<Resolved, { ok: true }> {
  if (!r.ok) throw new Error(r.error.message);
  return r;
}

describe('resolveStatement', () => {
  it('answers synchronously when everything is cached, and needs nothing for a statement without names', () => {
    const r = resolveStatement(facts('SELECT now() FROM customers'), fakeCatalog('sync'));
    expect(r).not.toBeInstanceOf(Promise);
    expect(ok(r as Resolved).routines.map((x) => `${x.schema}.${x.name}:${x.volatility}`)).toEqual(['pg_catalog.now:stable']);
    const none = facts('BEGIN');
    expect(resolveStatement(none, fakeCatalog('failing'))).toEqual({ ok: true, facts: none, routines: [], viewColumns: [] });
  });

  it('waits for lookups it does not have, then resolves the same', async () => {
    const catalog = fakeCatalog('async');
    const r = ok(await resolveStatement(facts('SELECT mail FROM v_top'), catalog));
    expect(r.facts.tables.read).toEqual(['public.customers', 'public.v_mail', 'public.v_top']);
    expect(r.viewColumns).toContainEqual({
      view: 'public.v_top',
      column: 'mail',
      source: { table: 'public.customers', column: 'email' },
      derived: [],
    });
    expect(r.viewColumns).toContainEqual({
      view: 'public.v_mail',
      column: 'mail',
      source: { table: 'public.customers', column: 'email' },
      derived: [],
    });
    expect(catalog.lookups).toBeGreaterThan(0);
    // a second statement with the same names needs no wait
    expect(resolveStatement(facts('SELECT mail FROM v_top'), catalog)).not.toBeInstanceOf(Promise);
  });

  it('re-analyses a long statement over views on a worker, with the same result', async () => {
    const long = `SELECT mail FROM v_top WHERE mail IN (${Array.from({ length: 800 }, (_, i) => `'m${i}'`).join(', ')})`;
    expect(long.length).toBeGreaterThan(4096);
    const r = resolveStatement(facts(long), fakeCatalog('sync'));
    expect(r).toBeInstanceOf(Promise);
    const done = ok(await r);
    expect(done.facts.tables.read).toEqual(['public.customers', 'public.v_mail', 'public.v_top']);
    expect(done.viewColumns).toContainEqual({
      view: 'public.v_top',
      column: 'mail',
      source: { table: 'public.customers', column: 'email' },
      derived: [],
    });
  });

  it('reuses the resolution of a shared statement until the catalog drops its answers', () => {
    const c = countingCatalog();
    const counting = c.catalog;
    const f = facts('SELECT mail FROM v_top');
    expect(Object.isFrozen(f)).toBe(true);
    const first = resolveStatement(f, counting);
    const lookups = c.asked;
    expect(lookups).toBeGreaterThan(0);
    expect(resolveStatement(f, counting)).toBe(first);
    expect(c.asked).toBe(lookups);
    c.gen += 1; // DDL or the refresh timer: answers may have changed
    expect(resolveStatement(f, counting)).not.toBe(first);
    expect(c.asked).toBe(2 * lookups);
  });

  it('reuses a shape’s resolution for a statement that differs only in literals, with its own facts', () => {
    const c = countingCatalog();
    const counting = c.catalog;
    const a = facts('SELECT bump(id) FROM customers WHERE id = 1');
    const b = facts('SELECT bump(id) FROM customers WHERE id = 2');
    expect(b).not.toBe(a);
    expect(b.tables).toBe(a.tables); // one shape
    const first = ok(resolveStatement(a, counting) as Resolved);
    const lookups = c.asked;
    expect(lookups).toBeGreaterThan(0);
    const second = ok(resolveStatement(b, counting) as Resolved);
    expect(c.asked).toBe(lookups);
    expect(second.facts).toBe(b);
    expect(second.routines).toEqual(first.routines);
    expect(second.routines).toHaveLength(1);
    c.gen += 1;
    resolveStatement(facts('SELECT bump(id) FROM customers WHERE id = 3'), counting);
    expect(c.asked).toBe(2 * lookups);
    // a statement over views is analysed again with the catalog: never answered by shape
    const v1 = ok(resolveStatement(facts('SELECT mail FROM v_top WHERE mail = 1'), counting) as Resolved);
    const v2 = facts('SELECT mail FROM v_top WHERE mail = 2');
    const r2 = ok(resolveStatement(v2, counting) as Resolved);
    expect(r2.facts.text).toBe(v2.text);
    expect(r2.facts).not.toBe(v1.facts);
  });

  it('qualifies system relations and follows system views', async () => {
    const r = ok(await resolveStatement(facts('SELECT n FROM pg_stats'), fakeCatalog('async')));
    expect(r.facts.tables.read).toEqual(['pg_catalog.pg_statistic', 'pg_catalog.pg_stats']);
    expect(r.routines.map((x) => x.name)).toEqual(['count']);
  });

  it("reports the function behind a user-defined operator, and nothing for the server's own", async () => {
    const r = ok(await resolveStatement(facts('SELECT 1 #%# 2, 3 = 4'), fakeCatalog('async')));
    expect(r.routines.map((x) => `${x.schema}.${x.name}:${x.volatility}`)).toEqual(['public.bump:volatile']);
  });

  it('reports a function the catalog does not know as unknown', async () => {
    const r = ok(await resolveStatement(facts('SELECT public.nope(1)'), fakeCatalog('async')));
    expect(r.routines).toEqual([
      {
        schema: 'public',
        name: 'nope',
        known: false,
        volatility: 'unknown',
        securityDefiner: false,
        publicExecute: true,
        builtin: false,
        kinds: [],
      },
    ]);
  });

  it.each([
    { note: 'a failing catalog', sql: 'SELECT * FROM customers' },
    { note: 'a failing function lookup', sql: 'SELECT now()' },
  ])('refuses the statement on $note', async ({ sql }) => {
    const r = await resolveStatement(facts(sql), fakeCatalog('failing'));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toBeInstanceOf(CatalogUnavailableError);
  });

  it('refuses a statement that reads more relations through views than the limit', () => {
    const chain: Record<string, RelationFacts> = {};
    for (let i = 0; i < 300; i++) chain[`public.c${i}`] = { kind: 'view', columns: ['x'], definition: `SELECT x FROM public.c${i + 1}` };
    const r = resolveStatement(facts('SELECT x FROM c0'), fakeCatalog('sync', chain)) as Resolved;
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toBeInstanceOf(CatalogTooDeepError);
  });
});
