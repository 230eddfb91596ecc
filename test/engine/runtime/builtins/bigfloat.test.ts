// OPA's number semantics through the built runtime (bi_* exports): non-integer arithmetic,
// division, abs/round/ceil/floor and sum/product as Go's big.Float computes them (64-bit
// mantissa, shortest round-tripping text), checked against hand-verified literals and against
// the independent BigInt model in float-oracle.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime, raw, type Arg, type Runtime } from './harness.js';
import { evaluate, type Op } from './float-oracle.js';
import { mulberry32 } from '../../../helpers/random.js';

let rt: Runtime;
beforeAll(async () => {
  rt = await loadRuntime();
}, 60000);

const FN: Record<string, string> = { '+': 'bi_plus', '-': 'bi_minus', '*': 'bi_mul', '/': 'bi_div' };

/** run calls a builtin on number literals and returns the result's JSON text ('undefined' for none). */
const run = (fn: string, ...args: Arg[]): string => {
  const r = rt.callPtr(fn, ...args);
  return r.ptr === 0 ? 'undefined' : rt.text(r);
};
const binary = (op: string, a: string, b: string): string => run(FN[op]!, raw(a), raw(b));

type Case = { note: string; op: string; a: string; b: string; want: string };

// Expected texts verified against Go's math/big (new(big.Float).SetString, Quo, Text).
const literalCases: Case[] = [
  { note: '1/3', op: '/', a: '1', b: '3', want: '0.33333333333333333334' },
  { note: '2/3', op: '/', a: '2', b: '3', want: '0.6666666666666666667' },
  { note: '10/3', op: '/', a: '10', b: '3', want: '3.3333333333333333333' },
  { note: '1/7', op: '/', a: '1', b: '7', want: '0.14285714285714285714' },
  { note: '0.1/3', op: '/', a: '0.1', b: '3', want: '0.033333333333333333335' },
  { note: '-1/3', op: '/', a: '-1', b: '3', want: '-0.33333333333333333334' },
  { note: '22/7', op: '/', a: '22', b: '7', want: '3.1428571428571428572' },
  { note: '(22/7)*7 is an integer again', op: '*', a: '3.1428571428571428572', b: '7', want: '22' },
  { note: '1e300/3 is integral at 64 bits: f format', op: '/', a: '1e300', b: '3', want: `33333333333333333334${'0'.repeat(280)}` },
  { note: '1/3e-300', op: '/', a: '1', b: '3e-300', want: `33333333333333333332${'0'.repeat(280)}` },
  { note: '1e6/3 stays fixed', op: '/', a: '1000000', b: '3', want: '333333.33333333333334' },
  { note: '1e7/3 switches to e+06', op: '/', a: '10000000', b: '3', want: '3.3333333333333333333e+06' },
  { note: '1e-7/3 switches to e-08', op: '/', a: '1e-7', b: '3', want: '3.3333333333333333333e-08' },
  { note: '1/3e5 switches to e-06', op: '/', a: '1', b: '3e5', want: '3.3333333333333333334e-06' },
  { note: 'exact fraction', op: '/', a: '1', b: '1024', want: '0.0009765625' },
  { note: 'exact decimal quotient', op: '/', a: '123456789', b: '1000', want: '123456.789' },
  { note: 'inexact small integers', op: '/', a: '7', b: '2', want: '3.5' },
  { note: 'big integers divide as floats', op: '/', a: '36893488147419103234', b: '2', want: '18446744073709551616' },
  { note: 'below the f64 range', op: '/', a: '5e-324', b: '3', want: '1.6666666666666666665e-324' },
  { note: 'above the f64 range', op: '*', a: '1.5', b: '1e400', want: `15${'0'.repeat(399)}` },
  { note: "Go's 5^400 is inexact at 128 bits", op: '*', a: '1e-400', b: '5', want: '4.9999999999999999997e-400' },
  { note: 'zero dividend, negative divisor', op: '/', a: '0', b: '-5', want: '-0' },
  { note: 'negative zero dividend', op: '/', a: '-0', b: '1', want: '-0' },
  { note: 'float zero dividend', op: '/', a: '0.0', b: '-7', want: '-0' },
  { note: 'zero over positive', op: '/', a: '0', b: '5', want: '0' },
  { note: '0.1 + 1e-30 rounds away the tail', op: '+', a: '0.1', b: '1e-30', want: '0.1' },
  { note: '0.1 - 1e-30', op: '-', a: '0.1', b: '1e-30', want: '0.1' },
  { note: '0.1 + 0.2', op: '+', a: '0.1', b: '0.2', want: '0.3' },
  { note: '0.1 * 0.1 shows the binary error', op: '*', a: '0.1', b: '0.1', want: '0.010000000000000000001' },
  { note: 'tiny addend to an integer', op: '+', a: '1e-400', b: '1', want: '1' },
  { note: 'negative float times zero', op: '*', a: '-0.5', b: '0', want: '-0' },
  { note: 'integers stay exact', op: '+', a: '18446744073709551617', b: '1', want: '18446744073709551618' },
  { note: 'integral float spellings stay exact', op: '+', a: '1e30', b: '1.0', want: '1000000000000000000000000000001' },
  { note: 'more digits than an f64 is not an integer', op: '+', a: '1.0000000000000000002', b: '1', want: '2.0000000000000000002' },
  { note: 'small integers', op: '*', a: '-6', b: '7', want: '-42' },
];

