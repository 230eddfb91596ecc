// Failure explanations and coverage marks of an instrumented test build: each failing test says
// which expression failed (the furthest its body got) with its operand values, or that its value
// was false; an uninstrumented build reports nothing.

import { describe, expect, it } from 'vitest';
import { explainFailure, runRegoTests } from '../../engine/index.js';

const TEXT = `package p

allow if input.x == 1

test_assign if {
	x := 3
	x == 2
}

test_negation if {
	count([1, 2]) > 1
	not allow with input as {"x": 1}
}

test_undefined_rule if allow with input as {"x": 2}

test_false := false

test_value := v if {
	v := 1 > 2
}

test_iterates if {
	some y in [1, 2, 3]
	y > 1
	y < 2
}

test_missing_input if input.missing == 1

test_call if {
	xs := [1, 2]
	count(xs) > 2
}

test_twice if 1 == 2

test_twice if {
	z := "a"
	z == "b"
}

test_else := false if {
	false
} else := false
`;
const files = [{ name: 't.rego', text: TEXT }];

describe('explainFailure', async () => {
  const names = ['assign', 'negation', 'undefined_rule', 'false', 'value', 'iterates', 'missing_input', 'call', 'twice', 'else'].map(
    (n) => `data.p.test_${n}`,
  );
  const report = await runRegoTests(files, { explain: names });
  const why = new Map(report.results.map((r) => [r.name, explainFailure(r.recorded?.probes ?? [], files)]));

  it('runs only the explained tests, all failing', () => {
    expect(report.diagnostics).toEqual([]);
    expect(report.results.map((r) => [r.name, r.passed])).toEqual([...names].sort().map((n) => [n, false]));
  });

  const cases: { note: string; test: string; want: unknown[] }[] = [
    {
      note: 'a comparison with a local',
      test: 'assign',
      want: [
        {
          kind: 'expression',
          location: { file: 't.rego', row: 7, col: 2 },
          text: 'x == 2',
          operands: [{ text: 'x', defined: true, value: 3 }],
        },
      ],
    },
    {
      note: 'a negation under with: the rule is true there',
      test: 'negation',
      want: [
        {
          kind: 'expression',
          location: { file: 't.rego', row: 12, col: 2 },
          text: 'not allow with input as {"x": 1}',
          operands: [{ text: 'allow', defined: true, value: true }],
        },
      ],
    },
    {
      note: 'an undefined rule under with',
      test: 'undefined_rule',
      want: [
        {
          kind: 'expression',
          location: { file: 't.rego', row: 15, col: 24 },
          text: 'allow with input as {"x": 2}',
          operands: [{ text: 'allow', defined: false }],
        },
      ],
    },
    {
      note: 'a false value without a body',
      test: 'false',
      want: [
        {
          kind: 'value',
          location: { file: 't.rego', row: 17, col: 15 },
          text: 'false',
          operands: [{ text: 'false', defined: true, value: false }],
        },
      ],
    },
    {
      note: 'a body that holds with a false value',
      test: 'value',
      want: [
        {
          kind: 'value',
          location: { file: 't.rego', row: 19, col: 15 },
          text: 'v',
          operands: [{ text: 'v', defined: true, value: false }],
        },
      ],
    },
    {
      note: 'iteration: the furthest expression, as last entered',
      test: 'iterates',
      want: [
        {
          kind: 'expression',
          location: { file: 't.rego', row: 26, col: 2 },
          text: 'y < 2',
          operands: [{ text: 'y', defined: true, value: 3 }],
        },
      ],
    },
    {
      note: 'an undefined input path',
      test: 'missing_input',
      want: [
        {
          kind: 'expression',
          location: { file: 't.rego', row: 29, col: 23 },
          text: 'input.missing == 1',
          operands: [{ text: 'input.missing', defined: false }],
        },
      ],
    },
    {
      note: 'a call operand is shown with its value',
      test: 'call',
      want: [
        {
          kind: 'expression',
          location: { file: 't.rego', row: 33, col: 2 },
          text: 'count(xs) > 2',
          operands: [{ text: 'count(xs)', defined: true, value: 2 }],
        },
      ],
    },
    {
      note: 'a rule defined twice: each definition explained, constants not shown',
      test: 'twice',
      want: [
        { kind: 'expression', location: { file: 't.rego', row: 36, col: 15 }, text: '1 == 2', operands: [] },
        {
          kind: 'expression',
          location: { file: 't.rego', row: 40, col: 2 },
          text: 'z == "b"',
          operands: [{ text: 'z', defined: true, value: 'a' }],
        },
      ],
    },
    {
      note: 'an else chain: the failed body and the else value',
      test: 'else',
      want: [
        { kind: 'expression', location: { file: 't.rego', row: 44, col: 2 }, text: 'false', operands: [] },
        {
          kind: 'value',
          location: { file: 't.rego', row: 45, col: 11 },
          text: 'false',
          operands: [{ text: 'false', defined: true, value: false }],
        },
      ],
    },
  ];
  it.each(cases)('$note', ({ test, want }) => {
    expect(why.get(`data.p.test_${test}`)).toEqual(want);
  });

  it('an uninstrumented run records nothing', async () => {
    const r = await runRegoTests(files, { filter: /test_assign$/ });
    expect(r.results[0]?.recorded).toBeUndefined();
  });

  it('results are the same instrumented or not', async () => {
    const plain = await runRegoTests(files);
    const instrumented = await runRegoTests(files, { coverage: true });
    expect(instrumented.results.map((r) => [r.name, r.passed, r.error])).toEqual(plain.results.map((r) => [r.name, r.passed, r.error]));
  });
});
