// Exact decimal arithmetic for numbers: a Dec is a 16-byte record [u32 neg][u32 len][u32 digits]
// [i32 scale] meaning (-1)^neg * digits * 10^-scale, digits most significant first without
// leading zeros (zero has len 0). NUMBER values (literal text or f64) -> Dec -> NUMBER values.
// Exports: decFromNumber, decAdd, decSub, decMul, decRem, decIsInt, decIsZero, decToNumber, decToBuf.

import { alloc, newNumberText, numberHasText, numberOf, numberTextLen, numberTextPtr } from "../value";
import { bufByte, bufLen, bufNew, bufPtr } from "../buf";
import { parseNumberText, writeF64 } from "../number-format";

const MAX_EXP: i32 = 4000;

function decNew(neg: bool, len: u32, digits: usize, scale: i32): usize {
  const d = alloc(16);
  store<u32>(d, neg ? 1 : 0);
  store<u32>(d, len, 4);
  store<u32>(d, <u32>digits, 8);
  store<i32>(d, scale, 12);
  return decTrim(d);
}

// @ts-ignore: decorator
@inline function dNeg(d: usize): bool { return load<u32>(d) != 0; }
// @ts-ignore: decorator
@inline function dLen(d: usize): u32 { return load<u32>(d, 4); }
// @ts-ignore: decorator
@inline function dPtr(d: usize): usize { return <usize>load<u32>(d, 8); }
// @ts-ignore: decorator
@inline function dScale(d: usize): i32 { return load<i32>(d, 12); }

/** decTrim drops leading zeros and trailing fractional zeros in place and returns d. */
function decTrim(d: usize): usize {
  let p = dPtr(d);
  let n = dLen(d);
  let s = dScale(d);
  while (n > 0 && load<u8>(p) == 0) { p++; n--; }
  while (n > 0 && s > 0 && load<u8>(p + <usize>n - 1) == 0) { n--; s--; }
  if (n == 0) s = 0;
  store<u32>(d, n, 4);
  store<u32>(d, <u32>p, 8);
  store<i32>(d, s, 12);
  if (n == 0) store<u32>(d, 0);
  return d;
}

/** decFromText parses JSON number text into a Dec, or returns 0 when the exponent is out of range. */
export function decFromText(p: usize, len: u32): usize {
  let i: u32 = 0;
  let neg = false;
  if (i < len && load<u8>(p) == 45) { neg = true; i++; }
  const digits = alloc(<usize>len);
  let n: u32 = 0;
  let frac: i32 = 0;
  let seenPoint = false;
  for (; i < len; i++) {
    const c = <u32>load<u8>(p + <usize>i);
    if (c == 46) { seenPoint = true; continue; }
    if (c - 48 > 9) break;
    store<u8>(digits + <usize>n, <u8>(c - 48));
    n++;
    if (seenPoint) frac++;
  }
  let e: i32 = 0;
  if (i < len) {
    i++;
    let eneg = false;
    if (i < len && (load<u8>(p + <usize>i) == 45 || load<u8>(p + <usize>i) == 43)) {
      eneg = load<u8>(p + <usize>i) == 45;
      i++;
    }
    for (; i < len; i++) {
      if (e > 100000) return 0;
      e = e * 10 + <i32>(<u32>load<u8>(p + <usize>i) - 48);
    }
    if (eneg) e = -e;
  }
  let scale = frac - e;
  if (scale > MAX_EXP || scale < -MAX_EXP) return 0;
  if (scale < 0) {
    const z = <u32>(-scale);
    const more = alloc(<usize>(n + z));
    memory.copy(more, digits, <usize>n);
    memory.fill(more + <usize>n, 0, <usize>z);
    return decNew(neg, n + z, more, 0);
  }
  return decNew(neg, n, digits, scale);
}

/** decFromNumber converts a NUMBER value exactly (its literal text, or its shortest f64 text) to a Dec, or 0. */
export function decFromNumber(v: usize): usize {
  if (numberHasText(v)) return decFromText(numberTextPtr(v), numberTextLen(v));
  const f = numberOf(v);
  if (!isFinite(f)) return 0;
  const b = bufNew(32);
  writeF64(b, f);
  return decFromText(bufPtr(b), bufLen(b));
}

