// Operators, aggregates and casts through the built runtime (bi_* exports), as OPA evaluates them.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime, raw, set, type Arg, type Runtime } from './harness.js';

let rt: Runtime;
beforeAll(async () => {
  rt = await loadRuntime();
}, 60000);

type Case = { note: string; fn: string; args: Arg[]; want: unknown };

const cases: Case[] = [
  { note: 'plus ints', fn: 'bi_plus', args: [1, 2], want: 3 },
  { note: 'plus decimals exact', fn: 'bi_plus', args: [0.1, 0.2], want: 0.3 },
  { note: 'plus float+int', fn: 'bi_plus', args: [1, 2.5], want: 3.5 },
  { note: 'plus trailing zeros', fn: 'bi_plus', args: [raw('10.00'), 5], want: 15 },
  { note: 'plus type error', fn: 'bi_plus', args: ['a', 1], want: undefined },
  { note: 'plus undefined operand', fn: 'bi_plus', args: [undefined, 1], want: undefined },
  { note: 'minus ints', fn: 'bi_minus', args: [1, 5], want: -4 },
  { note: 'minus sets', fn: 'bi_minus', args: [set(1, 2, 3), set(2)], want: [1, 3] },
  { note: 'minus set and number', fn: 'bi_minus', args: [set(1), 1], want: undefined },
  { note: 'mul', fn: 'bi_mul', args: [2.5, 2], want: 5 },
  { note: 'div exact', fn: 'bi_div', args: [6, 3], want: 2 },
  { note: 'div fraction', fn: 'bi_div', args: [1, 4], want: 0.25 },
  { note: 'div by zero', fn: 'bi_div', args: [1, 0], want: undefined },
  { note: 'div by float zero', fn: 'bi_div', args: [1, raw('0.0')], want: undefined },
  { note: 'rem negative dividend', fn: 'bi_rem', args: [-17, 5], want: -2 },
  { note: 'rem negative divisor', fn: 'bi_rem', args: [17, -5], want: 2 },
  { note: 'rem integral float', fn: 'bi_rem', args: [raw('4.0'), 3], want: 1 },
  { note: 'rem float', fn: 'bi_rem', args: [4.5, 3], want: undefined },
  { note: 'rem by zero', fn: 'bi_rem', args: [4, 0], want: undefined },
  { note: 'and', fn: 'bi_and', args: [set(1, 2, 3), set(2, 3, 4)], want: [2, 3] },
  { note: 'or', fn: 'bi_or', args: [set(1, 2), set(3)], want: [1, 2, 3] },
  { note: 'and non-set', fn: 'bi_and', args: [[1], set(1)], want: undefined },
  { note: 'equal 1 == 1.0', fn: 'bi_equal', args: [1, raw('1.0')], want: true },
  { note: 'equal composite', fn: 'bi_equal', args: [{ a: [1, 2] }, { a: [1, 2] }], want: true },
  { note: 'neq', fn: 'bi_neq', args: ['a', 'b'], want: true },
  { note: 'lt across types', fn: 'bi_lt', args: [null, false], want: true },
  { note: 'lt numbers', fn: 'bi_lt', args: [3, 3.5], want: true },
  { note: 'lte equal', fn: 'bi_lte', args: [raw('3.50'), 3.5], want: true },
  { note: 'gt strings', fn: 'bi_gt', args: ['b', 'a'], want: true },
  {
    note: 'gte arrays',
    fn: 'bi_gte',
    args: [
      [1, 2],
      [1, 3],
    ],
    want: false,
  },
  { note: 'member_2 array', fn: 'bi_internal_member_2', args: [2, [1, 2]], want: true },
  { note: 'member_2 set miss', fn: 'bi_internal_member_2', args: [3, set(1, 2)], want: false },
  { note: 'member_2 object value', fn: 'bi_internal_member_2', args: ['v', { k: 'v' }], want: true },
  { note: 'member_2 object key is not a value', fn: 'bi_internal_member_2', args: ['k', { k: 'v' }], want: false },
  { note: 'member_2 string', fn: 'bi_internal_member_2', args: ['a', 'abc'], want: false },
  { note: 'member_3 array', fn: 'bi_internal_member_3', args: [1, 'b', ['a', 'b']], want: true },
  { note: 'member_3 array float index', fn: 'bi_internal_member_3', args: [0.5, 'a', ['a']], want: false },
  { note: 'member_3 object', fn: 'bi_internal_member_3', args: ['k', 'v', { k: 'v' }], want: true },
  { note: 'member_3 object wrong value', fn: 'bi_internal_member_3', args: ['k', 'w', { k: 'v' }], want: false },
  { note: 'count array', fn: 'bi_count', args: [[1, 2, 3]], want: 3 },
  { note: 'count string code points', fn: 'bi_count', args: ['héllo🍧'], want: 6 },
  { note: 'count object', fn: 'bi_count', args: [{ a: 1 }], want: 1 },
  { note: 'count set', fn: 'bi_count', args: [set(1, 1, 2)], want: 2 },
  { note: 'count number', fn: 'bi_count', args: [1], want: undefined },
  { note: 'sum', fn: 'bi_sum', args: [[1, 2, 3.5]], want: 6.5 },
  { note: 'sum set', fn: 'bi_sum', args: [set(1, 2)], want: 3 },
  { note: 'sum empty', fn: 'bi_sum', args: [[]], want: 0 },
  { note: 'sum non-number', fn: 'bi_sum', args: [[1, 'a']], want: undefined },
  { note: 'product', fn: 'bi_product', args: [[2, 3, 4]], want: 24 },
  { note: 'product empty', fn: 'bi_product', args: [[]], want: 1 },
  { note: 'max', fn: 'bi_max', args: [[1, 5, 3]], want: 5 },
  { note: 'max mixed types', fn: 'bi_max', args: [[1, 'a', null]], want: 'a' },
  { note: 'max empty', fn: 'bi_max', args: [[]], want: undefined },
  { note: 'min set', fn: 'bi_min', args: [set(4, 2, 9)], want: 2 },
  {
    note: 'sort array',
    fn: 'bi_sort',
    args: [[3, 'a', 1, null, [1], 2, 10, 9, 8, 7, 6, 5]],
    want: [null, 1, 2, 3, 5, 6, 7, 8, 9, 10, 'a', [1]],
  },
  { note: 'sort set', fn: 'bi_sort', args: [set('b', 'a')], want: ['a', 'b'] },
  { note: 'sort object', fn: 'bi_sort', args: [{ a: 1 }], want: undefined },
  { note: 'abs negative', fn: 'bi_abs', args: [-5], want: 5 },
  { note: 'abs float', fn: 'bi_abs', args: [-2.5], want: 2.5 },
  { note: 'to_number string', fn: 'bi_to_number', args: ['-3.5'], want: -3.5 },
  { note: 'to_number exponent', fn: 'bi_to_number', args: ['1e3'], want: 1000 },
  { note: 'to_number true', fn: 'bi_to_number', args: [true], want: 1 },
  { note: 'to_number null', fn: 'bi_to_number', args: [null], want: 0 },
  { note: 'to_number number', fn: 'bi_to_number', args: [7], want: 7 },
  { note: 'to_number bad', fn: 'bi_to_number', args: ['broken'], want: undefined },
  { note: 'to_number nan', fn: 'bi_to_number', args: ['nan'], want: undefined },
  { note: 'to_number array', fn: 'bi_to_number', args: [[1]], want: undefined },
  { note: 'format_int hex', fn: 'bi_format_int', args: [255, 16], want: 'ff' },
  { note: 'format_int binary', fn: 'bi_format_int', args: [5, 2], want: '101' },
  { note: 'format_int truncates', fn: 'bi_format_int', args: [3.9, 10], want: '3' },
  { note: 'format_int negative', fn: 'bi_format_int', args: [-3.9, 8], want: '-3' },
  { note: 'format_int bad base', fn: 'bi_format_int', args: [3, 7], want: undefined },
];

