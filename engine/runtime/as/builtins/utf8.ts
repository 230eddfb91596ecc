// UTF-8 decoding and simple Unicode case mapping shared by the string, regex and glob builtins.
// decodeAt(p, end) returns one code point and leaves its byte length in lastSize (invalid bytes
// decode as U+FFFD of size 1). Case mapping covers ASCII, Latin-1, Latin Extended-A, Greek and
// Cyrillic (basic blocks); other scripts are returned unchanged. Exports: decodeAt, lastSize, toLowerCp, toUpperCp.

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

/** toLowerCp maps a code point to lower case (see the header for the covered blocks). */
export function toLowerCp(c: u32): u32 {
  if (c < 0x80) return c >= 65 && c <= 90 ? c + 32 : c;
  if (c >= 0xc0 && c <= 0xde && c != 0xd7) return c + 0x20;
  if (c >= 0x100 && c <= 0x17f) {
    if (c == 0x130) return 0x69;
    if (c == 0x178) return 0xff;
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17e)) return (c & 1) == 1 ? c + 1 : c;
    if (c == 0x131 || c == 0x138 || c == 0x149 || c == 0x17f) return c;
    return (c & 1) == 0 ? c + 1 : c;
  }
  if (c >= 0x391 && c <= 0x3a9 && c != 0x3a2) return c + 0x20;
  if (c == 0x386) return 0x3ac;
  if (c >= 0x388 && c <= 0x38a) return c + 0x25;
  if (c == 0x38c) return 0x3cc;
  if (c == 0x38e || c == 0x38f) return c + 0x3f;
  if (c >= 0x410 && c <= 0x42f) return c + 0x20;
  if (c >= 0x400 && c <= 0x40f) return c + 0x50;
  if ((c >= 0x460 && c <= 0x481) || (c >= 0x48a && c <= 0x4bf)) return (c & 1) == 0 ? c + 1 : c;
  return c;
}

/** toUpperCp maps a code point to upper case (see the header for the covered blocks). */
export function toUpperCp(c: u32): u32 {
  if (c < 0x80) return c >= 97 && c <= 122 ? c - 32 : c;
  if (c >= 0xe0 && c <= 0xfe && c != 0xf7) return c - 0x20;
  if (c == 0xff) return 0x178;
  if (c == 0xb5) return 0x39c;
  if (c >= 0x100 && c <= 0x17f) {
    if (c == 0x131) return 0x49;
    if (c == 0x17f) return 0x53;
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17e)) return (c & 1) == 0 ? c - 1 : c;
    if (c == 0x130 || c == 0x138 || c == 0x149 || c == 0x178) return c;
    return (c & 1) == 1 ? c - 1 : c;
  }
  if (c >= 0x3b1 && c <= 0x3c9 && c != 0x3c2) return c - 0x20;
  if (c == 0x3c2) return 0x3a3;
  if (c == 0x3ac) return 0x386;
  if (c >= 0x3ad && c <= 0x3af) return c - 0x25;
  if (c == 0x3cc) return 0x38c;
  if (c == 0x3cd || c == 0x3ce) return c - 0x3f;
  if (c >= 0x430 && c <= 0x44f) return c - 0x20;
  if (c >= 0x450 && c <= 0x45f) return c - 0x50;
  if ((c >= 0x460 && c <= 0x481) || (c >= 0x48a && c <= 0x4bf)) return (c & 1) == 1 ? c - 1 : c;
  return c;
}
