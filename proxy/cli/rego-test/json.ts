// The `--format json` report of `portcullis test`: OPA's `opa test --format json` shape, an array
// of results with location, package (`data.pkg`), name (the rule inside it), fail/skip/error only
// when set, duration in nanoseconds (Go's time.Duration) and print() output base64-encoded (Go's []byte).

import type { RegoTestResult } from '../../../engine/index.js';

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
};

/** toOpaJson converts results to OPA's JSON report shape. */
export function toOpaJson(results: readonly RegoTestResult[]): OpaTestResult[] {
  return results.map((r) => {
    const failed = !r.skipped && !r.passed && r.error === undefined;
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
    };
  });
}

/** renderJson renders the report as OPA does (two-space indentation, one trailing newline). */
export function renderJson(results: readonly RegoTestResult[]): string {
  return `${JSON.stringify(toOpaJson(results), null, 2)}\n`;
}
