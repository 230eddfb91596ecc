// String, type, object/array/set, sprintf and print builtins through the built runtime.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime, raw, set, type Arg, type Runtime } from './harness.js';

let rt: Runtime;
beforeAll(async () => {
  rt = await loadRuntime();
}, 60000);

type Case = { note: string; fn: string; args: Arg[]; want: unknown };

const cases: Case[] = [
  { note: 'concat array', fn: 'bi_concat', args: [',', ['a', 'b', 'c']], want: 'a,b,c' },
  { note: 'concat set', fn: 'bi_concat', args: ['-', set('b', 'a')], want: 'a-b' },
  { note: 'concat empty', fn: 'bi_concat', args: [',', []], want: '' },
  { note: 'concat non-string element', fn: 'bi_concat', args: [',', ['a', 1]], want: undefined },
  { note: 'startswith', fn: 'bi_startswith', args: ['foobar', 'foo'], want: true },
  { note: 'startswith miss', fn: 'bi_startswith', args: ['foobar', 'bar'], want: false },
  { note: 'endswith', fn: 'bi_endswith', args: ['foobar', 'bar'], want: true },
  { note: 'endswith longer suffix', fn: 'bi_endswith', args: ['ar', 'bar'], want: false },
  { note: 'contains', fn: 'bi_contains', args: ['abcdef', 'cde'], want: true },
  { note: 'contains empty', fn: 'bi_contains', args: ['abc', ''], want: true },
  { note: 'contains type error', fn: 'bi_contains', args: ['abc', 1], want: undefined },
  { note: 'lower ascii', fn: 'bi_lower', args: ['AbC'], want: 'abc' },
  { note: 'lower latin-1, greek, cyrillic', fn: 'bi_lower', args: ['ÀÉÖ ΑΣΩ ДЖЯ'], want: 'àéö ασω джя' },
  { note: 'upper', fn: 'bi_upper', args: ['straße ß ÿ σς привет'], want: 'STRASSE ß Ÿ ΣΣ ПРИВЕТ'.replace('STRASSE', 'STRAßE') },
  { note: 'split', fn: 'bi_split', args: ['a.b.c', '.'], want: ['a', 'b', 'c'] },
  { note: 'split no match', fn: 'bi_split', args: ['abc', ','], want: ['abc'] },
  { note: 'split empty string', fn: 'bi_split', args: ['', ','], want: [''] },
  { note: 'split empty delimiter', fn: 'bi_split', args: ['añb', ''], want: ['a', 'ñ', 'b'] },
  { note: 'trim cutset', fn: 'bi_trim', args: ['xxhixyx', 'xy'], want: 'hi' },
  { note: 'trim unicode cutset', fn: 'bi_trim', args: ['ééaé', 'é'], want: 'a' },
  { note: 'trim everything', fn: 'bi_trim', args: ['aaa', 'a'], want: '' },
  { note: 'replace', fn: 'bi_replace', args: ['foo bar foo', 'foo', 'baz'], want: 'baz bar baz' },
  { note: 'replace empty old', fn: 'bi_replace', args: ['ab', '', '-'], want: '-a-b-' },
  { note: 'is_string', fn: 'bi_is_string', args: ['a'], want: true },
  { note: 'is_string number', fn: 'bi_is_string', args: [1], want: false },
  { note: 'is_number', fn: 'bi_is_number', args: [1.5], want: true },
  { note: 'is_boolean', fn: 'bi_is_boolean', args: [false], want: true },
  { note: 'is_array', fn: 'bi_is_array', args: [[]], want: true },
  { note: 'is_set', fn: 'bi_is_set', args: [set()], want: true },
  { note: 'is_object', fn: 'bi_is_object', args: [{}], want: true },
  { note: 'is_null', fn: 'bi_is_null', args: [null], want: true },
  { note: 'is_null false', fn: 'bi_is_null', args: [0], want: false },
  { note: 'type_name set', fn: 'bi_type_name', args: [set(1)], want: 'set' },
  { note: 'type_name null', fn: 'bi_type_name', args: [null], want: 'null' },
  { note: 'type_name object', fn: 'bi_type_name', args: [{}], want: 'object' },
  { note: 'object.get found', fn: 'bi_object_get', args: [{ a: { b: 'c' } }, 'a', true], want: { b: 'c' } },
  { note: 'object.get default', fn: 'bi_object_get', args: [{ a: { b: 'c' } }, 'b', true], want: true },
  { note: 'object.get path', fn: 'bi_object_get', args: [{ a: [{ b: 'c' }] }, ['a', 0, 'b'], 'd'], want: 'c' },
  { note: 'object.get path miss', fn: 'bi_object_get', args: [{ a: [{ b: 'c' }] }, ['a', 1, 'b'], 'd'], want: 'd' },
  { note: 'object.get empty path', fn: 'bi_object_get', args: [{ a: 1 }, [], 'd'], want: { a: 1 } },
  { note: 'object.get non-object', fn: 'bi_object_get', args: [[1], 0, 'd'], want: undefined },
  { note: 'object.keys', fn: 'bi_object_keys', args: [{ b: 1, a: 2 }], want: ['a', 'b'] },
  { note: 'array.concat', fn: 'bi_array_concat', args: [[1, 2], [3]], want: [1, 2, 3] },
  { note: 'array.slice', fn: 'bi_array_slice', args: [[1, 2, 3, 4], 1, 3], want: [2, 3] },
  { note: 'array.slice clamps', fn: 'bi_array_slice', args: [[1, 2, 3], -1, 10], want: [1, 2, 3] },
  { note: 'array.slice start >= stop', fn: 'bi_array_slice', args: [[1, 2, 3], 2, 1], want: [] },
  { note: 'union', fn: 'bi_union', args: [set(set(1, 2), set(2, 3))], want: [1, 2, 3] },
  { note: 'union empty', fn: 'bi_union', args: [set()], want: [] },
  { note: 'intersection', fn: 'bi_intersection', args: [set(set(1, 2), set(2, 3))], want: [2] },
  { note: 'intersection non-set member', fn: 'bi_intersection', args: [set(1)], want: undefined },
];

