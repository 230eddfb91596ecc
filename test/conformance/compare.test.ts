import { describe, expect, it } from 'vitest';
import { canonicalJson, compareJson, errorMatches, extractRows, parseErrorText, sameRows, toJsonText } from './compare.js';
import type { ErrorExpectation, Json, Row } from './compare.js';

const rowCases: { note: string; want: Row[]; got: Row[]; sort?: boolean; equal: boolean }[] = [
  { note: 'identical rows', want: [{ x: 1 }], got: [{ x: 1 }], equal: true },
  { note: 'row order is ignored', want: [{ x: 1 }, { x: 2 }], got: [{ x: 2 }, { x: 1 }], equal: true },
  { note: 'different values differ', want: [{ x: 1 }], got: [{ x: 2 }], equal: false },
  { note: 'missing row differs', want: [{ x: 1 }, { x: 2 }], got: [{ x: 1 }], equal: false },
  { note: 'no rows vs one empty row differ', want: [], got: [{}], equal: false },
  { note: 'no rows equal no rows', want: [], got: [], equal: true },
  { note: '1 equals 1.0', want: [{ x: 1 }], got: [{ x: 1.0 }], equal: true },
  { note: 'bigint equals float of same value', want: [{ x: 9007199254740993n }], got: [{ x: 9007199254740992 }], equal: true },
  { note: 'bigint vs distant float differ', want: [{ x: 10n }], got: [{ x: 10.5 }], equal: false },
  { note: 'number is not the string of it', want: [{ x: 1 }], got: [{ x: '1' }], equal: false },
  { note: 'object key order is ignored', want: [{ x: { a: 1, b: [2] } }], got: [{ x: { b: [2], a: 1 } }], equal: true },
  { note: 'array order matters without sort_bindings', want: [{ x: [1, 2] }], got: [{ x: [2, 1] }], equal: false },
  { note: 'sort_bindings sorts top-level arrays', want: [{ x: [1, 2] }], got: [{ x: [2, 1] }], sort: true, equal: true },
  {
    note: 'sort_bindings uses Rego type order',
    want: [{ x: [null, false, 0, '', [], {}] }],
    got: [{ x: [{}, [], '', 0, false, null] }],
    sort: true,
    equal: true,
  },
  { note: 'sort_bindings does not sort nested arrays', want: [{ x: [[1, 2]] }], got: [{ x: [[2, 1]] }], sort: true, equal: false },
  { note: 'nested set rendered sorted equals', want: [{ x: { s: [1, 2, 3] } }], got: [{ x: { s: [1, 2, 3] } }], equal: true },
  { note: 'nested set in other order differs', want: [{ x: { s: [1, 2, 3] } }], got: [{ x: { s: [3, 2, 1] } }], equal: false },
  { note: 'extra binding differs', want: [{ x: 1 }], got: [{ x: 1, y: 2 }], equal: false },
];

describe('sameRows', () => {
  it.each(rowCases)('$note', ({ want, got, sort, equal }) => {
    expect(sameRows(want, got, sort === true)).toBe(equal);
  });
});

const orderCases: { note: string; a: Json; b: Json; sign: -1 | 0 | 1 }[] = [
  { note: 'null before false', a: null, b: false, sign: -1 },
  { note: 'boolean before number', a: true, b: 0, sign: -1 },
  { note: 'number before string', a: 99, b: '', sign: -1 },
  { note: 'string before array', a: 'z', b: [], sign: -1 },
  { note: 'array before object', a: [9], b: {}, sign: -1 },
  { note: 'numbers by value across bigint', a: 2n, b: 1.5, sign: 1 },
  { note: 'arrays element-wise then length', a: [1, 2], b: [1, 2, 0], sign: -1 },
  { note: 'objects by sorted keys', a: { a: 1 }, b: { b: 0 }, sign: -1 },
  { note: 'equal objects', a: { a: 1, b: 2 }, b: { b: 2, a: 1 }, sign: 0 },
];

