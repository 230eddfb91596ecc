// End to end through the public engine API: Rego source → compile() → Wasm, evaluated by the
// official SDK on its fast path (ABI minor ≥ 2) and its ctx path (minor forced to 1), and by our
// own loader. Every path must give the same result set.

import { describe, expect, it } from 'vitest';
import { compile, formatDiagnostic } from '../../engine/index.js';
import { errorText, loadAll } from './wasm/helpers.js';

type Case = {
  note: string;
  rego: string;
  entrypoint: string;
  input?: unknown;
  data?: unknown;
  want?: unknown;
  error?: RegExp;
  strict?: boolean;
};

const cases: Case[] = [
  {
    note: 'complete rule over input',
    rego: 'package a\nallow if input.user.role == "admin"',
    entrypoint: 'a/allow',
    input: { user: { role: 'admin' } },
    want: [{ result: true }],
  },
  {
    note: 'undefined is an empty result set',
    rego: 'package a\nallow if input.user.role == "admin"',
    entrypoint: 'a/allow',
    input: { user: {} },
    want: [],
  },
  {
    note: 'default makes false defined',
    rego: 'package a\ndefault allow := false\nallow if input.x',
    entrypoint: 'a/allow',
    input: {},
    want: [{ result: false }],
  },
  {
    note: 'partial set with iteration, dumped sorted',
    rego: 'package a\nnames contains n if { some u in input.users; n := u.name }',
    entrypoint: 'a/names',
    input: { users: [{ name: 'zoe' }, { name: 'al' }, { name: 'zoe' }] },
    want: [{ result: ['al', 'zoe'] }],
  },
  {
    note: 'partial object and base data merged into the package',
    rego: 'package a\nroles[u] := r if { some u, r in data.users }\nlimit := data.a.max * 2',
    entrypoint: 'a',
    data: { users: { bob: 'dev' }, a: { max: 5 } },
    want: [{ result: { limit: 10, max: 5, roles: { bob: 'dev' } } }],
  },
  {
    note: 'functions, else and comprehensions',
    rego: 'package a\nf(x) := "big" if x > 10\nelse := "small"\nout := [f(n) | some n in input.ns]',
    entrypoint: 'a/out',
    input: { ns: [1, 20] },
    want: [{ result: ['small', 'big'] }],
  },
  {
    note: 'every and not',
    rego: 'package a\nok if { every t in input.tables { not startswith(t, "pg_") } }',
    entrypoint: 'a/ok',
    input: { tables: ['users', 'orders'] },
    want: [{ result: true }],
  },
  {
    note: 'with replaces input and data',
    rego: 'package a\np := input.x + data.k\nq := v if v := p with input.x as 1 with data.k as 2',
    entrypoint: 'a/q',
    input: { x: 100 },
    data: { k: 200 },
    want: [{ result: 3 }],
  },
  {
    note: 'native builtins: sprintf, regex, glob',
    rego: 'package a\nm := sprintf("%s=%d", ["n", 3])\nr := regex.match(`^[a-z]+\\d$`, "abc1")\ng := glob.match("*.users", ["."], "public.users")',
    entrypoint: 'a',
    want: [{ result: { g: true, m: 'n=3', r: true } }],
  },
  {
    note: 'contains is a keyword in heads and still a builtin in bodies',
    rego: 'package a\nhits contains t if { some t in input.tables; contains(t, "pii") }',
    entrypoint: 'a/hits',
    input: { tables: ['pii_users', 'orders'] },
    want: [{ result: ['pii_users'] }],
  },
  {
    note: 'conflicting complete rule aborts with OPA code and location',
    rego: 'package a\np := 1\np := 2',
    entrypoint: 'a/p',
    error: /policy\.rego:\d+: eval_conflict_error: rule data\.a\.p produced conflicting values/,
  },
  { note: 'a builtin error is undefined by default', rego: 'package a\np := 1 / input.d', entrypoint: 'a/p', input: { d: 0 }, want: [] },
  {
    note: 'strict builtin errors abort with the call location',
    rego: 'package a\np := 1 / input.d',
    entrypoint: 'a/p',
    input: { d: 0 },
    strict: true,
    error: /policy\.rego:2: eval_builtin_error: div: divide by zero/,
  },
];

describe('compile → Wasm → SDK fast path, SDK ctx path, our loader', () => {
  it.each(cases)('$note', async (c) => {
    const r = compile({
      files: [{ name: 'policy.rego', text: c.rego }],
      entrypoints: [c.entrypoint],
      strictBuiltinErrors: c.strict === true,
    });
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(r.wasm).toBeInstanceOf(Uint8Array);
    for (const p of await loadAll(r.wasm as Uint8Array)) {
      p.setData(c.data ?? {});
      if (c.error) {
        expect(
          errorText(() => p.evaluate(c.input, c.entrypoint)),
          p.name,
        ).toMatch(c.error);
      } else {
        expect(p.evaluate(c.input, c.entrypoint), p.name).toEqual(c.want);
      }
    }
  });

  it('prints through opa_println to the host', async () => {
    const { loadPolicy } = await import('../../engine/index.js');
    const r = compile({
      files: [{ name: 'p.rego', text: 'package a\np if { print("user", input.u, input.missing) }' }],
      entrypoints: ['a/p'],
    });
    const lines: string[] = [];
    const p = await loadPolicy(r.wasm as Uint8Array, { onPrint: (l) => lines.push(l) });
    expect(p.evaluate({ u: { id: 1 } }, 'a/p')).toEqual([{ result: true }]);
    expect(lines).toEqual(['user {"id": 1} <undefined>']);
  });
});

