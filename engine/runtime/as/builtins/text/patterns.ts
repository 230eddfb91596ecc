// Pattern builtins of the text family: regex.is_valid (the runtime's RE2 parser, regex-parse.ts)
// and glob.quote_meta (escapes the glob metacharacters * ? \ [ ] { }). Exports the bi_* functions.

import { T_STRING, boolValue, strLen, strPtr, tagOf } from "../../value";
import { bufByte, bufNew, bufToString } from "../../buf";
import { operandError } from "../errors";
import { reParse } from "../regex-parse";
import { reCompile } from "../regex-vm";

/** bi_regex_is_valid tells whether a value is a string holding a valid RE2 pattern (false for non-strings). */
export function bi_regex_is_valid(pattern: usize): usize {
  if (pattern == 0) return 0;
  if (tagOf(pattern) != T_STRING) return boolValue(false);
  const root = reParse(strPtr(pattern), strLen(pattern));
  return boolValue(root != 0 && reCompile(root));
}

/** bi_glob_quote_meta backslash-escapes the glob metacharacters of a string. */
export function bi_glob_quote_meta(s: usize): usize {
  if (s == 0) return 0;
  if (tagOf(s) != T_STRING) return operandError("glob.quote_meta", 1, "string", s);
  const p = strPtr(s);
  const n = strLen(s);
  const b = bufNew(n + 8);
  for (let i: u32 = 0; i < n; i++) {
    const c = <u32>load<u8>(p + <usize>i);
    if (c == 42 || c == 63 || c == 92 || c == 91 || c == 93 || c == 123 || c == 125) bufByte(b, 92);
    bufByte(b, c);
  }
  return bufToString(b);
}
