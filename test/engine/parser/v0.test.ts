// Rego v0 parsing: v0 rules (`p { … }`, `p = v { … }`, `f(x) = y { … }`, `p[x] { … }` partial
// sets, `p[k] = v { … }`, `default p = v`, `else = v { … }`) produce the same AST as their v1
// spelling; future keywords are keywords only when imported; `import rego.v1` selects v1 rules;
// and the plumbing (`--v0-compatible` on build/eval/test, a source `.manifest` with rego_version 0).

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadBundle, readBundleTarball, sourceRegoVersion } from '../../../bundles/index.js';
import { parseInvocation, run } from '../../../proxy/cli/run.js';
import { printModule } from '../../../engine/ast/print.js';
import { compile, formatDiagnostic, loadPolicy } from '../../../engine/index.js';
import { parse } from '../../../engine/parser/index.js';

/** shape prints a module without locations, file name or version, so v0 and v1 spellings compare. */
function shape(text: string, regoVersion: 'v0' | 'v1'): string {
  const r = parse({ name: 'p.rego', text }, { regoVersion });
  expect(r.diagnostics.map((d) => d.message)).toEqual([]);
  if (r.value === undefined) throw new Error('no module');
  return printModule(r.value)
    .replace(/ @\d+:\d+/g, '')
    .replace(/^module \S+ v[01]\n/, '');
}

const same = [
  { note: 'rule without if', v0: 'p { input.x == 1 }', v1: 'p if { input.x == 1 }' },
  { note: 'rule with value', v0: 'p = 7 { true }', v1: 'p = 7 if { true }' },
  { note: 'rule with := value', v0: 'p := 7 { true }', v1: 'p := 7 if { true }' },
  { note: 'constant rule', v0: 'p = 7', v1: 'p = 7' },
  { note: 'partial set', v0: 'p[x] { x := 1 }', v1: 'p contains x if { x := 1 }' },
  { note: 'partial set with constant key', v0: 'p["a"] { true }', v1: 'p contains "a" if { true }' },
  { note: 'partial set without body', v0: 'p["a"]', v1: 'p contains "a"' },
  { note: 'partial object', v0: 'p[k] = v { k := "a"; v := 1 }', v1: 'p[k] = v if { k := "a"; v := 1 }' },
  // OPA's parser keys every two-term head without a value or `if`: `p.q { }` is `p["q"] { }`, a partial set
  { note: 'dotted two-term head is a partial set', v0: 'p.q { true }', v1: 'p contains "q" if { true }' },
  { note: 'dotted head with a value stays single-valued', v0: 'p.q = 1 { true }', v1: 'p.q = 1 if { true }' },
  { note: 'longer dotted head stays single-valued', v0: 'p.q.r { true }', v1: 'p.q.r if { true }' },
  { note: 'body on the line after the head', v0: 'p\n{ true }', v1: 'p if { true }' },
  { note: 'body on the line after a valued head', v0: 'p = 1\n{ true }', v1: 'p = 1 if { true }' },
  { note: 'body on the line after a partial set head', v0: 'p[x]\n{ x := 1 }', v1: 'p contains x if { x := 1 }' },
  { note: 'function with value', v0: 'f(x) = y { y := x }', v1: 'f(x) = y if { y := x }' },
  { note: 'function without value', v0: 'f(x) { x > 1 }', v1: 'f(x) if { x > 1 }' },
  { note: 'default with =', v0: 'default p = false', v1: 'default p = false' },
  { note: 'else chain', v0: 'p = 1 { false } else = 2 { true } else = 3', v1: 'p = 1 if { false } else = 2 if { true } else = 3' },
  { note: 'else without value', v0: 'p { false } else { true }', v1: 'p if { false } else if { true }' },
  { note: 'multi-line body and ; separators', v0: 'p {\n  x := 1; y := 2\n  x < y\n}', v1: 'p if {\n  x := 1; y := 2\n  x < y\n}' },
  {
    note: 'imported in and every',
    v0: 'import future.keywords.in\nimport future.keywords.every\np { every x in [1] { x in [1] } }',
    v1: 'import future.keywords.in\nimport future.keywords.every\np if { every x in [1] { x in [1] } }',
  },
  {
    note: 'imported if and contains',
    v0: 'import future.keywords.if\nimport future.keywords.contains\np contains x if { x := 1 }',
    v1: 'import future.keywords.if\nimport future.keywords.contains\np contains x if { x := 1 }',
  },
  {
    note: 'future.keywords imports all',
    v0: 'import future.keywords\np[x] if { some x in [1] }',
    v1: 'import future.keywords\np contains x if { some x in [1] }',
  },
  {
    note: 'v0 partial set with imported if',
    v0: 'import future.keywords.if\ndeny[msg] if { msg := "m" }',
    v1: 'import future.keywords.if\ndeny contains msg if { msg := "m" }',
  },
  { note: 'contains stays the builtin when not imported', v0: 'p { contains("abc", "b") }', v1: 'p if { contains("abc", "b") }' },
  // OPA's v0 parser reads bodies chained on one head as one rule per body, each with a copy of the head
  { note: 'chained bodies', v0: 'p { input.a } { input.b }', v1: 'p if { input.a }\np if { input.b }' },
  { note: 'chained bodies with a value', v0: 'p = 1 { input.a } { input.b }', v1: 'p = 1 if { input.a }\np = 1 if { input.b }' },
  {
    note: 'chained bodies of a partial set',
    v0: 'p[x] { x := 1 } { x := 2 }',
    v1: 'p contains x if { x := 1 }\np contains x if { x := 2 }',
  },
  { note: 'chained bodies of a function', v0: 'f(x) = y { y := x } { y := 2 }', v1: 'f(x) = y if { y := x }\nf(x) = y if { y := 2 }' },
  { note: 'chained bodies renumber wildcard arguments', v0: 'f(_) { true } { false }', v1: 'f(_) if { true }\nf(_) if { false }' },
  { note: 'chained body on the next line', v0: 'p { input.a }\n{ input.b }', v1: 'p if { input.a }\np if { input.b }' },
  {
    note: 'import rego.v1 selects v1 rules',
    v0: 'import rego.v1\np contains x if { some x in [1] }',
    v1: 'import rego.v1\np contains x if { some x in [1] }',
  },
];

