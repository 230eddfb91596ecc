// Binary floating point with a chosen mantissa precision, as OPA computes non-integer numbers
// (Go's math/big Float: precision 64 for parsed numbers, rounding to nearest, ties to even).
// A Float is a 16-byte record [u32 neg][u32 mant (Nat, bignat.ts)][i32 exp][u32 prec] meaning
// (-1)^neg * mant * 2^exp, mant < 2^prec once rounded; zero keeps its sign (Go has -0). Number text in,
// Float arithmetic, and (bigfloat-text.ts) number text out. Exports: the f* functions.

import { alloc, numberHasText, numberOf, numberTextLen, numberTextPtr } from "../value";
import { bufLen, bufNew, bufPtr } from "../buf";
import { scanCount, scanDecimal, scanExp, scanIntDigits, scanNeg, writeF64 } from "../number-format";
import {
  natAdd, natBit, natBitLen, natCmp, natDiv, natDivInexact, natFromDecimal, natFromU64, natIsZero,
  natLow64, natLowZero, natMul, natMulAddSmall, natShl, natShr, natSub,
} from "./bignat";

/** PREC is the mantissa precision of parsed numbers and of arithmetic on them (Go's default). */
export const PREC: u32 = 64;

/** MAX_EXP10 bounds the decimal exponent of number text this module accepts. */
const MAX_EXP10: i32 = 100000;

function fNew(neg: bool, mant: usize, exp: i32, prec: u32): usize {
  const f = alloc(16);
  store<u32>(f, neg ? 1 : 0);
  store<u32>(f, <u32>mant, 4);
  store<i32>(f, exp, 8);
  store<u32>(f, prec, 12);
  return f;
}

/** fNeg tells whether f is negative (including -0). */
export function fNeg(f: usize): bool { return load<u32>(f) != 0; }
/** fMant returns f's mantissa Nat. */
export function fMant(f: usize): usize { return <usize>load<u32>(f, 4); }
/** fExp returns the binary exponent of f's integer mantissa. */
export function fExp(f: usize): i32 { return load<i32>(f, 8); }
/** fPrec returns f's mantissa precision in bits. */
export function fPrec(f: usize): u32 { return load<u32>(f, 12); }
/** fIsZero tells whether f is ±0. */
export function fIsZero(f: usize): bool { return natIsZero(fMant(f)); }

/** fZero makes ±0 at precision prec. */
export function fZero(neg: bool, prec: u32): usize {
  return fNew(neg, natFromU64(0), 0, prec);
}

/** fRounded makes the Float nearest to (-1)^neg * mant * 2^exp at precision prec, ties to even;
 * sticky says the exact value is a little larger in magnitude than mant * 2^exp (a non-zero
 * remainder below mant's last bit). */
export function fRounded(neg: bool, mant: usize, exp: i32, prec: u32, sticky: bool): usize {
  const bits = natBitLen(mant);
  if (bits == 0) return fZero(neg, prec);
  const drop = bits - <i32>prec;
  if (drop <= 0) return fNew(neg, mant, exp, prec);
  let kept = natShr(mant, drop);
  const half = natBit(mant, drop - 1);
  const rest = sticky || !natLowZero(mant, drop - 1);
  if (half && (rest || natBit(kept, 0))) {
    kept = natMulAddSmall(kept, 1, 1);
    if (natBitLen(kept) > <i32>prec) return fNew(neg, natShr(kept, 1), exp + drop + 1, prec);
  }
  return fNew(neg, kept, exp + drop, prec);
}

// ---- number text -> Float ----

// Powers of five that fit 64 bits are exact; Go's Float.SetString builds larger ones by
// squaring at 128/192 bits, and so must we to round exactly as OPA does.
const EXACT_POW5: i32 = 27;

/** pow5 returns 5^n as Go's SetString computes it for a precision-64 result. */
function pow5(n: i32): usize {
  let p: u64 = 1;
  if (n <= EXACT_POW5) {
    for (let i = 0; i < n; i++) p *= 5;
    return fNew(false, natFromU64(p), 0, PREC + 64);
  }
  for (let i = 0; i < EXACT_POW5; i++) p *= 5;
  let z = fNew(false, natFromU64(p), 0, PREC + 64);
  let f = fNew(false, natFromU64(5), 0, PREC + 128);
  for (let k = n - EXACT_POW5; k > 0; k >>= 1) {
    if ((k & 1) != 0) z = fMulAt(z, f, fPrec(z));
    f = fMulAt(f, f, fPrec(f));
  }
  return z;
}

/** fParse converts validated JSON number text to a Float of precision PREC exactly as Go's
 * big.Float SetString does (digits times a power of ten, one rounding except for the power's
 * own), or returns 0 when the decimal exponent exceeds MAX_EXP10. */
