// The input-reads analysis (engine/reads): a table of small policies with the input paths each
// entrypoint can read (or why that is unbounded), and the shipped policy's decision entrypoint
// against a list written by reading policies/portcullis. reads-soundness.test.ts evaluates.

import { describe, expect, it } from 'vitest';
import { compile, inputReads } from '../../engine/index.js';
import type { CompileResult } from '../../engine/index.js';
import { minimalPaths } from '../../engine/reads/index.js';
import { DECISION_READS, compiled, policiesDir, regoFiles, sources } from './reads-fixtures.js';

type Case = {
  note: string;
  rego: string | string[];
  entrypoint: string;
  hostBuiltins?: Record<string, { arity: number }>;
  want?: string[][];
  unbounded?: RegExp;
};

const cases: Case[] = [
  { note: 'a simple ref', rego: 'package a\np if input.user.role == "admin"', entrypoint: 'a/p', want: [['user', 'role']] },
  {
    note: 'nested prefixes merge into the shortest',
    rego: 'package a\np if {\n\tinput.a.b.c\n\tinput.a.b\n\tinput.a.b.d\n}',
    entrypoint: 'a/p',
    want: [['a', 'b']],
  },
  {
    note: 'sorted and deduplicated',
    rego: 'package a\np if {\n\tinput.z\n\tinput.b.y\n\tinput.b.y\n\tinput.b.x\n}',
    entrypoint: 'a/p',
    want: [['b', 'x'], ['b', 'y'], ['z']],
  },
  {
    note: 'a variable key reads the object',
    rego: 'package a\np if {\n\tsome k\n\tinput.statement[k].x == 1\n}',
    entrypoint: 'a/p',
    want: [['statement']],
  },
  { note: 'a number key reads the array', rego: 'package a\np if input.args[0].x == 1', entrypoint: 'a/p', want: [['args']] },
  { note: 'bare input passed to a builtin is the root', rego: 'package a\np := object.get(input, "a", 0)', entrypoint: 'a/p', want: [[]] },
  { note: 'bare input compared is the root', rego: 'package a\np if {\n\tinput.a\n\tinput == {}\n}', entrypoint: 'a/p', want: [[]] },
  {
    note: 'walk(input) is the root',
    rego: 'package a\np contains x if walk(input, [x, _])',
    entrypoint: 'a/p',
    want: [[]],
  },
  { note: 'bare input in an array term is the root', rego: 'package a\np := [input][0].a', entrypoint: 'a/p', want: [[]] },
  {
    note: 'an import alias is resolved to its input path',
    rego: 'package a\nimport input.statement as st\np if st.kind == "select"',
    entrypoint: 'a/p',
    want: [['statement', 'kind']],
  },
  {
    note: 'an import without alias is resolved too',
    rego: 'package a\nimport input.user\np := user.name',
    entrypoint: 'a/p',
    want: [['user', 'name']],
  },
  {
    note: 'a function taking input.x as its argument',
    rego: 'package a\nf(x) := x.y\np := f(input.a)',
    entrypoint: 'a/p',
    want: [['a']],
  },
  {
    note: 'a function reading input itself, in another package',
    rego: ['package a\nimport data.lib\np if lib.f(input.x)', 'package lib\nf(v) if v == input.y'],
    entrypoint: 'a/p',
    want: [['x'], ['y']],
  },
  {
    note: 'rules reachable only through a package ref',
    rego: ['package a\np := data.b', 'package b\nq := input.q\nr := input.r'],
    entrypoint: 'a/p',
    want: [['q'], ['r']],
  },
  {
    note: 'a ref with a variable key reaches every rule under its prefix',
    rego: ['package a\np := [v | some k; v := data.b[k]]', 'package b\nq := input.q\nr := input.r', 'package c\ns := input.s'],
    entrypoint: 'a/p',
    want: [['q'], ['r']],
  },
  {
    note: 'a ref into a rule value reaches the rule',
    rego: ['package a\np := data.b.q.x', 'package b\nq := {"x": input.q}'],
    entrypoint: 'a/p',
    want: [['q']],
  },
  {
    note: "another entrypoint's rules are not counted",
    rego: 'package a\np := input.a\nq := input.b',
    entrypoint: 'a/p',
    want: [['a']],
  },
  {
    note: 'an entrypoint naming a package reads every rule under it',
    rego: ['package a\np := input.a\nq := input.b', 'package a.sub\nr := input.c', 'package z\ns := input.d'],
    entrypoint: 'a',
    want: [['a'], ['b'], ['c']],
  },
  {
    note: 'some x in input.a.b',
    rego: 'package a\np if {\n\tsome x in input.a.b\n\tx == 1\n}',
    entrypoint: 'a/p',
    want: [['a', 'b']],
  },
  {
    note: 'every domain and body',
    rego: 'package a\np if {\n\tevery x in input.xs {\n\t\tx > input.min\n\t}\n}',
    entrypoint: 'a/p',
    want: [['min'], ['xs']],
  },
  {
    note: 'comprehension bodies and heads',
    rego: 'package a\np := {x: input.v | some x in input.s; x != input.t}',
    entrypoint: 'a/p',
    want: [['s'], ['t'], ['v']],
  },
  {
    note: 'with input as {...}: the target is not a read, the value and the rules under it are',
    rego: 'package a\np if {\n\tq with input as {"a": input.b}\n}\nq if input.a',
    entrypoint: 'a/p',
    want: [['a'], ['b']],
  },
  {
    note: 'with input.a as input.c',
    rego: 'package a\np if {\n\tq with input.a as input.c\n}\nq if input.a.x',
    entrypoint: 'a/p',
    want: [['a', 'x'], ['c']],
  },
  {
    note: 'with data.x as v still reaches the overridden rule',
    rego: 'package a\np if {\n\tq with data.a.r as 1\n}\nq if r == 1\nr := input.r',
    entrypoint: 'a/p',
    want: [['r']],
  },
  {
    note: 'else branches',
    rego: 'package a\np := 1 if input.a\nelse := input.c if input.b',
    entrypoint: 'a/p',
    want: [['a'], ['b'], ['c']],
  },
  {
    note: 'default rules and the rules beside them',
    rego: 'package a\ndefault p := false\np if input.a',
    entrypoint: 'a/p',
    want: [['a']],
  },
  {
    note: 'a partial object rule with a key read from input',
    rego: 'package a\np[input.k] := input.v',
    entrypoint: 'a/p',
    want: [['k'], ['v']],
  },
  { note: 'no input at all', rego: 'package a\np := data.x', entrypoint: 'a/p', want: [] },
  {
    note: 'time.now_ns reachable',
    rego: 'package a\np if {\n\tinput.a\n\tq\n}\nq if time.now_ns() > 0',
    entrypoint: 'a/p',
    unbounded: /^calls time\.now_ns, which is not deterministic \(a\.rego:6:6\)$/,
  },
  {
    note: 'rand.intn reachable through a function',
    rego: 'package a\nf(n) := rand.intn("k", n)\np := f(input.n)',
    entrypoint: 'a/p',
    unbounded: /^calls rand\.intn/,
  },
  {
    note: 'print reachable',
    rego: 'package a\np if {\n\tprint(input.a)\n}',
    entrypoint: 'a/p',
    unbounded: /^calls print, whose output is an effect/,
  },
  {
    note: 'time.now_ns in an unreachable rule',
    rego: 'package a\np := input.a\nq if time.now_ns() > 0\nr if print("x")',
    entrypoint: 'a/p',
    want: [['a']],
  },
  {
    note: 'a declared host builtin',
    rego: 'package a\np := my.lookup(input.x)',
    entrypoint: 'a/p',
    hostBuiltins: { 'my.lookup': { arity: 1 } },
    unbounded: /^calls my\.lookup, which the host supplies/,
  },
  {
    note: 'a loader builtin is ours (yaml.marshal is deterministic)',
    rego: 'package a\np := yaml.marshal(input.x)',
    entrypoint: 'a/p',
    want: [['x']],
  },
  {
    note: 'a loader builtin the compilation declares as host-supplied is not',
    rego: 'package a\np := yaml.marshal(input.x)',
    entrypoint: 'a/p',
    hostBuiltins: { 'yaml.marshal': { arity: 1 } },
    unbounded: /^calls yaml\.marshal, which the host supplies/,
  },
  {
    note: 'a builtin named as a with value counts as called',
    rego: 'package a\nf(x) := x\np := y if {\n\ty := f(input.a) with f as uuid.rfc4122\n}',
    entrypoint: 'a/p',
    unbounded: /^calls uuid\.rfc4122/,
  },
];