describe('v0 rules parse like their v1 spelling', () => {
  it.each(same)('$note', ({ v0, v1 }) => {
    expect(shape(`package t\n${v0}\n`, 'v0')).toBe(shape(`package t\n${v1}\n`, 'v1'));
  });
});

const idents = [
  { note: 'in is a name without its import', text: 'in = 1', name: 'in' },
  { note: 'every is a name without its import', text: 'every { true }', name: 'every' },
  { note: 'contains is a name without its import', text: 'contains = 2', name: 'contains' },
  { note: 'if is a name without its import', text: 'if = 3', name: 'if' },
];

describe('future keywords are plain names unless imported', () => {
  it.each(idents)('$note', ({ text, name }) => {
    const r = parse({ name: 'p.rego', text: `package t\n${text}\n` }, { regoVersion: 'v0' });
    expect(r.diagnostics).toEqual([]);
    const head = r.value?.rules[0]?.head.ref[0];
    expect(head?.kind === 'var' ? head.name : undefined).toBe(name);
  });
});

const errors = [
  { note: 'if without its import', text: 'p if { true }', message: 'unexpected identifier token: expected rule body' },
  { note: 'bare name is no rule', text: 'p', message: 'rule must have a value (= v) or a body' },
  { note: 'in without its import', text: 'p { 1 in [1] }', message: 'unexpected identifier token' },
  {
    note: 'v1 rules need if after import rego.v1',
    text: 'import rego.v1\np { true }',
    message: '`if` keyword is required before rule body',
  },
  { note: 'empty body', text: 'p { }', message: 'found empty body' },
  { note: 'default needs a value', text: 'default p', message: 'illegal default rule (must have a value)' },
  { note: 'no chained body after else', text: 'p { false } else { true } { true }', message: 'unexpected { token: expected else keyword' },
];

