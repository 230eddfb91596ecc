// `portcullis test`: the Rego unit-test runner, like `opa test -v`: sources (test files included)
// and data files under the paths → engine.runRegoTests → one PASS/FAIL/ERROR line per test and a
// PASS n/N, FAIL n/N summary. Exit 1 on compile errors, failures, errors or no tests at all.

import type { RegoTestResult } from '../../../engine/index.js';
import { options, parseFlags, usageError, v0Flag, V0_FLAG } from '../command.js';
import type { CliCommand } from '../command.js';
import { EXIT } from '../io.js';
import { reportDiagnostics } from '../report.js';

/** TestOptions are a parsed `test` invocation. */
export type TestOptions = {
  readonly paths: readonly string[];
  /** run is the --run regex selecting tests by full name. */
  readonly run?: string;
  readonly verbose: boolean;
  /** v0Compatible: the sources are Rego v0 (--v0-compatible). */
  readonly v0Compatible?: boolean;
};

/** TEST_USAGE is the help text of `portcullis test`. */
export const TEST_USAGE = `Usage: portcullis test <path>... [--run <regex>] [-v]

Runs every rule named test_* in the .rego files under the paths (test files included), with the
data files under the paths loaded, and prints PASS/FAIL per test and a summary. Exit 1 on any
failure or error.

Options:
  -r, --run <regex>  run only tests whose full name (data.pkg.test_x) matches
  -v, --verbose      also print the output of print() calls
      --v0-compatible    the .rego files are Rego v0
  -h, --help         show this text`;

const RULE = '-'.repeat(80);

/** testCommand is `portcullis test`. */
export const testCommand: CliCommand<TestOptions> = {
  name: 'test',
  summary: `test <path>... [--run <regex>] [-v]
Run the Rego unit tests (test_* rules) under the paths, like \`opa test\`.`,
  usage: TEST_USAGE,
  parse: (argv) =>
    parseFlags(
      argv,
      { run: { type: 'string', short: 'r' }, verbose: { type: 'boolean', short: 'v' }, ...V0_FLAG },
      true,
      ({ values: v, positionals }) => {
        if (positionals.length === 0) return usageError('test: at least one path is required');
        if (v.run !== undefined && !isRegExp(v.run)) return usageError(`test: --run ${JSON.stringify(v.run)} is not a regular expression`);
        return options({
          paths: positionals,
          ...(v.run !== undefined ? { run: v.run } : {}),
          verbose: v.verbose === true,
          ...v0Flag(v['v0-compatible']),
        });
      },
    ),
  async run(cmd, io) {
    const [{ formatDiagnostic, hasErrors, runRegoTests }, { collectSources, loadDataFiles }] = await Promise.all([
      import('../../../engine/index.js'),
      import('../../../bundles/index.js'),
    ]);
    const files = collectSources(cmd.paths, { includeTests: true });
    if (files.length === 0) {
      io.stderr(`portcullis: no .rego files found in ${cmd.paths.join(', ')}\n`);
      return EXIT.failure;
    }
    const data = loadDataFiles(cmd.paths);
    const report = await runRegoTests(
      files.map((f) => ({ name: f.name, text: f.text })),
      {
        data,
        ...(cmd.run !== undefined ? { filter: new RegExp(cmd.run) } : {}),
        ...(cmd.v0Compatible === true ? { regoVersion: 'v0' as const } : {}),
      },
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
  },
};

function isRegExp(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

/** resultLine renders `data.pkg.test_x: PASS (0.1ms)` as `opa test -v` does. */
function resultLine(r: RegoTestResult): string {
  const status = r.error !== undefined ? 'ERROR' : r.passed ? 'PASS' : 'FAIL';
  return `${r.name}: ${status} (${formatElapsed(r.durationMs)})`;
}

function formatElapsed(ms: number): string {
  return ms < 1 ? `${Math.round(ms * 1000)}µs` : `${ms.toFixed(1)}ms`;
}
