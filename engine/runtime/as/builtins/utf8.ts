// UTF-8 decoding and simple Unicode case mapping shared by the string, regex and glob builtins.
// decodeAt(p, end) returns one code point and leaves its byte length in lastSize (invalid bytes
// decode as U+FFFD of size 1). Case mapping is Go's unicode.ToLower/ToUpper: Unicode's simple case
// mapping, from the tables scripts/gen-case-tables.ts generates (./case-tables.ts).
// Exports: decodeAt, lastSize, toLowerCp, toUpperCp.

import { LOWER_RANGES, LOWER_RANGES_LEN, UPPER_RANGES, UPPER_RANGES_LEN } from "./case-tables";

// @ts-ignore: decorator
@lazy let size: u32 = 1;

/** lastSize returns the byte length of the code point decoded by the last decodeAt. */
export function lastSize(): u32 {
  return size;
}

/** decodeAt decodes the code point at p (bytes before end), setting lastSize. */
export function decodeAt(p: usize, end: usize): u32 {
  const c0 = <u32>load<u8>(p);
  if (c0 < 0x80) { size = 1; return c0; }
  let need: u32 = 0;
  let cp: u32 = 0;
  let min: u32 = 0;
  if ((c0 & 0xe0) == 0xc0) { need = 1; cp = c0 & 0x1f; min = 0x80; }
  else if ((c0 & 0xf0) == 0xe0) { need = 2; cp = c0 & 0x0f; min = 0x800; }
  else if ((c0 & 0xf8) == 0xf0) { need = 3; cp = c0 & 0x07; min = 0x10000; }
  else { size = 1; return 0xfffd; }
  if (p + <usize>need >= end) { size = 1; return 0xfffd; }
  for (let i: u32 = 1; i <= need; i++) {
    const c = <u32>load<u8>(p + <usize>i);
    if ((c & 0xc0) != 0x80) { size = 1; return 0xfffd; }
    cp = (cp << 6) | (c & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) { size = 1; return 0xfffd; }
  size = need + 1;
  return cp;
}

/** caseLookup maps c through a generated [first, last, delta, stride] table (binary search). */
function caseLookup(table: usize, len: i32, c: u32): u32 {
  let lo: i32 = 0;
  let hi: i32 = len - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const e = table + (<usize>mid << 4);
    if (c < load<u32>(e)) hi = mid - 1;
    else if (c > load<u32>(e, 4)) lo = mid + 1;
    else {
      if (load<i32>(e, 12) == 2 && ((c - load<u32>(e)) & 1) != 0) return c;
      return <u32>(<i32>c + load<i32>(e, 8));
    }
  }
  return c;
}

/** toLowerCp maps a code point to lower case as Go's unicode.ToLower (simple case mapping). */
export function toLowerCp(c: u32): u32 {
  if (c < 0x80) return c >= 65 && c <= 90 ? c + 32 : c;
  return caseLookup(LOWER_RANGES, LOWER_RANGES_LEN, c);
}

/** toUpperCp maps a code point to upper case as Go's unicode.ToUpper (simple case mapping). */
export function toUpperCp(c: u32): u32 {
  if (c < 0x80) return c >= 97 && c <= 122 ? c - 32 : c;
  return caseLookup(UPPER_RANGES, UPPER_RANGES_LEN, c);
}
