// What the walker records about one statement: tables, columns and functions read or written,
// the walker-detected flags, the highest parameter number, and whether any literal's value was
// read (facts that depend on a literal are never shared between statements: facts-cache.ts).

import type { CatalogSnapshot, ColumnName, ColumnUse, ColumnUseKind, RoutineName } from './types.js';
import { columnKey, uniqueColumns } from './lineage.js';
import { asFields, asNode, asNumber, asString } from './tree.js';

/** Mode says whether a table met outside a FROM clause is read or written (DDL targets are written). */
export type Mode = 'read' | 'write';

/** MutableFlags are the walker-detected flags (statement-type flags come from kinds.ts). */
export type MutableFlags = {
  delete_without_where: boolean;
  update_without_where: boolean;
  copy_program: boolean;
  copy_server_file: boolean;
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

/** Collector accumulates the facts of one statement while the walker runs. */
export class Collector {
  readonly tablesRead = new Set<string>();
  readonly tablesWritten = new Set<string>();
  readonly columnsRead = new Map<string, ColumnName>();
  readonly columnsWritten = new Map<string, ColumnName>();
  readonly uses = new Map<string, ColumnUse>();
  readonly functions = new Set<string>();
  /** calls maps `schema\0name` to a function called as written. */
  readonly calls = new Map<string, RoutineName>();
  /** operators maps `schema\0name` to an operator applied, as written ('' schema when unqualified). */
  readonly operators = new Map<string, RoutineName>();
  /** expanding lists the views being walked, outermost first (a view never expands inside itself). */
  readonly expanding: string[] = [];
  readonly flags: MutableFlags = {
    delete_without_where: false,
    update_without_where: false,
    copy_program: false,
    copy_server_file: false,
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
  /** literalsRead is set once the walk read a literal's value (constString): the facts then depend on literals. */
  literalsRead = false;
  readonly #schema: string;
  /** catalog is what the catalog says about relations (undefined: the grammar alone). */
  readonly catalog: CatalogSnapshot | undefined;

  constructor(defaultSchema: string, catalog?: CatalogSnapshot) {
    this.#schema = defaultSchema;
    this.catalog = catalog;
  }

  /**
   * qualify names a relation as PostgreSQL resolves it: schema kept; else pg_catalog when the
   * catalog has a relation of that name there (PostgreSQL searches pg_catalog before the search
   * path), else the search path's first schema.
   */
  qualify(schema: string | undefined, name: string): string {
    const s = schema ?? (this.catalog?.systemRelations.has(name) === true ? 'pg_catalog' : this.#schema);
    return s === '' ? name : `${s}.${name}`;
  }

  /** call records a function called, as written. */
  call(schema: string, name: string): void {
    this.calls.set(`${schema}\u0000${name}`, { schema, name });
  }

  /** operator records an operator applied, as written. */
  operator(schema: string, name: string): void {
    this.operators.set(`${schema}\u0000${name}`, { schema, name });
  }

  /** table records a table read or written. */
  table(name: string, mode: Mode): void {
    (mode === 'write' ? this.tablesWritten : this.tablesRead).add(name);
  }

  /** column records a column read or written. */
  column(c: ColumnName, mode: Mode): void {
    (mode === 'write' ? this.columnsWritten : this.columnsRead).set(columnKey(c), c);
  }

  /** use records one use of a column's value. */
  use(c: ColumnName, use: ColumnUseKind): void {
    this.uses.set(`${columnKey(c)}\u0000${use}`, { table: c.table, column: c.column, use });
  }

  /**
   * constString reads a string literal (A_Const with sval), else undefined. It and constInt are the
   * walk's only ways to a literal's value, so the facts know when they depend on one.
   */
  constString(x: unknown): string | undefined {
    const n = asNode(x);
    if (n?.type !== 'A_Const') return undefined;
    this.literalsRead = true;
    return asString(asFields(n.fields['sval'])?.['sval']);
  }

  /** constInt reads an integer literal (A_Const with ival; 0 is an empty ival), else undefined; like constString, it marks the facts as depending on a literal. */
  constInt(x: unknown): number | undefined {
    const n = asNode(x);
    if (n?.type !== 'A_Const') return undefined;
    const ival = asFields(n.fields['ival']);
    if (ival === undefined) return undefined;
    this.literalsRead = true;
    return asNumber(ival['ival']) ?? 0;
  }
}

/** sortedColumns returns a collector map's columns sorted and unique. */
export function sortedColumns(m: ReadonlyMap<string, ColumnName>): ColumnName[] {
  return uniqueColumns(m.values());
}

/** sortedUses returns a collector's uses sorted by table, column and use. */
export function sortedUses(m: ReadonlyMap<string, ColumnUse>): ColumnUse[] {
  return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, u]) => u);
}
