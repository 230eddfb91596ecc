// json.remove and json.filter (issue 5): the paths (an array or set of "a/b/c" strings, with
// RFC 6901 "~1"/"~0" escapes and leading slashes ignored, or arrays of path segments) become a
// tree of objects whose leaves are null (a shorter path wins over a longer one below it; empty
// paths are ignored). Array elements are addressed by their index as a string segment ("a/1").
// json.remove drops the tree's leaves from the object (removed array elements close the gap);
// json.filter keeps only them. Exports: bi_json_remove, bi_json_filter, segments (path parsing).

import {
  T_ARRAY, T_NULL, T_OBJECT, T_SET, T_STRING,
  listGet, listLen, listPush, newArray, newObject, newSet, newString, nullValue, objKeyAt, objLen,
  objValAt, strLen, strPtr, tagOf,
} from "../../value";
import { bufByte, bufNew, bufToString, bufU64 } from "../../buf";
import { objectGet, objectInsert, setAdd } from "../../collections";
import { operandError } from "../errors";

/** segments splits a string path into STRING segments (in a fresh ARRAY). */
export function segments(s: usize): usize {
  const out = newArray(4);
  const p = strPtr(s);
  const n = strLen(s);
  if (n == 0) return out;
  let i: u32 = 0;
  while (i < n && load<u8>(p + <usize>i) == 47) i++;
  while (true) {
    const b = bufNew(16);
    while (i < n && load<u8>(p + <usize>i) != 47) {
      const c = <u32>load<u8>(p + <usize>i);
      if (c == 126 && i + 1 < n && load<u8>(p + <usize>i + 1) == 49) { bufByte(b, 47); i += 2; continue; }
      if (c == 126 && i + 1 < n && load<u8>(p + <usize>i + 1) == 48) { bufByte(b, 126); i += 2; continue; }
      bufByte(b, c);
      i++;
    }
    listPush(out, bufToString(b));
    if (i >= n) break;
    i++; // the slash
  }
  return out;
}

/** pathTree builds the removal/filter tree of a paths collection, or 0 after reporting an error. */
function pathTree(fn: string, paths: usize): usize {
  const root = newObject(8);
  const n = listLen(paths);
  for (let i: u32 = 0; i < n; i++) {
    const p = listGet(paths, i);
    let segs: usize;
    if (tagOf(p) == T_STRING) segs = segments(p);
    else if (tagOf(p) == T_ARRAY) segs = p;
    else return operandError(fn, 2, "one of {set, array} containing string paths or array of path segments", p);
    const m = listLen(segs);
    if (m == 0) continue;
    let node = root;
    let done = false;
    for (let j: u32 = 0; j + 1 < m; j++) {
      const k = listGet(segs, j);
      const child = objectGet(node, k);
      if (child == 0) {
        const o = newObject(4);
        objectInsert(node, k, o);
        node = o;
      } else if (tagOf(child) == T_NULL) {
        done = true;
        break;
      } else {
        node = child;
      }
    }
    if (!done) objectInsert(node, listGet(segs, m - 1), nullValue());
  }
  return root;
}

/** indexKey makes the STRING segment naming array index i. */
function indexKey(i: u32): usize {
  const b = bufNew(12);
  bufU64(b, <u64>i);
  return bufToString(b);
}

/** removeTree returns a without the leaves of tree t (0: removed entirely). */
function removeTree(a: usize, t: usize): usize {
  if (t == 0) return a;
  if (tagOf(t) != T_OBJECT) return 0;
  switch (tagOf(a)) {
    case T_OBJECT: {
      const o = newObject(objLen(a));
      for (let i: u32 = 0; i < objLen(a); i++) {
        const v = removeTree(objValAt(a, i), objectGet(t, objKeyAt(a, i)));
        if (v != 0) objectInsert(o, objKeyAt(a, i), v);
      }
      return o;
    }
    case T_SET: {
      const s = newSet(listLen(a));
      for (let i: u32 = 0; i < listLen(a); i++) setAdd(s, removeTree(listGet(a, i), objectGet(t, listGet(a, i))));
      return s;
    }
    case T_ARRAY: {
      const r = newArray(listLen(a));
      for (let i: u32 = 0; i < listLen(a); i++) {
        const v = removeTree(listGet(a, i), objectGet(t, indexKey(i)));
        if (v != 0) listPush(r, v);
      }
      return r;
    }
  }
  return a;
}

/** filterTree returns the parts of a named by tree t (a null leaf keeps the whole value). */
function filterTree(a: usize, t: usize): usize {
  if (tagOf(t) != T_OBJECT) return a;
  switch (tagOf(a)) {
    case T_OBJECT: {
      const o = newObject(4);
      for (let i: u32 = 0; i < objLen(a); i++) {
        const sub = objectGet(t, objKeyAt(a, i));
        if (sub != 0) objectInsert(o, objKeyAt(a, i), filterTree(objValAt(a, i), sub));
      }
      return o;
    }
    case T_SET: {
      const s = newSet(4);
      for (let i: u32 = 0; i < listLen(a); i++) {
        const sub = objectGet(t, listGet(a, i));
        if (sub != 0) setAdd(s, filterTree(listGet(a, i), sub));
      }
      return s;
    }
    case T_ARRAY: {
      const r = newArray(4);
      for (let i: u32 = 0; i < listLen(a); i++) {
        const sub = objectGet(t, indexKey(i));
        if (sub != 0) listPush(r, filterTree(listGet(a, i), sub));
      }
      return r;
    }
  }
  return a;
}

function checkArgs(fn: string, obj: usize, paths: usize): usize {
  if (obj == 0 || paths == 0) return 0;
  if (tagOf(obj) != T_OBJECT) return operandError(fn, 1, "object", obj);
  if (tagOf(paths) != T_ARRAY && tagOf(paths) != T_SET) return operandError(fn, 2, "one of {array, set}", paths);
  return pathTree(fn, paths);
}

/** bi_json_remove returns obj without the values at the given paths. */
export function bi_json_remove(obj: usize, paths: usize): usize {
  const t = checkArgs("json.remove", obj, paths);
  if (t == 0) return 0;
  return removeTree(obj, t);
}

/** bi_json_filter returns only the values of obj at the given paths. */
export function bi_json_filter(obj: usize, paths: usize): usize {
  const t = checkArgs("json.filter", obj, paths);
  if (t == 0) return 0;
  return filterTree(obj, t);
}
