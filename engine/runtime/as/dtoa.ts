// Exact decimal <-> f64 helpers built on a small bignum: writeShortest(b, f) appends the JS
// Number#toString text of a finite non-zero f (fewest digits inside f's rounding interval,
// closest, ties even; JS fixed/exponent layout), and parseDecimalText(ptr, len) returns the
// correctly rounded (nearest, ties even) f64 of a JSON number literal.

import { alloc } from "./value";
import { bufByte, bufBytes, bufI64 } from "./buf";

const WORDS: i32 = 100; // 3200 bits: m < 2^55 times 5^1076 needs about 2555
const BIG: usize = memory.data(100 * 4);
const DCAP: i32 = 800; // exact decimal digits of any binary64 value or midpoint (at most ~770)
const VAL: usize = memory.data(800);
const LOW: usize = memory.data(800);
const HIGH: usize = memory.data(800);
const CAND: usize = memory.data(24);
// 10^0 .. 10^22, each exact in binary64.
const POW10: usize = memory.data<f64>([
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
  1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
]);

// @ts-ignore: decorator
@lazy let bigLen: i32 = 0;
// Results of expand()/parseDecimal(): digit count and decimal point (value = 0.DIGITS * 10^point).
// @ts-ignore: decorator
@lazy let outLen: i32 = 0;
// @ts-ignore: decorator
@lazy let outPoint: i32 = 0;

function bigMulSmall(k: u32): void {
  let carry: u64 = 0;
  for (let i = 0; i < bigLen; i++) {
    const p = <u64>load<u32>(BIG + (<usize>i << 2)) * <u64>k + carry;
    store<u32>(BIG + (<usize>i << 2), <u32>p);
    carry = p >> 32;
  }
  if (carry != 0 && bigLen < WORDS) {
    store<u32>(BIG + (<usize>bigLen << 2), <u32>carry);
    bigLen++;
  }
}

function bigDivSmall(d: u32): u32 {
  let rem: u64 = 0;
  for (let i = bigLen - 1; i >= 0; i--) {
    const cur = (rem << 32) | <u64>load<u32>(BIG + (<usize>i << 2));
    store<u32>(BIG + (<usize>i << 2), <u32>(cur / <u64>d));
    rem = cur % <u64>d;
  }
  while (bigLen > 0 && load<u32>(BIG + (<usize>(bigLen - 1) << 2)) == 0) bigLen--;
  return <u32>rem;
}

/** expand writes the exact decimal digits of m * 2^e2 (m > 0) to out; sets outLen/outPoint. */
function expand(m: u64, e2: i32, out: usize): void {
  store<u32>(BIG, <u32>m);
  store<u32>(BIG + 4, <u32>(m >> 32));
  bigLen = (m >> 32) != 0 ? 2 : 1;
  let dexp: i32 = 0;
  if (e2 >= 0) {
    let n = e2;
    while (n >= 28) {
      bigMulSmall(1 << 28);
      n -= 28;
    }
    if (n > 0) bigMulSmall(<u32>1 << <u32>n);
  } else {
    let k = -e2;
    while (k >= 13) {
      bigMulSmall(1220703125); // 5^13
      k -= 13;
    }
    let p: u32 = 1;
    for (let i = 0; i < k; i++) p *= 5;
    bigMulSmall(p);
    dexp = e2; // m * 2^e2 = (m * 5^-e2) * 10^e2
  }
  // 9-digit chunks, least significant first, written backwards from the end; then compacted.
  let pos: i32 = DCAP - 8;
  while (bigLen > 0) {
    let r = bigDivSmall(1000000000);
    for (let j = 0; j < 9; j++) {
      pos--;
      store<u8>(out + <usize>pos, <u8>(48 + r % 10));
      r /= 10;
    }
  }
  while (pos < DCAP - 8 && load<u8>(out + <usize>pos) == 48) pos++;
  let n = DCAP - 8 - pos;
  memory.copy(out, out + <usize>pos, <usize>n);
  outPoint = n + dexp;
  while (n > 1 && load<u8>(out + <usize>(n - 1)) == 48) n--;
  outLen = n;
}

