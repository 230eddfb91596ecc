// The input-reads analysis (engine/reads): a table of small policies with the input paths each
// entrypoint can read (or why that is unbounded), the shipped policy's decision entrypoint against
// a list written by reading policies/portcullis, and a soundness property: changing input outside
// the reported paths never changes an evaluated decision.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compile, formatDiagnostic, inputReads, loadPolicy } from '../../engine/index.js';
import type { CompileResult, InputReads, PolicyInstance } from '../../engine/index.js';
import { minimalPaths } from '../../engine/reads/index.js';

type Case = {
  note: string;
  rego: string | string[];
  entrypoint: string;
  hostBuiltins?: Record<string, { arity: number }>;
  want?: string[][];
  unbounded?: RegExp;
};

const cases: Case[] = [
  { note: 'a simple ref', rego: 'package a\np if input.user.role == "admin"', entrypoint: 'a/p', want: [['user', 'role']] },
  {
    note: 'nested prefixes merge into the shortest',
    rego: 'package a\np if {\n\tinput.a.b.c\n\tinput.a.b\n\tinput.a.b.d\n}',
    entrypoint: 'a/p',
    want: [['a', 'b']],
  },
  {
    note: 'sorted and deduplicated',
    rego: 'package a\np if {\n\tinput.z\n\tinput.b.y\n\tinput.b.y\n\tinput.b.x\n}',
    entrypoint: 'a/p',
    want: [['b', 'x'], ['b', 'y'], ['z']],
  },
  {
    note: 'a variable key reads the object',
    rego: 'package a\np if {\n\tsome k\n\tinput.statement[k].x == 1\n}',
    entrypoint: 'a/p',
    want: [['statement']],
  },
  { note: 'a number key reads the array', rego: 'package a\np if input.args[0].x == 1', entrypoint: 'a/p', want: [['args']] },
  { note: 'bare input passed to a builtin is the root', rego: 'package a\np := object.get(input, "a", 0)', entrypoint: 'a/p', want: [[]] },
  { note: 'bare input compared is the root', rego: 'package a\np if {\n\tinput.a\n\tinput == {}\n}', entrypoint: 'a/p', want: [[]] },
  {
    note: 'walk(input) is the root',
    rego: 'package a\np contains x if walk(input, [x, _])',
    entrypoint: 'a/p',
    want: [[]],
  },
  { note: 'bare input in an array term is the root', rego: 'package a\np := [input][0].a', entrypoint: 'a/p', want: [[]] },
  {
    note: 'an import alias is resolved to its input path',
    rego: 'package a\nimport input.statement as st\np if st.kind == "select"',
    entrypoint: 'a/p',
    want: [['statement', 'kind']],
  },
  {
    note: 'an import without alias is resolved too',
    rego: 'package a\nimport input.user\np := user.name',
    entrypoint: 'a/p',
    want: [['user', 'name']],
  },
  {
    note: 'a function taking input.x as its argument',
    rego: 'package a\nf(x) := x.y\np := f(input.a)',
    entrypoint: 'a/p',
    want: [['a']],
  },
  {
    note: 'a function reading input itself, in another package',
    rego: ['package a\nimport data.lib\np if lib.f(input.x)', 'package lib\nf(v) if v == input.y'],
    entrypoint: 'a/p',
    want: [['x'], ['y']],
  },
  {
    note: 'rules reachable only through a package ref',
    rego: ['package a\np := data.b', 'package b\nq := input.q\nr := input.r'],
    entrypoint: 'a/p',
    want: [['q'], ['r']],
  },
  {
    note: 'a ref with a variable key reaches every rule under its prefix',
    rego: ['package a\np := [v | some k; v := data.b[k]]', 'package b\nq := input.q\nr := input.r', 'package c\ns := input.s'],
    entrypoint: 'a/p',
    want: [['q'], ['r']],
  },
  {
    note: 'a ref into a rule value reaches the rule',
    rego: ['package a\np := data.b.q.x', 'package b\nq := {"x": input.q}'],
    entrypoint: 'a/p',
    want: [['q']],
  },
  {
    note: "another entrypoint's rules are not counted",
    rego: 'package a\np := input.a\nq := input.b',
    entrypoint: 'a/p',
    want: [['a']],
  },
  {
    note: 'an entrypoint naming a package reads every rule under it',
    rego: ['package a\np := input.a\nq := input.b', 'package a.sub\nr := input.c', 'package z\ns := input.d'],
    entrypoint: 'a',
    want: [['a'], ['b'], ['c']],
  },
  {
    note: 'some x in input.a.b',
    rego: 'package a\np if {\n\tsome x in input.a.b\n\tx == 1\n}',
    entrypoint: 'a/p',
    want: [['a', 'b']],
  },
  {
    note: 'every domain and body',
    rego: 'package a\np if {\n\tevery x in input.xs {\n\t\tx > input.min\n\t}\n}',
    entrypoint: 'a/p',
    want: [['min'], ['xs']],
  },
  {
    note: 'comprehension bodies and heads',
    rego: 'package a\np := {x: input.v | some x in input.s; x != input.t}',
    entrypoint: 'a/p',
    want: [['s'], ['t'], ['v']],
  },
  {
    note: 'with input as {...}: the target is not a read, the value and the rules under it are',
    rego: 'package a\np if {\n\tq with input as {"a": input.b}\n}\nq if input.a',
    entrypoint: 'a/p',
    want: [['a'], ['b']],
  },
  {
    note: 'with input.a as input.c',
    rego: 'package a\np if {\n\tq with input.a as input.c\n}\nq if input.a.x',
    entrypoint: 'a/p',
    want: [['a', 'x'], ['c']],
  },
  {
    note: 'with data.x as v still reaches the overridden rule',
    rego: 'package a\np if {\n\tq with data.a.r as 1\n}\nq if r == 1\nr := input.r',
    entrypoint: 'a/p',
    want: [['r']],
  },
  {
    note: 'else branches',
    rego: 'package a\np := 1 if input.a\nelse := input.c if input.b',
    entrypoint: 'a/p',
    want: [['a'], ['b'], ['c']],
  },
  {
    note: 'default rules and the rules beside them',
    rego: 'package a\ndefault p := false\np if input.a',
    entrypoint: 'a/p',
    want: [['a']],
  },
  {
    note: 'a partial object rule with a key read from input',
    rego: 'package a\np[input.k] := input.v',
    entrypoint: 'a/p',
    want: [['k'], ['v']],
  },
  { note: 'no input at all', rego: 'package a\np := data.x', entrypoint: 'a/p', want: [] },
  {
    note: 'time.now_ns reachable',
    rego: 'package a\np if {\n\tinput.a\n\tq\n}\nq if time.now_ns() > 0',
    entrypoint: 'a/p',
    unbounded: /^calls time\.now_ns, which is not deterministic \(a\.rego:6:6\)$/,
  },
  {
    note: 'rand.intn reachable through a function',
    rego: 'package a\nf(n) := rand.intn("k", n)\np := f(input.n)',
    entrypoint: 'a/p',
    unbounded: /^calls rand\.intn/,
  },
  {
    note: 'print reachable',
    rego: 'package a\np if {\n\tprint(input.a)\n}',
    entrypoint: 'a/p',
    unbounded: /^calls print, whose output is an effect/,
  },
  {
    note: 'time.now_ns in an unreachable rule',
    rego: 'package a\np := input.a\nq if time.now_ns() > 0\nr if print("x")',
    entrypoint: 'a/p',
    want: [['a']],
  },
  {
    note: 'a declared host builtin',
    rego: 'package a\np := my.lookup(input.x)',
    entrypoint: 'a/p',
    hostBuiltins: { 'my.lookup': { arity: 1 } },
    unbounded: /^calls my\.lookup, which the host supplies/,
  },
  {
    note: 'a loader builtin is ours (yaml.marshal is deterministic)',
    rego: 'package a\np := yaml.marshal(input.x)',
    entrypoint: 'a/p',
    want: [['x']],
  },
  {
    note: 'a loader builtin the compilation declares as host-supplied is not',
    rego: 'package a\np := yaml.marshal(input.x)',
    entrypoint: 'a/p',
    hostBuiltins: { 'yaml.marshal': { arity: 1 } },
    unbounded: /^calls yaml\.marshal, which the host supplies/,
  },
  {
    note: 'a builtin named as a with value counts as called',
    rego: 'package a\nf(x) := x\np := y if {\n\ty := f(input.a) with f as uuid.rfc4122\n}',
    entrypoint: 'a/p',
    unbounded: /^calls uuid\.rfc4122/,
  },
];

