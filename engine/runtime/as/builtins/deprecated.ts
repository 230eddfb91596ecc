// Builtins OPA deprecated but still runs for Rego v0 policies: the casts cast_array, cast_set,
// cast_string, cast_boolean, cast_null and cast_object (an identity on the right type), all and
// any (over arrays and sets of booleans), set_diff (set difference, now infix `-`) and re_match
// (regex.match under its old name). Errors name the deprecated builtin, as OPA's do.
// Exports the bi_* functions.

import {
  T_ARRAY, T_BOOLEAN, T_NULL, T_OBJECT, T_SET, T_STRING,
  boolOf, boolValue, listGet, listLen, listPush, newArray, newSet, tagOf,
} from "../value";
import { isList, setAdd, setDifference } from "../collections";
import { operandError } from "./errors";
import { regexMatch } from "./regex-vm";

/** castSame returns v when it has type tag, else reports `<fn>: operand 1 must be <name>`. */
function castSame(fn: string, v: usize, tag: u32, name: string): usize {
  if (v == 0) return 0;
  return tagOf(v) == tag ? v : operandError(fn, 1, name, v);
}

/** bi_cast_array returns an array as is, or a set's members as an array in set order. */
export function bi_cast_array(v: usize): usize {
  if (v == 0) return 0;
  if (!isList(v)) return operandError("cast_array", 1, "one of {array, set}", v);
  if (tagOf(v) == T_ARRAY) return v;
  const n = listLen(v);
  const out = newArray(n);
  for (let i: u32 = 0; i < n; i++) listPush(out, listGet(v, i));
  return out;
}

/** bi_cast_set returns a set as is, or the set of an array's items. */
export function bi_cast_set(v: usize): usize {
  if (v == 0) return 0;
  if (!isList(v)) return operandError("cast_set", 1, "one of {array, set}", v);
  if (tagOf(v) == T_SET) return v;
  const n = listLen(v);
  const out = newSet(n);
  for (let i: u32 = 0; i < n; i++) setAdd(out, listGet(v, i));
  return out;
}

/** bi_cast_string returns a string as is (any other type is a type error). */
export function bi_cast_string(v: usize): usize {
  return castSame("cast_string", v, T_STRING, "string");
}

/** bi_cast_boolean returns a boolean as is (any other type is a type error). */
export function bi_cast_boolean(v: usize): usize {
  return castSame("cast_boolean", v, T_BOOLEAN, "boolean");
}

/** bi_cast_null returns null as is (any other type is a type error). */
export function bi_cast_null(v: usize): usize {
  return castSame("cast_null", v, T_NULL, "null");
}

/** bi_cast_object returns an object as is (any other type is a type error). */
export function bi_cast_object(v: usize): usize {
  return castSame("cast_object", v, T_OBJECT, "object");
}

/** countTrue counts the items of an array or set that are the boolean true. */
function countTrue(v: usize): u32 {
  const n = listLen(v);
  let c: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const x = listGet(v, i);
    if (tagOf(x) == T_BOOLEAN && boolOf(x)) c++;
  }
  return c;
}

/** bi_all tells whether every item of an array or set is true (true when empty). */
export function bi_all(v: usize): usize {
  if (v == 0) return 0;
  if (!isList(v)) return operandError("all", 1, "one of {array, set}", v);
  return boolValue(countTrue(v) == listLen(v));
}

/** bi_any tells whether some item of an array or set is true (false when empty). */
export function bi_any(v: usize): usize {
  if (v == 0) return 0;
  if (!isList(v)) return operandError("any", 1, "one of {array, set}", v);
  return boolValue(countTrue(v) > 0);
}

/** bi_set_diff returns the members of set a that are not in set b (infix `a - b`). */
export function bi_set_diff(a: usize, b: usize): usize {
  if (a == 0 || b == 0) return 0;
  if (tagOf(a) != T_SET) return operandError("set_diff", 1, "set", a);
  if (tagOf(b) != T_SET) return operandError("set_diff", 2, "set", b);
  return setDifference(a, b);
}

/** bi_re_match is regex.match under its deprecated name. */
export function bi_re_match(pattern: usize, value: usize): usize {
  return regexMatch("re_match", pattern, value);
}
