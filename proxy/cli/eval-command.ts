// `portcullis eval`: query + -d paths + -i input → engine.buildQueryModule + compile → engine
// loadPolicy → rows printed as a JSON array (`[{"x": 1}]`, `[]` when undefined).

import { buildQueryModule, compile, formatDiagnostic, hasErrors, loadPolicy } from '../../engine/index.js';
import { collectSources, loadDataFiles, readDataFile } from '../../bundles/index.js';
import type { Command } from './args.js';
import { EXIT, reportDiagnostics } from './report.js';
import type { CliIo } from './report.js';

/** EvalCommand is the parsed `eval` invocation. */
export type EvalCommand = Extract<Command, { kind: 'eval' }>;

/** runEval executes `portcullis eval` and returns the exit code; errors it does not handle propagate to run(). */
export async function runEval(cmd: EvalCommand, io: CliIo): Promise<number> {
  // OPA's eval loads every module under -d, tests included.
  const files = collectSources(cmd.dataPaths, { includeTests: true });
  const data = loadDataFiles(cmd.dataPaths);
  const input = cmd.inputPath === undefined ? undefined : readDataFile(cmd.inputPath);
  const query = buildQueryModule(cmd.query);
  if (!query.ok) {
    reportDiagnostics(io, query.diagnostics, formatDiagnostic);
    return EXIT.failure;
  }
  // With --v0-compatible the generated (v1) query module opts back into v1 on its package line,
  // so its rows stay where query diagnostics expect them.
  const queryFile = cmd.v0Compatible === true ? { ...query.file, text: query.file.text.replace('\n', '; import rego.v1\n') } : query.file;
  const result = compile({
    files: [...files.map((f) => ({ name: f.name, text: f.text })), queryFile],
    entrypoints: [query.entrypoint],
    ...(cmd.v0Compatible === true ? { regoVersion: 'v0' as const } : {}),
  });
  reportDiagnostics(io, result.diagnostics, formatDiagnostic);
  if (hasErrors(result.diagnostics) || !result.wasm) return EXIT.failure;
  const policy = await loadPolicy(result.wasm);
  policy.setData(data);
  const resultSet = policy.evaluate(input, query.entrypoint);
  io.stdout(`${formatRows(rowsOf(resultSet), cmd.format)}\n`);
  return EXIT.ok;
}

/** rowsOf extracts the rows (the query rule's set, dumped as an array) from a result set. */
export function rowsOf(resultSet: ReadonlyArray<{ result: unknown }>): unknown[] {
  const value = resultSet[0]?.result;
  return Array.isArray(value) ? value : [];
}

/** formatRows renders rows as indented (`pretty`) or one-line (`json`) JSON. */
export function formatRows(rows: readonly unknown[], format: 'json' | 'pretty'): string {
  return format === 'json' ? JSON.stringify(rows) : JSON.stringify(rows, null, 2);
}
