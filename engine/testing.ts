// The Rego unit-test runner, like `opa test`: every complete rule whose name starts with `test_`
// is a test (`todo_test_` marks one skipped: reported, never run); all modules are compiled once
// with every test rule as an entrypoint, the data is loaded, and each test is evaluated without
// input. A test passes when its value is defined and not false; an evaluation abort (conflict,
// strict builtin error) is reported as an error. prepareRegoTests and runRegoTestCase are the two
// halves, so a host can run the cases elsewhere (the CLI runs them in a worker it can stop).

import type { Module } from './ast/index.js';
import { compile } from './compile.js';
import { hasErrors } from './diagnostics/index.js';
import type { Diagnostic, SourceFile } from './diagnostics/index.js';
import { loadPolicy } from './runtime/index.js';
import type { PolicyInstance } from './runtime/index.js';
import { createInstrumentRecorder } from './test-instrument.js';
import type { InstrumentRecord } from './test-instrument.js';

/** RegoTestOptions configures runRegoTests. */
export type RegoTestOptions = {
  /** data is the data document the tests see (e.g. the merged data.json files). */
  readonly data?: unknown;
  /** filter selects tests by their full name (`data.pkg.test_x`), like `opa test --run`. */
  readonly filter?: RegExp;
  /** regoVersion is the Rego syntax of the files (default v1; `portcullis test --v0-compatible`). */
  readonly regoVersion?: 'v0' | 'v1';
  /** coverage instruments the build to record the lines evaluated (results carry them in `recorded`). */
  readonly coverage?: boolean;
  /**
   * explain names tests (`data.pkg.test_x`) to run instrumented to report their expressions'
   * operands (results carry them in `recorded`; see explainFailure); only these tests run.
   */
  readonly explain?: readonly string[];
};

/** RegoTestCase is one discovered test rule. */
export type RegoTestCase = {
  /** name is the rule's full path, `data.pkg.test_x`. */
  readonly name: string;
  /** pkg is the package path (`data.pkg`) and rule the rule's path inside it (`test_x`, `p.test_y`), as OPA's JSON report splits them. */
  readonly pkg: string;
  readonly rule: string;
  /** entrypoint is the compiled entrypoint (`pkg/test_x`); empty for skipped tests. */
  readonly entrypoint: string;
  /** file, row and col locate the rule's first definition. */
  readonly file: string;
  readonly row: number;
  readonly col: number;
  /** skipped: a `todo_test_` rule, reported and never run. */
  readonly skipped: boolean;
};

/** RegoTestResult is the outcome of one test rule. */
export type RegoTestResult = RegoTestCase & {
  readonly passed: boolean;
  /** error is set when evaluation aborted (the test then counts as not passed). */
  readonly error?: string;
  /** errorCode is OPA's code of the error (`eval_conflict_error`, …) when it had one. */
  readonly errorCode?: string;
  /** output holds the lines the test printed with print(). */
  readonly output: readonly string[];
  readonly durationMs: number;
  /** recorded is what an instrumented build reported while the test ran (coverage, explain). */
  readonly recorded?: InstrumentRecord;
};

/** RegoTestReport is every test's result (sorted by name) and the compile diagnostics. */
export type RegoTestReport = {
  readonly results: readonly RegoTestResult[];
  /** diagnostics from compiling the modules; when they contain errors no test ran. */
  readonly diagnostics: readonly Diagnostic[];
};

/** PreparedRegoTests is the compiled test module and its cases (skipped ones included), or diagnostics. */
export type PreparedRegoTests = {
  readonly cases: readonly RegoTestCase[];
  readonly diagnostics: readonly Diagnostic[];
  /** wasm is the module with every runnable case as an entrypoint; absent when nothing runs or compiling failed. */
  readonly wasm?: Uint8Array;
  /** modules are the parsed sources (what coverageReport counts lines of). */
  readonly modules: readonly Module[];
};

/**
 * prepareRegoTests compiles the files and finds the test rules matching the filter. It never
 * throws for mistakes in the sources: compile errors come back as diagnostics with no cases.
 * NOTE(po): OPA runs each body of a test rule defined several times as its own test
 * (`test_x#01`); here such a rule is one complete rule, passing if any body holds.
 */
