// Tests for engine/runtime/as/collections.ts through the rt_* exports: rt_dot on arrays, objects
// and sets, sorted unique building, insert_once conflicts, deep merge and copying upsert.

import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime, objectOf, setOf, type Runtime } from './runtime-harness.js';

let r: Runtime;
beforeAll(() => {
  r = loadRuntime();
});

describe('rt_dot', () => {
  const cases: { note: string; src: string; key: string; want: string | undefined }[] = [
    { note: 'array index', src: '["a","b","c"]', key: '1', want: '"b"' },
    { note: 'array index 1.0', src: '["a","b"]', key: '1.0', want: '"b"' },
    { note: 'array index out of range', src: '["a"]', key: '1', want: undefined },
    { note: 'array negative index', src: '["a"]', key: '-1', want: undefined },
    { note: 'array fractional index', src: '["a","b"]', key: '0.5', want: undefined },
    { note: 'array string key', src: '["a"]', key: '"0"', want: undefined },
    { note: 'object key', src: '{"x":1,"y":{"z":2}}', key: '"y"', want: '{"z":2}' },
    { note: 'object missing key', src: '{"x":1}', key: '"q"', want: undefined },
    { note: 'object number key does not match string', src: '{"1":1}', key: '1', want: undefined },
    { note: 'scalar source', src: '"abc"', key: '0', want: undefined },
    { note: 'null source', src: 'null', key: '"a"', want: undefined },
  ];
  it.each(cases)('$note', ({ src, key, want }) => {
    const v = r.x.rt_dot!(r.json(src), r.json(key));
    if (want === undefined) expect(v).toBe(0);
    else expect(r.dump(v)).toBe(want);
  });

  it('finds non-string object keys numerically', () => {
    const o = objectOf(r, '[[1, "one"], [[1, 2], "pair"], [null, "nil"]]');
    expect(r.dump(r.x.rt_dot!(o, r.json('1.0')))).toBe('"one"');
    expect(r.dump(r.x.rt_dot!(o, r.json('[1, 2]')))).toBe('"pair"');
    expect(r.dump(r.x.rt_dot!(o, r.json('null')))).toBe('"nil"');
  });

  it('returns set members themselves and 0 for non-members', () => {
    const s = setOf(r, '[1, "a", [2]]');
    expect(r.dump(r.x.rt_dot!(s, r.json('"a"')))).toBe('"a"');
    expect(r.dump(r.x.rt_dot!(s, r.json('[2]')))).toBe('[2]');
    expect(r.x.rt_dot!(s, r.json('"b"'))).toBe(0);
    expect(r.x.rt_dot!(s, 0)).toBe(0);
  });

  it('looks up every key of a large object built in random order', () => {
    const o = r.x.rt_make_object!();
    const keys = Array.from({ length: 500 }, (_, i) => (i * 7919) % 500);
    for (const k of keys) r.x.rt_object_insert!(o, r.str(`k${k}`), r.x.rt_number_int!(k));
    expect(r.x.rt_count!(o)).toBe(500);
    for (let k = 0; k < 500; k += 37) expect(r.dump(r.x.rt_dot!(o, r.str(`k${k}`)))).toBe(String(k));
    const dumped = JSON.parse(r.dump(o)) as Record<string, number>;
    expect(Object.keys(dumped)).toEqual(Object.keys(dumped).sort());
  });
});

