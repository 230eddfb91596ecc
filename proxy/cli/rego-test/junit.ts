// The `--junit FILE` report of `portcullis test`: JUnit XML as GitHub, GitLab and Jenkins read
// it. One <testsuite> per package, one <testcase> per test (name the rule, classname the
// package, file, time in seconds), with <failure> (the explanation of a FAIL), <error> (the
// evaluation error, type its code) or <skipped/>; counts on every suite and on <testsuites>.

import { explanationLines } from './explain.js';
import type { ReportedResult } from './explain.js';
import { countResults, outcomeOf } from './pretty.js';

/** renderJunit renders the results as a JUnit XML document. */
export function renderJunit(results: readonly ReportedResult[]): string {
  const packages = new Map<string, ReportedResult[]>();
  for (const r of results) packages.set(r.pkg, [...(packages.get(r.pkg) ?? []), r]);
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="portcullis test"${counts(results)}>`];
  for (const [pkg, rs] of [...packages.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    out.push(`  <testsuite name="${attr(pkg)}"${counts(rs)}>`);
    for (const r of rs) out.push(...testcase(r));
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}

function counts(rs: readonly ReportedResult[]): string {
  const c = countResults(rs);
  const time = rs.reduce((t, r) => t + r.durationMs, 0);
  return ` tests="${rs.length}" failures="${c.failed}" errors="${c.errored}" skipped="${c.skipped}" time="${seconds(time)}"`;
}

function testcase(r: ReportedResult): string[] {
  const open = `    <testcase name="${attr(r.rule)}" classname="${attr(r.pkg)}" file="${attr(r.file)}" line="${r.row}" time="${seconds(r.durationMs)}"`;
  switch (outcomeOf(r)) {
    case 'PASS':
      return [`${open}/>`];
    case 'SKIPPED':
      return [`${open}>`, '      <skipped message="todo_test_: not run"/>', '    </testcase>'];
    case 'ERROR':
      return [
        `${open}>`,
        `      <error message="${attr(r.error ?? '')}" type="${attr(r.errorCode ?? 'eval_internal_error')}">${text(r.error ?? '')}</error>`,
        '    </testcase>',
      ];
    case 'FAIL': {
      const why = explanationLines(r.explanation ?? []).map((l) => l.slice(2));
      const first = r.explanation?.[0];
      const message = first === undefined ? `${r.name} failed` : `${first.kind === 'value' ? 'value' : first.text} failed`;
      const body = [`${r.file}:${r.row}: ${r.name}`, ...why, ...r.output.map((l) => `print: ${l}`)].join('\n');
      return [`${open}>`, `      <failure message="${attr(message)}" type="FAIL">${text(body)}</failure>`, '    </testcase>'];
    }
  }
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(6);
}

// XML 1.0 allows tab, newline, carriage return and the characters from U+0020 on (less the
// surrogates and U+FFFE/U+FFFF); anything else in a message would make the file unreadable.
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** text escapes character data. */
function text(s: string): string {
  return s.replace(NOT_XML, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** attr escapes an attribute value (quotes, and line breaks, which attribute normalisation would turn into spaces). */
function attr(s: string): string {
  return text(s).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}
