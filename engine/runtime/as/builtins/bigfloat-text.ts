// Float (bigfloat.ts) -> number text the way OPA prints a big.Float result: integers with
// Text('f', -1), everything else with Text('g', -1). Both use the shortest digits that read back
// as the same Float at its precision (Go's roundShortest: the interval is half a last place on
// either side, inclusive when the mantissa is even, and the digits of its ends are compared with
// the value's index by index); 'g' switches to d.ddde±dd when the decimal exponent is below -4 or
// at least 6. Exports: fToNumber.

import { alloc, newNumberText } from "../value";
import { bufByte, bufBytes, bufLen, bufNew, bufPtr } from "../buf";
import { parseNumberText } from "../number-format";
import {
  natBit, natBitLen, natDecimalLen, natDiv, natDivInexact, natFromU64, natLowZero, natMul, natMulAddSmall,
  natPow5, natShl, natShr, natSubSmall, natToDecimal,
} from "./bignat";
import { fExp, fIsInt, fIsZero, fMant, fNearestF64, fNeg, fPrec } from "./bigfloat";

const LOG10_2: f64 = 0.30102999566398120;

// Digits: a 20-byte record [u32 ptr][i32 len][i32 width][i32 point][u32 more]: the leading
// `width` decimal digits (ASCII) of a positive value 0.DIGITS... * 10^point, `len` of them
// before the trailing zeros; `more` says non-zero digits follow the first `width`.
function newDigits(ptr: usize, len: i32, width: i32, point: i32, more: bool): usize {
  const d = alloc(20);
  store<u32>(d, <u32>ptr);
  store<i32>(d, len, 4);
  store<i32>(d, width, 8);
  store<i32>(d, point, 12);
  store<u32>(d, more ? 1 : 0, 16);
  return d;
}

// @ts-ignore: decorator
@inline function dPtr(d: usize): usize { return <usize>load<u32>(d); }
// @ts-ignore: decorator
@inline function dLen(d: usize): i32 { return load<i32>(d, 4); }
// @ts-ignore: decorator
@inline function dWidth(d: usize): i32 { return load<i32>(d, 8); }
// @ts-ignore: decorator
@inline function dPoint(d: usize): i32 { return load<i32>(d, 12); }
// @ts-ignore: decorator
@inline function dMore(d: usize): bool { return load<u32>(d, 16) != 0; }

/** digitsFrom makes Digits from the decimal digits of an integer t scaled by 10^scale. */
function digitsFrom(t: usize, scale: i32, more: bool): usize {
  const p = natToDecimal(t);
  const n = natDecimalLen();
  let len = n;
  while (len > 0 && load<u8>(p + <usize>(len - 1)) == 48) len--;
  return newDigits(p, len, n, n + scale, more);
}

/** leadingDigits returns about `keep` leading digits of mant * 2^exp (mant > 0): the value
 * times a power of ten, truncated, with whether anything was cut. */
function leadingDigits(mant: usize, exp: i32, keep: i32): usize {
  // 10^(q-1) <= value < 10^q, or q is one too large: the truncation has keep or keep-1 digits.
  const q = <i32>Math.floor(<f64>(natBitLen(mant) + exp) * LOG10_2) + 1;
  const j = keep - q; // value * 10^j = mant * 5^j * 2^(exp+j)
  const s = exp + j;
  let num = j >= 0 ? natMul(mant, natPow5(j)) : mant;
  let den = j >= 0 ? natFromU64(1) : natPow5(-j);
  if (s >= 0) num = natShl(num, s);
  else if (j >= 0) {
    const t = natShr(num, -s);
    return digitsFrom(t, -j, !natLowZero(num, -s));
  } else den = natShl(den, -s);
  const t = natDiv(num, den);
  return digitsFrom(t, -j, natDivInexact());
}

/** exactDigits returns every digit of mant * 2^exp (mant > 0). */
function exactDigits(mant: usize, exp: i32): usize {
  if (exp >= 0) return digitsFrom(natShl(mant, exp), 0, false);
  return digitsFrom(natMul(mant, natPow5(-exp)), exp, false); // mant * 5^-exp * 10^exp
}

