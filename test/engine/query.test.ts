import { loadPolicy } from '@open-policy-agent/opa-wasm';
import { describe, expect, it } from 'vitest';
import { compile } from '../../engine/compile.js';
import { buildQueryModule, QUERY_FILE, QUERY_FIRST_ROW } from '../../engine/query.js';
import { parse } from '../../engine/parser/index.js';

const ok = (query: string, opts?: Parameters<typeof buildQueryModule>[1]) => {
  const q = buildQueryModule(query, opts);
  if (!q.ok) throw new Error(`unexpected diagnostics: ${JSON.stringify(q.diagnostics)}`);
  return q;
};

const varCases: { note: string; query: string; vars: string[] }[] = [
  { note: 'the common form', query: 'data.test.p = x', vars: ['x'] },
  { note: 'variable on the left', query: 'x = data.test.p', vars: ['x'] },
  { note: 'first-appearance order across exprs', query: 'y := 1; x := y + 1; z := [x, y]', vars: ['y', 'x', 'z'] },
  { note: 'newline-separated multi-line query', query: 'a := 1\nb := a\n', vars: ['a', 'b'] },
  { note: 'wildcards are excluded', query: 'data.test.p[_] = x', vars: ['x'] },
  { note: 'input and data are not variables', query: 'data.x.p = input', vars: [] },
  { note: 'function call as the whole query', query: 'data.p.f(1)', vars: [] },
  { note: 'function call with output', query: 'data.generated.p(1) = x', vars: ['x'] },
  { note: 'constant ref keys', query: 'data.test.p[{"a": "b"}] = x', vars: ['x'] },
  { note: 'ref with variable key', query: 'data.test.p[k] = v', vars: ['k', 'v'] },
  { note: 'comprehension locals are excluded', query: 'xs := [y | y := [1, 2][_]]', vars: ['xs'] },
  { note: 'some declarations count', query: 'some i; data.a.p[i] = v', vars: ['i', 'v'] },
  { note: 'some-in key and value', query: 'some k, v in {"a": 1}', vars: ['k', 'v'] },
  { note: 'every locals are excluded', query: 'every e in [1] { e > 0 }', vars: [] },
  { note: 'negated expression', query: 'x := 1; not data.a.p[x]', vars: ['x'] },
  { note: 'with value variables', query: 'v := 1; data.a.p = x with input.y as v', vars: ['v', 'x'] },
];

describe('buildQueryModule vars', () => {
  it.each(varCases)('$note', ({ query, vars }) => {
    expect(ok(query).vars).toEqual(vars);
  });
});

describe('buildQueryModule module text', () => {
  it.each([
    {
      note: 'row object of the vars',
      query: 'data.a.p = x; y := 2',
      has: ['package __query__\n__rows__ contains {"x": x, "y": y} if {\ndata.a.p = x; y := 2\n}'],
    },
    {
      note: 'variable-free query yields one empty row',
      query: 'data.x.p = input',
      has: ['__rows__ contains {} if {\ndata.x.p = input\n}'],
    },
    {
      note: 'input term wraps the rows in with',
      query: 'data.a.p = x',
      opts: { inputTerm: '{"foo": {{1}}}' },
      has: ['__all__ contains {"x": x} if {\ndata.a.p = x\n}', '__rows__ := __r__ if {', '__r__ := __all__ with input as {"foo": {{1}}}'],
    },
    { note: 'package name option', query: 'x := 1', opts: { packageName: 'q1' }, has: ['package q1\n'] },
  ])('$note', ({ query, opts, has }) => {
    const q = ok(query, opts);
    expect(q.file.name).toBe(QUERY_FILE);
    for (const h of has) expect(q.file.text).toContain(h);
    expect(q.file.text.split('\n')[QUERY_FIRST_ROW - 1]).toBe(query.split('\n')[0]);
  });

  it.each([
    { note: 'default entrypoint', opts: {}, want: '__query__/__rows__' },
    { note: 'custom package entrypoint', opts: { packageName: 'q1' }, want: 'q1/__rows__' },
  ])('$note', ({ opts, want }) => {
    expect(ok('x := 1', opts).entrypoint).toBe(want);
  });

  it.each([
    { note: 'plain', query: 'data.a.p = x', opts: {} },
    { note: 'multi-line with semicolons', query: 'x := 1;\ny := [x,\n  2]\nz := y[0]', opts: {} },
    { note: 'variable-free', query: 'data.a.p', opts: {} },
    { note: 'with input term', query: 'data.a.p = x', opts: { inputTerm: '{"a": {1, 2}, "b": set()}' } },
    { note: 'scalar input term', query: 'input = x', opts: { inputTerm: '1.0' } },
  ])('generated module parses cleanly: $note', ({ query, opts }) => {
    const q = ok(query, opts);
    const r = parse(q.file, { regoVersion: 'v1' });
    expect(r.diagnostics).toEqual([]);
    expect(r.value?.package.path).toEqual(['__query__']);
  });
});

describe('buildQueryModule errors', () => {
  it.each([
    { note: 'syntax error in the query', query: 'x := ', opts: {} },
    { note: 'syntax error on a later line', query: 'x := 1\ny := }', opts: {} },
    { note: 'empty query', query: '   ', opts: {} },
    { note: 'bad input term', query: 'x := input', opts: { inputTerm: '{"a": ' } },
  ])('$note', ({ query, opts }) => {
    const q = buildQueryModule(query, opts);
    expect(q.ok).toBe(false);
    if (q.ok) return;
    expect(q.diagnostics.length).toBeGreaterThan(0);
    for (const d of q.diagnostics) expect(d.code).toBe('rego_parse_error');
  });

  it('reports query errors in query.rego coordinates', () => {
    const q = buildQueryModule('x := 1\ny := }');
    expect(q.ok).toBe(false);
    if (q.ok) return;
    expect(q.diagnostics[0]?.location.file).toBe(QUERY_FILE);
    expect(q.diagnostics[0]?.location.row).toBe(QUERY_FIRST_ROW + 1);
  });
});

// End to end: the query module through the real pipeline and the official SDK.
describe('buildQueryModule through compile and the SDK', () => {
  const policy = 'package a\np := 1\nq contains v if some v in [1, 2]\nr := input.v\n';
  it.each([
    { note: 'binding rows', query: 'data.a.p = x', want: [{ x: 1 }] },
    { note: 'one row per solution', query: 'data.a.q[v]', want: [{ v: 1 }, { v: 2 }] },
    { note: 'variable-free success is one empty row', query: 'data.a.p = 1', want: [{}] },
    { note: 'undefined query has no rows', query: 'data.a.p = 2', want: [] },
    { note: 'input term is applied', query: 'data.a.r = b', inputTerm: `{"v": {1}}`, want: [{ b: [1] }] },
    { note: 'input term scalar', query: 'x = input', inputTerm: '1.0', want: [{ x: 1 }] },
    { note: 'no input leaves input undefined', query: 'data.a.r = b', want: [] },
  ])('$note', async ({ query, inputTerm, want }) => {
    const q = ok(query, inputTerm === undefined ? {} : { inputTerm });
    const r = compile({ files: [{ name: 'a.rego', text: policy }, q.file], entrypoints: [q.entrypoint] });
    expect(r.diagnostics).toEqual([]);
    const loaded = await loadPolicy(r.wasm as Uint8Array);
    const rs = loaded.evaluate(undefined, q.entrypoint) as { result: unknown[] }[];
    expect(rs).toHaveLength(1);
    expect(rs[0]?.result).toEqual(expect.arrayContaining(want));
    expect(rs[0]?.result).toHaveLength(want.length);
  });
});
