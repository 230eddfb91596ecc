// `portcullis eval`: query + -d paths + -i input → engine.buildQueryModule + compile → engine
// loadPolicy → rows printed as a JSON array (`[{"x": 1}]`, `[]` when undefined). The engine and
// bundles load lazily, in run.

import { options, parseFlags, usageError, v0Flag, V0_FLAG } from '../command.js';
import type { CliCommand } from '../command.js';
import { EXIT } from '../io.js';
import { reportDiagnostics } from '../report.js';

/** OutputFormat is how `eval` prints its rows: `pretty` (indented JSON, default) or `json` (one line). */
export type OutputFormat = 'json' | 'pretty';

/** EvalOptions are a parsed `eval` invocation. */
export type EvalOptions = {
  readonly query: string;
  readonly dataPaths: readonly string[];
  readonly inputPath?: string;
  readonly format: OutputFormat;
  /** v0Compatible: the -d sources are Rego v0 (--v0-compatible). */
  readonly v0Compatible?: boolean;
};

/** EVAL_USAGE is the help text of `portcullis eval`. */
export const EVAL_USAGE = `Usage: portcullis eval [-d <path>]... [-i <file>] [--format pretty|json] <query>

Options:
  -d, --data <path>      .rego files and data files (file or directory; repeatable)
  -i, --input <file>     input document (JSON, or YAML for .yaml/.yml)
  -f, --format <format>  pretty (default) or json
      --v0-compatible    the -d .rego files are Rego v0
  -h, --help             show this text`;

/** evalCommand is `portcullis eval`. */
export const evalCommand: CliCommand<EvalOptions> = {
  name: 'eval',
  summary: `eval [-d <path>]... [-i input.json|yaml] [--format pretty|json] <query>
Evaluate a Rego query against the policies and data under the -d paths; print
the result rows as a JSON array (e.g. [{"x": 1}]; [] when undefined).`,
  usage: EVAL_USAGE,
  parse: (argv) =>
    parseFlags(
      argv,
      {
        data: { type: 'string', short: 'd', multiple: true },
        input: { type: 'string', short: 'i' },
        format: { type: 'string', short: 'f' },
        ...V0_FLAG,
      },
      true,
      ({ values: v, positionals }) => {
        const format = v.format ?? 'pretty';
        if (format !== 'json' && format !== 'pretty') return usageError(`eval: unknown format "${format}" (expected pretty or json)`);
        if (positionals.length === 0) return usageError('eval: a query is required');
        if (positionals.length > 1) return usageError(`eval: expected one query, got ${positionals.length} (quote the query)`);
        const query = positionals[0] as string;
        if (query.trim() === '') return usageError('eval: the query is empty');
        return options({
          query,
          dataPaths: v.data ?? [],
          ...(v.input !== undefined ? { inputPath: v.input } : {}),
          format,
          ...v0Flag(v['v0-compatible']),
        });
      },
    ),
  async run(cmd, io) {
    const [{ buildQueryModule, compile, formatDiagnostic, hasErrors, loadPolicy }, { collectSources, loadDataFiles, readDataFile }] =
      await Promise.all([import('../../../engine/index.js'), import('../../../bundles/index.js')]);
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
  },
};

/** rowsOf extracts the rows (the query rule's set, dumped as an array) from a result set. */
export function rowsOf(resultSet: ReadonlyArray<{ result: unknown }>): unknown[] {
  const value = resultSet[0]?.result;
  return Array.isArray(value) ? value : [];
}

/** formatRows renders rows as indented (`pretty`) or one-line (`json`) JSON. */
export function formatRows(rows: readonly unknown[], format: OutputFormat): string {
  return format === 'json' ? JSON.stringify(rows) : JSON.stringify(rows, null, 2);
}
