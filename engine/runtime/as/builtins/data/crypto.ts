// Hash builtins of the "data" family: crypto.md5, crypto.sha1, crypto.sha256 and their HMAC forms
// crypto.hmac.md5/sha1/sha256 (RFC 2104, 64-byte blocks), and crypto.hmac.equal (a constant-time
// comparison of two MACs). Inputs are the strings' UTF-8 bytes; results are lower-case hex strings.
// Exports: the bi_* functions.

import { T_STRING, alloc, boolValue, strLen, strPtr, tagOf } from "../../value";
import { bufByte, bufNew, bufToString } from "../../buf";
import { operandError } from "../errors";

const ALG_MD5: i32 = 0;
const ALG_SHA1: i32 = 1;
const ALG_SHA256: i32 = 2;

const K256: usize = memory.data<u32>([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

// MD5 per-round shift amounts; the sine constants are computed at first use.
const S_MD5: usize = memory.data<u8>([
  7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
  5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
  4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
  6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
]);
const K_MD5: usize = memory.data(256);
// @ts-ignore: decorator
@lazy let md5Ready = false;

function digestLen(alg: i32): u32 {
  return alg == ALG_MD5 ? 16 : alg == ALG_SHA1 ? 20 : 32;
}

function bswap32(x: u32): u32 {
  return ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >> 8) & 0xff00) | (x >> 24);
}

/** block processes one 64-byte block at p into the state h (u32 words). */
function block(alg: i32, h: usize, p: usize, w: usize): void {
  if (alg == ALG_MD5) {
    let a = load<u32>(h), b = load<u32>(h, 4), c = load<u32>(h, 8), d = load<u32>(h, 12);
    for (let i: u32 = 0; i < 64; i++) {
      let f: u32;
      let g: u32;
      if (i < 16) { f = (b & c) | (~b & d); g = i; }
      else if (i < 32) { f = (d & b) | (~d & c); g = (5 * i + 1) & 15; }
      else if (i < 48) { f = b ^ c ^ d; g = (3 * i + 5) & 15; }
      else { f = c ^ (b | ~d); g = (7 * i) & 15; }
      const t = d;
      d = c;
      c = b;
      b = b + rotl<u32>(a + f + load<u32>(K_MD5 + (<usize>i << 2)) + load<u32>(p + (<usize>g << 2)), <u32>load<u8>(S_MD5 + <usize>i));
      a = t;
    }
    store<u32>(h, load<u32>(h) + a);
    store<u32>(h, load<u32>(h, 4) + b, 4);
    store<u32>(h, load<u32>(h, 8) + c, 8);
    store<u32>(h, load<u32>(h, 12) + d, 12);
    return;
  }
  const rounds: u32 = alg == ALG_SHA1 ? 80 : 64;
  for (let i: u32 = 0; i < 16; i++) store<u32>(w + (<usize>i << 2), bswap32(load<u32>(p + (<usize>i << 2))));
  for (let i: u32 = 16; i < rounds; i++) {
    const w2 = load<u32>(w + (<usize>(i - 2) << 2));
    const w3 = load<u32>(w + (<usize>(i - 3) << 2));
    const w7 = load<u32>(w + (<usize>(i - 7) << 2));
    const w8 = load<u32>(w + (<usize>(i - 8) << 2));
    const w14 = load<u32>(w + (<usize>(i - 14) << 2));
    const w15 = load<u32>(w + (<usize>(i - 15) << 2));
    const w16 = load<u32>(w + (<usize>(i - 16) << 2));
    let v: u32;
    if (alg == ALG_SHA1) {
      v = rotl<u32>(w3 ^ w8 ^ w14 ^ w16, 1);
    } else {
      const s0 = rotr<u32>(w15, 7) ^ rotr<u32>(w15, 18) ^ (w15 >> 3);
      const s1 = rotr<u32>(w2, 17) ^ rotr<u32>(w2, 19) ^ (w2 >> 10);
      v = w16 + s0 + w7 + s1;
    }
    store<u32>(w + (<usize>i << 2), v);
  }
  if (alg == ALG_SHA1) {
    let a = load<u32>(h), b = load<u32>(h, 4), c = load<u32>(h, 8), d = load<u32>(h, 12), e = load<u32>(h, 16);
    for (let i: u32 = 0; i < 80; i++) {
      let f: u32;
      let k: u32;
      if (i < 20) { f = (b & c) | (~b & d); k = 0x5a827999; }
      else if (i < 40) { f = b ^ c ^ d; k = 0x6ed9eba1; }
      else if (i < 60) { f = (b & c) | (b & d) | (c & d); k = 0x8f1bbcdc; }
      else { f = b ^ c ^ d; k = 0xca62c1d6; }
      const t = rotl<u32>(a, 5) + f + e + k + load<u32>(w + (<usize>i << 2));
      e = d;
      d = c;
      c = rotl<u32>(b, 30);
      b = a;
      a = t;
    }
    store<u32>(h, load<u32>(h) + a);
    store<u32>(h, load<u32>(h, 4) + b, 4);
    store<u32>(h, load<u32>(h, 8) + c, 8);
    store<u32>(h, load<u32>(h, 12) + d, 12);
    store<u32>(h, load<u32>(h, 16) + e, 16);
    return;
  }
  let a = load<u32>(h), b = load<u32>(h, 4), c = load<u32>(h, 8), d = load<u32>(h, 12);
  let e = load<u32>(h, 16), f = load<u32>(h, 20), g = load<u32>(h, 24), hh = load<u32>(h, 28);
  for (let i: u32 = 0; i < 64; i++) {
    const S1 = rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25);
    const ch = (e & f) ^ (~e & g);
    const t1 = hh + S1 + ch + load<u32>(K256 + (<usize>i << 2)) + load<u32>(w + (<usize>i << 2));
    const S0 = rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22);
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = S0 + maj;
    hh = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  store<u32>(h, load<u32>(h) + a);
  store<u32>(h, load<u32>(h, 4) + b, 4);
  store<u32>(h, load<u32>(h, 8) + c, 8);
  store<u32>(h, load<u32>(h, 12) + d, 12);
  store<u32>(h, load<u32>(h, 16) + e, 16);
  store<u32>(h, load<u32>(h, 20) + f, 20);
  store<u32>(h, load<u32>(h, 24) + g, 24);
  store<u32>(h, load<u32>(h, 28) + hh, 28);
}

