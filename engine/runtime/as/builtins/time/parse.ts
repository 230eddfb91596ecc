// Time parsing builtins of the "time" family: time.parse_rfc3339_ns (RFC 3339 with optional
// fractional seconds, "Z" or a ±hh:mm offset; nanoseconds since the epoch within the int64 range)
// and time.parse_duration_ns (Go duration syntax: optionally signed sequence of decimal numbers
// with units ns, us, µs, μs, ms, s, m, h). Exports: the bi_time_parse_* functions.

import { T_STRING, strLen, strPtr, tagOf } from "../../value";
import { bufAscii, bufBytes, bufNew } from "../../buf";
import { builtinErrorBuf, operandError } from "../errors";
import { intNumber } from "../data/numbers";
import { daysFromCivil, daysIn } from "./calendar";

function digitsAt(p: usize, n: u32, i: u32, count: u32): i32 {
  if (i + count > n) return -1;
  let v: i32 = 0;
  for (let k: u32 = 0; k < count; k++) {
    const c = <u32>load<u8>(p + <usize>(i + k));
    if (c < 48 || c > 57) return -1;
    v = v * 10 + <i32>(c - 48);
  }
  return v;
}

function timeError(fn: string, s: usize, tail: string): usize {
  const m = bufNew(96 + strLen(s));
  bufAscii(m, fn);
  bufAscii(m, ": ");
  if (s != 0) {
    bufAscii(m, "parsing time \"");
    bufBytes(m, strPtr(s), strLen(s));
    bufAscii(m, "\" as \"2006-01-02T15:04:05Z07:00\": ");
  }
  bufAscii(m, tail);
  return builtinErrorBuf("eval_builtin_error", m);
}

/** bi_time_parse_rfc3339_ns parses an RFC 3339 timestamp to nanoseconds since the Unix epoch. */
export function bi_time_parse_rfc3339_ns(s: usize): usize {
  const fn = "time.parse_rfc3339_ns";
  if (s == 0) return 0;
  if (tagOf(s) != T_STRING) return operandError(fn, 1, "string", s);
  const p = strPtr(s);
  const n = strLen(s);
  const year = digitsAt(p, n, 0, 4);
  const month = digitsAt(p, n, 5, 2);
  const day = digitsAt(p, n, 8, 2);
  const hour = digitsAt(p, n, 11, 2);
  const min = digitsAt(p, n, 14, 2);
  const sec = digitsAt(p, n, 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || min < 0 || sec < 0 || n < 20 ||
    load<u8>(p + 4) != 45 || load<u8>(p + 7) != 45 || load<u8>(p + 10) != 84 ||
    load<u8>(p + 13) != 58 || load<u8>(p + 16) != 58) {
    return timeError(fn, s, "cannot parse");
  }
  if (month < 1 || month > 12) return timeError(fn, s, "month out of range");
  if (day < 1 || day > daysIn(year, month)) return timeError(fn, s, "day out of range");
  if (hour > 23) return timeError(fn, s, "hour out of range");
  if (min > 59) return timeError(fn, s, "minute out of range");
  if (sec > 59) return timeError(fn, s, "second out of range");
  let i: u32 = 19;
  let frac: i64 = 0;
  if (i < n && (load<u8>(p + <usize>i) == 46 || load<u8>(p + <usize>i) == 44)) {
    i++;
    const start = i;
    let scale: i64 = 100000000;
    while (i < n && load<u8>(p + <usize>i) >= 48 && load<u8>(p + <usize>i) <= 57) {
      frac += <i64>(load<u8>(p + <usize>i) - 48) * scale;
      scale /= 10;
      i++;
    }
    if (i == start || i - start > 9) return timeError(fn, s, "cannot parse");
  }
  let offset: i64 = 0;
  if (i < n && load<u8>(p + <usize>i) == 90) {
    i++;
  } else if (i < n && (load<u8>(p + <usize>i) == 43 || load<u8>(p + <usize>i) == 45)) {
    const neg = load<u8>(p + <usize>i) == 45;
    const oh = digitsAt(p, n, i + 1, 2);
    const om = digitsAt(p, n, i + 4, 2);
    if (oh < 0 || om < 0 || load<u8>(p + <usize>(i + 3)) != 58) return timeError(fn, s, "cannot parse");
    if (oh > 23 || om > 59) return timeError(fn, s, "time zone offset out of range");
    offset = <i64>(oh * 3600 + om * 60);
    if (neg) offset = -offset;
    i += 6;
  } else {
    return timeError(fn, s, "cannot parse");
  }
  if (i != n) return timeError(fn, s, "extra text");
  const secs = daysFromCivil(year, month, day) * 86400 + <i64>(hour * 3600 + min * 60 + sec) - offset;
  // int64 nanoseconds: [-9223372036.854775808 s, 9223372036.854775807 s].
  if (secs > 9223372036 || (secs == 9223372036 && frac > 854775807) ||
    secs < -9223372037 || (secs == -9223372037 && frac < 145224192)) {
    return timeError(fn, 0, "time outside of valid range");
  }
  const ns = secs < 0 ? (secs + 1) * 1000000000 - (1000000000 - frac) : secs * 1000000000 + frac;
  return intNumber(ns);
}

