// Sorted sets and objects (binary search, O(log n) lookups), element access and the copying
// updates generated code needs. Exports: setIndex/objectIndex (found >= 0, else -(insert+1)),
// setAdd, setContains, setDifference, objectGet, objectInsert, objectInsertOnce, objectCopy,
// objectMerge, upsert, dot, arrayIndexOf (integral number -> index or -1), stringRuneCount,
// collectionCount, isList.

import { compare, equal } from "./compare";
import {
  T_ARRAY, T_NUMBER, T_OBJECT, T_SET,
  listGet, listInsertAt, listItems, listLen, newObject, newSet, numberOf, objInsertAt, objKeyAt, objKeys,
  objLen, objSetValAt, objValAt, objVals, strLen, strPtr, tagOf,
} from "./value";

/** setIndex binary-searches a SET (or any list sorted in Rego order): index if found, else -(insertion point + 1). */
export function setIndex(set: usize, v: usize): i32 {
  let lo: i32 = 0;
  let hi: i32 = <i32>listLen(set) - 1;
  const items = listItems(set);
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = compare(<usize>load<u32>(items + (<usize>mid << 2)), v);
    if (c == 0) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return -(lo + 1);
}

/** setAdd inserts v into a SET, keeping it sorted and unique. */
export function setAdd(set: usize, v: usize): void {
  if (v == 0) return;
  const n = listLen(set);
  // Fast path: appending in order (sorted input, comprehensions over sorted collections).
  if (n == 0 || compare(listGet(set, n - 1), v) < 0) {
    listInsertAt(set, n, v);
    return;
  }
  const i = setIndex(set, v);
  if (i >= 0) return;
  listInsertAt(set, <u32>(-i - 1), v);
}

/** setContains tells whether v is a member of SET set. */
export function setContains(set: usize, v: usize): bool {
  return v != 0 && setIndex(set, v) >= 0;
}

/** setDifference returns a new SET of the members of SET a that are not in SET b. */
export function setDifference(a: usize, b: usize): usize {
  const n = listLen(a);
  const out = newSet(n);
  for (let i: u32 = 0; i < n; i++) {
    const v = listGet(a, i);
    if (!setContains(b, v)) listInsertAt(out, listLen(out), v);
  }
  return out;
}

/** objectIndex binary-searches an OBJECT's keys: index if found, else -(insertion point + 1). */
export function objectIndex(obj: usize, key: usize): i32 {
  let lo: i32 = 0;
  let hi: i32 = <i32>objLen(obj) - 1;
  const keys = objKeys(obj);
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = compare(<usize>load<u32>(keys + (<usize>mid << 2)), key);
    if (c == 0) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return -(lo + 1);
}

/** objectGet returns the value under key in OBJECT obj, or 0. */
export function objectGet(obj: usize, key: usize): usize {
  if (key == 0) return 0;
  const i = objectIndex(obj, key);
  return i >= 0 ? objValAt(obj, <u32>i) : 0;
}

/** objectInsert sets key to v in OBJECT obj (mutating), replacing an existing value. */
export function objectInsert(obj: usize, key: usize, v: usize): void {
  if (key == 0 || v == 0) return;
  const n = objLen(obj);
  if (n == 0 || compare(objKeyAt(obj, n - 1), key) < 0) {
    objInsertAt(obj, n, key, v);
    return;
  }
  const i = objectIndex(obj, key);
  if (i >= 0) objSetValAt(obj, <u32>i, v);
  else objInsertAt(obj, <u32>(-i - 1), key, v);
}

/** objectInsertOnce sets key to v unless key holds a different value: true if ok, false on conflict. */
export function objectInsertOnce(obj: usize, key: usize, v: usize): bool {
  if (key == 0 || v == 0) return true;
  const i = objectIndex(obj, key);
  if (i >= 0) return equal(objValAt(obj, <u32>i), v);
  objInsertAt(obj, <u32>(-i - 1), key, v);
  return true;
}