// Digit i of d: ASCII, '0' past its end, or 0 when it lies past the digits computed.
function digitAt(d: usize, i: i32): u32 {
  if (i < dLen(d)) return <u32>load<u8>(dPtr(d) + <usize>i);
  return i < dWidth(d) || !dMore(d) ? 48 : 0;
}

// Whether d's exact digit count (trailing zeros trimmed) equals n: 1 yes, 0 no, -1 unknown.
function lenIs(d: usize, n: i32): i32 {
  if (!dMore(d)) return dLen(d) == n ? 1 : 0;
  return n <= dWidth(d) ? 0 : -1;
}

// Whether d's exact digit count exceeds n: 1 yes, 0 no, -1 unknown.
function lenExceeds(d: usize, n: i32): i32 {
  if (!dMore(d)) return dLen(d) > n ? 1 : 0;
  return n <= dWidth(d) ? 1 : -1;
}

// The shortest digits chosen: a prefix of the value's digits, possibly rounded up.
// @ts-ignore: decorator
@lazy let outPtr: usize = 0;
// @ts-ignore: decorator
@lazy let outLen: i32 = 0;
// @ts-ignore: decorator
@lazy let outPoint: i32 = 0;

/** keepDigits sets the output to the first n digits of d. */
function keepDigits(d: usize, n: i32): void {
  outPtr = dPtr(d);
  outLen = n < dLen(d) ? n : dLen(d);
  while (outLen > 0 && load<u8>(outPtr + <usize>(outLen - 1)) == 48) outLen--;
  outPoint = dPoint(d);
}

/** roundUpDigits sets the output to the first n digits of d plus one in the last place. */
function roundUpDigits(d: usize, n: i32): void {
  outPtr = dPtr(d);
  outPoint = dPoint(d);
  while (n > 0 && load<u8>(outPtr + <usize>(n - 1)) == 57) n--;
  if (n == 0) {
    store<u8>(outPtr, 49);
    outLen = 1;
    outPoint++;
    return;
  }
  store<u8>(outPtr + <usize>(n - 1), load<u8>(outPtr + <usize>(n - 1)) + 1);
  outLen = n;
}

/** walk runs Go's roundShortest over the digits of the value (d) and of the interval ends
 * (low, high), which are compared index by index whatever their decimal points. It sets the
 * output, or returns false when it needs digits past those computed. */
function walk(low: usize, d: usize, high: usize, inclusive: bool): bool {
  for (let i = 0; ; i++) {
    if (!dMore(d) && i >= dLen(d)) {
      keepDigits(d, dLen(d)); // no shorter digits: all of them
      return true;
    }
    const m = digitAt(d, i);
    const l = digitAt(low, i);
    const u = digitAt(high, i);
    const lowEnds = lenIs(low, i + 1);
    const highLonger = lenExceeds(high, i + 1);
    if (m == 0 || l == 0 || u == 0 || lowEnds < 0 || highLonger < 0) return false;
    // Truncating stays above the low end, or rounding up stays below the high end.
    const okDown = l != m || (inclusive && lowEnds == 1);
    const okUp = m != u && (inclusive || m + 1 < u || highLonger == 1);
    if (okDown && okUp) return roundHalfEven(d, i + 1);
    if (okDown) {
      keepDigits(d, i + 1);
      return true;
    }
    if (okUp) {
      const cut = lenExceeds(d, i + 1);
      if (cut < 0) return false;
      if (cut == 1) roundUpDigits(d, i + 1);
      else keepDigits(d, dLen(d));
      return true;
    }
  }
  return false;
}

