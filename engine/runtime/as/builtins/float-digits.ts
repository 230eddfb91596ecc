// Decimal digits of an f64 for Go-style formatting: exact expansion (rounded half-even at a digit
// count, as Go's strconv does) or the shortest round-trip digits. Results live in module state:
// digit bytes '0'..'9' at fdDigits(), count fdCount(), decimal point position fdPoint() (Go's
// decimalSlice d/nd/dp). Exports: fdExact, fdShortest, fdRound, fdDigits, fdCount, fdPoint.

import { alloc } from "../value";
import { bufLen, bufNew, bufPtr } from "../buf";
import { writeF64 } from "../number-format";

// @ts-ignore: decorator
@lazy let dig: usize = 0;
// @ts-ignore: decorator
@lazy let nd: i32 = 0;
// @ts-ignore: decorator
@lazy let dp: i32 = 0;

/** fdDigits returns the address of the current digits (ASCII). */
export function fdDigits(): usize { return dig; }
/** fdCount returns the number of current digits. */
export function fdCount(): i32 { return nd; }
/** fdPoint returns the decimal point position of the current digits. */
export function fdPoint(): i32 { return dp; }

// multiply little-endian base-10 digits (u8 values) at p (length n) by m; returns the new length
function mulSmall(p: usize, n: i32, m: u64): i32 {
  let carry: u64 = 0;
  for (let i = 0; i < n; i++) {
    const x = <u64>load<u8>(p + <usize>i) * m + carry;
    store<u8>(p + <usize>i, <u8>(x % 10));
    carry = x / 10;
  }
  while (carry > 0) {
    store<u8>(p + <usize>n, <u8>(carry % 10));
    carry /= 10;
    n++;
  }
  return n;
}

/** fdExact sets the current digits to the exact decimal expansion of |f| (f finite). */
export function fdExact(f: f64): void {
  const bits = reinterpret<u64>(f);
  let mant = bits & 0xfffffffffffff;
  const be = <i32>((bits >> 52) & 0x7ff);
  let e: i32 = 0;
  if (be == 0) e = -1074;
  else { mant |= 0x10000000000000; e = be - 1075; }
  dig = alloc(1200);
  if (mant == 0) { nd = 0; dp = 0; return; }
  while ((mant & 1) == 0) { mant >>= 1; e++; }
  const tmp = alloc(1200);
  let n: i32 = 0;
  let m = mant;
  while (m > 0) { store<u8>(tmp + <usize>n, <u8>(m % 10)); m /= 10; n++; }
  let scale: i32 = 0;
  if (e >= 0) {
    let k = e;
    while (k >= 28) { n = mulSmall(tmp, n, <u64>1 << 28); k -= 28; }
    if (k > 0) n = mulSmall(tmp, n, <u64>1 << <u64>k);
  } else {
    let k = -e;
    scale = k;
    while (k >= 13) { n = mulSmall(tmp, n, 1220703125); k -= 13; }
    let p5: u64 = 1;
    for (let i = 0; i < k; i++) p5 *= 5;
    if (k > 0) n = mulSmall(tmp, n, p5);
  }
  // reverse into ASCII, most significant first
  for (let i = 0; i < n; i++) store<u8>(dig + <usize>i, 48 + load<u8>(tmp + <usize>(n - 1 - i)));
  nd = n;
  dp = n - scale;
  while (nd > 0 && load<u8>(dig + <usize>(nd - 1)) == 48) nd--;
}

/** fdShortest sets the current digits to the shortest round-trip digits of |f| (f finite). */
export function fdShortest(f: f64): void {
  const b = bufNew(32);
  writeF64(b, Math.abs(f));
  const p = bufPtr(b);
  const n = <i32>bufLen(b);
  dig = alloc(<usize>n + 1);
  nd = 0;
  let point: i32 = -1;
  let i = 0;
  let lead = true;
  let leadZerosAfterPoint: i32 = 0;
  for (; i < n; i++) {
    const c = <u32>load<u8>(p + <usize>i);
    if (c == 46) { point = nd; continue; }
    if (c == 101 || c == 69) break;
    if (lead && c == 48) {
      if (point >= 0) leadZerosAfterPoint++;
      continue;
    }
    lead = false;
    store<u8>(dig + <usize>nd, <u8>c);
    nd++;
  }
  let intDigits: i32 = point >= 0 ? point : nd;
  if (point >= 0 && point == 0) intDigits = -leadZerosAfterPoint;
  let e: i32 = 0;
  if (i < n) {
    i++;
    let neg = false;
    if (i < n && (load<u8>(p + <usize>i) == 45 || load<u8>(p + <usize>i) == 43)) { neg = load<u8>(p + <usize>i) == 45; i++; }
    for (; i < n; i++) e = e * 10 + <i32>(<u32>load<u8>(p + <usize>i) - 48);
    if (neg) e = -e;
  }
  dp = intDigits + e;
  while (nd > 0 && load<u8>(dig + <usize>(nd - 1)) == 48) nd--;
  if (nd == 0) dp = 0;
}

/** fdRound rounds the current digits to n digits (half to even on exact ties, as Go). */
export function fdRound(n: i32): void {
  if (n < 0 || n >= nd) return;
  let up = false;
  const c = load<u8>(dig + <usize>n);
  if (c == 53 && n + 1 == nd) {
    up = n > 0 && ((load<u8>(dig + <usize>(n - 1)) - 48) & 1) == 1;
  } else {
    up = c >= 53;
  }
  if (up) {
    let i = n - 1;
    while (i >= 0 && load<u8>(dig + <usize>i) == 57) i--;
    if (i < 0) {
      store<u8>(dig, 49);
      nd = 1;
      dp++;
      return;
    }
    store<u8>(dig + <usize>i, load<u8>(dig + <usize>i) + 1);
    nd = i + 1;
  } else {
    nd = n;
    while (nd > 0 && load<u8>(dig + <usize>(nd - 1)) == 48) nd--;
  }
}
