// `portcullis test`: the Rego unit-test runner, like `opa test`: sources (test files included)
// and data files under the paths → engine.prepareRegoTests → each case run in a worker under the
// per-test timeout → a pretty or OPA-JSON report ending with `N passed, N failed`, plus JUnit XML,
// OPA's coverage JSON and LCOV. Exit codes as `opa test`: 0 all passed, 2 a test failed, errored
// or was skipped (unless -z) or coverage is below --threshold, 1 compile or load errors (and,
// stricter than OPA, no test at all).

import { writeFileSync } from 'node:fs';
import { parseDuration } from '../../config/index.js';
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
  /** format is the report on stdout: pretty (default) or OPA's JSON. */
  readonly format: 'pretty' | 'json';
  /** timeoutMs bounds each test (--timeout; OPA's default 5 s). */
  readonly timeoutMs: number;
  /** exitZeroOnSkipped: skipped (todo_) tests do not make the exit code 2 (-z, as OPA). */
  readonly exitZeroOnSkipped: boolean;
  /** junit is the file to write the JUnit XML report to. */
  readonly junit?: string;
  /** coverage prints OPA's coverage report on stdout (the test report then goes to stderr); implied by --threshold. */
  readonly coverage: boolean;
  /** lcov is the file to write the LCOV tracefile to. */
  readonly lcov?: string;
  /** threshold is the minimum total coverage in percent (exit 2 below it). */
  readonly threshold?: number;
  /** v0Compatible: the sources are Rego v0 (--v0-compatible). */
  readonly v0Compatible?: boolean;
};

/** TEST_EXIT_FAILED is `opa test`'s exit code when a test failed, errored or was skipped. */
export const TEST_EXIT_FAILED = 2;

/** DEFAULT_TEST_TIMEOUT_MS is `opa test`'s per-test timeout (5 s). */
export const DEFAULT_TEST_TIMEOUT_MS = 5000;

/** TEST_USAGE is the help text of `portcullis test`. */
export const TEST_USAGE = `Usage: portcullis test <path>... [--run <regex>] [-v] [--format pretty|json] [--timeout 5s]
                        [--junit <file>] [--coverage] [--lcov <file>] [--threshold <percent>]

Runs every rule named test_* in the .rego files under the paths (test files included), with the
data files under the paths loaded; todo_test_* rules are reported as skipped. Prints the tests
that did not pass (every test with -v) and ends with a line \`N passed, N failed\`.
Exit 0 when all passed, 2 when a test failed, errored or was skipped or coverage is below the
threshold, 1 on compile errors.

Options:
  -r, --run <regex>           run only tests whose full name (data.pkg.test_x) matches
  -v, --verbose               report every test, with the output of its print() calls
  -f, --format <pretty|json>  the report on stdout: pretty (default) or OPA's JSON
      --timeout <duration>    stop a test running longer and report it as an error (default 5s)
  -z, --exit-zero-on-skipped  skipped tests do not fail the run
      --junit <file>          also write the results as JUnit XML
  -c, --coverage              print OPA's coverage report (JSON) on stdout; the test report goes to stderr
      --lcov <file>           also write the line coverage as an LCOV tracefile
      --threshold <percent>   fail (exit 2) when total coverage is below this (implies --coverage)
      --v0-compatible         the .rego files are Rego v0
  -h, --help                  show this text`;

