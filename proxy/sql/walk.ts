// The walker: one statement's parse tree → the tables, columns, functions, flags and parameters
// it touches (recorded in a Collector) and, for queries, the lineage of each result column.
// Queries get scopes (FROM entries, CTEs) so column references resolve as PostgreSQL would
// without a catalog; every node type the walker does not know is visited generically, so a
// table or function nested anywhere is still seen. This file is the dispatch; construct
// families live beside it: walk-query.ts (SELECT, target lists), walk-from.ts (relations, FROM
// items), walk-columns.ts (column references), walk-dml.ts (INSERT/UPDATE/DELETE/MERGE, COPY),
// walk-uses.ts (where column values are used: columns.uses).

import type { ColumnName, ColumnUseKind } from './types.js';
import { colsLineage, flatten, type Col, type Lineage } from './lineage.js';
import type { Collector, Mode } from './collector.js';
import { accLineage, add, childScope, newAcc, type Acc, type Scope } from './scope.js';
import { asFields, asList, asNode, asNumber, asString, stringItems, type Fields } from './tree.js';
import { columnRef } from './walk-columns.js';
import { copy, dml } from './walk-dml.js';
import { fromItem, rangeVar, tableEntry } from './walk-from.js';
import { select } from './walk-query.js';
import { colColumns, lineageColumns, recordCols } from './walk-uses.js';

// Functions that run SQL text (or read whole tables) the analysis cannot see. Matched on the
// function's own name (without schema); `dblink` also matches every dblink_* function.
const DYNAMIC_SQL_FUNCTIONS = new Set([
  'query_to_xml',
  'query_to_xmlschema',
  'query_to_xml_and_xmlschema',
  'table_to_xml',
  'table_to_xmlschema',
  'table_to_xml_and_xmlschema',
  'schema_to_xml',
  'schema_to_xmlschema',
  'schema_to_xml_and_xmlschema',
  'database_to_xml',
  'database_to_xmlschema',
  'database_to_xml_and_xmlschema',
  'ts_stat',
  'connectby',
  'pg_background_launch',
]);
const DYNAMIC_SQL_PREFIXES = ['dblink', 'crosstab'];
const DYNAMIC_SQL_QUALIFIED = new Set(['cron.schedule', 'cron.schedule_in_database', 'cron.alter_job']);

// Nodes that do not build a new value from the columns inside them: operators and predicates
// (a comparison or LIKE in WHERE keeps the clause's use) and structure. Every other node met in
// an expression (a function, cast, CASE, COALESCE, ROW, array, subscript, …) is `expression`.
const TRANSPARENT = new Set([
  'BoolExpr',
  'NullTest',
  'BooleanTest',
  'CollateClause',
  'SortBy',
  'GroupingSet',
  'List',
  'ResTarget',
  'A_Const',
  'String',
  'Integer',
  'Float',
  'Boolean',
  'BitString',
  'A_Star',
  'Alias',
  'TypeName',
]);

