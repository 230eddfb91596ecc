// Tests for engine/runtime/as/rt.ts (and ctx.ts/host.ts behind it): value constructors and
// accessors, result sets, heap pointer control, eval context, host builtin calls and aborts.

import { beforeAll, describe, expect, it } from 'vitest';
import { TAG } from '../../../../engine/abi.js';
import { loadRuntime, setOf, type Runtime } from './runtime-harness.js';

let r: Runtime;
beforeAll(() => {
  r = loadRuntime();
});

describe('rt value helpers', () => {
  const types: { note: string; text: string | undefined; want: number }[] = [
    { note: 'undefined', text: undefined, want: TAG.undefined },
    { note: 'null', text: 'null', want: TAG.null },
    { note: 'boolean', text: 'false', want: TAG.boolean },
    { note: 'number', text: '1.5', want: TAG.number },
    { note: 'string', text: '"s"', want: TAG.string },
    { note: 'array', text: '[]', want: TAG.array },
    { note: 'object', text: '{}', want: TAG.object },
  ];
  it.each(types)('rt_type: $note', ({ text, want }) => {
    expect(r.x.rt_type!(text === undefined ? 0 : r.json(text))).toBe(want);
  });

  it('rt_type of sets, rt_bool, rt_null, rt_abi_version', () => {
    expect(r.x.rt_type!(r.x.rt_make_set!())).toBe(TAG.set);
    expect(r.dump(r.x.rt_bool!(0))).toBe('false');
    expect(r.dump(r.x.rt_bool!(7))).toBe('true');
    expect(r.x.rt_bool!(1)).toBe(r.x.rt_bool!(1));
    expect(r.dump(r.x.rt_null!())).toBe('null');
    expect(r.x.rt_abi_version!()).toBe(1);
  });

  const lens: { note: string; text: string; len: string | undefined; count: number }[] = [
    { note: 'array', text: '[1,2,3]', len: '3', count: 3 },
    { note: 'object', text: '{"a":1,"b":2}', len: '2', count: 2 },
    { note: 'empty array', text: '[]', len: '0', count: 0 },
    { note: 'string counts code points', text: '"né😀"', len: '3', count: 0 },
    { note: 'number', text: '5', len: undefined, count: 0 },
    { note: 'null', text: 'null', len: undefined, count: 0 },
  ];
  it.each(lens)('rt_len / rt_count: $note', ({ text, len, count }) => {
    const v = r.json(text);
    const l = r.x.rt_len!(v);
    if (len === undefined) expect(l).toBe(0);
    else expect(r.dump(l)).toBe(len);
    expect(r.x.rt_count!(v)).toBe(count);
  });

  it('rt_key_at / rt_value_at scan arrays, objects and sets', () => {
    const arr = r.json('["x","y"]');
    expect([0, 1].map((i) => r.dump(r.x.rt_key_at!(arr, i)))).toEqual(['0', '1']);
    expect([0, 1].map((i) => r.dump(r.x.rt_value_at!(arr, i)))).toEqual(['"x"', '"y"']);
    const obj = r.json('{"b":2,"a":1}');
    expect([0, 1].map((i) => r.dump(r.x.rt_key_at!(obj, i)))).toEqual(['"a"', '"b"']);
    expect([0, 1].map((i) => r.dump(r.x.rt_value_at!(obj, i)))).toEqual(['1', '2']);
    const set = setOf(r, '["q","p"]');
    expect([0, 1].map((i) => r.dump(r.x.rt_key_at!(set, i)))).toEqual(['"p"', '"q"']);
    expect([0, 1].map((i) => r.dump(r.x.rt_value_at!(set, i)))).toEqual(['"p"', '"q"']);
    expect(r.x.rt_key_at!(arr, 2)).toBe(0);
    expect(r.x.rt_value_at!(obj, -1)).toBe(0);
    expect(r.x.rt_value_at!(r.json('"s"'), 0)).toBe(0);
  });

  it('rt_json_parse / rt_json_dump match the opa_ ones', () => {
    const text = '{"b":[1,{"c":null}],"a":"é"}';
    const bytes = new TextEncoder().encode(text);
    const addr = r.x.opa_malloc!(bytes.length);
    new Uint8Array(r.memory.buffer).set(bytes, addr);
    const v = r.x.rt_json_parse!(addr, bytes.length);
    expect(r.cstr(r.x.rt_json_dump!(v))).toBe('{"a":"é","b":[1,{"c":null}]}');
    expect(r.x.rt_json_parse!(addr, bytes.length - 1)).toBe(0);
  });
});

