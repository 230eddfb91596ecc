// Public surface of the `portcullis test` machinery: running prepared cases under a time limit in
// a worker, failure explanations, and the reports (pretty, OPA's JSON, JUnit, coverage as LCOV).
// Re-exports only.

export { runCases, TIMEOUT_CODE } from './runner.js';
export type { RunCasesOptions } from './runner.js';
export { closingLine, countResults, outcomeOf, renderPretty } from './pretty.js';
export type { Counts, PrettyOptions } from './pretty.js';
export { renderJson, toOpaJson } from './json.js';
export { explainFailures, explanationLines } from './explain.js';
export { renderJunit } from './junit.js';
export { renderLcov, thresholdMessage } from './coverage.js';
export type { ExplainOptions, ReportedResult } from './explain.js';
export type { OpaTestResult } from './json.js';
