// The compiler driver: the only place that knows the stage order.
// SourceFile[] → lex/parse → check → plan → emitWasm (linked with the precompiled runtime),
// plus the input paths each entrypoint can read (reads/), for memoising decisions.

import { parse } from './parser/index.js';
import { check } from './check/index.js';
import { plan } from './planner/index.js';
import { emitWasm } from './wasm/index.js';
import { createReadsAnalysis } from './reads/index.js';
import type { InputReads } from './reads/index.js';
import { loadRuntimeBinary, loadTzdata } from './runtime/index.js';
import { error, sortDiagnostics, hasErrors } from './diagnostics/index.js';
import type { Diagnostic, SourceFile } from './diagnostics/index.js';
import type { Module } from './ast/index.js';
import type { CheckedProgram } from './check/index.js';
import type { Policy } from './ir/index.js';
import type { PlanInstrumentation } from './planner/index.js';

/** CompileOptions configures one compilation. */
export type CompileOptions = {
  /** Rego sources. */
  readonly files: readonly SourceFile[];
  /** Entrypoints as `pkg/rule` or `data.pkg.rule`; merged with `# METADATA entrypoint: true` rules. */
  readonly entrypoints?: readonly string[];
  /** Rego syntax version of the sources (default v1). */
  readonly regoVersion?: 'v0' | 'v1';
  /** Builtins the host will supply at evaluation time (name → arity), beyond the native ones. */
  readonly hostBuiltins?: Readonly<Record<string, { readonly arity: number }>>;
  /** Builtin errors abort evaluation (OPA's strict-builtin-errors) instead of making the expression undefined. */
  readonly strictBuiltinErrors?: boolean;
  /** Rule indexing in the planner (default on); false plans every body in turn. */
  readonly ruleIndexing?: boolean;
  /** instrument adds tool-only host calls (coverage marks, operand reports; planner/instrument.ts). */
  readonly instrument?: PlanInstrumentation;
  /** Stop after a stage (for tests and tools). */
  readonly stopAfter?: 'parse' | 'check' | 'plan';
};

/** CompileResult holds whatever stages produced, and all diagnostics sorted. */
export type CompileResult = {
  readonly diagnostics: readonly Diagnostic[];
  readonly modules?: readonly Module[];
  readonly program?: CheckedProgram;
  readonly ir?: Policy;
  readonly wasm?: Uint8Array;
  /** Entrypoint names in `pkg/rule` form, in the order of their ids. */
  readonly entrypoints: readonly string[];
  /** The input paths each entrypoint (by its `pkg/rule` name) can read; present whenever `wasm` is. */
  readonly inputReads?: Readonly<Record<string, InputReads>>;
};

const defaults = Object.freeze({ regoVersion: 'v1' as const, entrypoints: [] as readonly string[], hostBuiltins: {} });

/**
 * compile runs the pipeline; it never throws for mistakes in the sources. A program too deep for
 * a stage's recursion (a RangeError: the JS stack overflowed) is reported as rego_compile_error
 * instead of escaping (OPA has no such limit; see docs/conformance.md).
 */
export function compile(options: CompileOptions): CompileResult {
  try {
    return runPipeline(options);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    const file = options.files[0]?.name ?? 'policy.rego';
    const message = `program too deep to compile (the compiler's stack overflowed: ${e.message})`;
    return { diagnostics: [error('rego_compile_error', message, { file, row: 1, col: 1, offset: 0, length: 0 })], entrypoints: [] };
  }
}

function runPipeline(options: CompileOptions): CompileResult {
  const opts = { ...defaults, ...options };
  const diagnostics: Diagnostic[] = [];
  const modules: Module[] = [];
  for (const file of opts.files) {
    const r = parse(file, { regoVersion: opts.regoVersion });
    diagnostics.push(...r.diagnostics);
    if (r.value) modules.push(r.value);
  }
  if (hasErrors(diagnostics) || opts.stopAfter === 'parse') {
    return { diagnostics: sortDiagnostics(diagnostics), modules, entrypoints: [] };
  }
  const checked = check(modules, { hostBuiltins: opts.hostBuiltins });
  diagnostics.push(...checked.diagnostics);
  if (hasErrors(diagnostics) || opts.stopAfter === 'check') {
    return { diagnostics: sortDiagnostics(diagnostics), modules, program: checked.value, entrypoints: [] };
  }
  const entrypoints = resolveEntrypoints(opts.entrypoints, checked.value);
  const planned = plan(checked.value, {
    entrypoints,
    hostBuiltins: opts.hostBuiltins,
    ruleIndexing: opts.ruleIndexing,
    ...(opts.instrument !== undefined ? { instrument: opts.instrument } : {}),
  });
  diagnostics.push(...planned.diagnostics);
  if (hasErrors(diagnostics) || opts.stopAfter === 'plan') {
    return { diagnostics: sortDiagnostics(diagnostics), modules, program: checked.value, ir: planned.value, entrypoints };
  }
  const wasm = emitWasm(planned.value, loadRuntimeBinary(), { strictBuiltinErrors: opts.strictBuiltinErrors === true, tzdata: loadTzdata });
  const reads = createReadsAnalysis(checked.value, { hostBuiltins: opts.hostBuiltins });
  const inputReads = Object.fromEntries(entrypoints.map((e) => [e, reads.inputReads(e)]));
  return { diagnostics: sortDiagnostics(diagnostics), modules, program: checked.value, ir: planned.value, wasm, entrypoints, inputReads };
}

/**
 * resolveEntrypoints normalises `data.a.b` / `a.b` / `a/b` to `a/b`, adds rules annotated
 * `entrypoint: true`, and removes duplicates keeping first-seen order.
 */
export function resolveEntrypoints(requested: readonly string[], program: CheckedProgram): string[] {
  const out: string[] = [];
  const add = (name: string) => {
    if (!out.includes(name)) out.push(name);
  };
  for (const e of requested) add(normaliseEntrypoint(e));
  for (const r of program.rules) {
    if (r.rule.annotations?.entrypoint) add(r.path.slice(1).join('/'));
  }
  for (const m of program.modules) {
    for (const a of m.annotations) if (a.entrypoint) add(m.package.path.join('/'));
  }
  return out;
}

/** normaliseEntrypoint turns `data.a.b`, `a.b` or `a/b` into `a/b`. */
export function normaliseEntrypoint(e: string): string {
  let s = e.trim();
  if (s.startsWith('data.')) s = s.slice(5);
  else if (s === 'data') s = '';
  return s.replace(/\./g, '/');
}
