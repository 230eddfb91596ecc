// Runs OPA conformance cases through parse → check → plan → the IR interpreter (not Wasm).
// In: CorpusCase values (test/conformance/corpus.ts). Out: an Outcome per case, judged with the
// shared harness rules (test/conformance/run-case.ts). Also runnable: `npx tsx <this file>` prints a table.

import { fileURLToPath } from 'node:url';
import { buildQueryModule } from '../../../engine/query.js';
import { parse } from '../../../engine/parser/index.js';
import { check } from '../../../engine/check/index.js';
import { plan } from '../../../engine/planner/index.js';
import { formatDiagnostic } from '../../../engine/diagnostics/index.js';
import type { Diagnostic } from '../../../engine/diagnostics/index.js';
import type { Module } from '../../../engine/ast/index.js';
import { loadCorpus } from '../../conformance/corpus.js';
import type { CorpusCase } from '../../conformance/corpus.js';
import { BUILTIN_FOLDERS } from '../../conformance/report.js';
import { judgeError, judgeRows } from '../../conformance/run-case.js';
import type { Outcome } from '../../conformance/run-case.js';
import { parseErrorText } from '../../conformance/compare.js';
import type { Row } from '../../conformance/compare.js';
import { BUILTINS } from '../../helpers/ir-builtins.js';
import { InterpError, runPlan } from '../../helpers/ir-interpreter.js';
import { toJson } from '../../helpers/ir-values.js';
import { BUILTINS as CATALOG, isNativeBuiltin } from '../../../engine/builtins/index.js';
import { OPA_CORPUS } from '../../helpers/shared.js';

/** INTERPRETED_HOST_BUILTINS declares the non-native builtins the IR interpreter implements. */
export const INTERPRETED_HOST_BUILTINS: Readonly<Record<string, { arity: number }>> = Object.fromEntries(
  Object.keys(BUILTINS)
    .filter((name) => !isNativeBuiltin(name) && CATALOG[name] !== undefined)
    .map((name) => [name, { arity: (CATALOG[name] as { arity: number }).arity }]),
);

/** CORPUS_ROOT is the OPA conformance corpus. */
export const CORPUS_ROOT = OPA_CORPUS;

/** languageCases loads the cases of the language-semantics folders. */
export function languageCases(): CorpusCase[] {
  return loadCorpus(CORPUS_ROOT).filter((c) => !BUILTIN_FOLDERS.has(c.folder));
}

/** runWithInterpreter runs one case through the planner and the IR interpreter; never throws. */
export function runWithInterpreter(c: CorpusCase): Outcome {
  try {
    const s = c.spec;
    const q = buildQueryModule(s.query, s.input_term !== undefined ? { inputTerm: s.input_term } : {});
    const errs = (ds: readonly Diagnostic[]) => ds.map((d) => parseErrorText(formatDiagnostic(d)));
    if (!q.ok) return judgeError(c, errs(q.diagnostics), 'query error');
    const files = [...s.modules.map((text, i) => ({ name: `test-${i}.rego`, text })), q.file];
    const modules: Module[] = [];
    const diags: Diagnostic[] = [];
    for (const f of files) {
      const r = parse(f);
      diags.push(...r.diagnostics);
      if (r.value) modules.push(r.value);
    }
    const errors = () => diags.filter((d) => d.severity === 'error');
    if (errors().length > 0) return judgeError(c, errs(errors()), 'parse error');
    const checked = check(modules, { hostBuiltins: INTERPRETED_HOST_BUILTINS });
    diags.push(...checked.diagnostics);
    if (errors().length > 0) return judgeError(c, errs(errors()), 'check error');
    const planned = plan(checked.value, { entrypoints: [q.entrypoint] });
    diags.push(...planned.diagnostics);
    if (errors().length > 0) return judgeError(c, errs(errors()), 'plan error');
    let value: ReturnType<typeof runPlan>;
    try {
      value = runPlan(planned.value, q.entrypoint, s.input, s.data ?? {});
    } catch (e) {
      if (e instanceof InterpError) return judgeError(c, [parseErrorText(e.message)], 'eval error');
      throw e;
    }
    const rows = value === undefined ? [] : (toJson(value) as Row[]);
    return judgeRows(c, rows);
  } catch (e) {
    return { status: 'fail', reason: `exception: ${e instanceof Error ? e.message : String(e)}`.slice(0, 300) };
  }
}

/** tally counts passes per folder. */
export function tally(cases: readonly CorpusCase[], outcomes: readonly Outcome[]): Map<string, { total: number; passed: number }> {
  const out = new Map<string, { total: number; passed: number }>();
  cases.forEach((c, i) => {
    const t = out.get(c.folder) ?? { total: 0, passed: 0 };
    t.total++;
    if (outcomes[i]?.status === 'pass') t.passed++;
    out.set(c.folder, t);
  });
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const cases = languageCases().filter((c) => !process.argv[2] || process.argv[2] === '-v' || c.folder === process.argv[2]);
  const outcomes = cases.map(runWithInterpreter);
  const verbose = process.argv.includes('-v');
  cases.forEach((c, i) => {
    const o = outcomes[i] as Outcome;
    if (verbose && o.status !== 'pass') console.log(`FAIL ${c.id} ${c.spec.note}: ${'reason' in o ? o.reason : o.status}`);
  });
  let total = 0;
  let passed = 0;
  for (const [folder, t] of [...tally(cases, outcomes)].sort()) {
    console.log(`${folder.padEnd(28)} ${t.passed}/${t.total}`);
    total += t.total;
    passed += t.passed;
  }
  console.log(`TOTAL ${passed}/${total} = ${((100 * passed) / total).toFixed(1)}%`);
}
