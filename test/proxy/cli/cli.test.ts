// End to end: spawns `node bin/portcullis.js` in real temp directories, as a user would run it.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPolicy as sdkLoadPolicy } from '@open-policy-agent/opa-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { readBundleTarball } from '../../../bundles/tarball.js';

const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../../bin/portcullis.js');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tree(files: Readonly<Record<string, string | undefined>>): string {
  const root = mkdtempSync(join(tmpdir(), 'portcullis-cli-'));
  dirs.push(root);
  for (const [rel, text] of Object.entries(files)) {
    if (text === undefined) continue;
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

function cli(args: readonly string[], cwd: string = tmpdir()): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const POLICY = `package example

default allow := false

allow if input.user.role == "admin"

allow if input.action in data.allowed_actions
`;

const project = () =>
  tree({
    'policies/example.rego': POLICY,
    'policies/example_test.rego': 'package example_test\n\ntest_x if true\n',
    'policies/data.json': '{"allowed_actions": ["read"]}',
    'policies/teams/data.yaml': 'ops:\n  - alice\n',
    'input.json': '{"user": {"role": "admin"}}',
    'input.yaml': 'user:\n  role: guest\naction: write\n',
    'bad.json': '{"user": ',
  });

const NO_STACK = /^\s+at /m;

describe('usage', () => {
  it.each([
    {
      note: 'no arguments',
      args: [],
      code: 2,
      stream: 'stderr' as const,
      match: /portcullis: missing command\n\nUsage: portcullis <command>/,
    },
    { note: '--help', args: ['--help'], code: 0, stream: 'stdout' as const, match: /^Usage: portcullis <command>/ },
    { note: 'help eval', args: ['help', 'eval'], code: 0, stream: 'stdout' as const, match: /^Usage: portcullis eval/ },
    { note: 'an unknown command', args: ['frobnicate'], code: 2, stream: 'stderr' as const, match: /unknown command "frobnicate"/ },
    {
      note: 'an unknown flag',
      args: ['build', 'x', '--bogus'],
      code: 2,
      stream: 'stderr' as const,
      match: /Unknown option '--bogus'[\s\S]*Usage: portcullis build/,
    },
    { note: 'eval without a query', args: ['eval', '-d', 'x'], code: 2, stream: 'stderr' as const, match: /eval: a query is required/ },
  ])('$note → exit $code', ({ args, code, stream, match }) => {
    const r = cli(args);
    expect(r.code).toBe(code);
    expect(r[stream]).toMatch(match);
  });
});

describe('eval', () => {
  const root = project();
  it.each([
    { note: 'a rule with input', args: ['eval', '-d', 'policies', '-i', 'input.json', 'data.example.allow = x'], rows: [{ x: true }] },
    { note: 'input from YAML', args: ['eval', '-d', 'policies', '-i', 'input.yaml', 'data.example.allow = x'], rows: [{ x: false }] },
    { note: 'data files mounted by directory', args: ['eval', '-d', 'policies', 'x := data.teams.ops[_]'], rows: [{ x: 'alice' }] },
    { note: 'several rows', args: ['eval', 'x := [1, 2, 3][_]'], rows: [{ x: 1 }, { x: 2 }, { x: 3 }] },
    { note: 'an undefined query', args: ['eval', '-d', 'policies', 'data.example.nope = x'], rows: [] },
    { note: 'a false query', args: ['eval', '1 == 2'], rows: [] },
  ])('prints rows for $note', ({ args, rows }) => {
    const r = cli(args, root);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(rows);
  });

  it('pretty-prints by default and prints one line with --format json', () => {
    const pretty = cli(['eval', '-d', 'policies', '-i', 'input.json', 'data.example.allow = x'], root);
    expect(pretty.stdout).toBe('[\n  {\n    "x": true\n  }\n]\n');
    const json = cli(['eval', '--format', 'json', '-d', 'policies', '-i', 'input.json', 'data.example.allow = x'], root);
    expect(json.stdout).toBe('[{"x":true}]\n');
  });

  it.each([
    {
      note: 'a syntax error',
      files: { 'p/bad.rego': 'package p\n\nallow if {\n' },
      args: ['eval', '-d', 'p', 'x := data.p.allow'],
      match: /^p\/bad\.rego:\d+:\d+: rego_parse_error: .+$/,
    },
    {
      note: 'an unsafe variable',
      files: { 'p/unsafe.rego': 'package p\n\nallow if y > 1\n' },
      args: ['eval', '-d', 'p', 'x := data.p.allow'],
      match: /^p\/unsafe\.rego:3:\d+: rego_unsafe_var_error: var y is unsafe$/,
    },
    {
      note: 'a missing -d path',
      files: {},
      args: ['eval', '-d', 'nope', 'x := 1'],
      match: /^portcullis: nope: no such file or directory$/,
    },
    {
      note: 'bad input JSON',
      files: { 'in.json': '{"a": ' },
      args: ['eval', '-i', 'in.json', 'x := input'],
      match: /^portcullis: in\.json: invalid JSON: .+$/,
    },
    {
      note: 'conflicting data files',
      files: { 'd/data.json': '{"a": {"b": 1}}', 'd/a/data.json': '{"b": 2}' },
      args: ['eval', '-d', 'd', 'x := 1'],
      match: /^portcullis: d\/data\.json: conflicting values for data\.a\.b/,
    },
    {
      note: 'a conflict at evaluation time',
      files: { 'p/c.rego': 'package p\n\nv := 1 if true\n\nv := 2 if true\n' },
      args: ['eval', '-d', 'p', 'x := data.p.v'],
      match: /^portcullis: .*eval_conflict_error: .+$/,
    },
  ])('fails with exit 1 on $note', ({ files, args, match }) => {
    const r = cli(args, tree(files));
    expect(r.code).toBe(1);
    const lines = r.stderr.trimEnd().split('\n');
    for (const line of lines) expect(line).toMatch(match);
    expect(r.stderr).not.toMatch(NO_STACK);
    expect(r.stdout).toBe('');
  });

  it('reports every diagnostic, not only the first', () => {
    const r = cli(['eval', '-d', 'p', 'x := 1'], tree({ 'p/a.rego': 'package a\n\np if {\n', 'p/b.rego': 'package b\n\nq if {\n' }));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^p\/a\.rego:\d+:\d+: rego_parse_error: /m);
    expect(r.stderr).toMatch(/^p\/b\.rego:\d+:\d+: rego_parse_error: /m);
  });
});

