// json.marshal_with_options (issue 5): json.marshal's text (Go json.Marshal escaping), indented
// as Go's json.MarshalIndent when pretty printing: every element on its own line starting with
// the prefix and one indent per nesting level, ": " after keys, empty arrays/objects kept as
// "[]"/"{}"; the first line is prefixed too, as OPA does. Options: "pretty" (boolean), "prefix"
// and "indent" (strings, default "" and "\t"); giving prefix or indent implies pretty unless
// "pretty" is set explicitly; other keys are errors, worded as OPA's. Exports: bi_json_marshal_with_options.

import { T_BOOLEAN, T_OBJECT, T_STRING, boolOf, objKeyAt, objLen, objValAt, strLen, strPtr, tagOf } from "../../value";
import { bufAscii, bufByte, bufBytes, bufNew, bufToString } from "../../buf";
import { builtinErrorBuf, operandError, writeTypeName } from "../errors";
import { bi_json_marshal } from "../text/json";

const FN = "json.marshal_with_options";

function keyIs(k: usize, name: string): bool {
  if (tagOf(k) != T_STRING || strLen(k) != <u32>name.length) return false;
  for (let i = 0; i < name.length; i++) if (<u32>load<u8>(strPtr(k) + <usize>i) != <u32>name.charCodeAt(i)) return false;
  return true;
}

function newline(b: usize, prefix: usize, indent: usize, depth: i32): void {
  bufByte(b, 10);
  bufBytes(b, strPtr(prefix), strLen(prefix));
  for (let i = 0; i < depth; i++) bufBytes(b, strPtr(indent), strLen(indent));
}

/**
 * optionError reports a bad option as OPA words it: a non-string key ("failed to stringify key"),
 * a prefix/indent that is not a string ("key prefix failed cast to string: operand <i> must be
 * string but got <type>", i being the option's index) or a non-boolean pretty.
 */
function optionError(i: u32, got: usize, key: string, want: string): usize {
  const m = bufNew(128);
  bufAscii(m, "json.marshal_with_options: operand 2 ");
  if (key.length == 0 || want == "string") {
    if (key.length == 0) {
      bufAscii(m, "failed to stringify key ");
      const text = bi_json_marshal(got);
      if (text != 0) bufBytes(m, strPtr(text), strLen(text));
      bufAscii(m, " at index ");
      bufDecimal(m, i);
      bufAscii(m, ": operand ");
    } else {
      bufAscii(m, "key ");
      bufAscii(m, key);
      bufAscii(m, " failed cast to string: operand ");
    }
    bufDecimal(m, i);
    bufAscii(m, " must be string but got ");
    writeTypeName(m, got);
  } else {
    bufAscii(m, "key ");
    bufAscii(m, key);
    bufAscii(m, " failed cast to bool");
  }
  return builtinErrorBuf("eval_type_error", m);
}

function bufDecimal(b: usize, v: u32): void {
  if (v >= 10) bufDecimal(b, v / 10);
  bufByte(b, 48 + v % 10);
}

/** bi_json_marshal_with_options serialises v to JSON text, pretty-printed per opts. */
export function bi_json_marshal_with_options(v: usize, opts: usize): usize {
  if (v == 0 || opts == 0) return 0;
  if (tagOf(opts) != T_OBJECT) return operandError(FN, 2, "object", opts);
  let prefix: usize = 0;
  let indent: usize = 0;
  let implicit = false;
  let explicit = false;
  let pretty = false;
  for (let i: u32 = 0; i < objLen(opts); i++) {
    const k = objKeyAt(opts, i);
    const val = objValAt(opts, i);
    if (tagOf(k) != T_STRING) return optionError(i, k, "", "");
    if (keyIs(k, "prefix") || keyIs(k, "indent")) {
      if (tagOf(val) != T_STRING) return optionError(i, val, keyIs(k, "prefix") ? "prefix" : "indent", "string");
      if (keyIs(k, "prefix")) prefix = val;
      else indent = val;
      implicit = true;
    } else if (keyIs(k, "pretty")) {
      if (tagOf(val) != T_BOOLEAN) return optionError(i, val, "pretty", "bool");
      explicit = true;
      pretty = boolOf(val);
    } else {
      const m = bufNew(64 + strLen(k));
      bufAscii(m, "json.marshal_with_options: operand 2 object contained unknown key ");
      bufBytes(m, strPtr(k), strLen(k));
      return builtinErrorBuf("eval_type_error", m);
    }
  }
  if (!explicit) pretty = implicit;
  const compact = bi_json_marshal(v);
  if (!pretty || compact == 0) return compact;
  const tab = bufNew(1);
  bufByte(tab, 9);
  const ind = indent != 0 ? indent : bufToString(tab);
  const pre = prefix != 0 ? prefix : bufToString(bufNew(0));
  const p = strPtr(compact);
  const n = strLen(compact);
  const b = bufNew(n * 2 + 16);
  bufBytes(b, strPtr(pre), strLen(pre));
  let depth: i32 = 0;
  let inString = false;
  for (let i: u32 = 0; i < n; i++) {
    const c = <u32>load<u8>(p + <usize>i);
    if (inString) {
      bufByte(b, c);
      if (c == 92 && i + 1 < n) { i++; bufByte(b, <u32>load<u8>(p + <usize>i)); }
      else if (c == 34) inString = false;
      continue;
    }
    if (c == 34) { inString = true; bufByte(b, c); continue; }
    if (c == 123 || c == 91) {
      bufByte(b, c);
      const next = i + 1 < n ? <u32>load<u8>(p + <usize>i + 1) : 0;
      if (next == 125 || next == 93) { bufByte(b, next); i++; continue; }
      depth++;
      newline(b, pre, ind, depth);
      continue;
    }
    if (c == 125 || c == 93) {
      depth--;
      newline(b, pre, ind, depth);
      bufByte(b, c);
      continue;
    }
    if (c == 44) { bufByte(b, c); newline(b, pre, ind, depth); continue; }
    if (c == 58) { bufByte(b, c); bufByte(b, 32); continue; }
    bufByte(b, c);
  }
  return bufToString(b);
}
