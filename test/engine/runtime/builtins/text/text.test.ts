// The "text" native builtin family (engine/builtins-native/text.ts) through the built runtime:
// strings, encodings, JSON and patterns, including OPA's error messages in strict mode.
import { beforeAll, describe, expect, it } from 'vitest';
import { TEXT_BUILTINS } from '../../../../../engine/builtins-native/text.js';
import { nativeExportName } from '../../../../../engine/abi.js';
import { loadRuntime, set, type Arg, type Runtime } from '../harness.js';

let rt: Runtime;
beforeAll(async () => {
  rt = await loadRuntime();
}, 60000);

type Case = { note: string; fn: string; args: Arg[]; want: unknown };

const cases: Case[] = [
  { note: 'indexof ascii', fn: 'indexof', args: ['abcabc', 'ca'], want: 2 },
  { note: 'indexof code points', fn: 'indexof', args: ['héllo', 'l'], want: 2 },
  { note: 'indexof missing', fn: 'indexof', args: ['abc', 'z'], want: -1 },
  { note: 'indexof empty needle is an error', fn: 'indexof', args: ['abc', ''], want: undefined },
  { note: 'indexof_n overlapping', fn: 'indexof_n', args: ['aaa', 'aa'], want: [0, 1] },
  { note: 'indexof_n code points', fn: 'indexof_n', args: ['ééxéx', 'x'], want: [2, 4] },
  { note: 'indexof_n none', fn: 'indexof_n', args: ['abc', 'z'], want: [] },
  { note: 'substring', fn: 'substring', args: ['abcdef', 1, 3], want: 'bcd' },
  { note: 'substring code points', fn: 'substring', args: ['aéb€c', 1, 3], want: 'éb€' },
  { note: 'substring negative length to end', fn: 'substring', args: ['abcdef', 2, -1], want: 'cdef' },
  { note: 'substring past end', fn: 'substring', args: ['abc', 5, 2], want: '' },
  { note: 'substring length beyond end', fn: 'substring', args: ['abc', 1, 10], want: 'bc' },
  { note: 'substring negative offset', fn: 'substring', args: ['abc', -1, 1], want: undefined },
  { note: 'substring float offset', fn: 'substring', args: ['abc', 1.5, 1], want: undefined },
  { note: 'trim_left', fn: 'trim_left', args: ['xxyhixy', 'xy'], want: 'hixy' },
  { note: 'trim_left unicode', fn: 'trim_left', args: ['ééa', 'é'], want: 'a' },
  { note: 'trim_right', fn: 'trim_right', args: ['xyhixyx', 'xy'], want: 'xyhi' },
  { note: 'trim_right unicode', fn: 'trim_right', args: ['aé€é', '€é'], want: 'a' },
  { note: 'trim_right all', fn: 'trim_right', args: ['xx', 'x'], want: '' },
  { note: 'trim_prefix', fn: 'trim_prefix', args: ['foobar', 'foo'], want: 'bar' },
  { note: 'trim_prefix miss', fn: 'trim_prefix', args: ['foobar', 'bar'], want: 'foobar' },
  { note: 'trim_suffix', fn: 'trim_suffix', args: ['foobar', 'bar'], want: 'foo' },
  { note: 'trim_suffix miss', fn: 'trim_suffix', args: ['foobar', 'foo'], want: 'foobar' },
  { note: 'trim_space', fn: 'trim_space', args: ['\t\n a b \u00a0\u3000'], want: 'a b' },
  { note: 'trim_space blank', fn: 'trim_space', args: ['  '], want: '' },
  { note: 'replace_n', fn: 'strings.replace_n', args: [{ a: '1', b: '2' }, 'abcab'], want: '12c12' },
  { note: 'replace_n no rescan', fn: 'strings.replace_n', args: [{ a: 'b', b: 'a' }, 'ab'], want: 'ba' },
  { note: 'replace_n sorted key priority', fn: 'strings.replace_n', args: [{ a: 'X', ab: 'Y' }, 'ab'], want: 'Xb' },
  { note: 'replace_n non-string value', fn: 'strings.replace_n', args: [{ a: 1 }, 'ab'], want: undefined },
  { note: 'reverse', fn: 'strings.reverse', args: ['aé€'], want: '€éa' },
  { note: 'reverse empty', fn: 'strings.reverse', args: [''], want: '' },
  { note: 'any_prefix_match array', fn: 'strings.any_prefix_match', args: [['a/b', 'c/d'], ['c/']], want: true },
  { note: 'any_prefix_match strings', fn: 'strings.any_prefix_match', args: ['a/b', 'b'], want: false },
  { note: 'any_prefix_match set', fn: 'strings.any_prefix_match', args: [set('x1'), set('y', 'x')], want: true },
  { note: 'any_prefix_match bad element', fn: 'strings.any_prefix_match', args: [[1], ['a']], want: undefined },
  { note: 'any_suffix_match', fn: 'strings.any_suffix_match', args: [['a.com', 'b.org'], ['.org']], want: true },
  { note: 'any_suffix_match none', fn: 'strings.any_suffix_match', args: [['a.com'], ['.org']], want: false },
  { note: 'count', fn: 'strings.count', args: ['cheese', 'e'], want: 3 },
  { note: 'count non-overlapping', fn: 'strings.count', args: ['aaaa', 'aa'], want: 2 },
  { note: 'count empty counts code points + 1', fn: 'strings.count', args: ['fivé', ''], want: 5 },
  { note: 'split_n first', fn: 'strings.split_n', args: ['a.b.c.d', '.', 2], want: ['a', 'b'] },
  { note: 'split_n last', fn: 'strings.split_n', args: ['a.b.c.d', '.', -2], want: ['c', 'd'] },
  { note: 'split_n zero', fn: 'strings.split_n', args: ['a.b', '.', 0], want: [] },
  { note: 'split_n more than parts', fn: 'strings.split_n', args: ['a.b', '.', -9], want: ['a', 'b'] },
  { note: 'split_n empty delimiter', fn: 'strings.split_n', args: ['aéc', '', 2], want: ['a', 'é'] },
  { note: 'base64.encode', fn: 'base64.encode', args: ['hello?'], want: 'aGVsbG8/' },
  { note: 'base64.encode padding', fn: 'base64.encode', args: ['hi'], want: 'aGk=' },
  { note: 'base64.decode', fn: 'base64.decode', args: ['aGVsbG8='], want: 'hello' },
  { note: 'base64.decode ignores newlines', fn: 'base64.decode', args: ['aGVs\nbG8='], want: 'hello' },
  { note: 'base64.decode missing padding', fn: 'base64.decode', args: ['aGk'], want: undefined },
  { note: 'base64.decode bad char', fn: 'base64.decode', args: ['a*Gk'], want: undefined },
  { note: 'base64.is_valid', fn: 'base64.is_valid', args: ['aGk='], want: true },
  { note: 'base64.is_valid no', fn: 'base64.is_valid', args: ['aGk'], want: false },
  { note: 'base64url.encode', fn: 'base64url.encode', args: ['hello?>'], want: 'aGVsbG8_Pg==' },
  { note: 'base64url.encode_no_pad', fn: 'base64url.encode_no_pad', args: ['hello?>'], want: 'aGVsbG8_Pg' },
  { note: 'base64url.decode unpadded', fn: 'base64url.decode', args: ['aGVsbG8_Pg'], want: 'hello?>' },
  { note: 'base64url.decode padded', fn: 'base64url.decode', args: ['aGVsbG8_Pg=='], want: 'hello?>' },
  { note: 'base64url.decode bad length', fn: 'base64url.decode', args: ['a'], want: undefined },
  { note: 'hex.encode', fn: 'hex.encode', args: ['hi\u00ff'], want: '6869c3bf' },
  { note: 'hex.decode', fn: 'hex.decode', args: ['6869C3BF'], want: 'hi\u00ff' },
  { note: 'hex.decode odd', fn: 'hex.decode', args: ['686'], want: undefined },
  { note: 'hex.decode invalid', fn: 'hex.decode', args: ['zz'], want: undefined },
  { note: 'urlquery.encode', fn: 'urlquery.encode', args: ['a b&c=d/é~'], want: 'a+b%26c%3Dd%2F%C3%A9~' },
  { note: 'urlquery.decode', fn: 'urlquery.decode', args: ['a+b%26c%3d%C3%A9'], want: 'a b&c=é' },
  { note: 'urlquery.decode bad escape', fn: 'urlquery.decode', args: ['a%zz'], want: undefined },
  {
    note: 'urlquery.encode_object',
    fn: 'urlquery.encode_object',
    args: [{ b: 'x y', a: ['1', '2'], c: set('z') }],
    want: 'a=1&a=2&b=x+y&c=z',
  },
  { note: 'urlquery.encode_object bad value', fn: 'urlquery.encode_object', args: [{ a: 1 }], want: undefined },
  { note: 'json.marshal', fn: 'json.marshal', args: [[{ foo: set(3, 1, 2) }]], want: '[{"foo":[1,2,3]}]' },
  { note: 'json.marshal html escapes', fn: 'json.marshal', args: ['<a&b>'], want: '"\\u003ca\\u0026b\\u003e"' },
  { note: 'json.unmarshal', fn: 'json.unmarshal', args: ['{"a":[1,true,null]}'], want: { a: [1, true, null] } },
  { note: 'json.unmarshal invalid', fn: 'json.unmarshal', args: ['{"a":'], want: undefined },
  { note: 'json.is_valid', fn: 'json.is_valid', args: ['[1,2]'], want: true },
  { note: 'json.is_valid invalid', fn: 'json.is_valid', args: ['[1,'], want: false },
  { note: 'json.is_valid non-string', fn: 'json.is_valid', args: [1], want: false },
  { note: 'regex.is_valid', fn: 'regex.is_valid', args: ['^a+(b|c)$'], want: true },
  { note: 'regex.is_valid invalid', fn: 'regex.is_valid', args: ['a(b'], want: false },
  { note: 'regex.is_valid non-string', fn: 'regex.is_valid', args: [1], want: false },
  { note: 'find_n all', fn: 'regex.find_n', args: ['a.', 'paranormal', -1], want: ['ar', 'an', 'al'] },
  { note: 'find_n limited', fn: 'regex.find_n', args: ['a.', 'paranormal', 2], want: ['ar', 'an'] },
  { note: 'find_n zero', fn: 'regex.find_n', args: ['a.', 'paranormal', 0], want: [] },
  { note: 'find_n empty matches', fn: 'regex.find_n', args: ['a*', 'baaab', -1], want: ['', 'aaa', ''] },
  { note: 'find_n leftmost-first alternation', fn: 'regex.find_n', args: ['a|ab', 'ab', -1], want: ['a'] },
  { note: 'find_n alternation order', fn: 'regex.find_n', args: ['ab|a', 'ab', -1], want: ['ab'] },
  { note: 'find_n lazy', fn: 'regex.find_n', args: ['a+?', 'aaa', -1], want: ['a', 'a', 'a'] },
  { note: 'find_n bounded greedy', fn: 'regex.find_n', args: ['a{1,2}', 'aaa', -1], want: ['aa', 'a'] },
  { note: 'find_n word boundary', fn: 'regex.find_n', args: ['\\bfoo\\b', 'foo food foo', -1], want: ['foo', 'foo'] },
  { note: 'find_n anchored', fn: 'regex.find_n', args: ['^a', 'aaa', -1], want: ['a'] },
  { note: 'find_n end anchor', fn: 'regex.find_n', args: ['b$', 'abab', -1], want: ['b'] },
  { note: 'find_n code points', fn: 'regex.find_n', args: ['.', 'é€', -1], want: ['é', '€'] },
  { note: 'find_n no match', fn: 'regex.find_n', args: ['x', 'abc', -1], want: [] },
  { note: 'find_n invalid pattern', fn: 'regex.find_n', args: ['a(', 'abc', -1], want: undefined },
  { note: 'split', fn: 'regex.split', args: ['a', 'banana'], want: ['b', 'n', 'n', ''] },
  { note: 'split empty matches', fn: 'regex.split', args: ['a*', 'abaabaccadaaae'], want: ['', 'b', 'b', 'c', 'c', 'd', 'e'] },
  { note: 'split empty pattern', fn: 'regex.split', args: ['', 'abc'], want: ['a', 'b', 'c'] },
  { note: 'split empty value', fn: 'regex.split', args: ['a', ''], want: [''] },
  { note: 'split no match', fn: 'regex.split', args: [',', 'abc'], want: ['abc'] },
  { note: 'split classes', fn: 'regex.split', args: ['[,;]\\s*', 'a, b;c'], want: ['a', 'b', 'c'] },
  { note: 'glob.quote_meta', fn: 'glob.quote_meta', args: ['*.github.com'], want: '\\*.github.com' },
  { note: 'glob.quote_meta all', fn: 'glob.quote_meta', args: ['?[a]{b}\\'], want: '\\?\\[a\\]\\{b\\}\\\\' },
];

