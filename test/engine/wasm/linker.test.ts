// The splice linker against a WAT fixture runtime: start chaining, kept/stripped exports, static
// data placement, memory-minimum bump, name section merge, native vs host builtins, broken
// invariants (InternalCompilerError) and byte-identical output across runs and processes.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Policy } from '../../../engine/ir/index.js';
import { emitWasm, printWasm } from '../../../engine/wasm/index.js';
import { ByteReader } from '../../../engine/wasm/encoder.js';
import { readRuntimeModule } from '../../../engine/wasm/module-reader.js';
import { loadRuntimeBinary } from '../../../engine/runtime/index.js';
import { wasmApi } from '../../../engine/runtime/wasm-api.js';
import { fixtureRuntime, instantiateFixture, readCString } from './fixture-runtime.js';
import type { FixtureOptions } from './fixture-runtime.js';
import { C, L, block, func, policy } from './helpers.js';
import { samplePolicy } from './sample-policy.js';

const constPolicy = (text: string): Policy =>
  policy([text], [func('p', [block({ kind: 'assign', source: C(0), target: 2 })])], [['test/p', 'p']]);
const inputPolicy = policy([], [func('p', [block({ kind: 'assign', source: L(0), target: 2 })])], [['test/p', 'p']]);

function functionNames(bytes: Uint8Array): Map<number, string> {
  const m = readRuntimeModule(bytes);
  const sec = m.sections.find((s) => s.customName === 'name');
  const out = new Map<number, string>();
  if (!sec) return out;
  const r = new ByteReader(sec.payload);
  r.name();
  while (!r.atEnd()) {
    const id = r.u8();
    const sub = new ByteReader(r.bytes(r.u32()));
    if (id !== 1) continue;
    const n = sub.u32();
    for (let i = 0; i < n; i++) {
      const idx = sub.u32();
      out.set(idx, sub.name());
    }
  }
  return out;
}

