// Encoding builtins with Go's encoding/base64, encoding/hex and net/url semantics: base64.encode,
// base64.decode, base64.is_valid, base64url.encode, base64url.encode_no_pad, base64url.decode,
// hex.encode, hex.decode, urlquery.encode, urlquery.decode, urlquery.encode_object,
// urlquery.decode_object. Exports the bi_* functions.

import {
  T_ARRAY, T_OBJECT, T_SET, T_STRING,
  boolValue, listGet, listLen, listPush, newArray, newObject, objKeyAt, objLen, objValAt, strLen,
  strPtr, tagOf,
} from "../../value";
import { bufAscii, bufByte, bufBytes, bufLen, bufNew, bufPtr, bufToString, bufU64 } from "../../buf";
import { objectGet, objectInsert } from "../../collections";
import { builtinErrorBuf, operandError } from "../errors";
import { writeGoQuoted } from "../format";
import { findBytes } from "../strings";
import { genericError } from "./common";

const STD: usize = memory.data<u8>([
  65,66,67,68,69,70,71,72,73,74,75,76,77,78,79,80,81,82,83,84,85,86,87,88,89,90,
  97,98,99,100,101,102,103,104,105,106,107,108,109,110,111,112,113,114,115,116,117,118,119,120,121,122,
  48,49,50,51,52,53,54,55,56,57,43,47,
]);
const HEXL: usize = memory.data<u8>([48,49,50,51,52,53,54,55,56,57,97,98,99,100,101,102]);
const HEXU: usize = memory.data<u8>([48,49,50,51,52,53,54,55,56,57,65,66,67,68,69,70]);

function alphabet(i: u32, url: bool): u32 {
  const c = <u32>load<u8>(STD + <usize>i);
  if (url) { if (c == 43) return 45; if (c == 47) return 95; }
  return c;
}

function sextet(c: u32, url: bool): i32 {
  if (c >= 65 && c <= 90) return <i32>(c - 65);
  if (c >= 97 && c <= 122) return <i32>(c - 71);
  if (c >= 48 && c <= 57) return <i32>(c + 4);
  if (c == (url ? <u32>45 : <u32>43)) return 62;
  if (c == (url ? <u32>95 : <u32>47)) return 63;
  return -1;
}

function encode(fn: string, s: usize, url: bool, pad: bool): usize {
  if (s == 0) return 0;
  if (tagOf(s) != T_STRING) return operandError(fn, 1, "string", s);
  const p = strPtr(s);
  const n = strLen(s);
  const b = bufNew((n + 2) / 3 * 4);
  let i: u32 = 0;
  while (i + 3 <= n) {
    const v = (<u32>load<u8>(p + <usize>i) << 16) | (<u32>load<u8>(p + <usize>i + 1) << 8) | <u32>load<u8>(p + <usize>i + 2);
    bufByte(b, alphabet(v >> 18, url));
    bufByte(b, alphabet((v >> 12) & 63, url));
    bufByte(b, alphabet((v >> 6) & 63, url));
    bufByte(b, alphabet(v & 63, url));
    i += 3;
  }
  const rest = n - i;
  if (rest > 0) {
    let v = <u32>load<u8>(p + <usize>i) << 16;
    if (rest == 2) v |= <u32>load<u8>(p + <usize>i + 1) << 8;
    bufByte(b, alphabet(v >> 18, url));
    bufByte(b, alphabet((v >> 12) & 63, url));
    if (rest == 2) bufByte(b, alphabet((v >> 6) & 63, url));
    else if (pad) bufByte(b, 61);
    if (pad) bufByte(b, 61);
  }
  return bufToString(b);
}

const dbuf: usize = memory.data(4);

// @ts-ignore: decorator
@lazy let decodeErrAt: i32 = 0;

