// Test harness for the native builtins: takes the runtime from the AssemblyScript runtime harness
// (runtimeBytes: built once, not per test file), instantiates it with a Memory and env imports,
// builds argument values (JSON, sets, exact number literals) and calls bi_* exports, returning
// results as JSON (sets as arrays).

import { runtimeBytes } from '../as/runtime-harness.js';

/** Raw marks a JSON literal passed through verbatim (e.g. big numbers `Raw('1e400')`). */
export type Raw = { readonly kind: 'raw'; readonly text: string };
/** Ptr passes an existing value pointer (e.g. a previous result). */
export type Ptr = { readonly kind: 'ptr'; readonly ptr: number };
/** SetOf marks a Rego set argument. */
export type SetOf = { readonly kind: 'set'; readonly items: readonly Arg[] };
/** Arg is a value to pass to a builtin; `undefined` passes 0 (undefined). */
export type Arg = null | boolean | number | string | Raw | Ptr | SetOf | readonly Arg[] | { readonly [k: string]: Arg } | undefined;

/** raw makes a Raw argument. */
export function raw(text: string): Raw {
  return { kind: 'raw', text };
}

/** set makes a SetOf argument. */
export function set(...items: Arg[]): SetOf {
  return { kind: 'set', items };
}

type Exports = Record<string, (...a: number[]) => number>;
type WasmMemory = { readonly buffer: ArrayBuffer };
type WasmApi = {
  readonly Memory: new (desc: { initial: number }) => WasmMemory;
  readonly instantiate: (
    bytes: Uint8Array,
    imports: Record<string, Record<string, unknown>>,
  ) => Promise<{ readonly instance: { readonly exports: unknown } }>;
};
// globalThis.WebAssembly, typed (the project's lib settings do not declare it).
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Runtime is an instantiated runtime with call helpers. */
export type Runtime = {
  readonly call: (name: string, ...args: Arg[]) => unknown;
  readonly callPtr: (name: string, ...args: Arg[]) => Ptr;
  /** text returns a value's JSON text exactly as the runtime dumps it (numbers keep every digit). */
  readonly text: (value: Ptr) => string;
  readonly write: (addr: number, bytes: Uint8Array) => void;
  readonly printed: string[];
  readonly exports: Exports;
};

/** RuntimeOptions: `tzdata` places a zone database blob in memory as a policy's start function would. */
export type RuntimeOptions = { readonly tzdata?: Uint8Array };

/** loadRuntime instantiates a fresh instance of the runtime. */
export async function loadRuntime(opts: RuntimeOptions = {}): Promise<Runtime> {
  const memory = new wasm.Memory({ initial: 5 });
  const printed: string[] = [];
  const readC = (addr: number): string => {
    const bytes = new Uint8Array(memory.buffer);
    let end = addr;
    while (bytes[end] !== 0) end++;
    return new TextDecoder().decode(bytes.subarray(addr, end));
  };
  const env = {
    memory,
    opa_abort: (addr: number) => {
      throw new Error(`abort: ${readC(addr)}`);
    },
    opa_println: (addr: number) => {
      printed.push(readC(addr));
    },
    opa_builtin0: () => 0,
    opa_builtin1: () => 0,
    opa_builtin2: () => 0,
    opa_builtin3: () => 0,
    opa_builtin4: () => 0,
  };
  const { instance } = await wasm.instantiate(runtimeBytes(), { env });
  const ex = instance.exports as unknown as Exports;
  const parse = (text: string): number => {
    const bytes = new TextEncoder().encode(text);
    const addr = ex['opa_malloc']!(bytes.length);
    new Uint8Array(memory.buffer).set(bytes, addr);
    const v = ex['opa_json_parse']!(addr, bytes.length);
    if (v === 0) throw new Error(`bad JSON ${text}`);
    return v;
  };
  const build = (a: Arg): number => {
    if (a === undefined) return 0;
    if (a === null || typeof a !== 'object') return parse(JSON.stringify(a));
    if (Array.isArray(a)) {
      const arr = ex['rt_make_array']!(a.length);
      for (const item of a) ex['rt_array_append']!(arr, build(item));
      return arr;
    }
    const o = a as Raw | SetOf | { readonly [k: string]: Arg };
    if (o.kind === 'ptr' && typeof (o as Ptr).ptr === 'number') return (o as Ptr).ptr;
    if (o.kind === 'raw' && typeof (o as Raw).text === 'string') return parse((o as Raw).text);
    if (o.kind === 'set' && Array.isArray((o as SetOf).items)) {
      const s = ex['rt_make_set']!();
      for (const item of (o as SetOf).items) ex['rt_set_add']!(s, build(item));
      return s;
    }
    const obj = ex['rt_make_object']!();
    for (const [k, v] of Object.entries(o as { readonly [k: string]: Arg })) ex['rt_object_insert']!(obj, build(k), build(v));
    return obj;
  };
  const call = (name: string, ...args: Arg[]): unknown => {
    const fn = ex[name];
    if (!fn) throw new Error(`no export ${name}`);
    const r = fn(...args.map(build));
    if (r === 0) return undefined;
    return JSON.parse(readC(ex['opa_json_dump']!(r)));
  };
  const callPtr = (name: string, ...args: Arg[]): Ptr => {
    const fn = ex[name];
    if (!fn) throw new Error(`no export ${name}`);
    return { kind: 'ptr', ptr: fn(...args.map(build)) };
  };
  const text = (value: Ptr): string => readC(ex['opa_json_dump']!(value.ptr));
  const write = (addr: number, bytes: Uint8Array): void => {
    new Uint8Array(memory.buffer).set(bytes, addr);
  };
  if (opts.tzdata) {
    const addr = ex['opa_malloc']!(opts.tzdata.length);
    write(addr, opts.tzdata);
    ex['rt_tz_init']!(addr);
  }
  return { call, callPtr, text, write, printed, exports: ex };
}