function durationError(s: usize, what: string): usize {
  const m = bufNew(64 + strLen(s));
  bufAscii(m, "time.parse_duration_ns: time: ");
  bufAscii(m, what);
  bufAscii(m, " \"");
  bufBytes(m, strPtr(s), strLen(s));
  bufAscii(m, "\"");
  return builtinErrorBuf("eval_builtin_error", m);
}

/** unitNs returns the nanoseconds of a duration unit at [p, p+n), or 0 if unknown. */
function unitNs(p: usize, n: u32): i64 {
  const c0 = n > 0 ? <u32>load<u8>(p) : 0;
  const c1 = n > 1 ? <u32>load<u8>(p + 1) : 0;
  if (n == 1) {
    if (c0 == 115) return 1000000000;
    if (c0 == 109) return 60000000000;
    if (c0 == 104) return 3600000000000;
    return 0;
  }
  if (n == 2) {
    if (c1 != 115) return 0;
    if (c0 == 110) return 1;
    if (c0 == 117) return 1000;
    if (c0 == 109) return 1000000;
    return 0;
  }
  // µs (U+00B5) and μs (U+03BC) in UTF-8.
  if (n == 3 && load<u8>(p + 2) == 115) {
    if ((c0 == 0xc2 && c1 == 0xb5) || (c0 == 0xce && c1 == 0xbc)) return 1000;
  }
  return 0;
}

/** bi_time_parse_duration_ns parses a Go duration string ("1h30m", "-1.5s") to nanoseconds. */
export function bi_time_parse_duration_ns(s: usize): usize {
  if (s == 0) return 0;
  if (tagOf(s) != T_STRING) return operandError("time.parse_duration_ns", 1, "string", s);
  const p = strPtr(s);
  const n = strLen(s);
  let i: u32 = 0;
  let neg = false;
  if (i < n && (load<u8>(p) == 45 || load<u8>(p) == 43)) {
    neg = load<u8>(p) == 45;
    i++;
  }
  if (n - i == 1 && load<u8>(p + <usize>i) == 48) return intNumber(0);
  if (i == n) return durationError(s, "invalid duration");
  let total: f64 = 0;
  let exact: i64 = 0;
  while (i < n) {
    const start = i;
    let whole: i64 = 0;
    let wholeOverflow = false;
    while (i < n && load<u8>(p + <usize>i) >= 48 && load<u8>(p + <usize>i) <= 57) {
      if (whole > 922337203685477580) wholeOverflow = true;
      whole = whole * 10 + <i64>(load<u8>(p + <usize>i) - 48);
      i++;
    }
    const pre = i != start;
    let fracNum: i64 = 0;
    let fracDen: i64 = 1;
    let post = false;
    if (i < n && load<u8>(p + <usize>i) == 46) {
      i++;
      const fs = i;
      while (i < n && load<u8>(p + <usize>i) >= 48 && load<u8>(p + <usize>i) <= 57) {
        if (fracDen < 1000000000000000000) {
          fracNum = fracNum * 10 + <i64>(load<u8>(p + <usize>i) - 48);
          fracDen *= 10;
        }
        i++;
      }
      post = i != fs;
    }
    if (!pre && !post) return durationError(s, "invalid duration");
    const us = i;
    while (i < n && load<u8>(p + <usize>i) != 46 && !(load<u8>(p + <usize>i) >= 48 && load<u8>(p + <usize>i) <= 57)) i++;
    if (us == i) {
      const m = bufNew(64 + n);
      bufAscii(m, "time.parse_duration_ns: time: missing unit in duration \"");
      bufBytes(m, p, n);
      bufAscii(m, "\"");
      return builtinErrorBuf("eval_builtin_error", m);
    }
    const unit = unitNs(p + <usize>us, i - us);
    if (unit == 0) {
      const m = bufNew(64 + n);
      bufAscii(m, "time.parse_duration_ns: time: unknown unit \"");
      bufBytes(m, p + <usize>us, i - us);
      bufAscii(m, "\" in duration \"");
      bufBytes(m, p, n);
      bufAscii(m, "\"");
      return builtinErrorBuf("eval_builtin_error", m);
    }
    if (wholeOverflow || <f64>whole * <f64>unit > 9223372036854775807.0) return durationError(s, "invalid duration");
    const part = whole * unit + <i64>(<f64>fracNum * (<f64>unit / <f64>fracDen));
    total += <f64>part;
    exact += part;
    if (total > 9223372036854775807.0) return durationError(s, "invalid duration");
  }
  return intNumber(neg ? -exact : exact);
}