/** decode64 decodes padded base64 like Go's (non-strict) Encoding.DecodeString: CR/LF ignored; 0 + decodeErrAt on error. */
function decode64(p: usize, n: u32, url: bool): usize {
  decodeErrAt = -1;
  const b = bufNew(n / 4 * 3 + 3);
  let si: u32 = 0;
  while (si < n) {
    let dlen: u32 = 4;
    let j: u32 = 0;
    let finished = false;
    store<u32>(dbuf, 0);
    while (j < 4) {
      if (si == n) {
        if (j == 0) { finished = true; dlen = 0; break; }
        decodeErrAt = <i32>(si - j);
        return 0;
      }
      const c = <u32>load<u8>(p + <usize>si);
      si++;
      const o = sextet(c, url);
      if (o >= 0) { store<u8>(dbuf + <usize>j, <u8>o); j++; continue; }
      if (c == 10 || c == 13) continue;
      if (c != 61) { decodeErrAt = <i32>(si - 1); return 0; }
      // padding
      if (j < 2) { decodeErrAt = <i32>(si - 1); return 0; }
      if (j == 2) {
        while (si < n && (load<u8>(p + <usize>si) == 10 || load<u8>(p + <usize>si) == 13)) si++;
        if (si == n) { decodeErrAt = <i32>n; return 0; }
        if (load<u8>(p + <usize>si) != 61) { decodeErrAt = <i32>(si - 1); return 0; }
        si++;
      }
      while (si < n && (load<u8>(p + <usize>si) == 10 || load<u8>(p + <usize>si) == 13)) si++;
      if (si < n) { decodeErrAt = <i32>si; return 0; }
      dlen = j;
      finished = true;
      break;
    }
    if (dlen > 0) {
      const v = (<u32>load<u8>(dbuf) << 18) | (<u32>load<u8>(dbuf, 1) << 12) | (<u32>load<u8>(dbuf, 2) << 6) | <u32>load<u8>(dbuf, 3);
      bufByte(b, v >> 16);
      if (dlen >= 3) bufByte(b, (v >> 8) & 255);
      if (dlen == 4) bufByte(b, v & 255);
    }
    if (finished) break;
  }
  return bufToString(b);
}

function base64Error(fn: string): usize {
  const b = bufNew(64);
  bufAscii(b, fn);
  bufAscii(b, ": illegal base64 data at input byte ");
  bufU64(b, <u64>decodeErrAt);
  return builtinErrorBuf("eval_builtin_error", b);
}

/** bi_base64_encode encodes a string as padded standard base64. */
export function bi_base64_encode(s: usize): usize {
  return encode("base64.encode", s, false, true);
}

/** bi_base64_decode decodes padded standard base64; invalid input is a builtin error. */
export function bi_base64_decode(s: usize): usize {
  if (s == 0) return 0;
  if (tagOf(s) != T_STRING) return operandError("base64.decode", 1, "string", s);
  const r = decode64(strPtr(s), strLen(s), false);
  return r != 0 ? r : base64Error("base64.decode");
}

/** bi_base64_is_valid tells whether a string is valid padded standard base64. */
export function bi_base64_is_valid(s: usize): usize {
  if (s == 0) return 0;
  if (tagOf(s) != T_STRING) return operandError("base64.is_valid", 1, "string", s);
  return boolValue(decode64(strPtr(s), strLen(s), false) != 0);
}

/** bi_base64url_encode encodes a string as padded URL-safe base64. */
export function bi_base64url_encode(s: usize): usize {
  return encode("base64url.encode", s, true, true);
}

/** bi_base64url_encode_no_pad encodes a string as unpadded URL-safe base64. */
export function bi_base64url_encode_no_pad(s: usize): usize {
  return encode("base64url.encode_no_pad", s, true, false);
}

/** bi_base64url_decode decodes URL-safe base64, adding missing padding first (RFC 7515 appendix C). */
export function bi_base64url_decode(s: usize): usize {
  if (s == 0) return 0;
  if (tagOf(s) != T_STRING) return operandError("base64url.decode", 1, "string", s);
  const p = strPtr(s);
  const n = strLen(s);
  let src = p;
  let len = n;
  if (n == 0 || load<u8>(p + <usize>n - 1) != 61) {
    const r = n % 4;
    if (r == 1) {
      const b = bufNew(n + 40);
      bufAscii(b, "base64url.decode: illegal base64url string: ");
      bufBytes(b, p, n);
      return builtinErrorBuf("eval_builtin_error", b);
    }
    if (r >= 2) {
      const b = bufNew(n + 2);
      bufBytes(b, p, n);
      bufAscii(b, r == 2 ? "==" : "=");
      src = bufPtr(b);
      len = bufLen(b);
    }
  }
  const out = decode64(src, len, true);
  return out != 0 ? out : base64Error("base64url.decode");
}

/** bi_hex_encode encodes the bytes of a string as lower-case hex. */
export function bi_hex_encode(s: usize): usize {
  if (s == 0) return 0;
  if (tagOf(s) != T_STRING) return operandError("hex.encode", 1, "string", s);
  const p = strPtr(s);
  const n = strLen(s);
  const b = bufNew(n * 2);
  for (let i: u32 = 0; i < n; i++) {
    const c = <u32>load<u8>(p + <usize>i);
    bufByte(b, <u32>load<u8>(HEXL + <usize>(c >> 4)));
    bufByte(b, <u32>load<u8>(HEXL + <usize>(c & 15)));
  }
  return bufToString(b);
}

function hexVal(c: u32): i32 {
  if (c >= 48 && c <= 57) return <i32>(c - 48);
  if (c >= 97 && c <= 102) return <i32>(c - 87);
  if (c >= 65 && c <= 70) return <i32>(c - 55);
  return -1;
}

