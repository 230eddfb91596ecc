// The rt_* helper exports generated code calls (engine/abi.ts RT_EXPORTS: names, i32-only
// signatures and semantics). The linker strips them from the final module. Everything exported
// here becomes a module export through index.ts, so this file exports nothing else.

import {
  T_ARRAY, T_OBJECT, T_SET, T_STRING,
  boolValue, heapGet, heapSet, listGet, listLen, listPush, newArray, newNumber, newObject,
  newSet, newString, nullValue, objKeyAt, objValAt, tagOf,
} from "./value";
import { compare, equal } from "./compare";
import {
  dot, objectInsert, objectInsertOnce, objectMerge, setAdd, stringRuneCount, upsert,
} from "./collections";
import { parseJSON } from "./json-parse";
import { dumpCString } from "./json-dump";
import { ctxData, ctxEntrypoint, ctxInput, ctxSetResult } from "./ctx";
import {
  hostAbort, hostBuiltin0, hostBuiltin1, hostBuiltin2, hostBuiltin3, hostBuiltin4, setLocation,
  setStrict,
} from "./host";

const RESULT_KEY: usize = memory.data<u8>([114, 101, 115, 117, 108, 116]); // "result"

/** rt_abi_version returns RT_ABI_VERSION (engine/abi.ts). */
export function rt_abi_version(): i32 {
  return 1;
}
/** rt_heap_get returns the current heap pointer. */
export function rt_heap_get(): usize {
  return heapGet();
}
/** rt_heap_set moves the bump allocator to addr. */
export function rt_heap_set(addr: usize): void {
  heapSet(addr);
}
/** rt_init_static sets the heap base to the first free address after all static data. */
export function rt_init_static(addr: usize): void {
  heapSet((addr + 7) & ~(<usize>7));
}
/** rt_json_parse parses len bytes of JSON at addr; 0 on invalid JSON. */
export function rt_json_parse(addr: usize, len: i32): usize {
  return parseJSON(addr, <u32>len);
}
/** rt_json_dump returns the address of v's NUL-terminated JSON text. */
export function rt_json_dump(v: usize): usize {
  return dumpCString(v);
}
/** rt_abort aborts through env.opa_abort with a NUL-terminated ASCII message; never returns. */
export function rt_abort(addr: usize): void {
  hostAbort(addr);
}
/** rt_type returns the TAG of v (0 for undefined). */
export function rt_type(v: usize): i32 {
  return <i32>tagOf(v);
}
/** rt_bool returns the static false/true value for 0/non-zero. */
export function rt_bool(b: i32): usize {
  return boolValue(b != 0);
}
/** rt_null returns the static null value. */
export function rt_null(): usize {
  return nullValue();
}
/** rt_number_int makes a number value from an i32. */
export function rt_number_int(i: i32): usize {
  return newNumber(<f64>i);
}
/** rt_dot looks key up in source (array index, object key, set member); 0 if absent. */
export function rt_dot(src: usize, key: usize): usize {
  return dot(src, key);
}
/** rt_len returns the length of a collection (code points for strings) as a number value, else 0. */
export function rt_len(v: usize): usize {
  const t = tagOf(v);
  if (t == T_ARRAY || t == T_SET || t == T_OBJECT) return newNumber(<f64>listLen(v));
  if (t == T_STRING) return newNumber(<f64>stringRuneCount(v));
  return 0;
}
/** rt_count returns the raw element count of an array, set or object (0 for anything else). */
export function rt_count(v: usize): i32 {
  const t = tagOf(v);
  if (t == T_ARRAY || t == T_SET || t == T_OBJECT) return <i32>listLen(v);
  return 0;
}
/** rt_key_at returns the i-th key: array index as a number, object key, set element; 0 if out of range. */
export function rt_key_at(v: usize, i: i32): usize {
  const t = tagOf(v);
  if (!(t == T_ARRAY || t == T_SET || t == T_OBJECT) || i < 0 || <u32>i >= listLen(v)) return 0;
  if (t == T_ARRAY) return newNumber(<f64>i);
  if (t == T_OBJECT) return objKeyAt(v, <u32>i);
  return listGet(v, <u32>i);
}
/** rt_value_at returns the i-th value: array element, object value, set element; 0 if out of range. */
export function rt_value_at(v: usize, i: i32): usize {
  const t = tagOf(v);
  if (!(t == T_ARRAY || t == T_SET || t == T_OBJECT) || i < 0 || <u32>i >= listLen(v)) return 0;
  if (t == T_OBJECT) return objValAt(v, <u32>i);
  return listGet(v, <u32>i);
}
/** rt_equal returns 1 if a and b are equal Rego values (0 if either is undefined). */
export function rt_equal(a: usize, b: usize): i32 {
  return equal(a, b) ? 1 : 0;
}
/** rt_compare returns -1/0/1 in Rego's total order. */
export function rt_compare(a: usize, b: usize): i32 {
  return compare(a, b);
}
/** rt_make_array makes an empty array with room for cap items. */
export function rt_make_array(cap: i32): usize {
  return newArray(cap < 0 ? 0 : <u32>cap);
}
/** rt_make_object makes an empty object. */
export function rt_make_object(): usize {
  return newObject(4);
}
/** rt_make_set makes an empty set. */
export function rt_make_set(): usize {
  return newSet(4);
}
/** rt_array_append appends v to an array (ignored if v is undefined). */
export function rt_array_append(arr: usize, v: usize): void {
  if (v != 0) listPush(arr, v);
}
/** rt_object_insert sets key to v in obj, replacing any value. */
export function rt_object_insert(obj: usize, key: usize, v: usize): void {
  objectInsert(obj, key, v);
}
/** rt_object_insert_once sets key to v in obj: 1 ok, 0 if key holds a different value. */
export function rt_object_insert_once(obj: usize, key: usize, v: usize): i32 {
  return objectInsertOnce(obj, key, v) ? 1 : 0;
}
/** rt_object_merge deep-merges two objects into a new one; 0 on conflict. */
export function rt_object_merge(a: usize, b: usize): usize {
  return objectMerge(a, b);
}
/** rt_set_add adds v to a set (sorted, unique). */
export function rt_set_add(set: usize, v: usize): void {
  setAdd(set, v);
}
/** rt_upsert returns a copy of doc (0 = empty object) with v at path (an array of keys). */
export function rt_upsert(doc: usize, path: usize, v: usize): usize {
  return upsert(doc, path, v);
}
/** rt_result_set wraps v as [{"result": v}], or [] if v is undefined. */
export function rt_result_set(v: usize): usize {
  const rs = newArray(1);
  if (v == 0) return rs;
  const o = newObject(1);
  objectInsert(o, newString(RESULT_KEY, 6), v);
  listPush(rs, o);
  return rs;
}
/** rt_ctx_input returns the context's input (0 if none). */
export function rt_ctx_input(ctx: usize): usize {
  return ctxInput(ctx);
}
/** rt_ctx_data returns the context's data (0 if none). */
export function rt_ctx_data(ctx: usize): usize {
  return ctxData(ctx);
}
/** rt_ctx_entrypoint returns the context's entrypoint id. */
export function rt_ctx_entrypoint(ctx: usize): i32 {
  return ctxEntrypoint(ctx);
}
/** rt_ctx_set_result stores the result set in the context. */
export function rt_ctx_set_result(ctx: usize, rs: usize): void {
  ctxSetResult(ctx, rs);
}
/** rt_host_builtin0 calls env.opa_builtin0(id, 0). */
export function rt_host_builtin0(id: i32): usize {
  return hostBuiltin0(id);
}
/** rt_host_builtin1 calls env.opa_builtin1(id, 0, a). */
export function rt_host_builtin1(id: i32, a: usize): usize {
  return hostBuiltin1(id, a);
}
/** rt_host_builtin2 calls env.opa_builtin2(id, 0, a, b). */
export function rt_host_builtin2(id: i32, a: usize, b: usize): usize {
  return hostBuiltin2(id, a, b);
}
/** rt_host_builtin3 calls env.opa_builtin3(id, 0, a, b, c). */
export function rt_host_builtin3(id: i32, a: usize, b: usize, c: usize): usize {
  return hostBuiltin3(id, a, b, c);
}
/** rt_host_builtin4 calls env.opa_builtin4(id, 0, a, b, c, d). */
export function rt_host_builtin4(id: i32, a: usize, b: usize, c: usize, d: usize): usize {
  return hostBuiltin4(id, a, b, c, d);
}
/** rt_set_strict sets strict builtin errors (1: abort, 0: undefined). */
export function rt_set_strict(b: i32): void {
  setStrict(b);
}
/** rt_set_location records the NUL-terminated "file:row" of the builtin call about to run. */
export function rt_set_location(addr: usize): void {
  setLocation(addr);
}