describe('rt_result_set', () => {
  it.each([
    { note: 'defined value', text: '{"b":2,"a":1}', want: '[{"result":{"a":1,"b":2}}]' },
    { note: 'false is defined', text: 'false', want: '[{"result":false}]' },
  ])('$note', ({ text, want }) => {
    expect(r.dump(r.x.rt_result_set!(r.json(text)))).toBe(want);
  });
  it('undefined gives an empty result set', () => {
    expect(r.dump(r.x.rt_result_set!(0))).toBe('[]');
  });
});

describe('heap pointer', () => {
  it('resets with rt_heap_set / opa_heap_ptr_set and reuses memory deterministically', () => {
    const base = r.x.opa_heap_ptr_get!();
    expect(r.x.rt_heap_get!()).toBe(base);
    const v1 = r.json('{"a":[1,2,3]}');
    const after = r.x.opa_heap_ptr_get!();
    expect(after).toBeGreaterThan(base);
    r.x.opa_heap_ptr_set!(base);
    const v2 = r.json('{"a":[1,2,3]}');
    expect(v2).toBe(v1);
    expect(r.x.opa_heap_ptr_get!()).toBe(after);
    r.x.rt_heap_set!(base);
    expect(r.x.rt_heap_get!()).toBe(base);
  });

  it('opa_malloc returns 8-aligned, non-overlapping blocks; opa_free is a no-op', () => {
    const a = r.x.opa_malloc!(3);
    const b = r.x.opa_malloc!(5);
    expect(a % 8).toBe(0);
    expect(b % 8).toBe(0);
    expect(b).toBeGreaterThanOrEqual(a + 3);
    const before = r.x.opa_heap_ptr_get!();
    r.x.opa_free!(a);
    expect(r.x.opa_heap_ptr_get!()).toBe(before);
  });

  it('rt_init_static moves the heap base past static data (aligned)', () => {
    const fresh = loadRuntime();
    const base = fresh.x.rt_heap_get!();
    fresh.x.rt_init_static!(base + 1001);
    const p = fresh.x.rt_heap_get!();
    expect(p).toBeGreaterThanOrEqual(base + 1001);
    expect(p % 8).toBe(0);
    expect(fresh.x.opa_malloc!(4)).toBe(p);
  });
});

describe('eval context', () => {
  it('stores input, data, entrypoint and result', () => {
    const ctx = r.x.opa_eval_ctx_new!();
    expect(r.x.rt_ctx_input!(ctx)).toBe(0);
    expect(r.x.rt_ctx_data!(ctx)).toBe(0);
    expect(r.x.rt_ctx_entrypoint!(ctx)).toBe(0);
    expect(r.dump(r.x.opa_eval_ctx_get_result!(ctx))).toBe('[]');
    const input = r.json('{"user":"alice"}');
    const data = r.json('{"roles":[]}');
    r.x.opa_eval_ctx_set_input!(ctx, input);
    r.x.opa_eval_ctx_set_data!(ctx, data);
    r.x.opa_eval_ctx_set_entrypoint!(ctx, 3);
    expect(r.x.rt_ctx_input!(ctx)).toBe(input);
    expect(r.x.rt_ctx_data!(ctx)).toBe(data);
    expect(r.x.rt_ctx_entrypoint!(ctx)).toBe(3);
    r.x.rt_ctx_set_result!(ctx, r.x.rt_result_set!(r.json('true')));
    expect(r.dump(r.x.opa_eval_ctx_get_result!(ctx))).toBe('[{"result":true}]');
  });
});

describe('host calls', () => {
  it.each([0, 1, 2, 3, 4])('rt_host_builtin%i passes (id, 0, args...) and returns the host result', (n) => {
    const calls: number[][] = [];
    const answer = r.json('"ok"');
    r.setBuiltin((...args) => {
      calls.push(args);
      return answer;
    });
    const args = Array.from({ length: n }, (_, i) => r.x.rt_number_int!(i));
    const fn = r.x[`rt_host_builtin${n}`]!;
    expect(fn(40 + n, ...args)).toBe(answer);
    expect(calls).toEqual([[40 + n, 0, ...args]]);
    r.setBuiltin(() => 0);
    expect(fn(1, ...args)).toBe(0);
  });

  it('rt_abort passes the message to env.opa_abort', () => {
    const msg = r.cstrAt('var assignment conflict');
    expect(() => r.x.rt_abort!(msg)).toThrow('opa_abort: var assignment conflict');
  });

  it('rt_set_strict / rt_set_location accept their arguments', () => {
    expect(r.x.rt_set_strict!(1)).toBeUndefined();
    expect(r.x.rt_set_location!(r.cstrAt('policy.rego:3'))).toBeUndefined();
    r.x.rt_set_strict!(0);
  });
});