function fParse(p: usize, len: u32): usize {
  const digits = alloc(<usize>len);
  scanDecimal(p, len, digits);
  const neg = scanNeg;
  const n = scanCount;
  const frac = <i32>n - scanIntDigits;
  const e = scanExp;
  if (e > MAX_EXP10 * 2 || e < -MAX_EXP10 * 2) return 0;
  const mant = natFromDecimal(digits, n);
  if (natIsZero(mant)) return fZero(neg, PREC);
  const exp10 = e - frac;
  if (exp10 > MAX_EXP10 || exp10 < -MAX_EXP10) return 0;
  if (exp10 == 0) return fRounded(neg, mant, 0, PREC, false);
  // digits * 10^exp10 = digits * 2^exp10 * 5^exp10
  const five = pow5(exp10 < 0 ? -exp10 : exp10);
  const x = fNew(neg, mant, exp10, PREC);
  return exp10 < 0 ? fQuoAt(x, five, PREC) : fMulAt(x, five, PREC);
}

// ---- arithmetic (Go's Add/Sub/Mul/Quo with the result precision given) ----

/** fMulAt returns x * y rounded to prec bits (the sign of a zero product is the sign rule's). */
export function fMulAt(x: usize, y: usize, prec: u32): usize {
  const neg = fNeg(x) != fNeg(y);
  if (fIsZero(x) || fIsZero(y)) return fZero(neg, prec);
  return fRounded(neg, natMul(fMant(x), fMant(y)), fExp(x) + fExp(y), prec, false);
}

/** fQuoAt returns x / y (y non-zero) rounded to prec bits. */
export function fQuoAt(x: usize, y: usize, prec: u32): usize {
  const neg = fNeg(x) != fNeg(y);
  if (fIsZero(x)) return fZero(neg, prec);
  let num = fMant(x);
  let den = fMant(y);
  let exp = fExp(x) - fExp(y);
  // Scale so the quotient has prec + 2 or prec + 3 bits: enough for the rounding bit.
  const shift = <i32>prec + 2 - (natBitLen(num) - natBitLen(den));
  if (shift > 0) num = natShl(num, shift);
  else den = natShl(den, -shift);
  exp -= shift;
  const q = natDiv(num, den);
  return fRounded(neg, q, exp, prec, natDivInexact());
}

/** fTop returns the exponent just above f's leading bit (|f| < 2^fTop). */
function fTop(f: usize): i32 {
  return fExp(f) + natBitLen(fMant(f));
}

/** fAddAt returns x + y rounded to prec bits (exact cancellation gives +0, -0 + -0 gives -0). */
export function fAddAt(x: usize, y: usize, prec: u32): usize {
  const xz = fIsZero(x);
  const yz = fIsZero(y);
  if (xz && yz) return fZero(fNeg(x) && fNeg(y), prec);
  if (yz) return fRounded(fNeg(x), fMant(x), fExp(x), prec, false);
  if (xz) return fRounded(fNeg(y), fMant(y), fExp(y), prec, false);
  // An addend below a quarter of the other's last place cannot move its rounding: skip the
  // (possibly enormous) alignment shift.
  if (natBitLen(fMant(x)) <= <i32>prec && fTop(y) <= fTop(x) - <i32>prec - 2) return fRounded(fNeg(x), fMant(x), fExp(x), prec, false);
  if (natBitLen(fMant(y)) <= <i32>prec && fTop(x) <= fTop(y) - <i32>prec - 2) return fRounded(fNeg(y), fMant(y), fExp(y), prec, false);
  const exp = fExp(x) < fExp(y) ? fExp(x) : fExp(y);
  const a = natShl(fMant(x), fExp(x) - exp);
  const b = natShl(fMant(y), fExp(y) - exp);
  if (fNeg(x) == fNeg(y)) return fRounded(fNeg(x), natAdd(a, b), exp, prec, false);
  const c = natCmp(a, b);
  if (c == 0) return fZero(false, prec);
  return c > 0 ? fRounded(fNeg(x), natSub(a, b), exp, prec, false) : fRounded(fNeg(y), natSub(b, a), exp, prec, false);
}

/** fNegate returns -f. */
function fNegate(f: usize): usize {
  return fNew(!fNeg(f), fMant(f), fExp(f), fPrec(f));
}

/** fSubAt returns x - y rounded to prec bits. */
export function fSubAt(x: usize, y: usize, prec: u32): usize {
  return fAddAt(x, fNegate(y), prec);
}

/** fAbs returns |f| (same precision). */
export function fAbs(f: usize): usize {
  return fNew(false, fMant(f), fExp(f), fPrec(f));
}

/** fMaxPrec returns the larger precision of x and y (Go's result precision for a fresh Float). */
function fMaxPrec(x: usize, y: usize): u32 {
  return fPrec(x) > fPrec(y) ? fPrec(x) : fPrec(y);
}

// ---- integers ----

/** fIsInt tells whether f is an integer (zero included). */
export function fIsInt(f: usize): bool {
  return fExp(f) >= 0 || natLowZero(fMant(f), -fExp(f));
}

