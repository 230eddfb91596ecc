// Data-modifying statements for the walker: INSERT / UPDATE / DELETE / MERGE (target table
// written, assigned columns written, everything they read) → RETURNING columns; COPY (direction
// flags, table or query) → the columns it sends to the client.

import type { Col } from './lineage.js';
import type { Mode } from './collector.js';
import { childScope, type Scope } from './scope.js';
import { asFields, asList, asString, fieldsOf, stringItems, type Fields } from './tree.js';
import { fromItem, rangeVar, tableEntry, writeThroughView } from './walk-from.js';
import { targets, withClause } from './walk-query.js';
import type { Walker } from './walk.js';
import { recordCols } from './walk-uses.js';

/** dml walks INSERT / UPDATE / DELETE / MERGE and returns the RETURNING columns. */
export function dml(w: Walker, type: string, f: Fields, sc: Scope): Col[] {
  const out = w.out;
  const use = w.use;
  const inExpr = w.inExpr;
  w.use = 'expression';
  w.inExpr = false;
  const level = childScope(sc);
  withClause(w, f['withClause'], level);
  const rel = asFields(f['relation']) ?? {};
  rangeVar(out, rel, 'write');
  writeThroughView(w, rel);
  const target = tableEntry(out, rel);
  const table = target.kind === 'table' ? target.table : '';
  const written = (rt: unknown): void => {
    const name = asString(fieldsOf(rt, 'ResTarget')?.['name']);
    if (name !== undefined) out.column({ table, column: name }, 'write');
  };
  const assignments = (list: unknown, scope: Scope): void => {
    for (const rt of asList(list)) {
      written(rt);
      const fields = fieldsOf(rt, 'ResTarget');
      w.recordAs(w.visitAs(fields?.['val'], scope, null), 'store');
      w.visitAs(fields?.['indirection'], scope, 'expression');
    }
  };
  switch (type) {
    case 'InsertStmt': {
      for (const rt of asList(f['cols'])) written(rt);
      recordCols(w, w.queryCols(f['selectStmt'], level), 'store'); // the SELECT cannot see the target table
      level.entries.push(target);
      const conflict = asFields(f['onConflictClause']);
      if (conflict !== undefined) {
        const onConflict = childScope(level);
        onConflict.entries.push({ kind: 'table', refname: 'excluded', table, renamed: false });
        for (const elem of asList(asFields(conflict['infer'])?.['indexElems'])) {
          const name = asString(fieldsOf(elem, 'IndexElem')?.['name']);
          if (name !== undefined) out.column({ table, column: name }, 'read');
        }
        w.visitAs(conflict['infer'], onConflict, 'expression');
        assignments(conflict['targetList'], onConflict);
        w.visitAs(conflict['whereClause'], onConflict, 'filter');
      }
      break;
    }
    case 'UpdateStmt':
      level.entries.push(target);
      for (const item of asList(f['fromClause'])) fromItem(w, item, level);
      assignments(f['targetList'], level);
      w.visitAs(f['whereClause'], level, 'filter');
      if (f['whereClause'] === undefined) out.flags.update_without_where = true;
      break;
    case 'DeleteStmt':
      level.entries.push(target);
      for (const item of asList(f['usingClause'])) fromItem(w, item, level);
      w.visitAs(f['whereClause'], level, 'filter');
      if (f['whereClause'] === undefined) out.flags.delete_without_where = true;
      break;
    case 'MergeStmt':
      level.entries.push(target);
      fromItem(w, f['sourceRelation'], level);
      w.visitAs(f['joinCondition'], level, 'join');
      for (const x of asList(f['mergeWhenClauses'])) {
        const wf = fieldsOf(x, 'MergeWhenClause');
        if (wf === undefined) continue;
        w.visitAs(wf['condition'], level, 'filter');
        assignments(wf['targetList'], level);
        for (const v of asList(wf['values'])) w.recordAs(w.visitAs(v, level, null), 'store');
      }
      break;
    default:
      break;
  }
  const cols = targets(w, f['returningList'], level);
  w.use = use;
  w.inExpr = inExpr;
  return cols;
}

/** copy walks COPY and returns the columns it sends to the client (COPY … TO STDOUT or a file). */
export function copy(w: Walker, f: Fields, sc: Scope): Col[] {
  const out = w.out;
  const isFrom = f['is_from'] === true;
  if (f['is_program'] === true) out.flags.copy_program = true;
  else if (f['filename'] !== undefined) out.flags.copy_server_file = true;
  if (f['filename'] === undefined && f['is_program'] !== true) {
    if (isFrom) out.flags.copy_from_stdin = true;
    else out.flags.copy_to_stdout = true;
  }
  if (f['query'] !== undefined) {
    const cols = w.queryCols(f['query'], sc);
    // COPY (query) TO a server file or program writes the values where no mask applies.
    if (!out.flags.copy_to_stdout) recordCols(w, cols, 'store');
    return cols;
  }
  const rel = asFields(f['relation']);
  if (rel === undefined) return [];
  const mode: Mode = isFrom ? 'write' : 'read';
  rangeVar(out, rel, mode);
  const entry = tableEntry(out, rel);
  const table = entry.kind === 'table' ? entry.table : '';
  const attlist = stringItems(f['attlist']);
  for (const column of attlist) out.column({ table, column }, mode);
  if (f['whereClause'] !== undefined) {
    const level = childScope(sc);
    level.entries.push(entry);
    w.visitAs(f['whereClause'], level, 'filter');
  }
  if (isFrom) return [];
  if (attlist.length === 0) return [{ position: 1, name: '*', star: { table }, derived: [], wholeRow: false }];
  return attlist.map((column, i) => ({ position: i + 1, name: column, source: { table, column }, derived: [], wholeRow: false }));
}
