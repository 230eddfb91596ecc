// The catalog resolver: names for RowDescription columns (table OID + attribute number →
// `schema.table` + column) and a table's column list, looked up in pg_catalog over one dedicated
// upstream connection (opened lazily, reopened after it drops) and cached. Lookups run one at a
// time on that connection. Numbers go into the SQL as validated integer literals and names as
// properly quoted string literals, never as interpolated text.

import type { EventSink } from '../events.js';
import { NO_EVENTS } from '../events.js';
import { UpstreamQueryError, simpleQuery } from '../upstream/index.js';
import type { UpstreamConnection } from '../upstream/index.js';
import type { CatalogFacts, CatalogResolver, ColumnName, Known, RelationFacts, RoutineFacts, Volatility } from './types.js';
import { messageOf } from '../errors.js';

/** CatalogOptions configures createCatalog. */
export type CatalogOptions = {
  /** events receives lookup failures as `catalog.failed` (default: dropped). */
  readonly events?: EventSink;
  /** maxEntries bounds each cache; the oldest entries go first (default 10 000). */
  readonly maxEntries?: number;
  /** refreshMs forgets every cached answer this often, so catalog changes made elsewhere are seen (default 60 000; 0: never). */
  readonly refreshMs?: number;
};

/** Catalog is a CatalogResolver and CatalogFacts that owns its upstream connection. */
export type Catalog = CatalogResolver &
  CatalogFacts & {
    /** close ends the catalog's upstream connection (a later lookup reopens it). */
    close(): void;
  };

type Closable = UpstreamConnection & { destroy?: () => void };

const UINT32_MAX = 4_294_967_295;
const INT16_MAX = 32_767;

/**
 * createCatalog returns a resolver that opens its connection with `connect` on first use.
 * A lookup that fails (upstream down, query error) resolves to undefined and is not cached,
 * so the query cycle fails closed (an unresolvable masked column is denied) and retries later.
 */
