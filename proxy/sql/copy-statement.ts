// A COPY statement's target and options, read from its text with PostgreSQL's parser: the table
// (and column list) or query it copies, and its WITH options as written. The masking plan of a
// `COPY … TO STDOUT` needs them (proxy/gate); this folder stays the sole owner of libpg-query.

import { parseSync } from 'libpg-query';

/** CopyTarget is what a COPY statement copies: a table (optionally a column list) or a query. */
export type CopyTarget =
  | { readonly kind: 'table'; readonly schema: string | undefined; readonly table: string; readonly columns: readonly string[] | undefined }
  | { readonly kind: 'query' };

/** CopyOptionValue is an option's value as written (`true` for a bare option such as `HEADER`). */
export type CopyOptionValue = string | true;

/** CopyStatement is a COPY's target and its options by lower-case name. */
export type CopyStatement = { readonly target: CopyTarget; readonly options: ReadonlyMap<string, CopyOptionValue> };

/** readCopyStatement reads a COPY statement's target and options from its text; undefined when it is not one COPY. */
export function readCopyStatement(text: string): CopyStatement | undefined {
  let tree: unknown;
  try {
    tree = parseSync(text);
  } catch {
    return undefined;
  }
  const stmts = get(tree, 'stmts');
  if (!Array.isArray(stmts) || stmts.length !== 1) return undefined;
  const copy = get(get(stmts[0], 'stmt'), 'CopyStmt');
  if (copy === undefined) return undefined;
  const relation = get(copy, 'relation');
  let target: CopyTarget = { kind: 'query' };
  if (relation !== undefined) {
    const attlist = get(copy, 'attlist');
    const schema = get(relation, 'schemaname');
    target = {
      kind: 'table',
      schema: typeof schema === 'string' ? schema : undefined,
      table: String(get(relation, 'relname')),
      columns: Array.isArray(attlist) ? attlist.map((a) => String(get(get(a, 'String'), 'sval'))) : undefined,
    };
  }
  const options = new Map<string, CopyOptionValue>();
  const list = get(copy, 'options');
  for (const o of Array.isArray(list) ? list : []) {
    const def = get(o, 'DefElem');
    const name = get(def, 'defname');
    if (typeof name !== 'string') continue;
    options.set(name, optionValue(get(def, 'arg')));
  }
  return { target, options };
}

function optionValue(arg: unknown): CopyOptionValue {
  if (arg === undefined) return true;
  const s = get(get(arg, 'String'), 'sval');
  if (typeof s === 'string') return s;
  const b = get(arg, 'Boolean');
  if (b !== undefined) return get(b, 'boolval') === true ? 'true' : 'false';
  const i = get(get(arg, 'Integer'), 'ival');
  if (typeof i === 'number') return String(i);
  if (get(arg, 'Integer') !== undefined) return '0';
  return true;
}

function get(v: unknown, key: string): unknown {
  return typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[key] : undefined;
}
