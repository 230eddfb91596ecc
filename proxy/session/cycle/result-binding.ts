// Binding result columns to source columns for masking: each RowDescription field's (table OID,
// attribute number) is resolved through the catalog, so aliases and `SELECT *` bind to the column
// they come from; the statement's lineage (from the parse tree) backs it up by position. Output: a
// ResultMaskPlan for the DataRows that follow, or the error that refuses them (fail closed).

import { canMaskBinary, columnLabel, findMask, MaskedBinaryError, MaskUnboundError, NO_MASKS } from '../../actions/index.js';
import type { ColumnMask, OutputLineage, ResultMaskPlan } from '../../actions/index.js';
import type { Mask, MaskKind } from '../../decision/index.js';
import type { FieldDescription } from '../../wire/index.js';
import type { CatalogResolver, ColumnName } from '../../catalog/index.js';
import { messageOf } from '../../errors.js';

/** BindingResult is a result set's mask plan, or why its rows must not reach the client. */
export type BindingResult =
  | { readonly ok: true; readonly plan: ResultMaskPlan }
  | { readonly ok: false; readonly error: MaskedBinaryError | MaskUnboundError };

const STRENGTH: Readonly<Record<MaskKind, number>> = { partial: 0, hash: 1, redact: 2, null: 3 };

/**
 * bindResultColumns plans the masks of one result set. A field is masked when its source column
 * (resolved from tableOID/columnAttr) is masked, or when the statement's lineage names a masked
 * source at the same position (only when the target list has no `*`, so positions line up).
 * A non-zero table OID the catalog cannot resolve is refused while masks apply; a masked field in
 * binary format is refused unless its type can be masked in binary.
 */
export async function bindResultColumns(
  fields: readonly FieldDescription[],
  masks: readonly Mask[],
  catalog: CatalogResolver,
  lineage?: OutputLineage | null,
  hashKey?: string,
): Promise<BindingResult> {
  if (masks.length === 0) return { ok: true, plan: NO_MASKS };
  const positional =
    lineage !== undefined &&
    lineage !== null &&
    lineage.columns.length === fields.length &&
    lineage.columns.every((c) => c.star === undefined);
  const columns: ColumnMask[] = [];
  for (const [index, field] of fields.entries()) {
    let found: { column: { table: string; column: string }; mask: Mask } | undefined;
    if (field.tableOID !== 0) {
      let source: ColumnName | undefined;
      try {
        source = await catalog.resolveColumn(field.tableOID, field.columnAttr);
      } catch (err) {
        return { ok: false, error: new MaskUnboundError(`catalog lookup failed for column "${field.name}": ${messageOf(err)}`) };
      }
      if (source === undefined)
        return { ok: false, error: new MaskUnboundError(`column "${field.name}" comes from an unknown table (oid ${field.tableOID})`) };
      const mask = findMask(masks, source);
      if (mask !== undefined) found = { column: source, mask };
    }
    if (positional) {
      const src = lineage.columns[index]?.source;
      const mask = src !== undefined ? findMask(masks, src) : undefined;
      if (src !== undefined && mask !== undefined && (found === undefined || STRENGTH[mask.kind] > STRENGTH[found.mask.kind])) {
        found = { column: src, mask };
      }
    }
    if (found === undefined) continue;
    if (field.format === 1 && !canMaskBinary(found.mask.kind, field.dataTypeOID)) {
      return { ok: false, error: new MaskedBinaryError(columnLabel(found.column)) };
    }
    columns.push({ index, column: found.column, mask: found.mask, format: field.format, typeOid: field.dataTypeOID });
  }
  return { ok: true, plan: columns.length === 0 ? NO_MASKS : { columns, ...(hashKey !== undefined ? { hashKey } : {}) } };
}
