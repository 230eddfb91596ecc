// The conformance ratchet (expected.ts): every difference from the committed outcomes is found and
// sorted, the report names each case, and the file round-trips and updates one host at a time.

import { describe, expect, it } from 'vitest';
import {
  compareExpected,
  compareIds,
  differences,
  formatVerdict,
  parseExpected,
  serialiseExpected,
  statusOf,
  updateExpected,
} from './expected.js';
import type { ExpectedFile, Verdict } from './expected.js';
import type { CaseResult } from './report.js';
import type { HostName, Outcome } from './run-case.js';

const HOSTS: readonly HostName[] = ['loader', 'sdk'];
const pass: Outcome = { status: 'pass' };
const fail: Outcome = { status: 'fail', reason: 'want [1] got []' };
const skip: Outcome = { status: 'skip', builtins: ['net.cidr_merge'] };
const timeout: Outcome = { status: 'timeout', reason: 'no result within 10 ms' };
const crash: Outcome = { status: 'crash', reason: 'exit 1' };
const res = (id: string, outcome: Outcome): CaseResult => ({ id, folder: id.split('/')[0] ?? '', note: `note of ${id}`, outcome });

const ids = (v: Verdict): Record<string, string[]> => Object.fromEntries(Object.entries(v).map(([k, cs]) => [k, cs.map((c) => c.id)]));
const none = { regressions: [], newlyPassing: [], changed: [], added: [], removed: [] };

describe('statusOf', () => {
  it.each([
    { outcome: pass, want: 'pass' },
    { outcome: fail, want: 'fail' },
    { outcome: skip, want: 'skip' },
    { outcome: timeout, want: 'fail' },
    { outcome: crash, want: 'fail' },
  ])('$outcome.status is recorded as $want', ({ outcome, want }) => {
    expect(statusOf(outcome)).toBe(want);
  });
});

describe('compareExpected', () => {
  const file: ExpectedFile = {
    'a/t.yaml#0': { loader: 'pass', sdk: 'pass' },
    'a/t.yaml#1': { loader: 'pass', sdk: 'fail' },
    'b/t.yaml#0': { loader: 'fail', sdk: 'skip' },
    'b/t.yaml#1': { sdk: 'pass' },
  };
  type Row = {
    note: string;
    host: HostName;
    results: CaseResult[];
    complete: boolean;
    want: Record<string, string[]>;
    file?: ExpectedFile;
  };
  it.each<Row>([
    {
      note: 'a run exactly as expected has no findings',
      host: 'loader',
      results: [res('a/t.yaml#0', pass), res('a/t.yaml#1', pass), res('b/t.yaml#0', fail)],
      complete: true,
      want: none,
    },
    {
      note: 'expected failures that still fail are fine on their host',
      host: 'sdk',
      results: [res('a/t.yaml#0', pass), res('a/t.yaml#1', fail), res('b/t.yaml#0', skip), res('b/t.yaml#1', pass)],
      complete: true,
      want: none,
    },
    {
      note: 'an expected pass that fails, skips or times out is a regression',
      host: 'sdk',
      results: [res('a/t.yaml#0', fail), res('a/t.yaml#1', fail), res('b/t.yaml#0', skip), res('b/t.yaml#1', timeout)],
      complete: true,
      want: { ...none, regressions: ['a/t.yaml#0', 'b/t.yaml#1'] },
    },
    {
      note: 'an expected failure or skip that passes is newly passing',
      host: 'sdk',
      results: [res('a/t.yaml#0', pass), res('a/t.yaml#1', pass), res('b/t.yaml#0', pass), res('b/t.yaml#1', pass)],
      complete: true,
      want: { ...none, newlyPassing: ['a/t.yaml#1', 'b/t.yaml#0'] },
    },
    {
      note: 'fail and skip swapping places is a change',
      host: 'sdk',
      results: [res('a/t.yaml#0', pass), res('a/t.yaml#1', skip), res('b/t.yaml#0', crash), res('b/t.yaml#1', pass)],
      complete: true,
      want: { ...none, changed: ['a/t.yaml#1', 'b/t.yaml#0'] },
    },
    {
      note: 'a case the file lacks for this host is added, one it has but the corpus lost is removed',
      host: 'loader',
      results: [res('a/t.yaml#0', pass), res('b/t.yaml#0', fail), res('b/t.yaml#1', pass), res('c/t.yaml#0', fail)],
      complete: true,
      want: { ...none, added: ['b/t.yaml#1', 'c/t.yaml#0'], removed: ['a/t.yaml#1'] },
    },
    {
      note: 'a filtered run does not count the cases it did not run as removed',
      host: 'loader',
      results: [res('a/t.yaml#0', pass)],
      complete: false,
      want: none,
    },
    {
      note: 'an empty file makes every case added',
      host: 'loader',
      results: [res('a/t.yaml#0', pass), res('a/t.yaml#1', fail)],
      complete: true,
      want: { ...none, added: ['a/t.yaml#0', 'a/t.yaml#1'] },
      file: {},
    },
  ])('$note', ({ host, results, complete, want, file: own }) => {
    const v = compareExpected(own ?? file, host, results, complete);
    expect(ids(v)).toEqual(want);
    expect(differences(v)).toBe(Object.values(want).reduce((n, l) => n + l.length, 0));
  });

  it('keeps what was expected, what came and why', () => {
    const v = compareExpected(file, 'loader', [res('a/t.yaml#0', fail), res('b/t.yaml#0', skip)], false);
    expect(v.regressions).toEqual([{ id: 'a/t.yaml#0', expected: 'pass', got: 'fail', detail: 'want [1] got []' }]);
    expect(v.changed).toEqual([{ id: 'b/t.yaml#0', expected: 'fail', got: 'skip', detail: 'unsupported: net.cidr_merge' }]);
  });
});

