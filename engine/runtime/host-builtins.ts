// Builtins that cannot run inside the module and that our loader supplies through
// env.opa_builtinN: `time.now_ns` (OPA's Wasm ABI has no clock import). One value per
// evaluation, as OPA requires (`time.now_ns()` is constant within a query).

import type { HostBuiltin } from './loader.js';

/** LOADER_BUILTIN_NAMES are the builtins loadPolicy supplies by default (plain SDK users pass sdkHostBuiltins()). */
export const LOADER_BUILTIN_NAMES = ['time.now_ns'] as const;

/** EvalClock hands out one timestamp per evaluation. */
export type EvalClock = { begin(): void; nowNs(): number };

/** createEvalClock makes a clock whose reading is taken once per evaluation, from `now` (ms). */
export function createEvalClock(now: () => number = Date.now): EvalClock {
  let current: number | undefined;
  return {
    begin: () => {
      current = undefined;
    },
    nowNs: () => (current ??= Math.trunc(now()) * 1_000_000),
  };
}

/** loaderHostBuiltins returns the default host builtins bound to an evaluation clock. */
export function loaderHostBuiltins(clock: EvalClock): Record<string, HostBuiltin> {
  return { 'time.now_ns': () => clock.nowNs() };
}

/**
 * sdkHostBuiltins is what to pass as `customBuiltins` to the plain `@open-policy-agent/opa-wasm`
 * SDK for modules that call the loader-supplied builtins. Its clock is read per call: the SDK has
 * no per-evaluation hook, so a policy calling time.now_ns() twice may see two readings there.
 */
export function sdkHostBuiltins(now: () => number = Date.now): Record<string, HostBuiltin> {
  return { 'time.now_ns': () => Math.trunc(now()) * 1_000_000 };
}
