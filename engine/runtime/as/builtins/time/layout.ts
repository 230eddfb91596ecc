// Go reference-time layouts ("2006-01-02T15:04:05Z07:00") for time.format (in any zone of the
// tzdata blob: offsets and abbreviations as Go prints them) and time.parse_ns: a tokenizer of layout elements as Go's time package defines them (Jan, January, 1,
// 01, Mon, Monday, 2, _2, 02, __2, 002, 15, 3, 03, 4, 04, 5, 05, 2006, 06, PM, pm, MST, Z07*,
// -07*, .000/.999 and ,000/,999), formatting, and parsing with Go's validation (ranges, day of
// month, am/pm, day of year). Exports: bi_time_format, bi_time_parse_ns.

import { T_ARRAY, T_NUMBER, T_STRING, listGet, listLen, newString, strLen, strPtr, tagOf } from "../../value";
import { bufAscii, bufByte, bufBytes, bufLen, bufNew, bufPtr, bufToString } from "../../buf";
import { builtinErrorBuf, operandError } from "../errors";
import { intNumber } from "../data/numbers";
import { civD, civM, civY, civil, daysFromCivil, daysIn, floorDiv, isLeap, layoutOut, nsArg, nsOut, outOfRange } from "./calendar";
import { weekdayName, weekdayOf } from "./fields";
import { typeAbbrLen, typeAbbrPtr, typeOffset, zoneOut, zoneType } from "./zones";

const S_NONE = 0, S_LONG_MONTH = 1, S_MONTH = 2, S_NUM_MONTH = 3, S_ZERO_MONTH = 4,
  S_LONG_WEEKDAY = 5, S_WEEKDAY = 6, S_DAY = 7, S_UNDER_DAY = 8, S_ZERO_DAY = 9,
  S_UNDER_YDAY = 10, S_ZERO_YDAY = 11, S_HOUR = 12, S_HOUR12 = 13, S_ZERO_HOUR12 = 14,
  S_MINUTE = 15, S_ZERO_MINUTE = 16, S_SECOND = 17, S_ZERO_SECOND = 18, S_LONG_YEAR = 19,
  S_YEAR = 20, S_PM_UPPER = 21, S_PM_LOWER = 22, S_TZ = 23,
  S_ISO_TZ = 24, S_ISO_SECONDS_TZ = 25, S_ISO_SHORT_TZ = 26, S_ISO_COLON_TZ = 27, S_ISO_COLON_SECONDS_TZ = 28,
  S_NUM_TZ = 29, S_NUM_SECONDS_TZ = 30, S_NUM_SHORT_TZ = 31, S_NUM_COLON_TZ = 32, S_NUM_COLON_SECONDS_TZ = 33,
  S_FRAC0 = 34, S_FRAC9 = 35;

// nextChunk() results: the literal before the element ends at chStart, the element is chStd and
// the rest of the layout starts at chEnd; fractional seconds carry chDigits and chSep.
// @ts-ignore: decorator
@lazy let chStart: u32 = 0;
// @ts-ignore: decorator
@lazy let chEnd: u32 = 0;
// @ts-ignore: decorator
@lazy let chStd: i32 = 0;
// @ts-ignore: decorator
@lazy let chDigits: u32 = 0;
// @ts-ignore: decorator
@lazy let chSep: u32 = 0;

function at(p: usize, n: u32, i: u32): u32 {
  return i < n ? <u32>load<u8>(p + <usize>i) : 0;
}

function hasAt(p: usize, n: u32, i: u32, s: string): bool {
  const k = <u32>s.length;
  if (i + k > n) return false;
  for (let j: u32 = 0; j < k; j++) {
    if (<u32>load<u8>(p + <usize>(i + j)) != <u32>s.charCodeAt(j)) return false;
  }
  return true;
}

function isDigitAt(p: usize, n: u32, i: u32): bool {
  const c = at(p, n, i);
  return c >= 48 && c <= 57;
}

function found(i: u32, std: i32, len: u32): bool {
  chStart = i;
  chStd = std;
  chEnd = i + len;
  return true;
}

