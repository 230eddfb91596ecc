import { describe, expect, it } from 'vitest';
import { exitCode, formatReport, languageCounts, skipsByBuiltin, summarise } from './report.js';
import type { CaseResult } from './report.js';
import type { Outcome } from './run-case.js';

const r = (folder: string, n: number, outcome: Outcome): CaseResult => ({
  id: `${folder}/t.yaml#${n}`,
  folder,
  note: `${folder}/case${n}`,
  outcome,
});
const pass: Outcome = { status: 'pass' };
const fail: Outcome = { status: 'fail', reason: 'want [] got [{}]' };

const many = (folder: string, passed: number, failed: number): CaseResult[] => [
  ...Array.from({ length: passed }, (_, i) => r(folder, i, pass)),
  ...Array.from({ length: failed }, (_, i) => r(folder, passed + i, fail)),
];

describe('summarise / languageCounts', () => {
  const results = [
    ...many('withkeyword', 3, 1),
    r('strings', 0, { status: 'skip', builtins: ['strings.any_prefix_match'] }),
    r('time', 0, fail),
  ];
  it.each([
    {
      note: 'totals',
      got: () => {
        const { byFolder: _b, ...t } = summarise(results);
        return t;
      },
      want: { total: 6, passed: 3, failed: 2, skipped: 1 },
    },
    { note: 'per folder', got: () => summarise(results).byFolder.withkeyword, want: { total: 4, passed: 3, failed: 1, skipped: 0 } },
    {
      note: 'builtin folders are excluded from the language rate',
      got: () => languageCounts(summarise(results)),
      want: { total: 4, passed: 3, failed: 1, skipped: 0 },
    },
    { note: 'folders sorted', got: () => Object.keys(summarise(results).byFolder), want: ['strings', 'time', 'withkeyword'] },
  ])('$note', ({ got, want }) => {
    expect(got()).toEqual(want);
  });
});

describe('exitCode', () => {
  it.each([
    { note: 'failures that match the expected outcomes pass', results: many('sets', 1, 9), differences: 0, want: 0 },
    { note: 'any difference from the expected outcomes fails', results: many('sets', 10, 0), differences: 1, want: 1 },
    {
      note: 'a timeout fails the run',
      results: [...many('sets', 10, 0), r('time', 9, { status: 'timeout', reason: 'slow' })],
      differences: 0,
      want: 1,
    },
    {
      note: 'a crash fails the run',
      results: [...many('sets', 10, 0), r('sets', 11, { status: 'crash', reason: 'exit 1' })],
      differences: 0,
      want: 1,
    },
  ])('$note', ({ results, differences, want }) => {
    expect(exitCode(results, differences)).toBe(want);
  });
});

describe('formatReport', () => {
  const results = [
    ...many('sets', 2, 1),
    r('strings', 5, { status: 'skip', builtins: ['strings.any_prefix_match', 'time.now_ns'] }),
    r('time', 6, { status: 'skip', builtins: ['time.now_ns'] }),
    r('time', 7, { status: 'timeout', reason: 'no result within 10 ms' }),
    r('sets', 8, { status: 'fail', reason: 'x'.repeat(500) }),
  ];
  const text = formatReport(results, ['expected outcomes (x): every case as expected']);
  const lines = text.split('\n');
  it.each([
    { note: 'last line is the exact summary', got: lines.at(-1), want: 'conformance: 2 passed, 3 failed, 2 skipped' },
    {
      note: 'folder line',
      got: lines.find((l) => l.startsWith('sets')),
      want: expect.stringMatching(/^sets\s+2\/4\s+2 failed\s+0 skipped$/),
    },
    {
      note: 'failing case line',
      got: lines.find((l) => l.startsWith('sets/t.yaml#2')),
      want: 'sets/t.yaml#2 sets/case2: want [] got [{}]',
    },
    {
      note: 'timeouts are listed',
      got: lines.find((l) => l.startsWith('time/t.yaml#7')),
      want: 'time/t.yaml#7 time/case7: timeout: no result within 10 ms',
    },
    { note: 'long reasons are truncated', got: (lines.find((l) => l.startsWith('sets/t.yaml#8')) ?? '').length < 260, want: true },
    {
      note: 'skips grouped by builtin, most first',
      got: lines.filter((l) => l.startsWith('  ')).map((l) => l.split(':')[0]),
      want: ['  time.now_ns', '  strings.any_prefix_match'],
    },
    {
      note: 'language rate line',
      got: lines.find((l) => l.startsWith('language semantics')),
      want: 'language semantics: 2/4 passed (50.0%)',
    },
    {
      note: 'extra lines just before the summary',
      got: lines.slice(-3),
      want: ['', 'expected outcomes (x): every case as expected', 'conformance: 2 passed, 3 failed, 2 skipped'],
    },
  ])('$note', ({ got, want }) => {
    expect(got).toEqual(want);
  });
  it('skipsByBuiltin lists every case under each builtin', () => {
    expect([...skipsByBuiltin(results)]).toEqual([
      ['time.now_ns', ['strings/t.yaml#5', 'time/t.yaml#6']],
      ['strings.any_prefix_match', ['strings/t.yaml#5']],
    ]);
  });
});