function hexByteError(c: u32): usize {
  // Go: "encoding/hex: invalid byte: %#U" of rune(byte)
  const b = bufNew(64);
  bufAscii(b, "hex.decode: encoding/hex: invalid byte: U+");
  for (let s: i32 = 12; s >= 0; s -= 4) bufByte(b, <u32>load<u8>(HEXU + <usize>((c >> <u32>s) & 15)));
  const printable = (c >= 0x20 && c < 0x7f) || (c >= 0xa1 && c != 0xad);
  if (printable) {
    bufAscii(b, " '");
    if (c < 0x80) bufByte(b, c);
    else { bufByte(b, 0xc0 | (c >> 6)); bufByte(b, 0x80 | (c & 63)); }
    bufAscii(b, "'");
  }
  return builtinErrorBuf("eval_builtin_error", b);
}

/** bi_hex_decode decodes hex (either case) into a string; invalid input is a builtin error. */
export function bi_hex_decode(s: usize): usize {
  if (s == 0) return 0;
  if (tagOf(s) != T_STRING) return operandError("hex.decode", 1, "string", s);
  const p = strPtr(s);
  const n = strLen(s);
  const b = bufNew(n / 2);
  let j: u32 = 1;
  for (; j < n; j += 2) {
    const x = <u32>load<u8>(p + <usize>j - 1);
    const y = <u32>load<u8>(p + <usize>j);
    const hx = hexVal(x);
    const hy = hexVal(y);
    if (hx < 0) return hexByteError(x);
    if (hy < 0) return hexByteError(y);
    bufByte(b, <u32>((hx << 4) | hy));
  }
  if (n % 2 == 1) {
    const x = <u32>load<u8>(p + <usize>j - 1);
    if (hexVal(x) < 0) return hexByteError(x);
    return genericError("hex.decode", "encoding/hex: odd length hex string");
  }
  return bufToString(b);
}

function queryEscape(b: usize, p: usize, n: u32): void {
  for (let i: u32 = 0; i < n; i++) {
    const c = <u32>load<u8>(p + <usize>i);
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 45 || c == 95 || c == 46 || c == 126) {
      bufByte(b, c);
    } else if (c == 32) {
      bufByte(b, 43);
    } else {
      bufByte(b, 37);
      bufByte(b, <u32>load<u8>(HEXU + <usize>(c >> 4)));
      bufByte(b, <u32>load<u8>(HEXU + <usize>(c & 15)));
    }
  }
}

/** bi_urlquery_encode escapes a string for a URL query (Go's url.QueryEscape). */
export function bi_urlquery_encode(s: usize): usize {
  if (s == 0) return 0;
  if (tagOf(s) != T_STRING) return operandError("urlquery.encode", 1, "string", s);
  const b = bufNew(strLen(s) + 8);
  queryEscape(b, strPtr(s), strLen(s));
  return bufToString(b);
}

/**
 * queryUnescapeInto appends the n bytes at p to buffer b unescaped as Go's url.QueryUnescape does
 * ('+' is a space, "%XX" one byte). Returns n, or the offset of the first malformed escape.
 */
function queryUnescapeInto(b: usize, p: usize, n: u32): u32 {
  let i: u32 = 0;
  while (i < n) {
    const c = <u32>load<u8>(p + <usize>i);
    if (c != 37) {
      bufByte(b, c == 43 ? 32 : c);
      i++;
      continue;
    }
    if (i + 2 >= n) return i;
    const hi = hexVal(<u32>load<u8>(p + <usize>i + 1));
    const lo = hexVal(<u32>load<u8>(p + <usize>i + 2));
    if (hi < 0 || lo < 0) return i;
    bufByte(b, <u32>((hi << 4) | lo));
    i += 3;
  }
  return n;
}

/** escapeError reports Go's `invalid URL escape "%.."` for the escape at offset at of the n bytes at p. */
function escapeError(fn: string, p: usize, n: u32, at: u32): usize {
  const e = bufNew(48);
  bufAscii(e, fn);
  bufAscii(e, ": invalid URL escape ");
  writeGoQuoted(e, p + <usize>at, n - at > 3 ? 3 : n - at);
  return builtinErrorBuf("eval_builtin_error", e);
}

/** bi_urlquery_decode unescapes a URL query string (Go's url.QueryUnescape: '+' is a space). */
export function bi_urlquery_decode(s: usize): usize {
  if (s == 0) return 0;
  if (tagOf(s) != T_STRING) return operandError("urlquery.decode", 1, "string", s);
  const p = strPtr(s);
  const n = strLen(s);
  const b = bufNew(n);
  const bad = queryUnescapeInto(b, p, n);
  if (bad < n) return escapeError("urlquery.decode", p, n, bad);
  return bufToString(b);
}