describe('splice linker with a fixture runtime', () => {
  it('chains the start function, keeps runtime data and returns the plan result through opa_eval', async () => {
    const bytes = emitWasm(constPolicy('"hello"'), await fixtureRuntime());
    expect(wasmApi.validate(bytes)).toBe(true);
    const { exports, memory } = instantiateFixture(bytes);
    expect((exports.started as { value: number }).value).toBe(42);
    expect(readCString(memory, 1024).startsWith('runtime-static-data')).toBe(true);
    const heap = (exports.opa_heap_ptr_get as () => number)();
    expect(heap).toBeGreaterThan(1024 + 19);
    const ret = (exports.opa_eval as (...a: number[]) => number)(0, 0, 0, 0, 0, heap, 0);
    expect(readCString(memory, ret)).toBe('"hello"');
  });

  it('parses the input at input_addr and moves the heap to heap_ptr first', async () => {
    const bytes = emitWasm(inputPolicy, await fixtureRuntime());
    const { exports, memory } = instantiateFixture(bytes);
    const text = '{"a":[1,2]}';
    const at = 100_000;
    new TextEncoder().encodeInto(text, new Uint8Array(memory.buffer, at));
    const ret = (exports.opa_eval as (...a: number[]) => number)(0, 0, 0, at, text.length, at + text.length, 0);
    expect(ret).toBeGreaterThanOrEqual(at + text.length);
    expect(readCString(memory, ret)).toBe(text);
  });

  it('aborts with a message on an unknown entrypoint id and on unparsable input', async () => {
    const { exports, memory } = instantiateFixture(emitWasm(inputPolicy, await fixtureRuntime()));
    const evalFn = exports.opa_eval as (...a: number[]) => number;
    expect(() => evalFn(0, 3, 0, 0, 0, 8192, 0)).toThrow('eval_internal_error: unknown entrypoint id');
    void memory;
    expect(() => evalFn(0, 0, 0, 8192, 0, 8192, 0)).toThrow('eval_internal_error: invalid input JSON');
  });

  it('strips rt_ and bi_ exports, keeps the rest and adds the ABI functions', async () => {
    const m = readRuntimeModule(emitWasm(constPolicy('1'), await fixtureRuntime()));
    const names = m.exports.map((e) => e.name);
    expect(names.filter((n) => n.startsWith('rt_') || n.startsWith('bi_'))).toEqual([]);
    expect(names).toEqual(
      expect.arrayContaining([
        'opa_malloc',
        'opa_heap_ptr_get',
        'opa_wasm_abi_version',
        'opa_wasm_abi_minor_version',
        'started',
        'entrypoints',
        'builtins',
        'eval',
        'opa_eval',
      ]),
    );
    expect(m.start).toBeDefined();
  });

  it('dumps the entrypoints map and the host-builtins map', async () => {
    const p = policy(
      ['1'],
      [
        func('p', [
          block(
            { kind: 'builtin', name: 'plus', args: [C(0), C(0)], target: 3 },
            { kind: 'builtin', name: 'custom.g', args: [L(3)], target: 4 },
            { kind: 'builtin', name: 'custom.f', args: [L(4)], target: 2, loc: { file: 'a.rego', row: 2, col: 1, offset: 0, length: 0 } },
          ),
        ]),
        func('q', [block({ kind: 'builtin', name: 'custom.g', args: [C(0)], target: 2 })]),
      ],
      [
        ['a/p', 'p'],
        ['a/q', 'q'],
      ],
    );
    const bytes = emitWasm(p, await fixtureRuntime(), { strictBuiltinErrors: true });
    const { exports, memory } = instantiateFixture(bytes);
    const dump = exports.opa_json_dump as ((v: number) => number) | undefined;
    // The fixture has no opa_json_dump export; read the (addr, len) cell directly.
    expect(dump).toBeUndefined();
    const cell = (v: number): string => {
      const dv = new DataView(memory.buffer);
      return new TextDecoder().decode(new Uint8Array(memory.buffer, dv.getUint32(v, true), dv.getUint32(v + 4, true)));
    };
    expect(JSON.parse(cell((exports.entrypoints as () => number)()))).toEqual({ 'a/p': 0, 'a/q': 1 });
    expect(JSON.parse(cell((exports.builtins as () => number)()))).toEqual({ 'custom.g': 0, 'custom.f': 1 });
    const text = printWasm(bytes);
    expect(text).toContain('call $bi_plus');
    expect(text).toContain('call $rt_host_builtin1');
    expect(text).toContain('call $rt_set_location'); // strict mode records call locations
    expect(text).toContain('call $rt_set_strict');
  });

  it('merges names: runtime debug names kept, generated and rt_ helpers named', async () => {
    const bytes = emitWasm(constPolicy('1'), await fixtureRuntime());
    const names = [...functionNames(bytes).values()];
    expect(names).toEqual(expect.arrayContaining(['alloc', 'start', 'p', 'opa_eval', 'eval', 'entrypoints', 'builtins', 'dispatch']));
  });

  it('prints generated functions with data-relative addresses', async () => {
    const text = printWasm(emitWasm(constPolicy('"x"'), await fixtureRuntime()));
    expect(text).toMatch(/^\(func \$entrypoints \(param 0\) \(result i32\)\n {2}i32\.const 0\n {2}i32\.load offset=data\+\d+\n\)/);
    expect(text).toContain('(func $p (param 2) (result i32) (local 2)');
    expect(text).toContain('br_table 0 1');
  });

  it.each([
    { note: 'bumps the memory minimum for large static data', size: 150_000, pages: 3 },
    { note: 'keeps the runtime minimum when data fits', size: 10, pages: 1 },
  ])('$note', async ({ size, pages }) => {
    const bytes = emitWasm(constPolicy(JSON.stringify('a'.repeat(size))), await fixtureRuntime());
    const mem = readRuntimeModule(bytes).imports.find((i) => i.field === 'memory');
    expect(mem?.limits).toEqual({ min: pages });
    const { exports, memory } = instantiateFixture(bytes);
    const ret = (exports.opa_eval as (...a: number[]) => number)(0, 0, 0, 0, 0, (exports.opa_heap_ptr_get as () => number)(), 0);
    expect(readCString(memory, ret)).toHaveLength(size + 2);
  });

  it('moves static data over 5 pages into a passive segment copied in by start', async () => {
    const size = 400_000;
    const bytes = emitWasm(constPolicy(JSON.stringify('b'.repeat(size))), await fixtureRuntime());
    expect(wasmApi.validate(bytes)).toBe(true);
    const mod = readRuntimeModule(bytes);
    expect(mod.imports.find((i) => i.field === 'memory')?.limits).toEqual({ min: 1 });
    expect(mod.hasDataCount).toBe(true);
    expect(printWasm(bytes)).toMatch(/memory\.grow[\s\S]*memory\.init 1\n\s*data\.drop 1/);
    const { exports, memory } = instantiateFixture(bytes);
    expect(memory.buffer.byteLength).toBeGreaterThanOrEqual(7 * 65536);
    const heap = (exports.opa_heap_ptr_get as () => number)();
    expect(heap).toBeGreaterThan(size);
    memory.grow(10);
    const ret = (exports.opa_eval as (...a: number[]) => number)(0, 0, 0, 0, 0, heap, 0);
    expect(readCString(memory, ret)).toBe(JSON.stringify('b'.repeat(size)));
  });

  it.each([
    {
      note: 'missing rt_abi_version',
      fixture: { omit: ['rt_abi_version'] },
      policy: constPolicy('1'),
      error: /missing export rt_abi_version/,
    },
    { note: 'rt_abi_version mismatch', fixture: { abiVersion: 2 }, policy: constPolicy('1'), error: /rt_abi_version is 2, expected 1/ },
    {
      note: 'missing helper used by glue',
      fixture: { omit: ['rt_result_set'] },
      policy: constPolicy('1'),
      error: /missing export rt_result_set/,
    },
    {
      note: 'wrong helper signature',
      fixture: { badDot: true },
      policy: policy(['1'], [func('p', [block({ kind: 'dot', source: L(0), key: C(0), target: 2 })])], [['t/p', 'p']]),
      error: /rt_dot has the wrong signature/,
    },
    {
      note: 'call to unknown function',
      fixture: {},
      policy: policy([], [func('p', [block({ kind: 'call', func: 'nope', args: [L(0), L(1)], target: 2 })])], [['t/p', 'p']]),
      error: /unknown IR function nope/,
    },
    {
      note: 'call arity mismatch',
      fixture: {},
      policy: policy([], [func('p', [block({ kind: 'call', func: 'p', args: [L(0)], target: 2 })])], [['t/p', 'p']]),
      error: /1 args for 2 params/,
    },
    {
      note: 'break out of the function',
      fixture: {},
      policy: policy([], [func('p', [block({ kind: 'break', index: 1 })])], [['t/p', 'p']]),
      error: /leaves the function/,
    },
    {
      note: 'constant out of range',
      fixture: {},
      policy: policy([], [func('p', [block({ kind: 'assign', source: C(0), target: 2 })])], [['t/p', 'p']]),
      error: /constant 0 out of range/,
    },
    {
      note: 'slot out of range',
      fixture: {},
      policy: policy([], [func('p', [block({ kind: 'slotGet', slot: 0, target: 2 })])], [['t/p', 'p']]),
      error: /slot 0 out of range/,
    },
    {
      note: 'host builtin with 5 args',
      fixture: {},
      policy: policy(
        ['1'],
        [func('p', [block({ kind: 'builtin', name: 'x.y', args: [C(0), C(0), C(0), C(0), C(0)], target: 2 })])],
        [['t/p', 'p']],
      ),
      error: /at most 4/,
    },
    {
      note: 'native builtin arity mismatch',
      fixture: {},
      policy: policy(['1'], [func('p', [block({ kind: 'builtin', name: 'plus', args: [C(0)], target: 2 })])], [['t/p', 'p']]),
      error: /builtin plus: 1 args, native arity 2/,
    },
    { note: 'plan of unknown function', fixture: {}, policy: policy([], [], [['t/p', 'p']]), error: /unknown function p/ },
    {
      note: 'plan function with extra params',
      fixture: {},
      policy: policy([], [func('p', [block()], { params: [0, 1, 3] })], [['t/p', 'p']]),
      error: /must take \(input, data\)/,
    },
    {
      note: 'duplicate function names',
      fixture: {},
      policy: policy([], [func('p', [block()]), func('p', [block()])], [['t/p', 'p']]),
      error: /duplicate IR function p/,
    },
  ] as Array<{ note: string; fixture: FixtureOptions; policy: Policy; error: RegExp }>)(
    'throws InternalCompilerError: $note',
    async (c) => {
      const runtime = await fixtureRuntime(c.fixture);
      expect(() => emitWasm(c.policy, runtime)).toThrow(
        expect.objectContaining({ code: 'ERR_ENGINE_INTERNAL', message: expect.stringMatching(c.error) }),
      );
    },
  );

  it('rejects bytes that are not a wasm module', () => {
    expect(() => emitWasm(constPolicy('1'), new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]))).toThrow(/bad magic/);
  });
});

describe('determinism', () => {
  it('emits identical bytes for the same policy within a process', () => {
    const rt = loadRuntimeBinary();
    const a = emitWasm(samplePolicy, rt);
    const b = emitWasm(structuredClone(samplePolicy), rt);
    expect(wasmApi.validate(a)).toBe(true);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it('emits identical bytes in a separate process', () => {
    const child = fileURLToPath(new URL('./emit-hash-child.ts', import.meta.url));
    const hash = execFileSync(process.execPath, ['--import', 'tsx', child], { encoding: 'utf8' }).trim();
    expect(hash).toBe(createHash('sha256').update(emitWasm(samplePolicy, loadRuntimeBinary())).digest('hex'));
  });
});