export function createCatalog(connect: () => Promise<UpstreamConnection>, options: CatalogOptions = {}): Catalog {
  const events = options.events ?? NO_EVENTS;
  const maxEntries = options.maxEntries ?? 10_000;
  let conn: Promise<Closable> | undefined;
  let chain: Promise<unknown> = Promise.resolve();
  let generation = 0;
  const columns = new Map<string, Promise<ColumnName | undefined>>();
  const tables = new Map<string, Promise<readonly string[] | undefined>>();
  const relations = new Map<string, Promise<RelationFacts | null | undefined>>();
  const routines = new Map<string, Promise<readonly RoutineFacts[] | undefined>>();
  const system = new Map<string, Promise<ReadonlySet<string> | undefined>>();
  // answers that have arrived, for the synchronous path (same keys as the caches above, prefixed)
  const settled = new Map<string, unknown>();
  const refreshMs = options.refreshMs ?? 60_000;

  const connection = (): Promise<Closable> => {
    if (conn === undefined) {
      const opened = connect() as Promise<Closable>;
      conn = opened;
      opened.catch(() => {
        if (conn === opened) conn = undefined;
      });
    }
    return conn;
  };

  /** query runs one statement after the previous ones, reconnecting once when the connection is gone. */
  const query = (sql: string): Promise<(readonly (string | null)[])[]> => {
    const run = async (): Promise<(readonly (string | null)[])[]> => {
      for (let attempt = 0; ; attempt += 1) {
        const c = await connection();
        if (c.closed) {
          if (conn !== undefined && (await conn) === c) conn = undefined;
          if (attempt === 0) continue;
        }
        try {
          return [...(await simpleQuery(c, sql)).rows];
        } catch (err) {
          if (err instanceof UpstreamQueryError) throw err;
          // the connection is unusable: drop it and retry once on a fresh one
          c.destroy?.();
          if (conn !== undefined && (await conn.catch(() => undefined)) === c) conn = undefined;
          if (attempt > 0) throw err;
        }
      }
    };
    const result = chain.then(run, run);
    chain = result.catch(() => undefined);
    return result;
  };

  /** cached memoizes successful lookups; failures are logged, answered undefined and forgotten. */
  const cached = <T>(
    cache: Map<string, Promise<T | undefined>>,
    key: string,
    lookup: () => Promise<T | undefined>,
  ): Promise<T | undefined> => {
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const gen = generation;
    const pending = lookup().then(
      (value) => {
        if (gen === generation && cache.get(key) === pending && value !== undefined) settled.set(key, value);
        return value;
      },
      (err: unknown) => {
        events.publish({ type: 'catalog.failed', key, message: messageOf(err) });
        if (cache.get(key) === pending) cache.delete(key);
        return undefined;
      },
    );
    if (gen === generation) {
      if (cache.size >= maxEntries) {
        const oldest = cache.keys().next().value as string;
        cache.delete(oldest);
        settled.delete(oldest);
      }
      cache.set(key, pending);
    }
    return pending;
  };

  /** known answers from what has settled, synchronously, else through the cache. */
  const known = <T>(cache: Map<string, Promise<T | undefined>>, key: string, lookup: () => Promise<T | undefined>): Known<T> => {
    if (settled.has(key)) return settled.get(key) as T;
    return cached(cache, key, lookup);
  };

  const invalidate = (): void => {
    generation += 1;
    columns.clear();
    tables.clear();
    relations.clear();
    routines.clear();
    system.clear();
    settled.clear();
  };
  const timer = refreshMs > 0 ? setInterval(invalidate, refreshMs) : undefined;
  timer?.unref();

  return {
    generation: () => generation,
    systemRelations() {
      return known(system, 'system', async () => {
        const rows = await query(
          'SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace ' +
            "WHERE n.nspname = 'pg_catalog' AND c.relkind IN ('r', 'v', 'm', 'f', 'p')",
        );
        return new Set(rows.map((r) => r[0] ?? '').filter((n) => n !== ''));
      });
    },
    relation(table) {
      const name = splitName(table);
      if (name === undefined) return null;
      return known(relations, `relation:${table}`, async () => {
        // an empty search path makes pg_get_viewdef qualify every name outside pg_catalog
        const rows = await query(
          "SET search_path = ''; " +
            "SELECT c.relkind, CASE WHEN c.relkind IN ('v', 'm') THEN pg_catalog.pg_get_viewdef(c.oid) END, " +
            '(SELECT pg_catalog.array_to_json(pg_catalog.array_agg(a.attname ORDER BY a.attnum)) FROM pg_catalog.pg_attribute a ' +
            'WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) ' +
            'FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace ' +
            `WHERE n.nspname = ${quoteLiteral(name.schema)} AND c.relname = ${quoteLiteral(name.relation)}`,
        );
        const row = rows[0];
        if (row === undefined) return null;
        const columnNames = JSON.parse(row[2] ?? '[]') as unknown;
        const facts: RelationFacts = {
          kind: RELKINDS[row[0] ?? ''] ?? 'other',
          columns: Array.isArray(columnNames) ? columnNames.filter((c): c is string => typeof c === 'string') : [],
          ...(row[1] != null ? { definition: row[1] } : {}),
        };
        return facts;
      });
    },
    routines(schema, name) {
      if (name === '' || name.includes('\0') || schema.includes('\0')) return [];
      return known(routines, `routine:${schema}\u0000${name}`, async () => {
        const rows = await query(
          'SELECT n.nspname, p.provolatile, p.prosecdef, p.prokind, ' +
            "p.proacl IS NULL OR EXISTS (SELECT 1 FROM pg_catalog.aclexplode(p.proacl) x WHERE x.grantee = 0 AND x.privilege_type = 'EXECUTE'), " +
            'p.oid < 16384 FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace ' +
            `WHERE p.proname = ${quoteLiteral(name)}${schema === '' ? '' : ` AND n.nspname = ${quoteLiteral(schema)}`}`,
        );
        return combineRoutines(name, rows);
      });
    },
    operatorRoutines(schema, name) {
      if (name === '' || name.includes('\0') || schema.includes('\0')) return [];
      return known(routines, `operator:${schema}\u0000${name}`, async () => {
        // the server's own operators (initdb's, oid < 16384) run built-in functions, never volatile ones
        const rows = await query(
          'SELECT pn.nspname, p.provolatile, p.prosecdef, p.prokind, ' +
            "p.proacl IS NULL OR EXISTS (SELECT 1 FROM pg_catalog.aclexplode(p.proacl) x WHERE x.grantee = 0 AND x.privilege_type = 'EXECUTE'), " +
            'p.oid < 16384, p.proname FROM pg_catalog.pg_operator o JOIN pg_catalog.pg_namespace n ON n.oid = o.oprnamespace ' +
            'JOIN pg_catalog.pg_proc p ON p.oid = o.oprcode JOIN pg_catalog.pg_namespace pn ON pn.oid = p.pronamespace ' +
            `WHERE o.oprname = ${quoteLiteral(name)} AND o.oid >= 16384${schema === '' ? '' : ` AND n.nspname = ${quoteLiteral(schema)}`}`,
        );
        const byName = new Map<string, (readonly (string | null)[])[]>();
        for (const row of rows) {
          const fn = row[6] ?? '';
          byName.set(fn, [...(byName.get(fn) ?? []), row]);
        }
        return [...byName.entries()].flatMap(([fn, rs]) => combineRoutines(fn, rs));
      });
    },
    resolveColumn(tableOid, attnum) {
      if (!Number.isInteger(tableOid) || tableOid <= 0 || tableOid > UINT32_MAX) return Promise.resolve(undefined);
      if (!Number.isInteger(attnum) || attnum <= 0 || attnum > INT16_MAX) return Promise.resolve(undefined);
      return cached(columns, `${tableOid}.${attnum}`, async () => {
        const rows = await query(
          'SELECT n.nspname, c.relname, a.attname FROM pg_catalog.pg_attribute a ' +
            'JOIN pg_catalog.pg_class c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace ' +
            `WHERE a.attrelid = ${tableOid} AND a.attnum = ${attnum} AND NOT a.attisdropped`,
        );
        const row = rows[0];
        if (row === undefined || row[0] == null || row[1] == null || row[2] == null) return undefined;
        return { table: `${row[0]}.${row[1]}`, column: row[2] };
      });
    },
    columnsOf(table) {
      const dot = table.indexOf('.');
      if (dot <= 0 || dot === table.length - 1 || table.includes('\0')) return Promise.resolve(undefined);
      const schema = table.slice(0, dot);
      const relation = table.slice(dot + 1);
      return cached(tables, table, async () => {
        // by name through pg_namespace/pg_class rather than to_regclass(): the cast needs USAGE on
        // the schema, and the gateway's role may lack it where the names are still well defined
        const rows = await query(
          'SELECT a.attname FROM pg_catalog.pg_attribute a ' +
            'JOIN pg_catalog.pg_class c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace ' +
            `WHERE n.nspname = ${quoteLiteral(schema)} AND c.relname = ${quoteLiteral(relation)} AND a.attnum > 0 AND NOT a.attisdropped ` +
            'ORDER BY a.attnum',
        );
        if (rows.length === 0) return undefined;
        return rows.map((r) => r[0] ?? '');
      });
    },
    invalidate,
    close() {
      if (timer !== undefined) clearInterval(timer);
      const c = conn;
      conn = undefined;
      void c?.then((x) => (x.destroy !== undefined ? x.destroy() : x.end())).catch(() => undefined);
    },
  };
}

