// The walker: one statement's parse tree → the tables, columns, functions, flags and parameters
// it touches (recorded in a Collector) and, for queries, the lineage of each result column.
// Queries get scopes (FROM entries, CTEs) so column references resolve as PostgreSQL would
// without a catalog; every node type the walker does not know is visited generically, so a
// table or function nested anywhere is still seen.

import type { ColumnName } from './types.js';
import {
  EMPTY,
  colLineage,
  colsLineage,
  columnKey,
  flatten,
  mergeSetOp,
  mix,
  uniqueColumns,
  type Col,
  type Lineage,
} from './lineage.js';
import { figureName } from './names.js';
import {
  asFields,
  asList,
  asNode,
  asNumber,
  asString,
  constString,
  fieldsOf,
  stringItems,
  type Fields,
} from './tree.js';

/** Mode says whether a table met outside a FROM clause is read or written (DDL targets are written). */
export type Mode = 'read' | 'write';

/** MutableFlags are the walker-detected flags (statement-type flags come from kinds.ts). */
export type MutableFlags = {
  delete_without_where: boolean;
  update_without_where: boolean;
  copy_program: boolean;
  copy_from_stdin: boolean;
  copy_to_stdout: boolean;
  dynamic_sql: boolean;
  set_role: boolean;
  session_authorization: boolean;
  data_modifying_cte: boolean;
  select_star: boolean;
  for_update: boolean;
  into: boolean;
};

// A FROM-clause entry as a column reference sees it.
type Entry =
  | { readonly kind: 'table'; readonly refname: string; readonly table: string; readonly renamed: boolean }
  | { readonly kind: 'query'; readonly refname: string; readonly cols: readonly Col[]; readonly aliases: readonly string[] }
  | { readonly kind: 'opaque'; readonly refname: string; readonly lineage: Lineage }
  | { readonly kind: 'join'; readonly refname: string; readonly children: readonly Entry[] };

// Accumulates the columns and whole-row references that make up one value.
type Acc = { readonly cols: Map<string, ColumnName>; wholeRow: boolean };

function add(acc: Acc, l: Lineage): void {
  for (const c of flatten(l)) acc.cols.set(columnKey(c), c);
  acc.wholeRow ||= l.wholeRow;
}

// A CTE: its result columns, or null while a recursive CTE's own body is being walked.
type Cte = { readonly cols: readonly Col[] | null; readonly aliases: readonly string[] };

// One query level. Entries and CTEs are looked up innermost first.
type Scope = {
  readonly parent: Scope | undefined;
  readonly entries: Entry[];
  readonly ctes: Map<string, Cte>;
  outputs?: readonly Col[];
};

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