/** fTruncMag returns |f| truncated towards zero, as a Nat. */
function fTruncMag(f: usize): usize {
  const e = fExp(f);
  return e >= 0 ? natShl(fMant(f), e) : natShr(fMant(f), -e);
}

/** fFromInt makes the Float of the integer (-1)^neg * mag exactly, at precision max(bits, PREC)
 * (Go's SetInt on a fresh Float); zero is +0. */
function fFromInt(neg: bool, mag: usize): usize {
  const bits = natBitLen(mag);
  if (bits == 0) return fZero(false, PREC);
  return fNew(neg, mag, 0, bits > <i32>PREC ? <u32>bits : PREC);
}

/** fCmp compares the values of x and y (-0 equals +0): -1, 0 or 1. */
function fCmp(x: usize, y: usize): i32 {
  const xz = fIsZero(x);
  const yz = fIsZero(y);
  if (xz && yz) return 0;
  const xs: i32 = xz ? 0 : fNeg(x) ? -1 : 1;
  const ys: i32 = yz ? 0 : fNeg(y) ? -1 : 1;
  if (xs != ys) return xs < ys ? -1 : 1;
  const exp = fExp(x) < fExp(y) ? fExp(x) : fExp(y);
  const m = natCmp(natShl(fMant(x), fExp(x) - exp), natShl(fMant(y), fExp(y) - exp));
  return xs < 0 ? -m : m;
}

// ---- NUMBER values and OPA's rounding builtins ----

/** fFromNumber converts a NUMBER value (its literal text, or the shortest text of its f64) to a
 * Float of precision PREC, or returns 0 when out of range (see fParse). */
export function fFromNumber(v: usize): usize {
  if (numberHasText(v)) return fParse(numberTextPtr(v), numberTextLen(v));
  const x = numberOf(v);
  if (!isFinite(x)) return 0;
  const b = bufNew(32);
  writeF64(b, x);
  return fParse(bufPtr(b), bufLen(b));
}

/** fTruncInt returns f truncated towards zero as an exact integer Float (Go's SetInt of f.Int). */
function fTruncInt(f: usize): usize {
  return fFromInt(fNeg(f), fTruncMag(f));
}

/** fOne makes 1 at precision 53 (Go's big.NewFloat(1.0)); fHalf makes 0.5 likewise. */
function fOne(): usize { return fNew(false, natFromU64(1), 0, 53); }
function fHalf(): usize { return fNew(false, natFromU64(1), -1, 53); }

/** fRoundHalfAway is OPA's round: add (or, with the sign bit set, subtract) one half at precision
 * PREC, then truncate. */
export function fRoundHalfAway(f: usize): usize {
  return fTruncInt(fNeg(f) ? fSubAt(f, fHalf(), PREC) : fAddAt(f, fHalf(), PREC));
}

/** fCeil is OPA's ceil: the truncation, plus one unless it is negative or equal to f. A value
 * in (-1, 0) truncates to +0 and so ceils to 1, as in OPA. */
export function fCeil(f: usize): usize {
  const t = fTruncInt(f);
  if (fNeg(t) || fCmp(f, t) == 0) return t;
  return fAddAt(t, fOne(), fMaxPrec(t, fOne()));
}

/** fFloor is OPA's floor: the truncation, minus one when it is negative and differs from f. A
 * value in (-1, 0) truncates to +0 and so floors to 0, as in OPA. */
export function fFloor(f: usize): usize {
  const t = fTruncInt(f);
  if (!fNeg(t) || fCmp(f, t) == 0) return t;
  return fSubAt(t, fOne(), fMaxPrec(t, fOne()));
}

// ---- the f64 beside OPA's text ----

/** pow2 returns 2^e exactly for -1074 <= e <= 1023. */
function pow2(e: i32): f64 {
  if (e >= -1022) return reinterpret<f64>(<u64>(e + 1023) << 52);
  return reinterpret<f64>(<u64>1 << <u64>(e + 1074));
}

/** fNearestF64 returns the f64 nearest to every decimal within half a last place of f (so to
 * f's shortest text), or NaN when that is not certain: f is at most 53 bits, outside the normal
 * f64 range, or exactly halfway between two f64s, where the text itself must be parsed. */
export function fNearestF64(f: usize): f64 {
  if (fIsZero(f)) return fNeg(f) ? -0.0 : 0.0;
  const prec = <i32>fPrec(f);
  if (prec <= 53) return NaN;
  const bits = natBitLen(fMant(f));
  const m = natShl(fMant(f), prec - bits); // exactly prec bits
  const drop = prec - 53;
  const half = natBit(m, drop - 1);
  if (half && natLowZero(m, drop - 1)) return NaN;
  let top = natLow64(natShr(m, drop));
  let e = fExp(f) - (prec - bits) + drop;
  if (half) top++;
  if (top == <u64>1 << 53) {
    top >>= 1;
    e++;
  }
  if (e < -1074 || e > 971) return NaN;
  const v = <f64>top * pow2(e);
  return fNeg(f) ? -v : v;
}
