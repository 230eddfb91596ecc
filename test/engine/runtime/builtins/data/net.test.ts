// net.cidr_* builtins through the built runtime.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime, type Arg, type Runtime } from '../harness.js';

let rt: Runtime;
beforeAll(async () => {
  rt = await loadRuntime();
}, 60000);

type Case = { note: string; fn: string; args: Arg[]; want: unknown };

const C = 'bi_net_cidr_contains';
const I = 'bi_net_cidr_intersects';
const V = 'bi_net_cidr_is_valid';
const E = 'bi_net_cidr_expand';

const cases: Case[] = [
  { note: 'contains ip', fn: C, args: ['10.0.0.0/8', '10.1.2.3'], want: true },
  { note: 'contains ip outside', fn: C, args: ['10.0.0.0/8', '11.0.0.1'], want: false },
  { note: 'contains unmasked cidr base', fn: C, args: ['10.1.2.3/16', '10.1.200.1'], want: true },
  { note: 'contains cidr', fn: C, args: ['10.0.0.0/8', '10.1.0.0/16'], want: true },
  { note: 'contains wider cidr', fn: C, args: ['10.1.0.0/16', '10.0.0.0/8'], want: false },
  { note: 'contains ipv6', fn: C, args: ['2001:db8::/32', '2001:db8:1::1'], want: true },
  { note: 'contains ipv6 outside', fn: C, args: ['2001:db8::/32', '2001:db9::1'], want: false },
  { note: 'contains mixed families', fn: C, args: ['10.0.0.0/8', '::1'], want: false },
  { note: 'contains v4-mapped ip', fn: C, args: ['10.0.0.0/8', '::ffff:10.0.0.1'], want: true },
  { note: 'contains invalid cidr', fn: C, args: ['10.0.0.0/33', '10.0.0.1'], want: undefined },
  { note: 'contains invalid second', fn: C, args: ['10.0.0.0/8', 'nope'], want: undefined },
  { note: 'intersects', fn: I, args: ['192.168.0.0/16', '192.168.1.0/24'], want: true },
  { note: 'intersects reversed', fn: I, args: ['192.168.1.0/24', '192.168.0.0/16'], want: true },
  { note: 'intersects disjoint', fn: I, args: ['192.168.1.0/24', '192.168.2.0/24'], want: false },
  { note: 'is_valid v4', fn: V, args: ['10.0.0.0/8'], want: true },
  { note: 'is_valid v6', fn: V, args: ['fe80::/10'], want: true },
  { note: 'is_valid no prefix', fn: V, args: ['10.0.0.1'], want: false },
  { note: 'is_valid leading zero', fn: V, args: ['010.0.0.0/8'], want: false },
  { note: 'is_valid bad v6', fn: V, args: ['1::2::3/64'], want: false },
  { note: 'is_valid non-string', fn: V, args: [1], want: false },
  { note: 'expand /30', fn: E, args: ['192.168.0.4/30'], want: ['192.168.0.4', '192.168.0.5', '192.168.0.6', '192.168.0.7'] },
  { note: 'expand unmasked /31', fn: E, args: ['10.0.0.255/31'], want: ['10.0.0.254', '10.0.0.255'] },
  { note: 'expand /32', fn: E, args: ['1.2.3.4/32'], want: ['1.2.3.4'] },
  { note: 'expand carries', fn: E, args: ['10.0.0.255/32'], want: ['10.0.0.255'] },
  { note: 'expand ipv6', fn: E, args: ['2001:db8::/127'], want: ['2001:db8::', '2001:db8::1'] },
  { note: 'expand ipv6 zero run', fn: E, args: ['1:0:0:1::/128'], want: ['1:0:0:1::'] },
  { note: 'expand too large', fn: E, args: ['10.0.0.0/8'], want: undefined },
];

describe('net builtins', () => {
  it.each(cases)('$note', ({ fn, args, want }) => {
    expect(rt.call(fn, ...args)).toEqual(want);
  });
});

type StrictCase = { note: string; fn: string; args: Arg[]; message: string };

const strictCases: StrictCase[] = [
  { note: 'invalid cidr', fn: C, args: ['1.2.3.4/40', '1.2.3.4'], message: 'eval_builtin_error: net.cidr_contains: invalid CIDR address: 1.2.3.4/40' },
  { note: 'type', fn: I, args: ['1.2.3.4/8', 1], message: 'eval_type_error: net.cidr_intersects: operand 2 must be string but got number' },
];

describe('net strict errors', () => {
  it.each(strictCases)('$note', async ({ fn, args, message }) => {
    const strict = await loadRuntime();
    strict.exports['rt_set_strict']!(1);
    expect(() => strict.call(fn, ...args)).toThrow(message);
  });
});