describe('compile', () => {
  it('is deterministic: the same sources give byte-identical modules', () => {
    const files = [
      { name: 'p.rego', text: 'package a\nallow if { some r in input.roles; r in {"admin", "dba"} }\nn := count(input.roles)' },
    ];
    const a = compile({ files, entrypoints: ['a/allow', 'a/n'] }).wasm as Uint8Array;
    const b = compile({ files, entrypoints: ['a/allow', 'a/n'] }).wasm as Uint8Array;
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it.each([
    { note: 'syntax error', text: 'package a\np if {', want: /^p\.rego:2:\d+: rego_parse_error: / },
    { note: 'unsafe var', text: 'package a\np if x > 1', want: /^p\.rego:2:\d+: rego_unsafe_var_error: var x is unsafe$/ },
    { note: 'unknown function', text: 'package a\np := nope(1)', want: /^p\.rego:2:\d+: rego_type_error: undefined function nope$/ },
    { note: 'recursion', text: 'package a\np if q\nq if p', want: /rego_recursion_error: rule data\.a\.p is recursive/ },
    {
      note: 'unimplemented builtin',
      text: 'package a\np := net.lookup_ip_addr("x")',
      want: /rego_type_error: unsupported builtin: net\.lookup_ip_addr/,
    },
  ])('reports $note as a located diagnostic', ({ text, want }) => {
    const r = compile({ files: [{ name: 'p.rego', text }], entrypoints: ['a/p'] });
    expect(r.wasm).toBeUndefined();
    expect(r.diagnostics.map(formatDiagnostic).join('\n')).toMatch(want);
  });

  it('reports a program too deep for the compiler as a diagnostic, never a thrown RangeError', () => {
    // p0 := p1, p1 := p2, …: each rule is planned inside the one that refers to it
    const n = 3_000;
    const lines = Array.from({ length: n }, (_, i) => `p${i} := p${i + 1}`);
    const text = `package a\n${lines.join('\n')}\np${n} := 1\n`;
    const r = compile({ files: [{ name: 'p.rego', text }], entrypoints: ['a/p0'] });
    expect(r.wasm).toBeUndefined();
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([
      expect.stringMatching(/^p\.rego:1:1: rego_compile_error: program too deep to compile/),
    ]);
  });

  it('reports every error of a run, sorted by location', () => {
    const r = compile({
      files: [
        { name: 'b.rego', text: 'package b\nq if y > 1' },
        { name: 'a.rego', text: 'package a\np if x > 1\nr := nope()' },
      ],
      entrypoints: [],
    });
    const shown = r.diagnostics.map((d) => `${d.location.file}:${d.location.row}`);
    expect(shown).toEqual(['a.rego:2', 'a.rego:3', 'b.rego:2']);
  });

  it('accepts a builtin the host supplies and calls it at evaluation', async () => {
    const r = compile({
      files: [{ name: 'p.rego', text: 'package a\np := net.lookup_ip_addr("hi")' }],
      entrypoints: ['a/p'],
      hostBuiltins: { 'net.lookup_ip_addr': { arity: 1 } },
    });
    expect(r.diagnostics).toEqual([]);
    const [fast, ctx, ours] = await loadAll(r.wasm as Uint8Array, { 'net.lookup_ip_addr': (s: unknown) => `host-for-${String(s)}` });
    for (const p of [fast, ctx, ours]) expect(p?.evaluate(undefined, 'a/p')).toEqual([{ result: 'host-for-hi' }]);
  });

  it('supplies time.now_ns from our loader, one reading per evaluation', async () => {
    const { loadPolicy } = await import('../../engine/index.js');
    const r = compile({ files: [{ name: 'p.rego', text: 'package a\nt := [time.now_ns(), time.now_ns()]' }], entrypoints: ['a/t'] });
    expect(r.diagnostics).toEqual([]);
    const p = await loadPolicy(r.wasm as Uint8Array);
    const [{ result }] = p.evaluate(undefined, 'a/t') as [{ result: [number, number] }];
    expect(result[0]).toBe(result[1]);
    expect(Math.abs(result[0] / 1e6 - Date.now())).toBeLessThan(60_000);
  });

  it('gives plain-SDK users a time.now_ns that agrees within one evaluation', async () => {
    const { sdkHostBuiltins } = await import('../../engine/index.js');
    let ms = 1_000;
    const now = sdkHostBuiltins({ now: () => ms++ })['time.now_ns'] as () => number;
    const first = now();
    expect(now()).toBe(first);
    await Promise.resolve();
    expect(now()).toBe(first + 1_000_000);
  });

  it('prints numbers as OPA does: 64-bit-mantissa quotients, -0, exact big integers', async () => {
    const { loadPolicy } = await import('../../engine/index.js');
    const text = 'package a\nx := 1 / 3\ny := 0 / -5\nz := bits.lsh(1, 100)\nw := (22 / 7) * 7\n';
    const r = compile({ files: [{ name: 'p.rego', text }], entrypoints: ['a/x', 'a/y', 'a/z', 'a/w'] });
    expect(r.diagnostics).toEqual([]);
    const p = await loadPolicy(r.wasm as Uint8Array);
    expect(p.evaluateRaw(undefined, 'a/x')).toBe('[{"result":0.33333333333333333334}]');
    expect(p.evaluateRaw(undefined, 'a/y')).toBe('[{"result":-0}]');
    expect(p.evaluateRaw(undefined, 'a/z')).toBe('[{"result":1267650600228229401496703205376}]');
    expect(p.evaluateRaw(undefined, 'a/w')).toBe('[{"result":22}]');
  });

  it('takes entrypoints from # METADATA annotations', () => {
    const text = 'package a\n\n# METADATA\n# entrypoint: true\nallow if input.ok\n';
    const r = compile({ files: [{ name: 'p.rego', text }] });
    expect(r.entrypoints).toEqual(['a/allow']);
  });
});
