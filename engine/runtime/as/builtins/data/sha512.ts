// crypto.hmac.sha512 (issue 5): SHA-512 (FIPS 180-4, 128-byte blocks, u64 words) and its HMAC
// (RFC 2104 with 128-byte key blocks) over the strings' UTF-8 bytes; the result is lower-case
// hex. Exports: bi_crypto_hmac_sha512.

import { T_STRING, alloc, strLen, strPtr, tagOf } from "../../value";
import { bufByte, bufNew, bufToString } from "../../buf";
import { operandError } from "../errors";

const K512: usize = memory.data<u64>([
  0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f, 0xe9b5dba58189dbbc, 0x3956c25bf348b538,
  0x59f111f1b605d019, 0x923f82a4af194f9b, 0xab1c5ed5da6d8118, 0xd807aa98a3030242, 0x12835b0145706fbe,
  0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2, 0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235,
  0xc19bf174cf692694, 0xe49b69c19ef14ad2, 0xefbe4786384f25e3, 0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65,
  0x2de92c6f592b0275, 0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5, 0x983e5152ee66dfab,
  0xa831c66d2db43210, 0xb00327c898fb213f, 0xbf597fc7beef0ee4, 0xc6e00bf33da88fc2, 0xd5a79147930aa725,
  0x06ca6351e003826f, 0x142929670a0e6e70, 0x27b70a8546d22ffc, 0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed,
  0x53380d139d95b3df, 0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6, 0x92722c851482353b,
  0xa2bfe8a14cf10364, 0xa81a664bbc423001, 0xc24b8b70d0f89791, 0xc76c51a30654be30, 0xd192e819d6ef5218,
  0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8, 0x19a4c116b8d2d0c8, 0x1e376c085141ab53,
  0x2748774cdf8eeb99, 0x34b0bcb5e19b48a8, 0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb, 0x5b9cca4f7763e373,
  0x682e6ff3d6b2b8a3, 0x748f82ee5defb2fc, 0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec,
  0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915, 0xc67178f2e372532b, 0xca273eceea26619c,
  0xd186b8c721c0c207, 0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178, 0x06f067aa72176fba, 0x0a637dc5a2c898a6,
  0x113f9804bef90dae, 0x1b710b35131c471b, 0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc,
  0x431d67c49c100d4c, 0x4cc5d4becb3e42b6, 0x597f299cfc657e2a, 0x5fcb6fab3ad6faec, 0x6c44198c4a475817,
]);

const H512: usize = memory.data<u64>([
  0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1,
  0x510e527fade682d1, 0x9b05688c2b3e6c1f, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179,
]);

function loadBE(p: usize): u64 {
  return bswap<u64>(load<u64>(p));
}

/** block512 processes one 128-byte block at p into the state h (8 u64 words). */
function block512(h: usize, p: usize, w: usize): void {
  for (let i: usize = 0; i < 16; i++) store<u64>(w + (i << 3), loadBE(p + (i << 3)));
  for (let i: usize = 16; i < 80; i++) {
    const w15 = load<u64>(w + ((i - 15) << 3));
    const w2 = load<u64>(w + ((i - 2) << 3));
    const s0 = rotr<u64>(w15, 1) ^ rotr<u64>(w15, 8) ^ (w15 >> 7);
    const s1 = rotr<u64>(w2, 19) ^ rotr<u64>(w2, 61) ^ (w2 >> 6);
    store<u64>(w + (i << 3), load<u64>(w + ((i - 16) << 3)) + s0 + load<u64>(w + ((i - 7) << 3)) + s1);
  }
  let a = load<u64>(h), b = load<u64>(h, 8), c = load<u64>(h, 16), d = load<u64>(h, 24);
  let e = load<u64>(h, 32), f = load<u64>(h, 40), g = load<u64>(h, 48), hh = load<u64>(h, 56);
  for (let i: usize = 0; i < 80; i++) {
    const S1 = rotr<u64>(e, 14) ^ rotr<u64>(e, 18) ^ rotr<u64>(e, 41);
    const ch = (e & f) ^ (~e & g);
    const t1 = hh + S1 + ch + load<u64>(K512 + (i << 3)) + load<u64>(w + (i << 3));
    const S0 = rotr<u64>(a, 28) ^ rotr<u64>(a, 34) ^ rotr<u64>(a, 39);
    const maj = (a & b) ^ (a & c) ^ (b & c);
    hh = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + S0 + maj;
  }
  store<u64>(h, load<u64>(h) + a);
  store<u64>(h, load<u64>(h, 8) + b, 8);
  store<u64>(h, load<u64>(h, 16) + c, 16);
  store<u64>(h, load<u64>(h, 24) + d, 24);
  store<u64>(h, load<u64>(h, 32) + e, 32);
  store<u64>(h, load<u64>(h, 40) + f, 40);
  store<u64>(h, load<u64>(h, 48) + g, 48);
  store<u64>(h, load<u64>(h, 56) + hh, 56);
}

/** sha512 hashes [p1, p1+n1) ++ [p2, p2+n2) and returns the address of the 64-byte digest. */
function sha512(p1: usize, n1: u32, p2: usize, n2: u32): usize {
  const h = alloc(64);
  memory.copy(h, H512, 64);
  const total = <u64>n1 + <u64>n2;
  const padded = <u32>(((total + 16) / 128 + 1) * 128);
  const m = alloc(<usize>padded);
  memory.copy(m, p1, <usize>n1);
  memory.copy(m + <usize>n1, p2, <usize>n2);
  memory.fill(m + <usize>total, 0, <usize>(padded - <u32>total));
  store<u8>(m + <usize>total, 0x80);
  store<u64>(m + <usize>padded - 8, bswap<u64>(total << 3));
  const w = alloc(640);
  for (let off: u32 = 0; off < padded; off += 128) block512(h, m + <usize>off, w);
  for (let i: usize = 0; i < 8; i++) store<u64>(h + (i << 3), bswap<u64>(load<u64>(h + (i << 3))));
  return h;
}

const HEX: usize = memory.data<u8>([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102]);

/** bi_crypto_hmac_sha512 returns the hex HMAC-SHA512 of a string under a key. */
export function bi_crypto_hmac_sha512(s: usize, key: usize): usize {
  if (s == 0 || key == 0) return 0;
  if (tagOf(s) != T_STRING) return operandError("crypto.hmac.sha512", 1, "string", s);
  if (tagOf(key) != T_STRING) return operandError("crypto.hmac.sha512", 2, "string", key);
  const k = alloc(128);
  memory.fill(k, 0, 128);
  if (strLen(key) > 128) memory.copy(k, sha512(strPtr(key), strLen(key), 0, 0), 64);
  else memory.copy(k, strPtr(key), <usize>strLen(key));
  const pad = alloc(128);
  for (let i: usize = 0; i < 128; i++) store<u8>(pad + i, load<u8>(k + i) ^ 0x36);
  const inner = sha512(pad, 128, strPtr(s), strLen(s));
  for (let i: usize = 0; i < 128; i++) store<u8>(pad + i, load<u8>(k + i) ^ 0x5c);
  const d = sha512(pad, 128, inner, 64);
  const b = bufNew(128);
  for (let i: usize = 0; i < 64; i++) {
    const x = <u32>load<u8>(d + i);
    bufByte(b, <u32>load<u8>(HEX + <usize>(x >> 4)));
    bufByte(b, <u32>load<u8>(HEX + <usize>(x & 15)));
  }
  return bufToString(b);
}
