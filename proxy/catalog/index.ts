// Public surface of proxy/catalog: the CatalogResolver the query cycle uses to name RowDescription
// columns (table OID + attribute number → schema.table / column) and to list a table's columns,
// backed by a dedicated, lazily (re)connected upstream connection and cached. Re-exports only.

export { createCatalog, quoteLiteral } from './catalog.js';
export type { Catalog, CatalogOptions } from './catalog.js';
export type { CatalogFacts, CatalogResolver, ColumnName, Known, RelationFacts, RoutineFacts, Volatility } from './types.js';
