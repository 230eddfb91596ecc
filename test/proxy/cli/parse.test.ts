// The command line through the registry: top-level words (help, unknown commands), build and eval
// flags, node:util parse errors as usage errors, the help texts, and the registry's shape.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BUILD_USAGE } from '../../../proxy/cli/commands/build.js';
import { EVAL_USAGE } from '../../../proxy/cli/commands/eval.js';
import { COMMANDS } from '../../../proxy/cli/commands/index.js';
import { findCommand, usageFor, USAGE } from '../../../proxy/cli/run.js';
import { parseFlat } from './invocation.js';
import type { Flat } from './invocation.js';

describe('parseInvocation', () => {
  const cases: Array<{ note: string; argv: string[]; want: Flat }> = [
    { note: 'no arguments', argv: [], want: { kind: 'usage-error', message: 'missing command' } },
    { note: '--help', argv: ['--help'], want: { kind: 'help' } },
    { note: '-h', argv: ['-h'], want: { kind: 'help' } },
    { note: 'help', argv: ['help'], want: { kind: 'help' } },
    { note: 'help build', argv: ['help', 'build'], want: { kind: 'help', topic: 'build' } },
    {
      note: 'help on an unknown topic',
      argv: ['help', 'frobnicate'],
      want: { kind: 'usage-error', message: 'unknown help topic "frobnicate"' },
    },
    { note: 'unknown command', argv: ['frobnicate'], want: { kind: 'usage-error', message: 'unknown command "frobnicate"' } },
    {
      note: 'a flag before the command',
      argv: ['-x', 'build'],
      want: { kind: 'usage-error', message: 'unknown option "-x" (expected a command first)' },
    },
    {
      note: 'build with defaults',
      argv: ['build', 'policies', '-e', 'example/allow'],
      want: { kind: 'build', paths: ['policies'], entrypoints: ['example/allow'], output: 'bundle.tar.gz' },
    },
    {
      note: 'build with repeated and comma-separated entrypoints, output and revision',
      argv: ['build', 'a', 'b.rego', '--entrypoint', 'x/p,x/q', '-e', 'data.y.r', '-o', 'out.tar.gz', '-r', 'v1'],
      want: { kind: 'build', paths: ['a', 'b.rego'], entrypoints: ['x/p', 'x/q', 'data.y.r'], output: 'out.tar.gz', revision: 'v1' },
    },
    {
      note: 'build without entrypoints (metadata may supply them)',
      argv: ['build', 'p'],
      want: { kind: 'build', paths: ['p'], entrypoints: [], output: 'bundle.tar.gz' },
    },
    { note: 'build --help', argv: ['build', '--help'], want: { kind: 'help', topic: 'build' } },
    {
      note: 'build without paths',
      argv: ['build', '-e', 'a/b'],
      want: { kind: 'usage-error', message: 'build: at least one path is required', topic: 'build' },
    },
    {
      note: 'build with an empty output',
      argv: ['build', 'p', '-o', ''],
      want: { kind: 'usage-error', message: 'build: --output must not be empty', topic: 'build' },
    },
    {
      note: 'eval with everything',
      argv: ['eval', '-d', 'policies', '-d', 'data.json', '-i', 'in.json', '--format', 'json', 'data.example.allow = x'],
      want: { kind: 'eval', query: 'data.example.allow = x', dataPaths: ['policies', 'data.json'], inputPath: 'in.json', format: 'json' },
    },
    {
      note: 'eval defaults to pretty and no data',
      argv: ['eval', 'x := 1'],
      want: { kind: 'eval', query: 'x := 1', dataPaths: [], format: 'pretty' },
    },
    {
      note: 'eval with a bad format',
      argv: ['eval', '-f', 'yaml', 'x := 1'],
      want: { kind: 'usage-error', message: 'eval: unknown format "yaml" (expected pretty or json)', topic: 'eval' },
    },
    {
      note: 'eval without a query',
      argv: ['eval', '-d', 'p'],
      want: { kind: 'usage-error', message: 'eval: a query is required', topic: 'eval' },
    },
    {
      note: 'eval with an unquoted query',
      argv: ['eval', 'x', '=', '1'],
      want: { kind: 'usage-error', message: 'eval: expected one query, got 3 (quote the query)', topic: 'eval' },
    },
    {
      note: 'eval with a blank query',
      argv: ['eval', '  '],
      want: { kind: 'usage-error', message: 'eval: the query is empty', topic: 'eval' },
    },
    { note: 'eval --help', argv: ['eval', '-h'], want: { kind: 'help', topic: 'eval' } },
  ];
  it.each(cases)('$note', ({ argv, want }) => {
    expect(parseFlat(argv)).toEqual(want);
  });

  it.each([
    { note: 'unknown build flag', argv: ['build', 'p', '--bogus'], topic: 'build', message: /Unknown option '--bogus'/ },
    { note: 'build -o without a value', argv: ['build', 'p', '-o'], topic: 'build', message: /argument missing/ },
    { note: 'unknown eval flag', argv: ['eval', '--strict', 'x'], topic: 'eval', message: /Unknown option '--strict'/ },
    { note: 'eval -i without a value', argv: ['eval', 'x', '-i'], topic: 'eval', message: /argument missing/ },
  ])('reports $note as a usage error', ({ argv, topic, message }) => {
    const got = parseFlat(argv);
    expect(got).toMatchObject({ kind: 'usage-error', topic, message: expect.stringMatching(message) });
  });
});