describe('OPA arithmetic, hand-checked', () => {
  it.each(literalCases)('$note', ({ op, a, b, want }) => {
    expect(binary(op, a, b)).toBe(want);
  });
});

type ZeroCase = { note: string; b: string };
const zeroDivisors: ZeroCase[] = [
  { note: 'integer zero', b: '0' },
  { note: 'negative zero', b: '-0' },
  { note: 'float zero', b: '0.0' },
  { note: 'exponent zero', b: '0e5' },
];

describe('division by any zero', () => {
  it.each(zeroDivisors)('$note', async ({ b }) => {
    const strict = await loadRuntime();
    strict.exports['rt_set_strict']!(1);
    expect(() => strict.call('bi_div', 1.5, raw(b))).toThrow('abort: eval_builtin_error: div: divide by zero');
  });
});

type UnaryCase = { note: string; fn: string; a: string; want: string };
const unaryCases: UnaryCase[] = [
  { note: 'abs float', fn: 'bi_abs', a: '-2.50', want: '2.5' },
  { note: 'abs exponent integer', fn: 'bi_abs', a: '-1e3', want: '1000' },
  { note: 'abs int64 min', fn: 'bi_abs', a: '-9223372036854775808', want: '9223372036854775808' },
  { note: 'abs beyond 64 bits rounds', fn: 'bi_abs', a: '-18446744073709551617', want: '18446744073709551616' },
  { note: 'abs negative zero float', fn: 'bi_abs', a: '-0.0', want: '0' },
  { note: 'round half away', fn: 'bi_round', a: '-2.5', want: '-3' },
  { note: 'round big integer to 64 bits', fn: 'bi_round', a: '123456789012345678901', want: '123456789012345678904' },
  { note: 'round adds one half at 64 bits (tie to even)', fn: 'bi_round', a: '9223372036854775809', want: '9223372036854775810' },
  { note: 'round negative zero', fn: 'bi_round', a: '-0.0', want: '0' },
  { note: 'round small negative', fn: 'bi_round', a: '-0.4', want: '0' },
  { note: 'ceil', fn: 'bi_ceil', a: '1.2', want: '2' },
  { note: 'ceil negative', fn: 'bi_ceil', a: '-1.8', want: '-1' },
  // OPA truncates first: (-1, 0) becomes +0, which is not negative, so one is added.
  { note: 'ceil in (-1, 0) is 1, as in OPA', fn: 'bi_ceil', a: '-0.5', want: '1' },
  { note: 'floor negative', fn: 'bi_floor', a: '-1.2', want: '-2' },
  { note: 'floor in (-1, 0) is 0, as in OPA', fn: 'bi_floor', a: '-0.5', want: '0' },
  { note: 'floor keeps integers', fn: 'bi_floor', a: '10.00', want: '10' },
  // The truncated integer keeps every bit (precision max(bits, 64)), so all its digits print.
  { note: 'floor of a float beyond 2^64', fn: 'bi_floor', a: '1.5e30', want: '1500000000000000000002684354560' },
];

