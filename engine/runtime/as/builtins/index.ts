// Native builtins of the runtime: every engine/abi.ts NATIVE_BUILTINS entry exported as
// nativeExportName(name) (`array.concat` -> `bi_array_concat`) with `arity` i32 value-pointer
// params, returning a value pointer or 0 (undefined; also builtin errors in non-strict mode).
// Re-exported by ../index.ts, so only bi_* names are exported here (they become module exports).

export {
  bi_plus, bi_minus, bi_mul, bi_div, bi_rem, bi_and, bi_or,
  bi_equal, bi_neq, bi_lt, bi_lte, bi_gt, bi_gte,
  bi_internal_member_2, bi_internal_member_3,
} from "./operators";
export {
  bi_count, bi_sum, bi_product, bi_max, bi_min, bi_sort, bi_abs, bi_to_number, bi_format_int,
} from "./aggregates";
export {
  bi_concat, bi_startswith, bi_endswith, bi_contains, bi_lower, bi_upper, bi_split, bi_trim,
  bi_replace,
} from "./strings";
export {
  bi_is_string, bi_is_number, bi_is_boolean, bi_is_array, bi_is_set, bi_is_object, bi_is_null,
  bi_type_name, bi_object_get, bi_object_keys, bi_array_concat, bi_array_slice, bi_union,
  bi_intersection,
} from "./objects";
export { bi_internal_print } from "./format";
export { bi_sprintf } from "./sprintf";
export { bi_regex_match } from "./regex-vm";
export { bi_glob_match } from "./glob";
export { bi_walk } from "./walk";
export {
  bi_cast_array, bi_cast_set, bi_cast_string, bi_cast_boolean, bi_cast_null, bi_cast_object,
  bi_all, bi_any, bi_set_diff, bi_re_match,
} from "./deprecated";
export * from "./text/index";
export * from "./data/index";
export * from "./time/index";