describe('operators, aggregates, casts', () => {
  it.each(cases)('$note', ({ fn, args, want }) => {
    expect(rt.call(fn, ...args)).toEqual(want);
  });
});

const sprintfNum = (v: Arg): unknown => rt.call('bi_sprintf', '%v', [v]);

type BigCase = { note: string; fn: string; a: string; b: string; want: string };
const bigCases: BigCase[] = [
  { note: 'add beyond 2^64', fn: 'bi_plus', a: '18446744073709551617', b: '1', want: '18446744073709551618' },
  { note: 'sub beyond 2^64', fn: 'bi_minus', a: '18446744073709551617', b: '1', want: '18446744073709551616' },
  { note: 'mul beyond 2^64', fn: 'bi_mul', a: '18446744073709551617', b: '2', want: '36893488147419103234' },
  { note: 'negative sub', fn: 'bi_minus', a: '-18446744073709551617', b: '1', want: '-18446744073709551618' },
  { note: 'int32 mul', fn: 'bi_mul', a: '2147483647', b: '2147483647', want: '4611686014132420609' },
  { note: 'int64 edge', fn: 'bi_plus', a: '9223372036854775807', b: '1', want: '9223372036854775808' },
  { note: 'exponent form', fn: 'bi_plus', a: '1e30', b: '1', want: '1000000000000000000000000000001' },
  { note: 'rem by 2^64', fn: 'bi_rem', a: '10', b: '18446744073709551616', want: '10' },
  { note: 'rem by -2^64', fn: 'bi_rem', a: '100', b: '-18446744073709551616', want: '100' },
  { note: 'rem big dividend', fn: 'bi_rem', a: '18446744073709551617', b: '18446744073709551616', want: '1' },
  { note: 'rem 2^128', fn: 'bi_rem', a: '7', b: '340282366920938463463374607431768211456', want: '7' },
  // OPA divides integers outside the int32 window as 64-bit-mantissa floats: 2^65 + 2 rounds to 2^65.
  { note: 'div big integers through floats', fn: 'bi_div', a: '36893488147419103234', b: '2', want: '18446744073709551616' },
];

