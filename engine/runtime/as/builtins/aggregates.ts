// Aggregates and number casts: count, sum, product, max, min, sort, abs, to_number, format_int.
// Inputs are value pointers (0 = undefined); outputs fresh values or 0 (undefined / error).
// Exports the bi_* functions.

import {
  T_ARRAY, T_BOOLEAN, T_NULL, T_NUMBER, T_OBJECT, T_SET, T_STRING,
  boolOf, listGet, listItems, listLen, newArray, newNumber, newNumberText, newStringCopy,
  numberOf, strLen, strPtr, tagOf,
} from "../value";
import { compare } from "../compare";
import { isList, stringRuneCount } from "../collections";
import { bufByte, bufLen, bufNew, bufPtr, bufToString } from "../buf";
import { builtinError, operandError } from "./errors";
import { numAdd, numMul } from "./operators";
import { decDigits, decFromNumber, decIsInt, decLen, decNeg, decScale } from "./decimal";
import { PREC, fAbs, fAddAt, fFromNumber, fMulAt, fRounded, fZero } from "./bigfloat";
import { fToNumber } from "./bigfloat-text";
import { natFromU64 } from "./bignat";
import { numberIsSafeInt, parseNumberText } from "../number-format";

/** bi_count returns the size of a collection or the number of code points of a string. */
export function bi_count(a: usize): usize {
  if (a == 0) return 0;
  switch (tagOf(a)) {
    case T_ARRAY:
    case T_SET:
    case T_OBJECT:
      return newNumber(<f64>listLen(a));
    case T_STRING:
      return newNumber(<f64>stringRuneCount(a));
  }
  return operandError("count", 1, "one of {array, object, set, string}", a);
}

/** allIntegers tells whether every element of a list of numbers is an integer. */
function allIntegers(a: usize): bool {
  const n = listLen(a);
  for (let i: u32 = 0; i < n; i++) {
    const v = listGet(a, i);
    if (numberIsSafeInt(v)) continue;
    const d = decFromNumber(v);
    if (d == 0 || !decIsInt(d)) return false;
  }
  return true;
}

/** floatFold accumulates the numbers as OPA does once one is not an integer: a sum at precision
 * 64, a product at 53 (Go's big.NewFloat(1)); returns 0 for numbers beyond bigfloat.ts's range. */
function floatFold(a: usize, mul: bool): usize {
  const prec: u32 = mul ? 53 : PREC;
  let acc = mul ? fRounded(false, natFromU64(1), 0, prec, false) : fZero(false, prec);
  const n = listLen(a);
  for (let i: u32 = 0; i < n; i++) {
    const x = fFromNumber(listGet(a, i));
    if (x == 0) return 0;
    acc = mul ? fMulAt(acc, x, prec) : fAddAt(acc, x, prec);
  }
  return fToNumber(acc);
}

function fold(name: string, a: usize, mul: bool): usize {
  if (a == 0) return 0;
  if (!isList(a)) return operandError(name, 1, "one of {array, set}", a);
  const n = listLen(a);
  for (let i: u32 = 0; i < n; i++) {
    if (tagOf(listGet(a, i)) != T_NUMBER) return operandError(name, 1, "collection of numbers", a);
  }
  if (!allIntegers(a)) {
    const r = floatFold(a, mul);
    if (r != 0) return r;
  }
  // Integers exactly (and, past bigfloat.ts's range, whatever numAdd/numMul make of them).
  let acc = newNumber(mul ? 1 : 0);
  for (let i: u32 = 0; i < n; i++) acc = mul ? numMul(acc, listGet(a, i)) : numAdd(acc, listGet(a, i));
  return acc;
}

/** bi_sum adds the numbers of an array or set. */
export function bi_sum(a: usize): usize {
  return fold("sum", a, false);
}

/** bi_product multiplies the numbers of an array or set. */
export function bi_product(a: usize): usize {
  return fold("product", a, true);
}

function extreme(name: string, a: usize, sign: i32): usize {
  if (a == 0) return 0;
  if (!isList(a)) return operandError(name, 1, "one of {array, set}", a);
  const n = listLen(a);
  if (n == 0) return 0;
  let best = listGet(a, 0);
  for (let i: u32 = 1; i < n; i++) {
    const v = listGet(a, i);
    if (compare(v, best) * sign > 0) best = v;
  }
  return best;
}

/** bi_max returns the greatest element of an array or set (undefined when empty). */
export function bi_max(a: usize): usize {
  return extreme("max", a, 1);
}