/** nextChunk finds the first layout element at or after `from` (chStd S_NONE and chStart n if none). */
function nextChunk(p: usize, n: u32, from: u32): void {
  for (let i = from; i < n; i++) {
    if (matchAt(p, n, i)) return;
  }
  chStart = n;
  chEnd = n;
  chStd = S_NONE;
}

function matchAt(p: usize, n: u32, i: u32): bool {
  const c = at(p, n, i);
  switch (c) {
    case 74: // J
      if (hasAt(p, n, i, "Jan")) {
        if (hasAt(p, n, i, "January")) return found(i, S_LONG_MONTH, 7);
        if (!isLowerAt(p, n, i + 3)) return found(i, S_MONTH, 3);
      }
      break;
    case 77: // M
      if (hasAt(p, n, i, "Mon")) {
        if (hasAt(p, n, i, "Monday")) return found(i, S_LONG_WEEKDAY, 6);
        if (!isLowerAt(p, n, i + 3)) return found(i, S_WEEKDAY, 3);
      }
      if (hasAt(p, n, i, "MST")) return found(i, S_TZ, 3);
      break;
    case 48: { // 0
      const d = at(p, n, i + 1);
      if (d >= 49 && d <= 54) {
        const std = d == 49 ? S_ZERO_MONTH : d == 50 ? S_ZERO_DAY : d == 51 ? S_ZERO_HOUR12
          : d == 52 ? S_ZERO_MINUTE : d == 53 ? S_ZERO_SECOND : S_YEAR;
        return found(i, std, 2);
      }
      if (d == 48 && at(p, n, i + 2) == 50) return found(i, S_ZERO_YDAY, 3);
      break;
    }
    case 49: // 1
      if (at(p, n, i + 1) == 53) return found(i, S_HOUR, 2);
      return found(i, S_NUM_MONTH, 1);
    case 50: // 2
      if (hasAt(p, n, i, "2006")) return found(i, S_LONG_YEAR, 4);
      return found(i, S_DAY, 1);
    case 95: // _
      if (at(p, n, i + 1) == 50) {
        // "_2006" is a literal "_" followed by the long year.
        if (hasAt(p, n, i + 1, "2006")) return found(i + 1, S_LONG_YEAR, 4);
        return found(i, S_UNDER_DAY, 2);
      }
      if (at(p, n, i + 1) == 95 && at(p, n, i + 2) == 50) return found(i, S_UNDER_YDAY, 3);
      break;
    case 51: return found(i, S_HOUR12, 1);
    case 52: return found(i, S_MINUTE, 1);
    case 53: return found(i, S_SECOND, 1);
    case 80: // P
      if (at(p, n, i + 1) == 77) return found(i, S_PM_UPPER, 2);
      break;
    case 112: // p
      if (at(p, n, i + 1) == 109) return found(i, S_PM_LOWER, 2);
      break;
    case 45: // -
      if (hasAt(p, n, i, "-07:00:00")) return found(i, S_NUM_COLON_SECONDS_TZ, 9);
      if (hasAt(p, n, i, "-070000")) return found(i, S_NUM_SECONDS_TZ, 7);
      if (hasAt(p, n, i, "-07:00")) return found(i, S_NUM_COLON_TZ, 6);
      if (hasAt(p, n, i, "-0700")) return found(i, S_NUM_TZ, 5);
      if (hasAt(p, n, i, "-07")) return found(i, S_NUM_SHORT_TZ, 3);
      break;
    case 90: // Z
      if (hasAt(p, n, i, "Z07:00:00")) return found(i, S_ISO_COLON_SECONDS_TZ, 9);
      if (hasAt(p, n, i, "Z070000")) return found(i, S_ISO_SECONDS_TZ, 7);
      if (hasAt(p, n, i, "Z07:00")) return found(i, S_ISO_COLON_TZ, 6);
      if (hasAt(p, n, i, "Z0700")) return found(i, S_ISO_TZ, 5);
      if (hasAt(p, n, i, "Z07")) return found(i, S_ISO_SHORT_TZ, 3);
      break;
    case 46: // . or ,
    case 44: {
      const d = at(p, n, i + 1);
      if (d == 48 || d == 57) {
        let j = i + 1;
        while (j < n && at(p, n, j) == d) j++;
        if (!isDigitAt(p, n, j)) {
          chDigits = j - (i + 1);
          chSep = c;
          return found(i, d == 48 ? S_FRAC0 : S_FRAC9, j - i);
        }
      }
      break;
    }
  }
  return false;
}

