// argv → Command: the CLI's argument grammar, parsed with node:util parseArgs (no dependency).
// Pure: strings in, a `kind`-discriminated Command out; bad flags or missing operands become
// `{ kind: 'usage-error' }` values (exit code 2), never exceptions.

import { parseArgs } from 'node:util';

/** OutputFormat is how `eval` prints its rows: `pretty` (indented JSON, default) or `json` (one line). */
export type OutputFormat = 'json' | 'pretty';

/** HelpTopic is a command with its own help text. */
export type HelpTopic = 'build' | 'eval' | 'test' | 'serve' | 'demo' | 'token';

const HELP_TOPICS: readonly HelpTopic[] = ['build', 'eval', 'test', 'serve', 'demo', 'token'];

/** Command is what one invocation asks for. */
export type Command =
  | { readonly kind: 'help'; readonly topic?: HelpTopic }
  | { readonly kind: 'usage-error'; readonly message: string; readonly topic?: HelpTopic }
  | {
      readonly kind: 'build';
      readonly paths: readonly string[];
      readonly entrypoints: readonly string[];
      readonly output: string;
      readonly revision: string;
      /** --v0-compatible: the sources are Rego v0 (as OPA 1.x's flag). */
      readonly v0Compatible?: boolean;
    }
  | {
      readonly kind: 'eval';
      readonly query: string;
      readonly dataPaths: readonly string[];
      readonly inputPath?: string;
      readonly format: OutputFormat;
      /** --v0-compatible: the sources are Rego v0 (as OPA 1.x's flag). */
      readonly v0Compatible?: boolean;
    }
  | { readonly kind: 'test'; readonly paths: readonly string[]; readonly run?: string; readonly verbose: boolean; readonly v0Compatible?: boolean }
  | { readonly kind: 'serve'; readonly configPath: string }
  | { readonly kind: 'demo'; readonly configPath?: string; readonly stateDir?: string; readonly port?: number }
  | {
      readonly kind: 'token';
      readonly sub: string;
      /** claims from `--claim k=v`; v is parsed as JSON when it is JSON (numbers, true, ["a"]), else kept as a string. */
      readonly claims: Readonly<Record<string, unknown>>;
      readonly ttlSeconds: number;
      readonly stateDir?: string;
    };

/** DEFAULT_CONFIG_PATH is the config `serve` and `demo` read when `--config` is not given. */
export const DEFAULT_CONFIG_PATH = 'opa.config.yaml';

/** DEFAULT_TOKEN_TTL_SECONDS is the lifetime of `portcullis token` tokens without `--ttl` (15 minutes). */
export const DEFAULT_TOKEN_TTL_SECONDS = 900;

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
  test <path>... [--run <regex>] [-v]
        Run the Rego unit tests (test_* rules) under the paths, like \`opa test\`.
  serve [--config opa.config.yaml]
        Validate the configuration and start the gateway.
  demo [--config opa.config.yaml] [--state <dir>] [--port <n>]
        Start a throwaway PostgreSQL, a local token issuer and the gateway (npm start).
  token --sub <name> [--claim k=v]... [--ttl 15m] [--state <dir>]
        Mint an agent token with the running demo's issuer.
  help [build|eval|test|serve|demo|token]
        Show this text, or a command's.

Exit codes: 0 success, 1 policy/data/I/O error, 2 usage error.`;

/** BUILD_USAGE is the help text of `portcullis build`. */
export const BUILD_USAGE = `Usage: portcullis build <path>... -e <entrypoint>... [-o <file>] [-r <revision>]

Options:
  -e, --entrypoint <pkg/rule>  entrypoint to compile (repeatable; pkg/rule, pkg.rule or data.pkg.rule);
                               rules annotated "# METADATA entrypoint: true" are added
  -o, --output <file>          bundle file to write (default ${DEFAULT_BUNDLE_PATH})
  -r, --revision <string>      revision recorded in the .manifest (default "")
      --v0-compatible          the sources are Rego v0 (the .manifest records rego_version 0)
  -h, --help                   show this text`;

/** EVAL_USAGE is the help text of `portcullis eval`. */
export const EVAL_USAGE = `Usage: portcullis eval [-d <path>]... [-i <file>] [--format pretty|json] <query>

Options:
  -d, --data <path>      .rego files and data files (file or directory; repeatable)
  -i, --input <file>     input document (JSON, or YAML for .yaml/.yml)
  -f, --format <format>  pretty (default) or json
      --v0-compatible    the -d .rego files are Rego v0
  -h, --help             show this text`;

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

/** SERVE_USAGE is the help text of `portcullis serve`. */
export const SERVE_USAGE = `Usage: portcullis serve [--config <file>]

Options:
  -c, --config <file>  gateway configuration (default ${DEFAULT_CONFIG_PATH}; keys in docs/config.md)
  -h, --help           show this text`;