function sources(rego: string | string[]) {
  const texts = Array.isArray(rego) ? rego : [rego];
  return texts.map((text, i) => ({ name: `${String.fromCharCode(97 + i)}.rego`, text }));
}

function compiled(files: { name: string; text: string }[], entrypoints: string[], hostBuiltins?: Case['hostBuiltins']): CompileResult {
  const r = compile({ files, entrypoints, ...(hostBuiltins ? { hostBuiltins } : {}) });
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  expect(errors.map(formatDiagnostic)).toEqual([]);
  return r;
}

describe('minimalPaths', () => {
  it.each([
    { note: 'empty', paths: [], want: [] },
    { note: 'the root absorbs everything', paths: [['a'], [], ['b', 'c']], want: [[]] },
    {
      note: 'element-wise order, prefixes kept',
      paths: [['ab'], ['a', 'b'], ['a'], ['a', 'c'], ['b']],
      want: [['a'], ['ab'], ['b']],
    },
    {
      note: 'siblings stay apart',
      paths: [
        ['a', 'c'],
        ['a', 'b', 'x'],
        ['a', 'b'],
      ],
      want: [
        ['a', 'b'],
        ['a', 'c'],
      ],
    },
  ])('$note', ({ paths, want }) => {
    expect(minimalPaths(paths)).toEqual(want);
  });
});

