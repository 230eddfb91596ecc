// The JSON value model OPA hashes, and a lossless JSON reader for it. OPA decodes a structured
// bundle file with Go's encoding/json and `UseNumber`, so number literals keep their text
// (`1.0` stays `1.0`, big integers are not rounded) and strings are decoded as Go does: an invalid
// UTF-8 byte or a lone `\uD800` escape becomes U+FFFD. JSON.parse does neither, hence this reader.

/** GoNumber is a number kept as its literal text (Go's json.Number). */
export type GoNumber = { readonly kind: 'number'; readonly text: string };

/** GoObject is a decoded object; duplicate keys keep the last value, as a Go map does. */
export type GoObject = { readonly kind: 'object'; readonly entries: ReadonlyMap<string, GoValue> };

/** GoValue is a decoded JSON document as OPA's hasher walks it. */
export type GoValue = null | boolean | string | GoNumber | GoObject | readonly GoValue[];

const fatal = new TextDecoder('utf-8', { fatal: true });

/**
 * decodeGoUtf8 decodes bytes as Go's utf8.DecodeRune walks them: every byte that does not start
 * a valid, shortest-form sequence becomes one U+FFFD (the WHATWG decoder merges some of them).
 */
export function decodeGoUtf8(bytes: Uint8Array): string {
  try {
    return fatal.decode(bytes);
  } catch {
    // fall through to the byte-by-byte walk below
  }
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const size = runeSize(bytes, i);
    if (size === 0) {
      out += '\uFFFD';
      i += 1;
    } else {
      out += fatal.decode(bytes.subarray(i, i + size));
      i += size;
    }
  }
  return out;
}

/** runeSize is the length of the valid UTF-8 sequence at `i`, or 0 (Go's accept ranges). */
function runeSize(b: Uint8Array, i: number): number {
  const b0 = b[i] as number;
  if (b0 < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => {
    const c = b[i + k];
    return c !== undefined && c >= lo && c <= hi;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const [lo, hi] = b0 === 0xe0 ? [0xa0, 0xbf] : b0 === 0xed ? [0x80, 0x9f] : [0x80, 0xbf];
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const [lo, hi] = b0 === 0xf0 ? [0x90, 0xbf] : b0 === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf];
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

/** NOT_JSON is thrown inside the reader when the text is not RFC 8259 JSON (Go's json.Valid is false). */
const NOT_JSON = Symbol('not json');

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** readGoJson decodes text as Go's json.Decoder with UseNumber does; undefined when it is not valid JSON. */
export function readGoJson(text: string): GoValue | undefined {
  let pos = 0;
  const ws = (): void => {
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) pos++;
      else return;
    }
  };
  const hex4 = (at: number): number => {
    const h = text.slice(at, at + 4);
    return /^[0-9a-fA-F]{4}$/.test(h) ? Number.parseInt(h, 16) : -1;
  };
  const string = (): string => {
    pos++; // opening quote
    let out = '';
    for (;;) {
      const c = text.charCodeAt(pos);
      if (Number.isNaN(c) || c < 0x20) throw NOT_JSON;
      if (c === 0x22) {
        pos++;
        return out;
      }
      if (c !== 0x5c) {
        // copy the run of plain characters up to the next quote, backslash or control character
        const start = pos;
        while (pos < text.length) {
          const d = text.charCodeAt(pos);
          if (d === 0x22 || d === 0x5c || d < 0x20) break;
          pos++;
        }
        out += text.slice(start, pos);
        continue;
      }
      const e = text[pos + 1] ?? '';
      if (e !== 'u') {
        const plain = ESCAPES[e];
        if (plain === undefined) throw NOT_JSON;
        out += plain;
        pos += 2;
        continue;
      }
      const u = hex4(pos + 2);
      if (u < 0) throw NOT_JSON;
      pos += 6;
      if (u < 0xd800 || u > 0xdfff) {
        out += String.fromCharCode(u);
        continue;
      }
      // A surrogate: a valid pair is consumed whole; anything else is U+FFFD and the next escape stands alone.
      const low = text.startsWith('\\u', pos) ? hex4(pos + 2) : -1;
      if (u <= 0xdbff && low >= 0xdc00 && low <= 0xdfff) {
        out += String.fromCharCode(u, low);
        pos += 6;
      } else {
        out += '\uFFFD';
      }
    }
  };
  const value = (depth: number): GoValue => {
    if (depth > 10000) throw NOT_JSON; // Go's decoder stops at the same nesting depth
    ws();
    const c = text[pos];
    if (c === '{') {
      pos++;
      const entries = new Map<string, GoValue>();
      ws();
      if (text[pos] === '}') {
        pos++;
        return { kind: 'object', entries };
      }
      for (;;) {
        ws();
        if (text[pos] !== '"') throw NOT_JSON;
        const key = string();
        ws();
        if (text[pos] !== ':') throw NOT_JSON;
        pos++;
        entries.delete(key); // a repeated key takes the last value
        entries.set(key, value(depth + 1));
        ws();
        if (text[pos] === ',') pos++;
        else if (text[pos] === '}') {
          pos++;
          return { kind: 'object', entries };
        } else throw NOT_JSON;
      }
    }
    if (c === '[') {
      pos++;
      const items: GoValue[] = [];
      ws();
      if (text[pos] === ']') {
        pos++;
        return items;
      }
      for (;;) {
        items.push(value(depth + 1));
        ws();
        if (text[pos] === ',') pos++;
        else if (text[pos] === ']') {
          pos++;
          return items;
        } else throw NOT_JSON;
      }
    }
    if (c === '"') return string();
    for (const [word, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (text.startsWith(word, pos)) {
        pos += word.length;
        return v;
      }
    }
    NUMBER.lastIndex = pos;
    const m = NUMBER.exec(text);
    if (!m) throw NOT_JSON;
    pos += m[0].length;
    return { kind: 'number', text: m[0] };
  };
  try {
    const v = value(0);
    ws();
    return pos === text.length ? v : undefined;
  } catch (e) {
    if (e === NOT_JSON) return undefined;
    throw e;
  }
}