/** objectCopy returns a shallow copy of OBJECT obj. */
export function objectCopy(obj: usize): usize {
  const n = objLen(obj);
  const c = newObject(n + 1);
  memory.copy(objKeys(c), objKeys(obj), <usize>n << 2);
  memory.copy(objVals(c), objVals(obj), <usize>n << 2);
  store<u32>(c, n, 4);
  return c;
}

/** objectMerge deep-merges two values: objects merge key-wise, other values must be equal; 0 on conflict. */
export function objectMerge(a: usize, b: usize): usize {
  if (a == 0) return b;
  if (b == 0) return a;
  if (tagOf(a) == T_OBJECT && tagOf(b) == T_OBJECT) {
    const out = objectCopy(a);
    const n = objLen(b);
    for (let i: u32 = 0; i < n; i++) {
      const k = objKeyAt(b, i);
      const j = objectIndex(out, k);
      if (j < 0) {
        objInsertAt(out, <u32>(-j - 1), k, objValAt(b, i));
      } else {
        const m = objectMerge(objValAt(out, <u32>j), objValAt(b, i));
        if (m == 0) return 0;
        objSetValAt(out, <u32>j, m);
      }
    }
    return out;
  }
  return equal(a, b) ? a : 0;
}

/** upsert returns a copy of doc (0 = empty object) with v stored at path (an ARRAY of keys); non-object intermediates are replaced. */
export function upsert(doc: usize, path: usize, v: usize): usize {
  return upsertFrom(doc, path, 0, v);
}

function upsertFrom(doc: usize, path: usize, i: u32, v: usize): usize {
  if (i >= listLen(path)) return v;
  const key = listGet(path, i);
  const out = doc != 0 && tagOf(doc) == T_OBJECT ? objectCopy(doc) : newObject(4);
  const j = objectIndex(out, key);
  const child = j >= 0 ? objValAt(out, <u32>j) : 0;
  const nv = upsertFrom(child, path, i + 1, v);
  if (j >= 0) objSetValAt(out, <u32>j, nv);
  else objInsertAt(out, <u32>(-j - 1), key, nv);
  return out;
}

/** arrayIndexOf converts a NUMBER key to an index into a list of length n, or -1 if not integral/in range. */
export function arrayIndexOf(key: usize, n: u32): i32 {
  if (tagOf(key) != T_NUMBER) return -1;
  const f = numberOf(key);
  if (!(f >= 0) || f >= <f64>n || f != Math.floor(f)) return -1;
  return <i32>f;
}

/** dot looks key up in source: array element at an integral index, object value, set member itself; else 0. */
export function dot(src: usize, key: usize): usize {
  if (src == 0 || key == 0) return 0;
  switch (tagOf(src)) {
    case T_ARRAY: {
      const i = arrayIndexOf(key, listLen(src));
      return i < 0 ? 0 : listGet(src, <u32>i);
    }
    case T_OBJECT:
      return objectGet(src, key);
    case T_SET: {
      const i = setIndex(src, key);
      return i < 0 ? 0 : listGet(src, <u32>i);
    }
  }
  return 0;
}

/** stringRuneCount counts the code points of a STRING value (UTF-8 lead bytes). */
export function stringRuneCount(s: usize): u32 {
  const p = strPtr(s);
  const n = strLen(s);
  let c: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    if ((<u32>load<u8>(p + <usize>i) & 0xc0) != 0x80) c++;
  }
  return c;
}

/** collectionCount returns the element count of an ARRAY, SET or OBJECT, or -1 for other values. */
export function collectionCount(v: usize): i32 {
  const t = tagOf(v);
  if (t == T_ARRAY || t == T_SET || t == T_OBJECT) return <i32>listLen(v);
  return -1;
}

/** isList tells whether v is an ARRAY or a SET. */
export function isList(v: usize): bool {
  const t = tagOf(v);
  return t == T_ARRAY || t == T_SET;
}