describe('build', () => {
  it('writes a bundle whose policy.wasm the official SDK evaluates', async () => {
    const root = project();
    const r = cli(['build', 'policies', '-e', 'example/allow', '-o', 'out.tar.gz'], root);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const bundle = await readBundleTarball(readFileSync(join(root, 'out.tar.gz')));
    expect(bundle.manifest).toEqual({
      revision: '',
      roots: [''],
      wasm: [{ entrypoint: 'example/allow', module: '/policy.wasm' }],
      rego_version: 1,
      metadata: { portcullis: { input_reads: { 'example/allow': [['action'], ['user', 'role']] } } },
    });
    expect(bundle.data).toEqual({ allowed_actions: ['read'], teams: { ops: ['alice'] } });
    expect(bundle.modules.map((m) => m.path)).toEqual(['/example.rego']);
    const policy = await sdkLoadPolicy(bundle.wasm);
    policy.setData(bundle.data);
    const cases = [
      { input: { user: { role: 'admin' } }, want: true },
      { input: { user: { role: 'guest' }, action: 'read' }, want: true },
      { input: { user: { role: 'guest' }, action: 'write' }, want: false },
    ];
    for (const c of cases) expect(policy.evaluate(c.input, 'example/allow')).toEqual([{ result: c.want }]);
  });

  it('writes bundle.tar.gz by default, byte-identical across builds', () => {
    const root = project();
    expect(cli(['build', 'policies', '-e', 'data.example.allow'], root).code).toBe(0);
    const first = readFileSync(join(root, 'bundle.tar.gz'));
    expect(cli(['build', 'policies', '-e', 'data.example.allow'], root).code).toBe(0);
    expect(readFileSync(join(root, 'bundle.tar.gz')).equals(first)).toBe(true);
  });

  it('takes entrypoints from # METADATA annotations', async () => {
    const root = tree({ 'p/p.rego': 'package p\n\n# METADATA\n# entrypoint: true\nallow if input.x == 1\n' });
    expect(cli(['build', 'p'], root)).toMatchObject({ code: 0, stderr: '' });
    const bundle = await readBundleTarball(readFileSync(join(root, 'bundle.tar.gz')));
    expect(bundle.manifest.wasm).toEqual([{ entrypoint: 'p/allow', module: '/policy.wasm' }]);
  });

  it.each([
    {
      note: 'a syntax error',
      files: { 'p/file.rego': 'package p\n\nallow if {\n' },
      args: ['build', 'p', '-e', 'p/allow'],
      match: /^p\/file\.rego:\d+:\d+: rego_parse_error: .+$/,
    },
    {
      note: 'no entrypoints',
      files: { 'p/p.rego': 'package p\n\nallow := true\n' },
      args: ['build', 'p'],
      match: /^portcullis: wasm compilation requires at least one entrypoint$/,
    },
    {
      note: 'no .rego files',
      files: { 'p/data.json': '{}' },
      args: ['build', 'p', '-e', 'p/allow'],
      match: /^portcullis: no \.rego files found in p$/,
    },
    { note: 'a missing path', files: {}, args: ['build', 'nope', '-e', 'p/allow'], match: /^portcullis: nope: no such file or directory$/ },
    {
      note: 'an unwritable output',
      files: { 'p/p.rego': 'package p\n\nallow := true\n' },
      args: ['build', 'p', '-e', 'p/allow', '-o', 'missing/dir/b.tar.gz'],
      match: /^portcullis: missing\/dir\/b\.tar\.gz: no such file or directory$/,
    },
  ])('fails with exit 1 on $note', ({ files, args, match }) => {
    const r = cli(args, tree(files));
    expect(r.code).toBe(1);
    for (const line of r.stderr.trimEnd().split('\n')) expect(line).toMatch(match);
    expect(r.stderr).not.toMatch(NO_STACK);
  });
});
