// Masks on result rows: which policy masks a statement's result columns carry (plan), the checks
// that deny a statement whose masked columns would reach the client in a form that cannot be
// rewritten (inside an expression, a whole-row value), and the DataRow rewrite itself.
// Pure: binding RowDescription fields to source columns happens in proxy/session.

import type { Mask, PolicyColumnRef } from '../decision/index.js';
import { decodeBackend, encodeBackend } from '../wire/index.js';
import type { FormatCode } from '../wire/index.js';
import { MASK_DEFAULTS, maskBinaryValue, maskValue } from './mask-values.js';
import type { MaskOptions } from './mask-values.js';
import { MaskedBinaryError, MaskedExpressionError } from './errors.js';

/** ColumnMask is the mask applied to one result column (0-based index into RowDescription / DataRow). */
export type ColumnMask = {
  readonly index: number;
  /** column is the masked source column the result column was bound to. */
  readonly column: PolicyColumnRef;
  readonly mask: Mask;
  readonly format: FormatCode;
  readonly typeOid: number;
};

/** ResultMaskPlan lists the masked columns of one result set; empty columns means rows pass through unchanged. */
export type ResultMaskPlan = {
  readonly columns: readonly ColumnMask[];
  /** hashKey makes `hash` masks an HMAC (config `masking.hash_key_*`); absent: plain SHA-256. */
  readonly hashKey?: string;
};

/** NO_MASKS is the plan of a result set without masked columns. */
export const NO_MASKS: ResultMaskPlan = Object.freeze({ columns: Object.freeze([]) });

/** OutputLineage is the part of a statement's facts that says where its result columns come from. */
export type OutputLineage = {
  readonly columns: readonly {
    readonly position: number;
    readonly name: string;
    readonly source?: PolicyColumnRef;
    readonly star?: { readonly table?: string };
    readonly derived: readonly PolicyColumnRef[];
  }[];
  readonly wholeRow: boolean;
};

/** RewriteResult is a rewritten row, or the error that refuses it (a masked value that cannot be rewritten). */
export type RewriteResult =
  | { readonly ok: true; readonly values: readonly (Buffer | string | null)[] }
  | { readonly ok: false; readonly error: MaskedBinaryError };

/** columnLabel renders a column as `schema.table.column` for messages. */
export function columnLabel(c: PolicyColumnRef): string {
  return c.table === '' ? c.column : `${c.table}.${c.column}`;
}

/** findMask returns the mask for a source column, if the decision masks it. */
export function findMask(masks: readonly Mask[], column: PolicyColumnRef): Mask | undefined {
  for (const m of masks) if (m.table === column.table && m.column === column.column) return m;
  return undefined;
}

/**
 * checkOutputMasks denies (returns the error) when a masked column reaches the result in a form
 * the session cannot rewrite: inside an expression, function, cast or subquery (`derived`), or
 * as part of a whole-row value (`row_to_json(t)`) of a table the statement touches that has a
 * masked column. undefined means every masked value the result carries can be bound and rewritten.
 */
export function checkOutputMasks(
  output: OutputLineage | null | undefined,
  tables: readonly string[],
  masks: readonly Mask[],
): MaskedExpressionError | undefined {
  if (masks.length === 0 || output === null || output === undefined) return undefined;
  for (const col of output.columns) {
    for (const d of col.derived) {
      if (findMask(masks, d) !== undefined) return new MaskedExpressionError(columnLabel(d), 'expression');
      // an unqualified derived column ('' table) may come from any table the statement reads
      if (d.table === '') {
        const m = masks.find((x) => x.column === d.column && tables.includes(x.table));
        if (m !== undefined) return new MaskedExpressionError(columnLabel(m), 'expression');
      }
      // a column renamed by an alias list (`FROM t AS x(a, b)`, '' column) may be any column of its table
      if (d.column === '') {
        const m = masks.find((x) => (d.table === '' ? tables.includes(x.table) : x.table === d.table));
        if (m !== undefined) return new MaskedExpressionError(columnLabel(m), 'expression');
      }
    }
  }
  if (output.wholeRow) {
    const m = masks.find((x) => tables.includes(x.table));
    if (m !== undefined) return new MaskedExpressionError(columnLabel(m), 'row');
  }
  return undefined;
}

/** maskOptionsOf turns a policy mask into maskValue options. */
export function maskOptionsOf(mask: Mask, hashKey?: string): MaskOptions {
  return { ...(mask.keep !== undefined ? { keep: mask.keep } : {}), ...(hashKey !== undefined ? { hashKey } : {}) };
}

/**
 * rewriteDataRow applies a plan to one DataRow's values: text-format values through maskValue,
 * binary ones through maskBinaryValue (refused when the type cannot be masked in binary). Values
 * of unmasked columns are kept byte-exact.
 */