/** DEMO_USAGE is the help text of `portcullis demo`. */
export const DEMO_USAGE = `Usage: portcullis demo [--config <file>] [--state <dir>] [--port <n>]

Starts a throwaway PostgreSQL with a sample schema, a local token issuer (JWKS on loopback) and
the gateway, prints a ready psql command line, and runs until Ctrl-C.

Options:
  -c, --config <file>  configuration to start from (default: the package's ${DEFAULT_CONFIG_PATH})
  -s, --state <dir>    where the issuer state is written for \`portcullis token\` (default: <tmp>/portcullis-demo)
  -p, --port <n>       gateway port (default: the config's listen.port)
  -h, --help           show this text`;

/** TOKEN_USAGE is the help text of `portcullis token`. */
export const TOKEN_USAGE = `Usage: portcullis token --sub <name> [--claim k=v]... [--ttl 15m] [--state <dir>]

Mints a token with the running demo's issuer and prints it (use it as the password).

Options:
  --sub <name>         subject (the agent's name)
  --claim <k=v>        extra claim (repeatable); v is JSON when it parses (42, true, ["a","b"]), else a string
  --ttl <duration>     lifetime: 30s, 15m, 1h (default 15m)
  -s, --state <dir>    the demo's state directory (default: <tmp>/portcullis-demo)
  -h, --help           show this text`;

const USAGES: Readonly<Record<HelpTopic, string>> = {
  build: BUILD_USAGE,
  eval: EVAL_USAGE,
  test: TEST_USAGE,
  serve: SERVE_USAGE,
  demo: DEMO_USAGE,
  token: TOKEN_USAGE,
};

/** usageFor returns the help text for a topic (or the top level). */
export function usageFor(topic?: HelpTopic): string {
  return topic === undefined ? USAGE : USAGES[topic];
}

/** v0Flag adds `v0Compatible: true` only when --v0-compatible was given (commands stay unchanged otherwise). */
function v0Flag(on: boolean | undefined): { v0Compatible?: true } {
  return on === true ? { v0Compatible: true } : {};
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
    if ((HELP_TOPICS as readonly string[]).includes(topic)) return { kind: 'help', topic: topic as HelpTopic };
    return { kind: 'usage-error', message: `unknown help topic "${topic}"` };
  }
  if (first === 'build') return parseBuild(rest);
  if (first === 'eval') return parseEval(rest);
  if (first === 'test') return parseTest(rest);
  if (first === 'serve') return parseServe(rest);
  if (first === 'demo') return parseDemo(rest);
  if (first === 'token') return parseToken(rest);
  if (first.startsWith('-')) return { kind: 'usage-error', message: `unknown option "${first}" (expected a command first)` };
  return { kind: 'usage-error', message: `unknown command "${first}"` };
}

/** tryParse runs one command's node:util parseArgs call, turning its errors into a usage error. */
function tryParse<T extends { values: unknown }>(topic: HelpTopic, parse: () => T): T | Command {
  try {
    return parse();
  } catch (e) {
    return { kind: 'usage-error', message: messageOf(e), topic };
  }
}

function parseBuild(args: readonly string[]): Command {
  const parsed = tryParse('build', () =>
    parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: {
        entrypoint: { type: 'string', short: 'e', multiple: true },
        output: { type: 'string', short: 'o' },
        revision: { type: 'string', short: 'r' },
        'v0-compatible': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }),
  );
  if ('kind' in parsed) return parsed;
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
    ...v0Flag(v['v0-compatible']),
  };
}

function parseEval(args: readonly string[]): Command {
  const parsed = tryParse('eval', () =>
    parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: {
        data: { type: 'string', short: 'd', multiple: true },
        input: { type: 'string', short: 'i' },
        format: { type: 'string', short: 'f' },
        'v0-compatible': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }),
  );
  if ('kind' in parsed) return parsed;
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
    ? { kind: 'eval', query, dataPaths: v.data ?? [], format, ...v0Flag(v['v0-compatible']) }
    : { kind: 'eval', query, dataPaths: v.data ?? [], inputPath: v.input, format, ...v0Flag(v['v0-compatible']) };
}

function parseTest(args: readonly string[]): Command {
  const parsed = tryParse('test', () =>
    parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: {
        run: { type: 'string', short: 'r' },
        verbose: { type: 'boolean', short: 'v' },
        'v0-compatible': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }),
  );
  if ('kind' in parsed) return parsed;
  const v = parsed.values;
  if (v.help) return { kind: 'help', topic: 'test' };
  if (parsed.positionals.length === 0) return { kind: 'usage-error', message: 'test: at least one path is required', topic: 'test' };
  if (v.run !== undefined) {
    try {
      new RegExp(v.run);
    } catch {
      return { kind: 'usage-error', message: `test: --run ${JSON.stringify(v.run)} is not a regular expression`, topic: 'test' };
    }
  }
  return { kind: 'test', paths: parsed.positionals, ...(v.run !== undefined ? { run: v.run } : {}), verbose: v.verbose === true, ...v0Flag(v['v0-compatible']) };
}