/** bi_min returns the least element of an array or set (undefined when empty). */
export function bi_min(a: usize): usize {
  return extreme("min", a, -1);
}

/** bi_sort returns the elements of an array or set as a sorted array. */
export function bi_sort(a: usize): usize {
  if (a == 0) return 0;
  if (!isList(a)) return operandError("sort", 1, "one of {array, set}", a);
  const n = listLen(a);
  const out = newArray(n);
  memory.copy(listItems(out), listItems(a), <usize>n << 2);
  store<u32>(out, n, 4);
  if (tagOf(a) == T_SET) return out;
  // merge sort (stable, O(n log n)) with a scratch buffer
  const items = listItems(out);
  const tmp = newArray(n);
  mergeSort(items, listItems(tmp), 0, n);
  return out;
}

function mergeSort(items: usize, tmp: usize, lo: u32, hi: u32): void {
  if (hi - lo < 2) return;
  if (hi - lo <= 8) {
    for (let i = lo + 1; i < hi; i++) {
      const v = load<u32>(items + (<usize>i << 2));
      let j = i;
      while (j > lo && compare(<usize>load<u32>(items + (<usize>(j - 1) << 2)), <usize>v) > 0) {
        store<u32>(items + (<usize>j << 2), load<u32>(items + (<usize>(j - 1) << 2)));
        j--;
      }
      store<u32>(items + (<usize>j << 2), v);
    }
    return;
  }
  const mid = lo + ((hi - lo) >> 1);
  mergeSort(items, tmp, lo, mid);
  mergeSort(items, tmp, mid, hi);
  let i = lo;
  let j = mid;
  let k = lo;
  while (i < mid && j < hi) {
    const x = load<u32>(items + (<usize>i << 2));
    const y = load<u32>(items + (<usize>j << 2));
    if (compare(<usize>y, <usize>x) < 0) { store<u32>(tmp + (<usize>k << 2), y); j++; }
    else { store<u32>(tmp + (<usize>k << 2), x); i++; }
    k++;
  }
  while (i < mid) { store<u32>(tmp + (<usize>k << 2), load<u32>(items + (<usize>i << 2))); i++; k++; }
  while (j < hi) { store<u32>(tmp + (<usize>k << 2), load<u32>(items + (<usize>j << 2))); j++; k++; }
  memory.copy(items + (<usize>lo << 2), tmp + (<usize>lo << 2), <usize>(hi - lo) << 2);
}

/** bi_abs returns the absolute value of a number: exact for small integers, otherwise OPA's
 * 64-bit-mantissa value (so big integers round to 64 significant bits, as in OPA). */
export function bi_abs(a: usize): usize {
  if (a == 0) return 0;
  if (tagOf(a) != T_NUMBER) return operandError("abs", 1, "number", a);
  const f = numberOf(a);
  if (numberIsSafeInt(a)) return newNumber(Math.abs(f));
  const x = fFromNumber(a);
  if (x == 0) return newNumber(Math.abs(f));
  return fToNumber(fAbs(x));
}

// @ts-ignore: decorator
@inline function isDigit(c: u32): bool {
  return c - 48 <= 9;
}

