// The IANA time zone database for the time builtins, read from the tzdata blob the compiler places
// in static data when a policy calls a builtin that takes a zone (engine/runtime/tzdata.bin, made
// by scripts/gen-tzdata.ts; the start function hands its address to rt_tz_init). Zone names
// resolve as Go's time.LoadLocation does: "" and "UTC" are UTC, "Local" is UTC too (a module has
// no host zone), names with ".." or a leading slash are invalid, the rest are looked up.
//
// Blob layout (little-endian):
//   header   "PTZ1", u32 name count, u32 index offset, u32 version offset (u8 length + ASCII)
//   index    name count x [u32 name offset, u32 name length, u32 zone offset], sorted by name bytes
//   zone     u8 type count, u8 before-type, u8 rule kind (0 none, 1 standard only, 2 with DST),
//            u8 0, u32 transition count, i64 ruleFrom (Unix seconds from which the rule applies),
//            types (12 bytes each), rule (std type; with DST also dst type, start date, end date),
//            transitions: LEB128 delta from the previous instant (MIN_SEC for the first), doubled,
//            low bit set when in seconds, clear when in minutes; then u8 type index
//   type     i32 UTC offset (seconds east), u8 is-DST, u8 abbreviation length, 6 bytes abbreviation
//   date     u8 kind (0 Jn, 1 n, 2 Mm.w.d), u8 month, u8 week, u8 weekday, i32 day, i32 local time
// Exports: rt_tz_init, zoneResolve (into zoneOut), zoneType, typeOffset, typeAbbrPtr, typeAbbrLen,
// typeIsDst.

import { strLen, strPtr } from "../../value";
import { bufAscii, bufBytes, bufNew } from "../../buf";
import { builtinErrorBuf } from "../errors";
import { civY, civil, daysFromCivil, floorDiv, isLeap } from "./calendar";

const MIN_SEC: i64 = -9223372037;
const TYPE_SIZE: usize = 12;
const DATE_SIZE: usize = 12;

// The blob, when linked (0 otherwise: only "", "UTC" and "Local" resolve).
// @ts-ignore: decorator
@lazy let tzBase: usize = 0;

/** UTC_TYPE is the type record of UTC: offset 0, not DST, "UTC". */
const UTC_TYPE: usize = memory.data<u8>([0, 0, 0, 0, 0, 3, 85, 84, 67, 0, 0, 0]);

/** rt_tz_init records where the start function placed the tzdata blob. */
export function rt_tz_init(addr: usize): void {
  tzBase = load<u32>(addr) == 0x315a5450 ? addr : 0; // "PTZ1"
}

// zoneResolve() result: a zone record address, or 0 for UTC.
// @ts-ignore: decorator
@lazy export let zoneOut: usize = 0;

/** zoneResolve looks a zone name STRING up into zoneOut; reports `<fn>: ...` and returns false when unknown. */
export function zoneResolve(fn: string, tz: usize): bool {
  const p = strPtr(tz);
  const n = strLen(tz);
  zoneOut = 0;
  if (n == 0 || isName(p, n, "UTC") || isName(p, n, "Local")) return true;
  if (hasDotDot(p, n) || load<u8>(p) == 47 || load<u8>(p) == 92) return zoneError(fn, "time: invalid location name", 0);
  zoneOut = findZone(p, n);
  return zoneOut != 0 || zoneError(fn, "unknown time zone ", tz);
}

function isName(p: usize, n: u32, s: string): bool {
  if (n != <u32>s.length) return false;
  for (let i: u32 = 0; i < n; i++) if (<u32>load<u8>(p + <usize>i) != <u32>s.charCodeAt(i)) return false;
  return true;
}

function hasDotDot(p: usize, n: u32): bool {
  for (let i: u32 = 1; i < n; i++) if (load<u8>(p + <usize>i) == 46 && load<u8>(p + <usize>i - 1) == 46) return true;
  return false;
}

function zoneError(fn: string, msg: string, tz: usize): bool {
  const m = bufNew(64 + (tz != 0 ? strLen(tz) : 0));
  bufAscii(m, fn);
  bufAscii(m, ": ");
  bufAscii(m, msg);
  if (tz != 0) bufBytes(m, strPtr(tz), strLen(tz));
  builtinErrorBuf("eval_builtin_error", m);
  return false;
}

/** findZone binary-searches the name index; returns the zone record address or 0. */
function findZone(p: usize, n: u32): usize {
  if (tzBase == 0) return 0;
  const index = tzBase + <usize>load<u32>(tzBase, 8);
  let lo: i32 = 0;
  let hi: i32 = <i32>load<u32>(tzBase, 4);
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const e = index + <usize>mid * 12;
    const c = compareBytes(p, n, tzBase + <usize>load<u32>(e), load<u32>(e, 4));
    if (c == 0) return tzBase + <usize>load<u32>(e, 8);
    if (c < 0) hi = mid;
    else lo = mid + 1;
  }
  return 0;
}

