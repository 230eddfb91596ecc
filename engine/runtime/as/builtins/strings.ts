// String builtins: concat, startswith, endswith, contains, lower, upper, split, trim, replace.
// Inputs are value pointers (0 = undefined); strings are UTF-8 byte ranges, results fresh STRING /
// ARRAY / BOOLEAN values. Go's strings package semantics (split on "" yields code points).
// Exports the bi_* functions and findBytes.

import {
  T_ARRAY, T_SET, T_STRING,
  boolValue, listGet, listLen, listPush, newArray, newString, strLen, strPtr, tagOf,
} from "../value";
import { bufBytes, bufCodePoint, bufNew, bufToString } from "../buf";
import { operandError } from "./errors";
import { decodeAt, lastSize, toLowerCp, toUpperCp } from "./utf8";

/** findBytes returns the first index >= from of needle in hay, or -1. */
export function findBytes(hp: usize, hn: u32, np: usize, nn: u32, from: u32): i32 {
  if (nn == 0) return from <= hn ? <i32>from : -1;
  if (nn > hn) return -1;
  const first = load<u8>(np);
  for (let i = from; i + nn <= hn; i++) {
    if (load<u8>(hp + <usize>i) == first && memory.compare(hp + <usize>i, np, <usize>nn) == 0) return <i32>i;
  }
  return -1;
}

/** bi_concat joins the strings of an array or set with a delimiter. */
export function bi_concat(delim: usize, coll: usize): usize {
  if (delim == 0 || coll == 0) return 0;
  if (tagOf(delim) != T_STRING) return operandError("concat", 1, "string", delim);
  const t = tagOf(coll);
  if (t != T_ARRAY && t != T_SET) return operandError("concat", 2, "one of {set, array}", coll);
  const n = listLen(coll);
  const b = bufNew(64);
  for (let i: u32 = 0; i < n; i++) {
    const s = listGet(coll, i);
    if (tagOf(s) != T_STRING) return operandError("concat", 2, "one of {set, array} of strings", coll);
    if (i > 0) bufBytes(b, strPtr(delim), strLen(delim));
    bufBytes(b, strPtr(s), strLen(s));
  }
  return bufToString(b);
}

function twoStrings(name: string, a: usize, b: usize): usize {
  if (tagOf(a) != T_STRING) return operandError(name, 1, "string", a);
  if (tagOf(b) != T_STRING) return operandError(name, 2, "string", b);
  return 1;
}

/** bi_startswith tells whether search starts with base. */
export function bi_startswith(search: usize, base: usize): usize {
  if (search == 0 || base == 0) return 0;
  if (twoStrings("startswith", search, base) == 0) return 0;
  const n = strLen(base);
  return boolValue(n <= strLen(search) && memory.compare(strPtr(search), strPtr(base), <usize>n) == 0);
}

/** bi_endswith tells whether search ends with base. */
export function bi_endswith(search: usize, base: usize): usize {
  if (search == 0 || base == 0) return 0;
  if (twoStrings("endswith", search, base) == 0) return 0;
  const n = strLen(base);
  const m = strLen(search);
  return boolValue(n <= m && memory.compare(strPtr(search) + <usize>(m - n), strPtr(base), <usize>n) == 0);
}

/** bi_contains tells whether haystack contains needle. */
export function bi_contains(hay: usize, needle: usize): usize {
  if (hay == 0 || needle == 0) return 0;
  if (twoStrings("contains", hay, needle) == 0) return 0;
  return boolValue(findBytes(strPtr(hay), strLen(hay), strPtr(needle), strLen(needle), 0) >= 0);
}

function mapCase(name: string, s: usize, upper: bool): usize {
  if (s == 0) return 0;
  if (tagOf(s) != T_STRING) return operandError(name, 1, "string", s);
  const p = strPtr(s);
  const n = strLen(s);
  const end = p + <usize>n;
  const b = bufNew(n);
  let q = p;
  while (q < end) {
    const c = decodeAt(q, end);
    const sz = lastSize();
    if (c == 0xfffd && sz == 1 && load<u8>(q) >= 0x80) {
      bufBytes(b, q, 1); // keep invalid bytes as they are
    } else {
      bufCodePoint(b, upper ? toUpperCp(c) : toLowerCp(c));
    }
    q += <usize>sz;
  }
  return bufToString(b);
}

