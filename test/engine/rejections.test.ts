// Programs OPA rejects, and so must we (issue 12): each case compiles Rego through the public
// compile() and expects the first error diagnostic OPA reports, by code and message.

import { describe, expect, it } from 'vitest';
import { compile, formatDiagnostic } from '../../engine/index.js';

const cases = [
  // parser: OPA has unary minus on number literals only
  {
    note: 'unary minus on a var',
    text: 'p := x if { x := 1; y := -x }',
    want: /rego_parse_error: unexpected identifier token: expected number/,
  },
  { note: 'unary minus on a ref', text: 'p := -input.n', want: /rego_parse_error: unexpected identifier token: expected number/ },
  // parser: whitespace ends a term, so a dotted call name cannot be split across lines
  {
    note: 'call split across lines',
    text: 'p := strings.\n\treplace_n({"a": "b"}, "a")',
    want: /rego_parse_error: unexpected whitespace token: expected ident/,
  },
  // parser: default values are constants (comprehensions may hold anything)
  {
    note: 'ref in a default value',
    text: 'default p := input.x',
    want: /rego_parse_error: illegal default rule \(value cannot contain ref\)/,
  },
  { note: 'var in a default value', text: 'default p := [x]', want: /rego_parse_error: illegal default rule \(value cannot contain var\)/ },
  {
    note: 'call in a default value',
    text: 'default p := count([1])',
    want: /rego_parse_error: illegal default rule \(value cannot contain call\)/,
  },
  // v1: the root documents cannot be shadowed
  {
    note: 'input shadowed by a local',
    text: 'p if { input := 1 }',
    want: /rego_compile_error: variables must not shadow input \(use a different variable name\)/,
  },
  {
    note: 'data shadowed by a local',
    text: 'p := x if { data := 1; x := data }',
    want: /rego_compile_error: variables must not shadow data/,
  },
  {
    note: 'input shadowed by a rule',
    text: 'input := 1',
    want: /rego_compile_error: rules must not shadow input \(use a different rule name\)/,
  },
  { note: 'input shadowed by an argument', text: 'f(input) := 1', want: /rego_compile_error: args must not shadow input/ },
  // type checker: arrays of different lengths never unify
  {
    note: 'literal arrays of different lengths',
    text: 'p if { [1, 2] = [1, 2, 3] }',
    want: /rego_type_error: match error\n\tleft {2}: array<number, number>\n\tright : array<number, number, number>/,
  },
  { note: 'nested array lengths differ', text: 'p if { [x, [1]] := [1, [1, 2]] }', want: /rego_type_error: match error/ },
];

describe('programs OPA rejects', () => {
  it.each(cases)('$note', ({ text, want }) => {
    const r = compile({ files: [{ name: 'p.rego', text: `package t\n${text}\n` }], entrypoints: ['t/p'] });
    expect(r.wasm).toBeUndefined();
    expect(r.diagnostics.map(formatDiagnostic).join('\n')).toMatch(want);
  });

  it.each([
    { note: 'a negative literal, also with a space', text: 'p := [-1, - 2, 3 - -4]' },
    { note: 'a comprehension in a default value', text: 'default p := [x | x := 1]' },
    { note: 'arrays of equal length unify', text: 'p := x if { [1, x] = [1, 2] }' },
  ])('still accepts $note', ({ text }) => {
    const r = compile({ files: [{ name: 'p.rego', text: `package t\n${text}\n` }], entrypoints: ['t/p'] });
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([]);
  });
});
