// json.patch (issue 5): applies RFC 6902 operations (add, remove, replace, move, copy, test) to
// any value. Paths are JSON pointers ("/a/0", "~1"/"~0" escapes, "-" appends to an array) or
// arrays of segments; a set element is addressed by the element itself. Patches apply
// atomically: if any operation fails the result is undefined (no error), as in OPA. The root path
// ("" or []) is the whole document: add/replace set it, remove leaves none (see rootRemoved),
// test/copy/move read it.
// Exports: bi_json_patch.

import {
  T_ARRAY, T_NUMBER, T_OBJECT, T_SET, T_STRING,
  listGet, listLen, listPush, newArray, newObject, newSet, numberOf, objKeyAt, objLen, objValAt,
  strLen, strPtr, tagOf,
} from "../../value";
import { asciiString } from "../../buf";
import { objectGet, objectInsert, setAdd, setContains } from "../../collections";
import { equal } from "../../compare";
import { operandError } from "../errors";
import { segments } from "./json-paths";

const OP_ADD: i32 = 0;
const OP_REMOVE: i32 = 1;
const OP_REPLACE: i32 = 2;

/** arrayIndex reads an array segment: a digit string without leading zeros or an integral number; -1 if neither, -2 for "-". */
function arrayIndex(seg: usize): i64 {
  if (tagOf(seg) == T_NUMBER) {
    const f = numberOf(seg);
    return f >= 0 && f == Math.floor(f) && f < 4294967296.0 ? <i64>f : -1;
  }
  if (tagOf(seg) != T_STRING) return -1;
  const p = strPtr(seg);
  const n = strLen(seg);
  if (n == 1 && load<u8>(p) == 45) return -2;
  if (n == 0 || n > 9 || (n > 1 && load<u8>(p) == 48)) return -1;
  let v: i64 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const c = <i64>load<u8>(p + <usize>i);
    if (c < 48 || c > 57) return -1;
    v = v * 10 + c - 48;
  }
  return v;
}

/** child returns the value under one segment, or 0. */
function child(doc: usize, seg: usize): usize {
  switch (tagOf(doc)) {
    case T_OBJECT: return objectGet(doc, seg);
    case T_ARRAY: {
      const i = arrayIndex(seg);
      return i >= 0 && i < <i64>listLen(doc) ? listGet(doc, <u32>i) : 0;
    }
    case T_SET: return setContains(doc, seg) ? seg : 0;
  }
  return 0;
}

/** getAt returns the value at segs, or 0. */
function getAt(doc: usize, segs: usize): usize {
  let v = doc;
  for (let i: u32 = 0; i < listLen(segs) && v != 0; i++) v = child(v, listGet(segs, i));
  return v;
}

function copyObjectWithout(o: usize, skip: usize): usize {
  const r = newObject(objLen(o) + 1);
  for (let i: u32 = 0; i < objLen(o); i++) if (!equal(objKeyAt(o, i), skip)) objectInsert(r, objKeyAt(o, i), objValAt(o, i));
  return r;
}

/** leaf applies op on container doc at the last segment; returns the new container or 0. */
function leaf(doc: usize, seg: usize, op: i32, value: usize): usize {
  switch (tagOf(doc)) {
    case T_OBJECT: {
      const has = objectGet(doc, seg) != 0;
      if (op != OP_ADD && !has) return 0;
      const r = copyObjectWithout(doc, seg);
      if (op != OP_REMOVE) objectInsert(r, seg, value);
      return r;
    }
    case T_ARRAY: {
      const n = listLen(doc);
      let i = arrayIndex(seg);
      if (i == -2 && op == OP_ADD) i = <i64>n;
      if (i < 0 || i > <i64>n || (op != OP_ADD && i == <i64>n)) return 0;
      const r = newArray(n + 1);
      for (let j: u32 = 0; j < n; j++) {
        if (<i64>j == i) {
          if (op != OP_REMOVE) listPush(r, value);
          if (op == OP_ADD) listPush(r, listGet(doc, j));
        } else {
          listPush(r, listGet(doc, j));
        }
      }
      if (i == <i64>n) listPush(r, value);
      return r;
    }
    case T_SET: {
      const has = setContains(doc, seg);
      if (op != OP_ADD && !has) return 0;
      const r = newSet(listLen(doc) + 1);
      for (let j: u32 = 0; j < listLen(doc); j++) if (!equal(listGet(doc, j), seg)) setAdd(r, listGet(doc, j));
      if (op != OP_REMOVE) setAdd(r, value);
      return r;
    }
  }
  return 0;
}