/** cmpDec compares two positive decimals 0.A * 10^ap and 0.B * 10^bp (no leading/trailing zeros). */
function cmpDec(a: usize, an: i32, ap: i32, b: usize, bn: i32, bp: i32): i32 {
  if (ap != bp) return ap < bp ? -1 : 1;
  const n = an < bn ? an : bn;
  const c = memory.compare(a, b, <usize>n);
  if (c != 0) return c < 0 ? -1 : 1;
  return an == bn ? 0 : an < bn ? -1 : 1;
}

// Rounding interval of the f64 last passed to interval(): LOW/HIGH digits, inclusive when mant is even.
// @ts-ignore: decorator
@lazy let lowLen: i32 = 0;
// @ts-ignore: decorator
@lazy let lowPoint: i32 = 0;
// @ts-ignore: decorator
@lazy let highLen: i32 = 0;
// @ts-ignore: decorator
@lazy let highPoint: i32 = 0;
// @ts-ignore: decorator
@lazy let inclusive = false;

/** interval computes the exact midpoints to f's neighbours (f finite, > 0); returns mant/e2 via VAL expansion. */
function interval(f: f64): void {
  const bits = reinterpret<u64>(f);
  const bexp = <i32>((bits >> 52) & 0x7ff);
  let m = bits & 0xfffffffffffff;
  let e2: i32 = -1074;
  if (bexp != 0) {
    m |= <u64>1 << 52;
    e2 = bexp - 1075;
  }
  inclusive = (m & 1) == 0;
  if (m == (<u64>1 << 52) && bexp > 1) expand((m << 2) - 1, e2 - 2, LOW);
  else expand((m << 1) - 1, e2 - 1, LOW);
  lowLen = outLen;
  lowPoint = outPoint;
  expand((m << 1) + 1, e2 - 1, HIGH);
  highLen = outLen;
  highPoint = outPoint;
  expand(m, e2, VAL);
}

/** inside tells where 0.D * 10^p lies relative to the interval: -1 below, 0 inside, 1 above. */
function inside(d: usize, n: i32, p: i32): i32 {
  const lo = cmpDec(d, n, p, LOW, lowLen, lowPoint);
  if (lo < 0 || (lo == 0 && !inclusive)) return -1;
  const hi = cmpDec(d, n, p, HIGH, highLen, highPoint);
  if (hi > 0 || (hi == 0 && !inclusive)) return 1;
  return 0;
}

/** writeShortest appends the JS Number#toString text of a finite, non-zero f. */
export function writeShortest(b: usize, f: f64): void {
  if (f < 0) {
    bufByte(b, 45);
    f = -f;
  }
  interval(f);
  const nd = outLen;
  const point = outPoint;
  for (let n = 1; n < nd && n <= 17; n++) {
    const cn = roundInto(n, nd);
    const cp = cn < 0 ? point + 1 : point;
    const len = cn < 0 ? 1 : cn;
    if (inside(CAND, len, cp) == 0) {
      layout(b, CAND, len, cp);
      return;
    }
  }
  layout(b, VAL, nd, point);
}

/** roundInto writes VAL rounded half-even to n digits at CAND; returns the digit count, or -1 if it carried to "1". */
function roundInto(n: i32, nd: i32): i32 {
  memory.copy(CAND, VAL, <usize>n);
  const next = <i32>load<u8>(VAL + <usize>n) - 48;
  let up = next > 5;
  if (next == 5) up = n + 1 < nd || ((<i32>load<u8>(CAND + <usize>(n - 1)) - 48) & 1) == 1;
  if (up) {
    let i = n - 1;
    while (i >= 0 && load<u8>(CAND + <usize>i) == 57) {
      store<u8>(CAND + <usize>i, 48);
      i--;
    }
    if (i < 0) {
      store<u8>(CAND, 49);
      return -1;
    }
    store<u8>(CAND + <usize>i, load<u8>(CAND + <usize>i) + 1);
  }
  while (n > 1 && load<u8>(CAND + <usize>(n - 1)) == 48) n--;
  return n;
}

