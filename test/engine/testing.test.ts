// runRegoTests: which rules are tests, pass/fail/error outcomes, data, filter, print output,
// compile errors reported as diagnostics.

import { describe, expect, it } from 'vitest';
import { runRegoTests } from '../../engine/index.js';

const MODULE = `package calc

double(x) := x * 2

limit := data.limits.max

test_double_passes if double(2) == 4

test_double_fails if double(2) == 5

test_value_counts := 1

test_false_value_fails := false

test_undefined_fails if input.missing == 1

test_with_input if input.x == 3 with input as {"x": 3}

test_data_limit if limit == 10

test_conflict_errors := v if {
	some v in [1, 2]
}

test_prints if {
	print("double is", double(3))
}

# Not tests: a function, a partial set, and a rule not named test_*.
test_fn(x) := x

test_set contains 1

helper_test := true
`;

const OTHER = `package other.pkg

import data.calc

test_cross_package if calc.double(5) == 10
`;

const files = [
  { name: 'calc.rego', text: MODULE },
  { name: 'other_test.rego', text: OTHER },
];

describe('runRegoTests', async () => {
  const report = await runRegoTests(files, { data: { limits: { max: 10 } } });
  const byName = new Map(report.results.map((r) => [r.name, r]));

  it('finds exactly the complete test_ rules, sorted by name', () => {
    expect(report.diagnostics).toEqual([]);
    expect(report.results.map((r) => r.name)).toEqual([
      'data.calc.test_conflict_errors',
      'data.calc.test_data_limit',
      'data.calc.test_double_fails',
      'data.calc.test_double_passes',
      'data.calc.test_false_value_fails',
      'data.calc.test_prints',
      'data.calc.test_undefined_fails',
      'data.calc.test_value_counts',
      'data.calc.test_with_input',
      'data.other.pkg.test_cross_package',
    ]);
  });

  const cases: { note: string; name: string; passed: boolean; error?: RegExp; file?: string; row?: number }[] = [
    { note: 'a true body passes', name: 'data.calc.test_double_passes', passed: true, file: 'calc.rego', row: 7 },
    { note: 'a false expression fails', name: 'data.calc.test_double_fails', passed: false, row: 9 },
    { note: 'a non-false value passes', name: 'data.calc.test_value_counts', passed: true },
    { note: 'the value false fails', name: 'data.calc.test_false_value_fails', passed: false },
    { note: 'an undefined value fails (no input)', name: 'data.calc.test_undefined_fails', passed: false },
    { note: 'with input as', name: 'data.calc.test_with_input', passed: true },
    { note: 'data is loaded', name: 'data.calc.test_data_limit', passed: true },
    {
      note: 'an abort is an error',
      name: 'data.calc.test_conflict_errors',
      passed: false,
      error: /eval_conflict_error: rule data\.calc\.test_conflict_errors produced conflicting values/,
    },
    {
      note: 'tests in other modules and packages',
      name: 'data.other.pkg.test_cross_package',
      passed: true,
      file: 'other_test.rego',
      row: 5,
    },
  ];
  it.each(cases)('$note', ({ name, passed, error, file, row }) => {
    const r = byName.get(name);
    expect(r).toBeDefined();
    expect(r?.passed).toBe(passed);
    if (error) expect(r?.error).toMatch(error);
    else expect(r?.error).toBeUndefined();
    if (file !== undefined) expect(r?.file).toBe(file);
    if (row !== undefined) expect(r?.row).toBe(row);
    expect(r?.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('captures print output per test', () => {
    expect(byName.get('data.calc.test_prints')?.output).toEqual(['double is 6']);
    expect(byName.get('data.calc.test_double_passes')?.output).toEqual([]);
  });

  it('without the data, the data test fails', async () => {
    const r = await runRegoTests(files, { filter: /test_data_limit$/ });
    expect(r.results.map((t) => [t.name, t.passed])).toEqual([['data.calc.test_data_limit', false]]);
  });

  const filters: { note: string; filter: RegExp; names: string[] }[] = [
    { note: 'by package', filter: /^data\.other\./, names: ['data.other.pkg.test_cross_package'] },
    { note: 'by name part', filter: /double/, names: ['data.calc.test_double_fails', 'data.calc.test_double_passes'] },
    {
      note: 'a global regexp does not skip tests',
      filter: /double/g,
      names: ['data.calc.test_double_fails', 'data.calc.test_double_passes'],
    },
    { note: 'nothing matches', filter: /nope/, names: [] },
  ];
  it.each(filters)('filter $note', async ({ filter, names }) => {
    const r = await runRegoTests(files, { data: { limits: { max: 10 } }, filter });
    expect(r.results.map((t) => t.name)).toEqual(names);
  });

  it('reports compile errors as diagnostics and runs nothing', async () => {
    const r = await runRegoTests([{ name: 'bad.rego', text: 'package bad\n\ntest_x if {\n' }, ...files]);
    expect(r.results).toEqual([]);
    expect(r.diagnostics.length).toBeGreaterThan(0);
    expect(r.diagnostics[0]).toMatchObject({ code: 'rego_parse_error', location: { file: 'bad.rego' } });
  });

  it('reports type errors in a test module', async () => {
    const r = await runRegoTests([{ name: 'u.rego', text: 'package u\n\ntest_x if no_such_function(1)\n' }]);
    expect(r.results).toEqual([]);
    expect(r.diagnostics[0]?.code).toBe('rego_type_error');
  });

  it('reports todo_test_ rules as skipped without running them, with package and rule split as OPA does', async () => {
    const text = 'package a.b\n\ntodo_test_never if 1 / 0 == 1\n\np.test_nested if true\n';
    const r = await runRegoTests([{ name: 't.rego', text }]);
    expect(r.results.map(({ name, pkg, rule, skipped, passed, row, col }) => ({ name, pkg, rule, skipped, passed, row, col }))).toEqual([
      { name: 'data.a.b.p.test_nested', pkg: 'data.a.b', rule: 'p.test_nested', skipped: false, passed: true, row: 5, col: 1 },
      { name: 'data.a.b.todo_test_never', pkg: 'data.a.b', rule: 'todo_test_never', skipped: true, passed: false, row: 3, col: 1 },
    ]);
  });

  it('returns no results for modules without tests', async () => {
    const r = await runRegoTests([{ name: 'p.rego', text: 'package p\n\nallow := true\n' }]);
    expect(r).toEqual({ results: [], diagnostics: [] });
  });
});
