// Queries for the walker: a SELECT (set operations, VALUES, WITH, FROM, target list, WHERE,
// GROUP BY / ORDER BY, LIMIT, INTO) → its result columns with their lineage; target lists and
// RETURNING lists → result columns, `*` expanded over the level's entries.

import { flatten, mergeSetOp, mix, type Col, type Lineage } from './lineage.js';
import { figureName } from './names.js';
import { childScope, type Entry, type Scope } from './scope.js';
import { asFields, asList, asNode, asString, fieldsOf, stringItems, type Fields } from './tree.js';
import { columnRef, findEntry } from './walk-columns.js';
import { fromItem, rangeVar } from './walk-from.js';
import type { Walker } from './walk.js';

/** withClause walks a WITH clause, defining its CTEs on the level (a recursive CTE is opaque inside itself). */
export function withClause(w: Walker, x: unknown, level: Scope): void {
  const wf = asFields(x);
  if (wf === undefined) return;
  const recursive = wf['recursive'] === true;
  for (const c of asList(wf['ctes'])) {
    const cte = fieldsOf(c, 'CommonTableExpr');
    if (cte === undefined) continue;
    const name = asString(cte['ctename']) ?? '';
    const aliases = stringItems(cte['aliascolnames']);
    if (recursive) level.ctes.set(name, { cols: null, aliases });
    const q = asNode(cte['ctequery']);
    if (q !== undefined && q.type !== 'SelectStmt') w.out.flags.data_modifying_cte = true;
    const cols = w.queryCols(cte['ctequery'], level);
    level.ctes.set(name, { cols, aliases });
  }
}

/** select walks a SelectStmt's fields (wrapped or, for set-operation arms, bare) and returns its result columns. */
export function select(w: Walker, f: Fields, sc: Scope): Col[] {
  const level = childScope(sc);
  withClause(w, f['withClause'], level);
  if (asList(f['lockingClause']).length > 0) w.out.flags.for_update = true;
  let cols: Col[];
  const op = asString(f['op']) ?? 'SETOP_NONE';
  if (op !== 'SETOP_NONE') {
    const left = select(w, asFields(f['larg']) ?? {}, level);
    const right = select(w, asFields(f['rarg']) ?? {}, level);
    cols = mergeSetOp(left, right);
  } else if (f['valuesLists'] !== undefined) {
    cols = values(w, f['valuesLists'], level);
  } else {
    for (const item of asList(f['fromClause'])) fromItem(w, item, level);
    cols = targets(w, f['targetList'], level);
    w.visit(f['whereClause'], level, 'read');
    w.visit(f['havingClause'], level, 'read');
    w.visit(f['windowClause'], level, 'read');
    w.visit(f['distinctClause'], level, 'read');
  }
  level.outputs = cols;
  visitOrdering(w, f['groupClause'], level);
  visitOrdering(w, f['sortClause'], level);
  w.visit(f['limitOffset'], level, 'read');
  w.visit(f['limitCount'], level, 'read');
  const into = asFields(f['intoClause']);
  if (into !== undefined) {
    w.out.flags.into = true;
    rangeVar(w.out, asFields(into['rel']) ?? {}, 'write');
  }
  return cols;
}

// GROUP BY / ORDER BY may name a result column by its alias; those are not table columns.
function visitOrdering(w: Walker, x: unknown, level: Scope): void {
  for (const item of asList(x)) {
    const n = asNode(item);
    const target = n?.type === 'SortBy' ? n.fields['node'] : item;
    const ref = asNode(target);
    if (ref?.type === 'ColumnRef') {
      const names = asList(ref.fields['fields']);
      const only = names.length === 1 ? asString(asNode(names[0])?.fields['sval']) : undefined;
      if (only !== undefined && level.outputs?.some((c) => c.name === only && c.star === undefined)) continue;
    }
    w.visit(item, level, 'read');
  }
}

function values(w: Walker, lists: unknown, level: Scope): Col[] {
  const perPosition: Lineage[][] = [];
  for (const row of asList(lists)) {
    asList(asNode(row)?.fields['items']).forEach((expr, i) => {
      perPosition[i] ??= [];
      perPosition[i].push(w.visit(expr, level, 'read'));
    });
  }
  return perPosition.map((ls, i) => {
    const l = mix(ls.map((x) => ({ derived: flatten(x), wholeRow: x.wholeRow })));
    return { position: i + 1, name: `column${i + 1}`, derived: l.derived, wholeRow: l.wholeRow };
  });
}

/** targets walks a target list (SELECT list or RETURNING) into result columns. */
export function targets(w: Walker, list: unknown, level: Scope): Col[] {
  const cols: Col[] = [];
  asList(list).forEach((item, i) => {
    const rt = fieldsOf(item, 'ResTarget');
    if (rt === undefined) return;
    const position = i + 1;
    const alias = asString(rt['name']);
    const val = asNode(rt['val']);
    if (val?.type === 'ColumnRef') {
      const fields = asList(val.fields['fields']);
      if (asNode(fields[fields.length - 1])?.type === 'A_Star') {
        w.out.flags.select_star = true;
        const qualifier = stringItems(fields);
        const entries = qualifier.length > 0 ? findEntry(w.out, qualifier, level) : level.entries;
        const expanded = (entries ?? []).flatMap((e) => expandEntry(e, position));
        cols.push(...(expanded.length > 0 ? expanded : [{ position, name: '*', star: {}, derived: [], wholeRow: false }]));
        return;
      }
    }
    const l = val?.type === 'ColumnRef' ? columnRef(w.out, val.fields, level) : w.visit(rt['val'], level, 'read');
    cols.push({
      position,
      name: alias ?? figureName(rt['val']),
      ...(l.source !== undefined ? { source: l.source } : {}),
      derived: l.derived,
      wholeRow: l.wholeRow,
    });
  });
  return cols;
}

// `*` or `t.*` over one entry. Tables stay stars (the session binds them via RowDescription);
// subqueries and CTEs are inlined so expressions inside them keep their lineage.
function expandEntry(e: Entry, position: number): Col[] {
  switch (e.kind) {
    case 'table':
      return [{ position, name: '*', star: { table: e.table }, derived: [], wholeRow: false }];
    case 'query':
      return e.cols.map((c, i) => ({ ...c, position, name: e.aliases[i] ?? c.name }));
    case 'opaque':
      return [{ position, name: '*', star: {}, derived: flatten(e.lineage), wholeRow: e.lineage.wholeRow }];
    case 'join':
      return e.children.flatMap((child) => expandEntry(child, position));
  }
}
