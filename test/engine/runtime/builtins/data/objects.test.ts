// Object and array builtins of the "data" family through the built runtime.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime, set, type Arg, type Runtime } from '../harness.js';

let rt: Runtime;
beforeAll(async () => {
  rt = await loadRuntime();
}, 60000);

type Case = { note: string; fn: string; args: Arg[]; want: unknown };

const cases: Case[] = [
  { note: 'object.remove array keys', fn: 'bi_object_remove', args: [{ a: 1, b: 2, c: 3 }, ['a', 'c']], want: { b: 2 } },
  { note: 'object.remove set keys', fn: 'bi_object_remove', args: [{ a: 1, b: 2 }, set('b')], want: { a: 1 } },
  { note: 'object.remove object keys', fn: 'bi_object_remove', args: [{ a: 1, b: 2 }, { a: 'x' }], want: { b: 2 } },
  { note: 'object.remove missing keys', fn: 'bi_object_remove', args: [{ a: 1 }, ['z']], want: { a: 1 } },
  { note: 'object.remove bad keys type', fn: 'bi_object_remove', args: [{ a: 1 }, 'a'], want: undefined },
  { note: 'object.filter', fn: 'bi_object_filter', args: [{ a: 1, b: 2, c: 3 }, ['a', 'c']], want: { a: 1, c: 3 } },
  { note: 'object.filter set', fn: 'bi_object_filter', args: [{ a: 1, b: 2 }, set('b', 'z')], want: { b: 2 } },
  { note: 'object.filter non-object', fn: 'bi_object_filter', args: [[1], ['a']], want: undefined },
  { note: 'object.union right wins', fn: 'bi_object_union', args: [{ a: 1, b: 2 }, { b: 3 }], want: { a: 1, b: 3 } },
  {
    note: 'object.union recursive',
    fn: 'bi_object_union',
    args: [{ a: { b: 1, c: 2 } }, { a: { c: 3, d: 4 } }],
    want: { a: { b: 1, c: 3, d: 4 } },
  },
  { note: 'object.union object replaced by scalar', fn: 'bi_object_union', args: [{ a: { b: 1 } }, { a: 5 }], want: { a: 5 } },
  { note: 'object.union_n', fn: 'bi_object_union_n', args: [[{ a: 1 }, { b: 2 }, { a: 3 }]], want: { a: 3, b: 2 } },
  { note: 'object.union_n empty', fn: 'bi_object_union_n', args: [[]], want: {} },
  { note: 'object.union_n non-object element', fn: 'bi_object_union_n', args: [[{ a: 1 }, 2]], want: undefined },
  { note: 'object.subset objects', fn: 'bi_object_subset', args: [{ a: 1, b: { c: 2, d: 3 } }, { b: { c: 2 } }], want: true },
  { note: 'object.subset object miss', fn: 'bi_object_subset', args: [{ a: 1 }, { a: 2 }], want: false },
  { note: 'object.subset nested sets', fn: 'bi_object_subset', args: [{ x: set(10, 15, 20, 25) }, { x: set(10, 20) }], want: true },
  { note: 'object.subset sets', fn: 'bi_object_subset', args: [set(1, 2, 3), set(1, 3)], want: true },
  { note: 'object.subset sets miss', fn: 'bi_object_subset', args: [set(1, 2), set(4)], want: false },
  {
    note: 'object.subset arrays contiguous',
    fn: 'bi_object_subset',
    args: [
      [1, 2, 3, 4],
      [2, 3],
    ],
    want: true,
  },
  {
    note: 'object.subset arrays not contiguous',
    fn: 'bi_object_subset',
    args: [
      [1, 2, 3, 4],
      [2, 4],
    ],
    want: false,
  },
  { note: 'object.subset array and set', fn: 'bi_object_subset', args: [[1, 2, 3], set(3, 1)], want: true },
  { note: 'object.subset mixed types', fn: 'bi_object_subset', args: [{ a: 1 }, [1]], want: undefined },
  { note: 'array.reverse', fn: 'bi_array_reverse', args: [[1, 'a', null]], want: [null, 'a', 1] },
  { note: 'array.reverse empty', fn: 'bi_array_reverse', args: [[]], want: [] },
  { note: 'array.reverse non-array', fn: 'bi_array_reverse', args: [set(1)], want: undefined },
  { note: 'array.flatten arrays', fn: 'bi_array_flatten', args: [[[1, 2], [3], []]], want: [1, 2, 3] },
  { note: 'array.flatten one level only', fn: 'bi_array_flatten', args: [[[1, [2, [3]]], [[4]]]], want: [1, [2, [3]], [4]] },
  {
    note: 'array.flatten keeps other items in place',
    fn: 'bi_array_flatten',
    args: [['a', [1, 2], null, { k: [3] }, [true]]],
    want: ['a', 1, 2, null, { k: [3] }, true],
  },
  { note: 'array.flatten leaves sets whole', fn: 'bi_array_flatten', args: [[set(2, 1), [0]]], want: [[1, 2], 0] },
  { note: 'array.flatten keeps duplicates', fn: 'bi_array_flatten', args: [[[1], [1], 1]], want: [1, 1, 1] },
  { note: 'array.flatten empty', fn: 'bi_array_flatten', args: [[]], want: [] },
  { note: 'array.flatten non-array', fn: 'bi_array_flatten', args: [set([1])], want: undefined },
];

describe('data object and array builtins', () => {
  it.each(cases)('$note', ({ fn, args, want }) => {
    expect(rt.call(fn, ...args)).toEqual(want);
  });
});

type StrictCase = { note: string; fn: string; args: Arg[]; message: string };

const strictCases: StrictCase[] = [
  {
    note: 'array.flatten number',
    fn: 'bi_array_flatten',
    args: [1],
    message: 'eval_type_error: array.flatten: operand 1 must be array but got number',
  },
  {
    note: 'array.flatten set',
    fn: 'bi_array_flatten',
    args: [set()],
    message: 'eval_type_error: array.flatten: operand 1 must be array but got set',
  },
];

describe('data object and array builtins in strict mode', () => {
  it.each(strictCases)('$note', ({ fn, args, message }) => {
    rt.exports['rt_set_strict']!(1);
    try {
      expect(() => rt.call(fn, ...args)).toThrow(`abort: ${message}`);
    } finally {
      rt.exports['rt_set_strict']!(0);
    }
  });
});
