// The catalog resolver: names for RowDescription columns (table OID + attribute number →
// `schema.table` + column) and a table's column list, looked up in pg_catalog over one dedicated
// upstream connection (opened lazily, reopened after it drops) and cached. Lookups run one at a
// time on that connection. Numbers go into the SQL as validated integer literals and names as
// properly quoted string literals, never as interpolated text.

import type { EventSink } from '../events.js';
import { NO_EVENTS } from '../events.js';
import { UpstreamQueryError, simpleQuery } from '../upstream/index.js';
import type { UpstreamConnection } from '../upstream/index.js';
import type { CatalogResolver, ColumnName } from './types.js';
import { messageOf } from '../errors.js';

/** CatalogOptions configures createCatalog. */
export type CatalogOptions = {
  /** events receives lookup failures as `catalog.failed` (default: dropped). */
  readonly events?: EventSink;
  /** maxEntries bounds each cache; the oldest entries go first (default 10 000). */
  readonly maxEntries?: number;
};

/** Catalog is a CatalogResolver that owns its upstream connection. */
export type Catalog = CatalogResolver & {
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
    const pending = lookup().catch((err: unknown) => {
      events.publish({ type: 'catalog.failed', key, message: messageOf(err) });
      if (cache.get(key) === pending) cache.delete(key);
      return undefined;
    });
    if (gen === generation) {
      if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
      cache.set(key, pending);
    }
    return pending;
  };

  return {
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
    invalidate() {
      generation += 1;
      columns.clear();
      tables.clear();
    },
    close() {
      const c = conn;
      conn = undefined;
      void c?.then((x) => (x.destroy !== undefined ? x.destroy() : x.end())).catch(() => undefined);
    },
  };
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