const RELKINDS: Readonly<Record<string, RelationFacts['kind']>> = {
  r: 'table',
  v: 'view',
  m: 'materialized_view',
  f: 'foreign_table',
  p: 'partitioned_table',
};

const VOLATILITY: Readonly<Record<string, Volatility>> = { i: 'immutable', s: 'stable', v: 'volatile' };
const RISK: Readonly<Record<Volatility, number>> = { immutable: 0, stable: 1, volatile: 2 };
const PROKINDS: Readonly<Record<string, string>> = { f: 'function', p: 'procedure', a: 'aggregate', w: 'window' };

/** combineRoutines folds pg_proc rows (schema, provolatile, prosecdef, prokind, public execute, builtin) into one entry per schema, the least safe overload winning. */
function combineRoutines(name: string, rows: readonly (readonly (string | null)[])[]): RoutineFacts[] {
  const bySchema = new Map<
    string,
    { volatility: Volatility; securityDefiner: boolean; publicExecute: boolean; builtin: boolean; kinds: Set<string> }
  >();
  for (const row of rows) {
    const schema = row[0] ?? '';
    const volatility = VOLATILITY[row[1] ?? ''] ?? 'volatile';
    const entry = bySchema.get(schema) ?? {
      volatility,
      securityDefiner: false,
      publicExecute: true,
      builtin: true,
      kinds: new Set<string>(),
    };
    if (RISK[volatility] > RISK[entry.volatility]) entry.volatility = volatility;
    entry.securityDefiner ||= row[2] === 't';
    entry.publicExecute &&= row[4] === 't';
    entry.builtin &&= row[5] === 't';
    entry.kinds.add(PROKINDS[row[3] ?? ''] ?? 'function');
    bySchema.set(schema, entry);
  }
  return [...bySchema.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([schema, e]) => ({
      schema,
      name,
      volatility: e.volatility,
      securityDefiner: e.securityDefiner,
      publicExecute: e.publicExecute,
      builtin: e.builtin,
      kinds: [...e.kinds].sort(),
    }));
}

/** splitName splits `schema.relation` (undefined when it is not that shape or holds a NUL). */
function splitName(table: string): { schema: string; relation: string } | undefined {
  const dot = table.indexOf('.');
  if (dot <= 0 || dot === table.length - 1 || table.includes('\0')) return undefined;
  return { schema: table.slice(0, dot), relation: table.slice(dot + 1) };
}

/**
 * quoteLiteral writes a string literal that means the same whatever standard_conforming_strings
 * says (PostgreSQL's quote_literal: quotes doubled; with a backslash, an E'' literal with
 * backslashes doubled). NUL cannot appear in a literal: TypeError (callers check first).
 */
export function quoteLiteral(value: string): string {
  if (value.includes('\0')) throw new TypeError('quoteLiteral: NUL cannot appear in a PostgreSQL literal');
  const body = value.replaceAll("'", "''");
  return value.includes('\\') ? `E'${body.replaceAll('\\', '\\\\')}'` : `'${body}'`;
}
