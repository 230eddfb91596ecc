// JSON text (UTF-8 bytes, not NUL-terminated) -> value, or 0 if the text is not exactly one valid
// JSON value surrounded by optional whitespace. Strings without escapes and number literals point
// into the source bytes (not copied); escapes, including \u surrogate pairs, are decoded to UTF-8
// (lone surrogates become U+FFFD). Objects are built sorted; duplicate keys keep the last value.
// Export: parseJSON(ptr, len).

import {
  alloc, boolValue, listPush, newArray, newNumberText, newObject, newString, nullValue,
} from "./value";
import { objectInsert } from "./collections";
import { parseNumberText } from "./number-format";

// Parser cursor and end (module state: the runtime is single-threaded and non-reentrant here).
// @ts-ignore: decorator
@lazy let cur: usize = 0;
// @ts-ignore: decorator
@lazy let end: usize = 0;

const MAX_DEPTH: i32 = 10000;
// @ts-ignore: decorator
@lazy let depth: i32 = 0;

/** parseJSON parses len bytes at ptr as one JSON value; 0 on invalid input. */
export function parseJSON(ptr: usize, len: u32): usize {
  cur = ptr;
  end = ptr + <usize>len;
  depth = 0;
  skipWS();
  const v = parseValue();
  if (v == 0) return 0;
  skipWS();
  return cur == end ? v : 0;
}

// @ts-ignore: decorator
@inline function peek(): u32 {
  return cur < end ? <u32>load<u8>(cur) : 0xffffffff;
}

function skipWS(): void {
  while (cur < end) {
    const c = load<u8>(cur);
    if (c == 32 || c == 10 || c == 13 || c == 9) cur++;
    else break;
  }
}

function matchWord(w: usize, n: u32): bool {
  if (cur + <usize>n > end) return false;
  if (memory.compare(cur, w, <usize>n) != 0) return false;
  cur += <usize>n;
  return true;
}

function parseValue(): usize {
  const c = peek();
  switch (c) {
    case 123: return parseObject();
    case 91: return parseArray();
    case 34: return parseString();
    case 116: return matchWord(memory.data<u8>([116, 114, 117, 101]), 4) ? boolValue(true) : 0;
    case 102: return matchWord(memory.data<u8>([102, 97, 108, 115, 101]), 5) ? boolValue(false) : 0;
    case 110: return matchWord(memory.data<u8>([110, 117, 108, 108]), 4) ? nullValue() : 0;
  }
  if (c == 45 || c - 48 <= 9) return parseNumber();
  return 0;
}

function parseArray(): usize {
  if (++depth > MAX_DEPTH) return 0;
  cur++; // [
  const arr = newArray(4);
  skipWS();
  if (peek() == 93) {
    cur++;
    depth--;
    return arr;
  }
  while (true) {
    skipWS();
    const v = parseValue();
    if (v == 0) return 0;
    listPush(arr, v);
    skipWS();
    const c = peek();
    cur++;
    if (c == 44) continue;
    if (c == 93) break;
    return 0;
  }
  depth--;
  return arr;
}

function parseObject(): usize {
  if (++depth > MAX_DEPTH) return 0;
  cur++; // {
  const obj = newObject(4);
  skipWS();
  if (peek() == 125) {
    cur++;
    depth--;
    return obj;
  }
  while (true) {
    skipWS();
    if (peek() != 34) return 0;
    const k = parseString();
    if (k == 0) return 0;
    skipWS();
    if (peek() != 58) return 0;
    cur++;
    skipWS();
    const v = parseValue();
    if (v == 0) return 0;
    objectInsert(obj, k, v);
    skipWS();
    const c = peek();
    cur++;
    if (c == 44) continue;
    if (c == 125) break;
    return 0;
  }
  depth--;
  return obj;
}

function hex4(p: usize): i32 {
  let r: i32 = 0;
  for (let i: usize = 0; i < 4; i++) {
    const c = <i32>load<u8>(p + i);
    let d: i32;
    if (c >= 48 && c <= 57) d = c - 48;
    else if (c >= 97 && c <= 102) d = c - 87;
    else if (c >= 65 && c <= 70) d = c - 55;
    else return -1;
    r = (r << 4) | d;
  }
  return r;
}

