// Proleptic Gregorian calendar helpers and the date-arithmetic builtins of the "time" family:
// time.add_date (Go's AddDate normalisation on the wall clock: months overflow into years, days
// into months)
// and time.diff ([years, months, days, hours, minutes, seconds] between two instants, as OPA,
// read in the first operand's zone). Exports: daysFromCivil, civil (into civY/civM/civD),
// floorDiv, daysIn, isLeap, nsArg (into nsOut and zones.zoneOut), localSeconds, outOfRange, nsOf,
// and bi_time_add_date, bi_time_diff.

import {
  T_ARRAY, T_NUMBER, T_STRING, listGet, listLen, listPush, newArray, numberHasText, numberOf, numberTextLen, numberTextPtr,
  strLen, strPtr, tagOf,
} from "../../value";
import { bufAscii, bufBytes, bufNew } from "../../buf";
import { builtinErrorBuf, operandError } from "../errors";
import { intNumber, intOf } from "../data/numbers";
import { intOk, intOperand } from "../text/common";
import { typeOffset, zoneOut, zoneResolve, zoneType } from "./zones";

/** daysFromCivil returns days since 1970-01-01 of a proleptic Gregorian date (m in 1..12, any d). */
export function daysFromCivil(y: i64, m: i64, d: i64): i64 {
  if (m <= 2) y -= 1;
  const era = (y >= 0 ? y : y - 399) / 400;
  const yoe = y - era * 400;
  const mp = m > 2 ? m - 3 : m + 9;
  const doy = (153 * mp + 2) / 5 + d - 1;
  const doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// civil() results: year, month, day.
// @ts-ignore: decorator
@lazy export let civY: i64 = 0;
// @ts-ignore: decorator
@lazy export let civM: i64 = 0;
// @ts-ignore: decorator
@lazy export let civD: i64 = 0;

/** civil splits days since the epoch into civY/civM/civD. */
export function civil(days: i64): void {
  const z = days + 719468;
  const era = (z >= 0 ? z : z - 146096) / 146097;
  const doe = z - era * 146097;
  const yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const mp = (5 * doy + 2) / 153;
  civD = doy - (153 * mp + 2) / 5 + 1;
  civM = mp < 10 ? mp + 3 : mp - 9;
  civY = yoe + era * 400 + (civM <= 2 ? 1 : 0);
}

/** floorDiv divides rounding toward negative infinity. */
export function floorDiv(a: i64, b: i64): i64 {
  const q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/** isLeap tells whether y is a Gregorian leap year. */
export function isLeap(y: i64): bool {
  return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

/** daysIn returns the number of days of month m (1..12) of year y. */
export function daysIn(y: i64, m: i64): i64 {
  if (m == 2) return isLeap(y) ? 29 : 28;
  if (m == 4 || m == 6 || m == 9 || m == 11) return 30;
  return 31;
}

/** nsOf reads an integral NUMBER as i64, exactly from its literal text for all 19-digit int64 values. */
export function nsOf(v: usize): i64 {
  if (numberHasText(v)) {
    const p = numberTextPtr(v);
    const n = numberTextLen(v);
    let i: u32 = 0;
    const neg = n > 0 && load<u8>(p) == 45;
    if (neg) i = 1;
    if (n - i == 19) {
      let acc: u64 = 0;
      let ok = true;
      for (; i < n; i++) {
        const c = <u32>load<u8>(p + <usize>i) - 48;
        if (c > 9) { ok = false; break; }
        acc = acc * 10 + <u64>c;
      }
      if (ok && acc <= (neg ? <u64>9223372036854775808 : <u64>9223372036854775807)) return neg ? <i64>(0 - acc) : <i64>acc;
    }
  }
  return intOf(v);
}

// nsArg() results: nanoseconds since the epoch, and the layout STRING of `[ns, tz, layout]` (0
// if absent); the zone is in zones.zoneOut.
// @ts-ignore: decorator
@lazy export let nsOut: i64 = 0;
// @ts-ignore: decorator
@lazy export let layoutOut: usize = 0;

/**
 * nsArg reads a time operand as OPA's tzTime does: a number, or an array of a number, an optional
 * zone name and an optional layout (further items ignored); every operand error names operand 1.
 * The number must be an exact int64 ("timestamp too big" otherwise). False after an error.
 */
export function nsArg(fn: string, x: usize): bool {
  zoneOut = 0;
  layoutOut = 0;
  let v = x;
  const tag = tagOf(x);
  if (tag == T_ARRAY) {
    const n = listLen(x);
    if (n == 0) return badNs(fn, x);
    v = listGet(x, 0);
    if (tagOf(v) != T_NUMBER) return operandFalse(fn, "number", v);
    if (n > 1) {
      const tz = listGet(x, 1);
      if (tagOf(tz) != T_STRING) return operandFalse(fn, "string", tz);
      if (!zoneResolve(fn, tz)) return false;
    }
    if (n > 2) {
      layoutOut = listGet(x, 2);
      if (tagOf(layoutOut) != T_STRING) return operandFalse(fn, "string", layoutOut);
    }
  } else if (tag != T_NUMBER) {
    return badNs(fn, x);
  }
  if (!isInt64(v)) {
    const m = bufNew(48);
    bufAscii(m, fn);
    bufAscii(m, ": timestamp too big");
    builtinErrorBuf("eval_builtin_error", m);
    return false;
  }
  nsOut = nsOf(v);
  return true;
}

/** isInt64 tells whether a NUMBER is an integer in the int64 range (exactly for 19-digit literals). */
function isInt64(v: usize): bool {
  const x = numberOf(v);
  if (x != Math.trunc(x)) return false;
  if (Math.abs(x) < 9223372036854775808.0) return true;
  // At the boundary, only the literal text tells: nsOf reads 19-digit int64 literals exactly.
  return numberHasText(v) && x == -9223372036854775808.0 && nsOf(v) == i64.MIN_VALUE;
}

function badNs(fn: string, x: usize): bool {
  return operandFalse(fn, "either number (ns) or [number (ns), string (tz)]", x);
}

/** operandFalse reports a type error for operand 1 (as tzTime does for every time operand); returns false. */
function operandFalse(fn: string, want: string, got: usize): bool {
  operandError(fn, 1, want, got);
  return false;
}

/** localSeconds converts nanoseconds since the epoch to seconds of local wall time in zone z (0: UTC). */
export function localSeconds(z: usize, ns: i64): i64 {
  const secs = floorDiv(ns, 1000000000);
  return secs + typeOffset(zoneType(z, secs));
}


/** outOfRange reports `<fn>: time outside of valid range`; returns 0. */
export function outOfRange(fn: string): usize {
  const m = bufNew(64);
  bufAscii(m, fn);
  bufAscii(m, ": time outside of valid range");
  return builtinErrorBuf("eval_builtin_error", m);
}

/**
 * wallToUnix converts local wall-clock seconds in zone z back to Unix seconds as Go's time.Date
 * does: the offset in force at (wall - the offset in force at wall read as UTC).
 */
function wallToUnix(z: usize, wall: i64): i64 {
  const guess = typeOffset(zoneType(z, wall));
  if (guess == 0) return wall;
  return wall - typeOffset(zoneType(z, wall - guess));
}

/** bi_time_add_date adds years, months and days on the wall clock of `ns` or `[ns, tz]` (Go's AddDate). */
export function bi_time_add_date(ns: usize, years: usize, months: usize, days: usize): usize {
  const fn = "time.add_date";
  if (ns == 0 || years == 0 || months == 0 || days == 0) return 0;
  if (!nsArg(fn, ns)) return 0;
  const zone = zoneOut;
  const t = nsOut;
  if (intOperand(fn, 2, years) == 0) return 0;
  const dy = intOk();
  if (intOperand(fn, 3, months) == 0) return 0;
  const dm = intOk();
  if (intOperand(fn, 4, days) == 0) return 0;
  const dd = intOk();
  const nsec = t - floorDiv(t, 1000000000) * 1000000000;
  const wall = localSeconds(zone, t);
  const day0 = floorDiv(wall, 86400);
  const sod = wall - day0 * 86400;
  civil(day0);
  const m0 = civM - 1 + dm;
  const carry = floorDiv(m0, 12);
  const y = civY + dy + carry;
  const m = m0 - carry * 12 + 1;
  const nd = daysFromCivil(y, m, 1) + civD - 1 + dd;
  if (nd < -106752 || nd > 106752) return outOfRange(fn); // far outside int64 nanoseconds either way
  const secs = wallToUnix(zone, nd * 86400 + sod);
  // int64 nanoseconds: [-9223372036.854775808 s, 9223372036.854775807 s] (Go's toSafeUnixNano).
  if (secs > 9223372036 || (secs == 9223372036 && nsec > 854775807) ||
    secs < -9223372037 || (secs == -9223372037 && nsec < 145224192)) {
    return outOfRange(fn);
  }
  return intNumber(secs * 1000000000 + nsec);
}

/** bi_time_diff returns [years, months, days, hours, minutes, seconds] between two instants, in the first one's zone. */
export function bi_time_diff(a: usize, b: usize): usize {
  const fn = "time.diff";
  if (a == 0 || b == 0) return 0;
  if (!nsArg(fn, a)) return 0;
  const zone = zoneOut;
  const t1 = nsOut;
  if (!nsArg(fn, b)) return 0;
  const t2 = nsOut;
  // Ordered as instants, then read as wall clocks in the first operand's zone (as Go's t2.In(loc)).
  const s1 = localSeconds(zone, t1 < t2 ? t1 : t2);
  const s2 = localSeconds(zone, t1 < t2 ? t2 : t1);
  const d1 = floorDiv(s1, 86400);
  const d2 = floorDiv(s2, 86400);
  const c1 = s1 - d1 * 86400;
  const c2 = s2 - d2 * 86400;
  civil(d1);
  const y1 = civY;
  const mo1 = civM;
  const dd1 = civD;
  civil(d2);
  let year = civY - y1;
  let month = civM - mo1;
  let day = civD - dd1;
  let hour = c2 / 3600 - c1 / 3600;
  let min = (c2 % 3600) / 60 - (c1 % 3600) / 60;
  let sec = c2 % 60 - c1 % 60;
  if (sec < 0) { sec += 60; min--; }
  if (min < 0) { min += 60; hour--; }
  if (hour < 0) { hour += 24; day--; }
  if (day < 0) { day += daysIn(y1, mo1); month--; }
  if (month < 0) { month += 12; year--; }
  const out = newArray(6);
  listPush(out, intNumber(year));
  listPush(out, intNumber(month));
  listPush(out, intNumber(day));
  listPush(out, intNumber(hour));
  listPush(out, intNumber(min));
  listPush(out, intNumber(sec));
  return out;
}
