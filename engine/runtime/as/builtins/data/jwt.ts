// io.jwt.decode (issue 5), without verification: the token must have exactly three
// dot-separated sections; header and payload are base64url (padding optional) JSON objects and
// the signature is returned as lower-case hex of its decoded bytes: [header, payload, sig].
// A JWE header ("enc") is refused; a "cty": "JWT" header decodes the payload as a nested token.
// Failures are eval_builtin_error "io.jwt.decode: …". Exports: bi_io_jwt_decode.

import {
  T_OBJECT, T_STRING, listPush, newArray, strLen, strPtr, tagOf,
} from "../../value";
import { asciiString, bufAscii, bufByte, bufLen, bufNew, bufPtr, bufToString } from "../../buf";
import { objectGet } from "../../collections";
import { parseJSON } from "../../json-parse";
import { builtinError, builtinErrorBuf, operandError } from "../errors";

const FN = "io.jwt.decode";
const HEX: usize = memory.data<u8>([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102]);

function sextet(c: u32): i32 {
  if (c >= 65 && c <= 90) return <i32>(c - 65);
  if (c >= 97 && c <= 122) return <i32>(c - 71);
  if (c >= 48 && c <= 57) return <i32>(c + 4);
  if (c == 45) return 62;
  if (c == 95) return 63;
  return -1;
}

/** b64url decodes [p, p+n) (URL alphabet, trailing padding optional) into a buffer; 0 if invalid. */
function b64url(p: usize, n: u32): usize {
  while (n > 0 && load<u8>(p + <usize>n - 1) == 61) n--;
  if (n % 4 == 1) return 0;
  const b = bufNew(n / 4 * 3 + 3);
  let acc: u32 = 0;
  let bits: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const v = sextet(<u32>load<u8>(p + <usize>i));
    if (v < 0) return 0;
    acc = (acc << 6) | <u32>v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bufByte(b, (acc >> bits) & 255);
    }
  }
  return b;
}

/** isJwtCty tells whether a cty header value is exactly the string "JWT" (a nested token). */
function isJwtCty(s: usize): bool {
  return tagOf(s) == T_STRING && strLen(s) == 3 && load<u8>(strPtr(s)) == 74 && load<u8>(strPtr(s), 1) == 87 && load<u8>(strPtr(s), 2) == 84;
}

/** isQuote tells whether byte c is `"` or `'` (trimmed around a nested token). */
function isQuote(c: u32): bool {
  return c == 34 || c == 39;
}

function decode(p: usize, n: u32): usize {
  let d1: i32 = -1;
  let d2: i32 = -1;
  let dots = 0;
  for (let i: u32 = 0; i < n; i++) {
    if (load<u8>(p + <usize>i) == 46) {
      dots++;
      if (d1 < 0) d1 = <i32>i;
      else if (d2 < 0) d2 = <i32>i;
    }
  }
  if (dots == 0) return builtinError("eval_builtin_error", "io.jwt.decode: encoded JWT had no period separators");
  if (dots != 2) {
    const b = bufNew(64);
    bufAscii(b, "io.jwt.decode: encoded JWT must have 3 sections, found ");
    const k = dots + 1;
    if (k >= 10) bufByte(b, 48 + <u32>(k / 10));
    bufByte(b, 48 + <u32>(k % 10));
    return builtinErrorBuf("eval_builtin_error", b);
  }
  const hb = b64url(p, <u32>d1);
  if (hb == 0) return builtinError("eval_builtin_error", "io.jwt.decode: JWT header had invalid encoding");
  const header = parseJSON(bufPtr(hb), bufLen(hb));
  if (header == 0 || tagOf(header) != T_OBJECT) return builtinError("eval_builtin_error", "io.jwt.decode: bad JWT header: not a JSON object");
  if (objectGet(header, asciiString("enc")) != 0) return builtinError("eval_builtin_error", "io.jwt.decode: JWT is a JWE object, which is not supported");
  const pb = b64url(p + <usize>d1 + 1, <u32>(d2 - d1 - 1));
  if (pb == 0) return builtinError("eval_builtin_error", "io.jwt.decode: JWT payload had invalid encoding");
  const cty = objectGet(header, asciiString("cty"));
  if (cty != 0 && isJwtCty(cty)) {
    // A nested token, possibly quoted: trim quotes at both ends and decode it instead (as OPA).
    let np = bufPtr(pb);
    let nn = bufLen(pb);
    while (nn > 0 && isQuote(<u32>load<u8>(np))) { np++; nn--; }
    while (nn > 0 && isQuote(<u32>load<u8>(np + <usize>nn - 1))) nn--;
    return decode(np, nn);
  }
  const payload = parseJSON(bufPtr(pb), bufLen(pb));
  if (payload == 0 || tagOf(payload) != T_OBJECT) return builtinError("eval_builtin_error", "io.jwt.decode: JWT payload could not be decoded as a JSON object");
  const sb = b64url(p + <usize>d2 + 1, n - <u32>d2 - 1);
  if (sb == 0) return builtinError("eval_builtin_error", "io.jwt.decode: JWT signature had invalid encoding");
  const hex = bufNew(bufLen(sb) * 2);
  for (let i: u32 = 0; i < bufLen(sb); i++) {
    const x = <u32>load<u8>(bufPtr(sb) + <usize>i);
    bufByte(hex, <u32>load<u8>(HEX + <usize>(x >> 4)));
    bufByte(hex, <u32>load<u8>(HEX + <usize>(x & 15)));
  }
  const out = newArray(3);
  listPush(out, header);
  listPush(out, payload);
  listPush(out, bufToString(hex));
  return out;
}

/** bi_io_jwt_decode returns [header, payload, signature hex] of a JWT without verifying it. */
export function bi_io_jwt_decode(s: usize): usize {
  if (s == 0) return 0;
  if (tagOf(s) != T_STRING) return operandError(FN, 1, "string", s);
  return decode(strPtr(s), strLen(s));
}
