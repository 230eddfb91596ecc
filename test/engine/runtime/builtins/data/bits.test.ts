// The bits.* builtins through the built runtime, on integers of any size, as OPA computes them
// with Go's big.Int: JavaScript's BigInt has the same two's complement semantics (unbounded sign
// extension, right shifts rounding towards -infinity), so it is the oracle for generated cases.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime, raw, type Arg, type Runtime } from '../harness.js';

let rt: Runtime;
beforeAll(async () => {
  rt = await loadRuntime();
}, 60000);

/** run calls a builtin and returns the result's JSON text ('undefined' for none). */
const run = (fn: string, ...args: Arg[]): string => {
  const r = rt.callPtr(fn, ...args);
  return r.ptr === 0 ? 'undefined' : rt.text(r);
};

type Case = { note: string; fn: string; args: string[]; want: string };

const cases: Case[] = [
  { note: 'and', fn: 'bi_bits_and', args: ['12', '10'], want: '8' },
  { note: 'or', fn: 'bi_bits_or', args: ['12', '10'], want: '14' },
  { note: 'xor', fn: 'bi_bits_xor', args: ['12', '10'], want: '6' },
  { note: 'negate', fn: 'bi_bits_negate', args: ['5'], want: '-6' },
  { note: 'lsh', fn: 'bi_bits_lsh', args: ['1', '10'], want: '1024' },
  { note: 'lsh beyond 2^53', fn: 'bi_bits_lsh', args: ['3', '60'], want: '3458764513820540928' },
  { note: 'lsh beyond 2^64', fn: 'bi_bits_lsh', args: ['1', '100'], want: '1267650600228229401496703205376' },
  { note: 'lsh negative beyond 2^64', fn: 'bi_bits_lsh', args: ['-3', '70'], want: '-3541774862152233910272' },
  { note: 'lsh of zero by a lot', fn: 'bi_bits_lsh', args: ['0', '1000000'], want: '0' },
  { note: 'rsh', fn: 'bi_bits_rsh', args: ['1024', '3'], want: '128' },
  { note: 'rsh negative rounds down', fn: 'bi_bits_rsh', args: ['-5', '1'], want: '-3' },
  { note: 'rsh of a big negative past its width', fn: 'bi_bits_rsh', args: ['-18446744073709551617', '200'], want: '-1' },
  { note: 'rsh big', fn: 'bi_bits_rsh', args: ['1267650600228229401496703205376', '99'], want: '2' },
  { note: 'and of two negatives', fn: 'bi_bits_and', args: ['-6', '-3'], want: '-8' },
  { note: 'and negative with big positive', fn: 'bi_bits_and', args: ['-1', '18446744073709551617'], want: '18446744073709551617' },
  { note: 'or beyond 2^53', fn: 'bi_bits_or', args: ['9007199254740993', '0'], want: '9007199254740993' },
  { note: 'xor big negatives', fn: 'bi_bits_xor', args: ['-18446744073709551616', '-1'], want: '18446744073709551615' },
  { note: 'negate big', fn: 'bi_bits_negate', args: ['18446744073709551616'], want: '-18446744073709551617' },
  { note: 'integral float spellings are integers', fn: 'bi_bits_and', args: ['1e3', '1000.0'], want: '1000' },
  { note: 'float operand', fn: 'bi_bits_and', args: ['1.5', '1'], want: 'undefined' },
  { note: 'more digits than an f64 is not an integer', fn: 'bi_bits_or', args: ['1.0000000000000000001', '0'], want: 'undefined' },
  { note: 'negative shift count', fn: 'bi_bits_lsh', args: ['1', '-1'], want: 'undefined' },
  { note: 'result beyond 65536 bits is refused', fn: 'bi_bits_lsh', args: ['1', '65536'], want: 'undefined' },
];

describe('bits.* on any integer', () => {
  it.each(cases)('$note', ({ fn, args, want }) => {
    expect(run(fn, ...args.map((a) => raw(a)))).toBe(want);
  });
});

type StrictCase = { note: string; fn: string; args: string[]; message: string };

const strictCases: StrictCase[] = [
  {
    note: 'negative shift',
    fn: 'bi_bits_lsh',
    args: ['1', '-2'],
    message: 'eval_type_error: bits.lsh: operand 2 must be an unsigned integer number but got a negative integer',
  },
  {
    note: 'negative big shift',
    fn: 'bi_bits_rsh',
    args: ['18446744073709551617', '-18446744073709551617'],
    message: 'bits.rsh: operand 2 must be an unsigned integer number but got a negative integer',
  },
  {
    note: 'float operand',
    fn: 'bi_bits_xor',
    args: ['1', '2.5'],
    message: 'eval_type_error: bits.xor: operand 2 must be integer number but got floating-point number',
  },
  { note: 'too wide', fn: 'bi_bits_lsh', args: ['1', '70000'], message: 'eval_builtin_error: bits.lsh: result exceeds 65536 bits' },
];

describe('bits.* strict errors', () => {
  it.each(strictCases)('$note', async ({ fn, args, message }) => {
    const strict = await loadRuntime();
    strict.exports['rt_set_strict']!(1);
    expect(() => strict.call(fn, ...args.map((a) => raw(a)))).toThrow(message);
  });
});

/** randomInt makes a deterministic signed integer of up to `bits` bits. */
function randomInt(next: () => number, bits: number): bigint {
  let v = 0n;
  const n = 1 + Math.floor(next() * bits);
  for (let i = 0; i < n; i++) v = (v << 1n) | (next() < 0.5 ? 1n : 0n);
  return next() < 0.4 ? -v : v;
}

type Generated = { note: string; fn: string; args: string[]; want: string };

function generated(count: number): Generated[] {
  let seed = 7;
  const next = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const ops: Array<[string, (a: bigint, b: bigint) => bigint]> = [
    ['bi_bits_and', (a, b) => a & b],
    ['bi_bits_or', (a, b) => a | b],
    ['bi_bits_xor', (a, b) => a ^ b],
    ['bi_bits_lsh', (a, b) => a << b],
    ['bi_bits_rsh', (a, b) => a >> b],
  ];
  const out: Generated[] = [];
  for (let i = 0; i < count; i++) {
    const [fn, f] = ops[i % ops.length]!;
    const a = randomInt(next, next() < 0.5 ? 60 : 200);
    const shift = fn === 'bi_bits_lsh' || fn === 'bi_bits_rsh';
    const b = shift ? BigInt(Math.floor(next() * 130)) : randomInt(next, next() < 0.5 ? 60 : 200);
    out.push({ note: `#${i} ${fn} ${a} ${b}`, fn, args: [String(a), String(b)], want: String(f(a, b)) });
  }
  for (let i = 0; i < 20; i++) {
    const a = randomInt(next, 200);
    out.push({ note: `negate ${a}`, fn: 'bi_bits_negate', args: [String(a)], want: String(~a) });
  }
  return out;
}

describe('bits.* against BigInt', () => {
  it.each(generated(200))('$note', ({ fn, args, want }) => {
    expect(run(fn, ...args.map((a) => raw(a)))).toBe(want);
  });
});
