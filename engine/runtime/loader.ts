// The gateway's hot-path loader for OPA-ABI policy modules: instantiates with env.memory and
// the opa_* imports, then evaluates through `opa_eval` directly, writing input JSON into
// linear memory with a reused TextEncoder and decoding the NUL-terminated result set in place.
// In: module bytes + options. Out: a PolicyInstance (same results as the official SDK).

import { OPA_ABI_VERSION, OPTIONS_SECTION } from '../abi.js';
import { PolicyEvalError, PolicyLoadError, evalErrorFromAbort } from './errors.js';
import { wasmApi } from './wasm-api.js';
import type { WasmBytes, WasmImports, WasmInstance, WasmMemory, WasmModule } from './wasm-api.js';
import { createEvalScope, loaderHostBuiltins } from './host-builtins.js';
import type { EvalScope, RuntimeInfo } from './host-builtins.js';

/** HostBuiltin implements a non-native builtin in JS; arguments and result cross as JSON values; undefined means undefined. */
export type HostBuiltin = (...args: unknown[]) => unknown;

/** LoadPolicyOptions configures loadPolicy. */
export type LoadPolicyOptions = {
  /** Implementations of the builtins the module dispatches to the host, by OPA name (they replace the loader's own). */
  readonly hostBuiltins?: Readonly<Record<string, HostBuiltin>>;
  /** The value `opa.runtime()` returns (default `{}`, as OPA without runtime information; see RuntimeInfo). */
  readonly runtime?: RuntimeInfo;
  /** Receives each line printed by `print()` (default: ignored). */
  readonly onPrint?: (line: string) => void;
};

/** PolicyInstance is one instantiated policy with its data; not safe for re-entrant use. */
export type PolicyInstance = {
  /** entrypoints maps `pkg/rule` names to ids. */
  readonly entrypoints: Readonly<Record<string, number>>;
  /** setData replaces the data document. */
  setData(data: unknown): void;
  /** setDataRaw replaces the data document with one given as JSON text/bytes (numbers stay exact; undefined: no data). */
  setDataRaw(dataJson: string | Uint8Array | undefined): void;
  /** evaluate runs an entrypoint (default id 0) and returns the result set. */
  evaluate(input: unknown, entrypoint?: string | number): Array<{ result: unknown }>;
  /** evaluateRaw takes the input as JSON text/bytes (undefined: no input) and returns the result set as JSON text. */
  evaluateRaw(inputJson: string | Uint8Array | undefined, entrypoint?: string | number): string;
};

type Exports = {
  readonly opa_malloc: (n: number) => number;
  readonly opa_json_parse: (addr: number, len: number) => number;
  readonly opa_json_dump: (value: number) => number;
  readonly opa_heap_ptr_get: () => number;
  readonly opa_heap_ptr_set: (p: number) => void;
  readonly opa_eval: (reserved: number, ep: number, data: number, inAddr: number, inLen: number, heap: number, format: number) => number;
  readonly entrypoints: () => number;
  readonly builtins: () => number;
};

const REQUIRED_EXPORTS = [
  'opa_malloc',
  'opa_json_parse',
  'opa_json_dump',
  'opa_heap_ptr_get',
  'opa_heap_ptr_set',
  'opa_eval',
  'entrypoints',
  'builtins',
] as const;
const PAGE = 65536;
const INITIAL_PAGES = 5;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** PolicyModule implements PolicyInstance over one Wasm instance. */
class PolicyModule implements PolicyInstance {
  entrypoints: Readonly<Record<string, number>> = {};
  private readonly memory: WasmMemory;
  private readonly hostBuiltins: Readonly<Record<string, HostBuiltin>>;
  private readonly scope: EvalScope = createEvalScope();
  private readonly onPrint: (line: string) => void;
  private ex!: Exports;
  private builtinNames: string[] = [];
  private buffer: ArrayBuffer;
  private view: Uint8Array;
  private dataAddr = 0;
  /** hostErrorsUndefined: the module was compiled without strict builtin errors (its options section says so). */
  private hostErrorsUndefined = false;
  private baseHeapPtr = 0;
  private dataHeapPtr = 0;

  constructor(opts: LoadPolicyOptions) {
    this.memory = new wasmApi.Memory({ initial: INITIAL_PAGES });
    this.buffer = this.memory.buffer;
    this.view = new Uint8Array(this.buffer);
    this.hostBuiltins = { ...loaderHostBuiltins(this.scope, { runtime: opts.runtime }), ...(opts.hostBuiltins ?? {}) };
    this.onPrint = opts.onPrint ?? (() => {});
  }

