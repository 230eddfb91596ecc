// `portcullis test`: the Rego unit-test runner, like `opa test -v`: sources (test files included)
// and data files under the paths → engine.runRegoTests → one PASS/FAIL/ERROR line per test and a
// PASS n/N, FAIL n/N summary. Exit 1 on compile errors, failures, errors or no tests at all.

import { formatDiagnostic, hasErrors, runRegoTests } from '../../engine/index.js';
import type { RegoTestResult } from '../../engine/index.js';
import { collectSources, loadDataFiles } from '../../bundles/index.js';
import type { Command } from './args.js';
import { EXIT, reportDiagnostics } from './report.js';
import type { CliIo } from './report.js';

/** TestCommand is the parsed `test` invocation. */
export type TestCommand = Extract<Command, { kind: 'test' }>;

const RULE = '-'.repeat(80);

/** runTest runs the Rego tests under the paths and prints the report; returns 0 only when every test passed. */
export async function runTest(cmd: TestCommand, io: CliIo): Promise<number> {
  const files = collectSources(cmd.paths, { includeTests: true });
  if (files.length === 0) {
    io.stderr(`portcullis: no .rego files found in ${cmd.paths.join(', ')}\n`);
    return EXIT.failure;
  }
  const data = loadDataFiles(cmd.paths);
  const report = await runRegoTests(
    files.map((f) => ({ name: f.name, text: f.text })),
    { data, ...(cmd.run !== undefined ? { filter: new RegExp(cmd.run) } : {}), ...(cmd.v0Compatible === true ? { regoVersion: 'v0' as const } : {}) },
  );
  reportDiagnostics(io, report.diagnostics, formatDiagnostic);
  if (hasErrors(report.diagnostics)) return EXIT.failure;
  if (report.results.length === 0) {
    io.stderr(`portcullis: no tests found (rules named test_*)${cmd.run !== undefined ? ` matching ${cmd.run}` : ''}\n`);
    return EXIT.failure;
  }
  let file: string | undefined;
  for (const r of [...report.results].sort((a, b) => (a.file === b.file ? 0 : a.file < b.file ? -1 : 1))) {
    if (r.file !== file) {
      file = r.file;
      io.stdout(`${file}:\n`);
    }
    io.stdout(`${resultLine(r)}\n`);
    if (r.error !== undefined) io.stdout(`  ${r.error}\n`);
    if (cmd.verbose || !r.passed) for (const line of r.output) io.stdout(`  ${line}\n`);
  }
  const total = report.results.length;
  const passed = report.results.filter((r) => r.passed).length;
  const errored = report.results.filter((r) => r.error !== undefined).length;
  const failed = total - passed - errored;
  io.stdout(`${RULE}\n`);
  if (passed > 0) io.stdout(`PASS: ${passed}/${total}\n`);
  if (failed > 0) io.stdout(`FAIL: ${failed}/${total}\n`);
  if (errored > 0) io.stdout(`ERROR: ${errored}/${total}\n`);
  return passed === total ? EXIT.ok : EXIT.failure;
}

/** resultLine renders `data.pkg.test_x: PASS (0.1ms)` as `opa test -v` does. */
function resultLine(r: RegoTestResult): string {
  const status = r.error !== undefined ? 'ERROR' : r.passed ? 'PASS' : 'FAIL';
  return `${r.name}: ${status} (${formatDuration(r.durationMs)})`;
}

function formatDuration(ms: number): string {
  return ms < 1 ? `${Math.round(ms * 1000)}µs` : `${ms.toFixed(1)}ms`;
}
