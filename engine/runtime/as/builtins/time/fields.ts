// Calendar fields of an instant in a time zone: time.date ([year, month, day]), time.clock
// ([hour, minute, second]) and time.weekday (English day name) of `ns` or `[ns, tz]`.
// Exports: bi_time_date, bi_time_clock, bi_time_weekday.

import { listPush, newArray } from "../../value";
import { asciiString } from "../../buf";
import { intNumber } from "../data/numbers";
import { civD, civM, civY, civil, floorDiv, localSeconds, nsArg, nsOut } from "./calendar";
import { zoneOut } from "./zones";

/** WEEKDAYS are Go's day names, Sunday first. */
const WEEKDAYS: StaticArray<string> = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** weekdayName is the English name of weekday wd (0 = Sunday). */
export function weekdayName(wd: i64): string {
  return WEEKDAYS[<i32>wd];
}

/** weekdayOf returns the weekday (0 = Sunday) of days since the epoch (1970-01-01 was a Thursday). */
export function weekdayOf(days: i64): i64 {
  return days - floorDiv(days + 4, 7) * 7 + 4;
}

/** bi_time_date returns [year, month, day] of an instant in its zone. */
export function bi_time_date(x: usize): usize {
  if (x == 0 || !nsArg("time.date", x)) return 0;
  civil(floorDiv(localSeconds(zoneOut, nsOut), 86400));
  const out = newArray(3);
  listPush(out, intNumber(civY));
  listPush(out, intNumber(civM));
  listPush(out, intNumber(civD));
  return out;
}

/** bi_time_clock returns [hour, minute, second] of an instant in its zone. */
export function bi_time_clock(x: usize): usize {
  if (x == 0 || !nsArg("time.clock", x)) return 0;
  const secs = localSeconds(zoneOut, nsOut);
  const sod = secs - floorDiv(secs, 86400) * 86400;
  const out = newArray(3);
  listPush(out, intNumber(sod / 3600));
  listPush(out, intNumber((sod % 3600) / 60));
  listPush(out, intNumber(sod % 60));
  return out;
}

/** bi_time_weekday returns the English day name of an instant in its zone. */
export function bi_time_weekday(x: usize): usize {
  if (x == 0 || !nsArg("time.weekday", x)) return 0;
  return asciiString(weekdayName(weekdayOf(floorDiv(localSeconds(zoneOut, nsOut), 86400))));
}
