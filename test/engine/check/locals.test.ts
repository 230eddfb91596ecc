// Tests for the rewriteLocals stage: unique local names within a rule and OPA's redeclaration errors.
import { describe, expect, it } from 'vitest';
import { checkSources } from './helpers.js';

type Case = { note: string; src: string; rules?: string[]; diags?: string[] };

const cases: Case[] = [
  {
    note: 'a declaration in a comprehension shadowing an outer local is renamed',
    src: 'package a\np := y if { x := 1; y := [x | x := 2] }\n',
    rules: ['p := y if { x := 1; y := [x$1 | x$1 := 2] }'],
  },
  {
    note: 'sibling comprehensions declaring the same name get distinct names',
    src: 'package a\np := [a, b] if { a := [x | x := 1]; b := [x | x := 2] }\n',
    rules: ['p := [a, b] if { a := [x$1 | x$1 := 1]; b := [x$2 | x$2 := 2] }'],
  },
  {
    note: 'a later top-level declaration does not capture a comprehension var of the same name',
    src: 'package a\np := x if { y := {x | input[x]}; x := count(y) }\n',
    rules: ['p := x$1 if { y := {x | input[x]}; x$1 := count(y) }'],
  },
  {
    note: 'undeclared comprehension vars that also occur outside are shared (captured)',
    src: 'package a\np := y if { x = 1; y := [z | z := x] }\n',
    rules: ['p := y if { x = 1; y := [z | z := x] }'],
  },
  {
    note: 'some declarations are dropped and shadow in nested bodies',
    src: 'package a\np if { some x; input[x]; every x in input { x > 0 } }\n',
    rules: ['p if { input[x]; every x$1 in input { x$1 > 0 } }'],
  },
  {
    note: 'else bodies are separate scopes',
    src: 'package a\np := x if { x := 1; false } else := x if { x := 2 }\n',
    rules: ['p := x$1 if { x$1 := 1; false } else := x$2 if { x$2 := 2 }'],
  },
  {
    note: 'assigned above',
    src: 'package a\np if { x := 1; x := 2 }\n',
    diags: ['rego_compile_error 2:16 var x assigned above'],
  },
  {
    note: 'referenced above',
    src: 'package a\np if { x = 1; x := 2 }\n',
    diags: ['rego_compile_error 2:15 var x referenced above'],
  },
  {
    note: 'declared above (some then :=)',
    src: 'package a\np if { some x; x := 2 }\n',
    diags: ['rego_compile_error 2:16 var x declared above'],
  },
  {
    note: 'function arguments cannot be redeclared',
    src: 'package a\nf(x) := y if { x := 1; y := x }\n',
    diags: ['rego_compile_error 2:16 arg x redeclared'],
  },
];

describe('rewriteLocals', () => {
  it.each(cases)('$note', (c) => {
    const out = checkSources([c.src], { stopAfter: 'rewriteLocals' });
    if (c.rules) expect(out.rules).toEqual(c.rules);
    expect(out.diags).toEqual(c.diags ?? []);
  });
});
