// Number builtins of the "data" family (round, ceil, floor, numbers.range*) through the built
// runtime; the bits.* builtins are in bits.test.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime, raw, type Arg, type Runtime } from '../harness.js';

let rt: Runtime;
beforeAll(async () => {
  rt = await loadRuntime();
}, 60000);

type Case = { note: string; fn: string; args: Arg[]; want: unknown };

const cases: Case[] = [
  { note: 'round half away from zero', fn: 'bi_round', args: [2.5], want: 3 },
  { note: 'round negative half', fn: 'bi_round', args: [-2.5], want: -3 },
  { note: 'round down', fn: 'bi_round', args: [2.4], want: 2 },
  { note: 'round integer literal kept', fn: 'bi_round', args: [raw('-5')], want: -5 },
  { note: 'round trailing zeros', fn: 'bi_round', args: [raw('10.00')], want: 10 },
  { note: 'round type error', fn: 'bi_round', args: ['1'], want: undefined },
  { note: 'ceil', fn: 'bi_ceil', args: [1.2], want: 2 },
  { note: 'ceil negative', fn: 'bi_ceil', args: [-1.8], want: -1 },
  { note: 'floor', fn: 'bi_floor', args: [1.8], want: 1 },
  { note: 'floor negative', fn: 'bi_floor', args: [-1.2], want: -2 },
  { note: 'range ascending', fn: 'bi_numbers_range', args: [1, 4], want: [1, 2, 3, 4] },
  { note: 'range descending', fn: 'bi_numbers_range', args: [2, -1], want: [2, 1, 0, -1] },
  { note: 'range single', fn: 'bi_numbers_range', args: [3, 3], want: [3] },
  { note: 'range float', fn: 'bi_numbers_range', args: [1.5, 3], want: undefined },
  { note: 'range_step', fn: 'bi_numbers_range_step', args: [0, 10, 3], want: [0, 3, 6, 9] },
  { note: 'range_step descending', fn: 'bi_numbers_range_step', args: [10, 0, 5], want: [10, 5, 0] },
  { note: 'range_step zero step', fn: 'bi_numbers_range_step', args: [0, 10, 0], want: undefined },
];

describe('data numbers builtins', () => {
  it.each(cases)('$note', ({ fn, args, want }) => {
    expect(rt.call(fn, ...args)).toEqual(want);
  });
});

type TextCase = { note: string; fn: string; args: Arg[]; text: string };

const textCases: TextCase[] = [
  // OPA rounds through a 64-bit-mantissa float: the integer loses its low bits.
  { note: 'round big integer to 64 bits', fn: 'bi_round', args: [raw('123456789012345678901')], text: '123456789012345678904' },
];

describe('data numbers exact text', () => {
  it.each(textCases)('$note', ({ fn, args, text }) => {
    const r = rt.callPtr(fn, ...args);
    expect(rt.call('bi_sprintf', '%v', [r])).toBe(text);
  });
});

type StrictCase = { note: string; fn: string; args: Arg[]; message: string };

const strictCases: StrictCase[] = [
  { note: 'round type', fn: 'bi_round', args: ['x'], message: 'eval_type_error: round: operand 1 must be number but got string' },
  {
    note: 'range float',
    fn: 'bi_numbers_range',
    args: [1, 2.5],
    message: 'numbers.range: operand 2 must be integer number but got floating-point number',
  },
  {
    note: 'range_step step',
    fn: 'bi_numbers_range_step',
    args: [1, 2, -1],
    message: 'eval_builtin_error: numbers.range_step: step must be a positive number above zero',
  },
];

describe('data numbers strict errors', () => {
  it.each(strictCases)('$note', async ({ fn, args, message }) => {
    const strict = await loadRuntime();
    strict.exports['rt_set_strict']!(1);
    expect(() => strict.call(fn, ...args)).toThrow(message);
  });
});
