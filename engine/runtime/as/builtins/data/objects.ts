// Object and array builtins of the "data" family: object.remove, object.filter, object.union,
// object.union_n, object.subset, array.reverse and array.flatten. Results are fresh values; inputs
// are never mutated. Exports: the bi_* functions.

import {
  T_ARRAY, T_OBJECT, T_SET, boolValue, listGet, listLen, listPush, newArray, newObject,
  objInsertAt, objKeyAt, objLen, objValAt, tagOf,
} from "../../value";
import { equal } from "../../compare";
import { objectCopy, objectIndex, objectInsert, setContains } from "../../collections";
import { builtinError, operandError } from "../errors";

/** keyContains tells whether k is among the keys listed by an array, set or object. */
function keyContains(keys: usize, k: usize): bool {
  const t = tagOf(keys);
  if (t == T_SET) return setContains(keys, k);
  if (t == T_OBJECT) return objectIndex(keys, k) >= 0;
  const n = listLen(keys);
  for (let i: u32 = 0; i < n; i++) if (equal(listGet(keys, i), k)) return true;
  return false;
}

function keep(fn: string, obj: usize, keys: usize, wanted: bool): usize {
  if (obj == 0 || keys == 0) return 0;
  if (tagOf(obj) != T_OBJECT) return operandError(fn, 1, "object", obj);
  const t = tagOf(keys);
  if (t != T_ARRAY && t != T_SET && t != T_OBJECT) {
    return operandError(fn, 2, "one of {array, object, set}", keys);
  }
  const n = objLen(obj);
  const out = newObject(n);
  let m: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const k = objKeyAt(obj, i);
    if (keyContains(keys, k) == wanted) objInsertAt(out, m++, k, objValAt(obj, i));
  }
  return out;
}

/** bi_object_remove returns obj without the keys listed by an array, set or object. */
export function bi_object_remove(obj: usize, keys: usize): usize {
  return keep("object.remove", obj, keys, false);
}

/** bi_object_filter returns obj with only the keys listed by an array, set or object. */
export function bi_object_filter(obj: usize, keys: usize): usize {
  return keep("object.filter", obj, keys, true);
}

/** unionValues merges b into a: objects merge recursively, otherwise b wins. */
function unionValues(a: usize, b: usize): usize {
  if (tagOf(a) != T_OBJECT || tagOf(b) != T_OBJECT) return b;
  const out = objectCopy(a);
  const n = objLen(b);
  for (let i: u32 = 0; i < n; i++) {
    const k = objKeyAt(b, i);
    const j = objectIndex(out, k);
    const v = objValAt(b, i);
    objectInsert(out, k, j >= 0 ? unionValues(objValAt(out, <u32>j), v) : v);
  }
  return out;
}

/** bi_object_union merges two objects recursively; on conflicts b's value wins. */
export function bi_object_union(a: usize, b: usize): usize {
  if (a == 0 || b == 0) return 0;
  if (tagOf(a) != T_OBJECT) return operandError("object.union", 1, "object", a);
  if (tagOf(b) != T_OBJECT) return operandError("object.union", 2, "object", b);
  return unionValues(a, b);
}

/** bi_object_union_n merges an array of objects left to right, as object.union. */
export function bi_object_union_n(objs: usize): usize {
  if (objs == 0) return 0;
  if (tagOf(objs) != T_ARRAY) return operandError("object.union_n", 1, "array", objs);
  let acc = newObject(0);
  const n = listLen(objs);
  for (let i: u32 = 0; i < n; i++) {
    const o = listGet(objs, i);
    if (tagOf(o) != T_OBJECT) return operandError("object.union_n", 1, "array of objects", objs);
    acc = unionValues(acc, o);
  }
  return acc;
}

