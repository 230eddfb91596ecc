// The Rego unit-test runner, like `opa test`: every complete rule whose name starts with `test_`
// is a test; all modules are compiled once with every test rule as an entrypoint, the data is
// loaded, and each test is evaluated without input. A test passes when its value is defined and
// not false; an evaluation abort (conflict, strict builtin error) is reported as an error.

import { compile } from './compile.js';
import { hasErrors } from './diagnostics/index.js';
import type { Diagnostic, SourceFile } from './diagnostics/index.js';
import { loadPolicy } from './runtime/index.js';
import type { PolicyInstance } from './runtime/index.js';

/** RegoTestOptions configures runRegoTests. */
export type RegoTestOptions = {
  /** data is the data document the tests see (e.g. the merged data.json files). */
  readonly data?: unknown;
  /** filter selects tests by their full name (`data.pkg.test_x`), like `opa test --run`. */
  readonly filter?: RegExp;
  /** regoVersion is the Rego syntax of the files (default v1; `portcullis test --v0-compatible`). */
  readonly regoVersion?: 'v0' | 'v1';
};

/** RegoTestResult is the outcome of one test rule. */
export type RegoTestResult = {
  /** name is the rule's full path, `data.pkg.test_x`. */
  readonly name: string;
  /** file and row locate the rule's first definition. */
  readonly file: string;
  readonly row: number;
  readonly passed: boolean;
  /** error is set when evaluation aborted (the test then counts as not passed). */
  readonly error?: string;
  /** output holds the lines the test printed with print(). */
  readonly output: readonly string[];
  readonly durationMs: number;
};

/** RegoTestReport is every test's result (sorted by name) and the compile diagnostics. */
export type RegoTestReport = {
  readonly results: readonly RegoTestResult[];
  /** diagnostics from compiling the modules; when they contain errors no test ran. */
  readonly diagnostics: readonly Diagnostic[];
};

type TestRule = { readonly entrypoint: string; readonly name: string; readonly file: string; readonly row: number };

/**
 * runRegoTests compiles the files once and runs every `test_*` rule. It never throws for
 * mistakes in the sources: compile errors come back as diagnostics with no results.
 * NOTE(po): OPA runs each body of a test rule defined several times as its own test
 * (`test_x#01`); here such a rule is one complete rule, passing if any body holds.
 */
export async function runRegoTests(files: readonly SourceFile[], opts: RegoTestOptions = {}): Promise<RegoTestReport> {
  const checked = compile({ files, stopAfter: 'check', regoVersion: opts.regoVersion ?? 'v1' });
  if (hasErrors(checked.diagnostics) || checked.program === undefined) return { results: [], diagnostics: checked.diagnostics };

  const tests = new Map<string, TestRule>();
  for (const r of checked.program.rules) {
    const last = r.path[r.path.length - 1];
    if (r.kind !== 'complete' || r.tail.length !== 0 || last === undefined || !last.startsWith('test_')) continue;
    const name = r.path.join('.');
    if (opts.filter !== undefined && !matches(opts.filter, name)) continue;
    if (!tests.has(name)) tests.set(name, { entrypoint: r.path.slice(1).join('/'), name, file: r.module.file, row: r.rule.loc.row });
  }
  const ordered = [...tests.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (ordered.length === 0) return { results: [], diagnostics: checked.diagnostics };

  const compiled = compile({ files, entrypoints: ordered.map((t) => t.entrypoint), regoVersion: opts.regoVersion ?? 'v1' });
  if (hasErrors(compiled.diagnostics) || compiled.wasm === undefined) return { results: [], diagnostics: compiled.diagnostics };

  let printed: string[] = [];
  let policy: PolicyInstance;
  try {
    policy = await loadPolicy(compiled.wasm, { onPrint: (line) => printed.push(line) });
    policy.setData(opts.data ?? {});
  } catch (err) {
    const error = `cannot load the compiled tests: ${messageOf(err)}`;
    return {
      results: ordered.map((t) => ({ name: t.name, file: t.file, row: t.row, passed: false, error, output: [], durationMs: 0 })),
      diagnostics: compiled.diagnostics,
    };
  }

  const results: RegoTestResult[] = [];
  for (const t of ordered) {
    printed = [];
    const start = performance.now();
    let passed = false;
    let error: string | undefined;
    try {
      const rs = policy.evaluate(undefined, t.entrypoint);
      passed = rs.length > 0 && rs[0] !== undefined && rs[0].result !== false && rs[0].result !== undefined;
    } catch (err) {
      error = messageOf(err);
    }
    const durationMs = performance.now() - start;
    results.push({
      name: t.name,
      file: t.file,
      row: t.row,
      passed,
      ...(error !== undefined ? { error } : {}),
      output: printed,
      durationMs,
    });
  }
  return { results, diagnostics: compiled.diagnostics };
}

/** matches tests a RegExp without carrying `lastIndex` state between calls (g/y flags). */
function matches(re: RegExp, s: string): boolean {
  re.lastIndex = 0;
  return re.test(s);
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