describe('usageFor', () => {
  it.each([
    { note: 'top level', topic: undefined, want: USAGE, mentions: ['build', 'eval', 'Exit codes'] },
    { note: 'build', topic: 'build', want: BUILD_USAGE, mentions: ['--entrypoint', '--output', 'bundle.tar.gz'] },
    { note: 'eval', topic: 'eval', want: EVAL_USAGE, mentions: ['--data', '--input', '--format'] },
  ])('$note', ({ topic, want, mentions }) => {
    expect(usageFor(topic === undefined ? undefined : findCommand(topic))).toBe(want);
    for (const m of mentions) expect(want).toContain(m);
  });
});

describe('the registry', () => {
  it('lists every command once, each with a summary and its own help text', () => {
    const names = COMMANDS.map((c) => c.name);
    expect(names).toEqual([
      'build',
      'sign',
      'bundle',
      'eval',
      'test',
      'serve',
      'demo',
      'token',
      'approvals',
      'audit',
      'sessions',
      'replay',
    ]);
    for (const c of COMMANDS) {
      expect(c.usage).toMatch(new RegExp(`^Usage: portcullis ${c.name}`));
      expect(USAGE).toContain(`\n  ${c.summary.split('\n')[0]}\n`);
    }
  });

  it('keeps the top-level help text byte for byte', () => {
    expect(USAGE).toBe(`Usage: portcullis <command> [options]

Commands:
  build <path>... -e <entrypoint>... [-o bundle.tar.gz] [-r revision]
        Compile the .rego files (and data.json/data.yaml files) under the paths into an
        OPA Wasm bundle. *_test.rego files are left out.
  sign <bundle.tar.gz> --key <key.pem> --kid <id> [--alg ES256] [--scope S] [-o out.tar.gz]
        Sign a bundle (adds /.signatures.json in OPA's format; in place unless -o).
  bundle serve <dir> [--host 127.0.0.1] [--port 8282]
        Serve the bundles of a directory over OPA's bundle protocol (ETag, 304, long polling).
  eval [-d <path>]... [-i input.json|yaml] [--format pretty|json] <query>
        Evaluate a Rego query against the policies and data under the -d paths; print
        the result rows as a JSON array (e.g. [{"x": 1}]; [] when undefined).
  test <path>... [--run <regex>] [-v] [--format pretty|json]
        Run the Rego unit tests (test_* rules) under the paths, like \`opa test\`.
  serve [--config opa.config.yaml] [--watch]
        Validate the configuration and start the gateway (SIGHUP reloads the policy).
  demo [--config opa.config.yaml] [--state <dir>] [--port <n>]
        Start a throwaway PostgreSQL, a local token issuer and the gateway (npm start).
  token --sub <name> [--claim k=v]... [--ttl 15m] [--state <dir>]
        Mint an agent token with the running demo's issuer.
  approvals list|show|approve|deny [<id>] [--reason <text>] [--json]
        List, show, approve or deny statements held for a human (through the admin API).
  audit verify [--config opa.config.yaml] [--journal-dir <dir>] [--json]
        Verify the session recording's hash chains (state store, local journals).
  sessions list|show|kill [<id>] [--sub <sub>] [--since 24h] [--decision deny] [--reason <text>] [--json]
        List recorded sessions, show one's timeline of statements, or end a live one (through the admin API).
  replay --config opa.config.yaml (--bundle candidate.tar.gz | --paths dir...) [--since 7d] [--fail-on-change]
        Re-decide recorded statements with a candidate policy; print what would change.
  help [build|sign|bundle|eval|test|serve|demo|token|approvals|audit|sessions|replay]
        Show this text, or a command's.

Exit codes: 0 success, 1 policy/data/I/O error, 2 usage error.`);
  });
});

describe("token --ttl (the configuration's duration grammar)", () => {
  it.each([
    { ttl: '30s', seconds: 30 },
    { ttl: '1h30m', seconds: 5400 },
    { ttl: '1.5h', seconds: 5400 },
    { ttl: '90', seconds: 90 },
    { ttl: '2.5', seconds: 2 },
    { ttl: '1500ms', seconds: 1 },
  ])('$ttl → $seconds s', ({ ttl, seconds }) => {
    expect(parseFlat(['token', '--sub', 'b', '--ttl', ttl])).toMatchObject({ kind: 'token', ttlSeconds: seconds });
  });

  it.each(['0', '999ms', '15 minutes', '1d'])('rejects %s', (ttl) => {
    expect(parseFlat(['token', '--sub', 'b', '--ttl', ttl])).toEqual({
      kind: 'usage-error',
      topic: 'token',
      message: `token: --ttl ${JSON.stringify(ttl)} is not a duration of at least 1s (e.g. 30s, 15m, 1h)`,
    });
  });
});

describe('lazy loading', () => {
  const cli = join(dirname(fileURLToPath(import.meta.url)), '../../../proxy/cli');
  const light = ['run.ts', 'command.ts', 'io.ts', 'report.ts', ...readdirSync(join(cli, 'commands')).map((f) => `commands/${f}`)];

  it.each(light)('%s statically imports no engine, bundles, gateway or dev code', (file) => {
    const text = readFileSync(join(cli, file), 'utf8');
    // static value imports only (import type is erased; import() is lazy)
    const specs = [...text.matchAll(/^import\s+(?!type\s)[^'"]*from\s*'([^']+)'/gm)].map((m) => m[1] as string);
    const heavy = specs.filter((spec) => /(engine|bundles|dev)\/index\.js$|\/gateway\.js$|config-file\.js$/.test(spec));
    expect(heavy).toEqual([]);
  });
});
