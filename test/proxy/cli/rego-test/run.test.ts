// `portcullis test` driven end to end on small fixtures in a temp dir: outcomes (pass, fail,
// error, todo_ skipped, timeout), --run, OPA's JSON shape, -v print output and OPA's exit codes.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../invocation.js';

const dir = mkdtempSync(join(tmpdir(), 'portcullis-rego-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FIXTURES: Record<string, string> = {
  'mixed/mixed_test.rego': [
    'package mixed', // 1
    '', // 2
    'test_ok if 1 == 1', // 3
    '', // 4
    'test_bad if {', // 5
    '\tx := 3', // 6
    '\tx == 2', // 7
    '}', // 8
    '', // 9
    'todo_test_later if false', // 10
    '', // 11
    'test_prints if {', // 12
    '\tprint("hello", 1)', // 13
    '}', // 14
    '', // 15
    'test_conflict := v if {', // 16
    '\tsome v in [1, 2]', // 17
    '}', // 18
    '',
  ].join('\n'),
  'slow/slow_test.rego': [
    'package slow',
    '',
    'test_runaway if count([x | some x in numbers.range(1, 100000000)]) > 0',
    '',
    'test_after if 1 == 1',
    '',
  ].join('\n'),
  'green/green_test.rego': 'package green\n\ntest_one if 1 == 1\n\ntest_two if "a" != "b"\n',
  'todo/todo_test.rego': 'package todo\n\ntest_one if 1 == 1\n\ntodo_test_two if false\n',
  'broken/b.rego': 'package broken\n\nallow if {\n',
};

beforeAll(() => {
  for (const [name, text] of Object.entries(FIXTURES)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
});

const cli = (args: string[]) => runCli(['test', ...args]);
const at = (p: string) => join(dir, p);
const timed = (s: string) => s.replace(/\((\d+µs|[\d.]+ms)\)/g, '(T)');

describe('portcullis test: outcomes and exit codes', () => {
  const cases: { note: string; args: string[]; code: number; stdout: RegExp; stderr?: RegExp }[] = [
    {
      note: 'all passing: only the summary, exit 0',
      args: [at('green')],
      code: 0,
      stdout: /^PASS: 2\/2\n2 passed, 0 failed\n$/,
    },
    {
      note: 'a failure, an error and a skipped test: exit 2',
      args: [at('mixed')],
      code: 2,
      stdout:
        /test_bad: FAIL[\s\S]*test_conflict: ERROR[\s\S]*todo_test_later: SKIPPED\n-{80}\nPASS: 2\/5\nFAIL: 1\/5\nSKIPPED: 1\/5\nERROR: 1\/5\n2 passed, 1 failed, 1 errored, 1 skipped\n$/,
    },
    {
      note: 'a skipped test alone fails the run (as opa test)',
      args: [at('todo')],
      code: 2,
      stdout: /todo_test\.rego:5:\ndata\.todo\.todo_test_two: SKIPPED\n[\s\S]*1 passed, 0 failed, 1 skipped\n$/,
    },
    { note: '-z: skipped tests do not fail the run', args: [at('todo'), '-z'], code: 0, stdout: /1 passed, 0 failed, 1 skipped\n$/ },
    {
      note: '--run matches the full name data.pkg.rule',
      args: [at('mixed'), at('green'), '--run', '^data\\.green\\.test_o'],
      code: 0,
      stdout: /^PASS: 1\/1\n1 passed, 0 failed\n$/,
    },
    {
      note: '--run matching nothing: exit 1',
      args: [at('green'), '--run', 'nope'],
      code: 1,
      stdout: /^$/,
      stderr: /no tests found \(rules named test_\*\) matching nope/,
    },
    { note: 'compile errors: exit 1', args: [at('broken')], code: 1, stdout: /^$/, stderr: /b\.rego:\d+:\d+: rego_parse_error/ },
    {
      note: 'a bad --format is a usage error: exit 2',
      args: [at('green'), '--format', 'xml'],
      code: 2,
      stdout: /^$/,
      stderr: /--format must be pretty or json, got "xml"/,
    },
    {
      note: 'a bad --timeout is a usage error',
      args: [at('green'), '--timeout', 'soon'],
      code: 2,
      stdout: /^$/,
      stderr: /--timeout must be a positive duration/,
    },
  ];
  it.each(cases)('$note', async ({ args, code, stdout, stderr }) => {
    const r = await cli(args);
    expect(r.stdout).toMatch(stdout);
    if (stderr) expect(r.stderr).toMatch(stderr);
    expect(r.code).toBe(code);
  });

  it('reports errors with their message and -v prints print() output', async () => {
    const r = await cli([at('mixed'), '-v', '--run', 'prints|conflict']);
    expect(timed(r.stdout).split('\n')).toEqual([
      expect.stringMatching(/mixed_test\.rego:16:$/),
      'data.mixed.test_conflict: ERROR (T)',
      expect.stringMatching(
        /^ {2}.*mixed_test\.rego:16: eval_conflict_error: rule data\.mixed\.test_conflict produced conflicting values$/,
      ),
      expect.stringMatching(/mixed_test\.rego:12:$/),
      'data.mixed.test_prints: PASS (T)',
      '  hello 1',
      '-'.repeat(80),
      'PASS: 1/2',
      'ERROR: 1/2',
      '1 passed, 0 failed, 1 errored',
      '',
    ]);
    expect(r.code).toBe(2);
  });

  it('-v explains a failure: the expression that failed and its operand values', async () => {
    const r = await cli([at('mixed'), '-v', '--run', 'bad']);
    expect(timed(r.stdout).split('\n').slice(0, 4)).toEqual([
      expect.stringMatching(/mixed_test\.rego:5:$/),
      'data.mixed.test_bad: FAIL (T)',
      `  ${at('mixed/mixed_test.rego')}:7: x == 2`,
      '    x = 3',
    ]);
  });

  it('without -v a failure is not explained', async () => {
    const r = await cli([at('mixed'), '--run', 'bad']);
    expect(timed(r.stdout).split('\n').slice(0, 3)).toEqual([
      expect.stringMatching(/mixed_test\.rego:5:$/),
      'data.mixed.test_bad: FAIL (T)',
      '-'.repeat(80),
    ]);
  });

  it('without -v, passing tests and their output are not reported', async () => {
    const r = await cli([at('mixed'), '--run', 'prints']);
    expect(r.stdout).toBe('PASS: 1/1\n1 passed, 0 failed\n');
  });

  it('stops a runaway test at --timeout, reports it as an error and runs the next test', async () => {
    const started = Date.now();
    const r = await cli([at('slow'), '--timeout', '300ms', '-v']);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(timed(r.stdout)).toContain('data.slow.test_after: PASS (T)');
    expect(r.stdout).toMatch(/data\.slow\.test_runaway: ERROR \(300\.0ms\)\n {2}test timed out after 300ms\n/);
    expect(r.stdout).toMatch(/1 passed, 0 failed, 1 errored\n$/);
    expect(r.code).toBe(2);
  });
});

describe('portcullis test --format json', () => {
  it("prints OPA's result array on stdout and the closing line on stderr", async () => {
    const r = await cli([at('mixed'), '--format', 'json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('2 passed, 1 failed, 1 errored, 1 skipped\n');
    const parsed = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    const file = at('mixed/mixed_test.rego');
    const shape = parsed.map((x) => ({ ...x, duration: typeof x['duration'] }));
    expect(shape).toEqual([
      {
        location: { file, row: 5, col: 1 },
        package: 'data.mixed',
        name: 'test_bad',
        fail: true,
        duration: 'number',
        failed_at: {
          location: { file, row: 7, col: 2 },
          kind: 'expression',
          text: 'x == 2',
          operands: [{ text: 'x', defined: true, value: 3 }],
        },
      },
      {
        location: { file, row: 16, col: 1 },
        package: 'data.mixed',
        name: 'test_conflict',
        error: {
          code: 'eval_conflict_error',
          message: `${file}:16: eval_conflict_error: rule data.mixed.test_conflict produced conflicting values`,
        },
        duration: 'number',
      },
      { location: { file, row: 3, col: 1 }, package: 'data.mixed', name: 'test_ok', duration: 'number' },
      {
        location: { file, row: 12, col: 1 },
        package: 'data.mixed',
        name: 'test_prints',
        duration: 'number',
        output: Buffer.from('hello 1\n').toString('base64'),
      },
      { location: { file, row: 10, col: 1 }, package: 'data.mixed', name: 'todo_test_later', skip: true, duration: 'number' },
    ]);
    // Go's time.Duration: nanoseconds, an integer.
    expect(parsed.every((x) => Number.isInteger(x['duration']))).toBe(true);
  });

  it('a timed-out test is an eval_cancel_error', async () => {
    const r = await cli([at('slow'), '--format', 'json', '--timeout', '200ms', '--run', 'runaway']);
    const [only] = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(only).toMatchObject({ name: 'test_runaway', error: { code: 'eval_cancel_error', message: 'test timed out after 200ms' } });
    expect(only?.['duration']).toBe(200_000_000);
  });
});

describe('portcullis test -v: explanations of a false value', () => {
  beforeAll(() => {
    mkdirSync(at('values'), { recursive: true });
    writeFileSync(at('values/v_test.rego'), 'package values\n\ntest_literal := false\n\ntest_computed := v if {\n\tv := 1 > 2\n}\n');
  });

  it.each([
    { note: 'a literal false', run: 'literal', lines: [`  ${at('values/v_test.rego')}:3: the test's value is false`] },
    { note: 'a computed value', run: 'computed', lines: [`  ${at('values/v_test.rego')}:5: the test's value is false`, '    v = false'] },
  ])('$note', async ({ run, lines }) => {
    const r = await cli([at('values'), '-v', '--run', run]);
    const out = r.stdout.split('\n');
    const at0 = out.findIndex((l) => l.includes(': FAIL ('));
    expect(out.slice(at0 + 1, at0 + 1 + lines.length)).toEqual(lines);
    expect(out[at0 + 1 + lines.length]).toBe('-'.repeat(80));
  });
});