/** roundHalfEven sets the output to d rounded to n digits, an exact half to an even digit. */
function roundHalfEven(d: usize, n: i32): bool {
  const cut = lenExceeds(d, n);
  const next = digitAt(d, n);
  const isLast = lenIs(d, n + 1);
  if (cut < 0 || (cut == 1 && (next == 0 || isLast < 0))) return false;
  if (cut == 0) {
    keepDigits(d, dLen(d));
    return true;
  }
  let up = next >= 53;
  if (next == 53 && isLast == 1) up = n > 0 && ((load<u8>(dPtr(d) + <usize>(n - 1)) - 48) & 1) != 0;
  if (up) roundUpDigits(d, n);
  else keepDigits(d, n);
  return true;
}

/** shortest sets the output to the shortest digits identifying f (non-zero) at its precision. */
function shortest(f: usize): void {
  const prec = <i32>fPrec(f);
  // The mantissa with prec + 1 bits: its last bit is half a last place.
  const s = natBitLen(fMant(f)) - (prec + 1);
  const mant = s < 0 ? natShl(fMant(f), -s) : natShr(fMant(f), s);
  const exp = fExp(f) + s;
  const inclusive = !natBit(mant, 1); // the original last bit is even
  const lowMant = natSubSmall(mant, 1);
  const highMant = natMulAddSmall(mant, 1, 1);
  // Enough digits for any value at this precision, with a margin; else every digit.
  const keep = <i32>(<f64>prec * LOG10_2) + 6;
  if (walk(leadingDigits(lowMant, exp, keep), leadingDigits(mant, exp, keep), leadingDigits(highMant, exp, keep), inclusive)) return;
  walk(exactDigits(lowMant, exp), exactDigits(mant, exp), exactDigits(highMant, exp), inclusive);
}

/** fWriteText appends OPA's text for f to buffer b. */
function fWriteText(b: usize, f: usize): void {
  if (fNeg(f)) bufByte(b, 45);
  if (fIsZero(f)) {
    bufByte(b, 48);
    return;
  }
  shortest(f);
  if (fIsInt(f)) {
    writeFixed(b, 0);
    return;
  }
  const x = outPoint - 1;
  if (x < -4 || x >= 6) writeExp(b);
  else writeFixed(b, outLen > outPoint ? outLen - outPoint : 0);
}

/** writeFixed appends the output digits as ddd.ddd with `frac` fraction digits. */
function writeFixed(b: usize, frac: i32): void {
  if (outPoint > 0) {
    const m = outLen < outPoint ? outLen : outPoint;
    bufBytes(b, outPtr, <u32>m);
    for (let i = m; i < outPoint; i++) bufByte(b, 48);
  } else {
    bufByte(b, 48);
  }
  if (frac <= 0) return;
  bufByte(b, 46);
  for (let i = 0; i < frac; i++) {
    const j = outPoint + i;
    bufByte(b, j >= 0 && j < outLen ? <u32>load<u8>(outPtr + <usize>j) : 48);
  }
}

/** writeExp appends the output digits as d.ddde±dd (at least two exponent digits). */
function writeExp(b: usize): void {
  bufByte(b, load<u8>(outPtr));
  if (outLen > 1) {
    bufByte(b, 46);
    bufBytes(b, outPtr + 1, <u32>(outLen - 1));
  }
  bufByte(b, 101);
  let x = outPoint - 1;
  bufByte(b, x < 0 ? 45 : 43);
  if (x < 0) x = -x;
  if (x < 10) bufByte(b, 48);
  const digits = alloc(12);
  let n = 0;
  do {
    store<u8>(digits + <usize>n, <u8>(48 + x % 10));
    x /= 10;
    n++;
  } while (x > 0);
  while (n > 0) {
    n--;
    bufByte(b, load<u8>(digits + <usize>n));
  }
}

/** fToNumber makes a NUMBER with OPA's text for f and the f64 nearest that text. */
export function fToNumber(f: usize): usize {
  const b = bufNew(32);
  fWriteText(b, f);
  let x = fNearestF64(f);
  if (isNaN(x)) x = parseNumberText(bufPtr(b), bufLen(b));
  return newNumberText(x, bufPtr(b), bufLen(b));
}
