// Tests for the resolveRefs stage: names → data/input refs, callee resolution, output arguments,
// unknown/unsupported/ill-arity calls and `with` targets.
import { describe, expect, it } from 'vitest';
import { checkSources } from './helpers.js';

type Case = { note: string; srcs: string[]; rules?: string[]; diags?: string[]; host?: Record<string, { arity: number }>; v0?: boolean };

const cases: Case[] = [
  {
    note: 'rule names of the package resolve to data refs, across modules',
    srcs: ['package a.b\np if q\n', 'package a.b\nq := input.x\n'],
    rules: ['p if { data.a.b.q }', 'q := input.x'],
  },
  {
    note: 'refs through a rule name keep their tail',
    srcs: ['package a\np := q.r[1]\nq := {"r": [1, 2]}\n'],
    rules: ['p := data.a.q.r[1]', 'q := {"r": [1, 2]}'],
  },
  {
    note: 'imports of data and input resolve by alias and last segment',
    srcs: [
      'package a\nimport data.lib.util\nimport data.lib.other as o\nimport input.user\nimport rego.v1\np if { util.x == o.y; user.name }\n',
    ],
    rules: ['p if { data.lib.util.x == data.lib.other.y; input.user.name }'],
  },
  {
    note: 'declared locals and function args shadow rule names',
    srcs: ['package a\nq := 1\np if { q := 2; q > 1 }\nf(q) := q + 1\n'],
    rules: ['q := 1', 'p if { q := 2; q > 1 }', 'f(q) := q + 1'],
  },
  {
    note: 'unification with = does not declare: the rule name stays a ref',
    srcs: ['package a\nq := 1\np if { q = 1 }\n'],
    rules: ['q := 1', 'p if { data.a.q = 1 }'],
  },
  {
    note: 'user function calls get their full path; builtins keep their name',
    srcs: ['package a\nimport data.lib\nf(x) := x\np := [f(1), lib.g(2), count([1])]\n', 'package lib\ng(x) := x\n'],
    rules: ['f(x) := x', 'p := [data.a.f(1), data.lib.g(2), count([1])]', 'g(x) := x'],
  },
  {
    note: 'output arguments become unifications',
    srcs: ['package a\nf(x) := x\np if { count([1], n); f(1, m); n == m }\n'],
    rules: ['f(x) := x', 'p if { n = count([1]); m = data.a.f(1); n == m }'],
  },
  {
    note: 'undefined functions are reported at the call',
    srcs: ['package a\np if { foo(1) }\nq if { data.a.nope(1) }\n'],
    diags: ['rego_type_error 2:8 undefined function foo', 'rego_type_error 3:8 undefined function data.a.nope'],
  },
  {
    note: 'arity mismatches for builtins and user functions',
    srcs: ['package a\nf(x) := x\np if { count(1, 2, 3) }\nq := f(1, 2)\nr := count()\n'],
    diags: [
      'rego_type_error 3:8 count: arity mismatch',
      'rego_type_error 4:6 function data.a.f has arity 1, got 2 arguments',
      'rego_type_error 5:6 count: arity mismatch',
    ],
  },
  {
    note: 'builtins that are neither native, SDK-supplied nor host builtins are unsupported',
    srcs: ['package a\np := net.lookup_ip_addr("x")\nq := sprintf("%v", [1])\n'],
    diags: ['rego_type_error 2:6 unsupported builtin: net.lookup_ip_addr (not implemented natively; supply it as a host builtin)'],
  },
  {
    note: 'deprecated builtins are errors in Rego v1 (as OPA)',
    srcs: ['package a\np if any([true])\nq := cast_array({1})\nr if re_match("a", "a")\n'],
    diags: [
      'rego_type_error 2:6 deprecated built-in function calls in expression: any',
      'rego_type_error 3:6 deprecated built-in function calls in expression: cast_array',
      'rego_type_error 4:6 deprecated built-in function calls in expression: re_match',
    ],
  },
  {
    note: 'deprecated builtins are accepted in Rego v0',
    srcs: ['package a\np { any([true]) }\nq = cast_array({1})\n'],
    v0: true,
    diags: [],
  },
  {
    note: 'a v0 module importing rego.v1 follows v1',
    srcs: ['package a\nimport rego.v1\np if set_diff({1}, {2}) == {1}\n'],
    v0: true,
    diags: ['rego_type_error 3:6 deprecated built-in function calls in expression: set_diff'],
  },
  {
    note: 'host builtins are accepted and may be unknown to OPA',
    srcs: ['package a\np := net.lookup_ip_addr("x")\nq := my.host(1)\n'],
    host: { 'net.lookup_ip_addr': { arity: 1 }, 'my.host': { arity: 1 } },
    diags: [],
  },
  {
    note: 'print is variadic',
    srcs: ['package a\np if { print(1, 2, 3); print() }\n'],
    rules: ['p if { print(1, 2, 3); print() }'],
    diags: [],
  },
  {
    note: 'with targets: input, data, builtins and user functions; mocked builtins are not unsupported',
    srcs: ['package a\nf(x) := x\ng(x) := 2\np if { f(1) with input.x as 1 with data.b as 2 with f as g with http.send as f }\n'],
    rules: [
      'f(x) := x',
      'g(x) := 2',
      'p if { data.a.f(1) with input.x as 1 with data.b as 2 with data.a.f as data.a.g with http.send as data.a.f }',
    ],
    diags: [],
  },
  {
    note: 'with target that is not input, data or a function',
    srcs: ['package a\np if { true with foo as 1 }\n'],
    diags: ['rego_type_error 2:18 with keyword target must reference existing input, data, or a function'],
  },
  {
    note: 'with replacement function of a different arity',
    srcs: ['package a\nf(x, y) := x\np if { count([]) with count as f }\n'],
    diags: ['rego_type_error 3:32 with keyword replacement arity mismatch: count has arity 1, data.a.f has arity 2'],
  },
];

describe('resolveRefs', () => {
  it.each(cases)('$note', (c) => {
    const out = checkSources(c.srcs, { stopAfter: 'rewriteLocals', ...(c.host ? { hostBuiltins: c.host } : {}) }, c.v0 ? 'v0' : 'v1');
    if (c.rules) expect(out.rules).toEqual(c.rules);
    expect(out.diags).toEqual(c.diags ?? []);
  });
});