export function prepareRegoTests(files: readonly SourceFile[], opts: RegoTestOptions = {}): PreparedRegoTests {
  const regoVersion = opts.regoVersion ?? 'v1';
  const checked = compile({ files, stopAfter: 'check', regoVersion });
  const modules = checked.modules ?? [];
  if (hasErrors(checked.diagnostics) || checked.program === undefined) return { cases: [], diagnostics: checked.diagnostics, modules };

  const tests = new Map<string, RegoTestCase>();
  for (const r of checked.program.rules) {
    const last = r.path[r.path.length - 1];
    if (r.kind !== 'complete' || r.tail.length !== 0 || last === undefined) continue;
    const skipped = last.startsWith('todo_test_');
    if (!skipped && !last.startsWith('test_')) continue;
    const name = r.path.join('.');
    if (opts.filter !== undefined && !matches(opts.filter, name)) continue;
    if (opts.explain !== undefined && !opts.explain.includes(name)) continue;
    if (tests.has(name)) continue;
    const pkgLength = r.module.package.path.length;
    const pkg = ['data', ...r.module.package.path].join('.');
    const rule = r.path.slice(pkgLength + 1).join('.');
    const entrypoint = skipped ? '' : r.path.slice(1).join('/');
    const { row, col } = r.rule.loc;
    tests.set(name, { name, pkg, rule, entrypoint, file: r.module.file, row, col, skipped });
  }
  const cases = [...tests.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const runnable = cases.filter((t) => !t.skipped);
  if (runnable.length === 0) return { cases, diagnostics: checked.diagnostics, modules };

  const explain = opts.explain ?? [];
  const compiled = compile({
    files,
    entrypoints: runnable.map((t) => t.entrypoint),
    regoVersion,
    // Indexing could skip a test body before its first expression reports; results do not change.
    ...(explain.length > 0 ? { ruleIndexing: false } : {}),
    ...(opts.coverage === true || explain.length > 0 ? { instrument: { coverage: opts.coverage === true, explain } } : {}),
  });
  if (hasErrors(compiled.diagnostics) || compiled.wasm === undefined) return { cases: [], diagnostics: compiled.diagnostics, modules };
  return { cases, diagnostics: compiled.diagnostics, wasm: compiled.wasm, modules };
}

/** RegoTestOutcome is what running one case produced. */
export type RegoTestOutcome = Pick<RegoTestResult, 'passed' | 'error' | 'errorCode' | 'durationMs'>;

/** runRegoTestCase evaluates one (not skipped) case on a loaded test module; never throws. */
export function runRegoTestCase(policy: PolicyInstance, test: RegoTestCase): RegoTestOutcome {
  const start = performance.now();
  try {
    const rs = policy.evaluate(undefined, test.entrypoint);
    const passed = rs.length > 0 && rs[0] !== undefined && rs[0].result !== false && rs[0].result !== undefined;
    return { passed, durationMs: performance.now() - start };
  } catch (err) {
    const code = (err as { regoCode?: unknown }).regoCode;
    return {
      passed: false,
      error: messageOf(err),
      ...(typeof code === 'string' ? { errorCode: code } : {}),
      durationMs: performance.now() - start,
    };
  }
}

/** skippedResult is the result of a `todo_test_` case. */
export function skippedResult(test: RegoTestCase): RegoTestResult {
  return { ...test, passed: false, output: [], durationMs: 0 };
}

/** runRegoTests compiles the files once and runs every `test_*` rule in this thread (no time limit). */
export async function runRegoTests(files: readonly SourceFile[], opts: RegoTestOptions = {}): Promise<RegoTestReport> {
  const prepared = prepareRegoTests(files, opts);
  const { cases, diagnostics, wasm } = prepared;
  if (wasm === undefined) return { results: cases.map(skippedResult), diagnostics };

  let printed: string[] = [];
  let policy: PolicyInstance;
  const instrumented = opts.coverage === true || (opts.explain ?? []).length > 0;
  const recorder = createInstrumentRecorder();
  try {
    policy = await loadPolicy(wasm, { onPrint: (line) => printed.push(line), hostBuiltins: recorder.hostBuiltins });
    policy.setData(opts.data ?? {});
  } catch (err) {
    const error = `cannot load the compiled tests: ${messageOf(err)}`;
    return {
      results: cases.map((t) => (t.skipped ? skippedResult(t) : { ...t, passed: false, error, output: [], durationMs: 0 })),
      diagnostics,
    };
  }
  const results: RegoTestResult[] = [];
  for (const t of cases) {
    if (t.skipped) {
      results.push(skippedResult(t));
      continue;
    }
    printed = [];
    const outcome = runRegoTestCase(policy, t);
    const recorded = recorder.take();
    results.push({ ...t, ...outcome, output: printed, ...(instrumented ? { recorded } : {}) });
  }
  return { results, diagnostics };
}

/** matches tests a RegExp without carrying `lastIndex` state between calls (g/y flags). */
function matches(re: RegExp, s: string): boolean {
  re.lastIndex = 0;
  return re.test(s);
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
