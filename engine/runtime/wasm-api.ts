// Minimal typings of the global WebAssembly JS API (the project's lib/types settings do not
// declare it), and a typed handle to it. In: globalThis.WebAssembly. Out: `wasmApi`.

/** WasmMemory is a WebAssembly.Memory. */
export type WasmMemory = { readonly buffer: ArrayBuffer; grow(pages: number): number };
/** WasmGlobal is a WebAssembly.Global. */
export type WasmGlobal = { value: unknown };
/** WasmModule is a compiled WebAssembly.Module (opaque). */
export type WasmModule = { readonly __wasmModule?: never };
/** WasmInstance is a WebAssembly.Instance. */
export type WasmInstance = { readonly exports: Record<string, unknown> };
/** WasmImports is an import object. */
export type WasmImports = Record<string, Record<string, unknown>>;
/** WasmBytes is what compile/validate accept. */
export type WasmBytes = ArrayBuffer | ArrayBufferView;

/** WasmApi is the subset of the WebAssembly namespace the engine uses. */
export type WasmApi = {
  readonly Memory: new (desc: { initial: number; maximum?: number }) => WasmMemory;
  readonly Module: (new (
    bytes: WasmBytes,
  ) => WasmModule) & {
    customSections(module: WasmModule, name: string): ArrayBuffer[];
  };
  readonly Instance: new (module: WasmModule, imports: WasmImports) => WasmInstance;
  readonly RuntimeError: new (...args: never[]) => Error;
  compile(bytes: WasmBytes): Promise<WasmModule>;
  instantiate(module: WasmModule, imports: WasmImports): Promise<WasmInstance>;
  validate(bytes: WasmBytes): boolean;
};

/** wasmApi is globalThis.WebAssembly with the typings above. */
export const wasmApi: WasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
