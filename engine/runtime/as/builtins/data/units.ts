// Unit parsing builtins of the "data" family: units.parse (SI and binary prefixes, m = milli,
// M = mega, other prefixes case-insensitive) and units.parse_bytes (case-insensitive byte units,
// rounded to an integer). Double quotes are dropped; the amount may be a decimal with an exponent
// ("1.5", ".5", "4.5e1"); arithmetic is exact (decimal.ts), so large values stay exact.
// Exports: bi_units_parse, bi_units_parse_bytes.

import { T_STRING, strLen, strPtr, tagOf } from "../../value";
import { bufAscii, bufByte, bufBytes, bufLen, bufNew, bufPtr } from "../../buf";
import { builtinError, builtinErrorBuf, operandError } from "../errors";
import {
  decAdd, decDigits, decFromText, decLen, decMul, decScale, decToNumber,
} from "../decimal";

/** cleaned copies the string without double quotes into a new buffer; 0 if it holds a space. */
function cleaned(s: usize, lowerCase: bool): usize {
  const p = strPtr(s);
  const n = strLen(s);
  const b = bufNew(n);
  for (let i: u32 = 0; i < n; i++) {
    let c = <u32>load<u8>(p + <usize>i);
    if (c == 34) continue;
    if (c == 32) return 0;
    if (lowerCase && c >= 65 && c <= 90) c += 32;
    bufByte(b, c);
  }
  return b;
}

function isDigit(c: u32): bool {
  return c >= 48 && c <= 57;
}

/** amountEnd returns the length of the numeric prefix (digits, '.', and e/E followed by a digit or sign). */
function amountEnd(p: usize, n: u32): u32 {
  let i: u32 = 0;
  while (i < n) {
    const c = <u32>load<u8>(p + <usize>i);
    if (isDigit(c) || c == 46) {
      i++;
      continue;
    }
    if ((c == 101 || c == 69) && i + 1 < n) {
      const d = <u32>load<u8>(p + <usize>i + 1);
      if (isDigit(d) || d == 43 || d == 45) {
        i += 2;
        while (i < n && isDigit(<u32>load<u8>(p + <usize>i))) i++;
        break;
      }
    }
    break;
  }
  return i;
}

/** amountValid tells whether [p, p+n) is digits with at most one '.', at least one digit, then an optional exponent with digits. */
function amountValid(p: usize, n: u32): bool {
  let i: u32 = 0;
  let digits = 0;
  let dots = 0;
  while (i < n) {
    const c = <u32>load<u8>(p + <usize>i);
    if (isDigit(c)) digits++;
    else if (c == 46) dots++;
    else break;
    i++;
  }
  if (digits == 0 || dots > 1) return false;
  if (i == n) return true;
  i++; // e or E
  if (i < n && (load<u8>(p + <usize>i) == 43 || load<u8>(p + <usize>i) == 45)) i++;
  if (i == n) return false;
  while (i < n) {
    if (!isDigit(<u32>load<u8>(p + <usize>i))) return false;
    i++;
  }
  return true;
}

/** unitIs tells whether the n bytes at p equal the ASCII literal s. */
function unitIs(p: usize, n: u32, s: string): bool {
  if (<u32>s.length != n) return false;
  for (let i: u32 = 0; i < n; i++) if (<u32>load<u8>(p + <usize>i) != <u32>s.charCodeAt(i)) return false;
  return true;
}