describe('building collections', () => {
  it('rt_set_add keeps sets sorted and unique and ignores undefined', () => {
    const s = r.x.rt_make_set!();
    for (const t of ['3', '1', '"x"', '1.0', '2', '3', '"x"']) r.x.rt_set_add!(s, r.json(t));
    r.x.rt_set_add!(s, 0);
    expect(r.dump(s)).toBe('[1,2,3,"x"]');
    expect(r.x.rt_count!(s)).toBe(4);
  });

  it('rt_array_append keeps order and duplicates, grows past its capacity', () => {
    const a = r.x.rt_make_array!(1);
    for (let i = 0; i < 10; i++) r.x.rt_array_append!(a, r.x.rt_number_int!(i % 3));
    r.x.rt_array_append!(a, 0);
    expect(r.dump(a)).toBe('[0,1,2,0,1,2,0,1,2,0]');
  });

  it('rt_object_insert replaces, rt_object_insert_once detects conflicts', () => {
    const o = r.x.rt_make_object!();
    r.x.rt_object_insert!(o, r.str('a'), r.json('1'));
    r.x.rt_object_insert!(o, r.str('a'), r.json('2'));
    expect(r.dump(o)).toBe('{"a":2}');
    expect(r.x.rt_object_insert_once!(o, r.str('b'), r.json('[1]'))).toBe(1);
    expect(r.x.rt_object_insert_once!(o, r.str('b'), r.json('[1.0]'))).toBe(1);
    expect(r.x.rt_object_insert_once!(o, r.str('b'), r.json('[2]'))).toBe(0);
    expect(r.dump(o)).toBe('{"a":2,"b":[1]}');
  });
});

describe('rt_object_merge', () => {
  const cases: { note: string; a: string; b: string; want: string | undefined }[] = [
    { note: 'disjoint keys', a: '{"a":1}', b: '{"b":2}', want: '{"a":1,"b":2}' },
    { note: 'nested objects merge', a: '{"x":{"a":1}}', b: '{"x":{"b":2}}', want: '{"x":{"a":1,"b":2}}' },
    { note: 'equal scalars ok', a: '{"x":1}', b: '{"x":1.0}', want: '{"x":1}' },
    { note: 'equal arrays ok', a: '{"x":[1]}', b: '{"x":[1]}', want: '{"x":[1]}' },
    { note: 'conflicting scalars', a: '{"x":1}', b: '{"x":2}', want: undefined },
    { note: 'deep conflict', a: '{"x":{"y":{"z":1}}}', b: '{"x":{"y":{"z":"1"}}}', want: undefined },
    { note: 'object vs scalar conflict', a: '{"x":{}}', b: '{"x":1}', want: undefined },
    { note: 'empty objects', a: '{}', b: '{}', want: '{}' },
  ];
  it.each(cases)('$note', ({ a, b, want }) => {
    const va = r.json(a);
    const vb = r.json(b);
    const m = r.x.rt_object_merge!(va, vb);
    if (want === undefined) expect(m).toBe(0);
    else expect(r.dump(m)).toBe(want);
    expect(r.dump(va)).toBe(JSON.stringify(JSON.parse(a)).replace('1.0', '1'));
    expect(r.dump(vb)).toBe(b);
  });
});

describe('rt_upsert', () => {
  const cases: { note: string; doc: string | undefined; path: string; v: string; want: string }[] = [
    { note: 'into undefined doc', doc: undefined, path: '["a","b"]', v: '1', want: '{"a":{"b":1}}' },
    { note: 'adds a sibling', doc: '{"a":{"x":0}}', path: '["a","b"]', v: '1', want: '{"a":{"b":1,"x":0}}' },
    { note: 'replaces a leaf', doc: '{"a":{"b":0}}', path: '["a","b"]', v: '[1]', want: '{"a":{"b":[1]}}' },
    { note: 'replaces a non-object intermediate', doc: '{"a":5}', path: '["a","b"]', v: 'true', want: '{"a":{"b":true}}' },
    { note: 'empty path returns the value', doc: '{"a":1}', path: '[]', v: '"v"', want: '"v"' },
    { note: 'non-string keys', doc: '{}', path: '[1, null]', v: '2', want: '{"1":{"null":2}}' },
  ];
  it.each(cases)('$note', ({ doc, path, v, want }) => {
    const d = doc === undefined ? 0 : r.json(doc);
    const out = r.x.rt_upsert!(d, r.json(path), r.json(v));
    expect(r.dump(out)).toBe(want);
    if (doc !== undefined) expect(r.dump(d)).toBe(doc); // the source is never mutated
  });
});
