// Unit tests of result masking: which outputs are denied before forwarding (masked columns inside
// expressions or whole rows) and how DataRow values are rewritten (text, NULL, binary formats).

import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkOutputMasks, rewriteDataRow } from '../../../proxy/actions/index.js';
import type { OutputLineage, ResultMaskPlan } from '../../../proxy/actions/index.js';
import type { Mask } from '../../../proxy/decision/index.js';

const T = 'public.customers';
const email = { table: T, column: 'email' };
const masks: Mask[] = [{ ...email, kind: 'partial', keep: 4 }];

describe('checkOutputMasks', () => {
  const col = (extra: Partial<OutputLineage['columns'][number]>): OutputLineage['columns'][number] => ({
    position: 1,
    name: 'x',
    derived: [],
    ...extra,
  });
  it.each([
    { note: 'a direct column', output: { columns: [col({ source: email })], wholeRow: false }, error: undefined },
    { note: 'a star', output: { columns: [col({ star: { table: T } })], wholeRow: false }, error: undefined },
    { note: 'no output', output: undefined, error: undefined },
    {
      note: 'an expression over a masked column',
      output: { columns: [col({ derived: [email] })], wholeRow: false },
      error: `column ${T}.email is masked and cannot be returned inside an expression`,
    },
    {
      note: 'an expression over an unqualified masked column',
      output: { columns: [col({ derived: [{ table: '', column: 'email' }] })], wholeRow: false },
      error: `column ${T}.email is masked and cannot be returned inside an expression`,
    },
    {
      note: 'an expression over another column',
      output: { columns: [col({ derived: [{ table: T, column: 'name' }] })], wholeRow: false },
      error: undefined,
    },
    {
      note: 'an expression over a column renamed by an alias list (which column is unknown)',
      output: { columns: [col({ derived: [{ table: T, column: '' }] })], wholeRow: false },
      error: `column ${T}.email is masked and cannot be returned inside an expression`,
    },
    {
      note: 'an expression over a renamed column of a table without masks',
      output: { columns: [col({ derived: [{ table: 'public.orders', column: '' }] })], wholeRow: false },
      error: undefined,
    },
    {
      note: 'a whole row of the masked table',
      output: { columns: [col({})], wholeRow: true },
      error: `column ${T}.email is masked and cannot be returned inside a whole-row value`,
    },
  ])('$note', ({ output, error }) => {
    const err = checkOutputMasks(output, [T], masks);
    if (error === undefined) expect(err).toBeUndefined();
    else
      expect(err).toMatchObject({
        code: 'ERR_PROXY_MASKED_EXPRESSION',
        sqlstate: '42501',
        message: error,
        detail: 'rule: portcullis.masking',
      });
  });

  it('allows a whole row of a table without masks', () => {
    expect(checkOutputMasks({ columns: [], wholeRow: true }, ['public.orders'], masks)).toBeUndefined();
  });

  it('allows anything when nothing is masked', () => {
    expect(checkOutputMasks({ columns: [col({ derived: [email] })], wholeRow: true }, [T], [])).toBeUndefined();
  });
});

describe('rewriteDataRow', () => {
  const plan = (mask: Mask, format: 0 | 1 = 0, typeOid = 25): ResultMaskPlan => ({
    columns: [{ index: 1, column: email, mask, format, typeOid }],
  });
  const b = (s: string) => Buffer.from(s);
  it.each([
    { note: 'partial in text', values: [b('1'), b('ada@example.com')], plan: plan(masks[0] as Mask), out: [b('1'), '***********.com'] },
    { note: 'NULL stays NULL', values: [b('1'), null], plan: plan({ ...email, kind: 'redact' }), out: [b('1'), null] },
    { note: 'multibyte text', values: [b('1'), b('ÄÖÜß')], plan: plan({ ...email, kind: 'partial', keep: 1 }), out: [b('1'), '***ß'] },
    {
      note: 'null kind in binary for any type',
      values: [b('1'), Buffer.from([0, 0, 0, 7])],
      plan: plan({ ...email, kind: 'null' }, 1, 23),
      out: [b('1'), null],
    },
    {
      note: 'redact in binary for text',
      values: [b('1'), b('secret')],
      plan: plan({ ...email, kind: 'redact' }, 1, 25),
      out: [b('1'), b('****')],
    },
    { note: 'a missing column index', values: [b('1')], plan: plan({ ...email, kind: 'redact' }), out: [b('1')] },
    {
      note: 'hash without a key: SHA-256',
      values: [b('1'), b('ada@example.com')],
      plan: plan({ ...email, kind: 'hash' }),
      out: [b('1'), createHash('sha256').update('ada@example.com').digest('hex').slice(0, 16)],
    },
    {
      note: 'hash with the configured key: HMAC-SHA256',
      values: [b('1'), b('ada@example.com')],
      plan: { ...plan({ ...email, kind: 'hash' }), hashKey: 'k'.repeat(32) },
      out: [b('1'), createHmac('sha256', 'k'.repeat(32)).update('ada@example.com').digest('hex').slice(0, 16)],
    },
  ])('rewrites $note', ({ values, plan, out }) => {
    expect(rewriteDataRow(values, plan)).toEqual({ ok: true, values: out });
  });

  it('refuses a binary value of a type it cannot mask', () => {
    const r = rewriteDataRow([b('1'), Buffer.from([0, 0, 0, 7])], plan({ ...email, kind: 'redact' }, 1, 23));
    expect(r).toMatchObject({
      ok: false,
      error: { code: 'ERR_PROXY_MASKED_BINARY', message: `column ${T}.email is masked and cannot be returned in binary format` },
    });
  });

  it('keeps unmasked values byte-exact', () => {
    const raw = Buffer.from([0xff, 0x00, 0x41]);
    const r = rewriteDataRow([raw, b('x')], plan({ ...email, kind: 'redact' }));
    expect(r.ok && r.values[0]).toBe(raw);
  });
});