/** arrayContainsRun tells whether sub occurs contiguously, in order, within sup. */
function arrayContainsRun(sup: usize, sub: usize): bool {
  const n = listLen(sup);
  const m = listLen(sub);
  if (m == 0) return true;
  if (m > n) return false;
  for (let i: u32 = 0; i + m <= n; i++) {
    let ok = true;
    for (let j: u32 = 0; j < m; j++) {
      if (!equal(listGet(sup, i + j), listGet(sub, j))) {
        ok = false;
        break;
      }
    }
    if (ok) return true;
  }
  return false;
}

/** arrayHasAll tells whether every element of set sub occurs in array sup. */
function arrayHasAll(sup: usize, sub: usize): bool {
  const m = listLen(sub);
  const n = listLen(sup);
  for (let j: u32 = 0; j < m; j++) {
    const x = listGet(sub, j);
    let found = false;
    for (let i: u32 = 0; i < n; i++) {
      if (equal(listGet(sup, i), x)) {
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

/** isSubset implements object.subset for a supported pair of types; other pairs compare equal. */
function isSubset(sup: usize, sub: usize): bool {
  const ts = tagOf(sup);
  const tb = tagOf(sub);
  if (ts == T_OBJECT && tb == T_OBJECT) {
    const n = objLen(sub);
    for (let i: u32 = 0; i < n; i++) {
      const j = objectIndex(sup, objKeyAt(sub, i));
      if (j < 0) return false;
      if (!isSubset(objValAt(sup, <u32>j), objValAt(sub, i))) return false;
    }
    return true;
  }
  if (ts == T_SET && tb == T_SET) {
    const n = listLen(sub);
    for (let i: u32 = 0; i < n; i++) if (!setContains(sup, listGet(sub, i))) return false;
    return true;
  }
  if (ts == T_ARRAY && tb == T_ARRAY) return arrayContainsRun(sup, sub);
  if (ts == T_ARRAY && tb == T_SET) return arrayHasAll(sup, sub);
  return equal(sup, sub);
}

/** bi_object_subset tells whether sub is a subset of sup (objects recursively, sets, arrays). */
export function bi_object_subset(sup: usize, sub: usize): usize {
  if (sup == 0 || sub == 0) return 0;
  const ts = tagOf(sup);
  const tb = tagOf(sub);
  const ok = (ts == T_OBJECT && tb == T_OBJECT) || (ts == T_SET && tb == T_SET) ||
    (ts == T_ARRAY && (tb == T_ARRAY || tb == T_SET));
  if (!ok) {
    if (ts != T_OBJECT && ts != T_SET && ts != T_ARRAY) {
      return operandError("object.subset", 1, "one of {object, set, array}", sup);
    }
    if (tb != T_OBJECT && tb != T_SET && tb != T_ARRAY) {
      return operandError("object.subset", 2, "one of {object, set, array}", sub);
    }
    return builtinError("eval_type_error", "object.subset: both arguments must be objects, sets, or arrays");
  }
  return boolValue(isSubset(sup, sub));
}

/** bi_array_reverse returns the elements of an array in reverse order. */
export function bi_array_reverse(a: usize): usize {
  if (a == 0) return 0;
  if (tagOf(a) != T_ARRAY) return operandError("array.reverse", 1, "array", a);
  const n = listLen(a);
  const out = newArray(n);
  for (let i = n; i > 0; i--) listPush(out, listGet(a, i - 1));
  return out;
}

/**
 * bi_array_flatten splices the items of an array's array items into their place, one level deep
 * (`[[1, [2]], 3]` gives `[1, [2], 3]`); other items stay as they are.
 */
export function bi_array_flatten(a: usize): usize {
  if (a == 0) return 0;
  if (tagOf(a) != T_ARRAY) return operandError("array.flatten", 1, "array", a);
  const n = listLen(a);
  const out = newArray(n);
  for (let i: u32 = 0; i < n; i++) {
    const item = listGet(a, i);
    if (tagOf(item) != T_ARRAY) {
      listPush(out, item);
      continue;
    }
    const m = listLen(item);
    for (let j: u32 = 0; j < m; j++) listPush(out, listGet(item, j));
  }
  return out;
}