// Relation kinds whose DROP removes a table-like object (views count as tables).
const TABLE_OBJECTS = new Set(['OBJECT_TABLE', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_FOREIGN_TABLE']);

/** Walker visits one statement's tree, recording into its Collector. */
export class Walker {
  readonly out: Collector;
  /** use is how a column reference met now is used; null where the caller records it from the value's lineage (result columns, assignments). */
  use: ColumnUseKind | null = 'expression';
  /** inExpr is set inside a value-building node: a column reference met there is also used in an `expression`. */
  inExpr = false;

  constructor(out: Collector) {
    this.out = out;
  }

  /** visitAs walks a clause whose column references are used as `use` (outside any expression) and returns its lineage. */
  visitAs(x: unknown, sc: Scope, use: ColumnUseKind | null): Lineage {
    const saved = this.use;
    const savedExpr = this.inExpr;
    this.use = use;
    this.inExpr = false;
    const l = this.visit(x, sc, 'read');
    this.use = saved;
    this.inExpr = savedExpr;
    return l;
  }

  /** record records the columns a value carries with the walker's current use. */
  record(cols: readonly ColumnName[]): void {
    for (const c of cols) {
      if (this.use !== null) this.out.use(c, this.use);
      if (this.inExpr) this.out.use(c, 'expression');
    }
  }

  /** recordAs records the columns a value carries as used as `use`. */
  recordAs(l: Lineage, use: ColumnUseKind): void {
    for (const c of lineageColumns(l)) this.out.use(c, use);
  }

  /** root makes the outermost scope of a statement. */
  root(): Scope {
    return childScope(undefined);
  }

  /** visit walks any part of the tree and returns the lineage of the value it denotes (columns all derived). */
  visit(x: unknown, sc: Scope, mode: Mode): Lineage {
    const acc = newAcc();
    this.into(x, sc, mode, acc);
    return accLineage(acc);
  }

  /**
   * into is the walk proper. Lineage goes into one accumulator per value instead of being
   * returned and merged at every level, which would be quadratic on long expressions (a0 + a1 + … + a999).
   */
  into(x: unknown, sc: Scope, mode: Mode, acc: Acc): void {
    if (Array.isArray(x)) {
      for (const item of x) this.into(item, sc, mode, acc);
      return;
    }
    const node = asNode(x);
    if (node !== undefined) {
      this.visitNode(node.type, node.fields, sc, mode, acc);
      return;
    }
    const f = asFields(x);
    if (f === undefined) return;
    // A bare RangeVar (typed fields such as `relation` are not wrapped).
    if (typeof f['relname'] === 'string') rangeVar(this.out, f, mode);
    else this.intoFields(f, sc, mode, [], acc);
  }

  /** intoFields walks every field of a node but those in `skip`. */
  intoFields(f: Fields, sc: Scope, mode: Mode, skip: readonly string[], acc: Acc): void {
    for (const [k, v] of Object.entries(f)) if (!skip.includes(k)) this.into(v, sc, mode, acc);
  }

  /** queryCols walks a wrapped query node (SELECT or DML with RETURNING) and returns its result columns. */
  queryCols(x: unknown, sc: Scope): Col[] {
    const node = asNode(x);
    if (node === undefined) return [];
    switch (node.type) {
      case 'SelectStmt':
        return select(this, node.fields, sc);
      case 'InsertStmt':
      case 'UpdateStmt':
      case 'DeleteStmt':
      case 'MergeStmt':
        return dml(this, node.type, node.fields, sc);
      default:
        this.visit(x, sc, 'read');
        return [];
    }
  }

  /** select walks a SelectStmt's fields and returns its result columns (walk-query.ts). */
  select(f: Fields, sc: Scope): Col[] {
    return select(this, f, sc);
  }

  /** dml walks INSERT / UPDATE / DELETE / MERGE and returns the RETURNING columns (walk-dml.ts). */
  dml(type: string, f: Fields, sc: Scope): Col[] {
    return dml(this, type, f, sc);
  }

  /** copy walks COPY and returns the columns it sends to the client (walk-dml.ts). */
  copy(f: Fields, sc: Scope): Col[] {
    return copy(this, f, sc);
  }

  // Dispatch on the node types that need more than a generic walk.
  private visitNode(type: string, f: Fields, sc: Scope, mode: Mode, acc: Acc): void {
    switch (type) {
      case 'SelectStmt':
        return add(acc, colsLineage(select(this, f, sc)));
      case 'InsertStmt':
      case 'UpdateStmt':
      case 'DeleteStmt':
      case 'MergeStmt':
        return add(acc, colsLineage(dml(this, type, f, sc)));
      case 'CopyStmt':
        return add(acc, colsLineage(copy(this, f, sc)));
      case 'ColumnRef': {
        const l = columnRef(this.out, f, sc);
        if (this.use !== null || this.inExpr) this.record(lineageColumns(l));
        return add(acc, l);
      }
      case 'FuncCall':
        return this.funcCall(f, sc, mode, acc);
      case 'A_Expr': {
        // Left-deep operator chains (a0 + a1 + … + a9999) are walked as a loop, not recursion.
        let cur: Fields | undefined = f;
        while (cur !== undefined) {
          this.operator(cur);
          this.intoFields(cur, sc, mode, ['lexpr'], acc);
          const left = asNode(cur['lexpr']);
          if (left?.type === 'A_Expr') cur = left.fields;
          else {
            this.into(cur['lexpr'], sc, mode, acc);
            cur = undefined;
          }
        }
        return;
      }
      case 'ParamRef':
        this.out.parameters = Math.max(this.out.parameters, asNumber(f['number']) ?? 0);
        return;
      case 'SubLink': {
        this.into(f['testexpr'], sc, mode, acc);
        const cols = this.queryCols(f['subselect'], sc);
        const sub = colsLineage(cols);
        // The values of a scalar, ARRAY, IN, ANY or ALL subquery are used where it stands; EXISTS uses none.
        if (f['subLinkType'] !== 'EXISTS_SUBLINK') this.record(cols.flatMap(colColumns));
        // Only a scalar or ARRAY(…) subquery passes its values on; EXISTS / IN / ANY / ALL yield
        // a boolean computed from them.
        const passes = f['subLinkType'] === 'EXPR_SUBLINK' || f['subLinkType'] === 'ARRAY_SUBLINK';
        return add(acc, passes ? sub : { derived: flatten(sub), wholeRow: false });
      }
      case 'RangeVar':
        return rangeVar(this.out, f, mode);
      case 'RangeSubselect':
      case 'RangeFunction':
      case 'JoinExpr':
      case 'RangeTableFunc':
      case 'RangeTableSample':
      case 'JsonTable':
        // Only reached outside a FROM list (e.g. inside an unusual DDL node): give it its own level.
        return fromItem(this, { [type]: f }, childScope(sc));
      case 'DoStmt':
        this.out.flags.dynamic_sql = true;
        return;
      case 'CallStmt':
        return this.funcCall(asFields(f['funccall']) ?? {}, sc, mode, acc);
      case 'VariableSetStmt':
        return this.variableSet(f);
      case 'DiscardStmt':
        // DISCARD ALL runs SET SESSION AUTHORIZATION DEFAULT, which also ends a SET ROLE: the
        // session would act as the gateway's own login role. PLANS, SEQUENCES and TEMP keep the role.
        if ((asString(f['target']) ?? 'DISCARD_ALL') === 'DISCARD_ALL') {
          this.out.flags.set_role = true;
          this.out.flags.session_authorization = true;
        }
        return;
      case 'CreateTableAsStmt':
        rangeVar(this.out, asFields(asFields(f['into'])?.['rel']) ?? {}, 'write');
        recordCols(this, this.queryCols(f['query'], sc), 'store');
        return;
      case 'ViewStmt':
        rangeVar(this.out, asFields(f['view']) ?? {}, 'write');
        recordCols(this, this.queryCols(f['query'], sc), 'store');
        return;
      case 'WindowDef':
        return this.windowDef(f, sc, mode, acc);
      case 'DropStmt':
        if (TABLE_OBJECTS.has(asString(f['removeType']) ?? '')) {
          for (const obj of asList(f['objects'])) {
            const names = stringItems(asNode(obj)?.fields['items']);
            const name = names.at(-1);
            if (name !== undefined) this.out.table(this.out.qualify(names.at(-2), name), 'write');
          }
        }
        return;
      case 'ExplainStmt':
      case 'PrepareStmt':
      case 'DeclareCursorStmt':
        this.queryCols(f['query'], sc);
        return this.intoFields(f, sc, mode, ['query'], acc);
      default: {
        if (this.inExpr || TRANSPARENT.has(type)) return this.generic(f, sc, mode, acc);
        this.inExpr = true;
        this.generic(f, sc, mode, acc);
        this.inExpr = false;
        return;
      }
    }
  }

  // Any other node: when it names a `relation` (ALTER TABLE, CREATE INDEX, CREATE TRIGGER, …),
  // column references inside it belong to that relation.
  private generic(f: Fields, sc: Scope, mode: Mode, acc: Acc): void {
    const rel = asFields(f['relation']);
    if (rel !== undefined && typeof rel['relname'] === 'string') {
      const level = childScope(sc);
      level.entries.push(tableEntry(this.out, rel));
      return this.intoFields(f, level, mode, [], acc);
    }
    this.intoFields(f, sc, mode, [], acc);
  }

  // --- functions and SET -------------------------------------------------------------------

  /** operator records the operator an A_Expr applies (BETWEEN runs >= and <=), as written. */
  private operator(f: Fields): void {
    const kind = asString(f['kind']);
    if (kind?.includes('BETWEEN') === true) {
      this.out.operator('', '>=');
      this.out.operator('', '<=');
      return;
    }
    const names = stringItems(f['name']);
    const name = names[names.length - 1];
    if (name !== undefined) this.out.operator(names.length > 1 ? (names[names.length - 2] ?? '') : '', name);
  }

  private funcCall(f: Fields, sc: Scope, mode: Mode, acc: Acc): void {
    const written = stringItems(f['funcname']);
    const ownName = written[written.length - 1];
    if (ownName !== undefined) this.out.call(written.length > 1 ? (written[written.length - 2] ?? '') : '', ownName);
    const parts = written.map((p) => p.toLowerCase());
    const name = parts.join('.');
    const own = parts[parts.length - 1] ?? '';
    if (name !== '') this.out.functions.add(name);
    if (DYNAMIC_SQL_FUNCTIONS.has(own) || DYNAMIC_SQL_PREFIXES.some((p) => own.startsWith(p)) || DYNAMIC_SQL_QUALIFIED.has(name)) {
      this.out.flags.dynamic_sql = true;
    }
    if (own === 'set_config' && (parts.length === 1 || parts[0] === 'pg_catalog')) {
      const setting = this.out.constString(asList(f['args'])[0])?.toLowerCase();
      if (setting === undefined || setting === 'role') this.out.flags.set_role = true;
      if (setting === undefined || setting === 'session_authorization') this.out.flags.session_authorization = true;
    }
    // Arguments (and the rest of the call) are inside an expression; an aggregate's ORDER BY is
    // also `order`, its FILTER `filter` and the window's PARTITION BY / ORDER BY `group` / `order`.
    const use = this.use;
    const inExpr = this.inExpr;
    this.inExpr = true;
    this.intoFields(f, sc, mode, ['funcname', 'agg_order', 'agg_filter', 'over'], acc);
    this.use = 'order';
    this.into(f['agg_order'], sc, mode, acc);
    this.use = 'filter';
    this.inExpr = false;
    this.into(f['agg_filter'], sc, mode, acc);
    const over = asFields(f['over']);
    if (over !== undefined) this.windowDef(over, sc, mode, acc);
    this.use = use;
    this.inExpr = inExpr;
  }

  // A window: PARTITION BY is `group`, ORDER BY `order`, frame offsets `filter`.
  private windowDef(f: Fields, sc: Scope, mode: Mode, acc: Acc): void {
    const use = this.use;
    const inExpr = this.inExpr;
    this.inExpr = false;
    this.use = 'group';
    this.into(f['partitionClause'], sc, mode, acc);
    this.use = 'order';
    this.into(f['orderClause'], sc, mode, acc);
    this.use = 'filter';
    this.into(f['startOffset'], sc, mode, acc);
    this.into(f['endOffset'], sc, mode, acc);
    this.use = use;
    this.inExpr = inExpr;
  }

  private variableSet(f: Fields): void {
    const name = (asString(f['name']) ?? '').toLowerCase();
    if (name === 'role') this.out.flags.set_role = true;
    if (name === 'session_authorization') this.out.flags.session_authorization = true;
  }
}
