// Column uses for the walker (COLUMN_USES in types.ts): which source columns a value, a result
// column or a FROM entry can carry, and ORDER BY / GROUP BY / DISTINCT ON items, which may name
// a result column by alias or position (`ORDER BY e`, `ORDER BY 2`) instead of an expression.

import type { ColumnName, ColumnUseKind } from './types.js';
import { colLineage, flatten, type Col, type Lineage } from './lineage.js';
import type { Entry, Scope } from './scope.js';
import { asList, asNode, asString } from './tree.js';
import type { Walker } from './walk.js';

/** WHOLE_ROW stands for a whole-row value (`t`, `t.*` as a value): any column of any table read. */
export const WHOLE_ROW: ColumnName = Object.freeze({ table: '', column: '' });

/** lineageColumns lists every column a value can carry; a whole row is WHOLE_ROW. */
export function lineageColumns(l: Lineage): ColumnName[] {
  const cols = flatten(l);
  if (l.wholeRow) cols.push(WHOLE_ROW);
  return cols;
}

/** colColumns lists every column a result column can carry; a `*` over a table is that table's column ''. */
export function colColumns(c: Col): ColumnName[] {
  const cols = lineageColumns(colLineage(c));
  if (c.star !== undefined) cols.push(c.star.table !== undefined ? { table: c.star.table, column: '' } : WHOLE_ROW);
  return cols;
}

/** entryColumns lists every column a FROM entry can expose (NATURAL JOIN compares any of them). */
export function entryColumns(e: Entry): ColumnName[] {
  switch (e.kind) {
    case 'table':
      return [{ table: e.table, column: '' }];
    case 'query':
      return e.cols.flatMap(colColumns);
    case 'opaque':
      return lineageColumns(e.lineage);
    case 'join':
      return e.children.flatMap(entryColumns);
  }
}

/** recordCols records every column of some result columns as used as `use`. */
export function recordCols(w: Walker, cols: readonly Col[], use: ColumnUseKind): void {
  for (const c of cols) for (const col of colColumns(c)) w.out.use(col, use);
}

/**
 * ordering walks GROUP BY, ORDER BY or DISTINCT ON items. A bare name that is a result column's
 * alias, or a position number, stands for that result column (ORDER BY prefers the result
 * column; GROUP BY an input column of the same name, so both are recorded); anything else is an
 * expression over the input columns.
 */
export function ordering(w: Walker, x: unknown, level: Scope, use: 'order' | 'group'): void {
  const outputs = level.outputs ?? [];
  for (const item of asList(x)) {
    const n = asNode(item);
    const target = n?.type === 'SortBy' ? n.fields['node'] : item;
    const position = w.out.constInt(target);
    if (position !== undefined) {
      recordCols(w, atPosition(outputs, position), use);
      continue;
    }
    const named = aliasOf(target);
    const byAlias = named === undefined ? [] : outputs.filter((c) => c.name === named && c.star === undefined);
    if (byAlias.length > 0) {
      recordCols(w, byAlias, use);
      if (use === 'order') continue;
    }
    w.visitAs(item, level, use);
  }
}

// A bare one-part name (`ORDER BY e`).
function aliasOf(x: unknown): string | undefined {
  const ref = asNode(x);
  if (ref?.type !== 'ColumnRef') return undefined;
  const names = asList(ref.fields['fields']);
  return names.length === 1 ? asString(asNode(names[0])?.fields['sval']) : undefined;
}

// The result columns a position may point at. Columns a `*` expands to share the star's
// position, so once a star (or a position holding several columns) comes at or before it, the
// position may point at any column from there on.
function atPosition(cols: readonly Col[], position: number): Col[] {
  const counts = new Map<number, number>();
  for (const c of cols) counts.set(c.position, (counts.get(c.position) ?? 0) + 1);
  const firstStar = cols.find((c) => c.star !== undefined || (counts.get(c.position) ?? 0) > 1)?.position;
  if (firstStar === undefined || position < firstStar) return cols.filter((c) => c.position === position);
  return cols.filter((c) => c.position >= firstStar);
}