describe('inputReads', () => {
  it.each(cases)('$note', ({ rego, entrypoint, hostBuiltins, want, unbounded }) => {
    const r = compiled(sources(rego), [entrypoint], hostBuiltins);
    const got = r.inputReads?.[entrypoint];
    if (unbounded) {
      expect(got?.kind).toBe('unbounded');
      expect(got?.kind === 'unbounded' ? got.reason : '').toMatch(unbounded);
    } else {
      expect(got).toEqual({ kind: 'paths', paths: want });
    }
    // The direct call on the checked program agrees with what compile returned.
    expect(inputReads(r.program as NonNullable<CompileResult['program']>, entrypoint, hostBuiltins ? { hostBuiltins } : {})).toEqual(got);
  });

  it('works on the checked program, where an import alias is already an input ref', () => {
    const r = compile({ files: sources('package a\nimport input.statement as st\np if st.kind'), stopAfter: 'check' });
    expect(r.program && inputReads(r.program, 'a/p')).toEqual({ kind: 'paths', paths: [['statement', 'kind']] });
  });

  it('reports one entry per entrypoint, by its pkg/rule name', () => {
    const r = compiled(sources('package a\np := input.a\nq := input.b'), ['data.a.p', 'a/q']);
    expect(r.inputReads).toEqual({
      'a/p': { kind: 'paths', paths: [['a']] },
      'a/q': { kind: 'paths', paths: [['b']] },
    });
  });
});

const policiesDir = fileURLToPath(new URL('../../policies', import.meta.url));

function regoFiles(dir: string): { name: string; text: string }[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const p = join(dir, n);
      if (statSync(p).isDirectory()) return regoFiles(p);
      return p.endsWith('.rego') && !p.endsWith('_test.rego') ? [{ name: p, text: readFileSync(p, 'utf8') }] : [];
    });
}

/** DECISION_READS is what portcullis/decision reads, found by reading policies/portcullis (rules/, lib/identity.rego). */
const DECISION_READS = [
  // lib/identity.rego: roles (roles, scope, scp), name (sub)
  ['identity', 'roles'],
  ['identity', 'scope'],
  ['identity', 'scp'],
  ['identity', 'sub'],
  // rules/pii.rego masked_use
  ['statement', 'columns', 'uses'],
  // sprintf reasons, production approvals
  ['statement', 'command'],
  // destructive_ddl (cascade, destructive), read_only writes/what, escape_hatches, where_clause
  ['statement', 'flags', 'cascade'],
  ['statement', 'flags', 'copy_from_stdin'],
  ['statement', 'flags', 'copy_program'],
  ['statement', 'flags', 'copy_server_file'],
  ['statement', 'flags', 'data_modifying_cte'],
  ['statement', 'flags', 'ddl'],
  ['statement', 'flags', 'delete_without_where'],
  ['statement', 'flags', 'destructive'],
  ['statement', 'flags', 'dynamic_sql'],
  ['statement', 'flags', 'for_update'],
  ['statement', 'flags', 'into'],
  ['statement', 'flags', 'session_authorization'],
  ['statement', 'flags', 'set_role'],
  ['statement', 'flags', 'update_without_where'],
  // access, identity.allowing, destructive, read_only writes, escape_hatches switches_role
  ['statement', 'kind'],
  // rules/functions.rego
  ['statement', 'routines'],
  // statistics, pii statement_tables; read_only, destructive_ddl, where_clause, production
  ['statement', 'tables', 'read'],
  ['statement', 'tables', 'written'],
];

