// What the catalog offers the rest of the gateway: names for RowDescription columns and a
// table's column list, behind an interface so the query cycle and its tests need no PostgreSQL.

/** ColumnName is a resolved result column source. */
export type ColumnName = { readonly table: string; readonly column: string };

/** CatalogResolver maps RowDescription table OIDs/attribute numbers to names (cached; backed by the upstream catalog). */
export interface CatalogResolver {
  /** resolveColumn returns `schema.table` and the column name, or undefined for OID 0 / unknown. */
  resolveColumn(tableOid: number, attnum: number): Promise<ColumnName | undefined>;
  /** columnsOf lists a table's visible columns in attribute order (for `COPY t TO STDOUT`); `schema.table` form. */
  columnsOf(table: string): Promise<readonly string[] | undefined>;
  /** invalidate drops cached entries (after DDL). */
  invalidate(): void;
}

/** Volatility is PostgreSQL's pg_proc.provolatile, spelled out. */
export type Volatility = 'immutable' | 'stable' | 'volatile';

/** RoutineFacts is what the catalog says about one function or procedure (all overloads of a name in a schema, taken together, the least safe winning). */
export type RoutineFacts = {
  readonly schema: string;
  readonly name: string;
  /** volatility is the least safe of the overloads' volatilities. */
  readonly volatility: Volatility;
  /** securityDefiner is set when any overload runs with its owner's privileges (SECURITY DEFINER). */
  readonly securityDefiner: boolean;
  /** publicExecute is false when PostgreSQL does not grant EXECUTE on some overload to PUBLIC (it treats it as privileged). */
  readonly publicExecute: boolean;
  /** builtin is set for the server's own functions (pg_catalog, created by initdb). */
  readonly builtin: boolean;
  /** kinds are the overloads' kinds (function, procedure, aggregate, window), sorted. */
  readonly kinds: readonly string[];
};

/** RelationFacts is what the catalog says about one relation. */
export type RelationFacts = {
  /** kind is PostgreSQL's relkind spelled out. */
  readonly kind: 'table' | 'view' | 'materialized_view' | 'foreign_table' | 'partitioned_table' | 'other';
  /** columns are the relation's visible column names in attribute order. */
  readonly columns: readonly string[];
  /** definition is a view's or materialized view's query, names schema-qualified. */
  readonly definition?: string;
};

/** Known is a catalog answer available now, or the promise of one; `undefined` means the lookup failed. */
export type Known<T> = T | Promise<T | undefined> | undefined;

/**
 * CatalogFacts is what the gate asks the catalog about a statement's names. Answers are cached;
 * a cached answer comes back synchronously, so a statement whose names are known needs no wait.
 */
export interface CatalogFacts {
  /** generation changes whenever cached answers are dropped (after DDL, on the refresh timer): answers derived from them may be reused while it stays the same. */
  generation(): number;
  /** systemRelations are the relation names in pg_catalog (fixed for a server version). */
  systemRelations(): Known<ReadonlySet<string>>;
  /** relation describes `schema.name`, or null when there is no such relation. */
  relation(table: string): Known<RelationFacts | null>;
  /** routines describes the functions named `name` in `schema` ('' = in any schema), one entry per schema; [] when there is none. */
  routines(schema: string, name: string): Known<readonly RoutineFacts[]>;
  /** operatorRoutines describes the functions behind the user-defined operators named `name` (in `schema`; '' = any), one entry per function; [] for the server's own operators. */
  operatorRoutines(schema: string, name: string): Known<readonly RoutineFacts[]>;
}
