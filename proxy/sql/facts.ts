// One parsed statement → StatementFacts: classification (kinds.ts), the walker's tables, columns,
// functions and flags (walk.ts), result-column lineage for statements that return rows, and the
// fingerprint. Pure; analyze.ts calls it once per statement of a query string.

import type { StatementFacts } from './types.js';
import { classify } from './kinds.js';
import { toOutputFacts, type Col } from './lineage.js';
import { fingerprint } from './fingerprint.js';
import { asFields, asList, asNode, type Node } from './tree.js';
import { Collector, sortedColumns } from './collector.js';
import { Walker } from './walk.js';

// Wrappers whose inner statement decides has_where (EXPLAIN DELETE …, PREPARE p AS UPDATE …).
const WRAPPERS = new Set(['ExplainStmt', 'PrepareStmt', 'DeclareCursorStmt', 'CreateTableAsStmt', 'CopyStmt']);

/** statementFacts computes the facts of one statement node; `text` is its own SQL. */
export function statementFacts(node: Node, text: string, defaultSchema: string): StatementFacts {
  const c = classify(node);
  const out = new Collector(defaultSchema);
  const walker = new Walker(out);
  const root = walker.root();
  const { type, fields } = node;
  let output: readonly Col[] | undefined;
  if (type === 'SelectStmt') {
    const cols = walker.select(fields, root);
    if (asFields(fields['intoClause']) === undefined) output = cols;
  } else if (type === 'InsertStmt' || type === 'UpdateStmt' || type === 'DeleteStmt' || type === 'MergeStmt') {
    const cols = walker.dml(type, fields, root);
    if (asList(fields['returningList']).length > 0) output = cols;
  } else if (type === 'CopyStmt') {
    const cols = walker.copy(fields, root);
    // Only COPY … TO STDOUT sends rows to the client (TO a file or PROGRAM stays on the server).
    if (out.flags.copy_to_stdout) output = cols;
  } else {
    walker.visit({ [type]: fields }, root, c.ddl || type === 'RefreshMatViewStmt' ? 'write' : 'read');
  }
  const tables = {
    read: [...out.tablesRead].sort(),
    written: [...out.tablesWritten].sort(),
  };
  return {
    kind: c.kind,
    command: c.command,
    text,
    tables,
    columns: { read: sortedColumns(out.columnsRead), written: sortedColumns(out.columnsWritten) },
    functions: [...out.functions].sort(),
    flags: {
      ddl: c.ddl,
      destructive: c.destructive,
      ...out.flags,
      set_role: out.flags.set_role || c.kind === 'set_role',
      session_authorization: out.flags.session_authorization || c.kind === 'set_session_authorization',
      dynamic_sql: out.flags.dynamic_sql || c.kind === 'do',
      has_where: hasWhere(node),
    },
    parameters: out.parameters,
    fingerprint: fingerprint({ [type]: fields }),
    ...(output !== undefined ? { output: toOutputFacts(output) } : {}),
  };
}

// The main statement's own WHERE, looking through EXPLAIN / PREPARE / DECLARE / CREATE TABLE AS / COPY (query).
function hasWhere(node: Node): boolean {
  let n: Node | undefined = node;
  while (n !== undefined && WRAPPERS.has(n.type)) n = asNode(n.fields['query']);
  if (n === undefined) return false;
  if (n.type === 'SelectStmt' || n.type === 'UpdateStmt' || n.type === 'DeleteStmt') {
    return n.fields['whereClause'] !== undefined;
  }
  return false;
}
