// coverageReport on modules whose evaluated lines are known: which lines count (rule heads, else
// clauses, expressions at any depth; not `some` declarations), ranges, counts and percentages.

import { describe, expect, it } from 'vitest';
import { coverageReport, prepareRegoTests, runRegoTests } from '../../engine/index.js';

const TEXT = [
  'package c', // 1
  '', // 2
  'xs := [1, 2, 3]', // 3
  '', // 4
  'big contains x if {', // 5
  '\tsome x in xs', // 6
  '\tx > 1', // 7
  '}', // 8
  '', // 9
  'grade := "a" if {', // 10
  '\tfalse', // 11
  '} else := "b"', // 12
  '', // 13
  'all_small if {', // 14
  '\tevery x in xs {', // 15
  '\t\tx < 10', // 16
  '\t}', // 17
  '}', // 18
  '', // 19
  'never := [y |', // 20
  '\tsome y in xs', // 21
  '\ty > 5', // 22
  ']', // 23
  '', // 24
  'test_c if {', // 25
  '\tcount(big) == 2', // 26
  '\tgrade == "b"', // 27
  '\tall_small', // 28
  '}', // 29
  '',
].join('\n');
const files = [{ name: 'c.rego', text: TEXT }];

describe('coverageReport', async () => {
  const run = await runRegoTests(files, { coverage: true });
  const report = coverageReport(
    run.results.flatMap((r) => r.recorded?.covered ?? []),
    prepareRegoTests(files).modules,
  );

  it('the test passes', () => {
    expect(run.results.map((r) => [r.name, r.passed])).toEqual([['data.c.test_c', true]]);
  });

  it('covers what ran and lists what did not (some declarations excluded)', () => {
    // Covered: xs (3), big's head and body (5, 7; 6 is `some … in`, evaluated, so covered too),
    // grade's else (12) and its failed body (11), every and its body (14-16), the test (25-28).
    // Not covered: grade's own head (10: never produced a value) and never's comprehension (20, 22).
    expect(report.files['c.rego']).toEqual({
      covered: [
        { start: { row: 3 }, end: { row: 3 } },
        { start: { row: 5 }, end: { row: 7 } },
        { start: { row: 11 }, end: { row: 12 } },
        { start: { row: 14 }, end: { row: 16 } },
        { start: { row: 25 }, end: { row: 28 } },
      ],
      not_covered: [
        { start: { row: 10 }, end: { row: 10 } },
        { start: { row: 20 }, end: { row: 20 } },
        { start: { row: 22 }, end: { row: 22 } },
      ],
      covered_lines: 13,
      not_covered_lines: 3,
      coverage: (100 * 13) / 16,
    });
    expect(report).toMatchObject({ covered_lines: 13, not_covered_lines: 3, coverage: (100 * 13) / 16 });
  });

  it('without marks nothing is covered and files without coverable lines report nothing', () => {
    const empty = coverageReport([], prepareRegoTests([...files, { name: 'e.rego', text: 'package e\n' }]).modules);
    expect(empty.coverage).toBe(0);
    expect(empty.files['e.rego']).toEqual({});
    expect(empty.files['c.rego']?.covered).toBeUndefined();
    // Line 6 (`some x in xs`) counts as covered when it runs but, as in OPA, never as not covered.
    expect(empty.not_covered_lines).toBe(15);
  });
});
