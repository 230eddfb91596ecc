// The deprecated builtins Rego v0 policies still call (cast_*, all, any, set_diff, re_match)
// through the built runtime, with OPA's results and its strict-mode messages.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime, set, type Arg, type Runtime } from './harness.js';

let rt: Runtime;
beforeAll(async () => {
  rt = await loadRuntime();
}, 60000);

type Case = { note: string; fn: string; args: Arg[]; want: unknown; type?: string };

const cases: Case[] = [
  { note: 'cast_array of an array', fn: 'cast_array', args: [[3, 1, 3]], want: [3, 1, 3], type: 'array' },
  { note: 'cast_array of a set is in set order', fn: 'cast_array', args: [set('b', 'a', 1)], want: [1, 'a', 'b'], type: 'array' },
  { note: 'cast_array of an empty set', fn: 'cast_array', args: [set()], want: [], type: 'array' },
  { note: 'cast_array of a string', fn: 'cast_array', args: ['ab'], want: undefined },
  { note: 'cast_set of an array drops duplicates', fn: 'cast_set', args: [[3, 1, 3]], want: [1, 3], type: 'set' },
  { note: 'cast_set of a set', fn: 'cast_set', args: [set(2, 1)], want: [1, 2], type: 'set' },
  { note: 'cast_set of an object', fn: 'cast_set', args: [{ a: 1 }], want: undefined },
  { note: 'cast_string', fn: 'cast_string', args: ['x'], want: 'x' },
  { note: 'cast_string of a number', fn: 'cast_string', args: [1], want: undefined },
  { note: 'cast_boolean', fn: 'cast_boolean', args: [false], want: false },
  { note: 'cast_boolean of a string', fn: 'cast_boolean', args: ['true'], want: undefined },
  { note: 'cast_null', fn: 'cast_null', args: [null], want: null },
  { note: 'cast_null of false', fn: 'cast_null', args: [false], want: undefined },
  { note: 'cast_object', fn: 'cast_object', args: [{ a: [1] }], want: { a: [1] } },
  { note: 'cast_object of a set', fn: 'cast_object', args: [set()], want: undefined },
  { note: 'all true', fn: 'all', args: [[true, true]], want: true },
  { note: 'all with false', fn: 'all', args: [[true, false]], want: false },
  { note: 'all with a truthy non-boolean', fn: 'all', args: [[true, 1]], want: false },
  { note: 'all of an empty array', fn: 'all', args: [[]], want: true },
  { note: 'all of a set', fn: 'all', args: [set(true)], want: true },
  { note: 'all of a set with false', fn: 'all', args: [set(true, false)], want: false },
  { note: 'all of an object', fn: 'all', args: [{ a: true }], want: undefined },
  { note: 'any with one true', fn: 'any', args: [[false, 'x', true]], want: true },
  { note: 'any without true', fn: 'any', args: [[false, 'true', 1]], want: false },
  { note: 'any of an empty set', fn: 'any', args: [set()], want: false },
  { note: 'any of a set', fn: 'any', args: [set(false, true)], want: true },
  { note: 'any of a string', fn: 'any', args: ['true'], want: undefined },
  { note: 'set_diff', fn: 'set_diff', args: [set(1, 2, 'c'), set('c', 1)], want: [2], type: 'set' },
  { note: 'set_diff with a disjoint set', fn: 'set_diff', args: [set(1), set(2)], want: [1] },
  { note: 'set_diff of empty sets', fn: 'set_diff', args: [set(), set()], want: [] },
  { note: 'set_diff of an array', fn: 'set_diff', args: [[1], set()], want: undefined },
  { note: 're_match', fn: 're_match', args: ['^a+b$', 'aaab'], want: true },
  { note: 're_match unanchored', fn: 're_match', args: ['b', 'abc'], want: true },
  { note: 're_match no match', fn: 're_match', args: ['^b', 'abc'], want: false },
  { note: 're_match invalid pattern', fn: 're_match', args: ['(', 'abc'], want: undefined },
  { note: 'undefined operand', fn: 'cast_string', args: [undefined], want: undefined },
];

describe('deprecated builtins', () => {
  it.each(cases)('$note', ({ fn, args, want, type }) => {
    expect(rt.call(`bi_${fn}`, ...args)).toEqual(want);
    if (type) expect(rt.call('bi_type_name', rt.callPtr(`bi_${fn}`, ...args))).toBe(type);
  });
});

type StrictCase = { note: string; fn: string; args: Arg[]; message: string };

const strictCases: StrictCase[] = [
  {
    note: 'cast_array type',
    fn: 'cast_array',
    args: [{}],
    message: 'eval_type_error: cast_array: operand 1 must be one of {array, set} but got object',
  },
  {
    note: 'cast_set type',
    fn: 'cast_set',
    args: ['a'],
    message: 'eval_type_error: cast_set: operand 1 must be one of {array, set} but got string',
  },
  {
    note: 'cast_string type',
    fn: 'cast_string',
    args: [null],
    message: 'eval_type_error: cast_string: operand 1 must be string but got null',
  },
  {
    note: 'cast_boolean type',
    fn: 'cast_boolean',
    args: [0],
    message: 'eval_type_error: cast_boolean: operand 1 must be boolean but got number',
  },
  { note: 'cast_null type', fn: 'cast_null', args: [[]], message: 'eval_type_error: cast_null: operand 1 must be null but got array' },
  {
    note: 'cast_object type',
    fn: 'cast_object',
    args: [set()],
    message: 'eval_type_error: cast_object: operand 1 must be object but got set',
  },
  { note: 'all type', fn: 'all', args: [true], message: 'eval_type_error: all: operand 1 must be one of {array, set} but got boolean' },
  { note: 'any type', fn: 'any', args: [{}], message: 'eval_type_error: any: operand 1 must be one of {array, set} but got object' },
  {
    note: 'set_diff first operand',
    fn: 'set_diff',
    args: [[], set()],
    message: 'eval_type_error: set_diff: operand 1 must be set but got array',
  },
  {
    note: 'set_diff second operand',
    fn: 'set_diff',
    args: [set(), 'x'],
    message: 'eval_type_error: set_diff: operand 2 must be set but got string',
  },
  {
    note: 're_match operand',
    fn: 're_match',
    args: ['a', 1],
    message: 'eval_type_error: re_match: operand 2 must be string but got number',
  },
  {
    note: 're_match pattern',
    fn: 're_match',
    args: ['(', 'a'],
    message: 'eval_builtin_error: re_match: error parsing regexp: missing closing )',
  },
];

describe('deprecated builtins in strict mode', () => {
  it.each(strictCases)('$note', ({ fn, args, message }) => {
    rt.exports['rt_set_strict']!(1);
    try {
      expect(() => rt.call(`bi_${fn}`, ...args)).toThrow(`abort: ${message}`);
    } finally {
      rt.exports['rt_set_strict']!(0);
    }
  });
});