describe('the shipped policy', () => {
  it('portcullis/decision reads exactly the paths its rules name', () => {
    const r = compiled(regoFiles(policiesDir), ['portcullis/decision']);
    expect(r.inputReads?.['portcullis/decision']).toEqual({ kind: 'paths', paths: DECISION_READS });
  });
});

// --- soundness: a seeded random search for an input change outside the paths that changes a decision

/** rng is mulberry32: a small seeded generator, so a failure reproduces. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
/**
 * Gen draws random inputs: objects over the key vocabulary, or, with a `shape` (parent path →
 * child keys), objects that mostly follow it, so a large policy sees inputs of its own form.
 */
type Gen = { rand: () => number; keys: readonly string[]; pool: readonly Json[]; shape?: ReadonlyMap<string, readonly string[]> };

function pick<T>(g: Gen, xs: readonly T[]): T {
  return xs[Math.floor(g.rand() * xs.length)] as T;
}

function randomValue(g: Gen, depth: number, at: readonly string[] = []): Json {
  const r = g.rand();
  const shaped = g.shape?.has(at.join('.')) === true;
  if (shaped && r < 0.8 && depth > 0) return randomObject(g, depth - 1, at);
  if (depth <= 0 || r < 0.55) return pick(g, g.pool);
  if (r < 0.7) return Array.from({ length: Math.floor(g.rand() * 4) }, () => randomValue(g, depth - 1));
  return randomObject(g, depth - 1, at);
}

function randomObject(g: Gen, depth: number, at: readonly string[] = []): { [k: string]: Json } {
  const out: { [k: string]: Json } = {};
  const keys = g.shape ? [...(g.shape.get(at.join('.')) ?? []), 'other'] : g.keys;
  for (const k of keys) if (g.rand() < (g.shape ? 0.6 : 0.45)) out[k] = randomValue(g, depth, [...at, k]);
  return out;
}

/** shapeOf maps each proper prefix (dotted) of `paths` to the keys that follow it. */
function shapeOf(paths: readonly (readonly string[])[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const p of paths) {
    for (let i = 0; i < p.length; i++) {
      const at = p.slice(0, i).join('.');
      const keys = out.get(at) ?? [];
      if (!keys.includes(p[i] as string)) keys.push(p[i] as string);
      out.set(at, keys);
    }
  }
  return out;
}

/** setAt returns a copy of `v` with `path` set to `x`, turning non-objects on the way into objects. */
function setAt(v: Json, path: readonly string[], x: Json): Json {
  if (path.length === 0) return x;
  const [k, ...rest] = path as [string, ...string[]];
  const obj = v !== null && typeof v === 'object' && !Array.isArray(v) ? { ...v } : {};
  obj[k] = setAt(obj[k] ?? null, rest, x);
  return obj;
}

const related = (p: readonly string[], q: readonly string[]) => {
  const n = Math.min(p.length, q.length);
  return p.slice(0, n).every((s, i) => s === q[i]);
};

function outcome(policy: PolicyInstance, input: Json, entrypoint: string): string {
  try {
    return JSON.stringify(policy.evaluate(input, entrypoint));
  } catch (e) {
    return `error: ${(e as Error).message}`;
  }
}

/**
 * nearPaths are the paths a missed read would show up under: every vocabulary key at the top, and
 * every prefix of a reported path extended by a vocabulary key. For any input path Q outside the
 * reported ones, one of these (when Q's next key is in the vocabulary) is unrelated to every
 * reported path and is Q or above it, so changing it changes Q.
 */
function nearPaths(paths: readonly (readonly string[])[], keys: readonly string[]): string[][] {
  const out = new Map<string, string[]>();
  const add = (p: string[]) => out.set(JSON.stringify(p), p);
  for (const k of keys) add([k]);
  for (const p of paths) for (let i = 0; i <= p.length; i++) for (const k of keys) add([...p.slice(0, i), k]);
  return [...out.values()];
}

/**
 * counterexample searches for an input and a change, at one of `candidates` unrelated to every
 * path of `covered` (neither is a prefix of the other), that changes the decision: `trials` random
 * inputs, `perTrial` random changes each.
 */
function counterexample(
  policy: PolicyInstance,
  entrypoint: string,
  covered: readonly (readonly string[])[],
  candidates: readonly (readonly string[])[],
  g: Gen,
  trials: number,
  perTrial: number,
): { input: Json; path: readonly string[]; changed: Json } | undefined {
  const free = candidates.filter((c) => !covered.some((p) => related(p, c)));
  if (free.length === 0) return undefined;
  for (let t = 0; t < trials; t++) {
    const input = randomObject(g, 3);
    const before = outcome(policy, input, entrypoint);
    for (let i = 0; i < perTrial; i++) {
      const path = pick(g, free);
      const changed = setAt(input, path, randomValue(g, 2));
      if (outcome(policy, changed, entrypoint) !== before) return { input, path, changed };
    }
  }
  return undefined;
}

