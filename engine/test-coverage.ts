// Line coverage of a test run in OPA's `opa test --coverage` shape. A line is covered when an
// expression on it started evaluating or a rule head on it produced a value (the marks of an
// instrumented build, planner/instrument.ts); it is not covered when it holds a rule head or an
// expression (not a `some` declaration, as OPA) that never did. Per file and in total: the
// covered and not covered rows as ranges of consecutive rows, their counts, and the percentage.

import type { Body, Expr, Module, Term } from './ast/index.js';
import { walkTerms } from './ast/index.js';

/** CoverageRange is a run of consecutive rows (OPA's cover.Range). */
export type CoverageRange = { readonly start: { readonly row: number }; readonly end: { readonly row: number } };

/** FileCoverage is one file's report; like OPA's, empty fields are left out. */
export type FileCoverage = {
  readonly covered?: readonly CoverageRange[];
  readonly not_covered?: readonly CoverageRange[];
  readonly covered_lines?: number;
  readonly not_covered_lines?: number;
  readonly coverage?: number;
};

/** CoverageReport is OPA's coverage report: files by name, then the totals. */
export type CoverageReport = {
  readonly files: Readonly<Record<string, FileCoverage>>;
  readonly covered_lines: number;
  readonly not_covered_lines: number;
  readonly coverage: number;
};

/** coverageReport builds the report from the covered `[file, row]` marks and the parsed modules. */
export function coverageReport(covered: Iterable<readonly [string, number]>, modules: readonly Module[]): CoverageReport {
  const hits = new Map<string, Set<number>>();
  for (const [file, row] of covered) rowsOf(hits, file).add(row);
  const missed = new Map<string, Set<number>>();
  for (const m of modules) {
    const hit = hits.get(m.file);
    const miss = rowsOf(missed, m.file);
    for (const row of coverableRows(m)) if (!hit?.has(row)) miss.add(row);
  }
  const files: Record<string, FileCoverage> = {};
  let coveredLines = 0;
  let notCoveredLines = 0;
  for (const file of [...new Set([...hits.keys(), ...missed.keys()])].sort()) {
    const c = [...(hits.get(file) ?? [])].sort((a, b) => a - b);
    const n = [...(missed.get(file) ?? [])].sort((a, b) => a - b);
    coveredLines += c.length;
    notCoveredLines += n.length;
    files[file] = {
      ...(c.length > 0 ? { covered: toRanges(c) } : {}),
      ...(n.length > 0 ? { not_covered: toRanges(n) } : {}),
      ...(c.length > 0 ? { covered_lines: c.length } : {}),
      ...(n.length > 0 ? { not_covered_lines: n.length } : {}),
      ...(c.length > 0 ? { coverage: percent(c.length, n.length) } : {}),
    };
  }
  return { files, covered_lines: coveredLines, not_covered_lines: notCoveredLines, coverage: percent(coveredLines, notCoveredLines) };
}

function rowsOf(m: Map<string, Set<number>>, file: string): Set<number> {
  const s = m.get(file) ?? new Set<number>();
  m.set(file, s);
  return s;
}

function percent(covered: number, notCovered: number): number {
  const total = covered + notCovered;
  return total === 0 ? 0 : (100 * covered) / total;
}

/** toRanges folds sorted rows into runs of consecutive rows. */
function toRanges(rows: readonly number[]): CoverageRange[] {
  const out: CoverageRange[] = [];
  let start = rows[0] as number;
  let end = start;
  for (const row of rows.slice(1)) {
    if (row === end + 1) end = row;
    else {
      out.push({ start: { row: start }, end: { row: end } });
      start = end = row;
    }
  }
  if (rows.length > 0) out.push({ start: { row: start }, end: { row: end } });
  return out;
}

/** coverableRows lists the rows of a module's rule heads (else clauses included) and expressions at any depth. */
export function coverableRows(m: Module): Set<number> {
  const rows = new Set<number>();
  const body = (b: Body): void => {
    for (const e of b.exprs) expr(e);
  };
  const closures = (node: Expr | Term | Module['rules'][number]['head']): void =>
    walkTerms(node, (t) => {
      if (t.kind === 'arrayCompr' || t.kind === 'setCompr' || t.kind === 'objectCompr') body(t.body);
    });
  const expr = (e: Expr): void => {
    // OPA leaves `some` declarations (`some x`, `some x in xs`) out of the lines to cover.
    if (e.kind !== 'some' && e.kind !== 'someIn') rows.add(e.loc.row);
    if (e.kind === 'every' || e.kind === 'notBody') body(e.body);
    closures(e);
  };
  for (const r of m.rules) {
    rows.add(r.head.loc.row);
    closures(r.head);
    body(r.body);
    for (let e = r.else; e; e = e.else) {
      rows.add(e.loc.row);
      body(e.body);
    }
  }
  return rows;
}
