// Checks that a statement's result can be masked as the decision asks, before anything is
// forwarded: a masked column inside an expression, or in a binary result format the masks
// cannot rewrite, refuses the statement (fail closed).

import { MaskedBinaryError, columnLabel, findMask } from '../actions/index.js';
import type { Mask } from '../decision/index.js';
import type { StatementFacts } from '../sql/index.js';
import type { FormatCode } from '../wire/index.js';

/** formatOf returns the format code of column/parameter i under PostgreSQL's 0/1/n rule. */
export function formatOf(formats: readonly FormatCode[], i: number): FormatCode {
  if (formats.length === 0) return 0;
  if (formats.length === 1) return formats[0] as FormatCode;
  return formats[i] ?? 0;
}

/**
 * checkBinaryResults refuses, before a statement with effects runs, binary result formats for
 * columns that may carry a masked value (masks other than `null` apply in binary only to
 * text-like types, and the types are known only once the statement ran). A read needs no such
 * check here: its columns are bound when their RowDescription arrives (text-like types masked in
 * binary, others refused) before any row reaches the client. With a `*` in the target list the
 * positions are unknown, so any binary column of a writing statement is refused while such masks apply.
 */
export function checkBinaryResults(
  facts: StatementFacts,
  touched: readonly string[],
  masks: readonly Mask[],
  formats: readonly FormatCode[],
): MaskedBinaryError | undefined {
  if (!formats.includes(1) || facts.output === undefined) return undefined;
  if (facts.tables.written.length === 0 && !facts.flags.data_modifying_cte) return undefined;
  const relevant = masks.filter((m) => m.kind !== 'null' && touched.includes(m.table));
  const first = relevant[0];
  if (first === undefined) return undefined;
  const columns = facts.output.columns;
  if (columns.some((c) => c.star !== undefined)) return new MaskedBinaryError(columnLabel(first));
  for (const [i, c] of columns.entries()) {
    if (c.source !== undefined && findMask(relevant, c.source) !== undefined && formatOf(formats, i) === 1) {
      return new MaskedBinaryError(columnLabel(c.source));
    }
  }
  return undefined;
}
