// Unit tests of COPY TO STDOUT rewriting: text-format fields and escapes (NULL `\N`, tabs,
// backslashes, octal/hex), CSV quoting, rows split across CopyData messages at every byte, and
// header rows left alone.

import { describe, expect, it } from 'vitest';
import {
  COPY_CSV_DEFAULTS,
  COPY_TEXT_DEFAULTS,
  CopyOutRewriter,
  decodeCopyText,
  decodeCsvField,
  encodeCopyText,
  encodeCsvField,
  rewriteCopyRow,
  splitCsvRow,
  splitTextRow,
} from '../../../proxy/actions/index.js';
import type { CopyCsvFormat, CopyMaskPlan } from '../../../proxy/actions/index.js';
import type { Mask } from '../../../proxy/decision/index.js';

const email = { table: 'public.customers', column: 'email' };
const redact: Mask = { ...email, kind: 'redact' };
const partial: Mask = { ...email, kind: 'partial', keep: 2 };
const nulled: Mask = { ...email, kind: 'null' };

describe('text format', () => {
  it.each([
    { note: 'plain fields', row: 'a\tb\tc', fields: ['a', 'b', 'c'] },
    { note: 'an escaped tab stays in its field', row: 'a\\tb\tc', fields: ['a\\tb', 'c'] },
    { note: 'an escaped delimiter', row: 'a\\\tb\tc', fields: ['a\\\tb', 'c'] },
    { note: 'an escaped backslash before the delimiter', row: 'a\\\\\tb', fields: ['a\\\\', 'b'] },
    { note: 'empty fields', row: '\t\t', fields: ['', '', ''] },
  ])('splits $note', ({ row, fields }) => {
    expect(splitTextRow(row, '\t')).toEqual(fields);
  });

  it.each([
    { note: 'no escapes', raw: 'abc', value: 'abc' },
    { note: 'control escapes', raw: '\\b\\f\\n\\r\\t\\v', value: '\b\f\n\r\t\v' },
    { note: 'a backslash', raw: 'a\\\\b', value: 'a\\b' },
    { note: 'octal', raw: '\\101\\7x', value: 'A\x07x' },
    { note: 'hex', raw: '\\x41\\x4', value: 'A\x04' },
    { note: 'any other escaped character', raw: '\\N\\.', value: 'N.' },
  ])('decodes $note', ({ raw, value }) => {
    expect(decodeCopyText(raw)).toBe(value);
  });

  it.each([
    { note: 'control characters', value: 'a\tb\nc\rd', raw: 'a\\tb\\nc\\rd' },
    { note: 'a backslash', value: 'a\\b', raw: 'a\\\\b' },
    { note: 'a text that looks like NULL', value: '\\N', raw: '\\\\N' },
    { note: 'a custom delimiter', value: 'a|b', raw: 'a\\|b', delimiter: '|' },
  ])('encodes $note and decodes it back', ({ value, raw, delimiter }) => {
    expect(encodeCopyText(value, delimiter ?? '\t')).toBe(raw);
    expect(decodeCopyText(raw)).toBe(value);
  });

  const plan = (mask: Mask, index = 1): CopyMaskPlan => ({ format: COPY_TEXT_DEFAULTS, columns: [{ index, column: email, mask }] });
  it.each([
    { note: 'redact', row: '1\tada@example.com\tx', mask: redact, out: '1\t****\tx' },
    { note: 'partial keeps escaped characters escaped', row: '1\tab\\tc\\\\\tx', mask: partial, out: '1\t***c\\\\\tx' },
    { note: 'partial can reveal an escaped tab', row: '1\tabc\\td\tx', mask: partial, out: '1\t***\\td\tx' },
    { note: 'NULL stays NULL', row: '1\t\\N\tx', mask: redact, out: '1\t\\N\tx' },
    { note: 'null kind writes NULL', row: '1\tada\tx', mask: nulled, out: '1\t\\N\tx' },
    { note: 'a value "\\N" (escaped) is a value', row: '1\t\\\\N\tx', mask: redact, out: '1\t****\tx' },
    { note: 'a missing column is ignored', row: '1', mask: redact, out: '1' },
  ])('rewrites a row: $note', ({ row, mask, out }) => {
    expect(rewriteCopyRow(row, plan(mask))).toBe(out);
  });

  it('honours a custom delimiter and NULL string', () => {
    const p: CopyMaskPlan = {
      format: { kind: 'text', delimiter: ',', null: 'NIL', header: false },
      columns: [{ index: 0, column: email, mask: nulled }],
    };
    expect(rewriteCopyRow('a\\,b,c', p)).toBe('NIL,c');
  });
});

