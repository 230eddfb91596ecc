// SemVer 2.0.0 builtins of the "data" family: semver.is_valid and semver.compare. A version is
// MAJOR.MINOR.PATCH (numeric identifiers without leading zeros), an optional "-" pre-release of
// dot-separated non-empty [0-9A-Za-z-] identifiers (numeric ones without leading zeros) and an
// optional "+" build part (ignored by comparison). Exports: bi_semver_is_valid, bi_semver_compare.

import { T_STRING, boolValue, newNumber, strLen, strPtr, tagOf } from "../../value";
import { bufAscii, bufByte, bufBytes, bufNew } from "../../buf";
import { builtinErrorBuf, operandError } from "../errors";

// Parse results (module state; the runtime is single-threaded): offsets into the string.
// @ts-ignore: decorator
@lazy let preStart: u32 = 0;
// @ts-ignore: decorator
@lazy let preEnd: u32 = 0;

function isDigit(c: u32): bool {
  return c >= 48 && c <= 57;
}

function isIdentChar(c: u32): bool {
  return isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 45;
}

/** numericEnd scans a numeric identifier at i: its end, or -1 if empty or with a leading zero. */
function numericEnd(p: usize, n: u32, i: u32): i32 {
  let j = i;
  while (j < n && isDigit(<u32>load<u8>(p + <usize>j))) j++;
  if (j == i) return -1;
  if (j - i > 1 && load<u8>(p + <usize>i) == 48) return -1;
  return <i32>j;
}

/** identsEnd scans dot-separated identifiers at i (pre-release if strictNumeric): end or -1. */
function identsEnd(p: usize, n: u32, i: u32, strictNumeric: bool): i32 {
  let j = i;
  while (true) {
    const start = j;
    let allDigits = true;
    while (j < n) {
      const c = <u32>load<u8>(p + <usize>j);
      if (!isIdentChar(c)) break;
      if (!isDigit(c)) allDigits = false;
      j++;
    }
    if (j == start) return -1;
    if (strictNumeric && allDigits && j - start > 1 && load<u8>(p + <usize>start) == 48) return -1;
    if (j < n && load<u8>(p + <usize>j) == 46) {
      j++;
      continue;
    }
    return <i32>j;
  }
  return -1;
}

/** parseVersion validates a version at [p, p+n) and records the pre-release span; false if invalid. */
function parseVersion(p: usize, n: u32): bool {
  let i: u32 = 0;
  for (let part = 0; part < 3; part++) {
    const e = numericEnd(p, n, i);
    if (e < 0) return false;
    i = <u32>e;
    if (part < 2) {
      if (i >= n || load<u8>(p + <usize>i) != 46) return false;
      i++;
    }
  }
  preStart = i;
  preEnd = i;
  if (i < n && load<u8>(p + <usize>i) == 45) {
    const e = identsEnd(p, n, i + 1, true);
    if (e < 0) return false;
    preStart = i + 1;
    preEnd = <u32>e;
    i = <u32>e;
  }
  if (i < n && load<u8>(p + <usize>i) == 43) {
    const e = identsEnd(p, n, i + 1, false);
    if (e < 0) return false;
    i = <u32>e;
  }
  return i == n;
}

/** cmpNumeric compares two digit strings without leading zeros. */
function cmpNumeric(a: usize, an: u32, b: usize, bn: u32): i32 {
  if (an != bn) return an < bn ? -1 : 1;
  return cmpBytes(a, an, b, bn);
}

function cmpBytes(a: usize, an: u32, b: usize, bn: u32): i32 {
  const m = an < bn ? an : bn;
  for (let i: u32 = 0; i < m; i++) {
    const x = load<u8>(a + <usize>i);
    const y = load<u8>(b + <usize>i);
    if (x != y) return x < y ? -1 : 1;
  }
  return an == bn ? 0 : an < bn ? -1 : 1;
}

function allDigits(p: usize, n: u32): bool {
  for (let i: u32 = 0; i < n; i++) if (!isDigit(<u32>load<u8>(p + <usize>i))) return false;
  return true;
}

