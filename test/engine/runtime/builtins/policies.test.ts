// End to end for the builtins the runtime took over from the host: a small policy per builtin
// goes through compile() (the checker must accept it: no `unsupported builtin`) and our loader,
// in Rego v1, or v0 for the deprecated builtins OPA only accepts in v0 modules.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compile, formatDiagnostic, loadPolicy } from '../../../../engine/index.js';

type Case = { note: string; rego: string; v0?: boolean; input?: unknown; want?: unknown; strict?: boolean; error?: string };

const cases: Case[] = [
  { note: 'array.flatten', rego: 'p := array.flatten([input.a, [3], 4])', input: { a: [1, [2]] }, want: [1, [2], 3, 4] },
  {
    note: 'urlquery.decode_object',
    rego: 'p := urlquery.decode_object(input.q)',
    input: { q: 'tag=a&tag=b+c&id=%31' },
    want: { id: ['1'], tag: ['a', 'b c'] },
  },
  {
    note: 'urlquery.decode_object error in strict mode',
    rego: 'p := urlquery.decode_object(input.q)',
    input: { q: 'a=1;b=2' },
    strict: true,
    error: 'policy.rego:2: eval_builtin_error: urlquery.decode_object: invalid semicolon separator in query',
  },
  {
    note: 'graph.reachable',
    rego: 'p := graph.reachable(input.g, {"a"})',
    input: { g: { a: ['b'], b: ['c'], c: [], d: ['a'] } },
    want: ['a', 'b', 'c'],
  },
  {
    note: 'graph.reachable_paths',
    rego: 'p := graph.reachable_paths(input.g, ["a"])',
    input: { g: { a: ['b', 'c'], b: [], c: ['a'] } },
    want: [
      ['a', 'b'],
      ['a', 'c'],
    ],
  },
  {
    note: 'net.cidr_merge',
    rego: 'p := net.cidr_merge(input.nets)',
    input: { nets: ['10.0.0.0/25', '10.0.0.128/25', '10.0.2.0/24'] },
    want: ['10.0.0.0/24', '10.0.2.0/24'],
  },
  {
    note: 'net.cidr_contains_matches',
    rego: 'p := net.cidr_contains_matches({"lan": "10.0.0.0/8", "dmz": ["192.168.0.0/16", "x"]}, input.ips)',
    input: { ips: ['10.1.2.3', '192.168.1.1', '8.8.8.8'] },
    want: [
      ['dmz', 1],
      ['lan', 0],
    ],
  },
  { note: 'net.cidr_overlap', v0: true, rego: 'p { net.cidr_overlap("10.0.0.0/8", input.ip) }', input: { ip: '10.9.9.9' }, want: true },
  {
    note: 'crypto.hmac.equal',
    rego: 'p := crypto.hmac.equal(crypto.hmac.sha256("m", "k"), input.mac)',
    input: { mac: createHmac('sha256', 'k').update('m').digest('hex') },
    want: true,
  },
  { note: 'cast_array', v0: true, rego: 'p = cast_array({"b", "a"})', want: ['a', 'b'] },
  { note: 'cast_set', v0: true, rego: 'p = cast_set([2, 1, 2])', want: [1, 2] },
  { note: 'cast_string', v0: true, rego: 'p = cast_string(input.s)', input: { s: 'x' }, want: 'x' },
  { note: 'cast_boolean', v0: true, rego: 'p = cast_boolean(input.b)', input: { b: true }, want: true },
  { note: 'cast_null', v0: true, rego: 'p = cast_null(input.n)', input: { n: null }, want: null },
  { note: 'cast_object', v0: true, rego: 'p = cast_object(input)', input: { a: 1 }, want: { a: 1 } },
  { note: 'all', v0: true, rego: 'p = all([true, input.t])', input: { t: true }, want: true },
  { note: 'any', v0: true, rego: 'p = any({false, input.t})', input: { t: true }, want: true },
  { note: 'set_diff', v0: true, rego: 'p = set_diff({1, 2, 3}, {2})', want: [1, 3] },
  { note: 're_match', v0: true, rego: 'p { re_match("^[a-z]+$", input.s) }', input: { s: 'abc' }, want: true },
  {
    note: 'a strict type error names the deprecated builtin',
    v0: true,
    rego: 'p = cast_string(input.s)',
    input: { s: 1 },
    strict: true,
    error: 'policy.rego:2: eval_type_error: cast_string: operand 1 must be string but got number',
  },
];

describe('natively implemented builtins in policies', () => {
  it.each(cases)('$note', async ({ rego, v0, input, want, strict, error }) => {
    const r = compile({
      files: [{ name: 'policy.rego', text: `package t\n${rego}\n` }],
      entrypoints: ['t/p'],
      regoVersion: v0 ? 'v0' : 'v1',
      strictBuiltinErrors: strict === true,
    });
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([]);
    const policy = await loadPolicy(r.wasm as Uint8Array);
    if (error) {
      expect(() => policy.evaluate(input, 't/p')).toThrow(error);
    } else {
      expect(policy.evaluate(input, 't/p')).toEqual([{ result: want }]);
    }
  });
});
