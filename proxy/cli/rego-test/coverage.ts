// Coverage outputs of `portcullis test`: the LCOV tracefile of `--lcov FILE` (SF, DA per line
// with hit count 1 or 0, LF, LH, end_of_record per file: what Codecov, Coveralls, SonarQube and
// GitLab read) and the `--threshold` check with OPA's message.

import type { CoverageRange, CoverageReport } from '../../../engine/index.js';

/** renderLcov renders the report as an LCOV tracefile. */
export function renderLcov(report: CoverageReport): string {
  const out: string[] = [];
  for (const [file, f] of Object.entries(report.files)) {
    const lines = new Map<number, number>();
    for (const row of rows(f.covered)) lines.set(row, 1);
    for (const row of rows(f.not_covered)) lines.set(row, 0);
    out.push('TN:', `SF:${file}`);
    for (const [row, hits] of [...lines.entries()].sort(([a], [b]) => a - b)) out.push(`DA:${row},${hits}`);
    out.push(`LF:${lines.size}`, `LH:${[...lines.values()].filter((h) => h > 0).length}`, 'end_of_record');
  }
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}

function rows(ranges: readonly CoverageRange[] | undefined): number[] {
  const out: number[] = [];
  for (const r of ranges ?? []) for (let row = r.start.row; row <= r.end.row; row++) out.push(row);
  return out;
}

/** thresholdMessage is OPA's message when total coverage is below the threshold (undefined when met); -v lists the lines not covered. */
export function thresholdMessage(report: CoverageReport, threshold: number, verbose: boolean): string | undefined {
  if (report.coverage >= threshold) return undefined;
  const out = [`Code coverage threshold not met: got ${report.coverage.toFixed(2)} instead of ${threshold.toFixed(2)}`];
  if (verbose) {
    out.push('Lines not covered:');
    for (const [file, f] of Object.entries(report.files)) {
      for (const r of f.not_covered ?? []) out.push(`\t${file}:${r.start.row === r.end.row ? r.start.row : `${r.start.row}-${r.end.row}`}`);
    }
  }
  return out.join('\n');
}
