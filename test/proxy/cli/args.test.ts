import { describe, expect, it } from 'vitest';
import { parseCommand, usageFor, USAGE, BUILD_USAGE, EVAL_USAGE } from '../../../proxy/cli/args.js';
import type { Command } from '../../../proxy/cli/args.js';

describe('parseCommand', () => {
  const cases: Array<{ note: string; argv: string[]; want: Command }> = [
    { note: 'no arguments', argv: [], want: { kind: 'usage-error', message: 'missing command' } },
    { note: '--help', argv: ['--help'], want: { kind: 'help' } },
    { note: '-h', argv: ['-h'], want: { kind: 'help' } },
    { note: 'help', argv: ['help'], want: { kind: 'help' } },
    { note: 'help build', argv: ['help', 'build'], want: { kind: 'help', topic: 'build' } },
    { note: 'help on an unknown topic', argv: ['help', 'frobnicate'], want: { kind: 'usage-error', message: 'unknown help topic "frobnicate"' } },
    { note: 'unknown command', argv: ['frobnicate'], want: { kind: 'usage-error', message: 'unknown command "frobnicate"' } },
    { note: 'a flag before the command', argv: ['-x', 'build'], want: { kind: 'usage-error', message: 'unknown option "-x" (expected a command first)' } },
    {
      note: 'build with defaults',
      argv: ['build', 'policies', '-e', 'example/allow'],
      want: { kind: 'build', paths: ['policies'], entrypoints: ['example/allow'], output: 'bundle.tar.gz', revision: '' },
    },
    {
      note: 'build with repeated and comma-separated entrypoints, output and revision',
      argv: ['build', 'a', 'b.rego', '--entrypoint', 'x/p,x/q', '-e', 'data.y.r', '-o', 'out.tar.gz', '-r', 'v1'],
      want: { kind: 'build', paths: ['a', 'b.rego'], entrypoints: ['x/p', 'x/q', 'data.y.r'], output: 'out.tar.gz', revision: 'v1' },
    },
    { note: 'build without entrypoints (metadata may supply them)', argv: ['build', 'p'], want: { kind: 'build', paths: ['p'], entrypoints: [], output: 'bundle.tar.gz', revision: '' } },
    { note: 'build --help', argv: ['build', '--help'], want: { kind: 'help', topic: 'build' } },
    { note: 'build without paths', argv: ['build', '-e', 'a/b'], want: { kind: 'usage-error', message: 'build: at least one path is required', topic: 'build' } },
    { note: 'build with an empty output', argv: ['build', 'p', '-o', ''], want: { kind: 'usage-error', message: 'build: --output must not be empty', topic: 'build' } },
    {
      note: 'eval with everything',
      argv: ['eval', '-d', 'policies', '-d', 'data.json', '-i', 'in.json', '--format', 'json', 'data.example.allow = x'],
      want: { kind: 'eval', query: 'data.example.allow = x', dataPaths: ['policies', 'data.json'], inputPath: 'in.json', format: 'json' },
    },
    { note: 'eval defaults to pretty and no data', argv: ['eval', 'x := 1'], want: { kind: 'eval', query: 'x := 1', dataPaths: [], format: 'pretty' } },
    { note: 'eval with a bad format', argv: ['eval', '-f', 'yaml', 'x := 1'], want: { kind: 'usage-error', message: 'eval: unknown format "yaml" (expected pretty or json)', topic: 'eval' } },
    { note: 'eval without a query', argv: ['eval', '-d', 'p'], want: { kind: 'usage-error', message: 'eval: a query is required', topic: 'eval' } },
    { note: 'eval with an unquoted query', argv: ['eval', 'x', '=', '1'], want: { kind: 'usage-error', message: 'eval: expected one query, got 3 (quote the query)', topic: 'eval' } },
    { note: 'eval with a blank query', argv: ['eval', '  '], want: { kind: 'usage-error', message: 'eval: the query is empty', topic: 'eval' } },
    { note: 'eval --help', argv: ['eval', '-h'], want: { kind: 'help', topic: 'eval' } },
  ];
  it.each(cases)('$note', ({ argv, want }) => {
    expect(parseCommand(argv)).toEqual(want);
  });

  it.each([
    { note: 'unknown build flag', argv: ['build', 'p', '--bogus'], topic: 'build', message: /Unknown option '--bogus'/ },
    { note: 'build -o without a value', argv: ['build', 'p', '-o'], topic: 'build', message: /argument missing/ },
    { note: 'unknown eval flag', argv: ['eval', '--strict', 'x'], topic: 'eval', message: /Unknown option '--strict'/ },
    { note: 'eval -i without a value', argv: ['eval', 'x', '-i'], topic: 'eval', message: /argument missing/ },
  ])('reports $note as a usage error', ({ argv, topic, message }) => {
    const got = parseCommand(argv);
    expect(got).toMatchObject({ kind: 'usage-error', topic, message: expect.stringMatching(message) });
  });
});

describe('usageFor', () => {
  it.each([
    { note: 'top level', topic: undefined, want: USAGE, mentions: ['build', 'eval', 'Exit codes'] },
    { note: 'build', topic: 'build' as const, want: BUILD_USAGE, mentions: ['--entrypoint', '--output', 'bundle.tar.gz'] },
    { note: 'eval', topic: 'eval' as const, want: EVAL_USAGE, mentions: ['--data', '--input', '--format'] },
  ])('$note', ({ topic, want, mentions }) => {
    expect(usageFor(topic)).toBe(want);
    for (const m of mentions) expect(want).toContain(m);
  });
});
