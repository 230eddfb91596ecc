// COPY in both directions. Out (`COPY … TO STDOUT`): before forwarding, plan the masks of the
// COPY's columns (from its column list, the catalog for `COPY t TO`, or the query's lineage) and
// its text/CSV options; binary COPY of a masked column is denied. In (`COPY … FROM STDIN`): relay
// the client's CopyData/CopyDone/CopyFail to the upstream once the statement was allowed.

import { parseSync } from 'libpg-query';
import { encodeFrontend } from '../wire/index.js';
import { COPY_CSV_DEFAULTS, COPY_TEXT_DEFAULTS, MaskedBinaryError, MaskUnboundError, columnLabel, findMask } from '../actions/index.js';
import type { CopyColumnMask, CopyFormat, CopyMaskPlan } from '../actions/index.js';
import type { Mask, PolicyColumnRef } from '../decision/index.js';
import type { StatementFacts } from '../sql/index.js';
import type { Cycle } from './cycle-state.js';
import type { CatalogResolver } from './types.js';

/** CopyTarget is what a COPY statement copies: a table (optionally a column list) or a query. */
export type CopyTarget =
  | { readonly kind: 'table'; readonly schema: string | undefined; readonly table: string; readonly columns: readonly string[] | undefined }
  | { readonly kind: 'query' };

/** CopyStatement is the part of a COPY statement the rewriter needs. */
export type CopyStatement = { readonly target: CopyTarget; readonly format: CopyFormat };

/** CopyPlanResult is the plan for a COPY TO STDOUT (undefined: nothing to mask), or why it is denied. */
export type CopyPlanResult =
  | { readonly ok: true; readonly plan: CopyMaskPlan | undefined }
  | { readonly ok: false; readonly error: MaskedBinaryError | MaskUnboundError };

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
  const options = new Map<string, string | true>();
  const list = get(copy, 'options');
  for (const o of Array.isArray(list) ? list : []) {
    const def = get(o, 'DefElem');
    const name = get(def, 'defname');
    if (typeof name !== 'string') continue;
    options.set(name, optionValue(get(def, 'arg')));
  }
  const format = options.get('format');
  const str = (k: string, d: string): string => {
    const v = options.get(k);
    return typeof v === 'string' ? v : d;
  };
  const header = options.has('header') && !['false', 'off', '0'].includes(String(options.get('header')).toLowerCase());
  if (format === 'binary') return { target, format: { kind: 'binary' } };
  if (format === 'csv') {
    const quote = str('quote', COPY_CSV_DEFAULTS.quote);
    return {
      target,
      format: { kind: 'csv', delimiter: str('delimiter', ','), null: str('null', ''), quote, escape: str('escape', quote), header },
    };
  }
  return { target, format: { kind: 'text', delimiter: str('delimiter', COPY_TEXT_DEFAULTS.delimiter), null: str('null', COPY_TEXT_DEFAULTS.null), header } };
}

/**
 * planCopyOut plans the masks of a `COPY … TO STDOUT`. No mask on a table the statement reads:
 * nothing to do. Otherwise the columns must be known (column list, catalog, or lineage without
 * an unresolvable `*`), and a masked column in binary format is denied.
 */
export async function planCopyOut(facts: StatementFacts, masks: readonly Mask[], catalog: CatalogResolver): Promise<CopyPlanResult> {
  if (!facts.flags.copy_to_stdout) return { ok: true, plan: undefined };
  const touched = [...facts.tables.read, ...facts.tables.written];
  const relevant = masks.filter((m) => touched.includes(m.table));
  if (relevant.length === 0) return { ok: true, plan: undefined };
  const stmt = readCopyStatement(facts.text);
  if (stmt === undefined) return { ok: false, error: new MaskUnboundError('the COPY statement could not be read') };
  let columns: readonly (PolicyColumnRef | undefined)[];
  try {
    const c = await copyColumns(stmt.target, facts, catalog);
    if (typeof c === 'string') return { ok: false, error: new MaskUnboundError(c) };
    columns = c;
  } catch (err) {
    return { ok: false, error: new MaskUnboundError(`catalog lookup failed: ${err instanceof Error ? err.message : String(err)}`) };
  }
  const planned: CopyColumnMask[] = [];
  for (const [index, column] of columns.entries()) {
    const mask = column !== undefined ? findMask(relevant, column) : undefined;
    if (column !== undefined && mask !== undefined) planned.push({ index, column, mask });
  }
  if (planned.length === 0) return { ok: true, plan: undefined };
  if (stmt.format.kind === 'binary') return { ok: false, error: new MaskedBinaryError(columnLabel((planned[0] as CopyColumnMask).column)) };
  return { ok: true, plan: { format: stmt.format, columns: planned } };
}

/** copyColumns lists the source column of each COPY output column (undefined: computed, not a masked source), or why it cannot. */
async function copyColumns(
  target: CopyTarget,
  facts: StatementFacts,
  catalog: CatalogResolver,
): Promise<readonly (PolicyColumnRef | undefined)[] | string> {
  if (target.kind === 'table') {
    const table = facts.tables.read[0] ?? `${target.schema ?? 'public'}.${target.table}`;
    const names = target.columns ?? (await catalog.columnsOf(table));
    if (names === undefined) return `the columns of ${table} are unknown`;
    return names.map((column) => ({ table, column }));
  }
  const lineage = facts.output;
  if (lineage === undefined) return 'the COPY query has no result-column lineage';
  const out: (PolicyColumnRef | undefined)[] = [];
  for (const col of lineage.columns) {
    if (col.star !== undefined) {
      const table = col.star.table ?? (facts.tables.read.length === 1 ? facts.tables.read[0] : undefined);
      const names = table !== undefined ? await catalog.columnsOf(table) : undefined;
      if (table === undefined || names === undefined) return 'a `*` in the COPY query cannot be expanded';
      out.push(...names.map((column) => ({ table, column })));
    } else {
      out.push(col.source);
    }
  }
  return out;
}

/**
 * pumpCopyIn relays the client's COPY data to the upstream until CopyDone or CopyFail; Flush and
 * Sync are passed along (the server ignores them during COPY). Any other message aborts the COPY
 * with CopyFail and is kept for the main loop. Returns false when the client went away.
 */
export async function pumpCopyIn(cycle: Cycle): Promise<boolean> {
  for (;;) {
    const frame = await cycle.client.next();
    if (frame === undefined) {
      cycle.ctx.upstream.write(encodeFrontend({ kind: 'copyFail', message: 'portcullis: client disconnected during COPY' }));
      return false;
    }
    if (frame.kind === 'tagged' && 'dcfHS'.includes(frame.tag)) {
      cycle.ctx.upstream.write(frame.raw);
      if (frame.tag === 'c' || frame.tag === 'f') return true;
      continue;
    }
    cycle.ctx.upstream.write(encodeFrontend({ kind: 'copyFail', message: 'portcullis: unexpected message during COPY FROM STDIN' }));
    cycle.client.pushBack(frame);
    return true;
  }
}

function optionValue(arg: unknown): string | true {
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