function isLowerAt(p: usize, n: u32, i: u32): bool {
  const c = at(p, n, i);
  return c >= 97 && c <= 122;
}

function monthName(m: i64): string {
  switch (<i32>m) {
    case 1: return "January";
    case 2: return "February";
    case 3: return "March";
    case 4: return "April";
    case 5: return "May";
    case 6: return "June";
    case 7: return "July";
    case 8: return "August";
    case 9: return "September";
    case 10: return "October";
    case 11: return "November";
  }
  return "December";
}

function bufShort(b: usize, s: string): void {
  for (let i = 0; i < 3; i++) bufByte(b, <u32>s.charCodeAt(i));
}

/** bufPad appends v in decimal, left-padded with `pad` to `width` characters. */
function bufPad(b: usize, v: i64, width: i32, pad: u32): void {
  if (v < 0) {
    bufByte(b, 45);
    v = -v;
  }
  let digits = 1;
  for (let t = v; t >= 10; t /= 10) digits++;
  for (let i = digits; i < width; i++) bufByte(b, pad);
  let div: i64 = 1;
  for (let i = 1; i < digits; i++) div *= 10;
  for (; div > 0; div /= 10) bufByte(b, 48 + <u32>((v / div) % 10));
}

/**
 * bufOffset appends a UTC offset as Go formats zone elements: sign and hours, then minutes unless
 * short, seconds for the *SECONDS* forms, colons for the *COLON* forms. The sign comes from the
 * whole minutes (Go's quirk: -30 s prints as +00:00).
 */
function bufOffset(b: usize, offset: i64, std: i32): void {
  let zone = offset / 60;
  let abs = offset;
  if (zone < 0) {
    bufByte(b, 45);
    zone = -zone;
    abs = -abs;
  } else {
    bufByte(b, 43);
  }
  const colon = std == S_ISO_COLON_TZ || std == S_NUM_COLON_TZ || std == S_ISO_COLON_SECONDS_TZ || std == S_NUM_COLON_SECONDS_TZ;
  bufPad(b, zone / 60, 2, 48);
  if (colon) bufByte(b, 58);
  if (std != S_NUM_SHORT_TZ && std != S_ISO_SHORT_TZ) bufPad(b, zone % 60, 2, 48);
  if (std == S_ISO_SECONDS_TZ || std == S_NUM_SECONDS_TZ || std == S_ISO_COLON_SECONDS_TZ || std == S_NUM_COLON_SECONDS_TZ) {
    if (colon) bufByte(b, 58);
    bufPad(b, abs % 60, 2, 48);
  }
}

