// Rego's total order over values, as OPA's ast.Compare: undefined < null < boolean < number <
// string < array < object < set (the TAG numbers are in that order); false < true; numbers by
// value (1 == 1.0, exact on literal text when f64 cannot tell); strings by UTF-8 bytes; arrays
// and sets element-wise then by length; objects by sorted (key, value) pairs then by size.
// Exports: compare(a, b): i32 (-1/0/1), equal(a, b): bool, compareNumbers, compareStrings.

import {
  T_ARRAY, T_BOOLEAN, T_NULL, T_NUMBER, T_OBJECT, T_SET, T_STRING,
  alloc, boolOf, listGet, listLen, numberHasText, numberOf, numberTextLen, numberTextPtr,
  objKeyAt, objLen, objValAt, strLen, strPtr, tagOf,
} from "./value";
import { scanCount, scanDecimal, scanExp, scanIntDigits, scanNeg } from "./number-format";

/** compare orders two values in Rego's total order and returns -1, 0 or 1. */
export function compare(a: usize, b: usize): i32 {
  if (a == b) return 0;
  const ta = tagOf(a);
  const tb = tagOf(b);
  if (ta != tb) return ta < tb ? -1 : 1;
  switch (ta) {
    case T_NULL:
      return 0;
    case T_BOOLEAN: {
      const x = <i32>boolOf(a);
      const y = <i32>boolOf(b);
      return x == y ? 0 : x < y ? -1 : 1;
    }
    case T_NUMBER:
      return compareNumbers(a, b);
    case T_STRING:
      return compareBytes(strPtr(a), strLen(a), strPtr(b), strLen(b));
    case T_ARRAY:
    case T_SET:
      return compareLists(a, b);
    case T_OBJECT:
      return compareObjects(a, b);
  }
  return 0;
}

/** equal tells whether two values are equal Rego values (false if either is undefined). */
export function equal(a: usize, b: usize): bool {
  if (a == 0 || b == 0) return false;
  if (a == b) return true;
  const t = tagOf(a);
  if (t != tagOf(b)) return false;
  if (t == T_STRING) {
    const n = strLen(a);
    return n == strLen(b) && memory.compare(strPtr(a), strPtr(b), <usize>n) == 0;
  }
  if ((t == T_ARRAY || t == T_SET || t == T_OBJECT) && listLen(a) != listLen(b)) return false;
  return compare(a, b) == 0;
}

/** compareStrings orders two STRING values by their UTF-8 bytes. */
export function compareStrings(a: usize, b: usize): i32 {
  return compareBytes(strPtr(a), strLen(a), strPtr(b), strLen(b));
}

/** compareBytes orders two byte ranges lexicographically, shorter first on a common prefix. */
export function compareBytes(pa: usize, la: u32, pb: usize, lb: u32): i32 {
  const n = la < lb ? la : lb;
  const c = memory.compare(pa, pb, <usize>n);
  if (c != 0) return c < 0 ? -1 : 1;
  return la == lb ? 0 : la < lb ? -1 : 1;
}

function compareLists(a: usize, b: usize): i32 {
  const la = listLen(a);
  const lb = listLen(b);
  const n = la < lb ? la : lb;
  for (let i: u32 = 0; i < n; i++) {
    const c = compare(listGet(a, i), listGet(b, i));
    if (c != 0) return c;
  }
  return la == lb ? 0 : la < lb ? -1 : 1;
}

function compareObjects(a: usize, b: usize): i32 {
  const la = objLen(a);
  const lb = objLen(b);
  const n = la < lb ? la : lb;
  for (let i: u32 = 0; i < n; i++) {
    let c = compare(objKeyAt(a, i), objKeyAt(b, i));
    if (c != 0) return c;
    c = compare(objValAt(a, i), objValAt(b, i));
    if (c != 0) return c;
  }
  return la == lb ? 0 : la < lb ? -1 : 1;
}

/** compareNumbers orders two NUMBER values by value (exactly, via literal text, when both f64 are equal). */
export function compareNumbers(a: usize, b: usize): i32 {
  const x = numberOf(a);
  const y = numberOf(b);
  if (x < y) return -1;
  if (x > y) return 1;
  if (numberHasText(a) && numberHasText(b)) {
    const pa = numberTextPtr(a);
    const la = numberTextLen(a);
    const pb = numberTextPtr(b);
    const lb = numberTextLen(b);
    if (la == lb && memory.compare(pa, pb, <usize>la) == 0) return 0;
    return compareDecimalText(pa, la, pb, lb);
  }
  return 0;
}

// ---- exact comparison of two JSON number literals ----

// Results of normalize(): value = (neg ? -1 : 1) * 0.d1d2...dn * 10^normExp, digits at normDigits.
// @ts-ignore: decorator
@lazy let normNeg = false;
// @ts-ignore: decorator
@lazy let normExp: i32 = 0;
// @ts-ignore: decorator
@lazy let normLen: u32 = 0;

function normalize(p: usize, len: u32, out: usize): void {
  scanDecimal(p, len, out);
  normNeg = scanNeg;
  let n = scanCount;
  const point = scanIntDigits;
  const e = scanExp;
  let lead: u32 = 0;
  while (lead < n && load<u8>(out + <usize>lead) == 48) lead++;
  while (n > lead && load<u8>(out + <usize>n - 1) == 48) n--;
  if (lead > 0 && n > lead) memory.copy(out, out + <usize>lead, <usize>(n - lead));
  normLen = n > lead ? n - lead : 0;
  normExp = point - <i32>lead + e;
}

/** compareDecimalText orders two JSON number literals exactly. */
export function compareDecimalText(pa: usize, la: u32, pb: usize, lb: u32): i32 {
  const da = alloc(<usize>la);
  const db = alloc(<usize>lb);
  normalize(pa, la, da);
  const aNeg = normNeg;
  const aExp = normExp;
  const aLen = normLen;
  normalize(pb, lb, db);
  const bNeg = normNeg;
  const bExp = normExp;
  const bLen = normLen;
  const aSign = aLen == 0 ? 0 : aNeg ? -1 : 1;
  const bSign = bLen == 0 ? 0 : bNeg ? -1 : 1;
  if (aSign != bSign) return aSign < bSign ? -1 : 1;
  if (aSign == 0) return 0;
  let mag: i32 = 0;
  if (aExp != bExp) {
    mag = aExp < bExp ? -1 : 1;
  } else {
    mag = compareBytes(da, aLen, db, bLen);
  }
  return aSign < 0 ? -mag : mag;
}