function lowerAscii(c: u32): u32 {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

function isNonFinite(p: usize, n: u32): bool {
  let i: u32 = 0;
  if (i < n && (load<u8>(p) == 43 || load<u8>(p) == 45)) i++;
  const rest = n - i;
  if (rest != 3 && rest != 8) return false;
  const w0 = lowerAscii(load<u8>(p + <usize>i));
  return w0 == 110 || w0 == 105; // n(an) / i(nf, nfinity)
}

/** bi_to_number converts a number, numeric string, boolean or null to a number. */
export function bi_to_number(a: usize): usize {
  if (a == 0) return 0;
  switch (tagOf(a)) {
    case T_NUMBER:
      return a;
    case T_NULL:
      return newNumber(0);
    case T_BOOLEAN:
      return newNumber(boolOf(a) ? 1 : 0);
    case T_STRING:
      break;
    default:
      return operandError("to_number", 1, "one of {boolean, null, number, string}", a);
  }
  const p = strPtr(a);
  const n = strLen(a);
  if (isNonFinite(p, n)) return operandError("to_number", 1, "valid number string", a);
  // Accept Go ParseFloat's decimal syntax and normalise it to JSON number text.
  const b = bufNew(n + 4);
  let i: u32 = 0;
  if (i < n && (load<u8>(p) == 43 || load<u8>(p) == 45)) {
    if (load<u8>(p) == 45) bufByte(b, 45);
    i++;
  }
  let intDigits: u32 = 0;
  const intStart = i;
  while (i < n && isDigit(load<u8>(p + <usize>i))) { i++; intDigits++; }
  let fracDigits: u32 = 0;
  let fracStart: u32 = 0;
  let hasPoint = false;
  if (i < n && load<u8>(p + <usize>i) == 46) {
    hasPoint = true;
    i++;
    fracStart = i;
    while (i < n && isDigit(load<u8>(p + <usize>i))) { i++; fracDigits++; }
  }
  if (intDigits + fracDigits == 0) return builtinError("eval_builtin_error", "to_number: strconv.ParseFloat: invalid syntax");
  // integer part without superfluous leading zeros
  let s = intStart;
  while (s + 1 < intStart + intDigits && load<u8>(p + <usize>s) == 48) s++;
  if (intDigits == 0) bufByte(b, 48);
  for (let k = s; k < intStart + intDigits; k++) bufByte(b, load<u8>(p + <usize>k));
  if (hasPoint && fracDigits > 0) {
    bufByte(b, 46);
    for (let k = fracStart; k < fracStart + fracDigits; k++) bufByte(b, load<u8>(p + <usize>k));
  }
  if (i < n && (load<u8>(p + <usize>i) == 101 || load<u8>(p + <usize>i) == 69)) {
    bufByte(b, 101);
    i++;
    if (i < n && (load<u8>(p + <usize>i) == 43 || load<u8>(p + <usize>i) == 45)) {
      bufByte(b, load<u8>(p + <usize>i));
      i++;
    }
    let expDigits: u32 = 0;
    while (i < n && isDigit(load<u8>(p + <usize>i))) { bufByte(b, load<u8>(p + <usize>i)); i++; expDigits++; }
    if (expDigits == 0) return builtinError("eval_builtin_error", "to_number: strconv.ParseFloat: invalid syntax");
  }
  if (i != n) return builtinError("eval_builtin_error", "to_number: strconv.ParseFloat: invalid syntax");
  const f = parseNumberText(bufPtr(b), bufLen(b));
  if (!isFinite(f)) return builtinError("eval_builtin_error", "to_number: strconv.ParseFloat: value out of range");
  return newNumberText(f, bufPtr(b), bufLen(b));
}

const DIGITS: usize = memory.data<u8>([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102]);

/** bi_format_int renders a number (truncated toward zero) in base 2, 8, 10 or 16. */
export function bi_format_int(a: usize, base: usize): usize {
  if (a == 0 || base == 0) return 0;
  if (tagOf(a) != T_NUMBER) return operandError("format_int", 1, "number", a);
  if (tagOf(base) != T_NUMBER) return operandError("format_int", 2, "number", base);
  const bf = numberOf(base);
  if (bf != 2 && bf != 8 && bf != 10 && bf != 16) {
    return builtinError("eval_builtin_error", "format_int: operand 2 must be one of {2, 8, 10, 16}");
  }
  const radix = <u32>bf;
  const d = decFromNumber(a);
  if (d == 0) return builtinError("eval_builtin_error", "format_int: number out of range");
  // integer digits (truncate the fraction), as a mutable base-10 digit array
  const total = decLen(d);
  const scale = decScale(d);
  const n: i32 = <i32>total - scale;
  const b = bufNew(64);
  if (n <= 0) {
    bufByte(b, 48);
    return bufToString(b);
  }
  const work = bufNew(<u32>n);
  for (let i = 0; i < n; i++) bufByte(work, load<u8>(decDigits(d) + <usize>i));
  const w = bufPtr(work);
  // repeated division by radix; collect remainders (least significant first)
  const out = bufNew(<u32>n * 4 + 2);
  let start = 0;
  while (start < n) {
    let rem: u32 = 0;
    for (let i = start; i < n; i++) {
      const cur = rem * 10 + <u32>load<u8>(w + <usize>i);
      store<u8>(w + <usize>i, <u8>(cur / radix));
      rem = cur % radix;
    }
    bufByte(out, load<u8>(DIGITS + <usize>rem));
    while (start < n && load<u8>(w + <usize>start) == 0) start++;
  }
  if (decNeg(d)) bufByte(b, 45);
  const op = bufPtr(out);
  for (let i: i32 = <i32>bufLen(out) - 1; i >= 0; i--) bufByte(b, load<u8>(op + <usize>i));
  return newStringCopy(bufPtr(b), bufLen(b));
}
