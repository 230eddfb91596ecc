// Go-semantics string builtins beyond the core set: indexof, indexof_n, substring (code-point
// offsets), trim_left/right/prefix/suffix/space, strings.replace_n (Go strings.Replacer),
// strings.reverse, strings.any_prefix_match/any_suffix_match, strings.count, strings.split_n.
// Exports the bi_* functions.

import {
  T_OBJECT, T_STRING,
  alloc, boolValue, listGet, listLen, listPush, newArray, newNumber, newString, objKeyAt, objLen, objValAt,
  strLen, strPtr, tagOf,
} from "../../value";
import { bufAscii, bufBytes, bufCodePoint, bufNew, bufToString } from "../../buf";
import { builtinErrorBuf, operandError } from "../errors";
import { decodeAt, lastSize } from "../utf8";
import { findBytes, inCutset } from "../strings";
import { genericError, intOk, intOperand, stringList } from "./common";

function twoStrings(name: string, a: usize, b: usize): bool {
  if (tagOf(a) != T_STRING) { operandError(name, 1, "string", a); return false; }
  if (tagOf(b) != T_STRING) { operandError(name, 2, "string", b); return false; }
  return true;
}

/** runeCountBytes counts the code points of bytes [p, p+n) as Go's range loop does. */
function runeCountBytes(p: usize, n: u32): u32 {
  const end = p + <usize>n;
  let q = p;
  let c: u32 = 0;
  while (q < end) { decodeAt(q, end); q += <usize>lastSize(); c++; }
  return c;
}

/** bi_indexof returns the code-point index of the first needle in haystack, or -1. */
export function bi_indexof(hay: usize, needle: usize): usize {
  if (hay == 0 || needle == 0) return 0;
  if (!twoStrings("indexof", hay, needle)) return 0;
  if (strLen(needle) == 0) return genericError("indexof", "empty search character");
  const i = findBytes(strPtr(hay), strLen(hay), strPtr(needle), strLen(needle), 0);
  if (i < 0) return newNumber(-1);
  return newNumber(<f64>runeCountBytes(strPtr(hay), <u32>i));
}

/** bi_indexof_n returns the code-point indexes of every (possibly overlapping) needle in haystack. */
export function bi_indexof_n(hay: usize, needle: usize): usize {
  if (hay == 0 || needle == 0) return 0;
  if (!twoStrings("indexof_n", hay, needle)) return 0;
  if (strLen(needle) == 0) return genericError("indexof_n", "empty search character");
  const p = strPtr(hay);
  const n = strLen(hay);
  const out = newArray(4);
  const end = p + <usize>n;
  let q = p;
  let idx: u32 = 0;
  while (q < end) {
    const off = <u32>(q - p);
    if (strLen(needle) <= n - off && memory.compare(q, strPtr(needle), <usize>strLen(needle)) == 0) {
      listPush(out, newNumber(<f64>idx));
    }
    decodeAt(q, end);
    q += <usize>lastSize();
    idx++;
  }
  return out;
}

/** bi_substring returns up to length code points from offset (negative length: to the end). */
export function bi_substring(s: usize, offset: usize, length: usize): usize {
  if (s == 0 || offset == 0 || length == 0) return 0;
  if (tagOf(s) != T_STRING) return operandError("substring", 1, "string", s);
  if (intOperand("substring", 2, offset) == 0) return 0;
  const start = intOk();
  if (intOperand("substring", 3, length) == 0) return 0;
  const len = intOk();
  if (start < 0) return genericError("substring", "negative offset");
  const p = strPtr(s);
  const end = p + <usize>strLen(s);
  let q = p;
  let i: i64 = 0;
  while (q < end && i < start) { decodeAt(q, end); q += <usize>lastSize(); i++; }
  if (q >= end) return newString(p, 0);
  if (len < 0) return newString(q, <u32>(end - q));
  let r = q;
  let k: i64 = 0;
  while (r < end && k < len) { decodeAt(r, end); r += <usize>lastSize(); k++; }
  return newString(q, <u32>(r - q));
}

/** leftCut returns the first byte offset whose code point is not in the cutset. */
function leftCut(p: usize, n: u32, cp: usize, cn: u32): u32 {
  const end = p + <usize>n;
  let q = p;
  while (q < end) {
    const c = decodeAt(q, end);
    if (!inCutset(c, cp, cn)) break;
    q += <usize>lastSize();
  }
  return <u32>(q - p);
}

/** rightCut returns the byte length left after removing trailing cutset code points. */
function rightCut(p: usize, n: u32, cp: usize, cn: u32): u32 {
  let e = n;
  while (e > 0) {
    let s = e - 1;
    while (s > 0 && (<u32>load<u8>(p + <usize>s) & 0xc0) == 0x80 && e - s < 4) s--;
    const c = decodeAt(p + <usize>s, p + <usize>e);
    let start = s;
    if (<u32>(s + lastSize()) != e) start = e - 1; // invalid sequence: one byte
    const c2 = start == s ? c : decodeAt(p + <usize>start, p + <usize>e);
    if (!inCutset(c2, cp, cn)) break;
    e = start;
  }
  return e;
}