/** multiplier text for a unit, or "" if unknown. bytes: lower-cased byte units; else SI units. */
function multiplier(p: usize, n: u32, bytes: bool): string {
  if (n == 0) return "1";
  if (!bytes) {
    if (unitIs(p, n, "m")) return "0.001";
    if (unitIs(p, n, "M")) return "1000000";
    // Other SI prefixes are case-insensitive: lower-case into a scratch copy.
    const b = bufNew(n);
    for (let i: u32 = 0; i < n; i++) {
      let c = <u32>load<u8>(p + <usize>i);
      if (c >= 65 && c <= 90) c += 32;
      bufByte(b, c);
    }
    const q = bufPtr(b);
    if (unitIs(q, n, "k")) return "1000";
    if (unitIs(q, n, "ki")) return "1024";
    if (unitIs(q, n, "mi")) return "1048576";
    if (unitIs(q, n, "g")) return "1000000000";
    if (unitIs(q, n, "gi")) return "1073741824";
    if (unitIs(q, n, "t")) return "1000000000000";
    if (unitIs(q, n, "ti")) return "1099511627776";
    if (unitIs(q, n, "p")) return "1000000000000000";
    if (unitIs(q, n, "pi")) return "1125899906842624";
    if (unitIs(q, n, "e")) return "1000000000000000000";
    if (unitIs(q, n, "ei")) return "1152921504606846976";
    return "";
  }
  if (unitIs(p, n, "k") || unitIs(p, n, "kb")) return "1000";
  if (unitIs(p, n, "ki") || unitIs(p, n, "kib")) return "1024";
  if (unitIs(p, n, "m") || unitIs(p, n, "mb")) return "1000000";
  if (unitIs(p, n, "mi") || unitIs(p, n, "mib")) return "1048576";
  if (unitIs(p, n, "g") || unitIs(p, n, "gb")) return "1000000000";
  if (unitIs(p, n, "gi") || unitIs(p, n, "gib")) return "1073741824";
  if (unitIs(p, n, "t") || unitIs(p, n, "tb")) return "1000000000000";
  if (unitIs(p, n, "ti") || unitIs(p, n, "tib")) return "1099511627776";
  if (unitIs(p, n, "p") || unitIs(p, n, "pb")) return "1000000000000000";
  if (unitIs(p, n, "pi") || unitIs(p, n, "pib")) return "1125899906842624";
  if (unitIs(p, n, "e") || unitIs(p, n, "eb")) return "1000000000000000000";
  if (unitIs(p, n, "ei") || unitIs(p, n, "eib")) return "1152921504606846976";
  return "";
}

function decOf(s: string): usize {
  const b = bufNew(<u32>s.length);
  bufAscii(b, s);
  return decFromText(bufPtr(b), bufLen(b));
}

/** parseUnits implements both builtins; returns a NUMBER or 0 after reporting an error. */
function parseUnits(fn: string, s: usize, bytes: bool): usize {
  if (s == 0) return 0;
  if (tagOf(s) != T_STRING) return operandError(fn, 1, "string", s);
  const b = cleaned(s, bytes);
  if (b == 0) {
    const m = bufNew(64);
    bufAscii(m, fn);
    bufAscii(m, ": spaces not allowed in resource strings");
    return builtinErrorBuf("eval_builtin_error", m);
  }
  const p = bufPtr(b);
  const n = bufLen(b);
  const k = amountEnd(p, n);
  if (k == 0) {
    const m = bufNew(64);
    bufAscii(m, fn);
    bufAscii(m, bytes ? ": no byte amount provided" : ": no amount provided");
    return builtinErrorBuf("eval_builtin_error", m);
  }
  const amount = amountValid(p, k) ? decFromText(p, k) : 0;
  if (amount == 0) {
    const m = bufNew(64);
    bufAscii(m, fn);
    bufAscii(m, bytes ? ": could not parse byte amount to a number" : ": could not parse amount to a number");
    return builtinErrorBuf("eval_builtin_error", m);
  }
  const mul = multiplier(p + <usize>k, n - k, bytes);
  if (mul.length == 0) {
    const m = bufNew(64);
    bufAscii(m, fn);
    bufAscii(m, bytes ? ": byte unit " : ": unit ");
    bufBytes(m, p + <usize>k, n - k);
    bufAscii(m, " not recognized");
    return builtinErrorBuf("eval_builtin_error", m);
  }
  let d = decMul(amount, decOf(mul));
  if (!bytes) return decToNumber(d);
  // Round half up to an integer: add 0.5, then drop the fraction (the amount is non-negative).
  d = decAdd(d, decOf("0.5"));
  const len = decLen(d);
  const scale = decScale(d);
  const intLen = <i32>len - scale;
  const out = bufNew(32);
  if (intLen <= 0) {
    bufByte(out, 48);
  } else {
    const digits = decDigits(d);
    for (let i: i32 = 0; i < intLen; i++) bufByte(out, 48 + <u32>load<u8>(digits + <usize>i));
  }
  const r = decFromText(bufPtr(out), bufLen(out));
  return r == 0 ? builtinError("eval_builtin_error", "units.parse_bytes: could not parse byte amount to a number") : decToNumber(r);
}

/** bi_units_parse converts an amount with an optional SI or binary unit ("1.5K", "10Mi", "100m") to a number. */
export function bi_units_parse(s: usize): usize {
  return parseUnits("units.parse", s, false);
}

/** bi_units_parse_bytes converts an amount with an optional byte unit ("10KB", "3GiB") to an integer number of bytes. */
export function bi_units_parse_bytes(s: usize): usize {
  return parseUnits("units.parse_bytes", s, true);
}