/**
 * Prop is one policy for the property. `caught`: how many of its paths, each left out of the
 * covered set in turn, the search must show a decision depends on (the seed is fixed); `trials`:
 * random inputs per left-out path (and three times as many for the search itself).
 */
type Prop = {
  note: string;
  shape?: readonly (readonly string[])[];
  rego: string | string[];
  entrypoint: string;
  keys: string[];
  pool: Json[];
  data?: Json;
  caught: number;
  trials: number;
};

const SMALL_POOL: Json[] = [null, true, false, 0, 1, 'a', 'b'];
const props: Prop[] = [
  {
    note: 'direct refs',
    rego: 'package t\np := [input.user.role, input.kind]',
    entrypoint: 't/p',
    keys: ['user', 'role', 'kind', 'x'],
    pool: SMALL_POOL,
    caught: 2,
    trials: 60,
  },
  {
    note: 'functions and packages',
    rego: [
      'package t\nimport data.lib\np if lib.ok(input.x)\np if data.u.flag',
      'package lib\nok(v) if v == input.y',
      'package u\nflag if input.z.w == true',
    ],
    entrypoint: 't/p',
    keys: ['x', 'y', 'z', 'w', 'v'],
    pool: SMALL_POOL,
    caught: 3,
    trials: 60,
  },
  {
    note: 'iteration with a variable key',
    rego: 'package t\np := {k | some k, v in input.m; v != input.skip}',
    entrypoint: 't/p',
    keys: ['m', 'skip', 'a', 'b'],
    pool: SMALL_POOL,
    caught: 2,
    trials: 60,
  },
  {
    note: 'with input.a as input.c',
    rego: 'package t\np := x if {\n\tx := q with input.a as input.c\n}\nq := [input.a, input.b]',
    entrypoint: 't/p',
    keys: ['a', 'b', 'c', 'd'],
    pool: SMALL_POOL,
    // input.a is replaced by input.c before q reads it: the analysis over-approximates there.
    caught: 2,
    trials: 60,
  },
];

describe('soundness on random inputs', () => {
  const shipped: Prop = {
    note: 'the shipped decision',
    rego: [],
    entrypoint: 'portcullis/decision',
    keys: [...new Set([...DECISION_READS.flat(), 'approver', 'session', 'other'])],
    pool: [
      null,
      true,
      false,
      1,
      'x',
      'db:read',
      'db:write',
      'db:admin',
      'pii:read',
      'select',
      'insert',
      'drop',
      'public.customers',
      'public.orders',
    ],
    data: JSON.parse(readFileSync(join(policiesDir, 'data.json'), 'utf8')) as Json,
    shape: [...DECISION_READS, ['approver', 'sub'], ['statement', 'flags', 'other'], ['session', 'id']],
    caught: 12,
    trials: 80,
  };

  it.each([...props, shipped])(
    '$note',
    { timeout: 60_000 },
    async ({ note, rego, entrypoint, keys, pool, data, shape, caught, trials }) => {
      const files = note === shipped.note ? regoFiles(policiesDir) : sources(rego);
      const r = compiled(files, [entrypoint]);
      const reads = r.inputReads?.[entrypoint] as InputReads;
      expect(reads.kind).toBe('paths');
      const paths = reads.kind === 'paths' ? reads.paths : [];
      const policy = await loadPolicy(r.wasm as Uint8Array);
      if (data !== undefined) policy.setData(data);
      const g: Gen = { rand: rng(0x5eed), keys, pool, ...(shape ? { shape: shapeOf(shape) } : {}) };

      // Changing input outside the reported paths never changes the decision.
      expect(counterexample(policy, entrypoint, paths, nearPaths(paths, keys), g, trials * 3, 6)).toBeUndefined();

      // The search has teeth: had the analysis missed one of the paths, changing it would have
      // changed a decision (and nearPaths would have offered it).
      const found = paths.filter(
        (p) =>
          counterexample(
            policy,
            entrypoint,
            paths.filter((q) => q !== p),
            [p],
            g,
            trials,
            1,
          ) !== undefined,
      );
      expect(found.length).toBeGreaterThanOrEqual(caught);
    },
  );
});
