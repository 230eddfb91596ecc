// Tests for engine/runtime/as/json-dump.ts and number-format.ts through the built runtime: sorted
// objects and sets, non-string keys, string escaping and number text (literal, integer, float).

import { beforeAll, describe, expect, it } from 'vitest';
import { floatNumber, loadRuntime, objectOf, setOf, type Runtime } from './runtime-harness.js';

let r: Runtime;
beforeAll(() => {
  r = loadRuntime();
});

describe('opa_json_dump', () => {
  const sets: { note: string; items: string; want: string }[] = [
    { note: 'empty set', items: '[]', want: '[]' },
    { note: 'numbers sorted and unique', items: '[3, 1, 2, 1, 3]', want: '[1,2,3]' },
    { note: 'mixed types in type order', items: '["a", {}, [], 1, null, true, false]', want: '[null,false,true,1,"a",[],{}]' },
    { note: '1 and 1.0 are one element', items: '[1, 1.0]', want: '[1]' },
    { note: 'strings by bytes', items: '["b", "B", "ab", "a", ""]', want: '["","B","a","ab","b"]' },
    { note: 'arrays element-wise then length', items: '[[1,2], [1], [0,5], [1,1,1]]', want: '[[0,5],[1],[1,1,1],[1,2]]' },
  ];
  it.each(sets)('set: $note', ({ items, want }) => {
    expect(r.dump(setOf(r, items))).toBe(want);
  });

  it('dumps a set nested in an object and a set of sets', () => {
    const inner = setOf(r, '["y", "x"]');
    const outer = r.x.rt_make_set!();
    r.x.rt_set_add!(outer, inner);
    r.x.rt_set_add!(outer, setOf(r, '[]'));
    const o = r.x.rt_make_object!();
    r.x.rt_object_insert!(o, r.str('s'), outer);
    expect(r.dump(o)).toBe('{"s":[[],["x","y"]]}');
  });

  const objects: { note: string; pairs: string; want: string }[] = [
    { note: 'string keys sorted', pairs: '[["b", 1], ["a", 2]]', want: '{"a":2,"b":1}' },
    { note: 'number key as string', pairs: '[[1, 2]]', want: '{"1":2}' },
    {
      note: 'non-string keys in type order',
      pairs: '[["s", 1], [2, 2], [null, 3], [true, 4], [[1], 5]]',
      want: '{"null":3,"true":4,"2":2,"s":1,"[1]":5}',
    },
    { note: 'string-like key escaped', pairs: '[[["a"], 1]]', want: '{"[\\"a\\"]":1}' },
    { note: 'replace keeps one key', pairs: '[["k", 1], ["k", 2]]', want: '{"k":2}' },
  ];
  it.each(objects)('object: $note', ({ pairs, want }) => {
    expect(r.dump(objectOf(r, pairs))).toBe(want);
  });

  const strings: { note: string; text: string; want: string }[] = [
    { note: 'quote and backslash', text: 'a"b\\c', want: '"a\\"b\\\\c"' },
    { note: 'short escapes', text: '\b\f\n\r\t', want: '"\\b\\f\\n\\r\\t"' },
    { note: 'other control chars', text: '\u0000\u0001\u001f', want: '"\\u0000\\u0001\\u001f"' },
    { note: 'DEL and non-ASCII pass through', text: '\u007fé中😀', want: '"\u007fé中😀"' },
    { note: 'slash not escaped', text: '/', want: '"/"' },
  ];
  it.each(strings)('string: $note', ({ text, want }) => {
    expect(r.dump(r.str(text))).toBe(want);
  });

  it('dumps undefined (0) as null', () => {
    expect(r.dump(0)).toBe('null');
  });
});

describe('number text', () => {
  const ints: { note: string; i: number; want: string }[] = [
    { note: 'zero', i: 0, want: '0' },
    { note: 'positive', i: 42, want: '42' },
    { note: 'negative', i: -7, want: '-7' },
    { note: 'i32 max', i: 2147483647, want: '2147483647' },
    { note: 'i32 min', i: -2147483648, want: '-2147483648' },
  ];
  it.each(ints)('rt_number_int: $note', ({ i, want }) => {
    expect(r.dump(r.x.rt_number_int!(i))).toBe(want);
  });

  const floats: { note: string; f: number; want: string }[] = [
    { note: 'negative zero', f: -0, want: '0' },
    { note: 'tenth', f: 0.1, want: '0.1' },
    { note: 'sum rounding', f: 0.1 + 0.2, want: '0.30000000000000004' },
    { note: 'third', f: 1 / 3, want: '0.3333333333333333' },
    { note: 'integral float', f: 5, want: '5' },
    { note: 'large integral', f: 1e20, want: '100000000000000000000' },
    { note: 'big integer beyond 2^53 (shortest digits)', f: 2 ** 60, want: '1152921504606847000' },
    { note: '1e21 uses exponent', f: 1e21, want: '1e+21' },
    { note: 'small uses exponent', f: 1.5e-7, want: '1.5e-7' },
    { note: 'small without exponent', f: 0.000001, want: '0.000001' },
    { note: 'negative float', f: -2.5, want: '-2.5' },
    { note: 'min subnormal', f: 5e-324, want: '5e-324' },
    { note: 'max', f: Number.MAX_VALUE, want: '1.7976931348623157e+308' },
    { note: 'NaN', f: NaN, want: 'null' },
    { note: 'Infinity', f: Infinity, want: 'null' },
  ];
  it.each(floats)('float: $note', ({ f, want }) => {
    expect(r.dump(floatNumber(r, f))).toBe(want);
  });

  it('prints random floats exactly like JS String()', () => {
    const base = r.x.rt_heap_get!();
    const view = new DataView(new ArrayBuffer(8));
    let seed = 12345;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    for (let i = 0; i < 3000; i++) {
      r.x.rt_heap_set!(base);
      view.setUint32(0, next());
      view.setUint32(4, next());
      const f = view.getFloat64(0);
      if (!Number.isFinite(f)) continue;
      const text = r.dump(floatNumber(r, f));
      expect(text).toBe(String(f));
      expect(text).toMatch(/^-?\d+(\.\d+)?(e[+-]\d+)?$/);
    }
  });
});