/** identLen returns the length of the identifier at p (up to a '.', '+', '-'-free end or limit). */
function runLen(p: usize, limit: usize, stop: u32): u32 {
  let n: u32 = 0;
  while (p + <usize>n < limit && <u32>load<u8>(p + <usize>n) != stop) n++;
  return n;
}

/** cmpCore compares MAJOR.MINOR.PATCH of two valid versions. */
function cmpCore(a: usize, an: u32, b: usize, bn: u32): i32 {
  let i: u32 = 0;
  let j: u32 = 0;
  for (let part = 0; part < 3; part++) {
    let ie = i;
    while (ie < an && isDigit(<u32>load<u8>(a + <usize>ie))) ie++;
    let je = j;
    while (je < bn && isDigit(<u32>load<u8>(b + <usize>je))) je++;
    const c = cmpNumeric(a + <usize>i, ie - i, b + <usize>j, je - j);
    if (c != 0) return c;
    i = ie + 1;
    j = je + 1;
  }
  return 0;
}

/** cmpPre compares two pre-release spans (empty = release, which sorts after any pre-release). */
function cmpPre(a: usize, aS: u32, ae: u32, b: usize, bs: u32, be: u32): i32 {
  if (aS == ae || bs == be) {
    if (aS == ae && bs == be) return 0;
    return aS == ae ? 1 : -1;
  }
  let i = aS;
  let j = bs;
  while (i < ae && j < be) {
    const il = runLen(a + <usize>i, a + <usize>ae, 46);
    const jl = runLen(b + <usize>j, b + <usize>be, 46);
    const x = a + <usize>i;
    const y = b + <usize>j;
    const xn = allDigits(x, il);
    const yn = allDigits(y, jl);
    let c: i32;
    if (xn && yn) c = cmpNumeric(x, il, y, jl);
    else if (xn) c = -1;
    else if (yn) c = 1;
    else c = cmpBytes(x, il, y, jl);
    if (c != 0) return c;
    i += il + 1;
    j += jl + 1;
  }
  if (i < ae) return 1;
  if (j < be) return -1;
  return 0;
}

function invalid(pos: i32, v: usize): usize {
  const m = bufNew(64 + strLen(v));
  bufAscii(m, "semver.compare: operand ");
  bufByte(m, 48 + <u32>pos);
  bufAscii(m, ": string \"");
  const p = strPtr(v);
  const n = strLen(v);
  for (let i: u32 = 0; i < n; i++) {
    const c = <u32>load<u8>(p + <usize>i);
    if (c == 34 || c == 92) bufByte(m, 92);
    bufByte(m, c);
  }
  bufAscii(m, "\" is not a valid SemVer");
  return builtinErrorBuf("eval_builtin_error", m);
}

/** bi_semver_is_valid tells whether a value is a string holding a valid SemVer 2.0.0 version. */
export function bi_semver_is_valid(v: usize): usize {
  if (v == 0) return 0;
  if (tagOf(v) != T_STRING) return boolValue(false);
  return boolValue(parseVersion(strPtr(v), strLen(v)));
}

/** bi_semver_compare compares two SemVer versions by precedence: -1, 0 or 1. */
export function bi_semver_compare(a: usize, b: usize): usize {
  if (a == 0 || b == 0) return 0;
  if (tagOf(a) != T_STRING) return operandError("semver.compare", 1, "string", a);
  if (tagOf(b) != T_STRING) return operandError("semver.compare", 2, "string", b);
  const ap = strPtr(a);
  const an = strLen(a);
  const bp = strPtr(b);
  const bn = strLen(b);
  if (!parseVersion(ap, an)) return invalid(1, a);
  const aPre = preStart;
  const ae = preEnd;
  if (!parseVersion(bp, bn)) return invalid(2, b);
  let c = cmpCore(ap, an, bp, bn);
  if (c == 0) c = cmpPre(ap, aPre, ae, bp, preStart, preEnd);
  return newNumber(<f64>c);
}
