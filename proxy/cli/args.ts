// argv → Command: the CLI's argument grammar, parsed with node:util parseArgs (no dependency).
// Pure: strings in, a `kind`-discriminated Command out; bad flags or missing operands become
// `{ kind: 'usage-error' }` values (exit code 2), never exceptions.

import { parseArgs } from 'node:util';

/** OutputFormat is how `eval` prints its rows: `pretty` (indented JSON, default) or `json` (one line). */
export type OutputFormat = 'json' | 'pretty';

/** Command is what one invocation asks for. */
export type Command =
  | { readonly kind: 'help'; readonly topic?: 'build' | 'eval' }
  | { readonly kind: 'usage-error'; readonly message: string; readonly topic?: 'build' | 'eval' }
  | {
      readonly kind: 'build';
      readonly paths: readonly string[];
      readonly entrypoints: readonly string[];
      readonly output: string;
      readonly revision: string;
    }
  | {
      readonly kind: 'eval';
      readonly query: string;
      readonly dataPaths: readonly string[];
      readonly inputPath?: string;
      readonly format: OutputFormat;
    };

/** DEFAULT_BUNDLE_PATH is where `build` writes when `-o` is not given (as `opa build`). */
export const DEFAULT_BUNDLE_PATH = 'bundle.tar.gz';

/** USAGE is the top-level help text. */
export const USAGE = `Usage: portcullis <command> [options]

Commands:
  build <path>... -e <entrypoint>... [-o bundle.tar.gz] [-r revision]
        Compile the .rego files (and data.json/data.yaml files) under the paths into an
        OPA Wasm bundle. *_test.rego files are left out.
  eval [-d <path>]... [-i input.json|yaml] [--format pretty|json] <query>
        Evaluate a Rego query against the policies and data under the -d paths; print
        the result rows as a JSON array (e.g. [{"x": 1}]; [] when undefined).
  help [build|eval]
        Show this text, or a command's.

Exit codes: 0 success, 1 policy/data/I/O error, 2 usage error.`;

/** BUILD_USAGE is the help text of `portcullis build`. */
export const BUILD_USAGE = `Usage: portcullis build <path>... -e <entrypoint>... [-o <file>] [-r <revision>]

Options:
  -e, --entrypoint <pkg/rule>  entrypoint to compile (repeatable; pkg/rule, pkg.rule or data.pkg.rule);
                               rules annotated "# METADATA entrypoint: true" are added
  -o, --output <file>          bundle file to write (default ${DEFAULT_BUNDLE_PATH})
  -r, --revision <string>      revision recorded in the .manifest (default "")
  -h, --help                   show this text`;

/** EVAL_USAGE is the help text of `portcullis eval`. */
export const EVAL_USAGE = `Usage: portcullis eval [-d <path>]... [-i <file>] [--format pretty|json] <query>

Options:
  -d, --data <path>      .rego files and data files (file or directory; repeatable)
  -i, --input <file>     input document (JSON, or YAML for .yaml/.yml)
  -f, --format <format>  pretty (default) or json
  -h, --help             show this text`;

/** usageFor returns the help text for a topic (or the top level). */
export function usageFor(topic?: 'build' | 'eval'): string {
  return topic === 'build' ? BUILD_USAGE : topic === 'eval' ? EVAL_USAGE : USAGE;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** parseCommand turns argv (without `node` and the script) into a Command. */
export function parseCommand(argv: readonly string[]): Command {
  const [first, ...rest] = argv;
  if (first === undefined) return { kind: 'usage-error', message: 'missing command' };
  if (first === '--help' || first === '-h') return { kind: 'help' };
  if (first === 'help') {
    const topic = rest[0];
    if (topic === undefined) return { kind: 'help' };
    if (topic === 'build' || topic === 'eval') return { kind: 'help', topic };
    return { kind: 'usage-error', message: `unknown help topic "${topic}"` };
  }
  if (first === 'build') return parseBuild(rest);
  if (first === 'eval') return parseEval(rest);
  if (first.startsWith('-')) return { kind: 'usage-error', message: `unknown option "${first}" (expected a command first)` };
  return { kind: 'usage-error', message: `unknown command "${first}"` };
}

function parseBuild(args: readonly string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: {
        entrypoint: { type: 'string', short: 'e', multiple: true },
        output: { type: 'string', short: 'o' },
        revision: { type: 'string', short: 'r' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    return { kind: 'usage-error', message: messageOf(e), topic: 'build' };
  }
  const v = parsed.values;
  if (v.help) return { kind: 'help', topic: 'build' };
  if (parsed.positionals.length === 0) return { kind: 'usage-error', message: 'build: at least one path is required', topic: 'build' };
  if (v.output === '') return { kind: 'usage-error', message: 'build: --output must not be empty', topic: 'build' };
  return {
    kind: 'build',
    paths: parsed.positionals,
    entrypoints: (v.entrypoint ?? []).flatMap(splitList),
    output: v.output ?? DEFAULT_BUNDLE_PATH,
    revision: v.revision ?? '',
  };
}

function parseEval(args: readonly string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: {
        data: { type: 'string', short: 'd', multiple: true },
        input: { type: 'string', short: 'i' },
        format: { type: 'string', short: 'f' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    return { kind: 'usage-error', message: messageOf(e), topic: 'eval' };
  }
  const v = parsed.values;
  if (v.help) return { kind: 'help', topic: 'eval' };
  const format = v.format ?? 'pretty';
  if (format !== 'json' && format !== 'pretty') {
    return { kind: 'usage-error', message: `eval: unknown format "${format}" (expected pretty or json)`, topic: 'eval' };
  }
  if (parsed.positionals.length === 0) return { kind: 'usage-error', message: 'eval: a query is required', topic: 'eval' };
  if (parsed.positionals.length > 1) {
    return { kind: 'usage-error', message: `eval: expected one query, got ${parsed.positionals.length} (quote the query)`, topic: 'eval' };
  }
  const query = parsed.positionals[0] as string;
  if (query.trim() === '') return { kind: 'usage-error', message: 'eval: the query is empty', topic: 'eval' };
  return v.input === undefined
    ? { kind: 'eval', query, dataPaths: v.data ?? [], format }
    : { kind: 'eval', query, dataPaths: v.data ?? [], inputPath: v.input, format };
}

/** splitList accepts `-e a/b,c/d` as well as repeated `-e` flags. */
function splitList(s: string): string[] {
  return s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
}