/** formatTime appends nanoseconds-since-epoch t, in zone z (0: UTC), formatted by the layout at [lp, lp+ln). */
function formatTime(b: usize, t: i64, z: usize, lp: usize, ln: u32): void {
  const utcSecs = floorDiv(t, 1000000000);
  const nsec = t - utcSecs * 1000000000;
  const type = zoneType(z, utcSecs);
  const offset = typeOffset(type);
  const secs = utcSecs + offset;
  const days = floorDiv(secs, 86400);
  const sod = secs - days * 86400;
  civil(days);
  const year = civY;
  const month = civM;
  const day = civD;
  const hour = sod / 3600;
  const min = (sod % 3600) / 60;
  const sec = sod % 60;
  const wd = weekdayOf(days);
  const yday = days - daysFromCivil(year, 1, 1) + 1;
  let i: u32 = 0;
  while (i < ln) {
    nextChunk(lp, ln, i);
    bufBytes(b, lp + <usize>i, chStart - i);
    i = chEnd;
    switch (chStd) {
      case S_NONE: break;
      case S_LONG_MONTH: bufAscii(b, monthName(month)); break;
      case S_MONTH: bufShort(b, monthName(month)); break;
      case S_NUM_MONTH: bufPad(b, month, 1, 48); break;
      case S_ZERO_MONTH: bufPad(b, month, 2, 48); break;
      case S_LONG_WEEKDAY: bufAscii(b, weekdayName(wd)); break;
      case S_WEEKDAY: bufShort(b, weekdayName(wd)); break;
      case S_DAY: bufPad(b, day, 1, 48); break;
      case S_UNDER_DAY: bufPad(b, day, 2, 32); break;
      case S_ZERO_DAY: bufPad(b, day, 2, 48); break;
      case S_UNDER_YDAY: bufPad(b, yday, 3, 32); break;
      case S_ZERO_YDAY: bufPad(b, yday, 3, 48); break;
      case S_HOUR: bufPad(b, hour, 2, 48); break;
      case S_HOUR12: bufPad(b, hour % 12 == 0 ? 12 : hour % 12, 1, 48); break;
      case S_ZERO_HOUR12: bufPad(b, hour % 12 == 0 ? 12 : hour % 12, 2, 48); break;
      case S_MINUTE: bufPad(b, min, 1, 48); break;
      case S_ZERO_MINUTE: bufPad(b, min, 2, 48); break;
      case S_SECOND: bufPad(b, sec, 1, 48); break;
      case S_ZERO_SECOND: bufPad(b, sec, 2, 48); break;
      case S_LONG_YEAR: bufPad(b, year, 4, 48); break;
      case S_YEAR: bufPad(b, year % 100, 2, 48); break;
      case S_PM_UPPER: bufAscii(b, hour >= 12 ? "PM" : "AM"); break;
      case S_PM_LOWER: bufAscii(b, hour >= 12 ? "pm" : "am"); break;
      case S_TZ:
        if (typeAbbrLen(type) > 0) bufBytes(b, typeAbbrPtr(type), typeAbbrLen(type));
        else bufOffset(b, offset, S_NUM_TZ);
        break;
      case S_ISO_TZ: case S_ISO_SECONDS_TZ: case S_ISO_SHORT_TZ: case S_ISO_COLON_TZ:
      case S_ISO_COLON_SECONDS_TZ:
        if (offset == 0) bufByte(b, 90);
        else bufOffset(b, offset, chStd);
        break;
      case S_NUM_TZ: case S_NUM_SECONDS_TZ: case S_NUM_SHORT_TZ: case S_NUM_COLON_TZ:
      case S_NUM_COLON_SECONDS_TZ:
        bufOffset(b, offset, chStd);
        break;
      case S_FRAC0:
      case S_FRAC9: {
        let k: u32 = chDigits > 9 ? 9 : chDigits;
        let digits: i64 = nsec;
        let div: i64 = 100000000;
        if (chStd == S_FRAC9) {
          // Trim trailing zeros within the first k digits; nothing at all if they are all zero.
          let scale: i64 = 1;
          for (let j: u32 = k; j < 9; j++) scale *= 10;
          let kept = digits / scale;
          while (k > 0 && kept % 10 == 0) {
            kept /= 10;
            k--;
          }
          if (k == 0) break;
        }
        bufByte(b, chSep);
        for (let j: u32 = 0; j < k; j++) {
          bufByte(b, 48 + <u32>((digits / div) % 10));
          div /= 10;
        }
        break;
      }
    }
  }
}

/** namedLayout returns the Go layout a constant name stands for (ANSIC, RFC3339, ...), or null. */
function namedLayout(p: usize, n: u32): string | null {
  if (hasName(p, n, "ANSIC")) return "Mon Jan _2 15:04:05 2006";
  if (hasName(p, n, "UnixDate")) return "Mon Jan _2 15:04:05 MST 2006";
  if (hasName(p, n, "RubyDate")) return "Mon Jan 02 15:04:05 -0700 2006";
  if (hasName(p, n, "RFC822")) return "02 Jan 06 15:04 MST";
  if (hasName(p, n, "RFC822Z")) return "02 Jan 06 15:04 -0700";
  if (hasName(p, n, "RFC850")) return "Monday, 02-Jan-06 15:04:05 MST";
  if (hasName(p, n, "RFC1123")) return "Mon, 02 Jan 2006 15:04:05 MST";
  if (hasName(p, n, "RFC1123Z")) return "Mon, 02 Jan 2006 15:04:05 -0700";
  if (hasName(p, n, "RFC3339")) return "2006-01-02T15:04:05Z07:00";
  if (hasName(p, n, "RFC3339Nano")) return "2006-01-02T15:04:05.999999999Z07:00";
  return null;
}