  /** imports builds the env import object. */
  imports(): WasmImports {
    const call = (id: number, args: number[]): number => this.callHost(id, args);
    return {
      env: {
        memory: this.memory,
        opa_abort: (addr: number): never => {
          throw evalErrorFromAbort(this.readCString(addr));
        },
        opa_println: (addr: number): void => this.onPrint(this.readCString(addr)),
        opa_builtin0: (id: number): number => call(id, []),
        opa_builtin1: (id: number, _ctx: number, a: number): number => call(id, [a]),
        opa_builtin2: (id: number, _ctx: number, a: number, b: number): number => call(id, [a, b]),
        opa_builtin3: (id: number, _ctx: number, a: number, b: number, c: number): number => call(id, [a, b, c]),
        opa_builtin4: (id: number, _ctx: number, a: number, b: number, c: number, d: number): number => call(id, [a, b, c, d]),
      },
    };
  }

  /**
   * readOptions reads our compiler's options section: host builtin errors are undefined when the
   * module was compiled without strict builtin errors; a module without the section (e.g. from
   * `opa build`) keeps them as evaluation errors.
   */
  readOptions(module: WasmModule): void {
    const [section] = wasmApi.Module.customSections(module, OPTIONS_SECTION);
    if (section === undefined) return;
    try {
      const opts = JSON.parse(new TextDecoder().decode(section)) as { strictBuiltinErrors?: unknown };
      this.hostErrorsUndefined = opts.strictBuiltinErrors === false;
    } catch {
      // A malformed section leaves the fail-closed default.
    }
  }

  /** init checks the ABI and reads the builtins and entrypoints maps; then loads `{}` as data. */
  init(instance: WasmInstance): void {
    const e = instance.exports;
    const major = (e.opa_wasm_abi_version as { value?: unknown } | undefined)?.value;
    const minor = (e.opa_wasm_abi_minor_version as { value?: unknown } | undefined)?.value;
    if (major !== OPA_ABI_VERSION) throw new PolicyLoadError(`unsupported ABI version ${String(major)}`);
    if (typeof minor !== 'number' || minor < 2) throw new PolicyLoadError(`ABI minor version ${String(minor)} lacks opa_eval (need >= 2)`);
    for (const name of REQUIRED_EXPORTS) {
      if (typeof e[name] !== 'function') throw new PolicyLoadError(`module does not export ${name}`);
    }
    this.ex = e as unknown as Exports;
    const builtins = this.dumpValue(this.ex.builtins()) as Record<string, number>;
    for (const [name, id] of Object.entries(builtins)) this.builtinNames[id] = name;
    this.dataAddr = this.parseJson('{}');
    this.baseHeapPtr = this.ex.opa_heap_ptr_get();
    this.dataHeapPtr = this.baseHeapPtr;
    this.entrypoints = Object.freeze(this.dumpValue(this.ex.entrypoints()) as Record<string, number>);
  }

  setData(data: unknown): void {
    this.setDataRaw(data === undefined ? undefined : JSON.stringify(data));
  }

  setDataRaw(dataJson: string | Uint8Array | undefined): void {
    this.ex.opa_heap_ptr_set(this.baseHeapPtr);
    this.dataAddr = dataJson === undefined ? 0 : this.guard(() => this.parseJson(dataJson));
    this.dataHeapPtr = this.ex.opa_heap_ptr_get();
  }

  evaluate(input: unknown, entrypoint?: string | number): Array<{ result: unknown }> {
    const json = input === undefined ? undefined : JSON.stringify(input);
    return JSON.parse(this.evaluateRaw(json, entrypoint)) as Array<{ result: unknown }>;
  }

  evaluateRaw(inputJson: string | Uint8Array | undefined, entrypoint: string | number = 0): string {
    const ep = this.entrypointId(entrypoint);
    this.scope.begin();
    return this.guard(() => {
      const inputAddr = inputJson === undefined ? 0 : this.dataHeapPtr;
      let len = 0;
      if (typeof inputJson === 'string') {
        const max = inputJson.length * 3;
        this.ensure(inputAddr + max);
        len = encoder.encodeInto(inputJson, this.view.subarray(inputAddr, inputAddr + max)).written;
      } else if (inputJson !== undefined) {
        this.ensure(inputAddr + inputJson.length);
        this.view.set(inputJson, inputAddr);
        len = inputJson.length;
      }
      const heapPtr = this.dataHeapPtr + len;
      const ret = this.ex.opa_eval(0, ep, this.dataAddr, inputAddr, len, heapPtr, 0);
      return this.readCString(ret);
    });
  }

