// walk(x, [path, value]) is a relation: one solution per node of x, in OPA's order (the node
// before its children; object keys sorted, array indices, set elements), on both hosts.
import { describe, expect, it } from 'vitest';
import { loadPolicy as sdkLoadPolicy } from '@open-policy-agent/opa-wasm';
import { compile, loadPolicy } from '../../engine/index.js';

const doc = { b: [1, { c: 'x' }], a: null };

const cases = [
  {
    note: 'all pairs in order',
    body: 'x := [[p, v] | walk(input, [p, v])]',
    want: [
      [[], doc],
      [['a'], null],
      [['b'], doc.b],
      [['b', 0], 1],
      [['b', 1], { c: 'x' }],
      [['b', 1, 'c'], 'x'],
    ],
  },
  { note: 'paths of strings', body: 'x contains p if { walk(input, [p, v]); is_string(v) }', want: [['b', 1, 'c']] },
  { note: 'a wildcard output counts nodes', body: 'x := count([1 | walk(input, _)])', want: 6 },
  { note: 'a path pattern filters', body: 'x := [v | walk(input, [["b", i], v])]', want: [1, { c: 'x' }] },
  { note: 'walk of a scalar is the scalar', body: 'x := [[p, v] | walk(7, [p, v])]', want: [[[], 7]] },
  { note: 'sets use their elements as keys', body: 'x := [p | walk({"k", "j"}, [p, _])]', want: [[], ['j'], ['k']] },
  { note: 'walk of an undefined value has no solutions', body: 'x := [1 | walk(input.missing, _)]', want: [] },
];

describe('walk', () => {
  it.each(cases)('$note', async ({ body, want }) => {
    const r = compile({ files: [{ name: 't.rego', text: `package t\n${body}\n` }], entrypoints: ['t/x'] });
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const wasm = r.wasm as Uint8Array;
    expect((await loadPolicy(wasm)).evaluate(doc)).toEqual([{ result: want }]);
    expect((await sdkLoadPolicy(wasm)).evaluate(doc)).toEqual([{ result: want }]);
  });
});