describe('exact big numbers', () => {
  it.each(bigCases)('$note', ({ fn, a, b, want }) => {
    const r = rt.callPtr(fn, raw(a), raw(b));
    expect(r.ptr).not.toBe(0);
    expect(rt.call('bi_sprintf', '%v', [r])).toBe(want);
  });
  it('abs of int64 min stays exact', () => {
    expect(rt.call('bi_sprintf', '%v', [rt.callPtr('bi_abs', raw('-9223372036854775808'))])).toBe('9223372036854775808');
    expect(sprintfNum(rt.callPtr('bi_abs', -2147483648))).toBe('2147483648');
  });
});

type StrictCase = { note: string; fn: string; args: Arg[]; message: string };
const strictCases: StrictCase[] = [
  { note: 'div by zero aborts', fn: 'bi_div', args: [1, 0], message: 'abort: eval_builtin_error: div: divide by zero' },
  {
    note: 'count type error aborts',
    fn: 'bi_count',
    args: [1],
    message: 'abort: eval_type_error: count: operand 1 must be one of {array, object, set, string} but got number',
  },
  {
    note: 'plus type error aborts',
    fn: 'bi_plus',
    args: [1, 'a'],
    message: 'abort: eval_type_error: plus: operand 2 must be number but got string',
  },
];

describe('strict builtin errors', () => {
  it.each(strictCases)('$note', async ({ fn, args, message }) => {
    const strict = await loadRuntime();
    strict.exports['rt_set_strict']!(1);
    expect(() => strict.call(fn, ...args)).toThrow(message);
  });
  it('prefixes the call location when set', async () => {
    const strict = await loadRuntime();
    strict.exports['rt_set_strict']!(1);
    const loc = new TextEncoder().encode('policy.rego:3\0');
    const addr = strict.exports['opa_malloc']!(loc.length);
    strict.write(addr, loc);
    strict.exports['rt_set_location']!(addr);
    expect(() => strict.call('bi_div', 1, 0)).toThrow('abort: policy.rego:3: eval_builtin_error: div: divide by zero');
  });
});