  private entrypointId(entrypoint: string | number): number {
    if (typeof entrypoint === 'number') return entrypoint;
    const id = Object.hasOwn(this.entrypoints, entrypoint) ? this.entrypoints[entrypoint] : undefined;
    if (id === undefined) throw new PolicyEvalError(`entrypoint ${entrypoint} is not valid in this instance`);
    return id;
  }

  /**
   * guard fails closed: a Wasm trap, the engine's stack overflowing (a RangeError in V8, not a
   * trap), memory that cannot grow, or anything else thrown while the module runs becomes a
   * PolicyEvalError (eval_internal_error), so a caller never sees another exception from an
   * evaluation. The next evaluation starts from the saved heap pointer, so the instance stays usable.
   */
  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof PolicyEvalError) throw err;
      const message = err instanceof Error ? err.message : String(err);
      if (err instanceof wasmApi.RuntimeError) {
        throw new PolicyEvalError(`wasm trap: ${message}`, { cause: err, regoCode: 'eval_internal_error' });
      }
      const what = err instanceof RangeError && /call stack/i.test(message) ? 'stack overflow' : 'engine failure';
      throw new PolicyEvalError(`eval_internal_error: ${what}: ${message}`, { cause: err, regoCode: 'eval_internal_error' });
    }
  }

  /** bytes returns a view of memory, refreshed after growth. */
  private bytes(): Uint8Array {
    if (this.memory.buffer !== this.buffer) {
      this.buffer = this.memory.buffer;
      this.view = new Uint8Array(this.buffer);
    }
    return this.view;
  }

  /** ensure grows memory so that [0, end) is addressable. */
  private ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end > have) this.memory.grow(Math.ceil((end - have) / PAGE));
    this.bytes();
  }

  private readCString(addr: number): string {
    const v = this.bytes();
    let end = v.indexOf(0, addr);
    if (end < 0) end = v.length;
    return decoder.decode(v.subarray(addr, end));
  }

  private dumpValue(value: number): unknown {
    return JSON.parse(this.readCString(this.ex.opa_json_dump(value)));
  }

  private parseJson(json: string | Uint8Array): number {
    const bytes = typeof json === 'string' ? encoder.encode(json) : json;
    const addr = this.ex.opa_malloc(bytes.length);
    this.bytes().set(bytes, addr);
    const value = this.ex.opa_json_parse(addr, bytes.length);
    if (value === 0) throw new PolicyEvalError('failed to parse json value');
    return value;
  }

  private callHost(id: number, args: readonly number[]): number {
    const name = this.builtinNames[id];
    const impl = name === undefined ? undefined : Object.hasOwn(this.hostBuiltins, name) ? this.hostBuiltins[name] : undefined;
    if (impl === undefined) {
      throw new PolicyEvalError(`not implemented: built-in function ${id}: ${String(name)}`, { regoCode: 'eval_builtin_error' });
    }
    const values = args.map((a) => this.dumpValue(a));
    let result: unknown;
    try {
      result = impl(...values);
    } catch (err) {
      if (err instanceof PolicyEvalError) throw err;
      // As the module's own builtins: undefined unless strict (or unknown: modules not built by us).
      if (this.hostErrorsUndefined) return 0;
      const msg = err instanceof Error ? err.message : String(err);
      throw new PolicyEvalError(`${String(name)}: ${msg}`, { cause: err, regoCode: 'eval_builtin_error' });
    }
    if (result === undefined) return 0;
    const text = JSON.stringify(result);
    return text === undefined ? 0 : this.parseJson(text);
  }
}

/** loadPolicy instantiates a policy module and loads `{}` as its data. */
export async function loadPolicy(wasm: WasmBytes, opts: LoadPolicyOptions = {}): Promise<PolicyInstance> {
  const policy = new PolicyModule(opts);
  let instance: WasmInstance;
  try {
    const module = await wasmApi.compile(wasm);
    policy.readOptions(module);
    instance = await wasmApi.instantiate(module, policy.imports());
  } catch (err) {
    if (err instanceof PolicyEvalError) throw err;
    throw new PolicyLoadError(`cannot instantiate policy module: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  policy.init(instance);
  return policy;
}