/** digest hashes the bytes [p1, p1+n1) ++ [p2, p2+n2) and returns the address of the raw digest. */
function digest(alg: i32, p1: usize, n1: u32, p2: usize, n2: u32): usize {
  if (alg == ALG_MD5 && !md5Ready) {
    for (let i = 0; i < 64; i++) {
      store<u32>(K_MD5 + (<usize>i << 2), <u32><u64>Math.floor(Math.abs(Math.sin(<f64>(i + 1))) * 4294967296.0));
    }
    md5Ready = true;
  }
  const h = alloc(32);
  if (alg == ALG_MD5) {
    store<u32>(h, 0x67452301); store<u32>(h, 0xefcdab89, 4); store<u32>(h, 0x98badcfe, 8); store<u32>(h, 0x10325476, 12);
  } else if (alg == ALG_SHA1) {
    store<u32>(h, 0x67452301); store<u32>(h, 0xefcdab89, 4); store<u32>(h, 0x98badcfe, 8); store<u32>(h, 0x10325476, 12);
    store<u32>(h, 0xc3d2e1f0, 16);
  } else {
    store<u32>(h, 0x6a09e667); store<u32>(h, 0xbb67ae85, 4); store<u32>(h, 0x3c6ef372, 8); store<u32>(h, 0xa54ff53a, 12);
    store<u32>(h, 0x510e527f, 16); store<u32>(h, 0x9b05688c, 20); store<u32>(h, 0x1f83d9ab, 24); store<u32>(h, 0x5be0cd19, 28);
  }
  // Message with padding: copy into one contiguous padded buffer.
  const total = <u64>n1 + <u64>n2;
  const padded = <u32>(((total + 8) / 64 + 1) * 64);
  const m = alloc(<usize>padded);
  memory.copy(m, p1, <usize>n1);
  memory.copy(m + <usize>n1, p2, <usize>n2);
  memory.fill(m + <usize>total, 0, <usize>(padded - <u32>total));
  store<u8>(m + <usize>total, 0x80);
  const bits = total << 3;
  for (let i: u32 = 0; i < 8; i++) {
    const shift = alg == ALG_MD5 ? i * 8 : (7 - i) * 8;
    store<u8>(m + <usize>padded - 8 + <usize>i, <u8>(bits >> <u64>shift));
  }
  const w = alloc(320);
  for (let off: u32 = 0; off < padded; off += 64) block(alg, h, m + <usize>off, w);
  if (alg != ALG_MD5) {
    const words = digestLen(alg) >> 2;
    for (let i: u32 = 0; i < words; i++) store<u32>(h + (<usize>i << 2), bswap32(load<u32>(h + (<usize>i << 2))));
  }
  return h;
}