function hasName(p: usize, n: u32, s: string): bool {
  return n == <u32>s.length && hasAt(p, n, 0, s);
}

/** bi_time_format formats `ns`, `[ns, tz]` or `[ns, tz, layout]` (default zone UTC; layout RFC3339Nano when absent or ""). */
export function bi_time_format(x: usize): usize {
  if (x == 0 || !nsArg("time.format", x)) return 0;
  const t = nsOut;
  const zone = zoneOut;
  const layout = layoutOut != 0 && strLen(layoutOut) > 0 ? layoutOut : 0;
  const b = bufNew(64);
  let lp: usize = 0;
  let ln: u32 = 0;
  let named: string | null = "2006-01-02T15:04:05.999999999Z07:00";
  if (layout != 0) named = namedLayout(strPtr(layout), strLen(layout));
  if (named != null) {
    const lb = bufNew(48);
    bufAscii(lb, named);
    lp = bufPtr(lb);
    ln = bufLen(lb);
  } else {
    lp = strPtr(layout);
    ln = strLen(layout);
  }
  formatTime(b, t, zone, lp, ln);
  return bufToString(b);
}

// ---- parsing ----

function parseError(vp: usize, vn: u32, lp: usize, ln: u32, rest: u32, elemStart: u32, elemEnd: u32): usize {
  const m = bufNew(96 + vn * 2 + ln * 2);
  bufAscii(m, "time.parse_ns: parsing time \"");
  bufBytes(m, vp, vn);
  bufAscii(m, "\" as \"");
  bufBytes(m, lp, ln);
  bufAscii(m, "\": cannot parse \"");
  bufBytes(m, vp + <usize>rest, vn - rest);
  bufAscii(m, "\" as \"");
  bufBytes(m, lp + <usize>elemStart, elemEnd - elemStart);
  bufAscii(m, "\"");
  return builtinErrorBuf("eval_builtin_error", m);
}

function rangeError(vp: usize, vn: u32, what: string): usize {
  const m = bufNew(64 + vn);
  bufAscii(m, "time.parse_ns: parsing time \"");
  bufBytes(m, vp, vn);
  bufAscii(m, "\": ");
  bufAscii(m, what);
  bufAscii(m, " out of range");
  return builtinErrorBuf("eval_builtin_error", m);
}

// getNum() result: the number read, and the position after it (-1 on failure).
// @ts-ignore: decorator
@lazy let numVal: i64 = 0;

/** getNum reads 1 or 2 digits at i (exactly 2 when fixed); returns the end or -1. */
function getNum(p: usize, n: u32, i: u32, fixed: bool): i32 {
  if (!isDigitAt(p, n, i)) return -1;
  if (!isDigitAt(p, n, i + 1)) {
    if (fixed) return -1;
    numVal = <i64>(at(p, n, i) - 48);
    return <i32>(i + 1);
  }
  numVal = <i64>((at(p, n, i) - 48) * 10 + at(p, n, i + 1) - 48);
  return <i32>(i + 2);
}

/** getNum3 reads 1 to 3 digits at i (exactly 3 when fixed); returns the end or -1. */
function getNum3(p: usize, n: u32, i: u32, fixed: bool): i32 {
  let v: i64 = 0;
  let j = i;
  while (j < i + 3 && isDigitAt(p, n, j)) {
    v = v * 10 + <i64>(at(p, n, j) - 48);
    j++;
  }
  if (j == i || (fixed && j != i + 3)) return -1;
  numVal = v;
  return <i32>j;
}

/** lookupName matches a month (kind 0) or day (kind 1) name, long or short, case-insensitively; index or -1. */
function lookupName(p: usize, n: u32, i: u32, long: bool, kind: i32): i32 {
  const count = kind == 0 ? 12 : 7;
  for (let k = 0; k < count; k++) {
    const name = kind == 0 ? monthName(k + 1) : weekdayName(k);
    const len = long ? <u32>name.length : 3;
    if (i + len > n) continue;
    let ok = true;
    for (let j: u32 = 0; j < len; j++) {
      if ((at(p, n, i + j) | 32) != (<u32>name.charCodeAt(j) | 32)) {
        ok = false;
        break;
      }
    }
    if (ok) {
      numVal = <i64>len;
      return k;
    }
  }
  return -1;
}

