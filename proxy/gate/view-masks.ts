// Masks through views: PostgreSQL names a view's column in RowDescription by the view's OID, not
// the table the value comes from, so a mask on `customers.email` must also bind to every view
// column whose values are that column. A view column computed from a masked column is masked in
// full (redact): the gate never lets a masked value through a view in a form it cannot rewrite.

import type { Mask } from '../decision/index.js';
import { findMask } from '../actions/index.js';
import type { ViewColumn } from '../resolve/index.js';

/** masksThroughViews adds, for each view column carrying a masked column, a mask on the view column. */
export function masksThroughViews(masks: readonly Mask[], views: readonly ViewColumn[]): readonly Mask[] {
  if (masks.length === 0 || views.length === 0) return masks;
  const added: Mask[] = [];
  for (const v of views) {
    const direct = v.source !== undefined ? findMask(masks, v.source) : undefined;
    if (direct !== undefined) {
      added.push({ ...direct, table: v.view, column: v.column });
      continue;
    }
    if (v.derived.some((c) => findMask(masks, c) !== undefined)) added.push({ table: v.view, column: v.column, kind: 'redact' });
  }
  return added.length === 0 ? masks : [...masks, ...added];
}
