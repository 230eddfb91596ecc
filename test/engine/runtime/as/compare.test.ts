// Tests for engine/runtime/as/compare.ts through rt_compare/rt_equal: OPA's total order across
// and within types, numeric equality of 1 and 1.0, exact comparison of big literal numbers.

import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime, setOf, type Runtime } from './runtime-harness.js';

let r: Runtime;
beforeAll(() => {
  r = loadRuntime();
});

// Each entry is a JSON text, or `set:<json array>` for a set value.
function value(text: string): number {
  return text.startsWith('set:') ? setOf(r, text.slice(4)) : r.json(text);
}

const cases: { note: string; a: string; b: string; want: -1 | 0 | 1 }[] = [
  { note: 'null = null', a: 'null', b: 'null', want: 0 },
  { note: 'null < false', a: 'null', b: 'false', want: -1 },
  { note: 'false < true', a: 'false', b: 'true', want: -1 },
  { note: 'true < number', a: 'true', b: '-100', want: -1 },
  { note: 'number < string', a: '1e300', b: '""', want: -1 },
  { note: 'string < array', a: '"zzz"', b: '[]', want: -1 },
  { note: 'array < object', a: '[[[]]]', b: '{}', want: -1 },
  { note: 'object < set', a: '{"a":1}', b: 'set:[]', want: -1 },
  { note: 'set > null', a: 'set:[]', b: 'null', want: 1 },
  { note: 'numbers by value', a: '2', b: '10', want: -1 },
  { note: 'negative numbers', a: '-2', b: '-10', want: 1 },
  { note: '1 equals 1.0', a: '1', b: '1.0', want: 0 },
  { note: '100 equals 1e2', a: '100', b: '1e2', want: 0 },
  { note: 'big literals differing past f64 precision', a: '12345678901234567890', b: '12345678901234567891', want: -1 },
  { note: 'big literals equal in another spelling', a: '12345678901234567890', b: '1.234567890123456789e19', want: 0 },
  { note: 'negative big literals', a: '-12345678901234567890', b: '-12345678901234567891', want: 1 },
  { note: 'strings by bytes', a: '"B"', b: '"a"', want: -1 },
  { note: 'prefix string first', a: '"ab"', b: '"abc"', want: -1 },
  { note: 'non-ASCII after ASCII', a: '"z"', b: '"é"', want: -1 },
  { note: 'equal strings', a: '"héllo"', b: '"héllo"', want: 0 },
  { note: 'arrays element-wise', a: '[1, 3]', b: '[2]', want: -1 },
  { note: 'array prefix first', a: '[1, 2]', b: '[1, 2, 0]', want: -1 },
  { note: 'equal arrays', a: '[1, "a", [null]]', b: '[1.0, "a", [null]]', want: 0 },
  { note: 'objects by smallest key first', a: '{"a": 9}', b: '{"b": 0}', want: -1 },
  { note: 'objects by value of same key', a: '{"a": 1}', b: '{"a": 2}', want: -1 },
  { note: 'object with extra key after common prefix', a: '{"a": 1}', b: '{"a": 1, "b": 0}', want: -1 },
  { note: 'objects key order does not matter', a: '{"a": 1, "b": 2}', b: '{"b": 2, "a": 1}', want: 0 },
  { note: 'object key compare before value', a: '{"a": 5, "c": 1}', b: '{"a": 5, "b": 9}', want: 1 },
  { note: 'sets by sorted elements', a: 'set:[3, 1]', b: 'set:[2]', want: -1 },
  { note: 'set prefix first', a: 'set:[1]', b: 'set:[1, 2]', want: -1 },
  { note: 'equal sets built in different order', a: 'set:[1, 2, 3]', b: 'set:[3, 2, 1, 2]', want: 0 },
];

describe('rt_compare / rt_equal', () => {
  it.each(cases)('$note', ({ a, b, want }) => {
    const va = value(a);
    const vb = value(b);
    expect(r.x.rt_compare!(va, vb)).toBe(want);
    expect(r.x.rt_compare!(vb, va)).toBe(want === 0 ? 0 : -want);
    expect(r.x.rt_equal!(va, vb)).toBe(want === 0 ? 1 : 0);
  });

  it('treats undefined as unequal to everything and lowest in order', () => {
    const n = r.json('null');
    expect(r.x.rt_equal!(0, 0)).toBe(0);
    expect(r.x.rt_equal!(n, 0)).toBe(0);
    expect(r.x.rt_compare!(0, n)).toBe(-1);
  });

  it('sorts a shuffled mixed list into the same order as pairwise compare', () => {
    const items = ['set:[1]', '{"a":[1]}', '{"a":1}', '[1,2]', '[1]', '"b"', '"a"', '2.5', '-1', 'true', 'false', 'null'];
    const vals = items.map(value);
    const s = r.x.rt_make_set!();
    for (const v of [...vals].reverse()) r.x.rt_set_add!(s, v);
    expect(r.dump(s)).toBe('[null,false,true,-1,2.5,"a","b",[1],[1,2],{"a":1},{"a":[1]},[1]]');
  });
});
