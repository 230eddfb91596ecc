// Tests for the checkSafety stage: reordering for safety and unsafe-var diagnostics.
import { describe, expect, it } from 'vitest';
import { checkSources } from './helpers.js';

type Case = { note: string; src: string; rules?: string[]; diags?: string[] };

const cases: Case[] = [
  {
    note: 'builtin inputs are bound before the call',
    src: 'package a\np := n if { n := count(xs); xs := [1, 2] }\n',
    diags: ['rego_compile_error 2:29 var xs referenced above'],
  },
  {
    note: 'unifications are reordered so their inputs come first',
    src: 'package a\np := x if { x = y; y = 1 }\n',
    rules: ['p := x if { y = 1; x = y }'],
  },
  {
    note: 'comparisons wait for both sides',
    src: 'package a\np if { x > 1; x = input.v }\n',
    rules: ['p if { x = input.v; x > 1 }'],
  },
  {
    note: 'negations wait for their vars',
    src: 'package a\np if { not x; x = input.v }\n',
    rules: ['p if { x = input.v; not x }'],
  },
  {
    note: 'closures wait for captured vars; ref keys bind vars',
    src: 'package a\np := y if { y := [z | z := xs[i]]; xs = input.xs }\n',
    rules: ['p := y if { xs = input.xs; y := [z | z := xs[i]] }'],
  },
  {
    note: 'array patterns bind element-wise',
    src: 'package a\np := [a, b] if { [a, b] = [1, c]; c = 2 }\n',
    rules: ['p := [a, b] if { c = 2; [a, b] = [1, c] }'],
  },
  {
    note: 'some-in binds its patterns once the collection is safe',
    src: 'package a\np contains [k, v] if { some k, [v, _] in xs; xs = input.x }\n',
    rules: ['p contains [k, v] if { xs = input.x; some k, [v, $_0] in xs }'],
  },
  {
    note: 'every domain must be safe; its body sees outer vars',
    src: 'package a\np if { every x in xs { x > m }; xs = input.xs; m = 1 }\n',
    rules: ['p if { xs = input.xs; m = 1; every x in xs { x > m } }'],
  },
  {
    note: "a local declared after an every body is not the every body's var",
    src: 'package a\np if { every x in input { x > m }; m := 1 }\n',
    diags: ['rego_unsafe_var_error 2:31 var m is unsafe'],
  },
  {
    note: 'wildcards in negated refs are allowed',
    src: 'package a\np if { not input.x[_] }\n',
    rules: ['p if { not input.x[$_0] }'],
  },
  {
    note: 'head values with ref vars move into the body',
    src: 'package a\nxs := [1]\nq := xs[_]\n',
    rules: ['xs := [1]', 'q := $h0 if { $h0 = data.a.xs[$_0] }'],
  },
  {
    note: 'unsafe vars in bodies are reported once per var at their location',
    src: 'package a\np if { x > y; y > x }\n',
    diags: ['rego_unsafe_var_error 2:8 var x is unsafe', 'rego_unsafe_var_error 2:12 var y is unsafe'],
  },
  {
    note: 'unsafe head vars',
    src: 'package a\np contains x if { input.y }\nq[k] := 1 if { true }\n',
    diags: ['rego_unsafe_var_error 2:1 var x is unsafe', 'rego_unsafe_var_error 3:1 var k is unsafe'],
  },
  {
    note: 'unsafe var inside a comprehension',
    src: 'package a\np := [x | x > 1]\n',
    diags: ['rego_unsafe_var_error 2:11 var x is unsafe'],
  },
  {
    note: 'function args are safe; with values must be bound',
    src: 'package a\nf(x) := x + 1\np if { f(1) with input as v }\n',
    diags: ['rego_unsafe_var_error 3:27 var v is unsafe'],
  },
  {
    note: 'a builtin named as a with value is a function, not a var',
    src: 'package a\np if { count([1]) == 1 with count as sum }\n',
    rules: ['p if { count([1]) == 1 with count as sum }'],
    diags: [],
  },
];

describe('checkSafety', () => {
  it.each(cases)('$note', (c) => {
    const out = checkSources([c.src], { stopAfter: 'checkSafety' });
    if (c.rules) expect(out.rules).toEqual(c.rules);
    expect(out.diags).toEqual(c.diags ?? []);
  });
});