describe('v0 parse errors', () => {
  it.each(errors)('$note', ({ text, message }) => {
    const r = parse({ name: 'p.rego', text: `package t\n${text}\n` }, { regoVersion: 'v0' });
    expect(r.diagnostics.map((d) => d.code)).toContain('rego_parse_error');
    expect(r.diagnostics.map((d) => d.message).join('\n')).toContain(message);
  });
});

// OPA's v0 compiler gives locals named `data` or `input` generated names, so they hide the root
// document within their scope; a rule named `data` is data.<pkg>.data, and the package's bare
// `data` resolves to it; a function argument may not be named so.
const roots = [
  { note: 'local data', rego: 'p = x { data := 1; x := data }', want: 1 },
  { note: 'local data in the head', rego: 'p = data { data := {"a": 2}; data.a == 2 }', want: { a: 2 } },
  { note: 'local input', rego: 'p = x { input := 1; x := input }', input: { a: 2 }, want: 1 },
  { note: 'local input alone', rego: 'p { input := 1 }', input: { a: 2 }, want: true },
  { note: 'local data in a comprehension', rego: 'p = x { x := [v | data := [1, 2][_]; v := data] }', want: [1, 2] },
  { note: 'some data', rego: 'p = x { some data; data = 4; x := data }', want: 4 },
  {
    note: 'the root outside the local scope',
    rego: 'p = [x, y] { x := f(1); y := input.a }\nf(v) = r { input := v; r := input }',
    input: { a: 2 },
    want: [1, 2],
  },
  { note: 'rule named data', rego: 'data { true }', entrypoint: 't/data', want: true },
  { note: 'bare data names the rule named data', rego: 'data = 3\np = x { x := data }', want: 3 },
  { note: 'rule named input', rego: 'input = 1\np { input == 1 }', input: 5, want: true },
];

describe('v0 names data and input', () => {
  it.each(roots)('$note', async ({ rego, input, want, entrypoint }) => {
    const ep = entrypoint ?? 't/p';
    const r = compile({ files: [{ name: 'p.rego', text: `package t\n${rego}\n` }], entrypoints: [ep], regoVersion: 'v0' });
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([]);
    const policy = await loadPolicy(r.wasm as Uint8Array);
    expect(policy.evaluate(input, ep)).toEqual([{ result: want }]);
  });

  it('a function argument may not be named data', () => {
    const r = compile({ files: [{ name: 'p.rego', text: 'package t\nf(data) = 1\np = f(2)\n' }], entrypoints: ['t/p'], regoVersion: 'v0' });
    expect(r.diagnostics.map(formatDiagnostic)).toContain(
      'p.rego:2:1: rego_compile_error: args must not shadow data (use a different variable name)',
    );
  });

  it('a local data declared after a use of the root is referenced above', () => {
    const r = compile({
      files: [{ name: 'p.rego', text: 'package t\np { x := data.a; data := 1 }\n' }],
      entrypoints: ['t/p'],
      regoVersion: 'v0',
    });
    expect(r.diagnostics.map((d) => d.message)).toContain('var data referenced above');
  });

  it('v1 still refuses the shadowing', () => {
    const r = compile({ files: [{ name: 'p.rego', text: 'package t\np := x if { data := 1; x := data }\n' }], entrypoints: ['t/p'] });
    expect(r.diagnostics.map((d) => d.message)).toContain('variables must not shadow data (use a different variable name)');
  });
});

describe('module version', () => {
  const cases = [
    { note: 'v0 module', text: 'package t\np { true }\n', want: 'v0' },
    { note: 'v0 file importing rego.v1 is v1', text: 'package t\nimport rego.v1\np if { true }\n', want: 'v1' },
  ];
  it.each(cases)('$note', ({ text, want }) => {
    expect(parse({ name: 'p.rego', text }, { regoVersion: 'v0' }).value?.regoVersion).toBe(want);
  });
});