describe('formatVerdict', () => {
  const hint = 'npm run test:conformance -- --update-expected';
  it.each([
    { note: 'no differences is one line', verdict: none, want: ['expected outcomes (f, host loader): every case as expected'] },
    {
      note: 'each group lists its cases, then the update command',
      verdict: {
        ...none,
        regressions: [{ id: 'a/t.yaml#0', expected: 'pass' as const, got: 'fail' as const, detail: 'timeout: slow' }],
        newlyPassing: [{ id: 'b/t.yaml#2', expected: 'fail' as const, got: 'pass' as const }],
        removed: [{ id: 'c/t.yaml#1', expected: 'skip' as const }],
      },
      want: [
        'expected outcomes (f, host loader): 3 cases differ',
        'expected to pass, did not (1):',
        '  a/t.yaml#0 (expected pass, got fail): timeout: slow',
        'newly passing (a fix? record it) (1):',
        '  b/t.yaml#2 (expected fail, got pass)',
        'in the file, gone from the corpus (1):',
        '  c/t.yaml#1 (expected skip, got nothing)',
        `if every difference is intended, record the new outcomes: ${hint}`,
      ],
    },
    {
      note: 'a case the file lacks says so',
      verdict: { ...none, added: [{ id: 'd/t.yaml#0', got: 'pass' as const }] },
      want: [
        'expected outcomes (f, host loader): 1 case differs',
        'not in the file (1):',
        '  d/t.yaml#0 (expected nothing, got pass)',
        `if every difference is intended, record the new outcomes: ${hint}`,
      ],
    },
  ])('$note', ({ verdict, want }) => {
    expect(formatVerdict(verdict, 'f, host loader', hint)).toEqual(want);
  });

  it('truncates long reasons', () => {
    const lines = formatVerdict(
      { ...none, regressions: [{ id: 'a#0', expected: 'pass', got: 'fail', detail: 'x'.repeat(400) }] },
      'f',
      hint,
    );
    expect(lines[2]?.length).toBeLessThan(220);
    expect(lines[2]?.endsWith('…')).toBe(true);
  });

  it('leaves out the update command when there is none to suggest', () => {
    expect(formatVerdict({ ...none, added: [{ id: 'd/t.yaml#0', got: 'pass' }] }, 'f')).toEqual([
      'expected outcomes (f): 1 case differs',
      'not in the file (1):',
      '  d/t.yaml#0 (expected nothing, got pass)',
    ]);
  });
});

describe('compareIds', () => {
  it('orders by path, then by index as a number', () => {
    expect(['b/t.yaml#0', 'a/t.yaml#10', 'a/u.yaml#0', 'a/t.yaml#2'].sort(compareIds)).toEqual([
      'a/t.yaml#2',
      'a/t.yaml#10',
      'a/u.yaml#0',
      'b/t.yaml#0',
    ]);
  });
});

describe('updateExpected', () => {
  const file: ExpectedFile = {
    'a/t.yaml#0': { loader: 'pass', sdk: 'fail' },
    'a/t.yaml#1': { loader: 'fail' },
    'a/t.yaml#2': { sdk: 'pass' },
  };
  it.each([
    {
      note: 'a complete run replaces the host column (dropping cases it did not run) and keeps the other host',
      complete: true,
      results: [res('a/t.yaml#0', pass), res('a/t.yaml#3', timeout)],
      want: { 'a/t.yaml#0': { loader: 'pass', sdk: 'pass' }, 'a/t.yaml#1': { loader: 'fail' }, 'a/t.yaml#3': { sdk: 'fail' } },
    },
    {
      note: 'a filtered run only touches the cases it ran',
      complete: false,
      results: [res('a/t.yaml#2', skip)],
      want: { 'a/t.yaml#0': { loader: 'pass', sdk: 'fail' }, 'a/t.yaml#1': { loader: 'fail' }, 'a/t.yaml#2': { sdk: 'skip' } },
    },
  ])('$note', ({ complete, results, want }) => {
    const updated = updateExpected(file, 'sdk', results, complete);
    expect(updated).toEqual(want);
    expect(differences(compareExpected(updated, 'sdk', results, complete))).toBe(0);
  });
});

describe('parseExpected / serialiseExpected', () => {
  it('round-trips, one case per line in id order', () => {
    const file: ExpectedFile = {
      'b/t.yaml#0': { sdk: 'skip' },
      'a/t.yaml#10': { sdk: 'fail', loader: 'pass' },
      'a/t.yaml#9': { loader: 'pass' },
    };
    const text = serialiseExpected(file, HOSTS);
    expect(text).toBe(
      '{\n  "a/t.yaml#9": { "loader": "pass" },\n  "a/t.yaml#10": { "loader": "pass", "sdk": "fail" },\n  "b/t.yaml#0": { "sdk": "skip" }\n}\n',
    );
    expect(parseExpected(text, HOSTS)).toEqual(file);
    expect(serialiseExpected({}, HOSTS)).toBe('{}\n');
  });

  it.each([
    { note: 'not an object', text: '[]', want: /not a JSON object/ },
    { note: 'an entry that is not an object', text: '{"a#0": "pass"}', want: /a#0 is not an object/ },
    { note: 'an unknown host', text: '{"a#0": {"opa": "pass"}}', want: /unknown host opa/ },
    { note: 'an unknown status', text: '{"a#0": {"sdk": "passed"}}', want: /a#0 sdk is "passed", not pass\/fail\/skip/ },
  ])('rejects $note', ({ text, want }) => {
    expect(() => parseExpected(text, HOSTS)).toThrow(want);
  });
});
