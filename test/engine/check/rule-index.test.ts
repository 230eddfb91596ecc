// Tests for the collectRules stage: rule classification and conflicts at one path.
import { describe, expect, it } from 'vitest';
import { checkSources } from './helpers.js';

type KindCase = { note: string; src: string; want: { kind: string; path: string; tail: string[]; arity?: number }[] };

const kinds: KindCase[] = [
  { note: 'complete', src: 'package a.b\np := 1\n', want: [{ kind: 'complete', path: 'data.a.b.p', tail: [] }] },
  { note: 'ref head complete', src: 'package a\np.q.r := 1\n', want: [{ kind: 'complete', path: 'data.a.p.q.r', tail: [] }] },
  { note: 'multi', src: 'package a\np contains 1\n', want: [{ kind: 'multi', path: 'data.a.p', tail: [] }] },
  {
    note: 'partial object',
    src: 'package a\np.q[x].r := 1 if x := "k"\n',
    want: [{ kind: 'partialObject', path: 'data.a.p.q', tail: ['x', '"r"'] }],
  },
  {
    note: 'v1 p[x] if is a partial object',
    src: 'package a\np[x] if x := 1\n',
    want: [{ kind: 'partialObject', path: 'data.a.p', tail: ['x'] }],
  },
  { note: 'function', src: 'package a\nf(x, y) := x\n', want: [{ kind: 'function', path: 'data.a.f', tail: [], arity: 2 }] },
];

type DiagCase = { note: string; src: string; diags: string[] };

const conflicts: DiagCase[] = [
  { note: 'complete and multi', src: 'package a\np := 1\np contains 2\n', diags: ['rego_type_error 2:1 conflicting rules data.a.p found'] },
  {
    note: 'complete and partial object',
    src: 'package a\np := 1\np[x] := 2 if x := 1\n',
    diags: ['rego_type_error 2:1 conflicting rules data.a.p found'],
  },
  {
    note: 'function arities',
    src: 'package a\nf(x) := 1\nf(x, y) := 2\n',
    diags: ['rego_type_error 2:1 conflicting rules data.a.f found'],
  },
  {
    note: 'multiple defaults',
    src: 'package a\ndefault p := 1\ndefault p := 2\n',
    diags: ['rego_type_error 1:1 multiple default rules data.a.p found at test-0.rego:2, test-0.rego:3'],
  },
  {
    note: 'complete rule over other rules',
    src: 'package a\np := 1\np.q := 2\n',
    diags: ['rego_type_error 2:1 rule data.a.p conflicts with [data.a.p.q]'],
  },
  {
    note: 'compatible partial objects and functions',
    src: 'package a\np[x] := 1 if x := "a"\np.q[y] := 2 if y := "b"\nf(x) := 1\nf(y) := 2\n',
    diags: [],
  },
];

describe('collectRules', () => {
  it.each(kinds)('$note', (c) => {
    const out = checkSources([c.src], { stopAfter: 'collectRules' });
    const got = out.program.rules.map((r) => ({
      kind: r.kind,
      path: r.path.join('.'),
      tail: r.tail.map((t) => (t.kind === 'var' ? t.name : t.kind === 'string' ? JSON.stringify(t.value) : t.kind)),
      ...(r.arity !== undefined ? { arity: r.arity } : {}),
    }));
    expect(got).toEqual(c.want);
  });
  it.each(conflicts)('conflict: $note', (c) => {
    expect(checkSources([c.src], { stopAfter: 'collectRules' }).diags).toEqual(c.diags);
  });
});
