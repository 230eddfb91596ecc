// net.cidr_* builtins through the built runtime; net.cidr_merge and net.cidr_contains_matches
// cases follow OPA's own test cases (test/cases/testdata/netcidrmerge, netcidrcontainsmatches).
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime, set, type Arg, type Runtime } from '../harness.js';

let rt: Runtime;
beforeAll(async () => {
  rt = await loadRuntime();
}, 60000);

type Case = { note: string; fn: string; args: Arg[]; want: unknown };

const C = 'bi_net_cidr_contains';
const I = 'bi_net_cidr_intersects';
const V = 'bi_net_cidr_is_valid';
const E = 'bi_net_cidr_expand';
const O = 'bi_net_cidr_overlap';
const M = 'bi_net_cidr_contains_matches';
const G = 'bi_net_cidr_merge';

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
  { note: 'overlap is contains', fn: O, args: ['10.0.0.0/8', '10.1.0.0/16'], want: true },
  { note: 'overlap outside', fn: O, args: ['10.0.0.0/8', '11.0.0.0/16'], want: false },
  { note: 'matches strings are their own keys', fn: M, args: ['1.1.1.0/24', '1.1.1.128'], want: [['1.1.1.0/24', '1.1.1.128']] },
  { note: 'matches none', fn: M, args: ['1.1.1.0/24', '1.1.2.1'], want: [] },
  { note: 'matches array keys are indexes', fn: M, args: [['1.1.1.0/24', '1.1.2.0/24'], '1.1.1.128'], want: [[0, '1.1.1.128']] },
  {
    note: 'matches tuples use their first item',
    fn: M,
    args: [
      [['1.1.0.0/16', 'foo'], '1.1.2.0/24'],
      ['1.1.1.128', ['1.1.254.254', 'bar']],
    ],
    want: [
      [0, 0],
      [0, 1],
    ],
  },
  {
    note: 'matches set keys are the members',
    fn: M,
    args: [set('1.1.1.0/24', '1.1.2.0/24'), set('1.1.1.1', '1.1.2.1')],
    want: [
      ['1.1.1.0/24', '1.1.1.1'],
      ['1.1.2.0/24', '1.1.2.1'],
    ],
  },
  {
    note: 'matches set tuples are keyed whole',
    fn: M,
    args: [set(['1.1.0.0/16', 'foo'], '1.1.2.0/24'), { x: '1.1.1.128', y: ['1.1.254.254', 'bar'] }],
    want: [
      [['1.1.0.0/16', 'foo'], 'x'],
      [['1.1.0.0/16', 'foo'], 'y'],
    ],
  },
  {
    note: 'matches object keys',
    fn: M,
    args: [{ k1: '1.1.1.1/24', k2: ['1.1.1.2/24', 1] }, '1.1.1.128'],
    want: [
      ['k1', '1.1.1.128'],
      ['k2', '1.1.1.128'],
    ],
  },
  { note: 'matches a contained cidr', fn: M, args: [['10.0.0.0/8'], ['10.1.0.0/16', '10.0.0.0/7']], want: [[0, 0]] },
  { note: 'matches ipv6', fn: M, args: ['2001:db8::/32', ['2001:db8::1', '2001:db9::1']], want: [['2001:db8::/32', 0]] },
  { note: 'matches an operand of another type has no items', fn: M, args: [1, '1.1.1.1'], want: [] },
  { note: 'matches an empty first operand checks nothing else', fn: M, args: [[], [1]], want: [] },
  { note: 'matches an empty tuple', fn: M, args: [set(['1.1.1.0/24', 'bar']), set([], ['1.1.2.1', 'qux'])], want: undefined },
  { note: 'matches a bad element', fn: M, args: [set(['1.1.1.0/24', 'bar']), set(1, ['1.1.2.1', 'qux'])], want: undefined },
  { note: 'matches an invalid address', fn: M, args: ['1.1.1.0/24', 'nope'], want: undefined },
  { note: 'merge single subnet', fn: G, args: [['192.0.128.0/24']], want: ['192.0.128.0/24'] },
  { note: 'merge duplicate', fn: G, args: [['192.0.128.0/24', '192.0.128.0/24']], want: ['192.0.128.0/24'] },
  { note: 'merge into the IPv4 zero network', fn: G, args: [['192.0.128.0/24', '0.0.0.0/0']], want: ['0.0.0.0/0'] },
  { note: 'merge adjacent subnets', fn: G, args: [['192.0.128.0/24', '192.0.129.0/24']], want: ['192.0.128.0/23'] },
  { note: 'merge three subnets', fn: G, args: [['192.0.2.112/30', '192.0.2.116/31', '192.0.2.118/31']], want: ['192.0.2.112/29'] },
  {
    note: 'merge unaligned neighbours stay apart',
    fn: G,
    args: [['192.0.129.0/24', '192.0.130.0/24']],
    want: ['192.0.129.0/24', '192.0.130.0/24'],
  },
  {
    note: 'merge with gaps',
    fn: G,
    args: [['192.0.2.112/30', '192.0.2.116/32', '192.0.2.118/31']],
    want: ['192.0.2.112/30', '192.0.2.116/32', '192.0.2.118/31'],
  },
  {
    note: 'merge partly',
    fn: G,
    args: [['192.0.2.112/31', '192.0.2.116/31', '192.0.2.118/31']],
    want: ['192.0.2.112/31', '192.0.2.116/30'],
  },
  {
    note: 'merge a long run into blocks',
    fn: G,
    args: [['192.0.1.254/31', ...Array.from({ length: 16 }, (_, i) => `192.0.2.${i * 16}/28`), '192.0.3.0/28']],
    want: ['192.0.1.254/31', '192.0.2.0/24', '192.0.3.0/28'],
  },
  { note: 'merge into the IPv6 zero network', fn: G, args: [['::/0', 'fe80::1/128']], want: ['::/0'] },
  { note: 'merge an IPv4-compatible IPv6 network', fn: G, args: [['::/0', '::192.0.2.0/124', 'ff00::101/128']], want: ['::/0'] },
  {
    note: 'merge IPv4 and IPv6',
    fn: G,
    args: [['fe80::/120', '192.0.2.0/24', '192.0.3.0/24', '192.0.4.0/25', '192.0.4.128/25']],
    want: ['192.0.2.0/23', '192.0.4.0/24', 'fe80::/120'],
  },
  { note: 'merge nothing', fn: G, args: [[]], want: [] },
  {
    note: 'merge an address into its class C network',
    fn: G,
    args: [['192.0.2.112', '192.0.2.116/31', '192.0.2.118/31']],
    want: ['192.0.2.0/24'],
  },
  { note: 'merge two addresses', fn: G, args: [['192.0.128.0', '192.0.129.0']], want: ['192.0.128.0/23'] },
  { note: 'merge a set', fn: G, args: [set('192.0.2.112/30', '192.0.2.116/31', '192.0.2.118/31')], want: ['192.0.2.112/29'] },
  {
    note: 'merge a lone address keeps its host bits',
    fn: G,
    args: [['10.1.2.3', '172.16.5.4', '224.1.2.3']],
    want: ['10.1.2.3/8', '172.16.5.4/16', '224.1.2.3/24'],
  },
  { note: 'merge an IPv4-mapped address as IPv4', fn: G, args: [['::ffff:10.1.2.3']], want: ['10.1.2.3/8'] },
  { note: 'merge an unmasked cidr prints it masked', fn: G, args: [['10.1.2.3/16']], want: ['10.1.0.0/16'] },
  {
    note: 'merge ipv6 with a prefix',
    fn: G,
    args: [['2601:600:8a80:207e:a57d:7567:e2c9:e7b3/128']],
    want: ['2601:600:8a80:207e:a57d:7567:e2c9:e7b3/128'],
  },
  {
    note: 'merge ipv6 twice',
    fn: G,
    args: [['2601:600:8a80:207e:a57d:7567:e2c9:e7b3/128', '2601:600:8a80:207e:a57d:7567:e2c9:e7b3/128']],
    want: ['2601:600:8a80:207e:a57d:7567:e2c9:e7b3/128'],
  },
  {
    note: 'merge ipv6 contained',
    fn: G,
    args: [['2601:600:8a80:207e:a57d:7567:e2c9:e7b3/64', '2601:600:8a80:207e:a57d:7567:e2c9:e7b3/128']],
    want: ['2601:600:8a80:207e::/64'],
  },
  { note: 'merge ipv6 neighbours', fn: G, args: [['2001:db8::/32', '2001:db9::/32']], want: ['2001:db8::/31'] },
  { note: 'merge ipv6 unaligned run', fn: G, args: [['::1/128', '::2/127', '::4/126']], want: ['::1/128', '::2/127', '::4/126'] },
  { note: 'merge the whole IPv4 space from halves', fn: G, args: [['0.0.0.0/1', '128.0.0.0/1']], want: ['0.0.0.0/0'] },
  {
    note: 'merge the top of the IPv6 space',
    fn: G,
    args: [['ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/128', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128']],
    want: ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127'],
  },
  { note: 'merge an invalid ip', fn: G, args: [['foo']], want: undefined },
  { note: 'merge an ipv6 address without prefix', fn: G, args: [['2601:600:8a80:207e:a57d:7567:e2c9:e7b3']], want: undefined },
  { note: 'merge a non-string', fn: G, args: [[1]], want: undefined },
  { note: 'merge an object', fn: G, args: [{ a: '10.0.0.0/8' }], want: undefined },
];

describe('net builtins', () => {
  it.each(cases)('$note', ({ fn, args, want }) => {
    expect(rt.call(fn, ...args)).toEqual(want);
  });
});

type StrictCase = { note: string; fn: string; args: Arg[]; message: string };

const strictCases: StrictCase[] = [
  {
    note: 'invalid cidr',
    fn: C,
    args: ['1.2.3.4/40', '1.2.3.4'],
    message: 'eval_builtin_error: net.cidr_contains: invalid CIDR address: 1.2.3.4/40',
  },
  { note: 'type', fn: I, args: ['1.2.3.4/8', 1], message: 'eval_type_error: net.cidr_intersects: operand 2 must be string but got number' },
  {
    note: 'contains: neither address nor cidr',
    fn: C,
    args: ['1.2.3.4/8', 'nope'],
    message: 'eval_builtin_error: net.cidr_contains: not a valid textual representation of an IP address or CIDR: nope',
  },
  {
    note: 'contains: the cidr is parsed before the second type',
    fn: C,
    args: ['1.2.3.4', 1],
    message: 'eval_builtin_error: net.cidr_contains: invalid CIDR address: 1.2.3.4',
  },
  {
    note: 'overlap names itself',
    fn: O,
    args: ['1.2.3.4/8', 'x'],
    message: 'eval_builtin_error: net.cidr_overlap: not a valid textual representation of an IP address or CIDR: x',
  },
  {
    note: 'matches bad element of operand 2',
    fn: M,
    args: [['1.1.1.0/24'], [1]],
    message: 'eval_builtin_error: net.cidr_contains_matches: operand 2: element must be string or non-empty array',
  },
  {
    note: 'matches bad element of operand 1',
    fn: M,
    args: [{ a: {} }, '1.1.1.1'],
    message: 'eval_builtin_error: net.cidr_contains_matches: operand 1: element must be string or non-empty array',
  },
  {
    note: 'matches a tuple of a number',
    fn: M,
    args: [[[1]], '1.1.1.1'],
    message: 'eval_type_error: net.cidr_contains_matches: operand 1 must be string but got number',
  },
  {
    note: 'matches a second tuple of a number (OPA says operand 1)',
    fn: M,
    args: ['1.1.1.0/24', [[null]]],
    message: 'eval_type_error: net.cidr_contains_matches: operand 1 must be string but got null',
  },
  {
    note: 'matches invalid cidr',
    fn: M,
    args: ['1.1.1.0', '1.1.1.1'],
    message: 'eval_builtin_error: net.cidr_contains_matches: invalid CIDR address: 1.1.1.0',
  },
  {
    note: 'matches invalid address',
    fn: M,
    args: ['1.1.1.0/24', 'bar'],
    message: 'eval_builtin_error: net.cidr_contains_matches: not a valid textual representation of an IP address or CIDR: bar',
  },
  {
    note: 'merge invalid ip',
    fn: G,
    args: [['10.0.0.0/8', 'foo']],
    message: 'eval_builtin_error: net.cidr_merge: invalid CIDR address: foo',
  },
  {
    note: 'merge ipv6 without prefix',
    fn: G,
    args: [['::1']],
    message: 'eval_builtin_error: net.cidr_merge: IPv6 invalid: needs prefix length',
  },
  {
    note: 'merge non-string element',
    fn: G,
    args: [[['10.0.0.0/8']]],
    message: 'eval_builtin_error: net.cidr_merge: element must be string',
  },
  { note: 'merge operand type', fn: G, args: ['10.0.0.0/8'], message: 'eval_builtin_error: net.cidr_merge: operand must be an array' },
];

describe('net strict errors', () => {
  it.each(strictCases)('$note', async ({ fn, args, message }) => {
    const strict = await loadRuntime();
    strict.exports['rt_set_strict']!(1);
    expect(() => strict.call(fn, ...args)).toThrow(message);
  });
});