function isSpace(c: u32): bool {
  return c == 32;
}

/** bi_time_parse_ns parses value with a Go layout (UTC unless the value carries an offset) to nanoseconds. */
export function bi_time_parse_ns(layout: usize, value: usize): usize {
  const fn = "time.parse_ns";
  if (layout == 0 || value == 0) return 0;
  if (tagOf(layout) != T_STRING) return operandError(fn, 1, "string", layout);
  if (tagOf(value) != T_STRING) return operandError(fn, 2, "string", value);
  const lp = strPtr(layout);
  const ln = strLen(layout);
  const vp = strPtr(value);
  const vn = strLen(value);
  let year: i64 = 0;
  let month: i64 = -1;
  let day: i64 = -1;
  let yday: i64 = -1;
  let hour: i64 = 0;
  let min: i64 = 0;
  let sec: i64 = 0;
  let nsec: i64 = 0;
  let offset: i64 = 0;
  let pmSet = false;
  let amSet = false;
  let li: u32 = 0;
  let vi: u32 = 0;
  while (true) {
    nextChunk(lp, ln, li);
    const std = chStd;
    const es = chStart;
    const ee = chEnd;
    const digitsN = chDigits;
    // Literal prefix: runs of spaces match runs of spaces (at least one).
    let k = li;
    while (k < es) {
      const c = at(lp, ln, k);
      if (isSpace(c)) {
        if (vi < vn && !isSpace(at(vp, vn, vi))) return parseError(vp, vn, lp, ln, vi, li, es);
        while (k < es && isSpace(at(lp, ln, k))) k++;
        while (vi < vn && isSpace(at(vp, vn, vi))) vi++;
        continue;
      }
      if (vi >= vn || at(vp, vn, vi) != c) return parseError(vp, vn, lp, ln, vi, li, es);
      k++;
      vi++;
    }
    if (std == S_NONE) {
      if (vi != vn) {
        const m = bufNew(64 + vn * 2 + ln);
        bufAscii(m, "time.parse_ns: parsing time \"");
        bufBytes(m, vp, vn);
        bufAscii(m, "\": extra text: \"");
        bufBytes(m, vp + <usize>vi, vn - vi);
        bufAscii(m, "\"");
        return builtinErrorBuf("eval_builtin_error", m);
      }
      break;
    }
    li = ee;
    const start = vi;
    let r: i32 = 0;
    switch (std) {
      case S_YEAR:
        r = getNum(vp, vn, vi, true);
        if (r >= 0) year = numVal >= 69 ? 1900 + numVal : 2000 + numVal;
        break;
      case S_LONG_YEAR: {
        r = -1;
        if (vi + 4 <= vn && isDigitAt(vp, vn, vi) && isDigitAt(vp, vn, vi + 1) && isDigitAt(vp, vn, vi + 2) && isDigitAt(vp, vn, vi + 3)) {
          year = <i64>((at(vp, vn, vi) - 48) * 1000 + (at(vp, vn, vi + 1) - 48) * 100 + (at(vp, vn, vi + 2) - 48) * 10 + at(vp, vn, vi + 3) - 48);
          r = <i32>(vi + 4);
        }
        break;
      }
      case S_MONTH:
      case S_LONG_MONTH: {
        const m = lookupName(vp, vn, vi, std == S_LONG_MONTH, 0);
        r = m < 0 ? -1 : <i32>(vi + <u32>numVal);
        month = <i64>(m + 1);
        break;
      }
      case S_NUM_MONTH:
      case S_ZERO_MONTH:
        r = getNum(vp, vn, vi, std == S_ZERO_MONTH);
        if (r >= 0) {
          month = numVal;
          if (month < 1 || month > 12) return rangeError(vp, vn, "month");
        }
        break;
      case S_WEEKDAY:
      case S_LONG_WEEKDAY: {
        const d = lookupName(vp, vn, vi, std == S_LONG_WEEKDAY, 1);
        r = d < 0 ? -1 : <i32>(vi + <u32>numVal);
        break;
      }
      case S_DAY:
      case S_UNDER_DAY:
      case S_ZERO_DAY:
        if (std == S_UNDER_DAY && isSpace(at(vp, vn, vi))) vi++;
        r = getNum(vp, vn, vi, std == S_ZERO_DAY);
        day = numVal;
        break;
      case S_UNDER_YDAY:
      case S_ZERO_YDAY:
        for (let j = 0; j < 2; j++) {
          if (std == S_UNDER_YDAY && isSpace(at(vp, vn, vi))) vi++;
        }
        r = getNum3(vp, vn, vi, std == S_ZERO_YDAY);
        if (r >= 0) {
          yday = numVal;
          if (yday < 1 || yday > 366) return rangeError(vp, vn, "day-of-year");
        }
        break;
      case S_HOUR:
        r = getNum(vp, vn, vi, false);
        hour = numVal;
        if (r >= 0 && hour > 23) return rangeError(vp, vn, "hour");
        break;
      case S_HOUR12:
      case S_ZERO_HOUR12:
        r = getNum(vp, vn, vi, std == S_ZERO_HOUR12);
        hour = numVal;
        if (r >= 0 && hour > 12) return rangeError(vp, vn, "hour");
        break;
      case S_MINUTE:
      case S_ZERO_MINUTE:
        r = getNum(vp, vn, vi, std == S_ZERO_MINUTE);
        min = numVal;
        if (r >= 0 && min > 59) return rangeError(vp, vn, "minute");
        break;
      case S_SECOND:
      case S_ZERO_SECOND: {
        r = getNum(vp, vn, vi, std == S_ZERO_SECOND);
        if (r < 0) break;
        sec = numVal;
        if (sec > 59) return rangeError(vp, vn, "second");
        // A fractional second in the value is accepted even when the layout has none.
        const c = at(vp, vn, <u32>r);
        if ((c == 46 || c == 44) && isDigitAt(vp, vn, <u32>r + 1)) {
          nextChunk(lp, ln, li);
          if (chStd == S_FRAC0 || chStd == S_FRAC9) break;
          let j = <u32>r + 1;
          while (isDigitAt(vp, vn, j)) j++;
          nsec = fracNanos(vp, <u32>r + 1, j);
          r = <i32>j;
        }
        break;
      }
      case S_PM_UPPER:
      case S_PM_LOWER: {
        r = -1;
        const up = std == S_PM_UPPER;
        if (vi + 2 <= vn && at(vp, vn, vi + 1) == (up ? 77 : 109)) {
          const c = at(vp, vn, vi);
          if (c == (up ? 80 : 112)) { pmSet = true; r = <i32>(vi + 2); }
          else if (c == (up ? 65 : 97)) { amSet = true; r = <i32>(vi + 2); }
        }
        break;
      }
      case S_ISO_TZ: case S_ISO_SECONDS_TZ: case S_ISO_SHORT_TZ: case S_ISO_COLON_TZ:
      case S_ISO_COLON_SECONDS_TZ:
      case S_NUM_TZ: case S_NUM_SECONDS_TZ: case S_NUM_SHORT_TZ: case S_NUM_COLON_TZ:
      case S_NUM_COLON_SECONDS_TZ: {
        if (std <= S_ISO_COLON_SECONDS_TZ && at(vp, vn, vi) == 90) {
          offset = 0;
          r = <i32>(vi + 1);
          break;
        }
        r = -1;
        const sign = at(vp, vn, vi);
        if (sign != 43 && sign != 45) break;
        const base = std <= S_ISO_COLON_SECONDS_TZ ? std - S_ISO_TZ : std - S_NUM_TZ;
        // base: 0 hhmm, 1 hhmmss, 2 hh, 3 hh:mm, 4 hh:mm:ss
        let j = vi + 1;
        let hh: i64 = 0, mm: i64 = 0, ss: i64 = 0;
        let e = getNum(vp, vn, j, true);
        if (e < 0) break;
        hh = numVal;
        j = <u32>e;
        if (base != 2) {
          if (base >= 3) { if (at(vp, vn, j) != 58) break; j++; }
          e = getNum(vp, vn, j, true);
          if (e < 0) break;
          mm = numVal;
          j = <u32>e;
          if (base == 1 || base == 4) {
            if (base == 4) { if (at(vp, vn, j) != 58) break; j++; }
            e = getNum(vp, vn, j, true);
            if (e < 0) break;
            ss = numVal;
            j = <u32>e;
          }
        }
        if (hh > 24) return rangeError(vp, vn, "time zone offset hour");
        if (mm > 60) return rangeError(vp, vn, "time zone offset minute");
        if (ss > 60) return rangeError(vp, vn, "time zone offset second");
        offset = (hh * 60 + mm) * 60 + ss;
        if (sign == 45) offset = -offset;
        r = <i32>j;
        break;
      }
      case S_TZ: {
        r = -1;
        if (hasAt(vp, vn, vi, "UTC")) { r = <i32>(vi + 3); offset = 0; break; }
        if (hasAt(vp, vn, vi, "GMT")) {
          let j = vi + 3;
          offset = 0;
          const sign = at(vp, vn, j);
          if (sign == 43 || sign == 45) {
            let h: i64 = 0;
            let q = j + 1;
            while (isDigitAt(vp, vn, q)) { h = h * 10 + <i64>(at(vp, vn, q) - 48); q++; }
            if (q > j + 1 && h <= 23) {
              offset = (sign == 45 ? -h : h) * 3600;
              j = q;
            }
          }
          r = <i32>j;
          break;
        }
        // Another abbreviation: the zone is unknown, so its offset is taken as zero (as Go does).
        let up: u32 = 0;
        while (at(vp, vn, vi + up) >= 65 && at(vp, vn, vi + up) <= 90) up++;
        if (up == 3 || ((up == 4 || up == 5) && at(vp, vn, vi + up - 1) == 84)) {
          offset = 0;
          r = <i32>(vi + up);
        }
        break;
      }
      case S_FRAC0: {
        r = -1;
        const c = at(vp, vn, vi);
        if (c != 46 && c != 44) break;
        let ok = true;
        for (let j: u32 = 1; j <= digitsN; j++) if (!isDigitAt(vp, vn, vi + j)) ok = false;
        if (!ok) break;
        nsec = fracNanos(vp, vi + 1, vi + 1 + digitsN);
        r = <i32>(vi + 1 + digitsN);
        break;
      }
      case S_FRAC9: {
        const c = at(vp, vn, vi);
        r = <i32>vi;
        if ((c != 46 && c != 44) || !isDigitAt(vp, vn, vi + 1)) break;
        let j = vi + 1;
        while (isDigitAt(vp, vn, j)) j++;
        nsec = fracNanos(vp, vi + 1, j);
        r = <i32>j;
        break;
      }
    }
    if (r < 0) return parseError(vp, vn, lp, ln, start, es, ee);
    vi = <u32>r;
  }
  if (pmSet && hour < 12) hour += 12;
  else if (amSet && hour == 12) hour = 0;
  if (yday >= 0) {
    if (yday > (isLeap(year) ? 366 : 365)) return rangeError(vp, vn, "day-of-year");
    civil(daysFromCivil(year, 1, 1) + yday - 1);
    if (month >= 0 && month != civM) return rangeError(vp, vn, "day-of-year");
    if (day >= 0 && day != civD) return rangeError(vp, vn, "day-of-year");
    month = civM;
    day = civD;
  } else {
    if (month < 0) month = 1;
    if (day < 0) day = 1;
  }
  if (day < 1 || day > daysIn(year, month)) return rangeError(vp, vn, "day");
  const secs = daysFromCivil(year, month, day) * 86400 + hour * 3600 + min * 60 + sec - offset;
  if (secs > 9223372036 || (secs == 9223372036 && nsec > 854775807) ||
    secs < -9223372037 || (secs == -9223372037 && nsec < 145224192)) {
    return outOfRange(fn);
  }
  return intNumber(secs * 1000000000 + nsec);
}

/** fracNanos reads the digits at [i, j) as a fraction of a second in nanoseconds (beyond 9 digits truncated). */
function fracNanos(p: usize, i: u32, j: u32): i64 {
  let v: i64 = 0;
  let scale: i64 = 100000000;
  for (let k = i; k < j && scale > 0; k++) {
    v += <i64>(load<u8>(p + <usize>k) - 48) * scale;
    scale /= 10;
  }
  return v;
}