// Relation kinds whose DROP removes a table-like object (views count as tables).
const TABLE_OBJECTS = new Set(['OBJECT_TABLE', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_FOREIGN_TABLE']);

/** Collector accumulates the facts of one statement while the walker runs. */
export class Collector {
  readonly tablesRead = new Set<string>();
  readonly tablesWritten = new Set<string>();
  readonly columnsRead = new Map<string, ColumnName>();
  readonly columnsWritten = new Map<string, ColumnName>();
  readonly functions = new Set<string>();
  readonly flags: MutableFlags = {
    delete_without_where: false,
    update_without_where: false,
    copy_program: false,
    copy_from_stdin: false,
    copy_to_stdout: false,
    dynamic_sql: false,
    set_role: false,
    session_authorization: false,
    data_modifying_cte: false,
    select_star: false,
    for_update: false,
    into: false,
  };
  parameters = 0;
  readonly #schema: string;

  constructor(defaultSchema: string) {
    this.#schema = defaultSchema;
  }

  /** qualify names a relation as PostgreSQL resolves it: schema kept, else the search path's first schema. */
  qualify(schema: string | undefined, name: string): string {
    const s = schema ?? this.#schema;
    return s === '' ? name : `${s}.${name}`;
  }

  /** table records a table read or written. */
  table(name: string, mode: Mode): void {
    (mode === 'write' ? this.tablesWritten : this.tablesRead).add(name);
  }

  /** column records a column read or written. */
  column(c: ColumnName, mode: Mode): void {
    (mode === 'write' ? this.columnsWritten : this.columnsRead).set(columnKey(c), c);
  }
}

/** Walker visits one statement's tree, recording into its Collector. */
export class Walker {
  readonly out: Collector;

  constructor(out: Collector) {
    this.out = out;
  }

  /** root makes the outermost scope of a statement. */
  root(): Scope {
    return { parent: undefined, entries: [], ctes: new Map() };
  }

  /** visit walks any part of the tree and returns the lineage of the value it denotes (columns all derived). */
  visit(x: unknown, sc: Scope, mode: Mode): Lineage {
    const acc: Acc = { cols: new Map(), wholeRow: false };
    this.into(x, sc, mode, acc);
    return { derived: [...acc.cols.values()], wholeRow: acc.wholeRow };
  }

  // The walk proper. Lineage goes into one accumulator per value instead of being returned and
  // merged at every level, which would be quadratic on long expressions (a0 + a1 + … + a999).
  private into(x: unknown, sc: Scope, mode: Mode, acc: Acc): void {
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
    if (typeof f['relname'] === 'string') this.rangeVar(f, mode);
    else this.intoFields(f, sc, mode, [], acc);
  }

  // Dispatch on the node types that need more than a generic walk.
  private visitNode(type: string, f: Fields, sc: Scope, mode: Mode, acc: Acc): void {
    switch (type) {
      case 'SelectStmt':
        return add(acc, colsLineage(this.select(f, sc)));
      case 'InsertStmt':
      case 'UpdateStmt':
      case 'DeleteStmt':
      case 'MergeStmt':
        return add(acc, colsLineage(this.dml(type, f, sc)));
      case 'CopyStmt':
        return add(acc, colsLineage(this.copy(f, sc)));
      case 'ColumnRef':
        return add(acc, this.columnRef(f, sc));
      case 'FuncCall':
        return this.funcCall(f, sc, mode, acc);
      case 'A_Expr': {
        // Left-deep operator chains (a0 + a1 + … + a9999) are walked as a loop, not recursion.
        let cur: Fields | undefined = f;
        while (cur !== undefined) {
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
        const sub = colsLineage(this.queryCols(f['subselect'], sc));
        // Only a scalar or ARRAY(…) subquery passes its values on; EXISTS / IN / ANY / ALL yield
        // a boolean computed from them.
        const passes = f['subLinkType'] === 'EXPR_SUBLINK' || f['subLinkType'] === 'ARRAY_SUBLINK';
        return add(acc, passes ? sub : { derived: flatten(sub), wholeRow: false });
      }
      case 'RangeVar':
        return this.rangeVar(f, mode);
      case 'RangeSubselect':
      case 'RangeFunction':
      case 'JoinExpr':
      case 'RangeTableFunc':
      case 'RangeTableSample':
      case 'JsonTable':
        // Only reached outside a FROM list (e.g. inside an unusual DDL node): give it its own level.
        return this.fromItem({ [type]: f }, this.child(sc));
      case 'DoStmt':
        this.out.flags.dynamic_sql = true;
        return;
      case 'CallStmt':
        return this.funcCall(asFields(f['funccall']) ?? {}, sc, mode, acc);
      case 'VariableSetStmt':
        return this.variableSet(f);
      case 'CreateTableAsStmt':
        this.rangeVar(asFields(asFields(f['into'])?.['rel']) ?? {}, 'write');
        this.queryCols(f['query'], sc);
        return;
      case 'ViewStmt':
        this.rangeVar(asFields(f['view']) ?? {}, 'write');
        this.queryCols(f['query'], sc);
        return;
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
      default:
        return this.generic(f, sc, mode, acc);
    }
  }

  // Any other node: when it names a `relation` (ALTER TABLE, CREATE INDEX, CREATE TRIGGER, …),
  // column references inside it belong to that relation.
  private generic(f: Fields, sc: Scope, mode: Mode, acc: Acc): void {
    const rel = asFields(f['relation']);
    if (rel !== undefined && typeof rel['relname'] === 'string') {
      const level = this.child(sc);
      level.entries.push(this.tableEntry(rel));
      return this.intoFields(f, level, mode, [], acc);
    }
    this.intoFields(f, sc, mode, [], acc);
  }

  private intoFields(f: Fields, sc: Scope, mode: Mode, skip: readonly string[], acc: Acc): void {
    for (const [k, v] of Object.entries(f)) if (!skip.includes(k)) this.into(v, sc, mode, acc);
  }

  private child(sc: Scope): Scope {
    return { parent: sc, entries: [], ctes: new Map() };
  }

  // --- relations ---------------------------------------------------------------------------

  private relName(rv: Fields): string {
    return this.out.qualify(asString(rv['schemaname']), asString(rv['relname']) ?? '');
  }

  private rangeVar(rv: Fields, mode: Mode): void {
    if (typeof rv['relname'] !== 'string') return;
    this.out.table(this.relName(rv), mode);
  }

  private tableEntry(rv: Fields): Entry {
    const alias = asFields(rv['alias']);
    return {
      kind: 'table',
      refname: asString(alias?.['aliasname']) ?? asString(rv['relname']) ?? '',
      table: this.relName(rv),
      renamed: asList(alias?.['colnames']).length > 0,
    };
  }

  private findCte(name: string, sc: Scope): Cte | undefined {
    for (let s: Scope | undefined = sc; s !== undefined; s = s.parent) {
      const cte = s.ctes.get(name);
      if (cte !== undefined) return cte;
    }
    return undefined;
  }

  // FROM item → entries of the level (tables are recorded as read here).
  private fromItem(item: unknown, level: Scope): void {
    const node = asNode(item);
    if (node === undefined) return;
    const f = node.fields;
    const alias = asFields(f['alias']);
    const aliasName = asString(alias?.['aliasname']);
    const aliasCols = stringItems(alias?.['colnames']);
    switch (node.type) {
      case 'RangeVar': {
        const relname = asString(f['relname']) ?? '';
        const cte = f['schemaname'] === undefined ? this.findCte(relname, level) : undefined;
        if (cte !== undefined) {
          const refname = aliasName ?? relname;
          level.entries.push(
            cte.cols === null
              ? { kind: 'opaque', refname, lineage: EMPTY }
              : { kind: 'query', refname, cols: cte.cols, aliases: aliasCols.length > 0 ? aliasCols : cte.aliases },
          );
          return;
        }
        this.rangeVar(f, 'read');
        level.entries.push(this.tableEntry(f));
        return;
      }
      case 'RangeSubselect': {
        const cols = this.queryCols(f['subquery'], level);
        level.entries.push({ kind: 'query', refname: aliasName ?? '', cols, aliases: aliasCols });
        return;
      }
      case 'JoinExpr': {
        const before = level.entries.length;
        this.fromItem(f['larg'], level);
        this.fromItem(f['rarg'], level);
        this.visit(f['quals'], level, 'read');
        if (aliasName !== undefined) {
          const children = level.entries.splice(before);
          level.entries.push({ kind: 'join', refname: aliasName, children });
        }
        return;
      }
      case 'RangeTableSample': {
        const before = level.entries.length;
        this.fromItem(f['relation'], level);
        this.visit(f['args'], level, 'read');
        this.visit(f['repeatable'], level, 'read');
        const inner = level.entries[before];
        if (inner !== undefined && aliasName !== undefined) level.entries[before] = { ...inner, refname: aliasName };
        return;
      }
      default: {
        // RangeFunction, RangeTableFunc (XMLTABLE), JsonTable, …: a value computed from its arguments.
        const acc: Acc = { cols: new Map(), wholeRow: false };
        this.intoFields(f, level, 'read', ['alias'], acc);
        const lineage: Lineage = { derived: [...acc.cols.values()], wholeRow: acc.wholeRow };
        level.entries.push({ kind: 'opaque', refname: aliasName ?? '', lineage });
        return;
      }
    }
  }

  // --- queries -----------------------------------------------------------------------------

  /** queryCols walks a wrapped query node (SELECT or DML with RETURNING) and returns its result columns. */
  queryCols(x: unknown, sc: Scope): Col[] {
    const node = asNode(x);
    if (node === undefined) return [];
    switch (node.type) {
      case 'SelectStmt':
        return this.select(node.fields, sc);
      case 'InsertStmt':
      case 'UpdateStmt':
      case 'DeleteStmt':
      case 'MergeStmt':
        return this.dml(node.type, node.fields, sc);
      default:
        this.visit(x, sc, 'read');
        return [];
    }
  }

  private withClause(w: unknown, level: Scope): void {
    const wf = asFields(w);
    if (wf === undefined) return;
    const recursive = wf['recursive'] === true;
    for (const c of asList(wf['ctes'])) {
      const cte = fieldsOf(c, 'CommonTableExpr');
      if (cte === undefined) continue;
      const name = asString(cte['ctename']) ?? '';
      const aliases = stringItems(cte['aliascolnames']);
      if (recursive) level.ctes.set(name, { cols: null, aliases });
      const q = asNode(cte['ctequery']);
      if (q !== undefined && q.type !== 'SelectStmt') this.out.flags.data_modifying_cte = true;
      const cols = this.queryCols(cte['ctequery'], level);
      level.ctes.set(name, { cols, aliases });
    }
  }

  /** select walks a SelectStmt's fields (wrapped or, for set-operation arms, bare). */
  select(f: Fields, sc: Scope): Col[] {
    const level = this.child(sc);
    this.withClause(f['withClause'], level);
    if (asList(f['lockingClause']).length > 0) this.out.flags.for_update = true;
    let cols: Col[];
    const op = asString(f['op']) ?? 'SETOP_NONE';
    if (op !== 'SETOP_NONE') {
      const left = this.select(asFields(f['larg']) ?? {}, level);
      const right = this.select(asFields(f['rarg']) ?? {}, level);
      cols = mergeSetOp(left, right);
    } else if (f['valuesLists'] !== undefined) {
      cols = this.values(f['valuesLists'], level);
    } else {
      for (const item of asList(f['fromClause'])) this.fromItem(item, level);
      cols = this.targets(f['targetList'], level);
      this.visit(f['whereClause'], level, 'read');
      this.visit(f['havingClause'], level, 'read');
      this.visit(f['windowClause'], level, 'read');
      this.visit(f['distinctClause'], level, 'read');
    }
    level.outputs = cols;
    this.visitOrdering(f['groupClause'], level);
    this.visitOrdering(f['sortClause'], level);
    this.visit(f['limitOffset'], level, 'read');
    this.visit(f['limitCount'], level, 'read');
    const into = asFields(f['intoClause']);
    if (into !== undefined) {
      this.out.flags.into = true;
      this.rangeVar(asFields(into['rel']) ?? {}, 'write');
    }
    return cols;
  }

  // GROUP BY / ORDER BY may name a result column by its alias; those are not table columns.
  private visitOrdering(x: unknown, level: Scope): void {
    for (const item of asList(x)) {
      const n = asNode(item);
      const target = n?.type === 'SortBy' ? n.fields['node'] : item;
      const ref = asNode(target);
      if (ref?.type === 'ColumnRef') {
        const names = asList(ref.fields['fields']);
        const only = names.length === 1 ? asString(asNode(names[0])?.fields['sval']) : undefined;
        if (only !== undefined && level.outputs?.some((c) => c.name === only && c.star === undefined)) continue;
      }
      this.visit(item, level, 'read');
    }
  }

  private values(lists: unknown, level: Scope): Col[] {
    const perPosition: Lineage[][] = [];
    for (const row of asList(lists)) {
      asList(asNode(row)?.fields['items']).forEach((expr, i) => {
        (perPosition[i] ??= []).push(this.visit(expr, level, 'read'));
      });
    }
    return perPosition.map((ls, i) => {
      const l = mix(ls.map((x) => ({ derived: flatten(x), wholeRow: x.wholeRow })));
      return { position: i + 1, name: `column${i + 1}`, derived: l.derived, wholeRow: l.wholeRow };
    });
  }

  /** targets walks a target list (SELECT list or RETURNING) into result columns. */
  private targets(list: unknown, level: Scope): Col[] {
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
          this.out.flags.select_star = true;
          const qualifier = stringItems(fields);
          const entries = qualifier.length > 0 ? this.findEntry(qualifier, level) : level.entries;
          const expanded = (entries ?? []).flatMap((e) => this.expandEntry(e, position));
          cols.push(...(expanded.length > 0 ? expanded : [{ position, name: '*', star: {}, derived: [], wholeRow: false }]));
          return;
        }
      }
      const l = val?.type === 'ColumnRef' ? this.columnRef(val.fields, level) : this.visit(rt['val'], level, 'read');
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
  private expandEntry(e: Entry, position: number): Col[] {
    switch (e.kind) {
      case 'table':
        return [{ position, name: '*', star: { table: e.table }, derived: [], wholeRow: false }];
      case 'query':
        return e.cols.map((c, i) => ({ ...c, position, name: e.aliases[i] ?? c.name }));
      case 'opaque':
        return [{ position, name: '*', star: {}, derived: flatten(e.lineage), wholeRow: e.lineage.wholeRow }];
      case 'join':
        return e.children.flatMap((child) => this.expandEntry(child, position));
    }
  }

  // --- column references -------------------------------------------------------------------

  private columnRef(f: Fields, sc: Scope): Lineage {
    const fields = asList(f['fields']);
    const names = stringItems(fields);
    if (asNode(fields[fields.length - 1])?.type === 'A_Star') {
      // `t.*` or `*` used as a value (row_to_json(t.*), count(t.*), ROW(t.*)): a whole row.
      this.out.flags.select_star = true;
      const entries = names.length > 0 ? this.findEntry(names, sc) : this.nearestEntries(sc);
      return this.wholeRowOf(entries ?? []);
    }
    if (names.length === 0) return EMPTY;
    const column = names[names.length - 1] as string;
    if (names.length === 1) return this.resolveName(column, sc);
    const entries = this.findEntry(names.slice(0, -1), sc);
    const entry = entries?.[0];
    if (entry !== undefined) return this.columnOf(entry, column, true);
    // `a.b.c` may be table a, column b, field c.
    const table = names.length >= 3 ? this.findEntry([names[0] as string], sc)?.[0] : undefined;
    // `a.b` where `a` is a composite column, not a relation: a field of a column's value.
    const base = table !== undefined ? this.columnOf(table, names[1] as string, true) : this.resolveName(names[0] as string, sc);
    return { derived: flatten(base), wholeRow: base.wholeRow };
  }

  private nearestEntries(sc: Scope): Entry[] {
    for (let s: Scope | undefined = sc; s !== undefined; s = s.parent) if (s.entries.length > 0) return s.entries;
    return [];
  }

  // Entries named by a qualifier: [t], [schema, t] or [catalog, schema, t].
  private findEntry(qualifier: readonly string[], sc: Scope): Entry[] | undefined {
    const refname = qualifier[qualifier.length - 1] as string;
    const schema = qualifier.length >= 2 ? qualifier[qualifier.length - 2] : undefined;
    for (let s: Scope | undefined = sc; s !== undefined; s = s.parent) {
      const found = flattenJoins(s.entries, true).filter((e) =>
        schema === undefined
          ? e.refname === refname
          : e.kind === 'table' && e.table === this.out.qualify(schema, refname),
      );
      if (found.length > 0) return found;
    }
    return undefined;
  }

  // An unqualified name: a column of exactly one candidate entry, ambiguous (table ''), or a
  // whole-row reference to an entry of that name.
  private resolveName(name: string, sc: Scope): Lineage {
    for (let s: Scope | undefined = sc; s !== undefined; s = s.parent) {
      const candidates = flattenJoins(s.entries, false).filter((e) => hasColumn(e, name) !== 'no');
      const definite = candidates.filter((e) => hasColumn(e, name) === 'yes');
      const rows = flattenJoins(s.entries, true).filter((e) => e.refname === name && e.kind !== 'join');
      if (candidates.length + rows.length === 0) continue;
      let col: Lineage | undefined;
      if (candidates.length === 1) col = this.columnOf(candidates[0] as Entry, name, true);
      else if (definite.length === 1) col = this.columnOf(definite[0] as Entry, name, true); // else PostgreSQL reports it ambiguous
      else if (candidates.length > 1) col = this.ambiguous(candidates, name, true);
      // PostgreSQL prefers a column over a whole-row reference; without the catalog both are possible.
      if (rows.length === 0 && col !== undefined) return col;
      return mix([this.wholeRowOf(rows), ...(col !== undefined ? [col] : [])]);
    }
    // Nothing in scope has it (a DDL expression, an output alias): a column of an unknown table.
    const unknown: ColumnName = { table: '', column: name };
    this.out.column(unknown, 'read');
    return { source: unknown, derived: [], wholeRow: false };
  }

  // A name several entries may have: table ''. Plain columns are still bound by the session via
  // RowDescription, so only what subqueries compute is carried as derived.
  private ambiguous(entries: readonly Entry[], name: string, record: boolean): Lineage {
    const ambiguous: ColumnName = { table: '', column: name };
    if (record) this.out.column(ambiguous, 'read');
    const inner = entries.map((e) => this.columnOf(e, name, false));
    return {
      source: ambiguous,
      derived: uniqueColumns(inner.flatMap((l) => l.derived)),
      wholeRow: inner.some((l) => l.wholeRow),
    };
  }

  // Column `name` of one entry; `record` adds table columns to columns.read.
  private columnOf(e: Entry, name: string, record: boolean): Lineage {
    switch (e.kind) {
      case 'table': {
        // Column aliases (`FROM t AS x(a, b)`) rename positionally: which column is unknown ('').
        const c: ColumnName = { table: e.table, column: e.renamed ? '' : name };
        if (record) this.out.column(c, 'read');
        return e.renamed ? { derived: [c], wholeRow: false } : { source: c, derived: [], wholeRow: false };
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
          if (record) this.out.column(c, 'read');
          return { source: c, derived: [], wholeRow: stars[0].wholeRow };
        }
        const parts = stars.map((s): Lineage => ({
          derived: s.star?.table !== undefined ? [{ table: s.star.table, column: name }, ...s.derived] : s.derived,
          wholeRow: s.wholeRow,
        }));
        return mix(parts);
      }
      case 'opaque':
        return e.lineage.source !== undefined ? mix([e.lineage]) : e.lineage;
      case 'join': {
        const inner = flattenJoins(e.children, false).filter((c) => hasColumn(c, name) !== 'no');
        if (inner.length === 1) return this.columnOf(inner[0] as Entry, name, record);
        return this.ambiguous(inner, name, record);
      }
    }
  }

  private wholeRowOf(entries: readonly Entry[]): Lineage {
    const parts = entries.map((e): Lineage => {
      switch (e.kind) {
        case 'table':
          return { derived: [], wholeRow: true };
        case 'query':
          return { ...colsLineage(e.cols), wholeRow: true };
        case 'opaque':
          return { derived: flatten(e.lineage), wholeRow: e.lineage.wholeRow };
        case 'join':
          return { ...this.wholeRowOf(e.children), wholeRow: true };
      }
    });
    return mix(parts);
  }

  // --- functions and SET -------------------------------------------------------------------

  private funcCall(f: Fields, sc: Scope, mode: Mode, acc: Acc): void {
    const parts = stringItems(f['funcname']).map((p) => p.toLowerCase());
    const name = parts.join('.');
    const own = parts[parts.length - 1] ?? '';
    if (name !== '') this.out.functions.add(name);
    if (
      DYNAMIC_SQL_FUNCTIONS.has(own) ||
      DYNAMIC_SQL_PREFIXES.some((p) => own.startsWith(p)) ||
      DYNAMIC_SQL_QUALIFIED.has(name)
    ) {
      this.out.flags.dynamic_sql = true;
    }
    if (own === 'set_config' && (parts.length === 1 || parts[0] === 'pg_catalog')) {
      const setting = constString(asList(f['args'])[0])?.toLowerCase();
      if (setting === undefined || setting === 'role') this.out.flags.set_role = true;
      if (setting === undefined || setting === 'session_authorization') this.out.flags.session_authorization = true;
    }
    this.intoFields(f, sc, mode, ['funcname'], acc);
  }

  private variableSet(f: Fields): void {
    const name = (asString(f['name']) ?? '').toLowerCase();
    if (name === 'role') this.out.flags.set_role = true;
    if (name === 'session_authorization') this.out.flags.session_authorization = true;
  }

  // --- data-modifying statements -----------------------------------------------------------

  /** dml walks INSERT / UPDATE / DELETE / MERGE and returns the RETURNING columns. */
  dml(type: string, f: Fields, sc: Scope): Col[] {
    const level = this.child(sc);
    this.withClause(f['withClause'], level);
    const rel = asFields(f['relation']) ?? {};
    this.rangeVar(rel, 'write');
    const target = this.tableEntry(rel);
    const table = target.kind === 'table' ? target.table : '';
    const written = (rt: unknown): void => {
      const name = asString(fieldsOf(rt, 'ResTarget')?.['name']);
      if (name !== undefined) this.out.column({ table, column: name }, 'write');
    };
    const assignments = (list: unknown, scope: Scope): void => {
      for (const rt of asList(list)) {
        written(rt);
        const fields = fieldsOf(rt, 'ResTarget');
        this.visit(fields?.['val'], scope, 'read');
        this.visit(fields?.['indirection'], scope, 'read');
      }
    };
    switch (type) {
      case 'InsertStmt': {
        for (const rt of asList(f['cols'])) written(rt);
        this.queryCols(f['selectStmt'], level); // the SELECT cannot see the target table
        level.entries.push(target);
        const conflict = asFields(f['onConflictClause']);
        if (conflict !== undefined) {
          const onConflict = this.child(level);
          onConflict.entries.push({ kind: 'table', refname: 'excluded', table, renamed: false });
          for (const elem of asList(asFields(conflict['infer'])?.['indexElems'])) {
            const name = asString(fieldsOf(elem, 'IndexElem')?.['name']);
            if (name !== undefined) this.out.column({ table, column: name }, 'read');
          }
          this.visit(conflict['infer'], onConflict, 'read');
          assignments(conflict['targetList'], onConflict);
          this.visit(conflict['whereClause'], onConflict, 'read');
        }
        break;
      }
      case 'UpdateStmt':
        level.entries.push(target);
        for (const item of asList(f['fromClause'])) this.fromItem(item, level);
        assignments(f['targetList'], level);
        this.visit(f['whereClause'], level, 'read');
        if (f['whereClause'] === undefined) this.out.flags.update_without_where = true;
        break;
      case 'DeleteStmt':
        level.entries.push(target);
        for (const item of asList(f['usingClause'])) this.fromItem(item, level);
        this.visit(f['whereClause'], level, 'read');
        if (f['whereClause'] === undefined) this.out.flags.delete_without_where = true;
        break;
      case 'MergeStmt':
        level.entries.push(target);
        this.fromItem(f['sourceRelation'], level);
        this.visit(f['joinCondition'], level, 'read');
        for (const w of asList(f['mergeWhenClauses'])) {
          const wf = fieldsOf(w, 'MergeWhenClause');
          if (wf === undefined) continue;
          this.visit(wf['condition'], level, 'read');
          assignments(wf['targetList'], level);
          this.visit(wf['values'], level, 'read');
        }
        break;
      default:
        break;
    }
    return this.targets(f['returningList'], level);
  }

  /** copy walks COPY and returns the columns it sends to the client (COPY … TO STDOUT or a file). */
  copy(f: Fields, sc: Scope): Col[] {
    const isFrom = f['is_from'] === true;
    if (f['is_program'] === true) this.out.flags.copy_program = true;
    if (f['filename'] === undefined && f['is_program'] !== true) {
      if (isFrom) this.out.flags.copy_from_stdin = true;
      else this.out.flags.copy_to_stdout = true;
    }
    if (f['query'] !== undefined) return this.queryCols(f['query'], sc);
    const rel = asFields(f['relation']);
    if (rel === undefined) return [];
    const mode: Mode = isFrom ? 'write' : 'read';
    this.rangeVar(rel, mode);
    const entry = this.tableEntry(rel);
    const table = entry.kind === 'table' ? entry.table : '';
    const attlist = stringItems(f['attlist']);
    for (const column of attlist) this.out.column({ table, column }, mode);
    if (f['whereClause'] !== undefined) {
      const level = this.child(sc);
      level.entries.push(entry);
      this.visit(f['whereClause'], level, 'read');
    }
    if (isFrom) return [];
    if (attlist.length === 0) return [{ position: 1, name: '*', star: { table }, derived: [], wholeRow: false }];
    return attlist.map((column, i) => ({ position: i + 1, name: column, source: { table, column }, derived: [], wholeRow: false }));
  }
}

// Entries with join aliases opened up; `keepJoins` also keeps the join entries themselves.
function flattenJoins(entries: readonly Entry[], keepJoins: boolean): Entry[] {
  const out: Entry[] = [];
  for (const e of entries) {
    if (e.kind === 'join') {
      if (keepJoins) out.push(e);
      out.push(...flattenJoins(e.children, keepJoins));
    } else out.push(e);
  }
  return out;
}

// Whether an entry has a column of that name: 'maybe' where only the catalog could say.
function hasColumn(e: Entry, name: string): 'yes' | 'no' | 'maybe' {
  switch (e.kind) {
    case 'table':
      return 'maybe';
    case 'opaque':
      return e.refname === name ? 'yes' : 'maybe';
    case 'query': {
      if (e.cols.some((c, i) => (e.aliases[i] ?? c.name) === name && c.star === undefined)) return 'yes';
      return e.cols.some((c) => c.star !== undefined) ? 'maybe' : 'no';
    }
    case 'join': {
      const inner = e.children.map((c) => hasColumn(c, name));
      return inner.includes('yes') ? 'yes' : inner.includes('maybe') ? 'maybe' : 'no';
    }
  }
}

/** sortedColumns returns a collector map's columns sorted and unique. */
export function sortedColumns(m: ReadonlyMap<string, ColumnName>): ColumnName[] {
  return uniqueColumns(m.values());
}
