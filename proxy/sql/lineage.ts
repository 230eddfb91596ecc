// Column lineage values shared by the walker: what a value in a query can carry (a plain source
// column, columns mixed into an expression, a whole row) and the result columns of a query
// level before they are published as OutputFacts. Pure data helpers; no parse-tree access.

import type { ColumnName, OutputColumn, OutputFacts } from './types.js';

/** Lineage is what one value can carry to the client. */
export type Lineage = {
  /** source is set when the value is exactly one column, unchanged. */
  readonly source?: ColumnName;
  /** derived are columns mixed into the value (expression, function, cast, subquery). */
  readonly derived: readonly ColumnName[];
  /** wholeRow is set when a whole row (composite) is part of the value. */
  readonly wholeRow: boolean;
};

/** Col is one result column of a query level, with its own wholeRow bit. */
export type Col = {
  readonly position: number;
  readonly name: string;
  readonly source?: ColumnName;
  readonly star?: { readonly table?: string };
  readonly derived: readonly ColumnName[];
  readonly wholeRow: boolean;
};

/** EMPTY is the lineage of a value that carries no column (a constant). */
export const EMPTY: Lineage = { derived: [], wholeRow: false };

/** columnKey is a map key for a ColumnName. */
export function columnKey(c: ColumnName): string {
  return `${c.table}\u0000${c.column}`;
}

/** uniqueColumns removes duplicates and sorts by table, then column. */
export function uniqueColumns(cols: Iterable<ColumnName>): ColumnName[] {
  const map = new Map<string, ColumnName>();
  for (const c of cols) map.set(columnKey(c), { table: c.table, column: c.column });
  return [...map.values()].sort((a, b) =>
    a.table < b.table ? -1 : a.table > b.table ? 1 : a.column < b.column ? -1 : a.column > b.column ? 1 : 0,
  );
}

/** flatten returns every column a lineage touches (its source and its derived columns). */
export function flatten(l: Lineage): ColumnName[] {
  return l.source !== undefined ? [l.source, ...l.derived] : [...l.derived];
}

/** mix combines lineages into an expression's lineage: every column becomes derived. */
export function mix(ls: readonly Lineage[]): Lineage {
  if (ls.length === 0) return EMPTY;
  if (ls.length === 1 && ls[0]?.source === undefined) return ls[0] as Lineage;
  const derived: ColumnName[] = [];
  let wholeRow = false;
  for (const l of ls) {
    derived.push(...flatten(l));
    wholeRow ||= l.wholeRow;
  }
  return { derived: uniqueColumns(derived), wholeRow };
}

/** colsLineage is the lineage of all of a query's result columns mixed together (a subquery used as a value). */
export function colsLineage(cols: readonly Col[]): Lineage {
  const parts: Lineage[] = cols.map((c) => ({
    ...(c.source !== undefined ? { source: c.source } : {}),
    derived: c.derived,
    // A star inside a value (e.g. ARRAY(SELECT * …)) is a row that cannot be bound.
    wholeRow: c.wholeRow || c.star !== undefined,
  }));
  return mix(parts);
}

/** colLineage reads one result column back as a lineage. */
export function colLineage(c: Col): Lineage {
  return { ...(c.source !== undefined ? { source: c.source } : {}), derived: c.derived, wholeRow: c.wholeRow };
}

/** sameColumn tells whether two optional columns are the same column. */
export function sameColumn(a: ColumnName | undefined, b: ColumnName | undefined): boolean {
  return a !== undefined && b !== undefined && a.table === b.table && a.column === b.column;
}

/**
 * mergeSetOp combines the result columns of UNION / INTERSECT / EXCEPT. PostgreSQL reports no
 * source table for set-operation columns, so a column keeps `source` only when both sides agree,
 * and stars (whose width is unknown here) make every column unbindable (wholeRow).
 */
export function mergeSetOp(left: readonly Col[], right: readonly Col[]): Col[] {
  const hasStar = [...left, ...right].some((c) => c.star !== undefined);
  if (hasStar) {
    const all = [...left, ...right].flatMap((c) => flatten(colLineage(c)));
    return left.map((c) => ({ position: c.position, name: c.name, derived: uniqueColumns(all), wholeRow: true }));
  }
  const n = Math.max(left.length, right.length);
  const out: Col[] = [];
  for (let i = 0; i < n; i++) {
    const l = left[i];
    const r = right[i];
    const keep = sameColumn(l?.source, r?.source) ? l?.source : undefined;
    const parts = [l, r].flatMap((c) => (c === undefined ? [] : flatten(colLineage(c))));
    out.push({
      position: l?.position ?? r?.position ?? i + 1,
      name: l?.name ?? r?.name ?? '?column?',
      ...(keep !== undefined ? { source: keep } : {}),
      derived: uniqueColumns(parts.filter((p) => !sameColumn(p, keep))),
      wholeRow: (l?.wholeRow ?? false) || (r?.wholeRow ?? false),
    });
  }
  return out;
}

/** toOutputFacts publishes a query level's result columns. */
export function toOutputFacts(cols: readonly Col[]): OutputFacts {
  const columns: OutputColumn[] = cols.map((c) => ({
    position: c.position,
    name: c.name,
    ...(c.source !== undefined ? { source: c.source } : {}),
    ...(c.star !== undefined ? { star: c.star.table !== undefined ? { table: c.star.table } : {} } : {}),
    derived: uniqueColumns(c.derived),
  }));
  return { columns, wholeRow: cols.some((c) => c.wholeRow) };
}
