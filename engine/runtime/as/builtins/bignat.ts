// Arbitrary-precision natural numbers for the number builtins (bigfloat.ts, data/bits.ts).
// A Nat is a record [u32 len][u32 limb x len], limbs little-endian base 2^32, no high zero limbs
// (zero has len 0). Every operation returns a fresh Nat from the bump allocator; inputs are
// never modified. Exports: the nat* functions.

import { alloc } from "../value";

// @ts-ignore: decorator
@inline function limb(a: usize, i: u32): u32 {
  return load<u32>(a + 4 + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline function setLimb(a: usize, i: u32, v: u32): void {
  store<u32>(a + 4 + (<usize>i << 2), v);
}

/** natLen returns the number of limbs of a. */
// @ts-ignore: decorator
@inline function natLen(a: usize): u32 {
  return load<u32>(a);
}

/** natNew allocates a zero-filled Nat of n limbs (callers trim after filling). */
function natNew(n: u32): usize {
  const a = alloc(4 + (<usize>n << 2));
  store<u32>(a, n);
  memory.fill(a + 4, 0, <usize>n << 2);
  return a;
}

/** natTrim drops high zero limbs in place and returns a. */
function natTrim(a: usize): usize {
  let n = natLen(a);
  while (n > 0 && limb(a, n - 1) == 0) n--;
  store<u32>(a, n);
  return a;
}

/** natFromU64 makes a Nat from a u64. */
export function natFromU64(x: u64): usize {
  const a = natNew(2);
  setLimb(a, 0, <u32>x);
  setLimb(a, 1, <u32>(x >> 32));
  return natTrim(a);
}

/** natLow64 returns the low 64 bits of a. */
export function natLow64(a: usize): u64 {
  const n = natLen(a);
  let x: u64 = n > 0 ? <u64>limb(a, 0) : 0;
  if (n > 1) x |= <u64>limb(a, 1) << 32;
  return x;
}

/** natIsZero tells whether a is zero. */
export function natIsZero(a: usize): bool {
  return natLen(a) == 0;
}

/** natBitLen returns the number of significant bits of a (0 for zero). */
export function natBitLen(a: usize): i32 {
  const n = natLen(a);
  if (n == 0) return 0;
  return <i32>(n << 5) - <i32>clz<u32>(limb(a, n - 1));
}

/** natBit returns bit i of a. */
export function natBit(a: usize, i: i32): bool {
  const w = <u32>(i >> 5);
  if (i < 0 || w >= natLen(a)) return false;
  return ((limb(a, w) >> <u32>(i & 31)) & 1) != 0;
}

/** natLowZero tells whether the low `bits` bits of a are all zero. */
export function natLowZero(a: usize, bits: i32): bool {
  if (bits <= 0) return true;
  const n = natLen(a);
  const w = <u32>(bits >> 5);
  for (let i: u32 = 0; i < w && i < n; i++) if (limb(a, i) != 0) return false;
  const r = <u32>(bits & 31);
  if (r == 0 || w >= n) return true;
  return (limb(a, w) & ((<u32>1 << r) - 1)) == 0;
}

/** natCmp compares a and b: -1, 0 or 1. */
export function natCmp(a: usize, b: usize): i32 {
  const na = natLen(a);
  const nb = natLen(b);
  if (na != nb) return na < nb ? -1 : 1;
  for (let i = <i32>na - 1; i >= 0; i--) {
    const x = limb(a, <u32>i);
    const y = limb(b, <u32>i);
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

/** natAdd returns a + b. */
export function natAdd(a: usize, b: usize): usize {
  const na = natLen(a);
  const nb = natLen(b);
  const n = na > nb ? na : nb;
  const r = natNew(n + 1);
  let carry: u64 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const s = <u64>(i < na ? limb(a, i) : 0) + <u64>(i < nb ? limb(b, i) : 0) + carry;
    setLimb(r, i, <u32>s);
    carry = s >> 32;
  }
  setLimb(r, n, <u32>carry);
  return natTrim(r);
}

/** natSub returns a - b for a >= b. */
export function natSub(a: usize, b: usize): usize {
  const na = natLen(a);
  const nb = natLen(b);
  const r = natNew(na);
  let borrow: i64 = 0;
  for (let i: u32 = 0; i < na; i++) {
    let s = <i64>limb(a, i) - <i64>(i < nb ? limb(b, i) : 0) - borrow;
    borrow = 0;
    if (s < 0) {
      s += <i64>1 << 32;
      borrow = 1;
    }
    setLimb(r, i, <u32>s);
  }
  return natTrim(r);
}

/** natAddSmall returns a + k. */
export function natAddSmall(a: usize, k: u32): usize {
  return natMulAddSmall(a, 1, k);
}

/** natSubSmall returns a - k for a >= k. */
export function natSubSmall(a: usize, k: u32): usize {
  return natSub(a, natFromU64(<u64>k));
}

/** natMulAddSmall returns a * m + add. */
export function natMulAddSmall(a: usize, m: u32, add: u32): usize {
  const n = natLen(a);
  const r = natNew(n + 1);
  let carry: u64 = <u64>add;
  for (let i: u32 = 0; i < n; i++) {
    const p = <u64>limb(a, i) * <u64>m + carry;
    setLimb(r, i, <u32>p);
    carry = p >> 32;
  }
  setLimb(r, n, <u32>carry);
  return natTrim(r);
}

/** natMul returns a * b (schoolbook). */
export function natMul(a: usize, b: usize): usize {
  const na = natLen(a);
  const nb = natLen(b);
  if (na == 0 || nb == 0) return natNew(0);
  const r = natNew(na + nb);
  for (let i: u32 = 0; i < na; i++) {
    const x = <u64>limb(a, i);
    if (x == 0) continue;
    let carry: u64 = 0;
    for (let j: u32 = 0; j < nb; j++) {
      const p = x * <u64>limb(b, j) + <u64>limb(r, i + j) + carry;
      setLimb(r, i + j, <u32>p);
      carry = p >> 32;
    }
    setLimb(r, i + nb, <u32>carry);
  }
  return natTrim(r);
}

/** natShl returns a << s (s >= 0). */
export function natShl(a: usize, s: i32): usize {
  const n = natLen(a);
  if (n == 0 || s == 0) return natMulAddSmall(a, 1, 0);
  const w = <u32>(s >> 5);
  const bits = <u32>(s & 31);
  const r = natNew(n + w + 1);
  for (let i: u32 = 0; i < n; i++) {
    const x = limb(a, i);
    if (bits == 0) {
      setLimb(r, i + w, x);
    } else {
      setLimb(r, i + w, limb(r, i + w) | (x << bits));
      setLimb(r, i + w + 1, x >> (32 - bits));
    }
  }
  return natTrim(r);
}

/** natShr returns a >> s (s >= 0), dropping the shifted-out bits. */
export function natShr(a: usize, s: i32): usize {
  const n = natLen(a);
  const w = <u32>(s >> 5);
  if (w >= n) return natNew(0);
  const bits = <u32>(s & 31);
  const m = n - w;
  const r = natNew(m);
  for (let i: u32 = 0; i < m; i++) {
    let x = limb(a, i + w) >> bits;
    if (bits != 0 && i + w + 1 < n) x |= limb(a, i + w + 1) << (32 - bits);
    setLimb(r, i, x);
  }
  return natTrim(r);
}

// Remainder of the last natDivSmall.
// @ts-ignore: decorator
@lazy let smallRem: u32 = 0;

/** natDivSmall returns a / d (d > 0) and leaves a % d in smallRem. */
function natDivSmall(a: usize, d: u32): usize {
  const n = natLen(a);
  const r = natNew(n);
  let rem: u64 = 0;
  for (let i = <i32>n - 1; i >= 0; i--) {
    const cur = (rem << 32) | <u64>limb(a, <u32>i);
    setLimb(r, <u32>i, <u32>(cur / <u64>d));
    rem = cur % <u64>d;
  }
  smallRem = <u32>rem;
  return natTrim(r);
}

// Whether the remainder of the last natDiv was non-zero.
// @ts-ignore: decorator
@lazy let divInexact = false;

/** natDiv returns a / b (b > 0) by schoolbook long division in base 2^32 (Knuth's algorithm D:
 * estimate each quotient limb from the top two limbs of a normalized divisor, correct it at most
 * twice); natDivInexact() then tells whether the remainder was non-zero. */
export function natDiv(a: usize, b: usize): usize {
  const nb = natLen(b);
  if (nb == 1) {
    const q = natDivSmall(a, limb(b, 0));
    divInexact = smallRem != 0;
    return q;
  }
  if (natCmp(a, b) < 0) {
    divInexact = !natIsZero(a);
    return natNew(0);
  }
  // Normalize: the divisor's top limb gets its high bit set; u has one more limb than a.
  const shift = <i32>clz<u32>(limb(b, nb - 1));
  const v = natShl(b, shift);
  const na = natLen(a);
  const u = natNew(na + 1);
  const ua = natShl(a, shift);
  memory.copy(u + 4, ua + 4, <usize>natLen(ua) << 2);
  const q = natNew(na - nb + 1);
  const vTop = <u64>limb(v, nb - 1);
  const vNext = <u64>limb(v, nb - 2);
  for (let j = <i32>(na - nb); j >= 0; j--) {
    const jj = <u32>j;
    const top = (<u64>limb(u, jj + nb) << 32) | <u64>limb(u, jj + nb - 1);
    let qhat = top / vTop;
    let rhat = top % vTop;
    while (qhat > 0xffffffff || qhat * vNext > ((rhat << 32) | <u64>limb(u, jj + nb - 2))) {
      qhat--;
      rhat += vTop;
      if (rhat > 0xffffffff) break;
    }
    // u[j .. j+nb] -= qhat * v
    let borrow: i64 = 0;
    for (let i: u32 = 0; i < nb; i++) {
      const p = qhat * <u64>limb(v, i);
      const t = <i64>limb(u, i + jj) - borrow - <i64>(p & 0xffffffff);
      setLimb(u, i + jj, <u32>t);
      borrow = <i64>(p >> 32) - (t >> 32);
    }
    const t = <i64>limb(u, jj + nb) - borrow;
    setLimb(u, jj + nb, <u32>t);
    if (t < 0) {
      // qhat was one too large: add v back.
      qhat--;
      let carry: u64 = 0;
      for (let i: u32 = 0; i < nb; i++) {
        const s2 = <u64>limb(u, i + jj) + <u64>limb(v, i) + carry;
        setLimb(u, i + jj, <u32>s2);
        carry = s2 >> 32;
      }
      setLimb(u, jj + nb, limb(u, jj + nb) + <u32>carry);
    }
    setLimb(q, jj, <u32>qhat);
  }
  divInexact = !natIsZero(natTrim(u));
  return natTrim(q);
}

/** natDivInexact tells whether the last natDiv left a non-zero remainder. */
export function natDivInexact(): bool {
  return divInexact;
}

/** natPow5 returns 5^k exactly. */
export function natPow5(k: i32): usize {
  let r = natFromU64(1);
  while (k >= 13) {
    r = natMulAddSmall(r, 1220703125, 0); // 5^13
    k -= 13;
  }
  let p: u32 = 1;
  for (let i = 0; i < k; i++) p *= 5;
  return natMulAddSmall(r, p, 0);
}

/** natToDecimal writes the decimal digits of a (ASCII, most significant first, "0" for zero)
 * to a fresh buffer and returns its address; natDecimalLen() then returns the digit count. */
export function natToDecimal(a: usize): usize {
  let n = natLen(a);
  const cap = <i32>n * 10 + 10; // 32 bits < 10 digits
  const out = alloc(<usize>cap);
  // Divide a private copy by 10^9 in place, nine digits per pass.
  const x = alloc(<usize>n << 2);
  memory.copy(x, a + 4, <usize>n << 2);
  let pos = cap;
  while (n > 0) {
    let rem: u64 = 0;
    for (let i = <i32>n - 1; i >= 0; i--) {
      const at = x + (<usize>i << 2);
      const cur = (rem << 32) | <u64>load<u32>(at);
      const q = cur / 1000000000;
      store<u32>(at, <u32>q);
      rem = cur - q * 1000000000;
    }
    while (n > 0 && load<u32>(x + (<usize>(n - 1) << 2)) == 0) n--;
    let chunk = <u32>rem;
    for (let j = 0; j < 9; j++) {
      pos--;
      store<u8>(out + <usize>pos, <u8>(48 + chunk % 10));
      chunk /= 10;
    }
  }
  while (pos < cap - 1 && load<u8>(out + <usize>pos) == 48) pos++;
  if (pos == cap) {
    pos--;
    store<u8>(out + <usize>pos, 48);
  }
  decimalLen = cap - pos;
  return out + <usize>pos;
}

// Digit count of the last natToDecimal.
// @ts-ignore: decorator
@lazy let decimalLen: i32 = 0;

/** natDecimalLen returns the digit count of the last natToDecimal. */
export function natDecimalLen(): i32 {
  return decimalLen;
}

/** natFromDecimal parses ASCII decimal digits (no sign) into a Nat. */
export function natFromDecimal(p: usize, n: u32): usize {
  let r = natNew(0);
  let i: u32 = 0;
  while (i < n) {
    let chunk: u32 = 0;
    let scale: u32 = 1;
    for (let j = 0; j < 9 && i < n; j++, i++) {
      chunk = chunk * 10 + <u32>(load<u8>(p + <usize>i) - 48);
      scale *= 10;
    }
    r = natMulAddSmall(r, scale, chunk);
  }
  return r;
}

/** NAT_AND, NAT_OR, NAT_XOR and NAT_AND_NOT select natBitwise's operation. */
export const NAT_AND: i32 = 0;
export const NAT_OR: i32 = 1;
export const NAT_XOR: i32 = 2;
export const NAT_AND_NOT: i32 = 3;

/** natBitwise returns a & b, a | b, a ^ b or a & ~b (op one of the NAT_* constants). */
export function natBitwise(a: usize, b: usize, op: i32): usize {
  const na = natLen(a);
  const nb = natLen(b);
  const n = na > nb ? na : nb;
  const r = natNew(n);
  for (let i: u32 = 0; i < n; i++) {
    const x = i < na ? limb(a, i) : 0;
    const y = i < nb ? limb(b, i) : 0;
    setLimb(r, i, op == NAT_AND ? x & y : op == NAT_OR ? x | y : op == NAT_XOR ? x ^ y : x & ~y);
  }
  return natTrim(r);
}
