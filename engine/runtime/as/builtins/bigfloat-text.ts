// Float (bigfloat.ts) -> number text the way OPA prints a big.Float result: integers with
// Text('f', -1), everything else with Text('g', -1). Both use the shortest digits that read back
// as the same Float at its precision (Go's roundShortest: the interval is half a last place on
// either side, inclusive when the mantissa is even); 'g' switches to d.ddde±dd when the decimal
// exponent is below -4 or at least 6. Exports: fWriteText, fToNumber.

import { alloc, newNumberText } from "../value";
import { bufByte, bufBytes, bufLen, bufNew, bufPtr } from "../buf";
import { parseNumberText } from "../number-format";
import {
  natBitLen, natDecimalLen, natMulAddSmall, natPow5, natMul, natShl, natShr,
  natSubSmall, natToDecimal, natTrailingZeros,
} from "./bignat";
import { fExp, fIsInt, fIsZero, fMant, fNeg, fPrec } from "./bigfloat";

// A decimal: ASCII digits without trailing zeros at `ptr`, `len` of them, value 0.DIGITS * 10^point.
// @ts-ignore: decorator
@lazy let decPtr: usize = 0;
// @ts-ignore: decorator
@lazy let decLen: i32 = 0;
// @ts-ignore: decorator
@lazy let decPoint: i32 = 0;

/** toDecimal sets decPtr/decLen/decPoint to the exact decimal of mant * 2^exp (mant > 0). */
function toDecimal(mant: usize, exp: i32): void {
  let m = mant;
  let e = exp;
  if (e < 0) {
    // Drop trailing zero bits first: fewer fives to multiply in.
    let tz = natTrailingZeros(m);
    if (tz > -e) tz = -e;
    m = natShr(m, tz);
    e += tz;
  }
  let point: i32 = 0;
  if (e > 0) m = natShl(m, e);
  else if (e < 0) {
    m = natMul(m, natPow5(-e)); // m * 2^e = m * 5^-e * 10^e
    point = e;
  }
  const p = natToDecimal(m);
  let n = natDecimalLen();
  decPoint = n + point;
  while (n > 0 && load<u8>(p + <usize>(n - 1)) == 48) n--;
  decPtr = p;
  decLen = n;
}

// digit i of a decimal, '0' past its end
function digitAt(p: usize, n: i32, i: i32): u32 {
  return i < n ? <u32>load<u8>(p + <usize>i) : 48;
}

/** roundUpAt keeps the first n digits of the current decimal and adds one in the last place. */
function roundUpAt(n: i32): void {
  while (n > 0 && load<u8>(decPtr + <usize>(n - 1)) == 57) n--;
  if (n == 0) {
    store<u8>(decPtr, 49);
    decLen = 1;
    decPoint++;
    return;
  }
  store<u8>(decPtr + <usize>(n - 1), load<u8>(decPtr + <usize>(n - 1)) + 1);
  decLen = n;
}

/** roundDownAt keeps the first n digits of the current decimal. */
function roundDownAt(n: i32): void {
  while (n > 0 && load<u8>(decPtr + <usize>(n - 1)) == 48) n--;
  decLen = n;
}

/** roundHalfEvenAt rounds the current decimal to n digits, an exact half to an even digit. */
function roundHalfEvenAt(n: i32): void {
  if (n >= decLen) return;
  const next = load<u8>(decPtr + <usize>n);
  let up = next >= 53;
  if (next == 53 && n + 1 == decLen) up = n > 0 && ((load<u8>(decPtr + <usize>(n - 1)) - 48) & 1) != 0;
  if (up) roundUpAt(n);
  else roundDownAt(n);
}

/** shortest sets the current decimal to the shortest digits identifying f at its precision:
 * walk f's exact digits against those of the interval ends (compared index by index, as Go
 * does) until truncating or rounding up stays inside. f is non-zero. */
function shortest(f: usize): void {
  const prec = <i32>fPrec(f);
  // Mantissa with prec + 1 bits: its last bit is half a last place.
  let mant = fMant(f);
  const s = natBitLen(mant) - (prec + 1);
  mant = s < 0 ? natShl(mant, -s) : natShr(mant, s);
  const exp = fExp(f) + s;
  const inclusive = !natLowBit1(mant);
  toDecimal(natSubSmall(mant, 1), exp);
  const lowPtr = decPtr;
  const lowLen = decLen;
  toDecimal(natMulAddSmall(mant, 1, 1), exp);
  const highPtr = decPtr;
  const highLen = decLen;
  toDecimal(fMant(f), fExp(f));
  for (let i = 0; i < decLen; i++) {
    const m = <u32>load<u8>(decPtr + <usize>i);
    const l = digitAt(lowPtr, lowLen, i);
    const u = digitAt(highPtr, highLen, i);
    const okDown = l != m || (inclusive && i + 1 == lowLen);
    const okUp = m != u && (inclusive || m + 1 < u || i + 1 < highLen);
    if (okDown && okUp) {
      roundHalfEvenAt(i + 1);
      return;
    }
    if (okDown) {
      roundDownAt(i + 1);
      return;
    }
    if (okUp) {
      if (i + 1 < decLen) roundUpAt(i + 1);
      return;
    }
  }
}

// bit 1 of a Nat (the mantissa's last bit once shifted to prec + 1 bits)
function natLowBit1(m: usize): bool {
  return natBitLen(m) > 1 && (load<u32>(m + 4) & 2) != 0;
}

/** fWriteText appends OPA's text for f to buffer b. */
export function fWriteText(b: usize, f: usize): void {
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
  const x = decPoint - 1;
  if (x < -4 || x >= 6) writeExp(b);
  else writeFixed(b, decLen > decPoint ? decLen - decPoint : 0);
}

/** writeFixed appends the current decimal as ddd.ddd with `frac` fraction digits. */
function writeFixed(b: usize, frac: i32): void {
  if (decPoint > 0) {
    const m = decLen < decPoint ? decLen : decPoint;
    bufBytes(b, decPtr, <u32>m);
    for (let i = m; i < decPoint; i++) bufByte(b, 48);
  } else {
    bufByte(b, 48);
  }
  if (frac <= 0) return;
  bufByte(b, 46);
  for (let i = 0; i < frac; i++) {
    const j = decPoint + i;
    bufByte(b, j >= 0 ? digitAt(decPtr, decLen, j) : 48);
  }
}

/** writeExp appends the current decimal as d.ddde±dd (at least two exponent digits). */
function writeExp(b: usize): void {
  bufByte(b, load<u8>(decPtr));
  if (decLen > 1) {
    bufByte(b, 46);
    bufBytes(b, decPtr + 1, <u32>(decLen - 1));
  }
  bufByte(b, 101);
  let x = decPoint - 1;
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

/** fToNumber makes a NUMBER with OPA's text for f and the nearest f64. */
export function fToNumber(f: usize): usize {
  const b = bufNew(32);
  fWriteText(b, f);
  return newNumberText(parseNumberText(bufPtr(b), bufLen(b)), bufPtr(b), bufLen(b));
}