type ErrCase = { note: string; fn: string; args: Arg[]; want: string };

const errors: ErrCase[] = [
  {
    note: 'any_prefix_match operand 1 type',
    fn: 'strings.any_prefix_match',
    args: [1, ['a']],
    want: 'eval_type_error: strings.any_prefix_match: operand 1 must be one of {string, set, array} but got number',
  },
  {
    note: 'any_prefix_match array element',
    fn: 'strings.any_prefix_match',
    args: [['a'], [1]],
    want: 'eval_type_error: strings.any_prefix_match: operand 2 must be array of strings but got array containing number',
  },
  {
    note: 'any_suffix_match set element',
    fn: 'strings.any_suffix_match',
    args: [set(1), ['a']],
    want: 'eval_type_error: strings.any_suffix_match: operand 1 must be set of strings but got set containing number',
  },
  {
    note: 'split_n float',
    fn: 'strings.split_n',
    args: ['a.b', '.', 1.5],
    want: 'eval_type_error: strings.split_n: operand 3 must be integer number but got floating-point number',
  },
  { note: 'indexof empty needle', fn: 'indexof', args: ['abc', ''], want: 'eval_builtin_error: indexof: empty search character' },
  { note: 'substring negative offset', fn: 'substring', args: ['abc', -1, 1], want: 'eval_builtin_error: substring: negative offset' },
  {
    note: 'substring string length',
    fn: 'substring',
    args: ['abc', 1, 'x'],
    want: 'eval_type_error: substring: operand 3 must be number but got string',
  },
  { note: 'trim_left type', fn: 'trim_left', args: [1, 'x'], want: 'eval_type_error: trim_left: operand 1 must be string but got number' },
  {
    note: 'base64.decode illegal byte',
    fn: 'base64.decode',
    args: ['a*Gk'],
    want: 'eval_builtin_error: base64.decode: illegal base64 data at input byte 1',
  },
  {
    note: 'base64.decode short',
    fn: 'base64.decode',
    args: ['aGk'],
    want: 'eval_builtin_error: base64.decode: illegal base64 data at input byte 0',
  },
  {
    note: 'base64url.decode length',
    fn: 'base64url.decode',
    args: ['abcde'],
    want: 'eval_builtin_error: base64url.decode: illegal base64url string: abcde',
  },
  {
    note: 'hex.decode invalid byte',
    fn: 'hex.decode',
    args: ['6g'],
    want: "eval_builtin_error: hex.decode: encoding/hex: invalid byte: U+0067 'g'",
  },
  {
    note: 'hex.decode odd length',
    fn: 'hex.decode',
    args: ['abc'],
    want: 'eval_builtin_error: hex.decode: encoding/hex: odd length hex string',
  },
  {
    note: 'urlquery.decode escape',
    fn: 'urlquery.decode',
    args: ['%4'],
    want: 'eval_builtin_error: urlquery.decode: invalid URL escape "%4"',
  },
  {
    note: 'replace_n value',
    fn: 'strings.replace_n',
    args: [{ a: 1 }, 'a'],
    want: 'eval_type_error: strings.replace_n: operand 1 non-string value found in pattern object',
  },
  {
    note: 'find_n float count',
    fn: 'regex.find_n',
    args: ['a', 'a', 1.5],
    want: 'eval_type_error: regex.find_n: operand 3 must be integer number but got floating-point number',
  },
  {
    note: 'split pattern type',
    fn: 'regex.split',
    args: [1, 'a'],
    want: 'eval_type_error: regex.split: operand 1 must be string but got number',
  },
  {
    note: 'glob.quote_meta type',
    fn: 'glob.quote_meta',
    args: [1],
    want: 'eval_type_error: glob.quote_meta: operand 1 must be string but got number',
  },
];

describe('text builtins', () => {
  it.each(cases)('$note', ({ fn, args, want }) => {
    expect(rt.call(nativeExportName(fn), ...args)).toEqual(want);
  });
});

describe('text builtins in strict mode', () => {
  it.each(errors)('$note', ({ fn, args, want }) => {
    rt.exports['rt_set_strict']!(1);
    try {
      expect(() => rt.call(nativeExportName(fn), ...args)).toThrow(`abort: ${want}`);
    } finally {
      rt.exports['rt_set_strict']!(0);
    }
  });
});

describe('text registry', () => {
  it.each(Object.entries(TEXT_BUILTINS).map(([name, { arity }]) => ({ note: name, name, arity })))(
    '$note is exported with its arity',
    ({ name, arity }) => {
      const fn = rt.exports[nativeExportName(name)] as unknown as { length: number } | undefined;
      expect(fn?.length).toBe(arity);
    },
  );
});
