// Types for scripts/runtime-inputs.js (a plain-JS module so that build-runtime.js runs under bare node).

/** STAMP_SUFFIX is appended to a runtime.wasm path to name the file holding its inputs hash. */
export declare const STAMP_SUFFIX: string;
/** runtimeInputsHash returns the hex sha256 of the runtime build's inputs under the repo `root`. */
export declare function runtimeInputsHash(root: string): string;
/** isRuntimeCurrent tells whether `wasmFile` exists and its recorded inputs hash equals `hash`. */
export declare function isRuntimeCurrent(wasmFile: string, hash: string): boolean;