/** testCommand is `portcullis test`. */
export const testCommand: CliCommand<TestOptions> = {
  name: 'test',
  summary: `test <path>... [--run <regex>] [-v] [--format pretty|json]
Run the Rego unit tests (test_* rules) under the paths, like \`opa test\`.`,
  usage: TEST_USAGE,
  parse: (argv) =>
    parseFlags(
      argv,
      {
        run: { type: 'string', short: 'r' },
        verbose: { type: 'boolean', short: 'v' },
        format: { type: 'string', short: 'f' },
        timeout: { type: 'string' },
        'exit-zero-on-skipped': { type: 'boolean', short: 'z' },
        junit: { type: 'string' },
        coverage: { type: 'boolean', short: 'c' },
        lcov: { type: 'string' },
        threshold: { type: 'string' },
        ...V0_FLAG,
      },
      true,
      ({ values: v, positionals }) => {
        if (positionals.length === 0) return usageError('test: at least one path is required');
        if (v.run !== undefined && !isRegExp(v.run)) return usageError(`test: --run ${JSON.stringify(v.run)} is not a regular expression`);
        const format = v.format ?? 'pretty';
        if (format !== 'pretty' && format !== 'json')
          return usageError(`test: --format must be pretty or json, got ${JSON.stringify(format)}`);
        const timeoutMs = v.timeout === undefined ? DEFAULT_TEST_TIMEOUT_MS : parseDuration(v.timeout);
        if (timeoutMs === undefined || timeoutMs <= 0) {
          return usageError(`test: --timeout must be a positive duration such as 500ms, 5s or 1m, got ${JSON.stringify(v.timeout)}`);
        }
        const threshold = v.threshold === undefined ? undefined : Number(v.threshold);
        if (threshold !== undefined && (v.threshold?.trim() === '' || !Number.isFinite(threshold) || threshold < 0 || threshold > 100)) {
          return usageError(`test: --threshold must be a percentage from 0 to 100, got ${JSON.stringify(v.threshold)}`);
        }
        return options({
          paths: positionals,
          ...(v.run !== undefined ? { run: v.run } : {}),
          verbose: v.verbose === true,
          format,
          timeoutMs,
          exitZeroOnSkipped: v['exit-zero-on-skipped'] === true,
          ...(v.junit !== undefined ? { junit: v.junit } : {}),
          coverage: v.coverage === true || threshold !== undefined,
          ...(v.lcov !== undefined ? { lcov: v.lcov } : {}),
          ...(threshold !== undefined ? { threshold } : {}),
          ...v0Flag(v['v0-compatible']),
        });
      },
    ),
  async run(cmd, io) {
    const [{ coverageReport, formatDiagnostic, hasErrors, prepareRegoTests }, { collectSources, loadDataFiles }, report] =
      await Promise.all([import('../../../engine/index.js'), import('../../../bundles/index.js'), import('../rego-test/index.js')]);
    const files = collectSources(cmd.paths, { includeTests: true });
    if (files.length === 0) {
      io.stderr(`portcullis: no .rego files found in ${cmd.paths.join(', ')}\n`);
      return EXIT.failure;
    }
    const data = loadDataFiles(cmd.paths);
    const sources = files.map((f) => ({ name: f.name, text: f.text }));
    const coverage = cmd.coverage || cmd.lcov !== undefined;
    const prepared = prepareRegoTests(sources, {
      coverage,
      ...(cmd.run !== undefined ? { filter: new RegExp(cmd.run) } : {}),
      ...(cmd.v0Compatible === true ? { regoVersion: 'v0' as const } : {}),
    });
    reportDiagnostics(io, prepared.diagnostics, formatDiagnostic);
    if (hasErrors(prepared.diagnostics)) return EXIT.failure;
    if (prepared.cases.length === 0) {
      io.stderr(`portcullis: no tests found (rules named test_*)${cmd.run !== undefined ? ` matching ${cmd.run}` : ''}\n`);
      return EXIT.failure;
    }
    const dataJson = JSON.stringify(data ?? {});
    const ran = await report.runCases(prepared, { dataJson, timeoutMs: cmd.timeoutMs, instrumented: coverage });
    // A FAIL is explained (the expression that failed, its operand values) where it is shown: -v, JSON, JUnit.
    const results =
      cmd.verbose || cmd.format === 'json' || cmd.junit !== undefined
        ? await report.explainFailures(sources, ran, {
            dataJson,
            timeoutMs: cmd.timeoutMs,
            ...(cmd.v0Compatible === true ? { regoVersion: 'v0' as const } : {}),
          })
        : ran;
    const counts = report.countResults(results);
    // stdout carries one document: the coverage report with --coverage, else the test report;
    // the closing line always ends a stream (stderr when stdout holds JSON).
    const testOut = cmd.coverage ? io.stderr : io.stdout;
    if (cmd.format === 'json') {
      testOut(report.renderJson(results));
      io.stderr(`${report.closingLine(counts)}\n`);
    } else {
      testOut(report.renderPretty(results, { verbose: cmd.verbose }));
    }
    if (cmd.junit !== undefined) writeFileSync(cmd.junit, report.renderJunit(results));
    let belowThreshold = false;
    if (coverage) {
      const covered = ran.flatMap((r) => r.recorded?.covered ?? []);
      const cov = coverageReport(covered, prepared.modules);
      if (cmd.coverage) io.stdout(`${JSON.stringify(cov, null, 2)}\n`);
      if (cmd.lcov !== undefined) writeFileSync(cmd.lcov, report.renderLcov(cov));
      const message = cmd.threshold === undefined ? undefined : report.thresholdMessage(cov, cmd.threshold, cmd.verbose);
      if (message !== undefined) io.stderr(`${message}\n`);
      belowThreshold = message !== undefined;
    }
    const failing = counts.failed + counts.errored + (cmd.exitZeroOnSkipped ? 0 : counts.skipped);
    return failing > 0 || belowThreshold ? TEST_EXIT_FAILED : EXIT.ok;
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
