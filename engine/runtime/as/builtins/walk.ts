// walk: every [path, value] pair of a document in OPA's order (the document itself first with the
// empty path, then each child in key/index/element order, depth first). The planner iterates the
// returned array to give `walk(x, [path, value])` its relation semantics. Exports: bi_walk.

import {
  T_ARRAY, T_OBJECT, T_SET, listGet, listLen, listPush, newArray, newNumber, objKeyAt, objLen, objValAt, tagOf,
} from "../value";

/** extend returns a copy of path with key appended. */
function extend(path: usize, key: usize): usize {
  const n = listLen(path);
  const out = newArray(n + 1);
  for (let i: u32 = 0; i < n; i++) listPush(out, listGet(path, i));
  listPush(out, key);
  return out;
}

/** visit appends [path, v] and then the pairs of v's children to out. */
function visit(out: usize, path: usize, v: usize): void {
  const pair = newArray(2);
  listPush(pair, path);
  listPush(pair, v);
  listPush(out, pair);
  const tag = tagOf(v);
  if (tag == T_OBJECT) {
    for (let i: u32 = 0; i < objLen(v); i++) visit(out, extend(path, objKeyAt(v, i)), objValAt(v, i));
  } else if (tag == T_ARRAY) {
    for (let i: u32 = 0; i < listLen(v); i++) visit(out, extend(path, newNumber(<f64>i)), listGet(v, i));
  } else if (tag == T_SET) {
    for (let i: u32 = 0; i < listLen(v); i++) visit(out, extend(path, listGet(v, i)), listGet(v, i));
  }
}

/** bi_walk returns the array of [path, value] pairs of x (0 when x is undefined). */
export function bi_walk(x: usize): usize {
  if (x == 0) return 0;
  const out = newArray(8);
  visit(out, newArray(0), x);
  return out;
}