function compareBytes(a: usize, an: u32, b: usize, bn: u32): i32 {
  const n = an < bn ? an : bn;
  for (let i: u32 = 0; i < n; i++) {
    const x = <i32>load<u8>(a + <usize>i);
    const y = <i32>load<u8>(b + <usize>i);
    if (x != y) return x - y;
  }
  return <i32>an - <i32>bn;
}

/** typeOffset is a type record's UTC offset in seconds (east positive). */
export function typeOffset(t: usize): i64 {
  return <i64>load<i32>(t);
}

/** typeIsDst tells whether a type record is daylight time. */
export function typeIsDst(t: usize): bool {
  return load<u8>(t, 4) != 0;
}

/** typeAbbrLen is the length of a type record's abbreviation. */
export function typeAbbrLen(t: usize): u32 {
  return <u32>load<u8>(t, 5);
}

/** typeAbbrPtr is the address of a type record's abbreviation. */
export function typeAbbrPtr(t: usize): usize {
  return t + 6;
}

/** zoneType returns the type record in force at Unix second `secs` in zone record z (0: UTC). */
export function zoneType(z: usize, secs: i64): usize {
  if (z == 0) return UTC_TYPE;
  const typeCount = <usize>load<u8>(z);
  const ruleKind = load<u8>(z, 2);
  const types = z + 16;
  const rule = types + typeCount * TYPE_SIZE;
  if (ruleKind != 0 && secs >= load<i64>(z, 8)) return ruleType(rule, ruleKind, secs);
  let stream = rule + (ruleKind == 0 ? 0 : ruleKind == 1 ? TYPE_SIZE : 2 * TYPE_SIZE + 2 * DATE_SIZE);
  let type = <usize>load<u8>(z, 1);
  let at = MIN_SEC;
  const count = load<u32>(z, 4);
  for (let i: u32 = 0; i < count; i++) {
    let v: u64 = 0;
    let shift: u64 = 0;
    let b: u32;
    do {
      b = <u32>load<u8>(stream++);
      v |= <u64>(b & 127) << shift;
      shift += 7;
    } while (b >= 128);
    at += (v & 1) != 0 ? <i64>(v >> 1) : <i64>(v >> 1) * 60;
    if (secs < at) break;
    type = <usize>load<u8>(stream++);
  }
  return types + type * TYPE_SIZE;
}

/** ruleType evaluates a POSIX TZ rule at Unix second secs on its UTC year (as Go's tzset). */
function ruleType(rule: usize, kind: u8, secs: i64): usize {
  const std = rule;
  if (kind == 1) return std;
  const dst = rule + TYPE_SIZE;
  const days = floorDiv(secs, 86400);
  civil(days);
  const year = civY;
  const yearStart = daysFromCivil(year, 1, 1);
  const ysec = secs - yearStart * 86400;
  let start = ruleSeconds(year, yearStart, dst + TYPE_SIZE, typeOffset(std));
  let end = ruleSeconds(year, yearStart, dst + TYPE_SIZE + DATE_SIZE, typeOffset(dst));
  let outside = std;
  let inside = dst;
  if (end < start) {
    const t = start;
    start = end;
    end = t;
    outside = dst;
    inside = std;
  }
  return ysec < start || ysec >= end ? outside : inside;
}

/** ruleSeconds is a rule date's transition as seconds since the UTC start of `year` (before = offset in force). */
function ruleSeconds(year: i64, yearStart: i64, d: usize, before: i64): i64 {
  const kind = load<u8>(d);
  let day: i64;
  if (kind == 0) {
    const n = <i64>load<i32>(d, 4);
    day = n - 1 + (isLeap(year) && n >= 60 ? 1 : 0);
  } else if (kind == 1) {
    day = <i64>load<i32>(d, 4);
  } else {
    const month = <i64>load<u8>(d, 1);
    const week = <i64>load<u8>(d, 2);
    const weekday = <i64>load<u8>(d, 3);
    const first = daysFromCivil(year, month, 1);
    const firstWeekday = ((first + 4) % 7 + 7) % 7;
    let dom = (weekday - firstWeekday + 7) % 7;
    const monthDays = (month == 12 ? daysFromCivil(year + 1, 1, 1) : daysFromCivil(year, month + 1, 1)) - first;
    for (let w: i64 = 1; w < week && dom + 7 < monthDays; w++) dom += 7;
    day = first + dom - yearStart;
  }
  return day * 86400 + <i64>load<i32>(d, 8) - before;
}