/** update rebuilds doc with op applied at segs[i..]; 0 on failure. */
function update(doc: usize, segs: usize, i: u32, op: i32, value: usize): usize {
  const n = listLen(segs);
  if (n == 0) return op == OP_REMOVE ? 0 : value;
  const seg = listGet(segs, i);
  if (i + 1 == n) return leaf(doc, seg, op, value);
  const c = child(doc, seg);
  if (c == 0) return 0;
  const nc = update(c, segs, i + 1, op, value);
  if (nc == 0) return 0;
  if (tagOf(doc) == T_SET) return leaf(leaf(doc, seg, OP_REMOVE, 0), nc, OP_ADD, nc);
  return leaf(doc, seg, OP_REPLACE, nc);
}

/** pathOf reads a patch's "path"/"from" member as segments, or 0. */
function pathOf(patch: usize, name: string): usize {
  const p = objectGet(patch, asciiString(name));
  if (tagOf(p) == T_STRING) return segments(p);
  if (tagOf(p) == T_ARRAY) return p;
  return 0;
}

function isOp(op: usize, name: string): bool {
  if (strLen(op) != <u32>name.length) return false;
  for (let i = 0; i < name.length; i++) if (<u32>load<u8>(strPtr(op) + <usize>i) != <u32>name.charCodeAt(i)) return false;
  return true;
}

// rootRemoved: a "remove" at the root path ("" or []) left no document. As in OPA's edit tree,
// only an "add" at the root brings one back; any other operation then fails, and so does a
// patch list that ends with the root removed.
let rootRemoved = false;

/** applyOne applies one patch object; 0 on failure. */
function applyOne(doc: usize, patch: usize): usize {
  if (tagOf(patch) != T_OBJECT) return 0;
  const op = objectGet(patch, asciiString("op"));
  if (tagOf(op) != T_STRING) return 0;
  const path = pathOf(patch, "path");
  if (path == 0) return 0;
  const value = objectGet(patch, asciiString("value"));
  const atRoot = listLen(path) == 0;
  if (rootRemoved) {
    if (!atRoot || value == 0 || !isOp(op, "add")) return 0;
    rootRemoved = false;
    return value;
  }
  if (atRoot && isOp(op, "remove")) {
    rootRemoved = true;
    return doc;
  }
  if (isOp(op, "add")) return value == 0 ? 0 : update(doc, path, 0, OP_ADD, value);
  if (isOp(op, "remove")) return update(doc, path, 0, OP_REMOVE, 0);
  if (isOp(op, "replace")) return value == 0 ? 0 : update(doc, path, 0, OP_REPLACE, value);
  if (isOp(op, "test")) return value != 0 && equal(getAt(doc, path), value) ? doc : 0;
  const from = pathOf(patch, "from");
  if (from == 0) return 0;
  const v = getAt(doc, from);
  if (v == 0) return 0;
  if (isOp(op, "copy")) return update(doc, path, 0, OP_ADD, v);
  if (isOp(op, "move")) {
    // Moving the whole document removes it first: only the root itself can receive it.
    if (listLen(from) == 0) return atRoot ? v : 0;
    const removed = update(doc, from, 0, OP_REMOVE, 0);
    if (removed == 0) return 0;
    return update(removed, path, 0, OP_ADD, v);
  }
  return 0;
}

/** bi_json_patch applies an array of RFC 6902 patches to doc; undefined if any fails. */
export function bi_json_patch(doc: usize, patches: usize): usize {
  if (doc == 0 || patches == 0) return 0;
  if (tagOf(patches) != T_ARRAY) return operandError("json.patch", 2, "array", patches);
  let d = doc;
  rootRemoved = false;
  for (let i: u32 = 0; i < listLen(patches); i++) {
    d = applyOne(d, listGet(patches, i));
    if (d == 0) return 0;
  }
  return rootRemoved ? 0 : d;
}
