// Planner behaviour through parse → check → plan → IR interpreter: table-driven Rego snippets with
// expected values or runtime errors, plus determinism, constants and `with` variant naming.

import { describe, expect, it } from 'vitest';
import { printPolicy } from '../../../engine/ir/index.js';
import type { Func, Stmt } from '../../../engine/ir/index.js';
import { evalJson, planSources } from './helpers.js';

type Case = { note: string; rego: string; entry?: string; input?: unknown; data?: unknown; want?: unknown; error?: string };

const pkg = (body: string) => `package test\n\n${body}\n`;

const cases: Case[] = [
  // complete rules, defaults, else
  { note: 'complete rule constant', rego: pkg('p := 1'), want: 1 },
  { note: 'boolean rule defaults to true', rego: pkg('p if 1 < 2'), want: true },
  { note: 'false body is undefined', rego: pkg('p if 1 > 2'), want: undefined },
  { note: 'default when body fails', rego: pkg('default p := 0\np := 1 if input.x'), want: 0 },
  { note: 'rule value overrides default', rego: pkg('default p := 0\np := 1 if input.x'), input: { x: true }, want: 1 },
  { note: 'same value twice is no conflict', rego: pkg('p := 1\np := 1'), want: 1 },
  {
    note: 'conflicting complete rules abort',
    rego: pkg('p := 1\np := 2'),
    error: 'eval_conflict_error: rule data.test.p produced conflicting values',
  },
  {
    note: 'conflict across solutions of one body',
    rego: pkg('p := x if x := [1, 2][_]'),
    error: 'rule data.test.p produced conflicting values',
  },
  {
    note: 'else: first clause wins',
    rego: pkg('p := 1 if input.a\nelse := 2 if input.b\nelse := 3'),
    input: { a: true, b: true },
    want: 1,
  },
  { note: 'else: falls through', rego: pkg('p := 1 if input.a\nelse := 2 if input.b\nelse := 3'), input: { b: true }, want: 2 },
  { note: 'else: last clause', rego: pkg('p := 1 if input.a\nelse := 2 if input.b\nelse := 3'), input: {}, want: 3 },
  // functions
  { note: 'function call', rego: pkg('f(x) := x * 2\np := f(21)'), want: 42 },
  { note: 'function with patterns', rego: pkg('f([a, b]) := a + b\np := f([1, 2])'), want: 3 },
  { note: 'boolean function', rego: pkg('f(x) if x > 1\np if f(2)\nq if f(0)'), entry: 'test', want: { p: true } },
  {
    note: 'function conflict',
    rego: pkg('f(_) := 1\nf(_) := 2\np := f(0)'),
    error: 'function data.test.f produced conflicting values for the same inputs',
  },
  { note: 'default function', rego: pkg('default f(_) := 9\nf(1) := 1\np := [f(1), f(2)]'), want: [1, 9] },
  { note: 'function else', rego: pkg('f(x) := "big" if x > 10\nelse := "small"\np := [f(1), f(11)]'), want: ['small', 'big'] },
  { note: 'output argument style', rego: pkg('p := n if count([1, 2, 3], n)'), want: 3 },
  // multi-value and partial object rules
  { note: 'multi-value rule', rego: pkg('p contains x if some x in [3, 1, 3]'), want: [1, 3] },
  { note: 'empty multi-value rule is empty set', rego: pkg('p contains x if { some x in []; x }'), want: [] },
  { note: 'partial object', rego: pkg('p[k] := v if some k, v in {"a": 1, "b": 2}'), want: { a: 1, b: 2 } },
  {
    note: 'partial object key conflict',
    rego: pkg('p[k] := v if { k := "a"; v := [1, 2][_] }'),
    error: 'eval_conflict_error: object keys must be unique',
  },
  {
    note: 'ref head with tail',
    rego: pkg('p.q[r].s := 1 if some r in ["x", "y"]'),
    want: { q: { x: { s: 1 }, y: { s: 1 } } },
    entry: 'test/p',
  },
  { note: 'ref head with non-string key', rego: pkg('p[0] := true'), entry: 'test', want: { p: { '0': true } } },
  { note: 'multi with tail', rego: pkg('p[x] contains y if { some x in ["a"]; some y in [1, 2] }'), want: { a: [1, 2] } },
  // virtual documents
  { note: 'package materialized with base data', rego: pkg('p := 1'), entry: 'test', data: { test: { b: 2 } }, want: { b: 2, p: 1 } },
  { note: 'function prefix is an empty object', rego: pkg('foo.bar(x) := x\nq := 1'), entry: 'test', want: { foo: {}, q: 1 } },
  { note: 'ref below a rule', rego: pkg('p := {"a": {"b": 7}}\nq := p.a.b'), entry: 'test/q', want: 7 },
  { note: 'entrypoint below a rule', rego: pkg('p := {"a": {"b": 7}}'), entry: 'test/p/a', want: { b: 7 } },
  { note: 'entrypoint of base data only', rego: pkg('p := 1'), entry: 'other/x', data: { other: { x: 5 } }, want: 5 },
  { note: 'scan over a virtual document', rego: pkg('s contains x if some x in [1, 2]\np contains y if { data.test.s[y] }'), want: [1, 2] },
  {
    note: 'variable key over packages',
    rego: 'package a\nx := 1\n',
    entry: 'test/p',
    want: ['a'],
    extra: 'package test\np contains k if data[k].x == 1',
  } as Case & { extra: string },
  {
    note: 'bound variable key over packages',
    rego: pkg('p := data[k].x if k := "a"'),
    entry: 'test/p',
    want: 1,
    extra: 'package a\nx := 1',
  } as Case & { extra: string },
  // unification
  { note: 'array destructuring', rego: pkg('p := [b, a] if [a, b] = [1, 2]'), want: [2, 1] },
  { note: 'object destructuring', rego: pkg('p := v if {"k": v} = {"k": 3}'), want: 3 },
  { note: 'unify against input', rego: pkg('p := y if [_, y] = input'), input: [1, 'two'], want: 'two' },
  { note: 'array length mismatch fails', rego: pkg('p if [a, b] = input'), input: [1], want: undefined },
  { note: 'ref with output var', rego: pkg('p contains i if input.xs[i] == "b"'), input: { xs: ['a', 'b', 'b'] }, want: [1, 2] },
  { note: 'fixpoint key/value', rego: pkg('p := foo if { some foo; foo == input.foos[foo] }'), input: { foos: [2, 1, 0] }, want: 1 },
  // expressions
  { note: 'not', rego: pkg('p if not input.x'), input: {}, want: true },
  { note: 'not with iteration', rego: pkg('p if not input.xs[_] == 2'), input: { xs: [1, 2] }, want: undefined },
  { note: 'not with iteration (true)', rego: pkg('p if not input.xs[_] == 3'), input: { xs: [1, 2] }, want: true },
  { note: 'membership', rego: pkg('p if 2 in [1, 2]\nq if "a", 1 in {"a": 1}'), entry: 'test', want: { p: true, q: true } },
  { note: 'every holds', rego: pkg('p if every x in [1, 2] { x > 0 }'), want: true },
  { note: 'every fails', rego: pkg('p if every k, x in [1, 2] { x > k + 1 }'), want: undefined },
  { note: 'every over empty', rego: pkg('p if every x in [] { x > 5 }'), want: true },
  { note: 'some k, v in object', rego: pkg('p contains [k, v] if some k, v in {"a": 1}'), want: [['a', 1]] },
  { note: 'set literal', rego: pkg('p := {3, 1, x} if x := 2'), want: [1, 2, 3] },
  { note: 'object with non-string keys', rego: pkg('p := {1: "a", x: "b"} if x := [2]'), want: { '1': 'a', '[2]': 'b' } },
  // comprehensions
  { note: 'array comprehension', rego: pkg('p := [(x * 2) | some x in [1, 2]]'), want: [2, 4] },
  { note: 'set comprehension', rego: pkg('p := {x | some x in [1, 1, 2]}'), want: [1, 2] },
  { note: 'object comprehension', rego: pkg('p := {k: v | some k, v in ["a", "b"]}'), want: { '0': 'a', '1': 'b' } },
  { note: 'object comprehension conflict', rego: pkg('p := {"k": v | some v in [1, 2]}'), error: 'object keys must be unique' },
  // with
  { note: 'with input path', rego: pkg('q := input.a.b\np := y if y := q with input.a.b as 5'), input: { a: { c: 1 } }, want: 5 },
  { note: 'with input replaced', rego: pkg('q := input\np := y if y := q with input as "x"'), want: 'x' },
  { note: 'with data overriding a rule', rego: pkg('r := 1\nq := r + 1\np := y if y := q with data.test.r as 10'), want: 11 },
  {
    note: 'with data base path',
    rego: pkg('q := data.cfg.v\np := [a, b] if { a := q; b := q with data.cfg.v as 2 }'),
    data: { cfg: { v: 1 } },
    want: [1, 2],
  },
  { note: 'with function mocked by function', rego: pkg('f(x) := x\ng(x) := x * 10\nq := f(2)\np := y if y := q with f as g'), want: 20 },
  { note: 'with function mocked by value', rego: pkg('f(x) := x\nq := f(2)\np := y if y := q with f as 7'), want: 7 },
  { note: 'with builtin mocked', rego: pkg('q := count([1])\np := y if y := q with count as 42'), want: 42 },
  { note: 'mock function calls original', rego: pkg('m(x) := count(x) + 100\np := y if y := count([1]) with count as m'), want: 101 },
];

