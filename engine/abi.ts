// The contract between generated code (engine/wasm) and the precompiled runtime
// (engine/runtime/as, AssemblyScript). Generated code calls the runtime only through the `rt_*`
// and `bi_*` exports named here; the linker strips them from the final module, which then
// exports exactly OPA's Wasm ABI (see ../shared/docs/WASM-ABI.md).

/** OPA_ABI_VERSION and OPA_ABI_MINOR_VERSION are exported as immutable i32 globals. */
export const OPA_ABI_VERSION = 1;
export const OPA_ABI_MINOR_VERSION = 3;

import { TEXT_BUILTINS } from './builtins-native/text.js';
import { DATA_BUILTINS } from './builtins-native/data.js';
import { TIME_BUILTINS } from './builtins-native/time.js';

/** RT_ABI_VERSION is exported by the runtime as `rt_abi_version` (a function returning i32); the linker checks it. */
export const RT_ABI_VERSION = 1;

/** TAG is the value type tag returned by `rt_type` (0 means undefined / null pointer). */
export const TAG = {
  undefined: 0,
  null: 1,
  boolean: 2,
  number: 3,
  string: 4,
  array: 5,
  object: 6,
  set: 7,
} as const;

/** WasmType is a wasm value type in a signature. */
export type WasmType = 'i32';

/** RtFunction describes one runtime helper export: its parameter count (all i32) and whether it returns an i32. */
export type RtFunction = { readonly params: number; readonly result: boolean; readonly doc: string };

/**
 * RT_EXPORTS lists the runtime helpers generated code calls. Values are i32 pointers; 0 means
 * undefined. Booleans are i32 0/1.
 */
export const RT_EXPORTS = {
  rt_abi_version: { params: 0, result: true, doc: 'returns RT_ABI_VERSION' },
  rt_heap_get: { params: 0, result: true, doc: 'current heap pointer' },
  rt_heap_set: { params: 1, result: false, doc: 'move the bump allocator to addr (opa_eval prologue)' },
  rt_init_static: {
    params: 1,
    result: false,
    doc: 'called by the start function with the first free address after all static data; sets heap base',
  },
  rt_json_parse: { params: 2, result: true, doc: '(addr, len) -> value | 0 on invalid JSON' },
  rt_json_dump: { params: 1, result: true, doc: 'value -> addr of NUL-terminated JSON' },
  rt_abort: { params: 1, result: false, doc: 'addr of NUL-terminated ASCII message -> env.opa_abort (does not return)' },
  rt_type: { params: 1, result: true, doc: 'value -> TAG' },
  rt_bool: { params: 1, result: true, doc: 'i32 0/1 -> static false/true value' },
  rt_null: { params: 0, result: true, doc: 'static null value' },
  rt_number_int: { params: 1, result: true, doc: 'i32 -> number value' },
  rt_dot: { params: 2, result: true, doc: '(source, key) -> element | 0' },
  rt_len: { params: 1, result: true, doc: 'collection -> number value of its length | 0' },
  rt_count: { params: 1, result: true, doc: 'collection -> raw i32 element count (0 for non-collections); for scans' },
  rt_key_at: { params: 2, result: true, doc: '(collection, i) -> i-th key: array index as number, object key, set element' },
  rt_value_at: { params: 2, result: true, doc: '(collection, i) -> i-th value: array element, object value, set element' },
  rt_equal: { params: 2, result: true, doc: '(a, b) -> 1 if equal Rego values (0 if either undefined)' },
  rt_compare: { params: 2, result: true, doc: '(a, b) -> -1/0/1 in Rego total order' },
  rt_make_array: { params: 1, result: true, doc: 'capacity -> new empty array' },
  rt_make_object: { params: 0, result: true, doc: 'new empty object' },
  rt_make_set: { params: 0, result: true, doc: 'new empty set' },
  rt_array_append: { params: 2, result: false, doc: '(array, value)' },
  rt_object_insert: { params: 3, result: false, doc: '(object, key, value), replaces' },
  rt_object_insert_once: { params: 3, result: true, doc: '(object, key, value) -> 1 ok, 0 conflict (key present, different value)' },
  rt_object_merge: { params: 2, result: true, doc: '(a, b) -> deep-merged new object | 0 on conflict' },
  rt_set_add: { params: 2, result: false, doc: '(set, value)' },
  rt_upsert: { params: 3, result: true, doc: '(doc|0, path array of keys, value) -> copy of doc with value at path' },
  rt_result_set: { params: 1, result: true, doc: 'value|0 -> [{"result": value}] or [] (as an array value)' },
  rt_ctx_input: { params: 1, result: true, doc: 'ctx -> input value | 0' },
  rt_ctx_data: { params: 1, result: true, doc: 'ctx -> data value | 0' },
  rt_ctx_entrypoint: { params: 1, result: true, doc: 'ctx -> entrypoint id' },
  rt_ctx_set_result: { params: 2, result: false, doc: '(ctx, result set value)' },
  rt_host_builtin0: { params: 1, result: true, doc: '(id) -> env.opa_builtin0(id, 0) | 0' },
  rt_host_builtin1: { params: 2, result: true, doc: '(id, a)' },
  rt_host_builtin2: { params: 3, result: true, doc: '(id, a, b)' },
  rt_host_builtin3: { params: 4, result: true, doc: '(id, a, b, c)' },
  rt_host_builtin4: { params: 5, result: true, doc: '(id, a, b, c, d)' },
  rt_set_strict: { params: 1, result: false, doc: 'i32 0/1: strict builtin errors (abort instead of undefined)' },
  rt_set_location: {
    params: 1,
    result: false,
    doc: 'addr of NUL-terminated "file:row" of the builtin call about to run (for error messages)',
  },
  rt_tz_init: {
    params: 1,
    result: false,
    doc: 'addr of the tzdata blob in static data (start function; only when a zone builtin is called)',
  },
} as const satisfies Record<string, RtFunction>;