describe('abs, round, ceil, floor as OPA', () => {
  it.each(unaryCases)('$note', ({ fn, a, want }) => {
    expect(run(fn, raw(a))).toBe(want);
  });
});

type FoldCase = { note: string; fn: string; items: string[]; want: string };
const foldCases: FoldCase[] = [
  { note: 'sum of integers is exact', fn: 'bi_sum', items: ['18446744073709551617', '1', '1e30'], want: '1000000000018446744073709551618' },
  {
    note: 'sum with a float accumulates at 64 bits',
    fn: 'bi_sum',
    items: ['0.5', '0.5', '1e30', '1'],
    want: '1000000000000000000000000000000',
  },
  { note: 'sum 0.1 + 0.2', fn: 'bi_sum', items: ['0.1', '0.2'], want: '0.3' },
  { note: 'product of floats at 53 bits (big.NewFloat(1))', fn: 'bi_product', items: ['0.1', '3'], want: '0.30000000000000004' },
  { note: 'product of integers is exact', fn: 'bi_product', items: ['18446744073709551617', '2'], want: '36893488147419103234' },
  { note: 'product with a negative zero', fn: 'bi_product', items: ['-0.5', '0'], want: '-0' },
];

describe('sum and product as OPA', () => {
  it.each(foldCases)('$note', ({ fn, items, want }) => {
    expect(
      run(
        fn,
        items.map((t) => raw(t)),
      ),
    ).toBe(want);
  });
});

/** numberText makes a random non-integer number literal (or, with ints, sometimes an integer). */
function numberText(rand: () => number, ints: boolean): string {
  const digits = (n: number): string => {
    let s = String(1 + Math.floor(rand() * 9));
    for (let i = 1; i < n; i++) s += String(Math.floor(rand() * 10));
    return s;
  };
  const sign = rand() < 0.3 ? '-' : '';
  const r = rand();
  if (ints && r < 0.25) return sign + digits(1 + Math.floor(rand() * 25));
  if (r < 0.5) return `${sign}${digits(1 + Math.floor(rand() * 6))}.${digits(1 + Math.floor(rand() * 14))}`;
  if (r < 0.8) return `${sign}${digits(1)}.${digits(1 + Math.floor(rand() * 24))}e${Math.floor(rand() * 80) - 40}`;
  return `${sign}${digits(1 + Math.floor(rand() * 4))}.5e${Math.floor(rand() * 800) - 400}`;
}

type Generated = { op: Op; a: string; b: string };
function generated(count: number): Generated[] {
  const rand = mulberry32(20240611);
  const ops: Op[] = ['+', '-', '*', '/'];
  const out: Generated[] = [];
  while (out.length < count) {
    const op = ops[Math.floor(rand() * ops.length)]!;
    const a = numberText(rand, op === '/');
    const b = numberText(rand, op === '/');
    if (op === '/' && /^-?0*(\.0*)?(e.*)?$/.test(b)) continue;
    out.push({ op, a, b });
  }
  return out;
}

describe('OPA arithmetic against the BigInt oracle', () => {
  it.each(literalCases)('the oracle agrees: $note', ({ op, a, b, want }) => {
    expect(evaluate(op as Op, a, b)).toBe(want);
  });

  it.each(generated(400).map((g, i) => ({ ...g, note: `#${i} ${g.a} ${g.op} ${g.b}` })))('$note', ({ op, a, b }) => {
    expect(binary(op, a, b)).toBe(evaluate(op, a, b));
  });
});