describe('plan (via the IR interpreter)', () => {
  it.each(cases)('$note', (c) => {
    const sources = [c.rego, ...('extra' in c ? [(c as Case & { extra: string }).extra] : [])];
    const entry = c.entry ?? 'test/p';
    if (c.error !== undefined) {
      expect(() => evalJson(sources, entry, c.input, c.data)).toThrow(c.error);
    } else {
      expect(evalJson(sources, entry, c.input, c.data)).toEqual(c.want);
    }
  });
});

function walkStmts(stmts: readonly Stmt[], fn: (s: Stmt) => void): void {
  for (const s of stmts) {
    fn(s);
    if (s.kind === 'scan' || s.kind === 'not') walkStmts(s.block.stmts, fn);
    if (s.kind === 'block') for (const b of s.blocks) walkStmts(b.stmts, fn);
  }
}

function allStmts(f: Func): Stmt[] {
  const out: Stmt[] = [];
  for (const b of f.blocks) walkStmts(b.stmts, (s) => out.push(s));
  return out;
}

describe('plan output', () => {
  const src = pkg('r := 1\nq := r + input.x\np := [a, b] if { a := q; b := q with data.test.r as 5 }\ns := {"a": 1, "b": [1, 2]}');

  it('is deterministic', () => {
    expect(printPolicy(planSources([src], ['test/p', 'test']))).toBe(printPolicy(planSources([src], ['test/p', 'test'])));
  });

  it('deduplicates constants and keeps them canonical', () => {
    const p = planSources([src], ['test/p', 'test/s']);
    expect(new Set(p.constants).size).toBe(p.constants.length);
    expect(p.constants).toContain('{"a":1,"b":[1,2]}');
  });

  it('plans `with data` callees as numbered variants reading DATA', () => {
    const p = planSources([src], ['test/p']);
    const names = p.funcs.map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(['data.test.p', 'data.test.q', 'data.test.q#1', 'data.test.r']));
    expect(names).not.toContain('data.test.r#1');
    const variant = p.funcs.find((f) => f.name === 'data.test.q#1') as Func;
    expect(allStmts(variant).some((s) => s.kind === 'call' && s.func.startsWith('data.test.r'))).toBe(false);
    expect(allStmts(variant).some((s) => s.kind === 'dot')).toBe(true);
  });

  it('gives every function INPUT and DATA as its first params, and attaches locations to calls', () => {
    const p = planSources([src], ['test/p']);
    for (const f of p.funcs) expect(f.params.slice(0, 2)).toEqual([0, 1]);
    const calls = p.funcs.flatMap(allStmts).filter((s) => s.kind === 'call' || s.kind === 'builtin');
    expect(calls.length).toBeGreaterThan(0);
    for (const c of calls) expect((c as { loc?: { file: string } }).loc?.file).toBe('test-0.rego');
  });

  it('never mutates constants (the interpreter freezes them)', () => {
    expect(evalJson([pkg('p := y if { x := [1]; y := array.concat(x, [2]) }')], 'test/p')).toEqual([1, 2]);
  });

  it('plans print with one array argument of [] / [v] items', () => {
    const prints: string[] = [];
    expect(evalJson([pkg('p if print("a", input.missing, 1)')], 'test/p', {}, {}, { prints })).toBe(true);
    expect(prints).toEqual(['a <undefined> 1']);
  });
});
