// Value -> JSON text appended to a growable buffer (buf.ts). Objects come out in key order (the
// sorted Rego order they are stored in), sets as arrays in sorted order, non-string object keys
// as JSON strings holding the key's JSON text ({1: 2} -> {"1":2}), undefined as null.
// Exports: dumpJSON(b, v), dumpString(b, ptr, len), dumpCString(v) (NUL-terminated address).

import {
  T_ARRAY, T_BOOLEAN, T_NULL, T_NUMBER, T_OBJECT, T_SET, T_STRING,
  boolOf, listGet, listLen, objKeyAt, objLen, objValAt, strLen, strPtr, tagOf,
} from "./value";
import { bufAscii, bufByte, bufBytes, bufLen, bufNew, bufPtr, bufReserve, bufToCString } from "./buf";
import { writeNumber } from "./number-format";

const HEX: usize = memory.data<u8>([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102]);

/** dumpJSON appends the JSON text of v (0 dumps as null) to buffer b. */
export function dumpJSON(b: usize, v: usize): void {
  switch (tagOf(v)) {
    case T_NULL:
      bufAscii(b, "null");
      return;
    case T_BOOLEAN:
      if (boolOf(v)) bufAscii(b, "true");
      else bufAscii(b, "false");
      return;
    case T_NUMBER:
      writeNumber(b, v);
      return;
    case T_STRING:
      dumpString(b, strPtr(v), strLen(v));
      return;
    case T_ARRAY:
    case T_SET: {
      bufByte(b, 91);
      const n = listLen(v);
      for (let i: u32 = 0; i < n; i++) {
        if (i > 0) bufByte(b, 44);
        dumpJSON(b, listGet(v, i));
      }
      bufByte(b, 93);
      return;
    }
    case T_OBJECT: {
      bufByte(b, 123);
      const n = objLen(v);
      for (let i: u32 = 0; i < n; i++) {
        if (i > 0) bufByte(b, 44);
        const k = objKeyAt(v, i);
        if (tagOf(k) == T_STRING) {
          dumpString(b, strPtr(k), strLen(k));
        } else {
          const kb = bufNew(32);
          dumpJSON(kb, k);
          dumpString(b, bufPtr(kb), bufLen(kb));
        }
        bufByte(b, 58);
        dumpJSON(b, objValAt(v, i));
      }
      bufByte(b, 125);
      return;
    }
  }
  bufAscii(b, "null");
}

/** dumpString appends bytes as a quoted JSON string, escaping '"', '\' and control characters. */
export function dumpString(b: usize, p: usize, n: u32): void {
  bufReserve(b, n + 2);
  bufByte(b, 34);
  let run = p;
  const stop = p + <usize>n;
  for (let q = p; q < stop; q++) {
    const c = <u32>load<u8>(q);
    if (c >= 32 && c != 34 && c != 92) continue;
    bufBytes(b, run, <u32>(q - run));
    run = q + 1;
    bufByte(b, 92);
    switch (c) {
      case 34: bufByte(b, 34); break;
      case 92: bufByte(b, 92); break;
      case 8: bufByte(b, 98); break;
      case 12: bufByte(b, 102); break;
      case 10: bufByte(b, 110); break;
      case 13: bufByte(b, 114); break;
      case 9: bufByte(b, 116); break;
      default:
        bufAscii(b, "u00");
        bufByte(b, <u32>load<u8>(HEX + <usize>(c >> 4)));
        bufByte(b, <u32>load<u8>(HEX + <usize>(c & 15)));
    }
  }
  bufBytes(b, run, <u32>(stop - run));
  bufByte(b, 34);
}

/** dumpCString returns the address of v's JSON text, NUL-terminated, in fresh memory. */
export function dumpCString(v: usize): usize {
  const b = bufNew(64);
  dumpJSON(b, v);
  return bufToCString(b);
}
