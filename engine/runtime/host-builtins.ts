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
 * SDK for modules that call the loader-supplied builtins. The SDK has no per-evaluation hook, but
 * an evaluation is synchronous: the reading is kept until the current task yields (a microtask
 * clears it), so every time.now_ns() of one evaluate() agrees. Evaluations run back to back in
 * the same synchronous block share a reading.
 */
export function sdkHostBuiltins(now: () => number = Date.now): Record<string, HostBuiltin> {
  let current: number | undefined;
  return {
    'time.now_ns': () => {
      if (current === undefined) {
        current = Math.trunc(now()) * 1_000_000;
        queueMicrotask(() => {
          current = undefined;
        });
      }
      return current;
    },
  };
}
