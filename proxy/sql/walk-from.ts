// Relations and FROM items for the walker: a RangeVar → `schema.table` (recorded read or
// written), and each FROM-clause item (table, CTE reference, subquery, join, table sample,
// function) → the entries of its query level.

import { EMPTY, type Lineage } from './lineage.js';
import type { Collector, Mode } from './collector.js';
import { accLineage, childScope, findCte, newAcc, type Entry, type Scope } from './scope.js';
import { MAX_VIEW_DEPTH, viewQuery } from './views.js';
import { asFields, asList, asNode, asString, stringItems, type Fields } from './tree.js';
import type { Walker } from './walk.js';
import { columnRef } from './walk-columns.js';
import { entryColumns, lineageColumns } from './walk-uses.js';

/** relName names a RangeVar's relation as PostgreSQL resolves it. */
export function relName(out: Collector, rv: Fields): string {
  return out.qualify(asString(rv['schemaname']), asString(rv['relname']) ?? '');
}

/** rangeVar records a RangeVar's relation as read or written (nothing for a field object that is not one). */
export function rangeVar(out: Collector, rv: Fields, mode: Mode): void {
  if (typeof rv['relname'] !== 'string') return;
  out.table(relName(out, rv), mode);
}

/** tableEntry is the scope entry of a table named by a RangeVar. */
export function tableEntry(out: Collector, rv: Fields): Entry {
  const alias = asFields(rv['alias']);
  return {
    kind: 'table',
    refname: asString(alias?.['aliasname']) ?? asString(rv['relname']) ?? '',
    table: relName(out, rv),
    renamed: asList(alias?.['colnames']).length > 0,
  };
}

/**
 * viewEntry walks a view named in FROM as its definition (the catalog's), in a scope of its own:
 * the entry's columns carry the lineage of the view's columns. Undefined when the relation is no
 * known view; an opaque entry when its definition cannot be walked (nested too deep, or itself).
 */
function viewEntry(w: Walker, rv: Fields, refname: string, aliasCols: readonly string[]): Entry | undefined {
  const name = relName(w.out, rv);
  const view = w.out.catalog?.views.get(name);
  if (view === undefined) return undefined;
  const query = viewQuery(view);
  const out = w.out;
  if (query === null || out.expanding.includes(name) || out.expanding.length >= MAX_VIEW_DEPTH) {
    return { kind: 'opaque', refname, lineage: { derived: [], wholeRow: true } };
  }
  out.expanding.push(name);
  try {
    const cols = w.select(query.fields, childScope(undefined));
    return { kind: 'query', refname, cols, aliases: view.columns.map((c, i) => aliasCols[i] ?? c) };
  } finally {
    out.expanding.pop();
  }
}

/**
 * writeThroughView records what writing a view writes: PostgreSQL writes an updatable view's
 * rows into the tables under it (and runs its functions), so every table its definition reads
 * counts as written too, through views under views.
 */
export function writeThroughView(w: Walker, rv: Fields): void {
  const name = relName(w.out, rv);
  const view = w.out.catalog?.views.get(name);
  if (view === undefined) return;
  const query = viewQuery(view);
  const out = w.out;
  if (query === null || out.expanding.includes(name) || out.expanding.length >= MAX_VIEW_DEPTH) return;
  const before = new Set(out.tablesRead);
  out.expanding.push(name);
  try {
    w.select(query.fields, childScope(undefined));
  } finally {
    out.expanding.pop();
  }
  for (const t of out.tablesRead) if (!before.has(t)) out.table(t, 'write');
}

/** fromItem adds a FROM item's entries to its query level (tables are recorded as read here). */
export function fromItem(w: Walker, item: unknown, level: Scope): void {
  const node = asNode(item);
  if (node === undefined) return;
  const f = node.fields;
  const alias = asFields(f['alias']);
  const aliasName = asString(alias?.['aliasname']);
  const aliasCols = stringItems(alias?.['colnames']);
  switch (node.type) {
    case 'RangeVar': {
      const relname = asString(f['relname']) ?? '';
      const cte = f['schemaname'] === undefined ? findCte(relname, level) : undefined;
      if (cte !== undefined) {
        const refname = aliasName ?? relname;
        level.entries.push(
          cte.cols === null
            ? { kind: 'opaque', refname, lineage: EMPTY }
            : { kind: 'query', refname, cols: cte.cols, aliases: aliasCols.length > 0 ? aliasCols : cte.aliases },
        );
        return;
      }
      rangeVar(w.out, f, 'read');
      const view = viewEntry(w, f, aliasName ?? relname, aliasCols);
      level.entries.push(view ?? tableEntry(w.out, f));
      return;
    }
    case 'RangeSubselect': {
      const cols = w.queryCols(f['subquery'], level);
      level.entries.push({ kind: 'query', refname: aliasName ?? '', cols, aliases: aliasCols });
      return;
    }
    case 'JoinExpr': {
      const before = level.entries.length;
      fromItem(w, f['larg'], level);
      const mid = level.entries.length;
      fromItem(w, f['rarg'], level);
      w.visitAs(f['quals'], level, 'join');
      joinColumns(w, f, level.entries.slice(before, mid), level.entries.slice(mid));
      if (aliasName !== undefined) {
        const children = level.entries.splice(before);
        level.entries.push({ kind: 'join', refname: aliasName, children });
      }
      return;
    }
    case 'RangeTableSample': {
      const before = level.entries.length;
      fromItem(w, f['relation'], level);
      w.visitAs(f['args'], level, 'expression');
      w.visitAs(f['repeatable'], level, 'expression');
      const inner = level.entries[before];
      if (inner !== undefined && aliasName !== undefined) level.entries[before] = { ...inner, refname: aliasName };
      return;
    }
    default: {
      // RangeFunction, RangeTableFunc (XMLTABLE), JsonTable, …: a value computed from its arguments.
      const acc = newAcc();
      const use = w.use;
      const inExpr = w.inExpr;
      w.use = 'expression';
      w.inExpr = true;
      w.intoFields(f, level, 'read', ['alias'], acc);
      w.use = use;
      w.inExpr = inExpr;
      const lineage: Lineage = accLineage(acc);
      level.entries.push({ kind: 'opaque', refname: aliasName ?? '', lineage });
      return;
    }
  }
}

// USING (a, b) compares the named column of each side; NATURAL compares every column the two
// sides have in common, which only the catalog knows: all of them (column '' for tables).
function joinColumns(w: Walker, f: Fields, left: Entry[], right: Entry[]): void {
  if (f['isNatural'] === true) {
    for (const e of [...left, ...right]) for (const c of entryColumns(e)) w.out.use(c, 'join');
    return;
  }
  for (const name of stringItems(f['usingClause'])) {
    for (const entries of [left, right]) {
      const side: Scope = { parent: undefined, entries, ctes: new Map() };
      const ref = { fields: [{ String: { sval: name } }] };
      for (const c of lineageColumns(columnRef(w.out, ref, side))) w.out.use(c, 'join');
    }
  }
}