/**
 * OPTIONS_SECTION names the custom section our compiler adds to every module: JSON
 * `{"strictBuiltinErrors": boolean}`, so our loader treats host builtin errors as the module's
 * own builtins do (undefined, or an abort in strict mode). Other hosts ignore custom sections.
 */
export const OPTIONS_SECTION = 'portcullis.options';

/**
 * INSTRUMENT_BUILTINS are the host builtins the planner calls in an instrumented build (tools
 * only: `portcullis test --coverage` and its failure explanations; never in a bundle). Names
 * outside OPA's namespaces, so no policy can call them. cover(["file", row]) marks a line
 * evaluated; explain(site, [[v] | [], …]) reports an expression's operand values on entry.
 * The host answers `true`; the planner ignores the answer.
 */
export const INSTRUMENT_BUILTINS = { cover: 'portcullis.cover', explain: 'portcullis.explain' } as const;

/** RtExportName is the name of one runtime helper. */
export type RtExportName = keyof typeof RT_EXPORTS;

/** NativeBuiltin describes a builtin implemented in the runtime as export `bi_<name with . as _>`. */
export type NativeBuiltin = {
  readonly arity: number;
  /** zones: the builtin reads the time zone database, so the module carries the tzdata blob. */
  readonly zones?: boolean;
};

/**
 * NATIVE_BUILTINS lists OPA builtins the runtime implements natively. Each is exported as
 * `bi_` + name with `.` replaced by `_` (see nativeExportName), takes `arity` value args and
 * returns a value or 0 (undefined, including builtin errors in non-strict mode).
 * `internal.print` takes one array whose items are `[]` (undefined argument) or `[v]`.
 */
