// What an instrumented test build reports (planner/instrument.ts), and what a failed test's
// reports mean: a recorder supplying the instrumentation host builtins to loadPolicy, and
// explainFailure, which turns one test's operand reports into "this expression failed, with
// these operand values" (the furthest expression its body reached, as it was last entered).

import { INSTRUMENT_BUILTINS } from './abi.js';
import type { Location, SourceFile } from './diagnostics/index.js';
import type { ExplainSite } from './planner/index.js';
import type { HostBuiltin } from './runtime/index.js';

/** ProbeRecord is one explain report: the site and each operand as `[value]`, or `[]` when undefined. */
export type ProbeRecord = { readonly site: ExplainSite; readonly values: readonly (readonly unknown[])[] };

/** InstrumentRecord is what one evaluation reported: lines covered (`[file, row]`, once each) and probes in firing order. */
export type InstrumentRecord = { readonly covered: readonly (readonly [string, number])[]; readonly probes: readonly ProbeRecord[] };

/** InstrumentRecorder supplies the instrumentation builtins and hands over (and clears) what they recorded. */
export type InstrumentRecorder = {
  readonly hostBuiltins: Readonly<Record<string, HostBuiltin>>;
  take(): InstrumentRecord;
};

/** createInstrumentRecorder returns a recorder to pass to loadPolicy's hostBuiltins. */
export function createInstrumentRecorder(): InstrumentRecorder {
  let covered = new Map<string, readonly [string, number]>();
  let probes: ProbeRecord[] = [];
  return {
    hostBuiltins: {
      [INSTRUMENT_BUILTINS.cover]: (at: unknown) => {
        const [file, row] = at as [string, number];
        covered.set(`${row}\u0000${file}`, [file, row]);
        return true;
      },
      [INSTRUMENT_BUILTINS.explain]: (site: unknown, values: unknown) => {
        probes.push({ site: site as ExplainSite, values: values as unknown[][] });
        return true;
      },
    },
    take() {
      const out = { covered: [...covered.values()], probes };
      covered = new Map();
      probes = [];
      return out;
    },
  };
}

/** ExplainedOperand is one operand of a failed expression: its text and value (absent: undefined). */
export type ExplainedOperand = { readonly text: string; readonly defined: boolean; readonly value?: unknown };

/**
 * FailureExplanation says why one body of a test did not produce a passing value: `expression`,
 * the expression that failed (the furthest the body got) with its operands; or `value`, the body
 * held but the test's value was false.
 */
export type FailureExplanation = {
  readonly kind: 'expression' | 'value';
  readonly location: Pick<Location, 'file' | 'row' | 'col'>;
  /** text is the expression as written (for `value`, the value term). */
  readonly text: string;
  readonly operands: readonly ExplainedOperand[];
};

/** explainFailure explains each body (definition, else clause) of one failed test from its probes, in source order. */
export function explainFailure(probes: readonly ProbeRecord[], files: readonly SourceFile[]): FailureExplanation[] {
  const texts = new Map(files.map((f) => [f.name, f.text]));
  const slice = (l: Location) => (texts.get(l.file) ?? '').slice(l.offset, l.offset + l.length);
  const bodies = new Map<string, { def: number; clause: number; furthest?: ProbeRecord; value?: ProbeRecord }>();
  for (const p of probes) {
    const key = `${p.site.def}/${p.site.clause}`;
    const b = bodies.get(key) ?? { def: p.site.def, clause: p.site.clause };
    bodies.set(key, b);
    if (p.site.index < 0) b.value = p;
    else if (b.furthest === undefined || p.site.index >= b.furthest.site.index) b.furthest = p;
  }
  const out: FailureExplanation[] = [];
  for (const b of [...bodies.values()].sort((x, y) => x.def - y.def || x.clause - y.clause)) {
    const chosen = b.value ?? b.furthest;
    if (chosen === undefined) continue;
    const { file, row, col } = chosen.site.loc;
    const operands = chosen.site.operands.map((l, i): ExplainedOperand => {
      const v = chosen.values[i] ?? [];
      return v.length > 0 ? { text: slice(l), defined: true, value: v[0] } : { text: slice(l), defined: false };
    });
    out.push({
      kind: b.value !== undefined ? 'value' : 'expression',
      location: { file, row, col },
      text: slice(chosen.site.loc),
      operands,
    });
  }
  return out;
}
