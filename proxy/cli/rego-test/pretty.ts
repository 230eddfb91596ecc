// The `--format pretty` report of `portcullis test`, in `opa test`'s layout: each reported test
// under its `file:row:`, a FAIL/ERROR/SKIPPED line (every line with -v), the error, the print()
// output and, with -v, why a FAIL failed; then 80 dashes, `PASS: n/N`-style counts and the plain closing line a CI harness reads.

import type { RegoTestResult } from '../../../engine/index.js';
import { explanationLines } from './explain.js';
import type { ReportedResult } from './explain.js';

/** Counts are a run's outcomes; every result is exactly one of them. */
export type Counts = { readonly passed: number; readonly failed: number; readonly errored: number; readonly skipped: number };

/** outcomeOf classifies a result as OPA does (a skipped test is neither passed nor failed). */
export function outcomeOf(r: RegoTestResult): 'PASS' | 'FAIL' | 'ERROR' | 'SKIPPED' {
  if (r.skipped) return 'SKIPPED';
  if (r.error !== undefined) return 'ERROR';
  return r.passed ? 'PASS' : 'FAIL';
}

/** countResults counts the outcomes. */
export function countResults(results: readonly RegoTestResult[]): Counts {
  const n = { PASS: 0, FAIL: 0, ERROR: 0, SKIPPED: 0 };
  for (const r of results) n[outcomeOf(r)]++;
  return { passed: n.PASS, failed: n.FAIL, errored: n.ERROR, skipped: n.SKIPPED };
}

/** closingLine is `N passed, N failed`, plus the errored and skipped counts when not zero. */
export function closingLine(c: Counts): string {
  let line = `${c.passed} passed, ${c.failed} failed`;
  if (c.errored > 0) line += `, ${c.errored} errored`;
  if (c.skipped > 0) line += `, ${c.skipped} skipped`;
  return line;
}

/** PrettyOptions: verbose reports every test (and its print output), not only the ones that did not pass. */
export type PrettyOptions = { readonly verbose: boolean };

/** renderPretty renders the report, ending with the closing line. */
export function renderPretty(results: readonly ReportedResult[], opts: PrettyOptions): string {
  const out: string[] = [];
  let lastFile: string | undefined;
  for (const r of results) {
    const outcome = outcomeOf(r);
    if (!opts.verbose && outcome === 'PASS') continue;
    if (lastFile !== undefined && lastFile !== r.file) out.push('');
    lastFile = r.file;
    out.push(`${r.file}:${r.row}:`);
    out.push(outcome === 'SKIPPED' ? `${r.name}: SKIPPED` : `${r.name}: ${outcome} (${formatElapsed(r.durationMs)})`);
    if (r.error !== undefined) out.push(`  ${r.error}`);
    if (opts.verbose && r.explanation !== undefined) out.push(...explanationLines(r.explanation));
    for (const line of r.output) out.push(`  ${line}`);
  }
  if (out.length > 0) out.push('-'.repeat(80));
  const c = countResults(results);
  const total = results.length;
  if (c.passed > 0) out.push(`PASS: ${c.passed}/${total}`);
  if (c.failed > 0) out.push(`FAIL: ${c.failed}/${total}`);
  if (c.skipped > 0) out.push(`SKIPPED: ${c.skipped}/${total}`);
  if (c.errored > 0) out.push(`ERROR: ${c.errored}/${total}`);
  out.push(closingLine(c));
  return `${out.join('\n')}\n`;
}

/** formatElapsed renders a duration as `opa test` does in spirit: µs below a millisecond, else ms. */
export function formatElapsed(ms: number): string {
  return ms < 1 ? `${Math.round(ms * 1000)}µs` : `${ms.toFixed(1)}ms`;
}