function parseServe(args: readonly string[]): Command {
  const parsed = tryParse('serve', () =>
    parseArgs({
      args: [...args],
      allowPositionals: false,
      strict: true,
      options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } },
    }),
  );
  if ('kind' in parsed) return parsed;
  if (parsed.values.help) return { kind: 'help', topic: 'serve' };
  if (parsed.values.config === '') return { kind: 'usage-error', message: 'serve: --config must not be empty', topic: 'serve' };
  return { kind: 'serve', configPath: parsed.values.config ?? DEFAULT_CONFIG_PATH };
}

function parseDemo(args: readonly string[]): Command {
  const parsed = tryParse('demo', () =>
    parseArgs({
      args: [...args],
      allowPositionals: false,
      strict: true,
      options: {
        config: { type: 'string', short: 'c' },
        state: { type: 'string', short: 's' },
        port: { type: 'string', short: 'p' },
        help: { type: 'boolean', short: 'h' },
      },
    }),
  );
  if ('kind' in parsed) return parsed;
  const v = parsed.values;
  if (v.help) return { kind: 'help', topic: 'demo' };
  if (v.config === '' || v.state === '') return { kind: 'usage-error', message: 'demo: --config and --state must not be empty', topic: 'demo' };
  let port: number | undefined;
  if (v.port !== undefined) {
    port = /^\d{1,5}$/.test(v.port) ? Number(v.port) : NaN;
    if (!(port >= 0 && port <= 65535)) return { kind: 'usage-error', message: `demo: --port ${JSON.stringify(v.port)} is not a TCP port (0-65535)`, topic: 'demo' };
  }
  return {
    kind: 'demo',
    ...(v.config !== undefined ? { configPath: v.config } : {}),
    ...(v.state !== undefined ? { stateDir: v.state } : {}),
    ...(port !== undefined ? { port } : {}),
  };
}

/** RESERVED_CLAIMS are set by the issuer; `--claim` cannot override them. */
const RESERVED_CLAIMS = new Set(['iss', 'sub', 'aud', 'iat', 'exp', 'nbf', 'jti']);

function parseToken(args: readonly string[]): Command {
  const parsed = tryParse('token', () =>
    parseArgs({
      args: [...args],
      allowPositionals: false,
      strict: true,
      options: {
        sub: { type: 'string' },
        claim: { type: 'string', multiple: true },
        ttl: { type: 'string' },
        state: { type: 'string', short: 's' },
        help: { type: 'boolean', short: 'h' },
      },
    }),
  );
  if ('kind' in parsed) return parsed;
  const v = parsed.values;
  if (v.help) return { kind: 'help', topic: 'token' };
  if (v.sub === undefined || v.sub.trim() === '') return { kind: 'usage-error', message: 'token: --sub <name> is required', topic: 'token' };
  const claims: Record<string, unknown> = {};
  for (const c of v.claim ?? []) {
    const eq = c.indexOf('=');
    const key = eq < 0 ? '' : c.slice(0, eq).trim();
    if (key === '') return { kind: 'usage-error', message: `token: --claim ${JSON.stringify(c)} must be key=value`, topic: 'token' };
    if (RESERVED_CLAIMS.has(key)) return { kind: 'usage-error', message: `token: --claim cannot set "${key}" (the issuer sets it; use --sub or --ttl)`, topic: 'token' };
    if (Object.hasOwn(claims, key)) return { kind: 'usage-error', message: `token: --claim "${key}" given twice`, topic: 'token' };
    claims[key] = claimValue(c.slice(eq + 1));
  }
  let ttlSeconds = DEFAULT_TOKEN_TTL_SECONDS;
  if (v.ttl !== undefined) {
    const ms = parseTtl(v.ttl);
    if (ms === undefined || ms < 1000) return { kind: 'usage-error', message: `token: --ttl ${JSON.stringify(v.ttl)} is not a duration of at least 1s (e.g. 30s, 15m, 1h)`, topic: 'token' };
    ttlSeconds = Math.floor(ms / 1000);
  }
  if (v.state === '') return { kind: 'usage-error', message: 'token: --state must not be empty', topic: 'token' };
  return { kind: 'token', sub: v.sub, claims, ttlSeconds, ...(v.state !== undefined ? { stateDir: v.state } : {}) };
}

/** claimValue parses `--claim` values: JSON when the text is JSON, else the text itself. */
function claimValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

const TTL_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** parseTtl reads 30s, 15m, 1h, 1h30m (as opa.config.yaml durations) into milliseconds. */
function parseTtl(text: string): number | undefined {
  if (!/^(\d+(ms|s|m|h))+$/.test(text)) return undefined;
  let ms = 0;
  for (const m of text.matchAll(/(\d+)(ms|s|m|h)/g)) ms += Number(m[1]) * (TTL_UNITS[m[2] as string] ?? 0);
  return ms;
}

/** splitList accepts `-e a/b,c/d` as well as repeated `-e` flags. */
function splitList(s: string): string[] {
  return s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
}
