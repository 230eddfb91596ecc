// Column references → lineage: `col`, `t.col`, `schema.t.col`, `t.*` and whole-row references
// resolved against the walker's scopes as PostgreSQL would without a catalog. Columns of tables
// are recorded as read; what a subquery or CTE computes is carried on as derived columns.

import { assertNever } from '../errors.js';
import type { ColumnName } from './types.js';
import { EMPTY, colLineage, colsLineage, flatten, mix, uniqueColumns, type Lineage } from './lineage.js';
import type { Collector } from './collector.js';
import { flattenJoins, hasColumn, type Entry, type Scope } from './scope.js';
import { asList, asNode, stringItems, type Fields } from './tree.js';

/** columnRef resolves a ColumnRef's fields to the lineage of its value. */
export function columnRef(out: Collector, f: Fields, sc: Scope): Lineage {
  const fields = asList(f['fields']);
  const names = stringItems(fields);
  if (asNode(fields[fields.length - 1])?.type === 'A_Star') {
    // `t.*` or `*` used as a value (row_to_json(t.*), count(t.*), ROW(t.*)): a whole row.
    out.flags.select_star = true;
    const entries = names.length > 0 ? findEntry(out, names, sc) : nearestEntries(sc);
    return wholeRowOf(entries ?? []);
  }
  if (names.length === 0) return EMPTY;
  const column = names[names.length - 1] as string;
  if (names.length === 1) return resolveName(out, column, sc);
  const entries = findEntry(out, names.slice(0, -1), sc);
  const entry = entries?.[0];
  if (entry !== undefined) return columnOf(out, entry, column, true);
  // `a.b.c` may be table a, column b, field c.
  const table = names.length >= 3 ? findEntry(out, [names[0] as string], sc)?.[0] : undefined;
  // `a.b` where `a` is a composite column, not a relation: a field of a column's value.
  const base = table !== undefined ? columnOf(out, table, names[1] as string, true) : resolveName(out, names[0] as string, sc);
  return { derived: flatten(base), wholeRow: base.wholeRow };
}

function nearestEntries(sc: Scope): Entry[] {
  for (let s: Scope | undefined = sc; s !== undefined; s = s.parent) if (s.entries.length > 0) return s.entries;
  return [];
}

/** findEntry returns the entries named by a qualifier: [t], [schema, t] or [catalog, schema, t]. */
export function findEntry(out: Collector, qualifier: readonly string[], sc: Scope): Entry[] | undefined {
  const refname = qualifier[qualifier.length - 1] as string;
  const schema = qualifier.length >= 2 ? qualifier[qualifier.length - 2] : undefined;
  for (let s: Scope | undefined = sc; s !== undefined; s = s.parent) {
    const found = flattenJoins(s.entries, true).filter((e) =>
      schema === undefined ? e.refname === refname : e.kind === 'table' && e.table === out.qualify(schema, refname),
    );
    if (found.length > 0) return found;
  }
  return undefined;
}

// An unqualified name: a column of exactly one candidate entry, ambiguous (table ''), or a
// whole-row reference to an entry of that name.
function resolveName(out: Collector, name: string, sc: Scope): Lineage {
  for (let s: Scope | undefined = sc; s !== undefined; s = s.parent) {
    const candidates = flattenJoins(s.entries, false).filter((e) => hasColumn(e, name) !== 'no');
    const definite = candidates.filter((e) => hasColumn(e, name) === 'yes');
    const rows = flattenJoins(s.entries, true).filter((e) => e.refname === name && e.kind !== 'join');
    if (candidates.length + rows.length === 0) continue;
    let col: Lineage | undefined;
    if (candidates.length === 1) col = columnOf(out, candidates[0] as Entry, name, true);
    else if (definite.length === 1)
      col = columnOf(out, definite[0] as Entry, name, true); // else PostgreSQL reports it ambiguous
    else if (candidates.length > 1) col = ambiguous(out, candidates, name, true);
    // PostgreSQL prefers a column over a whole-row reference; without the catalog both are possible.
    if (rows.length === 0 && col !== undefined) return col;
    return mix([wholeRowOf(rows), ...(col !== undefined ? [col] : [])]);
  }
  // Nothing in scope has it (a DDL expression, an output alias): a column of an unknown table.
  const unknown: ColumnName = { table: '', column: name };
  out.column(unknown, 'read');
  return { source: unknown, derived: [], wholeRow: false };
}

// A name several entries may have: table ''. Plain columns are still bound by the session via
// RowDescription, so only what subqueries compute is carried as derived.
function ambiguous(out: Collector, entries: readonly Entry[], name: string, record: boolean): Lineage {
  const unknown: ColumnName = { table: '', column: name };
  if (record) out.column(unknown, 'read');
  const inner = entries.map((e) => columnOf(out, e, name, false));
  return {
    source: unknown,
    derived: uniqueColumns(inner.flatMap((l) => l.derived)),
    wholeRow: inner.some((l) => l.wholeRow),
  };
}

// Column `name` of one entry; `record` adds table columns to columns.read.
function columnOf(out: Collector, e: Entry, name: string, record: boolean): Lineage {
  switch (e.kind) {
    case 'table': {
      // Column aliases (`FROM t AS x(a, b)`) rename positionally: which column is unknown (''). It is
      // still the output's source: the session binds it by RowDescription, and any expression over
      // it carries it as derived, which a mask on the table then refuses.
      const c: ColumnName = { table: e.table, column: e.renamed ? '' : name };
      if (record) out.column(c, 'read');
      return { source: c, derived: [], wholeRow: false };
    }
    case 'query': {
      const hasStar = e.cols.some((c) => c.star !== undefined);
      if (e.aliases.length > 0 && hasStar) return colsLineage(e.cols); // positions unknown
      const idx = e.cols.findIndex((c, i) => (e.aliases[i] ?? c.name) === name && c.star === undefined);
      const hit = e.cols[idx];
      if (hit !== undefined) return colLineage(hit);
      const stars = e.cols.filter((c) => c.star !== undefined);
      if (stars.length === 1 && stars[0]?.star?.table !== undefined) {
        const c: ColumnName = { table: stars[0].star.table, column: name };
        if (record) out.column(c, 'read');
        return { source: c, derived: [], wholeRow: stars[0].wholeRow };
      }
      const parts = stars.map(
        (s): Lineage => ({
          derived: s.star?.table !== undefined ? [{ table: s.star.table, column: name }, ...s.derived] : s.derived,
          wholeRow: s.wholeRow,
        }),
      );
      return mix(parts);
    }
    case 'opaque':
      return e.lineage.source !== undefined ? mix([e.lineage]) : e.lineage;
    case 'join': {
      const inner = flattenJoins(e.children, false).filter((c) => hasColumn(c, name) !== 'no');
      if (inner.length === 1) return columnOf(out, inner[0] as Entry, name, record);
      return ambiguous(out, inner, name, record);
    }
  }
}

function wholeRowOf(entries: readonly Entry[]): Lineage {
  const parts = entries.map((e): Lineage => {
    switch (e.kind) {
      case 'table':
        return { derived: [], wholeRow: true };
      case 'query':
        return { ...colsLineage(e.cols), wholeRow: true };
      case 'opaque':
        return { derived: flatten(e.lineage), wholeRow: e.lineage.wholeRow };
      case 'join':
        return { ...wholeRowOf(e.children), wholeRow: true };
      default:
        return assertNever(e);
    }
  });
  return mix(parts);
}
