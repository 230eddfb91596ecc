// Rego text of values (as OPA prints terms: strings Go-quoted, sets `{1, 2}` / `set()`, objects
// `{"a": 1}`) and the internal.print builtin that writes one line through env.opa_println.
// Exports: writeRego(b, v), writeGoQuoted(b, ptr, len), bi_internal_print.

import {
  T_ARRAY, T_BOOLEAN, T_NULL, T_NUMBER, T_OBJECT, T_SET, T_STRING,
  boolOf, boolValue, listGet, listLen, objKeyAt, objLen, objValAt, strLen, strPtr, tagOf,
} from "../value";
import { bufAscii, bufByte, bufBytes, bufNew, bufToCString } from "../buf";
import { writeNumber } from "../number-format";
import { hostPrintln } from "../host";
import { decodeAt, lastSize } from "./utf8";

const HEX: usize = memory.data<u8>([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102]);

function hexByte(b: usize, prefix: string, c: u32, digits: i32): void {
  bufAscii(b, prefix);
  for (let i = digits - 1; i >= 0; i--) bufByte(b, load<u8>(HEX + <usize>((c >> (<u32>i * 4)) & 15)));
}

/** writeGoQuoted appends bytes as a Go strconv.Quote string literal. */
export function writeGoQuoted(b: usize, p: usize, n: u32): void {
  const end = p + <usize>n;
  bufByte(b, 34);
  let q = p;
  while (q < end) {
    const c = decodeAt(q, end);
    const sz = lastSize();
    if (c == 0xfffd && sz == 1 && load<u8>(q) >= 0x80) {
      hexByte(b, "\\x", <u32>load<u8>(q), 2);
    } else if (c == 34) {
      bufAscii(b, "\\\"");
    } else if (c == 92) {
      bufAscii(b, "\\\\");
    } else if (c >= 0x20 && c < 0x7f) {
      bufByte(b, c);
    } else if (c == 7) bufAscii(b, "\\a");
    else if (c == 8) bufAscii(b, "\\b");
    else if (c == 12) bufAscii(b, "\\f");
    else if (c == 10) bufAscii(b, "\\n");
    else if (c == 13) bufAscii(b, "\\r");
    else if (c == 9) bufAscii(b, "\\t");
    else if (c == 11) bufAscii(b, "\\v");
    else if (c < 0x20 || c == 0x7f) hexByte(b, "\\x", c, 2);
    else if (c < 0xa0 || c == 0xad || (c >= 0x2028 && c <= 0x2029) || c == 0xfeff) hexByte(b, "\\u", c, 4);
    else bufBytes(b, q, sz);
    q += <usize>sz;
  }
  bufByte(b, 34);
}

/** writeRego appends the Rego text of v to buffer b (undefined as `<undefined>`). */
export function writeRego(b: usize, v: usize): void {
  switch (tagOf(v)) {
    case T_NULL:
      bufAscii(b, "null");
      return;
    case T_BOOLEAN:
      bufAscii(b, boolOf(v) ? "true" : "false");
      return;
    case T_NUMBER:
      writeNumber(b, v);
      return;
    case T_STRING:
      writeGoQuoted(b, strPtr(v), strLen(v));
      return;
    case T_ARRAY: {
      bufByte(b, 91);
      for (let i: u32 = 0; i < listLen(v); i++) {
        if (i > 0) bufAscii(b, ", ");
        writeRego(b, listGet(v, i));
      }
      bufByte(b, 93);
      return;
    }
    case T_SET: {
      if (listLen(v) == 0) {
        bufAscii(b, "set()");
        return;
      }
      bufByte(b, 123);
      for (let i: u32 = 0; i < listLen(v); i++) {
        if (i > 0) bufAscii(b, ", ");
        writeRego(b, listGet(v, i));
      }
      bufByte(b, 125);
      return;
    }
    case T_OBJECT: {
      bufByte(b, 123);
      for (let i: u32 = 0; i < objLen(v); i++) {
        if (i > 0) bufAscii(b, ", ");
        writeRego(b, objKeyAt(v, i));
        bufAscii(b, ": ");
        writeRego(b, objValAt(v, i));
      }
      bufByte(b, 125);
      return;
    }
  }
  bufAscii(b, "<undefined>");
}

/** bi_internal_print prints its operands (array of [] | [v]) space-separated via env.opa_println; returns true. */
export function bi_internal_print(args: usize): usize {
  if (args == 0) return 0;
  const b = bufNew(64);
  if (tagOf(args) == T_ARRAY || tagOf(args) == T_SET) {
    for (let i: u32 = 0; i < listLen(args); i++) {
      if (i > 0) bufByte(b, 32);
      const item = listGet(args, i);
      const t = tagOf(item);
      const v = (t == T_ARRAY || t == T_SET) && listLen(item) > 0 ? listGet(item, 0) : 0;
      if (tagOf(v) == T_STRING) bufBytes(b, strPtr(v), strLen(v));
      else writeRego(b, v);
    }
  }
  hostPrintln(bufToCString(b));
  return boolValue(true);
}
