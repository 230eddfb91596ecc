// JSON builtins: json.marshal (Go's encoding/json output: sets as arrays, '<' '>' '&' U+2028
// U+2029 escaped), json.unmarshal, json.is_valid (false for non-strings, as OPA). Exports the bi_* functions.

import { T_STRING, boolValue, strLen, strPtr, tagOf } from "../../value";
import { bufAscii, bufByte, bufLen, bufNew, bufPtr, bufToString } from "../../buf";
import { dumpJSON } from "../../json-dump";
import { parseJSON } from "../../json-parse";
import { operandError } from "../errors";
import { genericError } from "./common";

/** bi_json_marshal serialises a value to JSON text as Go's json.Marshal does. */
export function bi_json_marshal(v: usize): usize {
  if (v == 0) return 0;
  const raw = bufNew(64);
  dumpJSON(raw, v);
  const p = bufPtr(raw);
  const n = bufLen(raw);
  const b = bufNew(n + 8);
  // '<', '>', '&' and the E2 80 A8/A9 sequences only occur inside strings in JSON text
  for (let i: u32 = 0; i < n; i++) {
    const c = <u32>load<u8>(p + <usize>i);
    if (c == 60) { bufAscii(b, "\\u003c"); continue; }
    if (c == 62) { bufAscii(b, "\\u003e"); continue; }
    if (c == 38) { bufAscii(b, "\\u0026"); continue; }
    if (c == 0xe2 && i + 2 < n && load<u8>(p + <usize>i + 1) == 0x80) {
      const d = <u32>load<u8>(p + <usize>i + 2);
      if (d == 0xa8 || d == 0xa9) {
        bufAscii(b, d == 0xa8 ? "\\u2028" : "\\u2029");
        i += 2;
        continue;
      }
    }
    bufByte(b, c);
  }
  return bufToString(b);
}

/** bi_json_unmarshal parses JSON text into a value; invalid text is a builtin error. */
export function bi_json_unmarshal(s: usize): usize {
  if (s == 0) return 0;
  if (tagOf(s) != T_STRING) return operandError("json.unmarshal", 1, "string", s);
  const v = parseJSON(strPtr(s), strLen(s));
  if (v == 0) return genericError("json.unmarshal", "invalid JSON");
  return v;
}

/** bi_json_is_valid tells whether a value is a string holding valid JSON (false for non-strings). */
export function bi_json_is_valid(s: usize): usize {
  if (s == 0) return 0;
  if (tagOf(s) != T_STRING) return boolValue(false);
  return boolValue(parseJSON(strPtr(s), strLen(s)) != 0);
}
