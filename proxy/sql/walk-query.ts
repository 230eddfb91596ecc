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
import { ordering, recordCols } from './walk-uses.js';

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
  const use = w.use;
  const inExpr = w.inExpr;
  const level = childScope(sc);
  withClause(w, f['withClause'], level);
  if (asList(f['lockingClause']).length > 0) w.out.flags.for_update = true;
  let cols: Col[];
  const op = asString(f['op']) ?? 'SETOP_NONE';
  if (op !== 'SETOP_NONE') {
    const left = select(w, asFields(f['larg']) ?? {}, level);
    const right = select(w, asFields(f['rarg']) ?? {}, level);
    // UNION, INTERSECT and EXCEPT compare whole rows to remove duplicates (UNION ALL does not).
    if (!(op === 'SETOP_UNION' && f['all'] === true)) recordCols(w, [...left, ...right], 'group');
    cols = mergeSetOp(left, right);
  } else if (f['valuesLists'] !== undefined) {
    cols = values(w, f['valuesLists'], level);
  } else {
    w.use = 'expression';
    w.inExpr = false;
    for (const item of asList(f['fromClause'])) fromItem(w, item, level);
    cols = targets(w, f['targetList'], level);
    w.visitAs(f['whereClause'], level, 'filter');
    w.visitAs(f['havingClause'], level, 'filter');
    w.visitAs(f['windowClause'], level, 'expression');
  }
  level.outputs = cols;
  const distinct = asList(f['distinctClause']);
  // Plain DISTINCT is a list holding one empty node: every result column is compared.
  if (distinct.length > 0 && asNode(distinct[0]) === undefined) recordCols(w, cols, 'group');
  else ordering(w, distinct, level, 'group');
  ordering(w, f['groupClause'], level, 'group');
  ordering(w, f['sortClause'], level, 'order');
  w.visitAs(f['limitOffset'], level, 'filter');
  w.visitAs(f['limitCount'], level, 'filter');
  const into = asFields(f['intoClause']);
  if (into !== undefined) {
    w.out.flags.into = true;
    rangeVar(w.out, asFields(into['rel']) ?? {}, 'write');
    recordCols(w, cols, 'store');
  }
  w.use = use;
  w.inExpr = inExpr;
  return cols;
}

function values(w: Walker, lists: unknown, level: Scope): Col[] {
  const perPosition: Lineage[][] = [];
  for (const row of asList(lists)) {
    asList(asNode(row)?.fields['items']).forEach((expr, i) => {
      perPosition[i] ??= [];
      const l = w.visitAs(expr, level, null);
      w.recordAs(l, 'expression'); // VALUES columns are never bound: every column in them is derived
      perPosition[i].push(l);
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
    // A plain column is `output` (what it derives from, e.g. a subquery's expression, is `expression`);
    // anything else is an expression over every column it carries.
    let l: Lineage;
    if (val?.type === 'ColumnRef') {
      l = columnRef(w.out, val.fields, level);
      if (l.source !== undefined) w.out.use(l.source, 'output');
      w.recordAs({ derived: l.derived, wholeRow: l.wholeRow }, 'expression');
    } else {
      l = w.visitAs(rt['val'], level, null);
      w.recordAs(l, 'expression');
    }
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
