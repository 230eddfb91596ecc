// Failure explanations for `portcullis test`: the tests that failed run once more from a build
// instrumented to report their expressions' operands (engine explain), under the same time
// limit in a worker, and each failed result gets the expression that failed and its operand
// values (engine explainFailure). Only FAIL results are explained: an ERROR already says why.

import { explainFailure, prepareRegoTests } from '../../../engine/index.js';
import type { FailureExplanation, RegoTestResult, SourceFile } from '../../../engine/index.js';
import { outcomeOf } from './pretty.js';
import { runCases } from './runner.js';

/** ReportedResult is a test result as the reports see it: with the explanation of a failure. */
export type ReportedResult = RegoTestResult & { readonly explanation?: readonly FailureExplanation[] };

/** ExplainOptions are the options the tests ran with. */
export type ExplainOptions = { readonly dataJson: string; readonly timeoutMs: number; readonly regoVersion?: 'v0' | 'v1' };

/** explainFailures returns the results with an explanation on every FAIL (the others unchanged). */
export async function explainFailures(
  files: readonly SourceFile[],
  results: readonly RegoTestResult[],
  opts: ExplainOptions,
): Promise<ReportedResult[]> {
  const failed = results.filter((r) => outcomeOf(r) === 'FAIL').map((r) => r.name);
  if (failed.length === 0) return [...results];
  const prepared = prepareRegoTests(files, { explain: failed, ...(opts.regoVersion ? { regoVersion: opts.regoVersion } : {}) });
  if (prepared.wasm === undefined) return [...results];
  const again = await runCases(prepared, { dataJson: opts.dataJson, timeoutMs: opts.timeoutMs, instrumented: true });
  const why = new Map(again.map((r) => [r.name, explainFailure(r.recorded?.probes ?? [], files)]));
  return results.map((r) => {
    const explanation = outcomeOf(r) === 'FAIL' ? why.get(r.name) : undefined;
    return explanation !== undefined && explanation.length > 0 ? { ...r, explanation } : r;
  });
}

/** explanationLines renders an explanation for the pretty report (indented under the FAIL line). */
export function explanationLines(explanation: readonly FailureExplanation[]): string[] {
  const out: string[] = [];
  for (const e of explanation) {
    const at = `${e.location.file}:${e.location.row}`;
    if (e.kind === 'value') {
      // The value as it was on the second run (a test reading the clock could differ from the first).
      const value = e.operands[0]?.defined === true ? renderValue(e.operands[0].value) : 'undefined';
      out.push(`  ${at}: the test's value is ${value}`);
      if (e.text !== value) out.push(`    ${e.text} = ${value}`);
      continue;
    }
    out.push(`  ${at}: ${e.text}`);
    for (const o of e.operands) out.push(`    ${o.text} = ${o.defined ? renderValue(o.value) : 'undefined'}`);
  }
  return out;
}

/** renderValue shows a value as JSON (sets arrive as arrays), shortened past 200 characters. */
export function renderValue(v: unknown): string {
  const s = JSON.stringify(v) ?? 'undefined';
  return s.length > 200 ? `${s.slice(0, 197)}...` : s;
}
