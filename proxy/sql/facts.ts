// One parsed statement → StatementFacts: classification (kinds.ts), the walker's tables, columns,
// functions and flags (walk.ts), result-column lineage for statements that return rows, and the
// fingerprint. Pure. shapeFacts computes everything but the statement's own text and fingerprint,
// which is what statements of the same shape share (facts-cache.ts).

import type { CatalogSnapshot, RoutineName, StatementFacts } from './types.js';
import { classify } from './kinds.js';
import { toOutputFacts, type Col } from './lineage.js';
import { fingerprint } from './fingerprint.js';
import { asFields, asList, asNode, asString, type Node } from './tree.js';
import { Collector, sortedColumns, sortedUses } from './collector.js';
import { Walker } from './walk.js';

// Wrappers whose inner statement decides has_where (EXPLAIN DELETE …, PREPARE p AS UPDATE …).
const WRAPPERS = new Set(['ExplainStmt', 'PrepareStmt', 'DeclareCursorStmt', 'CreateTableAsStmt', 'CopyStmt']);

/** ShapeFacts are a statement's facts without its text and fingerprint, and whether they depend on a literal's value. */
export type ShapeFacts = {
  readonly facts: Omit<StatementFacts, 'text' | 'fingerprint'>;
  readonly literalsRead: boolean;
};

/** statementFacts computes the facts of one statement node; `text` is its own SQL. */
export function statementFacts(node: Node, text: string, defaultSchema: string, catalog?: CatalogSnapshot): StatementFacts {
  return withIdentity(shapeFacts(node, defaultSchema, catalog).facts, text, fingerprint({ [node.type]: node.fields }));
}

/** withIdentity completes shape facts with one statement's text and fingerprint (the same key order as ever). */
export function withIdentity(f: ShapeFacts['facts'], text: string, fingerprint: string): StatementFacts {
  return {
    kind: f.kind,
    command: f.command,
    text,
    tables: f.tables,
    columns: f.columns,
    functions: f.functions,
    calls: f.calls,
    operators: f.operators,
    flags: f.flags,
    parameters: f.parameters,
    fingerprint,
    ...(f.prepared !== undefined ? { prepared: f.prepared } : {}),
    ...(f.output !== undefined ? { output: f.output } : {}),
  };
}

/** shapeFacts computes a statement's facts apart from its text and fingerprint. */
export function shapeFacts(node: Node, defaultSchema: string, catalog?: CatalogSnapshot): ShapeFacts {
  const c = classify(node);
  const out = new Collector(defaultSchema, catalog);
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
  const prepared = preparedOf(node);
  const tables = {
    read: [...out.tablesRead].sort(),
    written: [...out.tablesWritten].sort(),
  };
  const facts = {
    kind: c.kind,
    command: c.command,
    tables,
    columns: {
      read: sortedColumns(out.columnsRead),
      written: sortedColumns(out.columnsWritten),
      uses: sortedUses(out.uses),
    },
    functions: [...out.functions].sort(),
    calls: sortedNames(out.calls.values()),
    operators: sortedNames(out.operators.values()),
    flags: {
      ddl: c.ddl,
      destructive: c.destructive,
      cascade: c.cascade,
      ...out.flags,
      set_role: out.flags.set_role || c.kind === 'set_role',
      session_authorization: out.flags.session_authorization || c.kind === 'set_session_authorization',
      dynamic_sql: out.flags.dynamic_sql || c.kind === 'do',
      has_where: hasWhere(node),
    },
    parameters: out.parameters,
    ...(prepared !== undefined ? { prepared } : {}),
    ...(output !== undefined ? { output: toOutputFacts(output) } : {}),
  };
  return { facts, literalsRead: out.literalsRead };
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

/** sortedNames sorts routine names by schema, then name. */
function sortedNames(names: Iterable<RoutineName>): RoutineName[] {
  return [...names].sort((a, b) => (a.schema < b.schema ? -1 : a.schema > b.schema ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** preparedOf reads PREPARE / EXECUTE / DEALLOCATE's statement name (and for PREPARE the wrapped statement's kind). */
function preparedOf(node: Node): StatementFacts['prepared'] {
  const name = asString(node.fields['name']);
  switch (node.type) {
    case 'PrepareStmt': {
      const inner = asNode(node.fields['query']);
      if (name === undefined || inner === undefined) return undefined;
      const c = classify(inner);
      return { op: 'prepare', name, kind: c.kind, command: c.command };
    }
    case 'ExecuteStmt':
      return name === undefined ? undefined : { op: 'execute', name };
    case 'DeallocateStmt':
      return { op: 'deallocate', name: node.fields['isall'] === true || name === undefined ? '*' : name };
    default:
      return undefined;
  }
}