/** bi_trim_left removes leading code points found in cutset. */
export function bi_trim_left(s: usize, cutset: usize): usize {
  if (s == 0 || cutset == 0) return 0;
  if (!twoStrings("trim_left", s, cutset)) return 0;
  const k = leftCut(strPtr(s), strLen(s), strPtr(cutset), strLen(cutset));
  return newString(strPtr(s) + <usize>k, strLen(s) - k);
}

/** bi_trim_right removes trailing code points found in cutset. */
export function bi_trim_right(s: usize, cutset: usize): usize {
  if (s == 0 || cutset == 0) return 0;
  if (!twoStrings("trim_right", s, cutset)) return 0;
  return newString(strPtr(s), rightCut(strPtr(s), strLen(s), strPtr(cutset), strLen(cutset)));
}

/** bi_trim_prefix removes prefix from s if s starts with it. */
export function bi_trim_prefix(s: usize, prefix: usize): usize {
  if (s == 0 || prefix == 0) return 0;
  if (!twoStrings("trim_prefix", s, prefix)) return 0;
  const n = strLen(prefix);
  if (n <= strLen(s) && memory.compare(strPtr(s), strPtr(prefix), <usize>n) == 0) {
    return newString(strPtr(s) + <usize>n, strLen(s) - n);
  }
  return s;
}

/** bi_trim_suffix removes suffix from s if s ends with it. */
export function bi_trim_suffix(s: usize, suffix: usize): usize {
  if (s == 0 || suffix == 0) return 0;
  if (!twoStrings("trim_suffix", s, suffix)) return 0;
  const n = strLen(suffix);
  const m = strLen(s);
  if (n <= m && memory.compare(strPtr(s) + <usize>(m - n), strPtr(suffix), <usize>n) == 0) {
    return newString(strPtr(s), m - n);
  }
  return s;
}

function isSpaceCp(c: u32): bool {
  if (c == 32 || (c >= 9 && c <= 13) || c == 0x85 || c == 0xa0) return true;
  return c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 ||
    c == 0x202f || c == 0x205f || c == 0x3000;
}

/** bi_trim_space removes leading and trailing Unicode white space. */
export function bi_trim_space(s: usize): usize {
  if (s == 0) return 0;
  if (tagOf(s) != T_STRING) return operandError("trim_space", 1, "string", s);
  const p = strPtr(s);
  const end = p + <usize>strLen(s);
  let q = p;
  while (q < end) {
    const c = decodeAt(q, end);
    if (!isSpaceCp(c) || (c == 0xfffd)) break;
    q += <usize>lastSize();
  }
  let e = end;
  while (e > q) {
    let st = e - 1;
    while (st > q && (<u32>load<u8>(st) & 0xc0) == 0x80 && e - st < 4) st--;
    const c = decodeAt(st, e);
    if (st + <usize>lastSize() != e || !isSpaceCp(c)) break;
    e = st;
  }
  return newString(q, <u32>(e - q));
}

/**
 * bi_strings_replace_n replaces, left to right without overlaps, the keys of patterns by their
 * values; at each position the first matching key in sorted order wins (Go's strings.NewReplacer).
 */
export function bi_strings_replace_n(patterns: usize, s: usize): usize {
  if (patterns == 0 || s == 0) return 0;
  if (tagOf(patterns) != T_OBJECT) return operandError("strings.replace_n", 1, "object", patterns);
  const k = objLen(patterns);
  for (let i: u32 = 0; i < k; i++) {
    if (tagOf(objKeyAt(patterns, i)) != T_STRING) {
      return typeErr("strings.replace_n: operand 1 non-string key found in pattern object");
    }
  }
  if (tagOf(s) != T_STRING) return operandError("strings.replace_n", 2, "string", s);
  for (let i: u32 = 0; i < k; i++) {
    if (tagOf(objValAt(patterns, i)) != T_STRING) {
      return typeErr("strings.replace_n: operand 1 non-string value found in pattern object");
    }
  }
  const p = strPtr(s);
  const n = strLen(s);
  const b = bufNew(n + 16);
  let last: u32 = 0;
  let prevEmpty = false;
  let i: u32 = 0;
  while (i <= n) {
    let hit: i32 = -1;
    for (let j: u32 = 0; j < k; j++) {
      const key = objKeyAt(patterns, j);
      const kn = strLen(key);
      if (kn == 0 && prevEmpty) continue;
      if (kn <= n - i && memory.compare(p + <usize>i, strPtr(key), <usize>kn) == 0) { hit = <i32>j; break; }
    }
    if (hit >= 0) {
      const key = objKeyAt(patterns, <u32>hit);
      const val = objValAt(patterns, <u32>hit);
      prevEmpty = strLen(key) == 0;
      bufBytes(b, p + <usize>last, i - last);
      bufBytes(b, strPtr(val), strLen(val));
      i += strLen(key);
      last = i;
      continue;
    }
    prevEmpty = false;
    i++;
  }
  if (last < n) bufBytes(b, p + <usize>last, n - last);
  return bufToString(b);
}

