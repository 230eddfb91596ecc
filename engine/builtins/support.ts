// Which builtins a compiled module can actually run: natively in the runtime (engine/abi.ts
// NATIVE_BUILTINS), or supplied by the plain OPA Wasm SDK. In: a builtin name. Out: booleans
// used by the checker to report `unsupported builtin` and by the planner to pick call targets.

import { LOADER_BUILTIN_NAMES, NATIVE_BUILTINS } from '../abi.js';

/** SDK_BUILTINS are the builtins the plain `@open-policy-agent/opa-wasm` SDK supplies to a module. */
export const SDK_BUILTINS: ReadonlySet<string> = new Set([
  'json.is_valid',
  'regex.split',
  'sprintf',
  'yaml.is_valid',
  'yaml.marshal',
  'yaml.unmarshal',
]);

/** isNativeBuiltin tells whether the runtime implements `name` natively (a `bi_*` export). */
export function isNativeBuiltin(name: string): boolean {
  return Object.hasOwn(NATIVE_BUILTINS, name);
}

/**
 * LOADER_BUILTINS are supplied by our loader (engine/runtime/host-builtins.ts); plain SDK users
 * pass sdkHostBuiltins(), and the SDK keeps its own implementation of those it has (`yaml.*`).
 */
export const LOADER_BUILTINS: ReadonlySet<string> = new Set(LOADER_BUILTIN_NAMES);

/** isLoaderBuiltin tells whether our loader supplies `name`. */
export function isLoaderBuiltin(name: string): boolean {
  return LOADER_BUILTINS.has(name);
}

/** isSdkBuiltin tells whether the plain SDK supplies `name`. */
export function isSdkBuiltin(name: string): boolean {
  return SDK_BUILTINS.has(name);
}