/** decIsInt tells whether d is an integer. */
export function decIsInt(d: usize): bool {
  return dScale(d) == 0;
}

/** decIsZero tells whether d is zero. */
export function decIsZero(d: usize): bool {
  return dLen(d) == 0;
}

// digit k (0 = least significant) of d viewed at scale S >= scale(d)
function digitAt(d: usize, k: i32, S: i32): u32 {
  const shift = S - dScale(d);
  if (k < shift) return 0;
  const idx = <i32>dLen(d) - 1 - (k - shift);
  return idx >= 0 ? <u32>load<u8>(dPtr(d) + <usize>idx) : 0;
}

function widthAt(d: usize, S: i32): i32 {
  return <i32>dLen(d) + (S - dScale(d));
}

function cmpMag(a: usize, b: usize, S: i32): i32 {
  const wa = widthAt(a, S);
  const wb = widthAt(b, S);
  const w = wa > wb ? wa : wb;
  for (let k = w - 1; k >= 0; k--) {
    const x = digitAt(a, k, S);
    const y = digitAt(b, k, S);
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

function addMag(a: usize, b: usize, S: i32, neg: bool): usize {
  const wa = widthAt(a, S);
  const wb = widthAt(b, S);
  const w = (wa > wb ? wa : wb) + 1;
  const out = alloc(<usize>w);
  let carry: u32 = 0;
  for (let k = 0; k < w; k++) {
    const s = digitAt(a, k, S) + digitAt(b, k, S) + carry;
    store<u8>(out + <usize>(w - 1 - k), <u8>(s % 10));
    carry = s / 10;
  }
  return decNew(neg, <u32>w, out, S);
}

// |a| - |b| with |a| >= |b|
function subMag(a: usize, b: usize, S: i32, neg: bool): usize {
  const w = widthAt(a, S) > 0 ? widthAt(a, S) : 1;
  const out = alloc(<usize>w);
  let borrow: i32 = 0;
  for (let k = 0; k < w; k++) {
    let s = <i32>digitAt(a, k, S) - <i32>digitAt(b, k, S) - borrow;
    borrow = 0;
    if (s < 0) { s += 10; borrow = 1; }
    store<u8>(out + <usize>(w - 1 - k), <u8>s);
  }
  return decNew(neg, <u32>w, out, S);
}

function addSigned(a: usize, aNeg: bool, b: usize, bNeg: bool): usize {
  const S = dScale(a) > dScale(b) ? dScale(a) : dScale(b);
  if (aNeg == bNeg) return addMag(a, b, S, aNeg);
  const c = cmpMag(a, b, S);
  if (c == 0) return decNew(false, 0, 0, 0);
  return c > 0 ? subMag(a, b, S, aNeg) : subMag(b, a, S, bNeg);
}

/** decAdd returns a + b. */
export function decAdd(a: usize, b: usize): usize {
  return addSigned(a, dNeg(a), b, dNeg(b));
}

/** decSub returns a - b. */
export function decSub(a: usize, b: usize): usize {
  return addSigned(a, dNeg(a), b, !dNeg(b) && dLen(b) > 0);
}

/** decMul returns a * b. */
export function decMul(a: usize, b: usize): usize {
  const la = dLen(a);
  const lb = dLen(b);
  if (la == 0 || lb == 0) return decNew(false, 0, 0, 0);
  const w = la + lb;
  const acc = alloc(<usize>w << 2);
  memory.fill(acc, 0, <usize>w << 2);
  for (let i: i32 = <i32>la - 1; i >= 0; i--) {
    const x = <u32>load<u8>(dPtr(a) + <usize>i);
    if (x == 0) continue;
    for (let j: i32 = <i32>lb - 1; j >= 0; j--) {
      const at = acc + (<usize>(i + j + 1) << 2);
      store<u32>(at, load<u32>(at) + x * <u32>load<u8>(dPtr(b) + <usize>j));
    }
  }
  const out = alloc(<usize>w);
  let carry: u32 = 0;
  for (let k: i32 = <i32>w - 1; k >= 0; k--) {
    const s = load<u32>(acc + (<usize>k << 2)) + carry;
    store<u8>(out + <usize>k, <u8>(s % 10));
    carry = s / 10;
  }
  return decNew(dNeg(a) != dNeg(b), w, out, dScale(a) + dScale(b));
}

/** decRem returns the remainder of integers a divided by nonzero b, truncating (sign of a). */
export function decRem(a: usize, b: usize): usize {
  const la = dLen(a);
  const rem = alloc(<usize>dLen(b) + 2);
  let rlen: u32 = 0;
  for (let i: u32 = 0; i < la; i++) {
    // rem = rem * 10 + digit, then reduced below b
    if (rlen > 0 || load<u8>(dPtr(a) + <usize>i) != 0) {
      store<u8>(rem + <usize>rlen, load<u8>(dPtr(a) + <usize>i));
      rlen++;
    }
    while (cmpDigits(rem, rlen, dPtr(b), dLen(b)) >= 0) rlen = subDigits(rem, rlen, dPtr(b), dLen(b));
  }
  const r = alloc(<usize>rlen + 1);
  memory.copy(r, rem, <usize>rlen);
  return decNew(dNeg(a), rlen, r, 0);
}

function cmpDigits(a: usize, la: u32, b: usize, lb: u32): i32 {
  if (la != lb) return la < lb ? -1 : 1;
  for (let i: u32 = 0; i < la; i++) {
    const x = load<u8>(a + <usize>i);
    const y = load<u8>(b + <usize>i);
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

// a -= b in place (a >= b, no leading zeros); returns the new length without leading zeros
function subDigits(a: usize, la: u32, b: usize, lb: u32): u32 {
  let borrow: i32 = 0;
  for (let k: i32 = 0; k < <i32>la; k++) {
    const ia = <i32>la - 1 - k;
    const ib = <i32>lb - 1 - k;
    let s = <i32>load<u8>(a + <usize>ia) - (ib >= 0 ? <i32>load<u8>(b + <usize>ib) : 0) - borrow;
    borrow = 0;
    if (s < 0) { s += 10; borrow = 1; }
    store<u8>(a + <usize>ia, <u8>s);
  }
  let lead: u32 = 0;
  while (lead < la && load<u8>(a + <usize>lead) == 0) lead++;
  if (lead > 0) memory.copy(a, a + <usize>lead, <usize>(la - lead));
  return la - lead;
}

/** decToBuf appends the plain decimal text of d (no exponent) to buffer b. */
export function decToBuf(b: usize, d: usize): void {
  const n = dLen(d);
  if (n == 0) { bufByte(b, 48); return; }
  if (dNeg(d)) bufByte(b, 45);
  const s = dScale(d);
  const intDigits = <i32>n - s;
  if (intDigits <= 0) {
    bufByte(b, 48);
    bufByte(b, 46);
    for (let i = 0; i < -intDigits; i++) bufByte(b, 48);
    for (let i: u32 = 0; i < n; i++) bufByte(b, 48 + <u32>load<u8>(dPtr(d) + <usize>i));
    return;
  }
  for (let i: i32 = 0; i < <i32>n; i++) {
    if (i == intDigits) bufByte(b, 46);
    bufByte(b, 48 + <u32>load<u8>(dPtr(d) + <usize>i));
  }
}

/** decToNumber makes a NUMBER value with d's exact text and nearest f64. */
export function decToNumber(d: usize): usize {
  const b = bufNew(dLen(d) + 4);
  decToBuf(b, d);
  return newNumberText(parseNumberText(bufPtr(b), bufLen(b)), bufPtr(b), bufLen(b));
}

/** decDigits returns the address of d's digit bytes (values 0-9), see decLen/decScale/decNeg. */
export function decDigits(d: usize): usize { return dPtr(d); }
/** decLen returns the number of digits of d. */
export function decLen(d: usize): u32 { return dLen(d); }
/** decScale returns the number of fractional digits of d. */
export function decScale(d: usize): i32 { return dScale(d); }
/** decNeg tells whether d is negative. */
export function decNeg(d: usize): bool { return dNeg(d); }
