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