const CORE_BUILTINS = {
  // operators
  plus: { arity: 2 },
  minus: { arity: 2 },
  mul: { arity: 2 },
  div: { arity: 2 },
  rem: { arity: 2 },
  and: { arity: 2 },
  or: { arity: 2 },
  equal: { arity: 2 },
  neq: { arity: 2 },
  lt: { arity: 2 },
  lte: { arity: 2 },
  gt: { arity: 2 },
  gte: { arity: 2 },
  'internal.member_2': { arity: 2 },
  'internal.member_3': { arity: 3 },
  'internal.print': { arity: 1 },
  // aggregates
  count: { arity: 1 },
  sum: { arity: 1 },
  product: { arity: 1 },
  max: { arity: 1 },
  min: { arity: 1 },
  sort: { arity: 1 },
  // numbers
  abs: { arity: 1 },
  to_number: { arity: 1 },
  format_int: { arity: 2 },
  // strings
  concat: { arity: 2 },
  startswith: { arity: 2 },
  endswith: { arity: 2 },
  contains: { arity: 2 },
  lower: { arity: 1 },
  upper: { arity: 1 },
  split: { arity: 2 },
  trim: { arity: 2 },
  replace: { arity: 3 },
  sprintf: { arity: 2 },
  // types
  is_string: { arity: 1 },
  is_number: { arity: 1 },
  is_boolean: { arity: 1 },
  is_array: { arity: 1 },
  is_set: { arity: 1 },
  is_object: { arity: 1 },
  is_null: { arity: 1 },
  type_name: { arity: 1 },
  // objects, arrays, sets
  'object.get': { arity: 3 },
  'object.keys': { arity: 1 },
  'array.concat': { arity: 2 },
  'array.slice': { arity: 3 },
  union: { arity: 1 },
  intersection: { arity: 1 },
  // walk(x, [path, value]) is a relation: bi_walk returns all pairs and the planner iterates them
  walk: { arity: 1 },
  // patterns
  'regex.match': { arity: 2 },
  'glob.match': { arity: 3 },
  // deprecated in OPA, still called by Rego v0 policies
  cast_array: { arity: 1 },
  cast_set: { arity: 1 },
  cast_string: { arity: 1 },
  cast_boolean: { arity: 1 },
  cast_null: { arity: 1 },
  cast_object: { arity: 1 },
  all: { arity: 1 },
  any: { arity: 1 },
  set_diff: { arity: 2 },
  re_match: { arity: 2 },
} as const satisfies Record<string, NativeBuiltin>;

/**
 * NATIVE_BUILTINS lists every OPA builtin the runtime implements natively: the core set above plus
 * the families in engine/builtins-native/ (one file per family, each matched by a folder in
 * engine/runtime/as/builtins/). Each is exported as `bi_` + name with `.` replaced by `_`.
 */
export const NATIVE_BUILTINS = {
  ...CORE_BUILTINS,
  ...TEXT_BUILTINS,
  ...DATA_BUILTINS,
  ...TIME_BUILTINS,
} as const satisfies Record<string, NativeBuiltin>;

/** nativeExportName maps a builtin name to its runtime export (`array.concat` -> `bi_array_concat`). */
export function nativeExportName(name: string): string {
  return `bi_${name.replace(/\./g, '_')}`;
}

/**
 * LOADER_BUILTIN_NAMES are the builtins our loader (engine/runtime/host-builtins.ts) supplies
 * through env.opa_builtinN, so the checker accepts them: `time.now_ns` and `opa.runtime` (OPA's
 * Wasm ABI gives a module no clock and no runtime description), `rand.intn` and `uuid.rfc4122`
 * (no entropy either) and the `yaml.*` builtins (they need a YAML parser, which the runtime does
 * not carry).
 */
export const LOADER_BUILTIN_NAMES = [
  'opa.runtime',
  'rand.intn',
  'time.now_ns',
  'uuid.rfc4122',
  'yaml.is_valid',
  'yaml.marshal',
  'yaml.unmarshal',
] as const;

/** LoaderBuiltinName is one of LOADER_BUILTIN_NAMES. */
export type LoaderBuiltinName = (typeof LOADER_BUILTIN_NAMES)[number];

/** OPA_EXPORTS are the exports the final module must have (ABI 1.x, minor >= 2). */
export const OPA_EXPORTS = [
  'opa_wasm_abi_version',
  'opa_wasm_abi_minor_version',
  'opa_malloc',
  'opa_free',
  'opa_json_parse',
  'opa_json_dump',
  'opa_value_parse',
  'opa_value_dump',
  'opa_heap_ptr_get',
  'opa_heap_ptr_set',
  'opa_eval_ctx_new',
  'opa_eval_ctx_set_input',
  'opa_eval_ctx_set_data',
  'opa_eval_ctx_set_entrypoint',
  'opa_eval_ctx_get_result',
  'builtins',
  'entrypoints',
  'eval',
  'opa_eval',
] as const;

/** ENV_IMPORTS are the only imports a module may have (module `env`). */
export const ENV_IMPORTS = [
  'memory',
  'opa_abort',
  'opa_println',
  'opa_builtin0',
  'opa_builtin1',
  'opa_builtin2',
  'opa_builtin3',
  'opa_builtin4',
] as const;
