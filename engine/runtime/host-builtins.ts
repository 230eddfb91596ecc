// The builtins our loader supplies through env.opa_builtinN (engine/abi.ts LOADER_BUILTIN_NAMES):
// `time.now_ns` (one reading per evaluation, as OPA requires: constant within a query),
// `opa.runtime` (a value the embedder sets) and the `yaml.*` builtins (./yaml-builtins.ts).
// sdkHostBuiltins() hands the same implementations to the plain `@open-policy-agent/opa-wasm` SDK.

import type { LoaderBuiltinName } from '../abi.js';
import type { HostBuiltin } from './loader.js';
import { yamlIsValid, yamlMarshal, yamlUnmarshal } from './yaml-builtins.js';

export { LOADER_BUILTIN_NAMES } from '../abi.js';

/**
 * RuntimeInfo is what `opa.runtime()` returns. OPA describes its process there (`env`, `version`,
 * `commit`, `config`) and returns `{}` when it has no runtime information; here the embedder
 * chooses the value.
 */
export type RuntimeInfo = Readonly<Record<string, unknown>>;

/** HostBuiltinOptions are the embedder's settings for the host-supplied builtins. */
export type HostBuiltinOptions = {
  /**
   * runtime is the value of `opa.runtime()` (default `{}`). Nothing fills it in automatically:
   * OPA's `env` key would expose process.env, which often holds secrets.
   */
  readonly runtime?: RuntimeInfo;
  /** now is the clock `time.now_ns` reads, in milliseconds (default Date.now). */
  readonly now?: () => number;
};

/** EvalClock hands out one timestamp per evaluation. */
export type EvalClock = { begin(): void; nowNs(): number };

/** EMPTY_RUNTIME is opa.runtime() without runtime information, as in OPA. */
const EMPTY_RUNTIME: RuntimeInfo = Object.freeze({});

/** createEvalClock makes a clock whose reading is taken once per evaluation, from `now` (ms). */
export function createEvalClock(now: () => number = Date.now): EvalClock {
  let current: number | undefined;
  return {
    begin: () => {
      current = undefined;
    },
    nowNs: () => (current ??= toNs(now())),
  };
}

/** loaderHostBuiltins returns the builtins loadPolicy supplies, bound to its evaluation clock. */
export function loaderHostBuiltins(
  clock: EvalClock,
  opts: Pick<HostBuiltinOptions, 'runtime'> = {},
): Record<LoaderBuiltinName, HostBuiltin> {
  return hostBuiltinTable(() => clock.nowNs(), opts.runtime ?? EMPTY_RUNTIME);
}

/**
 * sdkHostBuiltins is what to pass as `customBuiltins` to the plain `@open-policy-agent/opa-wasm`
 * SDK for modules that call the loader-supplied builtins. The SDK uses its own implementation of
 * any builtin it has (v1.10 looks a name up in its table first), so of these only `time.now_ns`
 * and `opa.runtime` take effect there; `yaml.*` stay the SDK's (docs/builtins.md lists how they
 * differ from OPA). The SDK has no per-evaluation hook, but an evaluation is synchronous: the
 * clock reading is kept until the current task yields (a microtask clears it), so every
 * time.now_ns() of one evaluate() agrees. Evaluations run back to back in the same synchronous
 * block share a reading.
 */
export function sdkHostBuiltins(opts: HostBuiltinOptions = {}): Record<LoaderBuiltinName, HostBuiltin> {
  const now = opts.now ?? Date.now;
  let current: number | undefined;
  const nowNs = (): number => {
    if (current === undefined) {
      current = toNs(now());
      queueMicrotask(() => {
        current = undefined;
      });
    }
    return current;
  };
  return hostBuiltinTable(nowNs, opts.runtime ?? EMPTY_RUNTIME);
}

/** hostBuiltinTable is the one list of host builtin implementations, given a clock and the runtime value. */
function hostBuiltinTable(nowNs: () => number, runtime: RuntimeInfo): Record<LoaderBuiltinName, HostBuiltin> {
  return {
    'opa.runtime': () => runtime,
    'time.now_ns': nowNs,
    'yaml.is_valid': yamlIsValid,
    'yaml.marshal': yamlMarshal,
    'yaml.unmarshal': yamlUnmarshal,
  };
}

/** toNs turns a millisecond reading into whole nanoseconds. */
function toNs(ms: number): number {
  return Math.trunc(ms) * 1_000_000;
}