describe('minimalPaths', () => {
  it.each([
    { note: 'empty', paths: [], want: [] },
    { note: 'the root absorbs everything', paths: [['a'], [], ['b', 'c']], want: [[]] },
    {
      note: 'element-wise order, prefixes kept',
      paths: [['ab'], ['a', 'b'], ['a'], ['a', 'c'], ['b']],
      want: [['a'], ['ab'], ['b']],
    },
    {
      note: 'siblings stay apart',
      paths: [
        ['a', 'c'],
        ['a', 'b', 'x'],
        ['a', 'b'],
      ],
      want: [
        ['a', 'b'],
        ['a', 'c'],
      ],
    },
  ])('$note', ({ paths, want }) => {
    expect(minimalPaths(paths)).toEqual(want);
  });
});

describe('inputReads', () => {
  it.each(cases)('$note', ({ rego, entrypoint, hostBuiltins, want, unbounded }) => {
    const r = compiled(sources(rego), [entrypoint], hostBuiltins);
    const got = r.inputReads?.[entrypoint];
    if (unbounded) {
      expect(got?.kind).toBe('unbounded');
      expect(got?.kind === 'unbounded' ? got.reason : '').toMatch(unbounded);
    } else {
      expect(got).toEqual({ kind: 'paths', paths: want });
    }
    // The direct call on the checked program agrees with what compile returned.
    expect(inputReads(r.program as NonNullable<CompileResult['program']>, entrypoint, hostBuiltins ? { hostBuiltins } : {})).toEqual(got);
  });

  it('works on the checked program, where an import alias is already an input ref', () => {
    const r = compile({ files: sources('package a\nimport input.statement as st\np if st.kind'), stopAfter: 'check' });
    expect(r.program && inputReads(r.program, 'a/p')).toEqual({ kind: 'paths', paths: [['statement', 'kind']] });
  });

  it('reports one entry per entrypoint, by its pkg/rule name', () => {
    const r = compiled(sources('package a\np := input.a\nq := input.b'), ['data.a.p', 'a/q']);
    expect(r.inputReads).toEqual({
      'a/p': { kind: 'paths', paths: [['a']] },
      'a/q': { kind: 'paths', paths: [['b']] },
    });
  });
});

describe('the shipped policy', () => {
  it('portcullis/decision reads exactly the paths its rules name', () => {
    const r = compiled(regoFiles(policiesDir), ['portcullis/decision']);
    expect(r.inputReads?.['portcullis/decision']).toEqual({ kind: 'paths', paths: DECISION_READS });
  });
});
