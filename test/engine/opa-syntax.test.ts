// Syntax OPA reads differently from a naive grammar (issue 12), checked end to end: Rego →
// compile() → Wasm → our loader, so a parse that silently changes a value shows as a wrong result.

import { describe, expect, it } from 'vitest';
import { compile, formatDiagnostic, loadPolicy } from '../../engine/index.js';

const prelude = 'a := {1, 2}\nb := {2}\nc := {3}\nd := {4}\nxs := ["x", "y"]\n';

const cases = [
  // a comprehension needs a single-term head; after an infix operator `|` is set union
  { note: 'array of two terms, the first a union', rule: 'p := [a - b | c, d]', want: [[1, 3], [4]] },
  { note: 'array holding a union', rule: 'p := [a - b | c]', want: [[1, 3]] },
  { note: 'set holding a union', rule: 'p := {a - b | c}', want: [[1, 3]] },
  { note: 'object value holding a union', rule: 'p := {"k": a & b | c}', want: { k: [2, 3] } },
  { note: 'a body that fails at a comma: a list', rule: 'p := [a | b, c]', want: [[1, 2], [3]] },
  { note: 'single-term head: a comprehension', rule: 'p := [x | some x in a]', want: [1, 2] },
  { note: 'parenthesised head: a comprehension', rule: 'p := [(x * 10) | some x in a]', want: [10, 20] },
  { note: 'if { 1 | 1 } is a set comprehension body', rule: 'p if { 1 | 1 }', want: true },
  { note: 'if { 1 | false } is still a (non-empty-term) body', rule: 'p if { 1 | false }', want: true },
  // `k, v in xs` where OPA reads an expression: parentheses inside lists and call arguments
  { note: 'k, v in xs in parentheses in an array', rule: 'p := [(0, "x" in xs), (1, "x" in xs)]', want: [true, false] },
  { note: 'k, v in xs in parentheses as an argument', rule: 'p := count([x | x := (1, "y" in xs); x])', want: 1 },
];

describe('OPA syntax, evaluated', () => {
  it.each(cases)('$note', async ({ rule, want }) => {
    const r = compile({ files: [{ name: 'p.rego', text: `package t\n${prelude}${rule}\n` }], entrypoints: ['t/p'] });
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([]);
    const policy = await loadPolicy(r.wasm as Uint8Array);
    expect(policy.evaluate({}, 't/p')).toEqual([{ result: want }]);
  });
});

const semantics = [
  // OPA moves a comprehension head that needs evaluation into the body
  {
    note: 'array comprehension head with its own iteration',
    modules: ['package t\nxs := [[1, 2], [3]]\np := [xs[_][_] | true]'],
    want: [1, 2, 3],
  },
  {
    note: 'object comprehension key binding its own var',
    modules: ['package t\nxs := [[1], [3]]\np := {xs[i][0]: i | true}'],
    want: { 1: 0, 3: 1 },
  },
  // a package with no rules is the empty document
  { note: 'a package without rules is {}', modules: ['package u', 'package t\np := data.u'], want: {} },
  // data[1]: a number never names a rule or package, so it is no self-reference
  {
    note: 'a local data[1] reference is base data, not recursion',
    modules: ['package t\np := x if { x := data[1] }\np := 0 if { not data[1] }'],
    want: 0,
  },
];

describe('OPA semantics, evaluated', () => {
  it.each(semantics)('$note', async ({ modules, want }) => {
    const r = compile({ files: modules.map((text, i) => ({ name: `m${i}.rego`, text })), entrypoints: ['t/p'] });
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([]);
    const policy = await loadPolicy(r.wasm as Uint8Array);
    expect(policy.evaluate({}, 't/p')).toEqual([{ result: want }]);
  });
});