function putUTF8(out: usize, cp: u32): usize {
  if (cp < 0x80) {
    store<u8>(out, <u8>cp);
    return out + 1;
  }
  if (cp < 0x800) {
    store<u8>(out, <u8>(0xc0 | (cp >> 6)));
    store<u8>(out + 1, <u8>(0x80 | (cp & 63)));
    return out + 2;
  }
  if (cp < 0x10000) {
    store<u8>(out, <u8>(0xe0 | (cp >> 12)));
    store<u8>(out + 1, <u8>(0x80 | ((cp >> 6) & 63)));
    store<u8>(out + 2, <u8>(0x80 | (cp & 63)));
    return out + 3;
  }
  store<u8>(out, <u8>(0xf0 | (cp >> 18)));
  store<u8>(out + 1, <u8>(0x80 | ((cp >> 12) & 63)));
  store<u8>(out + 2, <u8>(0x80 | ((cp >> 6) & 63)));
  store<u8>(out + 3, <u8>(0x80 | (cp & 63)));
  return out + 4;
}

function parseString(): usize {
  cur++; // opening quote
  const start = cur;
  let escaped = false;
  // First pass: find the closing quote, validate control characters.
  while (true) {
    if (cur >= end) return 0;
    const c = load<u8>(cur);
    if (c == 34) break;
    if (c < 32) return 0;
    if (c == 92) {
      escaped = true;
      cur += 2;
      continue;
    }
    cur++;
  }
  if (cur > end) return 0;
  const stop = cur;
  cur++; // closing quote
  const rawLen = <u32>(stop - start);
  if (!escaped) return newString(start, rawLen);
  // Second pass: decode escapes into a fresh buffer (decoded text is never longer).
  const out0 = alloc(<usize>rawLen);
  let out = out0;
  let p = start;
  while (p < stop) {
    const c = <u32>load<u8>(p);
    if (c != 92) {
      store<u8>(out++, <u8>c);
      p++;
      continue;
    }
    if (p + 1 >= stop) return 0;
    const e = <u32>load<u8>(p + 1);
    p += 2;
    switch (e) {
      case 34: store<u8>(out++, 34); break;
      case 92: store<u8>(out++, 92); break;
      case 47: store<u8>(out++, 47); break;
      case 98: store<u8>(out++, 8); break;
      case 102: store<u8>(out++, 12); break;
      case 110: store<u8>(out++, 10); break;
      case 114: store<u8>(out++, 13); break;
      case 116: store<u8>(out++, 9); break;
      case 117: {
        if (p + 4 > stop) return 0;
        let cp = hex4(p);
        if (cp < 0) return 0;
        p += 4;
        if (cp >= 0xd800 && cp <= 0xdbff) {
          // High surrogate: combine with a following \uDC00-\uDFFF, else U+FFFD.
          if (p + 6 <= stop && load<u8>(p) == 92 && load<u8>(p + 1) == 117) {
            const lo = hex4(p + 2);
            if (lo < 0) return 0;
            if (lo >= 0xdc00 && lo <= 0xdfff) {
              cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
              p += 6;
            } else {
              cp = 0xfffd;
            }
          } else {
            cp = 0xfffd;
          }
        } else if (cp >= 0xdc00 && cp <= 0xdfff) {
          cp = 0xfffd;
        }
        out = putUTF8(out, <u32>cp);
        break;
      }
      default:
        return 0;
    }
  }
  return newString(out0, <u32>(out - out0));
}

function digits(): u32 {
  const s = cur;
  while (cur < end && <u32>load<u8>(cur) - 48 <= 9) cur++;
  return <u32>(cur - s);
}

function parseNumber(): usize {
  const start = cur;
  if (peek() == 45) cur++;
  const c = peek();
  if (c == 48) {
    cur++;
  } else if (c - 49 <= 8) {
    digits();
  } else {
    return 0;
  }
  if (peek() == 46) {
    cur++;
    if (digits() == 0) return 0;
  }
  const e = peek();
  if (e == 101 || e == 69) {
    cur++;
    const s = peek();
    if (s == 43 || s == 45) cur++;
    if (digits() == 0) return 0;
  }
  const len = <u32>(cur - start);
  return newNumberText(parseNumberText(start, len), start, len);
}