function typeErr(msg: string): usize {
  const b = bufNew(96);
  bufAscii(b, msg);
  return builtinErrorBuf("eval_type_error", b);
}

/** bi_strings_reverse reverses the code points of a string. */
export function bi_strings_reverse(s: usize): usize {
  if (s == 0) return 0;
  if (tagOf(s) != T_STRING) return operandError("strings.reverse", 1, "string", s);
  const p = strPtr(s);
  const n = strLen(s);
  const end = p + <usize>n;
  const out = bufNew(n);
  let q = p;
  let count: u32 = 0;
  while (q < end) { decodeAt(q, end); q += <usize>lastSize(); count++; }
  const tmp = alloc(<usize>count << 2);
  q = p;
  let i: u32 = 0;
  while (q < end) { store<u32>(tmp + (<usize>i << 2), decodeAt(q, end)); q += <usize>lastSize(); i++; }
  while (i > 0) { i--; bufCodePoint(out, load<u32>(tmp + (<usize>i << 2))); }
  return bufToString(out);
}

function anyMatch(fn: string, search: usize, base: usize, suffix: bool): usize {
  if (search == 0 || base == 0) return 0;
  const a = stringList(fn, 1, search);
  if (a == 0) return 0;
  const b = stringList(fn, 2, base);
  if (b == 0) return 0;
  const na = listLen(a);
  const nb = listLen(b);
  for (let i: u32 = 0; i < na; i++) {
    const s = listGet(a, i);
    const m = strLen(s);
    for (let j: u32 = 0; j < nb; j++) {
      const x = listGet(b, j);
      const k = strLen(x);
      if (k > m) continue;
      const at = suffix ? strPtr(s) + <usize>(m - k) : strPtr(s);
      if (memory.compare(at, strPtr(x), <usize>k) == 0) return boolValue(true);
    }
  }
  return boolValue(false);
}

/** bi_strings_any_prefix_match tells whether any string in search starts with any string in base. */
export function bi_strings_any_prefix_match(search: usize, base: usize): usize {
  return anyMatch("strings.any_prefix_match", search, base, false);
}

/** bi_strings_any_suffix_match tells whether any string in search ends with any string in base. */
export function bi_strings_any_suffix_match(search: usize, base: usize): usize {
  return anyMatch("strings.any_suffix_match", search, base, true);
}

/** bi_strings_count counts non-overlapping occurrences of substring (empty: code points + 1). */
export function bi_strings_count(s: usize, sub: usize): usize {
  if (s == 0 || sub == 0) return 0;
  if (!twoStrings("strings.count", s, sub)) return 0;
  const p = strPtr(s);
  const n = strLen(s);
  const sn = strLen(sub);
  if (sn == 0) return newNumber(<f64>(runeCountBytes(p, n) + 1));
  let c: u32 = 0;
  let from: u32 = 0;
  while (true) {
    const i = findBytes(p, n, strPtr(sub), sn, from);
    if (i < 0) break;
    c++;
    from = <u32>i + sn;
  }
  return newNumber(<f64>c);
}

/**
 * bi_strings_split_n splits s on delim (empty: into code points) and keeps the first n parts
 * (n > 0), the last -n parts (n < 0) or none (n == 0).
 */
export function bi_strings_split_n(s: usize, delim: usize, count: usize): usize {
  if (s == 0 || delim == 0 || count == 0) return 0;
  if (!twoStrings("strings.split_n", s, delim)) return 0;
  if (intOperand("strings.split_n", 3, count) == 0) return 0;
  const want = intOk();
  const p = strPtr(s);
  const n = strLen(s);
  const dp = strPtr(delim);
  const dn = strLen(delim);
  const parts = newArray(4);
  if (dn == 0) {
    const end = p + <usize>n;
    let q = p;
    while (q < end) { decodeAt(q, end); const sz = lastSize(); listPush(parts, newString(q, sz)); q += <usize>sz; }
  } else {
    let start: u32 = 0;
    while (true) {
      const i = findBytes(p, n, dp, dn, start);
      if (i < 0) break;
      listPush(parts, newString(p + <usize>start, <u32>i - start));
      start = <u32>i + dn;
    }
    listPush(parts, newString(p + <usize>start, n - start));
  }
  const total = <i64>listLen(parts);
  const out = newArray(4);
  let from: i64 = 0;
  let to: i64 = 0;
  if (want > 0) { to = want < total ? want : total; }
  else if (want < 0) { from = -want < total ? total + want : 0; to = total; }
  for (let i = from; i < to; i++) listPush(out, listGet(parts, <u32>i));
  return out;
}