describe('CSV format', () => {
  const f = COPY_CSV_DEFAULTS;
  const backslash: CopyCsvFormat = { ...f, escape: '\\' };
  it.each([
    { note: 'plain', row: 'a,b', format: f, values: ['a', 'b'] },
    { note: 'quoted with a delimiter and a newline', row: '"a,b","c\nd"', format: f, values: ['a,b', 'c\nd'] },
    { note: 'doubled quotes', row: '"say ""hi""",x', format: f, values: ['say "hi"', 'x'] },
    { note: 'unquoted empty is NULL, quoted empty is a value', row: ',""', format: f, values: [null, ''] },
    { note: 'a backslash escape', row: '"a\\"b",c', format: backslash, values: ['a"b', 'c'] },
  ])('splits and decodes $note', ({ row, format, values }) => {
    expect(splitCsvRow(row, format).map((x) => decodeCsvField(x, format))).toEqual(values);
  });

  it.each([
    { note: 'a plain value', value: 'abc', out: '"abc"', format: f },
    { note: 'a quote', value: 'a"b', out: '"a""b"', format: f },
    { note: 'NULL', value: null, out: '', format: f },
    { note: 'a backslash escape', value: 'a"b\\c', out: '"a\\"b\\\\c"', format: backslash },
  ])('encodes $note', ({ value, out, format }) => {
    expect(encodeCsvField(value, format)).toBe(out);
    expect(decodeCsvField(splitCsvRow(out, format)[0] as never, format)).toBe(value);
  });

  it.each([
    { note: 'a quoted field with a delimiter', row: '1,"a,b@x.io",z', out: '1,"****",z', mask: redact },
    { note: 'partial', row: '1,ada@x.io,z', out: '1,"******io",z', mask: partial },
    { note: 'NULL', row: '1,,z', out: '1,,z', mask: redact },
    { note: 'null kind', row: '1,"",z', out: '1,,z', mask: nulled },
  ])('rewrites a row: $note', ({ row, out, mask }) => {
    expect(rewriteCopyRow(row, { format: f, columns: [{ index: 1, column: email, mask }] })).toBe(out);
  });
});

describe('CopyOutRewriter', () => {
  const cases = [
    {
      note: 'text rows',
      plan: { format: COPY_TEXT_DEFAULTS, columns: [{ index: 1, column: email, mask: redact }] },
      input: '1\tada@example.com\n2\t\\N\n3\ta\\tb\n',
      output: '1\t****\n2\t\\N\n3\t****\n',
      rows: 3,
    },
    {
      note: 'CSV with a header and a quoted newline',
      plan: { format: { ...COPY_CSV_DEFAULTS, header: true }, columns: [{ index: 1, column: email, mask: partial }] },
      input: 'id,email\n1,"line1\nline2"\n2,€uro\n',
      output: 'id,email\n1,"*********e2"\n2,"**ro"\n',
      rows: 2,
    },
  ];

  it.each(cases)('rewrites $note in one message', ({ plan, input, output, rows }) => {
    const r = new CopyOutRewriter(plan);
    const a = r.push(Buffer.from(input));
    const b = r.end();
    expect(Buffer.concat([a.data, b.data]).toString()).toBe(output);
    expect(a.rows + b.rows).toBe(rows);
  });

  it.each(cases)('gives the same output for $note cut at every byte', ({ plan, input, output, rows }) => {
    const bytes = Buffer.from(input);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const r = new CopyOutRewriter(plan);
      const a = r.push(bytes.subarray(0, cut));
      const b = r.push(bytes.subarray(cut));
      const c = r.end();
      expect(Buffer.concat([a.data, b.data, c.data]).toString()).toBe(output);
      expect(a.rows + b.rows + c.rows).toBe(rows);
    }
  });

  it('rewrites a final row without a newline at end()', () => {
    const r = new CopyOutRewriter({ format: COPY_TEXT_DEFAULTS, columns: [{ index: 0, column: email, mask: redact }] });
    expect(r.push(Buffer.from('secret')).data.length).toBe(0);
    expect(r.end()).toEqual({ data: Buffer.from('****'), rows: 1 });
  });
});
