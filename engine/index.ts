// Public surface of the engine: compile Rego to an OPA-ABI Wasm module, and load/run modules.
export { compile, resolveEntrypoints, normaliseEntrypoint } from './compile.js';
export type { CompileOptions, CompileResult } from './compile.js';
export { formatDiagnostic, sortDiagnostics, hasErrors } from './diagnostics/index.js';
export type { Diagnostic, DiagnosticCode, Location, SourceFile } from './diagnostics/index.js';
export { parse, parseQuery, parseTerm } from './parser/index.js';
export { loadPolicy, loadRuntimeBinary, PolicyEvalError, sdkHostBuiltins } from './runtime/index.js';
export type { PolicyInstance, LoadPolicyOptions, HostBuiltin, HostBuiltinOptions, RuntimeInfo } from './runtime/index.js';
export { buildQueryModule } from './query.js';
export { inputReads, createReadsAnalysis } from './reads/index.js';
export type { InputReads, InputReadsOptions, ReadsAnalysis } from './reads/index.js';
export { isNativeBuiltin } from './builtins/index.js';
export type { QueryModule } from './query.js';
export { createInstrumentRecorder, explainFailure } from './test-instrument.js';
export { coverageReport } from './test-coverage.js';
export type { CoverageRange, CoverageReport, FileCoverage } from './test-coverage.js';
export type { ExplainedOperand, FailureExplanation, InstrumentRecord, InstrumentRecorder, ProbeRecord } from './test-instrument.js';
export { prepareRegoTests, runRegoTestCase, runRegoTests, skippedResult } from './testing.js';
export type {
  PreparedRegoTests,
  RegoTestCase,
  RegoTestOptions,
  RegoTestOutcome,
  RegoTestResult,
  RegoTestReport,
} from './testing.js';
