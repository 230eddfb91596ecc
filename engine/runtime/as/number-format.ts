// Number text conversions: JSON number literal bytes -> f64 (parseNumberText) and NUMBER value ->
// decimal text (writeNumber into a buf, numberToString -> STRING value). Numbers with literal text
// print that text; others print like JS String(x): integers without a decimal point, otherwise
// the shortest round-trip form (dtoa.ts); NaN/Infinity print as null (they cannot occur in results).

import { numberHasText, numberOf, numberTextLen, numberTextPtr } from "./value";
import { bufAscii, bufByte, bufBytes, bufI64, bufNew, bufToString } from "./buf";
import { parseDecimalText, writeShortest } from "./dtoa";

/** parseNumberText converts validated JSON number bytes to the nearest f64. */
export function parseNumberText(ptr: usize, len: u32): f64 {
  // Fast path: short integers are exact in f64.
  if (len <= 16) {
    let i: u32 = 0;
    let neg = false;
    if (load<u8>(ptr) == 45) {
      neg = true;
      i = 1;
    }
    let acc: i64 = 0;
    let ok = i < len;
    for (; i < len; i++) {
      const d = <u32>load<u8>(ptr + <usize>i) - 48;
      if (d > 9) {
        ok = false;
        break;
      }
      acc = acc * 10 + <i64>d;
    }
    if (ok) return neg ? -<f64>acc : <f64>acc;
  }
  return parseDecimalText(ptr, len);
}

/** writeNumber appends the JSON text of a NUMBER value to buffer b. */
export function writeNumber(b: usize, v: usize): void {
  if (numberHasText(v)) {
    bufBytes(b, numberTextPtr(v), numberTextLen(v));
    return;
  }
  writeF64(b, numberOf(v));
}

/** writeF64 appends a float like JS String(x) (integers up to 2^53 as plain digits; non-finite as null). */
export function writeF64(b: usize, f: f64): void {
  if (!isFinite(f)) {
    bufAscii(b, "null");
    return;
  }
  if (f == 0) {
    bufByte(b, 48);
    return;
  }
  if (f == Math.trunc(f) && Math.abs(f) <= 9007199254740992) {
    bufI64(b, <i64>f);
    return;
  }
  writeShortest(b, f);
}

/** numberToString returns the decimal text of a NUMBER value as a STRING value. */
export function numberToString(v: usize): usize {
  const b = bufNew(24);
  writeNumber(b, v);
  return bufToString(b);
}

const SAFE_INT: f64 = 9007199254740992; // 2^53

/** numberIsSafeInt tells whether a NUMBER is an integer of magnitude below 2^53 that its f64
 * holds exactly. Its literal text may spell it "1.0" or "1e3" (so callers print newNumber(x),
 * not the text). Text of at most 15 characters has at most 15 significant digits, too few to
 * round a non-integer onto an integral non-zero f64; longer text, and text read as 0 (which
 * could be an underflow like 1e-400), must be a plain integer. */
// @ts-ignore: decorator
@inline export function numberIsSafeInt(v: usize): bool {
  const x = numberOf(v);
  if (x != Math.trunc(x) || Math.abs(x) >= SAFE_INT) return false;
  return !numberHasText(v) || (numberTextLen(v) <= 15 && x != 0) || textIsPlainInt(v);
}

/** textIsPlainInt tells whether a NUMBER's literal text is digits with an optional minus sign. */
function textIsPlainInt(v: usize): bool {
  const p = numberTextPtr(v);
  const n = numberTextLen(v);
  for (let i: u32 = load<u8>(p) == 45 ? 1 : 0; i < n; i++) {
    if (<u32>load<u8>(p + <usize>i) - 48 > 9) return false;
  }
  return true;
}

// scanDecimal() results: sign, digit count, digits before the point, decimal exponent.
// @ts-ignore: decorator
@lazy export let scanNeg = false;
// @ts-ignore: decorator
@lazy export let scanCount: u32 = 0;
// @ts-ignore: decorator
@lazy export let scanIntDigits: i32 = 0;
// @ts-ignore: decorator
@lazy export let scanExp: i32 = 0;

/**
 * scanDecimal splits validated JSON number text [p, p+len) into its ASCII digits (copied to out,
 * which holds len bytes; the point dropped, zeros kept) and sets scanNeg, scanCount, scanIntDigits
 * (digits before the point) and scanExp (the exponent, its magnitude saturating near 1e9).
 */
export function scanDecimal(p: usize, len: u32, out: usize): void {
  let i: u32 = 0;
  scanNeg = len > 0 && load<u8>(p) == 45;
  if (scanNeg) i++;
  let n: u32 = 0;
  let intDigits: i32 = 0;
  let seenPoint = false;
  for (; i < len; i++) {
    const c = <u32>load<u8>(p + <usize>i);
    if (c == 46) {
      seenPoint = true;
      continue;
    }
    if (c - 48 > 9) break;
    store<u8>(out + <usize>n, <u8>c);
    n++;
    if (!seenPoint) intDigits++;
  }
  let e: i32 = 0;
  if (i < len) {
    i++; // 'e' or 'E'
    let eneg = false;
    if (i < len && (load<u8>(p + <usize>i) == 45 || load<u8>(p + <usize>i) == 43)) {
      eneg = load<u8>(p + <usize>i) == 45;
      i++;
    }
    for (; i < len; i++) {
      if (e < 100000000) e = e * 10 + <i32>(<u32>load<u8>(p + <usize>i) - 48);
    }
    if (eneg) e = -e;
  }
  scanCount = n;
  scanIntDigits = intDigits;
  scanExp = e;
}
