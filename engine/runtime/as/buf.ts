// Growable byte buffers in linear memory: the string builder of the runtime. A buffer is a
// 12-byte header [u32 ptr][u32 len][u32 cap] on the bump heap; when its bytes sit at the top of
// the heap it grows in place. Exports: bufNew, bufLen, bufPtr, bufByte, bufBytes, bufAscii,
// bufString, bufCodePoint, bufU64, bufI64, bufToString (STRING value), bufToCString, asciiString.

import { alloc, heapGet, newString, strLen, strPtr } from "./value";

/** bufNew makes an empty buffer with room for `cap` bytes. */
export function bufNew(cap: u32): usize {
  if (cap < 16) cap = 16;
  cap = (cap + 7) & ~7;
  const b = alloc(12);
  store<u32>(b, <u32>alloc(<usize>cap));
  store<u32>(b, 0, 4);
  store<u32>(b, cap, 8);
  return b;
}

/** bufLen returns the number of bytes written. */
// @ts-ignore: decorator
@inline export function bufLen(b: usize): u32 {
  return load<u32>(b, 4);
}

/** bufPtr returns the address of the first byte (valid until the next write). */
// @ts-ignore: decorator
@inline export function bufPtr(b: usize): usize {
  return <usize>load<u32>(b);
}

/** bufReserve makes room for `extra` more bytes. */
export function bufReserve(b: usize, extra: u32): void {
  const ptr = <usize>load<u32>(b);
  const len = load<u32>(b, 4);
  const cap = load<u32>(b, 8);
  if (len + extra <= cap) return;
  let ncap = cap << 1;
  while (ncap < len + extra) ncap = ncap << 1;
  if (ptr + <usize>cap == heapGet()) {
    // The bytes are the newest allocation: extend them in place.
    const more = alloc(<usize>(ncap - cap));
    if (more == ptr + <usize>cap) {
      store<u32>(b, ncap, 8);
      return;
    }
  }
  const np = alloc(<usize>ncap);
  memory.copy(np, ptr, <usize>len);
  store<u32>(b, <u32>np);
  store<u32>(b, ncap, 8);
}

/** bufByte appends one byte. */
export function bufByte(b: usize, c: u32): void {
  bufReserve(b, 1);
  const len = load<u32>(b, 4);
  store<u8>(<usize>load<u32>(b) + <usize>len, <u8>c);
  store<u32>(b, len + 1, 4);
}

/** bufBytes appends `len` bytes from `ptr`. */
export function bufBytes(b: usize, ptr: usize, n: u32): void {
  if (n == 0) return;
  bufReserve(b, n);
  const len = load<u32>(b, 4);
  memory.copy(<usize>load<u32>(b) + <usize>len, ptr, <usize>n);
  store<u32>(b, len + n, 4);
}

/** bufAscii appends an ASCII AS string literal (non-ASCII characters become '?'). */
export function bufAscii(b: usize, s: string): void {
  const n = s.length;
  bufReserve(b, <u32>n);
  const len = load<u32>(b, 4);
  const dst = <usize>load<u32>(b) + <usize>len;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    store<u8>(dst + <usize>i, c < 128 ? <u8>c : <u8>63);
  }
  store<u32>(b, len + <u32>n, 4);
}

/** bufString appends the UTF-8 bytes of a STRING value. */
export function bufString(b: usize, str: usize): void {
  bufBytes(b, strPtr(str), strLen(str));
}

/** bufCodePoint appends a Unicode code point as UTF-8 (surrogates and out-of-range become U+FFFD). */
export function bufCodePoint(b: usize, cp: u32): void {
  if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) cp = 0xfffd;
  if (cp < 0x80) {
    bufByte(b, cp);
  } else if (cp < 0x800) {
    bufByte(b, 0xc0 | (cp >> 6));
    bufByte(b, 0x80 | (cp & 63));
  } else if (cp < 0x10000) {
    bufByte(b, 0xe0 | (cp >> 12));
    bufByte(b, 0x80 | ((cp >> 6) & 63));
    bufByte(b, 0x80 | (cp & 63));
  } else {
    bufByte(b, 0xf0 | (cp >> 18));
    bufByte(b, 0x80 | ((cp >> 12) & 63));
    bufByte(b, 0x80 | ((cp >> 6) & 63));
    bufByte(b, 0x80 | (cp & 63));
  }
}

/** bufU64 appends the decimal digits of an unsigned integer. */
export function bufU64(b: usize, n: u64): void {
  let digits = 1;
  let t = n;
  while (t >= 10) {
    t /= 10;
    digits++;
  }
  bufReserve(b, <u32>digits);
  const len = load<u32>(b, 4);
  const dst = <usize>load<u32>(b) + <usize>len;
  for (let i = digits - 1; i >= 0; i--) {
    store<u8>(dst + <usize>i, <u8>(48 + <u32>(n % 10)));
    n /= 10;
  }
  store<u32>(b, len + <u32>digits, 4);
}

/** bufI64 appends the decimal digits of a signed integer. */
export function bufI64(b: usize, n: i64): void {
  if (n < 0) {
    bufByte(b, 45);
    bufU64(b, <u64>(-n));
  } else {
    bufU64(b, <u64>n);
  }
}

/** bufToString returns a STRING value over the buffer's bytes (the buffer must not be written afterwards). */
export function bufToString(b: usize): usize {
  return newString(<usize>load<u32>(b), load<u32>(b, 4));
}

/** bufToCString appends a NUL byte and returns the address of the bytes. */
export function bufToCString(b: usize): usize {
  bufByte(b, 0);
  return <usize>load<u32>(b);
}

/** asciiString makes a STRING value from an ASCII AS string literal. */
export function asciiString(s: string): usize {
  const b = bufNew(<u32>s.length);
  bufAscii(b, s);
  return bufToString(b);
}
