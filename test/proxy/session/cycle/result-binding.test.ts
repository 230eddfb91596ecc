// Unit tests of binding RowDescription fields to source columns: through the catalog (aliases,
// `*`), by the statement's lineage when the catalog cannot (no table OID), and the refusals
// (unknown table OID, failing catalog, binary format) that keep masking fail-closed.

import { describe, expect, it } from 'vitest';
import { bindResultColumns } from '../../../../proxy/session/cycle/result-binding.js';
import type { CatalogResolver, ColumnName } from '../../../../proxy/catalog/index.js';
import type { FieldDescription } from '../../../../proxy/wire/index.js';
import type { Mask } from '../../../../proxy/decision/index.js';
import type { OutputLineage } from '../../../../proxy/actions/index.js';

const CUSTOMERS = 16_400;
const ORDERS = 16_500;
const columns: Record<number, readonly string[]> = {
  [CUSTOMERS]: ['id', 'name', 'email', 'card_number'],
  [ORDERS]: ['id', 'customer_id', 'amount'],
};
const names: Record<number, string> = { [CUSTOMERS]: 'public.customers', [ORDERS]: 'public.orders' };

/** catalog is an in-memory CatalogResolver over two tables. */
const catalog: CatalogResolver = {
  async resolveColumn(oid, attnum): Promise<ColumnName | undefined> {
    const table = names[oid];
    const column = columns[oid]?.[attnum - 1];
    return table !== undefined && column !== undefined ? { table, column } : undefined;
  },
  async columnsOf() {
    return undefined;
  },
  invalidate() {},
};

const field = (name: string, tableOID: number, columnAttr: number, extra: Partial<FieldDescription> = {}): FieldDescription => ({
  name,
  tableOID,
  columnAttr,
  dataTypeOID: 25,
  dataTypeSize: -1,
  typeModifier: -1,
  format: 0,
  ...extra,
});
const email: Mask = { table: 'public.customers', column: 'email', kind: 'partial', keep: 4 };
const card: Mask = { table: 'public.customers', column: 'card_number', kind: 'redact' };

describe('bindResultColumns', () => {
  it.each([
    { note: 'an alias', fields: [field('contact', CUSTOMERS, 3)], masks: [email], bound: [[0, 'email']] },
    {
      note: 'SELECT * (every column by attnum)',
      fields: [field('id', CUSTOMERS, 1), field('name', CUSTOMERS, 2), field('email', CUSTOMERS, 3), field('card_number', CUSTOMERS, 4)],
      masks: [email, card],
      bound: [
        [2, 'email'],
        [3, 'card_number'],
      ],
    },
    { note: 'a same-named column of another table', fields: [field('email', ORDERS, 3)], masks: [email], bound: [] },
    { note: 'a computed column', fields: [field('?column?', 0, 0)], masks: [email], bound: [] },
    { note: 'no masks (no catalog lookup at all)', fields: [field('x', 999, 1)], masks: [], bound: [] },
  ])('binds $note', async ({ fields, masks, bound }) => {
    const r = await bindResultColumns(fields, masks, catalog);
    expect(r.ok).toBe(true);
    expect(r.ok && r.plan.columns.map((c) => [c.index, c.column.column])).toEqual(bound);
  });

  it('binds by lineage position when the field has no table OID', async () => {
    const lineage: OutputLineage = {
      columns: [{ position: 1, name: 'e', source: { table: 'public.customers', column: 'email' }, derived: [] }],
      wholeRow: false,
    };
    const r = await bindResultColumns([field('e', 0, 0)], [email], catalog, lineage);
    expect(r.ok && r.plan.columns).toEqual([
      { index: 0, column: { table: 'public.customers', column: 'email' }, mask: email, format: 0, typeOid: 25 },
    ]);
  });

  it('does not bind by position when the target list has a star', async () => {
    const lineage: OutputLineage = { columns: [{ position: 1, name: '*', star: {}, derived: [] }], wholeRow: false };
    const r = await bindResultColumns([field('e', 0, 0)], [email], catalog, lineage);
    expect(r.ok && r.plan.columns).toEqual([]);
  });

  it.each([
    { note: 'an unknown table OID', fields: [field('x', 999, 1)], catalog, code: 'ERR_PROXY_MASK_UNBOUND' },
    {
      note: 'a failing catalog',
      fields: [field('x', CUSTOMERS, 1)],
      catalog: { ...catalog, resolveColumn: () => Promise.reject(new Error('connection lost')) },
      code: 'ERR_PROXY_MASK_UNBOUND',
    },
    {
      note: 'a masked int in binary',
      fields: [field('email', CUSTOMERS, 3, { format: 1, dataTypeOID: 23 })],
      catalog,
      code: 'ERR_PROXY_MASKED_BINARY',
    },
  ])('refuses $note', async ({ fields, catalog: c, code }) => {
    const r = await bindResultColumns(fields, [email], c);
    expect(r).toMatchObject({ ok: false, error: { code, sqlstate: '42501' } });
  });

  it('accepts a masked text column in binary format (its bytes are text)', async () => {
    const r = await bindResultColumns([field('email', CUSTOMERS, 3, { format: 1 })], [email], catalog);
    expect(r.ok && r.plan.columns.map((c) => c.format)).toEqual([1]);
  });
});