describe('strings, types, collections', () => {
  it.each(cases)('$note', ({ fn, args, want }) => {
    expect(rt.call(fn, ...args)).toEqual(want);
  });
});

type Fmt = { note: string; format: string; args: Arg[]; want: string };
const sprintfCases: Fmt[] = [
  { note: '%s big int', format: '%s', args: [raw('123456789123456789123')], want: '123456789123456789123' },
  { note: '%d int', format: '%d', args: [42], want: '42' },
  { note: '%v string raw', format: 'x=%v', args: ['hi'], want: 'x=hi' },
  { note: '%s of int is a bad verb', format: '%s', args: [5], want: '%!s(int=5)' },
  { note: '%d of float is a bad verb', format: '%d', args: [1.5], want: '%!d(float64=1.5)' },
  { note: '%v float', format: '%v', args: [1.5], want: '1.5' },
  { note: '%v large float uses exponent', format: '%v', args: [raw('1234567.5')], want: '1.2345675e+06' },
  { note: '%f default precision', format: '%f', args: [3.14159], want: '3.141590' },
  { note: '%.2f rounds exactly', format: '%.2f', args: [2.675], want: '2.67' },
  { note: '%.1f half even', format: '%.1f', args: [0.25], want: '0.2' },
  { note: '%e', format: '%e', args: [123456.789], want: '1.234568e+05' },
  { note: '%g', format: '%g', args: [0.00001234], want: '1.234e-05' },
  { note: '%.3g', format: '%.3g', args: [3.14159], want: '3.14' },
  { note: '%x int', format: '%x', args: [255], want: 'ff' },
  { note: '%X string', format: '%X', args: ['hi'], want: '6869' },
  { note: '%o', format: '%o', args: [8], want: '10' },
  { note: '%b', format: '%b', args: [5], want: '101' },
  { note: '%#x', format: '%#x', args: [255], want: '0xff' },
  { note: '%q', format: '%q', args: ['a"b'], want: '"a\\"b"' },
  { note: '%t of boolean is bad (booleans are passed as text)', format: '%t', args: [true], want: '%!t(string=true)' },
  { note: '%v composite', format: '%v', args: [{ a: [1, 'x'], b: set(1, 2) }], want: '{"a": [1, "x"], "b": {1, 2}}' },
  { note: '%v empty set', format: '%v', args: [set()], want: 'set()' },
  { note: '%%', format: '100%%', args: [], want: '100%' },
  { note: 'width', format: '[%5d|%-5s|%05d]', args: [42, 'ab', -42], want: '[   42|ab   |-0042]' },
  { note: 'float width', format: '[%8.3f]', args: [3.14159], want: '[   3.142]' },
  { note: 'plus flag', format: '%+d', args: [5], want: '+5' },
  { note: 'string precision', format: '%.2s', args: ['héllo'], want: 'hé' },
  { note: 'missing arg', format: '%d %v', args: [1], want: '1 %!v(MISSING)' },
  { note: 'extra arg', format: '%d', args: [1, 'x'], want: '1%!(EXTRA string=x)' },
  { note: 'no verb', format: 'abc%', args: [], want: 'abc%!(NOVERB)' },
  { note: 'unicode passthrough', format: 'ü %s 🍧', args: ['ö'], want: 'ü ö 🍧' },
  { note: 'integral float literal prints as int', format: '%v', args: [raw('4.0')], want: '4' },
  { note: 'null', format: '%v', args: [null], want: 'null' },
];

describe('sprintf', () => {
  it.each(sprintfCases)('$note', ({ format, args, want }) => {
    expect(rt.call('bi_sprintf', format, args)).toBe(want);
  });
  it('rejects a non-array argument list', () => {
    expect(rt.call('bi_sprintf', '%v', 1)).toBeUndefined();
  });
});

describe('internal.print', () => {
  it('prints strings raw, other values as Rego text, undefined as <undefined>', () => {
    rt.printed.length = 0;
    expect(rt.call('bi_internal_print', [['hello'], [], [{ a: 'b' }], [set(1)]])).toBe(true);
    expect(rt.printed).toEqual(['hello <undefined> {"a": "b"} {1}']);
  });
});
