// maskDataRowInPlace, the DataRow masking fast path: whenever it masks, the frame's bytes become
// exactly those rewriteDataRow's values encode to; it declines (false, the frame untouched) for
// anything but text-format `partial` masks over ASCII values, so those rows take the general path.

import { describe, expect, it } from 'vitest';
import { maskDataRowInPlace, rewriteDataRow } from '../../../proxy/actions/index.js';
import type { ColumnMask, ResultMaskPlan } from '../../../proxy/actions/index.js';
import type { Mask } from '../../../proxy/decision/index.js';
import { encodeBackend } from '../../../proxy/wire/index.js';

const col = (index: number, mask: Partial<Mask> = {}, format: 0 | 1 = 0): ColumnMask => ({
  index,
  column: { table: 'public.t', column: `c${index}` },
  mask: { table: 'public.t', column: `c${index}`, kind: 'partial', ...mask },
  format,
  typeOid: 25,
});
const frame = (values: (string | null)[]): Buffer =>
  encodeBackend({ kind: 'dataRow', values: values.map((v) => (v === null ? null : Buffer.from(v, 'utf8'))) });
const general = (values: (string | null)[], plan: ResultMaskPlan): Buffer => {
  const r = rewriteDataRow(
    values.map((v) => (v === null ? null : Buffer.from(v, 'utf8'))),
    plan,
  );
  if (!r.ok) throw r.error;
  return encodeBackend({ kind: 'dataRow', values: r.values });
};

describe('maskDataRowInPlace', () => {
  const cases: { note: string; values: (string | null)[]; columns: ColumnMask[]; fast: boolean }[] = [
    { note: 'a card number, last 4 kept', values: ['1', '4111111111111111', 'x'], columns: [col(1, { keep: 4 })], fast: true },
    { note: 'the default keep', values: ['ada@example.com'], columns: [col(0)], fast: true },
    {
      note: 'a value no longer than keep is masked whole',
      values: ['abc', 'abcd'],
      columns: [col(0, { keep: 4 }), col(1, { keep: 4 })],
      fast: true,
    },
    { note: 'keep 0', values: ['secret'], columns: [col(0, { keep: 0 })], fast: true },
    { note: 'an empty value', values: [''], columns: [col(0)], fast: true },
    { note: 'NULL stays NULL', values: [null, 'v'], columns: [col(0)], fast: true },
    {
      note: 'several masked columns, unordered',
      values: ['aaaaaa', 'b', 'cccccccc'],
      columns: [col(2, { keep: 2 }), col(0, { keep: 1 })],
      fast: true,
    },
    { note: 'a masked column past the row', values: ['aaaaaa'], columns: [col(3)], fast: true },
    { note: 'a non-ASCII value', values: ['José García'], columns: [col(0)], fast: false },
    { note: 'redact', values: ['secret'], columns: [col(0, { kind: 'redact' })], fast: false },
    { note: 'hash', values: ['secret'], columns: [col(0, { kind: 'hash' })], fast: false },
    { note: 'null kind', values: ['secret'], columns: [col(0, { kind: 'null' })], fast: false },
    { note: 'a binary-format column', values: ['secret'], columns: [col(0, {}, 1)], fast: false },
    { note: 'one fast column and one redact', values: ['aaaaaa', 'b'], columns: [col(0), col(1, { kind: 'redact' })], fast: false },
  ];
  it.each(cases)('$note', ({ values, columns, fast }) => {
    const plan: ResultMaskPlan = { columns };
    const raw = frame(values);
    const before = Buffer.from(raw);
    const masked = maskDataRowInPlace(raw, plan);
    expect(masked).toBe(fast);
    expect(raw).toEqual(fast ? general(values, plan) : before); // a declined row is untouched
  });

  it('agrees with the general path on random ASCII rows', () => {
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let t = 0; t < 500; t++) {
      const width = 1 + rnd(6);
      const values = Array.from({ length: width }, () =>
        rnd(5) === 0 ? null : Array.from({ length: rnd(20) }, () => String.fromCharCode(32 + rnd(95))).join(''),
      );
      const columns = Array.from({ length: 1 + rnd(width) }, (_, i) => col((i * 2 + rnd(2)) % (width + 1), { keep: rnd(6) }));
      const unique = [...new Map(columns.map((c) => [c.index, c])).values()];
      const plan = { columns: unique };
      const raw = frame(values);
      expect(maskDataRowInPlace(raw, plan)).toBe(true);
      expect(raw).toEqual(general(values, plan));
    }
  });

  it('declines a frame it does not understand', () => {
    expect(maskDataRowInPlace(Buffer.from([0x44, 0, 0, 0, 6, 0, 2, 0, 0]), { columns: [col(1)] })).toBe(false);
    expect(maskDataRowInPlace(Buffer.from([0x43, 0, 0, 0, 4]), { columns: [col(0)] })).toBe(false);
    // a non-ASCII value after an ASCII one: nothing is changed
    const raw = frame(['aaaaaa', 'é']);
    expect(maskDataRowInPlace(raw, { columns: [col(0), col(1)] })).toBe(false);
    expect(raw).toEqual(frame(['aaaaaa', 'é']));
  });
});
