// A tiny stand-in runtime assembled from WAT with wabt, for linker tests independent of the real
// AssemblyScript runtime. Values are (addr, len) cells over raw JSON bytes; rt_result_set is the
// identity, so opa_eval returns the entrypoint's JSON text. It has a start function (sets the
// exported global `started`), a data segment, a datacount section and a name section.

import initWabt from 'wabt';
import { wasmApi } from '../../../engine/runtime/wasm-api.js';
import type { WasmMemory } from '../../../engine/runtime/wasm-api.js';

/** FixtureOptions vary the fixture to provoke linker errors. */
export type FixtureOptions = {
  readonly abiVersion?: number;
  readonly omit?: readonly string[];
  readonly memoryMin?: number;
  /** Replace rt_dot's signature with a wrong one. */
  readonly badDot?: boolean;
};

function wat(o: FixtureOptions): string {
  const omit = new Set(o.omit ?? []);
  const exp = (name: string): string => (omit.has(name) ? '' : `(export "${name}")`);
  return `(module
  (import "env" "opa_abort" (func $opa_abort (param i32)))
  (import "env" "memory" (memory $mem ${o.memoryMin ?? 1}))
  (global $heap (mut i32) (i32.const 4096))
  (global $started (export "started") (mut i32) (i32.const 0))
  (global (export "opa_wasm_abi_version") i32 (i32.const 1))
  (global (export "opa_wasm_abi_minor_version") i32 (i32.const 3))
  (data (i32.const 1024) "runtime-static-data")
  (func $start (global.set $started (i32.const 42)))
  (start $start)
  (func $alloc (param $n i32) (result i32) (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.and (i32.add (i32.add (global.get $heap) (local.get $n)) (i32.const 7)) (i32.const -8)))
    (local.get $p))
  (func $rt_abi_version ${exp('rt_abi_version')} (result i32) (i32.const ${o.abiVersion ?? 1}))
  (func $opa_malloc (export "opa_malloc") (param i32) (result i32) (call $alloc (local.get 0)))
  (func $opa_heap_ptr_get (export "opa_heap_ptr_get") (result i32) (global.get $heap))
  (func $rt_heap_set ${exp('rt_heap_set')} (param i32) (global.set $heap (local.get 0)))
  (func $rt_init_static ${exp('rt_init_static')} (param i32) (global.set $heap (local.get 0)))
  (func $rt_abort ${exp('rt_abort')} (param i32) (call $opa_abort (local.get 0)))
  (func $rt_json_parse ${exp('rt_json_parse')} (param $a i32) (param $n i32) (result i32) (local $c i32)
    (if (i32.eqz (local.get $n)) (then (return (i32.const 0))))
    (local.set $c (call $alloc (i32.const 8)))
    (i32.store (local.get $c) (local.get $a))
    (i32.store offset=4 (local.get $c) (local.get $n))
    (local.get $c))
  (func $rt_json_dump ${exp('rt_json_dump')} (param $v i32) (result i32) (local $n i32) (local $d i32)
    (local.set $n (i32.load offset=4 (local.get $v)))
    (local.set $d (call $alloc (i32.add (local.get $n) (i32.const 1))))
    (memory.copy (local.get $d) (i32.load (local.get $v)) (local.get $n))
    (i32.store8 (i32.add (local.get $d) (local.get $n)) (i32.const 0))
    (local.get $d))
  (func $rt_result_set ${exp('rt_result_set')} (param i32) (result i32) (local.get 0))
  (func $rt_dot ${exp('rt_dot')} ${o.badDot ? '(param i32)' : '(param i32 i32)'} (result i32) (local.get 0))
  (func $rt_ctx_input ${exp('rt_ctx_input')} (param i32) (result i32) (i32.load (local.get 0)))
  (func $rt_ctx_data ${exp('rt_ctx_data')} (param i32) (result i32) (i32.load offset=4 (local.get 0)))
  (func $rt_ctx_entrypoint ${exp('rt_ctx_entrypoint')} (param i32) (result i32) (i32.load offset=8 (local.get 0)))
  (func $rt_ctx_set_result ${exp('rt_ctx_set_result')} (param i32 i32) (i32.store offset=12 (local.get 0) (local.get 1)))
  (func $rt_host_builtin1 ${exp('rt_host_builtin1')} (param i32 i32) (result i32) (local.get 1))
  (func $rt_set_location ${exp('rt_set_location')} (param i32))
  (func $rt_set_strict ${exp('rt_set_strict')} (param i32))
  (func $bi_plus ${exp('bi_plus')} (param i32 i32) (result i32) (local.get 1))
  (func $uses_datacount (data.drop 0))
)`;
}

/** fixtureRuntime assembles the fixture runtime. */
export async function fixtureRuntime(o: FixtureOptions = {}): Promise<Uint8Array> {
  const wabt = await initWabt();
  const mod = wabt.parseWat('fixture.wat', wat(o), { bulk_memory: true });
  try {
    return new Uint8Array(mod.toBinary({ write_debug_names: true }).buffer);
  } finally {
    mod.destroy();
  }
}

/** instantiateFixture instantiates a linked fixture module with a 5-page memory; aborts throw the message. */
export function instantiateFixture(bytes: Uint8Array): { exports: Record<string, unknown>; memory: WasmMemory } {
  const W = wasmApi;
  const memory = new W.Memory({ initial: 5 });
  const text = (addr: number): string => {
    const b = new Uint8Array(memory.buffer);
    return new TextDecoder().decode(b.subarray(addr, b.indexOf(0, addr)));
  };
  const instance = new W.Instance(new W.Module(bytes), {
    env: {
      memory,
      opa_abort: (addr: number) => {
        throw new Error(text(addr));
      },
    },
  });
  return { exports: instance.exports, memory };
}

/** readCString reads a NUL-terminated string from memory. */
export function readCString(memory: { buffer: ArrayBuffer }, addr: number): string {
  const b = new Uint8Array(memory.buffer);
  return new TextDecoder().decode(b.subarray(addr, b.indexOf(0, addr)));
}