const HEX: usize = memory.data<u8>([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102]);

function hexString(d: usize, n: u32): usize {
  const b = bufNew(n * 2);
  for (let i: u32 = 0; i < n; i++) {
    const x = <u32>load<u8>(d + <usize>i);
    bufByte(b, <u32>load<u8>(HEX + <usize>(x >> 4)));
    bufByte(b, <u32>load<u8>(HEX + <usize>(x & 15)));
  }
  return bufToString(b);
}

function hash(fn: string, alg: i32, s: usize): usize {
  if (s == 0) return 0;
  if (tagOf(s) != T_STRING) return operandError(fn, 1, "string", s);
  return hexString(digest(alg, strPtr(s), strLen(s), 0, 0), digestLen(alg));
}

function hmac(fn: string, alg: i32, s: usize, key: usize): usize {
  if (s == 0 || key == 0) return 0;
  if (tagOf(s) != T_STRING) return operandError(fn, 1, "string", s);
  if (tagOf(key) != T_STRING) return operandError(fn, 2, "string", key);
  const k = alloc(64);
  memory.fill(k, 0, 64);
  if (strLen(key) > 64) memory.copy(k, digest(alg, strPtr(key), strLen(key), 0, 0), <usize>digestLen(alg));
  else memory.copy(k, strPtr(key), <usize>strLen(key));
  const pad = alloc(64);
  for (let i: usize = 0; i < 64; i++) store<u8>(pad + i, load<u8>(k + i) ^ 0x36);
  const inner = digest(alg, pad, 64, strPtr(s), strLen(s));
  for (let i: usize = 0; i < 64; i++) store<u8>(pad + i, load<u8>(k + i) ^ 0x5c);
  return hexString(digest(alg, pad, 64, inner, digestLen(alg)), digestLen(alg));
}

/** bi_crypto_md5 returns the hex MD5 digest of a string. */
export function bi_crypto_md5(s: usize): usize {
  return hash("crypto.md5", ALG_MD5, s);
}

/** bi_crypto_sha1 returns the hex SHA-1 digest of a string. */
export function bi_crypto_sha1(s: usize): usize {
  return hash("crypto.sha1", ALG_SHA1, s);
}

/** bi_crypto_sha256 returns the hex SHA-256 digest of a string. */
export function bi_crypto_sha256(s: usize): usize {
  return hash("crypto.sha256", ALG_SHA256, s);
}

/** bi_crypto_hmac_md5 returns the hex HMAC-MD5 of a string under a key. */
export function bi_crypto_hmac_md5(s: usize, key: usize): usize {
  return hmac("crypto.hmac.md5", ALG_MD5, s, key);
}

/** bi_crypto_hmac_sha1 returns the hex HMAC-SHA1 of a string under a key. */
export function bi_crypto_hmac_sha1(s: usize, key: usize): usize {
  return hmac("crypto.hmac.sha1", ALG_SHA1, s, key);
}

/** bi_crypto_hmac_sha256 returns the hex HMAC-SHA256 of a string under a key. */
export function bi_crypto_hmac_sha256(s: usize, key: usize): usize {
  return hmac("crypto.hmac.sha256", ALG_SHA256, s, key);
}

/**
 * bi_crypto_hmac_equal tells whether two MACs are the same bytes, comparing them in time that
 * depends only on their lengths (Go's hmac.Equal).
 */
export function bi_crypto_hmac_equal(a: usize, b: usize): usize {
  if (a == 0 || b == 0) return 0;
  if (tagOf(a) != T_STRING) return operandError("crypto.hmac.equal", 1, "string", a);
  if (tagOf(b) != T_STRING) return operandError("crypto.hmac.equal", 2, "string", b);
  const n = strLen(a);
  if (n != strLen(b)) return boolValue(false);
  const pa = strPtr(a);
  const pb = strPtr(b);
  let diff: u32 = 0;
  for (let i: u32 = 0; i < n; i++) diff |= <u32>(load<u8>(pa + <usize>i) ^ load<u8>(pb + <usize>i));
  return boolValue(diff == 0);
}
