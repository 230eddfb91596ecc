// COPY … TO STDOUT under masks: before the statement is forwarded, plan the masks of the COPY's
// columns (from its column list, the catalog for `COPY t TO`, or the query's lineage) and its
// text/CSV options. Binary COPY of a masked column is refused; so is a COPY whose columns cannot
// be known while a mask applies (fail closed).

import { COPY_CSV_DEFAULTS, COPY_TEXT_DEFAULTS, MaskedBinaryError, MaskUnboundError, columnLabel, findMask } from '../actions/index.js';
import type { CopyColumnMask, CopyFormat, CopyMaskPlan } from '../actions/index.js';
import type { CatalogResolver } from '../catalog/index.js';
import type { Mask, PolicyColumnRef } from '../decision/index.js';
import { readCopyStatement } from '../sql/index.js';
import type { CopyOptionValue, CopyTarget, StatementFacts } from '../sql/index.js';
import { messageOf } from '../errors.js';

/** CopyPlanResult is the plan for a COPY TO STDOUT (undefined: nothing to mask), or why it is refused. */
export type CopyPlanResult =
  | { readonly ok: true; readonly plan: CopyMaskPlan | undefined }
  | { readonly ok: false; readonly error: MaskedBinaryError | MaskUnboundError };

/**
 * planCopyOut plans the masks of a `COPY … TO STDOUT`. No mask on a table the statement reads:
 * nothing to do. Otherwise the columns must be known (column list, catalog, or lineage without
 * an unresolvable `*`), and a masked column in binary format is denied.
 */
export async function planCopyOut(
  facts: StatementFacts,
  masks: readonly Mask[],
  catalog: CatalogResolver,
  hashKey?: string,
): Promise<CopyPlanResult> {
  if (!facts.flags.copy_to_stdout) return { ok: true, plan: undefined };
  const touched = [...facts.tables.read, ...facts.tables.written];
  const relevant = masks.filter((m) => touched.includes(m.table));
  if (relevant.length === 0) return { ok: true, plan: undefined };
  const stmt = readCopyStatement(facts.text);
  if (stmt === undefined) return { ok: false, error: new MaskUnboundError('the COPY statement could not be read') };
  let columns: readonly (PolicyColumnRef | undefined)[];
  try {
    const c = await copyColumns(stmt.target, facts, catalog, relevant);
    if (typeof c === 'string') return { ok: false, error: new MaskUnboundError(c) };
    columns = c;
  } catch (err) {
    return { ok: false, error: new MaskUnboundError(`catalog lookup failed: ${messageOf(err)}`) };
  }
  const planned: CopyColumnMask[] = [];
  for (const [index, column] of columns.entries()) {
    const mask = column !== undefined ? findMask(relevant, column) : undefined;
    if (column !== undefined && mask !== undefined) planned.push({ index, column, mask });
  }
  if (planned.length === 0) return { ok: true, plan: undefined };
  // PostgreSQL writes a value equal to a custom NULL marker as the marker itself: the output
  // would answer "is the masked value equal to this guess?" (the default markers cannot collide)
  if (stmt.options.has('null')) {
    const first = planned[0] as CopyColumnMask;
    return { ok: false, error: new MaskUnboundError(`a NULL option would reveal which values of ${columnLabel(first.column)} equal it`) };
  }
  const format = copyFormatOf(stmt.options);
  if (format.kind === 'binary') return { ok: false, error: new MaskedBinaryError(columnLabel((planned[0] as CopyColumnMask).column)) };
  return { ok: true, plan: { format, columns: planned, ...(hashKey !== undefined ? { hashKey } : {}) } };
}

/** copyFormatOf reads a COPY's data format from its options, with PostgreSQL's defaults for what is not given. */
export function copyFormatOf(options: ReadonlyMap<string, CopyOptionValue>): CopyFormat {
  const format = options.get('format');
  const str = (k: string, d: string): string => {
    const v = options.get(k);
    return typeof v === 'string' ? v : d;
  };
  const header = options.has('header') && !['false', 'off', '0'].includes(String(options.get('header')).toLowerCase());
  if (format === 'binary') return { kind: 'binary' };
  if (format === 'csv') {
    const quote = str('quote', COPY_CSV_DEFAULTS.quote);
    return { kind: 'csv', delimiter: str('delimiter', ','), null: str('null', ''), quote, escape: str('escape', quote), header };
  }
  return { kind: 'text', delimiter: str('delimiter', COPY_TEXT_DEFAULTS.delimiter), null: str('null', COPY_TEXT_DEFAULTS.null), header };
}

/** copyColumns lists the source column of each COPY output column (undefined: computed, not a masked source), or why it cannot. */
async function copyColumns(
  target: CopyTarget,
  facts: StatementFacts,
  catalog: CatalogResolver,
  masks: readonly Mask[],
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
    if (col.source?.column === '' && masks.some((m) => m.table === col.source?.table)) {
      return `a column of ${col.source.table} renamed by an alias list cannot be bound in COPY`;
    }
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