describe('compareJson', () => {
  it.each(orderCases)('$note', ({ a, b, sign }) => {
    expect(Math.sign(compareJson(a, b))).toBe(sign);
    expect(Math.sign(compareJson(b, a))).toBe(-sign || 0);
  });
});

const errorCases: { note: string; want: ErrorExpectation; text: string; ok: boolean }[] = [
  {
    note: 'code only',
    want: { code: 'eval_conflict_error' },
    text: 'test-0.rego:3: eval_conflict_error: rule data.x.p produced conflicting values',
    ok: true,
  },
  { note: 'wrong code', want: { code: 'eval_type_error' }, text: 'test-0.rego:3: eval_conflict_error: x', ok: false },
  {
    note: 'bare message substring',
    want: { code: 'eval_builtin_error', message: 'divide by zero' },
    text: 'test-0.rego:5: eval_builtin_error: div: divide by zero',
    ok: true,
  },
  {
    note: 'full formatted message',
    want: { message: 'test-0.rego:4: eval_type_error: strings.any_prefix_match: operand 1 must be array' },
    text: 'test-0.rego:4: eval_type_error: strings.any_prefix_match: operand 1 must be array of strings but got array containing number',
    ok: true,
  },
  {
    note: 'full message matches a diagnostic with a column',
    want: { message: 'test-0.rego:4: rego_type_error: bad' },
    text: 'test-0.rego:4:7: rego_type_error: bad thing',
    ok: true,
  },
  {
    note: 'empty message matches anything with the code',
    want: { code: 'eval_type_error', message: '' },
    text: 'eval_type_error: whatever',
    ok: true,
  },
  {
    note: 'message mismatch',
    want: { message: 'object keys must be unique' },
    text: 'test-0.rego:1: eval_conflict_error: other',
    ok: false,
  },
  { note: 'unrecognised text has no code', want: { code: 'eval_type_error' }, text: 'RuntimeError: unreachable', ok: false },
];

describe('errorMatches / parseErrorText', () => {
  it.each(errorCases)('$note', ({ want, text, ok }) => {
    expect(errorMatches(want, [parseErrorText(text)])).toBe(ok);
  });
  it('parses code and location', () => {
    expect(parseErrorText('a.rego:12:5: rego_parse_error: unexpected eof')).toEqual({
      code: 'rego_parse_error',
      texts: ['a.rego:12:5: rego_parse_error: unexpected eof', 'a.rego:12: rego_parse_error: unexpected eof'],
    });
  });
});

const extractCases: { note: string; rs: unknown; want: Row[] | RegExp }[] = [
  { note: 'undefined entrypoint gives no rows', rs: [], want: [] },
  { note: 'rows from the result set', rs: [{ result: [{ x: 1 }, { x: 2 }] }], want: [{ x: 1 }, { x: 2 }] },
  { note: 'empty row set', rs: [{ result: [] }], want: [] },
  { note: 'non-array result is an error', rs: [{ result: { x: 1 } }], want: /not a set/ },
  { note: 'non-object row is an error', rs: [{ result: [1] }], want: /not an object/ },
  { note: 'two results is an error', rs: [{ result: [] }, { result: [] }], want: /shape/ },
];

describe('extractRows', () => {
  it.each(extractCases)('$note', ({ rs, want }) => {
    const got = extractRows(rs);
    if (want instanceof RegExp) expect(got).toMatch(want);
    else expect(got).toEqual(want);
  });
});

describe('toJsonText / canonicalJson', () => {
  it.each([
    { note: 'bigint is exact', v: { n: 12345678901234567890n } as Json, want: '{"n":12345678901234567890}' },
    { note: 'nested values', v: [null, true, 'a"b', 1.5] as Json, want: '[null,true,"a\\"b",1.5]' },
  ])('$note', ({ v, want }) => {
    expect(toJsonText(v)).toBe(want);
    expect(JSON.parse(toJsonText(v).replace(/\d{16,}/g, '0'))).toBeDefined();
  });
  it('canonical form ignores key order and 1 vs 1.0', () => {
    expect(canonicalJson({ b: 1, a: [2.0] })).toBe(canonicalJson({ a: [2], b: 1.0 }));
  });
});