/** layout writes n digits at d (value 0.d * 10^point) with JS's fixed/exponent rules. */
function layout(b: usize, d: usize, n: i32, point: i32): void {
  if (n <= point && point <= 21) {
    bufBytes(b, d, <u32>n);
    for (let i = n; i < point; i++) bufByte(b, 48);
  } else if (0 < point && point <= 21) {
    bufBytes(b, d, <u32>point);
    bufByte(b, 46);
    bufBytes(b, d + <usize>point, <u32>(n - point));
  } else if (-6 < point && point <= 0) {
    bufByte(b, 48);
    bufByte(b, 46);
    for (let i = point; i < 0; i++) bufByte(b, 48);
    bufBytes(b, d, <u32>n);
  } else {
    bufByte(b, load<u8>(d));
    if (n > 1) {
      bufByte(b, 46);
      bufBytes(b, d + 1, <u32>(n - 1));
    }
    bufByte(b, 101);
    const e = point - 1;
    bufByte(b, e < 0 ? 45 : 43);
    bufI64(b, e < 0 ? -<i64>e : <i64>e);
  }
}

/** parseDecimal normalizes JSON number bytes (sign ignored) into significant digits at out; sets outLen/outPoint (outLen 0 for zero). */
function parseDecimal(p: usize, len: u32, out: usize): void {
  let i: u32 = load<u8>(p) == 45 ? 1 : 0;
  let n: i32 = 0;
  let point: i32 = 0;
  let seenPoint = false;
  let started = false;
  for (; i < len; i++) {
    const c = <u32>load<u8>(p + <usize>i);
    if (c == 46) {
      seenPoint = true;
      continue;
    }
    if (c - 48 > 9) break;
    if (!started && c == 48) {
      if (seenPoint) point--;
      continue;
    }
    started = true;
    store<u8>(out + <usize>n, <u8>c);
    n++;
    if (!seenPoint) point++;
  }
  let e: i32 = 0;
  if (i < len) {
    i++;
    let neg = false;
    const s = load<u8>(p + <usize>i);
    if (s == 45 || s == 43) {
      neg = s == 45;
      i++;
    }
    for (; i < len; i++) if (e < 100000) e = e * 10 + <i32>(<u32>load<u8>(p + <usize>i) - 48);
    if (neg) e = -e;
  }
  while (n > 0 && load<u8>(out + <usize>(n - 1)) == 48) n--;
  outLen = n;
  outPoint = point + e;
}

/** parseDecimalText returns the correctly rounded f64 (nearest, ties even) of validated JSON number bytes. */
export function parseDecimalText(p: usize, len: u32): f64 {
  const neg = load<u8>(p) == 45;
  const d = alloc(<usize>len);
  parseDecimal(p, len, d);
  const n = outLen;
  const point = outPoint;
  if (n == 0 || point < -400) return neg ? -0.0 : 0.0;
  if (point > 400) return neg ? -Infinity : Infinity;
  // Estimate (within a few ulps) from at most 19 significant digits: x * 10^exp.
  const k = n < 19 ? n : 19;
  let x: u64 = 0;
  for (let i = 0; i < k; i++) x = x * 10 + <u64>(load<u8>(d + <usize>i) - 48);
  const exp = point - k;
  // Clinger's fast path: at most 15 digits and 10^|exp| <= 10^22 are exact f64s, so one
  // IEEE multiplication or division rounds correctly.
  if (n <= 15 && exp >= -22 && exp <= 22) {
    const v = exp >= 0 ? <f64>x * load<f64>(POW10 + (<usize>exp << 3)) : <f64>x / load<f64>(POW10 + (<usize>(-exp) << 3));
    return neg ? -v : v;
  }
  let a = <f64>x;
  if (exp > 300) a = a * Math.pow(10, <f64>(exp - 300)) * 1e300;
  else if (exp < -300) a = a * Math.pow(10, <f64>(exp + 300)) * 1e-300;
  else a = a * Math.pow(10, <f64>exp);
  // Correct the estimate against the exact digits, one ulp at a time.
  // An estimate that under/overflowed starts from the nearest finite non-zero value.
  if (a == 0) a = reinterpret<f64>(<u64>1);
  if (!isFinite(a)) a = f64.MAX_VALUE;
  {
    for (let step = 0; step < 16; step++) {
      interval(a);
      const where = inside(d, n, point);
      if (where == 0) break;
      const bits = reinterpret<u64>(a);
      const next = reinterpret<f64>(where < 0 ? bits - 1 : bits + 1);
      if (next == 0 || !isFinite(next)) {
        a = next;
        break;
      }
      a = next;
    }
  }
  return neg ? -a : a;
}
