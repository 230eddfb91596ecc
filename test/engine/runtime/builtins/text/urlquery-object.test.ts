// urlquery.decode_object through the built runtime: Go's url.ParseQuery (as OPA calls it), with
// its errors in strict mode; and the Go-quoted escape in urlquery errors.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime, type Arg, type Runtime } from '../harness.js';

let rt: Runtime;
beforeAll(async () => {
  rt = await loadRuntime();
}, 60000);

const FN = 'bi_urlquery_decode_object';

type Case = { note: string; query: Arg; want: unknown };

const cases: Case[] = [
  { note: 'one parameter', query: 'a=1', want: { a: ['1'] } },
  { note: 'repeated keys keep their order', query: 'b=2&a=1&b=1&b=3', want: { a: ['1'], b: ['2', '1', '3'] } },
  { note: 'plus is a space, escapes are bytes', query: 'q=a+b%26c%3D&na%6De=%C3%A9', want: { name: ['é'], q: ['a b&c='] } },
  { note: 'a key without = has an empty value', query: 'flag&x=', want: { flag: [''], x: [''] } },
  { note: 'an empty key is kept when = is there', query: '=v&=w', want: { '': ['v', 'w'] } },
  { note: 'only the first = splits', query: 'a=b=c', want: { a: ['b=c'] } },
  { note: 'empty parameters are skipped', query: '&&a=1&&', want: { a: ['1'] } },
  { note: 'empty query', query: '', want: {} },
  { note: 'a leading ? is part of the key', query: '?a=1', want: { '?a': ['1'] } },
  { note: 'escaped & and ; are data', query: 'k=%26%3B', want: { k: ['&;'] } },
  { note: 'upper and lower case hex', query: 'x=%2f%2F', want: { x: ['//'] } },
  { note: '10000 parameters are allowed', query: `${'a=1&'.repeat(9999)}a=1`, want: { a: Array(10000).fill('1') } },
  { note: 'more than 10000 parameters', query: '&'.repeat(10000), want: undefined },
  { note: 'a semicolon separator', query: 'a=1;b=2', want: undefined },
  { note: 'a bad escape in a key', query: 'a%zz=1', want: undefined },
  { note: 'a bad escape in a value', query: 'a=1&b=%4', want: undefined },
  { note: 'a number', query: 1, want: undefined },
];

describe('urlquery.decode_object', () => {
  it.each(cases)('$note', ({ query, want }) => {
    expect(rt.call(FN, query)).toEqual(want);
  });
});

type StrictCase = { note: string; fn: string; arg: Arg; message: string };

const strictCases: StrictCase[] = [
  {
    note: 'operand type',
    fn: FN,
    arg: ['a=1'],
    message: 'eval_type_error: urlquery.decode_object: operand 1 must be string but got array',
  },
  { note: 'semicolon', fn: FN, arg: 'a=1;b', message: 'eval_builtin_error: urlquery.decode_object: invalid semicolon separator in query' },
  {
    note: 'semicolon wins over an earlier bad escape',
    fn: FN,
    arg: 'a=%zz&b;',
    message: 'eval_builtin_error: urlquery.decode_object: invalid semicolon separator in query',
  },
  { note: 'first bad escape', fn: FN, arg: 'a=%zz&b=%y', message: 'eval_builtin_error: urlquery.decode_object: invalid URL escape "%zz"' },
  {
    note: 'escape cut at the end of the key',
    fn: FN,
    arg: 'ab%4=1',
    message: 'eval_builtin_error: urlquery.decode_object: invalid URL escape "%4"',
  },
  {
    note: 'escape cut at the end of the value',
    fn: FN,
    arg: 'a=%&b=1',
    message: 'eval_builtin_error: urlquery.decode_object: invalid URL escape "%"',
  },
  {
    note: 'too many parameters',
    fn: FN,
    arg: 'x&'.repeat(10000),
    message: 'eval_builtin_error: urlquery.decode_object: number of URL query parameters exceeded limit',
  },
  {
    note: 'urlquery.decode quotes the escape as Go does',
    fn: 'bi_urlquery_decode',
    arg: '%\u00e9',
    message: 'eval_builtin_error: urlquery.decode: invalid URL escape "%\u00e9"',
  },
  {
    note: 'urlquery.decode quotes a cut character as bytes',
    fn: 'bi_urlquery_decode',
    arg: '%x\u00e9',
    message: 'eval_builtin_error: urlquery.decode: invalid URL escape "%x\\xc3"',
  },
];

describe('urlquery.decode_object in strict mode', () => {
  it.each(strictCases)('$note', ({ fn, arg, message }) => {
    rt.exports['rt_set_strict']!(1);
    try {
      expect(() => rt.call(fn, arg)).toThrow(`abort: ${message}`);
    } finally {
      rt.exports['rt_set_strict']!(0);
    }
  });
});
