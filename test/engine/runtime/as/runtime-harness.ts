// Test harness for the AssemblyScript runtime: finds the runtime built from the current sources
// (runtimeBytes, shared with the builtin tests' harness), instantiates it with a 5-page memory and
// env imports like the SDK's, and offers JSON in/out helpers over the exports.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isRuntimeCurrent, runtimeInputsHash } from '../../../../scripts/runtime-inputs.js';

/** WasmMemory is the part of WebAssembly.Memory the tests use. */
export type WasmMemory = { readonly buffer: ArrayBuffer };
/** WasmModule is a compiled module (opaque). */
export type WasmModule = { readonly __wasmModule?: never };
type Descriptor = { readonly module: string; readonly name: string; readonly kind: string };
type WasmApi = {
  readonly Memory: new (desc: { initial: number; maximum?: number }) => WasmMemory;
  readonly Module: (new (
    bytes: Uint8Array,
  ) => WasmModule) & {
    imports(m: WasmModule): Descriptor[];
    exports(m: WasmModule): Omit<Descriptor, 'module'>[];
  };
  readonly Instance: new (m: WasmModule, imports: Record<string, Record<string, unknown>>) => { readonly exports: unknown };
};
/** wasm is globalThis.WebAssembly, typed (the project's lib settings do not declare it). */
export const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const builtFile = join(root, 'engine/runtime/build/runtime.wasm');

let bytes: Uint8Array | undefined;

/**
 * runtimeBytes returns the runtime built from the current sources, once per process: the artefact
 * `npm install`/`npm test` built when its recorded inputs hash is current, else a build cached in
 * the OS temp dir under that hash (made once per source version, shared by all test files).
 */
export function runtimeBytes(): Uint8Array {
  bytes ??= readFileSync(currentRuntimeFile());
  return bytes;
}

function currentRuntimeFile(): string {
  const hash = runtimeInputsHash(root);
  if (isRuntimeCurrent(builtFile, hash)) return builtFile;
  const file = join(tmpdir(), `portcullis-runtime-${hash.slice(0, 16)}.wasm`);
  if (existsSync(file)) return file;
  // One test worker builds (holding a lock directory); the others wait for its file, or build
  // themselves if it does not come within LOCK_MS (a lock that old was left by a killed run).
  const lock = `${file}.lock`;
  if (!takeLock(lock)) {
    const until = Date.now() + LOCK_MS;
    while (!existsSync(file) && existsSync(lock) && Date.now() < until) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    if (existsSync(file)) return file;
  }
  try {
    const tmp = `${file}.${process.pid}.tmp`;
    execFileSync(process.execPath, [join(root, 'scripts/build-runtime.js'), '--out', tmp], { cwd: root, stdio: 'pipe' });
    renameSync(tmp, file);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  return file;
}

const LOCK_MS = 120_000;

function takeLock(lock: string): boolean {
  try {
    mkdirSync(lock);
    return true;
  } catch {
    if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs < LOCK_MS) return false;
    rmSync(lock, { recursive: true, force: true });
    return takeLock(lock);
  }
}

/** RtExports is the runtime's export object, loosely typed (all i32). */
export type RtExports = Record<string, (...args: number[]) => number> & {
  readonly opa_wasm_abi_version: { readonly value: number };
  readonly opa_wasm_abi_minor_version: { readonly value: number };
};

/** HostBuiltin answers env.opa_builtinN calls: (id, ctx, ...args) -> value address. */
export type HostBuiltin = (id: number, ctx: number, ...args: number[]) => number;

/** Runtime is an instantiated runtime plus helpers. */
export type Runtime = {
  readonly module: WasmModule;
  readonly x: RtExports;
  readonly memory: WasmMemory;
  /** json parses JSON text into a value address (0 if invalid). */
  json(text: string): number;
  /** dump returns the JSON text of a value. */
  dump(v: number): string;
  /** cstr reads a NUL-terminated UTF-8 string. */
  cstr(addr: number): string;
  /** cstrAt writes a NUL-terminated string into fresh memory and returns its address. */
  cstrAt(text: string): number;
  /** str makes a STRING value. */
  str(text: string): number;
  /** setBuiltin installs the handler for env.opa_builtinN. */
  setBuiltin(fn: HostBuiltin): void;
};

/** loadRuntime instantiates a fresh runtime instance. */
export function loadRuntime(): Runtime {
  const module = new wasm.Module(runtimeBytes());
  const memory = new wasm.Memory({ initial: 5 });
  let builtin: HostBuiltin = () => 0;
  const cstr = (addr: number): string => {
    const bytes = new Uint8Array(memory.buffer);
    let end = addr;
    while (bytes[end] !== 0) end++;
    return new TextDecoder().decode(bytes.subarray(addr, end));
  };
  const call = (id: number, ctx: number, ...args: number[]): number => builtin(id, ctx, ...args);
  const instance = new wasm.Instance(module, {
    env: {
      memory,
      opa_abort: (addr: number) => {
        throw new Error(`opa_abort: ${cstr(addr)}`);
      },
      opa_println: () => {},
      opa_builtin0: call,
      opa_builtin1: call,
      opa_builtin2: call,
      opa_builtin3: call,
      opa_builtin4: call,
    },
  });
  const x = instance.exports as unknown as RtExports;
  const put = (bytes: Uint8Array): number => {
    const addr = x.opa_malloc!(bytes.length);
    new Uint8Array(memory.buffer).set(bytes, addr);
    return addr;
  };
  return {
    module,
    x,
    memory,
    json(text) {
      const bytes = new TextEncoder().encode(text);
      return x.opa_json_parse!(put(bytes), bytes.length);
    },
    dump(v) {
      return cstr(x.opa_json_dump!(v));
    },
    cstr,
    cstrAt(text) {
      const bytes = new TextEncoder().encode(text);
      const out = new Uint8Array(bytes.length + 1);
      out.set(bytes);
      return put(out);
    },
    str(text) {
      return x.opa_json_parse!(put(new TextEncoder().encode(JSON.stringify(text))), new TextEncoder().encode(JSON.stringify(text)).length);
    },
    setBuiltin(fn) {
      builtin = fn;
    },
  };
}

/** setOf builds a SET value from the items of a JSON array text, in the given order. */
export function setOf(r: Runtime, items: string): number {
  const arr = r.json(items);
  const s = r.x.rt_make_set!();
  for (let i = 0; i < r.x.rt_count!(arr); i++) r.x.rt_set_add!(s, r.x.rt_value_at!(arr, i));
  return s;
}

/** objectOf builds an OBJECT value from [key, value] pairs given as a JSON array text. */
export function objectOf(r: Runtime, pairs: string): number {
  const arr = r.json(pairs);
  const o = r.x.rt_make_object!();
  for (let i = 0; i < r.x.rt_count!(arr); i++) {
    const pair = r.x.rt_value_at!(arr, i);
    r.x.rt_object_insert!(o, r.x.rt_value_at!(pair, 0), r.x.rt_value_at!(pair, 1));
  }
  return o;
}

/** floatNumber makes a NUMBER value without literal text holding f (pokes the documented layout). */
export function floatNumber(r: Runtime, f: number): number {
  const v = r.x.rt_number_int!(0);
  new DataView(r.memory.buffer).setFloat64(v + 8, f, true);
  return v;
}
