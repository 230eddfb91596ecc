// Type predicates and object/array/set builtins: is_string … is_null, type_name, object.get,
// object.keys, array.concat, array.slice, union, intersection. Inputs are value pointers
// (0 = undefined); outputs fresh values (inputs are never mutated) or 0.
// Exports the bi_* functions.

import {
  T_ARRAY, T_BOOLEAN, T_NULL, T_NUMBER, T_OBJECT, T_SET, T_STRING,
  boolValue, listGet, listItems, listLen, newArray, newSet, numberOf, objKeyAt, objLen, tagOf,
} from "../value";
import { asciiString } from "../buf";
import { dot, objectGet, setAdd, setContains } from "../collections";
import { builtinError, operandError, typeNameOf } from "./errors";

/** bi_is_string tells whether x is a string. */
export function bi_is_string(x: usize): usize { return x == 0 ? 0 : boolValue(tagOf(x) == T_STRING); }
/** bi_is_number tells whether x is a number. */
export function bi_is_number(x: usize): usize { return x == 0 ? 0 : boolValue(tagOf(x) == T_NUMBER); }
/** bi_is_boolean tells whether x is a boolean. */
export function bi_is_boolean(x: usize): usize { return x == 0 ? 0 : boolValue(tagOf(x) == T_BOOLEAN); }
/** bi_is_array tells whether x is an array. */
export function bi_is_array(x: usize): usize { return x == 0 ? 0 : boolValue(tagOf(x) == T_ARRAY); }
/** bi_is_set tells whether x is a set. */
export function bi_is_set(x: usize): usize { return x == 0 ? 0 : boolValue(tagOf(x) == T_SET); }
/** bi_is_object tells whether x is an object. */
export function bi_is_object(x: usize): usize { return x == 0 ? 0 : boolValue(tagOf(x) == T_OBJECT); }
/** bi_is_null tells whether x is null. */
export function bi_is_null(x: usize): usize { return x == 0 ? 0 : boolValue(tagOf(x) == T_NULL); }

/** bi_type_name returns "null", "boolean", "number", "string", "array", "object" or "set". */
export function bi_type_name(x: usize): usize {
  if (x == 0) return 0;
  return asciiString(typeNameOf(x));
}

/** bi_object_get returns obj[key] (key may be an array path through objects, arrays and sets) or the default. */
export function bi_object_get(obj: usize, key: usize, dflt: usize): usize {
  if (obj == 0 || key == 0 || dflt == 0) return 0;
  if (tagOf(obj) != T_OBJECT) return operandError("object.get", 1, "object", obj);
  if (tagOf(key) != T_ARRAY) {
    const v = objectGet(obj, key);
    return v != 0 ? v : dflt;
  }
  let cur = obj;
  const n = listLen(key);
  for (let i: u32 = 0; i < n; i++) {
    cur = dot(cur, listGet(key, i));
    if (cur == 0) return dflt;
  }
  return cur;
}

/** bi_object_keys returns the set of an object's keys. */
export function bi_object_keys(obj: usize): usize {
  if (obj == 0) return 0;
  if (tagOf(obj) != T_OBJECT) return operandError("object.keys", 1, "object", obj);
  const n = objLen(obj);
  const out = newSet(n);
  for (let i: u32 = 0; i < n; i++) setAdd(out, objKeyAt(obj, i));
  return out;
}

/** bi_array_concat concatenates two arrays. */
export function bi_array_concat(a: usize, b: usize): usize {
  if (a == 0 || b == 0) return 0;
  if (tagOf(a) != T_ARRAY) return operandError("array.concat", 1, "array", a);
  if (tagOf(b) != T_ARRAY) return operandError("array.concat", 2, "array", b);
  const na = listLen(a);
  const nb = listLen(b);
  const out = newArray(na + nb);
  memory.copy(listItems(out), listItems(a), <usize>na << 2);
  memory.copy(listItems(out) + (<usize>na << 2), listItems(b), <usize>nb << 2);
  store<u32>(out, na + nb, 4);
  return out;
}

/** bi_array_slice returns arr[start:stop] with OPA's clamping (start < 0 -> 0, stop > len -> len, empty if start >= stop). */
export function bi_array_slice(arr: usize, start: usize, stop: usize): usize {
  if (arr == 0 || start == 0 || stop == 0) return 0;
  if (tagOf(arr) != T_ARRAY) return operandError("array.slice", 1, "array", arr);
  if (tagOf(start) != T_NUMBER) return operandError("array.slice", 2, "number", start);
  if (tagOf(stop) != T_NUMBER) return operandError("array.slice", 3, "number", stop);
  let s = numberOf(start);
  let e = numberOf(stop);
  if (s != Math.trunc(s)) return builtinError("eval_type_error", "array.slice: operand 2 must be integer number but got floating-point number");
  if (e != Math.trunc(e)) return builtinError("eval_type_error", "array.slice: operand 3 must be integer number but got floating-point number");
  const n = <f64>listLen(arr);
  if (s < 0) s = 0;
  if (e > n) e = n;
  if (s >= e) return newArray(0);
  const lo = <u32>s;
  const cnt = <u32>e - lo;
  const out = newArray(cnt);
  memory.copy(listItems(out), listItems(arr) + (<usize>lo << 2), <usize>cnt << 2);
  store<u32>(out, cnt, 4);
  return out;
}

/** bi_union returns the union of a set of sets. */
export function bi_union(sets: usize): usize {
  if (sets == 0) return 0;
  if (tagOf(sets) != T_SET) return operandError("union", 1, "set", sets);
  const out = newSet(8);
  const n = listLen(sets);
  for (let i: u32 = 0; i < n; i++) {
    const s = listGet(sets, i);
    if (tagOf(s) != T_SET) return operandError("union", 1, "set of sets", sets);
    for (let j: u32 = 0; j < listLen(s); j++) setAdd(out, listGet(s, j));
  }
  return out;
}

/** bi_intersection returns the intersection of a set of sets (empty for an empty input). */
export function bi_intersection(sets: usize): usize {
  if (sets == 0) return 0;
  if (tagOf(sets) != T_SET) return operandError("intersection", 1, "set", sets);
  const n = listLen(sets);
  for (let i: u32 = 0; i < n; i++) {
    if (tagOf(listGet(sets, i)) != T_SET) return operandError("intersection", 1, "set of sets", sets);
  }
  if (n == 0) return newSet(0);
  const first = listGet(sets, 0);
  const out = newSet(listLen(first));
  for (let j: u32 = 0; j < listLen(first); j++) {
    const v = listGet(first, j);
    let all = true;
    for (let i: u32 = 1; i < n; i++) {
      if (!setContains(listGet(sets, i), v)) { all = false; break; }
    }
    if (all) setAdd(out, v);
  }
  return out;
}