export function rewriteDataRow(values: readonly (Buffer | null)[], plan: ResultMaskPlan): RewriteResult {
  const out: (Buffer | string | null)[] = values.slice();
  for (const c of plan.columns) {
    if (c.index >= values.length) continue;
    const value = values[c.index] ?? null;
    if (c.format === 1) {
      const r = maskBinaryValue(c.mask.kind, value, c.typeOid, maskOptionsOf(c.mask, plan.hashKey));
      if (!r.ok) return { ok: false, error: new MaskedBinaryError(columnLabel(c.column)) };
      out[c.index] = r.value === null ? null : Buffer.from(r.value);
    } else {
      out[c.index] = maskValue(c.mask.kind, value === null ? null : value.toString('utf8'), maskOptionsOf(c.mask, plan.hashKey));
    }
  }
  return { ok: true, values: out };
}

// where the values of one row start and how long they are (PostgreSQL returns at most 1,664 columns)
const starts = new Int32Array(2048);
const lengths = new Int32Array(2048);

/**
 * maskDataRowInPlace masks a DataRow frame (tag, length, values) where it lies, without decoding
 * it, when every masked column is a text-format `partial` mask and each value it masks is ASCII:
 * one byte per character, so the masked value is as long as the value and masking is setting the
 * hidden bytes to `*` (exactly what maskValue writes). Masked in place, the row stays a view of
 * the received chunk, so the rows of a chunk still leave in one write. It answers false, having
 * changed nothing, for anything else or a frame it does not understand: the caller then decodes,
 * masks and encodes the row (rewriteDataRow). The caller owns the frame: nothing else may read
 * its unmasked bytes afterwards.
 */
export function maskDataRowInPlace(raw: Uint8Array, plan: ResultMaskPlan): boolean {
  let last = -1;
  for (const c of plan.columns) {
    const keep = c.mask.keep ?? MASK_DEFAULTS.keep;
    if (c.format !== 0 || c.mask.kind !== 'partial' || !Number.isInteger(keep) || keep < 0) return false;
    if (c.index > last) last = c.index;
  }
  if (raw.length < 7 || raw[0] !== 0x44 || last >= starts.length) return false;
  const count = (raw[5] as number) * 256 + (raw[6] as number);
  let pos = 7;
  for (let i = 0; i < count && i <= last; i++) {
    if (pos + 4 > raw.length) return false;
    const len =
      ((raw[pos] as number) << 24) | ((raw[pos + 1] as number) << 16) | ((raw[pos + 2] as number) << 8) | (raw[pos + 3] as number);
    pos += 4;
    starts[i] = pos;
    lengths[i] = len;
    if (len > 0) pos += len;
    if (pos > raw.length) return false;
  }
  // every value is checked before any is changed: a declined row is untouched
  for (const c of plan.columns) {
    if (c.index >= count) continue;
    const start = starts[c.index] as number;
    const end = start + (lengths[c.index] as number);
    for (let i = start; i < end; i++) if ((raw[i] as number) >= 0x80) return false;
  }
  for (const c of plan.columns) {
    if (c.index >= count) continue;
    const len = lengths[c.index] as number;
    if (len < 0) continue; // NULL stays NULL
    const keep = c.mask.keep ?? MASK_DEFAULTS.keep;
    const start = starts[c.index] as number;
    // a loop: values are short, and Buffer#fill's argument checks cost more than the bytes
    for (let i = start, end = start + (len <= keep ? len : len - keep); i < end; i++) raw[i] = 0x2a;
  }
  return true;
}

/** MaskedRow is a masked DataRow's bytes (the frame itself when masked in place), or why it is refused. */
export type MaskedRow = { readonly ok: true; readonly bytes: Uint8Array } | { readonly ok: false; readonly error: MaskedBinaryError };

/**
 * maskDataRow masks one whole DataRow frame (validated) by its plan: in place when it can be
 * (maskDataRowInPlace), else decoded, rewritten (rewriteDataRow) and encoded again.
 */
export function maskDataRow(raw: Buffer, plan: ResultMaskPlan): MaskedRow {
  if (maskDataRowInPlace(raw, plan)) return { ok: true, bytes: raw };
  const msg = decodeBackend({ kind: 'tagged', code: raw[0] as number, tag: 'D', raw, payload: raw.subarray(5) });
  if (msg.kind !== 'dataRow') throw new TypeError('maskDataRow: the frame is not a DataRow');
  const r = rewriteDataRow(msg.values, plan);
  return r.ok ? { ok: true, bytes: encodeBackend({ kind: 'dataRow', values: r.values }) } : r;
}