function pair(b: usize, k: usize, v: usize): void {
  if (bufLen(b) > 0) bufByte(b, 38);
  queryEscape(b, strPtr(k), strLen(k));
  bufByte(b, 61);
  queryEscape(b, strPtr(v), strLen(v));
}

/**
 * bi_urlquery_encode_object encodes an object of strings, or arrays/sets of strings, as a query
 * string with keys in sorted order (Go's url.Values.Encode).
 */
export function bi_urlquery_encode_object(obj: usize): usize {
  if (obj == 0) return 0;
  if (tagOf(obj) != T_OBJECT) return operandError("urlquery.encode_object", 1, "object", obj);
  const n = objLen(obj);
  const b = bufNew(64);
  for (let i: u32 = 0; i < n; i++) {
    const k = objKeyAt(obj, i);
    const v = objValAt(obj, i);
    const t = tagOf(v);
    if (tagOf(k) != T_STRING) return genericError("urlquery.encode_object", "only strings, arrays of strings, and sets of strings are permitted");
    if (t == T_STRING) { pair(b, k, v); continue; }
    if (t == T_ARRAY || t == T_SET) {
      const m = listLen(v);
      for (let j: u32 = 0; j < m; j++) {
        const item = listGet(v, j);
        if (tagOf(item) != T_STRING) return genericError("urlquery.encode_object", "only arrays of strings are permitted");
        pair(b, k, item);
      }
      continue;
    }
    return genericError("urlquery.encode_object", "only strings, arrays of strings, and sets of strings are permitted");
  }
  return bufToString(b);
}

const DECODE_OBJECT = "urlquery.decode_object";
// Go's url.ParseQuery refuses a query of more than 10000 parameters (GODEBUG urlmaxqueryparams).
const MAX_QUERY_PARAMS: u32 = 10000;
// One-byte needles for findBytes: '&', '=' and ';'.
const AMP: usize = memory.data<u8>([38]);
const EQ: usize = memory.data<u8>([61]);
const SEMI: usize = memory.data<u8>([59]);

/** byteAt returns the offset of the first byte of needle (one byte) at or after from among the n bytes at p, or n. */
function byteAt(p: usize, n: u32, needle: usize, from: u32): u32 {
  const i = findBytes(p, n, needle, 1, from);
  return i < 0 ? n : <u32>i;
}

/** paramCount is the number of `&`-separated parameters in the n bytes at p (empty ones included). */
function paramCount(p: usize, n: u32): u32 {
  let k: u32 = 1;
  for (let i = byteAt(p, n, AMP, 0); i < n; i = byteAt(p, n, AMP, i + 1)) k++;
  return k;
}

/**
 * addQueryParam unescapes one `key=value` (or bare `key`) parameter of n bytes at p and appends
 * the value to obj[key]; false after reporting a malformed escape (builtin error).
 */
function addQueryParam(obj: usize, p: usize, n: u32): bool {
  const eq = byteAt(p, n, EQ, 0);
  const kb = bufNew(eq);
  const badKey = queryUnescapeInto(kb, p, eq);
  if (badKey < eq) {
    escapeError(DECODE_OBJECT, p, eq, badKey);
    return false;
  }
  const vp = p + <usize>(eq < n ? eq + 1 : n);
  const vn = eq < n ? n - eq - 1 : 0;
  const vb = bufNew(vn);
  const badValue = queryUnescapeInto(vb, vp, vn);
  if (badValue < vn) {
    escapeError(DECODE_OBJECT, vp, vn, badValue);
    return false;
  }
  const key = bufToString(kb);
  let values = objectGet(obj, key);
  if (values == 0) {
    values = newArray(1);
    objectInsert(obj, key, values);
  }
  listPush(values, bufToString(vb));
  return true;
}

/**
 * bi_urlquery_decode_object parses a URL query as Go's url.ParseQuery does: `&`-separated
 * parameters, each key mapped to the array of its values in order. A `;` anywhere, a malformed
 * escape or more than 10000 parameters is a builtin error.
 */
export function bi_urlquery_decode_object(s: usize): usize {
  if (s == 0) return 0;
  if (tagOf(s) != T_STRING) return operandError(DECODE_OBJECT, 1, "string", s);
  const p = strPtr(s);
  const n = strLen(s);
  if (paramCount(p, n) > MAX_QUERY_PARAMS) return genericError(DECODE_OBJECT, "number of URL query parameters exceeded limit");
  // Go keeps parsing after a bad parameter, but a `;` error replaces any escape error.
  if (byteAt(p, n, SEMI, 0) < n) return genericError(DECODE_OBJECT, "invalid semicolon separator in query");
  const out = newObject(8);
  let start: u32 = 0;
  while (start < n) {
    const end = byteAt(p, n, AMP, start);
    if (end > start && !addQueryParam(out, p + <usize>start, end - start)) return 0;
    start = end + 1;
  }
  return out;
}
