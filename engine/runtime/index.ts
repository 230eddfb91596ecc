// Public surface of the JS-side runtime: load a compiled policy module and evaluate it.
export { loadRuntimeBinary, loadTzdata } from './runtime-binary.js';
export { loadPolicy } from './loader.js';
export type { PolicyInstance, LoadPolicyOptions, HostBuiltin } from './loader.js';
export { EVAL_ERROR_CODES, PolicyEvalError, PolicyLoadError } from './errors.js';
export type { AnyRuntimeError, EvalErrorCode, RuntimeErrorCode } from './errors.js';
export { sdkHostBuiltins, LOADER_BUILTIN_NAMES } from './host-builtins.js';
export type { HostBuiltinOptions, RuntimeInfo } from './host-builtins.js';
