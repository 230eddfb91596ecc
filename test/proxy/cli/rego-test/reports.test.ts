// `portcullis test --junit/--coverage/--lcov/--threshold` on fixtures whose outcomes and covered
// lines are known: the JUnit XML parsed back (with a small independent XML reader) and checked,
// OPA's coverage numbers, the LCOV records, and the threshold's exit codes and message.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../invocation.js';

const dir = mkdtempSync(join(tmpdir(), 'portcullis-rego-reports-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (p: string) => join(dir, p);

const FIXTURES: Record<string, string> = {
  // Lines 3 (default head), 10-11 (deny never evaluated) stay uncovered: 4 of 7 lines covered.
  'cov/p.rego': [
    'package p', // 1
    '', // 2
    'default allow := false', // 3
    '', // 4
    'allow if {', // 5
    '\tinput.x == 1', // 6
    '\tinput.y == 2', // 7
    '}', // 8
    '', // 9
    'deny if {', // 10
    '\tinput.x == 3', // 11
    '}', // 12
    '',
  ].join('\n'),
  'cov/p_test.rego': 'package p\n\ntest_allow if allow with input as {"x": 1, "y": 2}\n',
  'suite/a_test.rego': [
    'package a', // 1
    '', // 2
    'test_pass if 1 == 1', // 3
    '', // 4
    'test_fail if {', // 5
    '\ts := "<a & \'b\'>"', // 6
    '\tprint("ctl\\u0001 and \\"quotes\\"")', // 7
    '\ts == "x"', // 8
    '}', // 9
    '', // 10
    'test_error := v if {', // 11
    '\tsome v in [1, 2]', // 12
    '}', // 13
    '', // 14
    'todo_test_skip if false', // 15
    '',
  ].join('\n'),
  'suite/b_test.rego': 'package b.c\n\ntest_ok if true\n',
};

beforeAll(() => {
  for (const [name, text] of Object.entries(FIXTURES)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
});

/** XmlNode is an element read back by parseXml. */
type XmlNode = { name: string; attrs: Record<string, string>; children: XmlNode[]; text: string };

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decode = (s: string) =>
  s.replace(/&(#x?[0-9a-fA-F]+|\w+);/g, (_, e: string) =>
    e.startsWith('#x')
      ? String.fromCodePoint(Number.parseInt(e.slice(2), 16))
      : e.startsWith('#')
        ? String.fromCodePoint(Number(e.slice(1)))
        : (ENTITIES[e] ?? '?'),
  );

/** parseXml reads a well-formed document (declaration, elements, attributes, text); it throws on anything else. */
function parseXml(doc: string): XmlNode {
  let i = doc.startsWith('<?xml') ? doc.indexOf('?>') + 2 : 0;
  const element = (): XmlNode => {
    const open = /^<([\w:-]+)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/.exec(doc.slice(i));
    if (!open) throw new Error(`expected an element at ${i}: ${doc.slice(i, i + 40)}`);
    i += open[0].length;
    const attrs: Record<string, string> = {};
    for (const m of (open[2] ?? '').matchAll(/([\w:-]+)="([^"]*)"/g)) attrs[m[1] as string] = decode(m[2] as string);
    const node: XmlNode = { name: open[1] as string, attrs, children: [], text: '' };
    if (open[3] === '/') return node;
    for (;;) {
      const lt = doc.indexOf('<', i);
      if (lt < 0) throw new Error(`unclosed <${node.name}>`);
      node.text += decode(doc.slice(i, lt));
      i = lt;
      if (doc.startsWith(`</${node.name}>`, i)) {
        i += node.name.length + 3;
        return node;
      }
      if (doc.startsWith('</', i)) throw new Error(`mismatched close at ${i}`);
      node.children.push(element());
    }
  };
  while (/\s/.test(doc[i] ?? '')) i++;
  const root = element();
  if (doc.slice(i).trim() !== '') throw new Error('content after the root element');
  return root;
}

describe('portcullis test --junit', () => {
  it('writes JUnit XML: a suite per package, a case per test, failure/error/skipped, escaped', async () => {
    const file = at('junit.xml');
    const r = await runCli(['test', at('suite'), '--junit', file]);
    expect(r.code).toBe(2);
    const root = parseXml(readFileSync(file, 'utf8'));
    expect(root).toMatchObject({ name: 'testsuites', attrs: { tests: '5', failures: '1', errors: '1', skipped: '1' } });
    const suites = root.children.map((s) => ({ name: s.attrs['name'], tests: s.attrs['tests'], failures: s.attrs['failures'] }));
    expect(suites).toEqual([
      { name: 'data.a', tests: '4', failures: '1' },
      { name: 'data.b.c', tests: '1', failures: '0' },
    ]);
    const cases = root.children.flatMap((s) => s.children);
    const byName = new Map(cases.map((c) => [c.attrs['name'], c]));
    expect(cases.map((c) => [c.attrs['classname'], c.attrs['name'], c.children.map((x) => x.name)])).toEqual([
      ['data.a', 'test_error', ['error']],
      ['data.a', 'test_fail', ['failure']],
      ['data.a', 'test_pass', []],
      ['data.a', 'todo_test_skip', ['skipped']],
      ['data.b.c', 'test_ok', []],
    ]);
    expect(cases.every((c) => /^\d+\.\d{6}$/.test(c.attrs['time'] ?? ''))).toBe(true);
    const failure = byName.get('test_fail')?.children[0];
    expect(failure?.attrs).toEqual({ message: 's == "x" failed', type: 'FAIL' });
    expect(failure?.text.split('\n')).toEqual([
      `${at('suite/a_test.rego')}:5: data.a.test_fail`,
      `${at('suite/a_test.rego')}:8: s == "x"`,
      `  s = "<a & 'b'>"`,
      // The control character is not allowed in XML 1.0: replaced.
      'print: ctl\uFFFD and "quotes"',
    ]);
    const error = byName.get('test_error')?.children[0];
    expect(error?.attrs['type']).toBe('eval_conflict_error');
    expect(error?.attrs['message']).toMatch(/a_test\.rego:11: eval_conflict_error: rule data\.a\.test_error produced conflicting values$/);
    expect(byName.get('test_ok')?.attrs['file']).toBe(at('suite/b_test.rego'));
  });
});

describe('portcullis test --coverage, --lcov, --threshold', () => {
  const COVERED = { covered: [{ start: { row: 5 }, end: { row: 7 } }], covered_lines: 3 };

  it("prints OPA's coverage report on stdout, the test report on stderr", async () => {
    const r = await runCli(['test', at('cov'), '--coverage']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('PASS: 1/1\n1 passed, 0 failed\n');
    expect(JSON.parse(r.stdout)).toEqual({
      files: {
        [at('cov/p.rego')]: {
          ...COVERED,
          not_covered: [
            { start: { row: 3 }, end: { row: 3 } },
            { start: { row: 10 }, end: { row: 11 } },
          ],
          not_covered_lines: 3,
          coverage: 50,
        },
        [at('cov/p_test.rego')]: { covered: [{ start: { row: 3 }, end: { row: 3 } }], covered_lines: 1, coverage: 100 },
      },
      covered_lines: 4,
      not_covered_lines: 3,
      coverage: (100 * 4) / 7,
    });
  });

  it('writes an LCOV tracefile without changing stdout', async () => {
    const file = at('cov.info');
    const r = await runCli(['test', at('cov'), '--lcov', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('PASS: 1/1\n1 passed, 0 failed\n');
    expect(readFileSync(file, 'utf8')).toBe(
      [
        'TN:',
        `SF:${at('cov/p.rego')}`,
        'DA:3,0',
        'DA:5,1',
        'DA:6,1',
        'DA:7,1',
        'DA:10,0',
        'DA:11,0',
        'LF:6',
        'LH:3',
        'end_of_record',
        'TN:',
        `SF:${at('cov/p_test.rego')}`,
        'DA:3,1',
        'LF:1',
        'LH:1',
        'end_of_record',
        '',
      ].join('\n'),
    );
  });

  const thresholds: { note: string; args: string[]; code: number; stderr: RegExp }[] = [
    { note: 'coverage at the threshold passes', args: ['--threshold', '57'], code: 0, stderr: /1 passed, 0 failed\n$/ },
    {
      note: 'coverage below the threshold: exit 2 with OPA’s message',
      args: ['--threshold', '60'],
      code: 2,
      stderr: /1 passed, 0 failed\nCode coverage threshold not met: got 57\.14 instead of 60\.00\n$/,
    },
    {
      note: '-v lists the lines not covered',
      args: ['--threshold', '90', '-v'],
      code: 2,
      stderr: /got 57\.14 instead of 90\.00\nLines not covered:\n\t.*p\.rego:3\n\t.*p\.rego:10-11\n$/,
    },
    {
      note: 'a threshold over 100 is a usage error',
      args: ['--threshold', '101'],
      code: 2,
      stderr: /--threshold must be a percentage from 0 to 100, got "101"/,
    },
    { note: 'a threshold that is not a number', args: ['--threshold', 'lots'], code: 2, stderr: /--threshold must be a percentage/ },
  ];
  it.each(thresholds)('$note', async ({ args, code, stderr }) => {
    const r = await runCli(['test', at('cov'), ...args]);
    expect(r.stderr).toMatch(stderr);
    expect(r.code).toBe(code);
  });

  it('a failing test still fails the run with coverage on, and the report is still printed', async () => {
    const r = await runCli(['test', at('suite'), '--coverage', '-z', '--run', 'fail']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/test_fail: FAIL[\s\S]*0 passed, 1 failed\n$/);
    expect(JSON.parse(r.stdout)).toMatchObject({ covered_lines: expect.any(Number) });
  });
});
