// A hand-written OPA-ABI policy module (WAT, assembled with wabt) for loader tests that need
// behaviour the generated code cannot show on its own: print, traps, ABI version checks and
// missing exports. Values are (addr, len) cells over raw JSON bytes.
// Entrypoint 0 prints "hello from print" and returns [{"result":1}]; entrypoint 1 traps;
// entrypoint 2 recurses without end (the engine's stack overflows: a RangeError, not a trap).

import initWabt from 'wabt';

/** LoaderFixtureOptions vary the module. */
export type LoaderFixtureOptions = { readonly major?: number; readonly minor?: number; readonly omit?: readonly string[] };

function wat(o: LoaderFixtureOptions): string {
  const omit = new Set(o.omit ?? []);
  const exp = (name: string): string => (omit.has(name) ? '' : `(export "${name}")`);
  return `(module
  (import "env" "memory" (memory 1))
  (import "env" "opa_println" (func $println (param i32)))
  (global $heap (mut i32) (i32.const 4096))
  (global (export "opa_wasm_abi_version") i32 (i32.const ${o.major ?? 1}))
  (global (export "opa_wasm_abi_minor_version") i32 (i32.const ${o.minor ?? 3}))
  (data (i32.const 1024) "hello from print\\00")
  (data (i32.const 1100) "[{\\"result\\":1}]\\00")
  (data (i32.const 1200) "{\\"a/b\\":0}")
  (data (i32.const 1300) "{}")
  (data (i32.const 1400) "\\b0\\04\\00\\00\\09\\00\\00\\00")
  (data (i32.const 1408) "\\14\\05\\00\\00\\02\\00\\00\\00")
  (func $alloc (param $n i32) (result i32) (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.and (i32.add (i32.add (global.get $heap) (local.get $n)) (i32.const 7)) (i32.const -8)))
    (local.get $p))
  (func ${exp('opa_malloc')} (param i32) (result i32) (call $alloc (local.get 0)))
  (func ${exp('opa_heap_ptr_get')} (result i32) (global.get $heap))
  (func ${exp('opa_heap_ptr_set')} (param i32) (global.set $heap (local.get 0)))
  (func ${exp('opa_json_parse')} (param $a i32) (param $n i32) (result i32) (local $c i32)
    (local.set $c (call $alloc (i32.const 8)))
    (i32.store (local.get $c) (local.get $a))
    (i32.store offset=4 (local.get $c) (local.get $n))
    (local.get $c))
  (func ${exp('opa_json_dump')} (param $v i32) (result i32) (local $n i32) (local $d i32)
    (local.set $n (i32.load offset=4 (local.get $v)))
    (local.set $d (call $alloc (i32.add (local.get $n) (i32.const 1))))
    (memory.copy (local.get $d) (i32.load (local.get $v)) (local.get $n))
    (i32.store8 (i32.add (local.get $d) (local.get $n)) (i32.const 0))
    (local.get $d))
  (func ${exp('entrypoints')} (result i32) (i32.const 1400))
  (func ${exp('builtins')} (result i32) (i32.const 1408))
  (func $deep (param $n i32) (result i32)
    (i32.add (call $deep (i32.add (local.get $n) (i32.const 1))) (i32.const 1)))
  (func ${exp('opa_eval')} (param i32 i32 i32 i32 i32 i32 i32) (result i32)
    (global.set $heap (local.get 5))
    (if (i32.eq (local.get 1) (i32.const 1)) (then unreachable))
    (if (i32.eq (local.get 1) (i32.const 2)) (then (drop (call $deep (i32.const 0)))))
    (call $println (i32.const 1024))
    (i32.const 1100))
)`;
}

/** loaderFixture assembles the module. */
export async function loaderFixture(o: LoaderFixtureOptions = {}): Promise<Uint8Array> {
  const wabt = await initWabt();
  const mod = wabt.parseWat('loader-fixture.wat', wat(o), { bulk_memory: true });
  try {
    return new Uint8Array(mod.toBinary({}).buffer);
  } finally {
    mod.destroy();
  }
}