/** bi_lower lower-cases a string. */
export function bi_lower(s: usize): usize {
  return mapCase("lower", s, false);
}

/** bi_upper upper-cases a string. */
export function bi_upper(s: usize): usize {
  return mapCase("upper", s, true);
}

/** bi_split splits a string on a delimiter (an empty delimiter splits into code points). */
export function bi_split(s: usize, delim: usize): usize {
  if (s == 0 || delim == 0) return 0;
  if (twoStrings("split", s, delim) == 0) return 0;
  const p = strPtr(s);
  const n = strLen(s);
  const dp = strPtr(delim);
  const dn = strLen(delim);
  const out = newArray(4);
  if (dn == 0) {
    const end = p + <usize>n;
    let q = p;
    while (q < end) {
      decodeAt(q, end);
      const sz = lastSize();
      listPush(out, newString(q, sz));
      q += <usize>sz;
    }
    return out;
  }
  let start: u32 = 0;
  while (true) {
    const i = findBytes(p, n, dp, dn, start);
    if (i < 0) break;
    listPush(out, newString(p + <usize>start, <u32>i - start));
    start = <u32>i + dn;
  }
  listPush(out, newString(p + <usize>start, n - start));
  return out;
}

/** inCutset tells whether code point c occurs in the UTF-8 cutset [cp, cp+cn). */
export function inCutset(c: u32, cp: usize, cn: u32): bool {
  const end = cp + <usize>cn;
  let q = cp;
  while (q < end) {
    if (decodeAt(q, end) == c) return true;
    q += <usize>lastSize();
  }
  return false;
}

/** bi_trim removes leading and trailing code points found in cutset. */
export function bi_trim(s: usize, cutset: usize): usize {
  if (s == 0 || cutset == 0) return 0;
  if (twoStrings("trim", s, cutset) == 0) return 0;
  const p = strPtr(s);
  const end = p + <usize>strLen(s);
  const cp = strPtr(cutset);
  const cn = strLen(cutset);
  let lo = p;
  while (lo < end) {
    const c = decodeAt(lo, end);
    if (!inCutset(c, cp, cn)) break;
    lo += <usize>lastSize();
  }
  let hi = end;
  while (hi > lo) {
    // step back to the start of the previous code point
    let st = hi - 1;
    while (st > lo && (load<u8>(st) & 0xc0) == 0x80 && hi - st < 4) st--;
    let c = decodeAt(st, end);
    if (st + <usize>lastSize() != hi) {
      st = hi - 1;
      c = 0xfffd;
    }
    if (!inCutset(c, cp, cn)) break;
    hi = st;
  }
  return newString(lo, <u32>(hi - lo));
}

/** bi_replace replaces every occurrence of old in s with new (Go strings.ReplaceAll). */
export function bi_replace(s: usize, old: usize, nw: usize): usize {
  if (s == 0 || old == 0 || nw == 0) return 0;
  if (tagOf(s) != T_STRING) return operandError("replace", 1, "string", s);
  if (tagOf(old) != T_STRING) return operandError("replace", 2, "string", old);
  if (tagOf(nw) != T_STRING) return operandError("replace", 3, "string", nw);
  const p = strPtr(s);
  const n = strLen(s);
  const op = strPtr(old);
  const on = strLen(old);
  const b = bufNew(n + 16);
  if (on == 0) {
    const end = p + <usize>n;
    let q = p;
    bufBytes(b, strPtr(nw), strLen(nw));
    while (q < end) {
      decodeAt(q, end);
      const sz = lastSize();
      bufBytes(b, q, sz);
      bufBytes(b, strPtr(nw), strLen(nw));
      q += <usize>sz;
    }
    return bufToString(b);
  }
  let start: u32 = 0;
  while (true) {
    const i = findBytes(p, n, op, on, start);
    if (i < 0) break;
    bufBytes(b, p + <usize>start, <u32>i - start);
    bufBytes(b, strPtr(nw), strLen(nw));
    start = <u32>i + on;
  }
  bufBytes(b, p + <usize>start, n - start);
  return bufToString(b);
}
