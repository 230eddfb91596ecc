// The builtins our loader supplies through env.opa_builtinN (engine/abi.ts LOADER_BUILTIN_NAMES):
// `time.now_ns` (one reading per evaluation, as OPA requires: constant within a query),
// `opa.runtime` (a value the embedder sets), the `yaml.*` builtins (./yaml-builtins.ts) and the
// non-deterministic `rand.intn` and `uuid.rfc4122` (a module has no entropy; as OPA caches them per
// query, the same arguments give the same value within one evaluation).
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

/**
 * EvalScope holds what lives for one evaluation: the clock reading `time.now_ns` returns and the
 * values the non-deterministic builtins returned, by builtin and arguments (OPA's per-query cache).
 */
export type EvalScope = {
  begin(): void;
  nowNs(): number;
  memo(key: string, make: () => unknown): unknown;
};

/** EMPTY_RUNTIME is opa.runtime() without runtime information, as in OPA. */
const EMPTY_RUNTIME: RuntimeInfo = Object.freeze({});

/** createEvalScope makes a scope whose clock reading (from `now`, ms) and cache last until begin(). */
export function createEvalScope(now: () => number = Date.now): EvalScope {
  let current: number | undefined;
  const cache = new Map<string, unknown>();
  return {
    begin: () => {
      current = undefined;
      cache.clear();
    },
    nowNs: () => (current ??= toNs(now())),
    memo: (key, make) => {
      if (!cache.has(key)) cache.set(key, make());
      return cache.get(key);
    },
  };
}

/** loaderHostBuiltins returns the builtins loadPolicy supplies, bound to its evaluation scope. */
export function loaderHostBuiltins(
  scope: EvalScope,
  opts: Pick<HostBuiltinOptions, 'runtime'> = {},
): Record<LoaderBuiltinName, HostBuiltin> {
  return hostBuiltinTable(scope, opts.runtime ?? EMPTY_RUNTIME);
}

/**
 * sdkHostBuiltins is what to pass as `customBuiltins` to the plain `@open-policy-agent/opa-wasm`
 * SDK for modules that call the loader-supplied builtins. The SDK uses its own implementation of
 * any builtin it has (v1.10 looks a name up in its table first), so of these `yaml.*` stay the
 * SDK's (docs/builtins.md lists how they differ from OPA). The SDK has no per-evaluation hook, but
 * an evaluation is synchronous: the clock reading and the rand.intn/uuid.rfc4122 values are kept
 * until the current task yields (a microtask clears them), so every time.now_ns() of one
 * evaluate() agrees. Evaluations run back to back in the same synchronous block share them.
 */
export function sdkHostBuiltins(opts: HostBuiltinOptions = {}): Record<LoaderBuiltinName, HostBuiltin> {
  const scope = createEvalScope(opts.now ?? Date.now);
  let open = false;
  const touch = (): void => {
    if (open) return;
    open = true;
    queueMicrotask(() => {
      open = false;
      scope.begin();
    });
  };
  const sdkScope: EvalScope = {
    begin: scope.begin,
    nowNs: () => {
      touch();
      return scope.nowNs();
    },
    memo: (key, make) => {
      touch();
      return scope.memo(key, make);
    },
  };
  return hostBuiltinTable(sdkScope, opts.runtime ?? EMPTY_RUNTIME);
}

/** hostBuiltinTable is the one list of host builtin implementations, given a scope and the runtime value. */
function hostBuiltinTable(scope: EvalScope, runtime: RuntimeInfo): Record<LoaderBuiltinName, HostBuiltin> {
  return {
    'opa.runtime': () => runtime,
    'rand.intn': (str: unknown, n: unknown) => randIntn(scope, str, n),
    'time.now_ns': () => scope.nowNs(),
    'uuid.rfc4122': (str: unknown) => scope.memo(`uuid.rfc4122\0${JSON.stringify(str)}`, () => webCrypto().randomUUID()),
    'yaml.is_valid': yamlIsValid,
    'yaml.marshal': yamlMarshal,
    'yaml.unmarshal': yamlUnmarshal,
  };
}

/**
 * randIntn is OPA's rand.intn: 0 for n = 0, otherwise a uniform integer in [0, |n|), cached per
 * evaluation under the string and |n| (so rand.intn("a", -5) is rand.intn("a", 5)).
 */
function randIntn(scope: EvalScope, str: unknown, n: unknown): unknown {
  if (typeof str !== 'string') throw new Error(`operand 1 must be string but got ${typeName(str)}`);
  if (typeof n !== 'number') throw new Error(`operand 2 must be number but got ${typeName(n)}`);
  if (!Number.isInteger(n)) throw new Error('operand 2 must be integer number but got floating-point number');
  if (n === 0) return 0;
  const bound = Math.abs(n);
  return scope.memo(`rand.intn\0${str}-${bound}`, () => randomBelow(bound));
}

/** randomBelow draws a uniform integer in [0, bound) from 64 random bits (rejection sampling). */
function randomBelow(bound: number): number {
  const b = BigInt(bound);
  const span = 1n << 64n;
  const limit = span - (span % b);
  const word = new BigUint64Array(1);
  for (;;) {
    webCrypto().getRandomValues(word);
    const v = word[0] as bigint;
    if (v < limit) return Number(v % b);
  }
}

/** WebCrypto is the part of the Web Crypto global (Node >= 19) the random builtins use. */
type WebCrypto = { getRandomValues(a: BigUint64Array): BigUint64Array; randomUUID(): string };

/** webCrypto returns globalThis.crypto (no node: import: the runtime stays host-neutral). */
function webCrypto(): WebCrypto {
  return (globalThis as unknown as { crypto: WebCrypto }).crypto;
}

/** typeName names a JSON value's Rego type (for operand errors). */
function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  return typeof v;
}

/** toNs turns a millisecond reading into whole nanoseconds. */
function toNs(ms: number): number {
  return Math.trunc(ms) * 1_000_000;
}
