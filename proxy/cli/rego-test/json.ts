// The `--format json` report of `portcullis test`: OPA's `opa test --format json` shape, an array
// of results with location, package (`data.pkg`), name (the rule inside it), fail/skip/error only
// when set, duration in nanoseconds (Go's time.Duration) and print() output base64-encoded (Go's []byte).

import type { ExplainedOperand, FailureExplanation } from '../../../engine/index.js';
import type { ReportedResult } from './explain.js';

/** OpaTestResult is one element of OPA's JSON test report. */
export type OpaTestResult = {
  readonly location: { readonly file: string; readonly row: number; readonly col: number };
  readonly package: string;
  readonly name: string;
  readonly fail?: true;
  readonly error?: { readonly code: string; readonly message: string };
  readonly skip?: true;
  readonly duration: number;
  readonly output?: string;
  /**
   * failed_at is where a FAIL failed. OPA puts the failed AST expression here; ours names its
   * location and text, the values of its operands and whether the expression or the value failed.
   */
  readonly failed_at?: {
    readonly location: FailureExplanation['location'];
    readonly kind: FailureExplanation['kind'];
    readonly text: string;
    readonly operands: readonly ExplainedOperand[];
  };
};

/** toOpaJson converts results to OPA's JSON report shape. */
export function toOpaJson(results: readonly ReportedResult[]): OpaTestResult[] {
  return results.map((r) => {
    const failed = !r.skipped && !r.passed && r.error === undefined;
    const why = r.explanation?.[0];
    const output = r.output.length > 0 ? Buffer.from(r.output.map((l) => `${l}\n`).join('')).toString('base64') : undefined;
    return {
      location: { file: r.file, row: r.row, col: r.col },
      package: r.pkg,
      name: r.rule,
      ...(failed ? { fail: true as const } : {}),
      ...(r.error !== undefined ? { error: { code: r.errorCode ?? 'eval_internal_error', message: r.error } } : {}),
      ...(r.skipped ? { skip: true as const } : {}),
      duration: Math.round(r.durationMs * 1e6),
      ...(output !== undefined ? { output } : {}),
      ...(why !== undefined ? { failed_at: { location: why.location, kind: why.kind, text: why.text, operands: why.operands } } : {}),
    };
  });
}

/** renderJson renders the report as OPA does (two-space indentation, one trailing newline). */
export function renderJson(results: readonly ReportedResult[]): string {
  return `${JSON.stringify(toOpaJson(results), null, 2)}\n`;
}