// Plumbing: `--v0-compatible` on build/eval/test and a source `.manifest` with rego_version 0.
describe('v0 plumbing (CLI and bundles)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'v0-'));
  const policy = join(dir, 'policy');
  mkdirSync(policy);
  writeFileSync(
    join(policy, 'p.rego'),
    'package t\n\nallow { input.x == 1 }\n\nitems[x] { x := input.xs[_] }\n\nchained[x] { x := input.xs[_] } { x := "c" }\n\ntest_allow { allow with input as {"x": 1} }\n',
  );
  const manifested = join(dir, 'manifested');
  mkdirSync(manifested);
  writeFileSync(join(manifested, 'p.rego'), 'package t\n\nallow { true }\n');
  writeFileSync(join(manifested, '.manifest'), '{"rego_version": 0}');
  writeFileSync(join(dir, 'input.json'), '{"x": 1, "xs": ["a", "b"]}');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function invoke(argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const code = await run(argv, {
      stdout: (t) => {
        out += t;
      },
      stderr: (t) => {
        err += t;
      },
    });
    return { code, out, err };
  }

  const flags = [
    { note: 'build flag', argv: ['build', 'p', '--v0-compatible'], want: true },
    { note: 'eval flag', argv: ['eval', '--v0-compatible', 'x'], want: true },
    { note: 'test flag', argv: ['test', '--v0-compatible', 'p'], want: true },
    { note: 'no flag', argv: ['test', 'p'], want: undefined },
  ];
  it.each(flags)('parses $note', ({ argv, want }) => {
    const inv = parseInvocation(argv);
    expect(inv.kind === 'run' ? (inv.options as { v0Compatible?: boolean }).v0Compatible : 'not run').toBe(want);
  });

  const runs = [
    {
      note: 'eval --v0-compatible',
      argv: ['eval', '--v0-compatible', '-f', 'json', '-d', policy, '-i', join(dir, 'input.json'), 'x := data.t.items'],
      code: 0,
      out: '[{"x":["a","b"]}]',
    },
    { note: 'eval of v0 without the flag fails', argv: ['eval', '-d', policy, 'data.t.allow'], code: 1, out: '' },
    { note: 'test --v0-compatible', argv: ['test', '--v0-compatible', policy], code: 0, out: 'PASS: 1/1' },
    {
      note: 'eval --v0-compatible of chained bodies',
      argv: ['eval', '--v0-compatible', '-f', 'json', '-d', policy, '-i', join(dir, 'input.json'), 'x := data.t.chained'],
      code: 0,
      out: '[{"x":["a","b","c"]}]',
    },
  ];
  it.each(runs)('$note', async ({ argv, code, out }) => {
    const r = await invoke(argv);
    expect(r.code).toBe(code);
    expect(r.out).toContain(out);
  });

  it('build --v0-compatible records rego_version 0', async () => {
    const output = join(dir, 'b.tar.gz');
    const r = await invoke(['build', '--v0-compatible', policy, '-e', 't/allow', '-o', output]);
    expect(r.code).toBe(0);
    const bundle = await readBundleTarball(readFileSync(output));
    expect(bundle.manifest.rego_version).toBe(0);
  });

  const versions = [
    { note: 'manifest with rego_version 0', paths: [manifested], want: 'v0' },
    { note: 'directory without manifest', paths: [policy], want: undefined },
  ];
  it.each(versions)('sourceRegoVersion: $note', ({ paths, want }) => {
    expect(sourceRegoVersion(paths)).toBe(want);
  });

  it('loadBundle compiles a directory whose .manifest says rego_version 0 as v0', async () => {
    const r = await loadBundle({ kind: 'paths', paths: [manifested], entrypoints: ['t/allow'] });
    expect(r.diagnostics).toEqual([]);
    expect(r.ok && r.bundle.manifest.rego_version).toBe(0);
  });
});
