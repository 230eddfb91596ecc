// One time zone as OPA (Go's time package) sees it: the TZif file's local time types and
// transitions plus the footer's POSIX TZ rule, and Go's lookup semantics over them (the type before
// the first transition, the footer from the last transition on). Used by the tzdata generator to
// compact zones and to verify the compact form against the full one.
// In: TZif bytes (RFC 8536, version 2 or later). Out: Zone and lookupZone().

/** LocalType is one local time type: UTC offset in seconds (east positive), DST flag, abbreviation. */
export type LocalType = { readonly offset: number; readonly isDst: boolean; readonly abbr: string };

/** RuleDate is one POSIX TZ rule date: `Jn` (julian, no Feb 29), `n` (day of year), `Mm.w.d`. */
export type RuleDate =
  | { readonly kind: 'julian'; readonly day: number; readonly time: number }
  | { readonly kind: 'doy'; readonly day: number; readonly time: number }
  | { readonly kind: 'mwd'; readonly month: number; readonly week: number; readonly weekday: number; readonly time: number };

/** PosixRule is a parsed footer: standard time, and daylight time with its start and end dates. */
export type PosixRule = {
  readonly std: LocalType;
  readonly dst?: { readonly type: LocalType; readonly start: RuleDate; readonly end: RuleDate };
};

/** Zone is a TZif file's content: times are Unix seconds (BigInt-free: every value fits a double). */
export type Zone = {
  readonly types: readonly LocalType[];
  readonly transitions: readonly { readonly at: number; readonly type: number }[];
  readonly rule?: PosixRule;
};

/** parseTzif reads a version 2+ TZif file (the 64-bit section and the footer); throws on anything else. */
export function parseTzif(bytes: Uint8Array): Zone {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = (at: number) => {
    if (String.fromCharCode(...bytes.subarray(at, at + 4)) !== 'TZif') throw new Error('not a TZif file');
    const c = (i: number) => view.getUint32(at + 20 + 4 * i);
    return { version: bytes[at + 4]!, isutcnt: c(0), isstdcnt: c(1), leapcnt: c(2), timecnt: c(3), typecnt: c(4), charcnt: c(5) };
  };
  const h1 = header(0);
  if (h1.version < 0x32) throw new Error('TZif version 1 has no 64-bit data');
  const v1Size = h1.timecnt * 5 + h1.typecnt * 6 + h1.charcnt + h1.leapcnt * 8 + h1.isstdcnt + h1.isutcnt;
  const at = 44 + v1Size;
  const h = header(at);
  let p = at + 44;
  const times: number[] = [];
  for (let i = 0; i < h.timecnt; i++, p += 8) times.push(Number(view.getBigInt64(p)));
  const idx = Array.from(bytes.subarray(p, p + h.timecnt));
  p += h.timecnt;
  const raw: { offset: number; isDst: boolean; abbrAt: number }[] = [];
  for (let i = 0; i < h.typecnt; i++, p += 6) raw.push({ offset: view.getInt32(p), isDst: bytes[p + 4] !== 0, abbrAt: bytes[p + 5]! });
  const chars = bytes.subarray(p, p + h.charcnt);
  p += h.charcnt + h.leapcnt * 12 + h.isstdcnt + h.isutcnt;
  const abbrAt = (i: number) => String.fromCharCode(...chars.subarray(i, chars.indexOf(0, i)));
  const types = raw.map((t) => ({ offset: t.offset, isDst: t.isDst, abbr: abbrAt(t.abbrAt) }));
  const footer = new TextDecoder().decode(bytes.subarray(p)).trim();
  const rule = footer === '' ? undefined : parsePosixRule(footer);
  return { types, transitions: times.map((t, i) => ({ at: t, type: idx[i]! })), ...(rule ? { rule } : {}) };
}

/** parsePosixRule parses a POSIX TZ string (with RFC 8536's extended hours); throws when malformed. */
export function parsePosixRule(s: string): PosixRule {
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`TZ string ${JSON.stringify(s)}: ${why} at ${i}`);
  };
  const name = (): string => {
    if (s[i] === '<') {
      const end = s.indexOf('>', i);
      if (end < 0) fail('unterminated <name>');
      const n = s.slice(i + 1, end);
      i = end + 1;
      return n;
    }
    const m = /^[A-Za-z]{3,}/.exec(s.slice(i));
    if (!m) fail('expected a zone name');
    i += m![0].length;
    return m![0];
  };
  const hms = (): number => {
    const m = /^([+-]?)(\d{1,3})(?::(\d{1,2}))?(?::(\d{1,2}))?/.exec(s.slice(i));
    if (!m) fail('expected a time');
    i += m![0].length;
    const v = Number(m![2]) * 3600 + Number(m![3] ?? 0) * 60 + Number(m![4] ?? 0);
    return m![1] === '-' ? -v : v;
  };
  const ruleTime = (): number => {
    if (s[i] !== '/') return 7200;
    i++;
    return hms();
  };
  const date = (): RuleDate => {
    const rest = s.slice(i);
    const mwd = /^M(\d{1,2})\.(\d)\.(\d)/.exec(rest);
    if (mwd) {
      i += mwd[0].length;
      return { kind: 'mwd', month: Number(mwd[1]), week: Number(mwd[2]), weekday: Number(mwd[3]), time: ruleTime() };
    }
    const julian = /^J(\d{1,3})/.exec(rest);
    if (julian) {
      i += julian[0].length;
      return { kind: 'julian', day: Number(julian[1]), time: ruleTime() };
    }
    const doy = /^(\d{1,3})/.exec(rest);
    if (doy) {
      i += doy[0].length;
      return { kind: 'doy', day: Number(doy[1]), time: ruleTime() };
    }
    return fail('expected a rule date');
  };
  // POSIX offsets count hours west of Greenwich; ours count seconds east (never -0).
  const west = (v: number): number => (v === 0 ? 0 : -v);
  const stdAbbr = name();
  const std: LocalType = { offset: west(hms()), isDst: false, abbr: stdAbbr };
  if (i === s.length) return { std };
  const dstAbbr = name();
  let dstOffset = std.offset + 3600;
  if (i < s.length && s[i] !== ',') dstOffset = west(hms());
  let start: RuleDate = { kind: 'mwd', month: 3, week: 2, weekday: 0, time: 7200 };
  let end: RuleDate = { kind: 'mwd', month: 11, week: 1, weekday: 0, time: 7200 };
  if (i < s.length) {
    if (s[i] !== ',') fail('expected ,');
    i++;
    start = date();
    if (s[i] !== ',') fail('expected ,');
    i++;
    end = date();
  }
  if (i !== s.length) fail('trailing characters');
  return { std, dst: { type: { offset: dstOffset, isDst: true, abbr: dstAbbr }, start, end } };
}

const DAY = 86400;

/** isLeap tells whether a Gregorian year has 366 days. */
export function isLeap(y: number): boolean {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
}

/** daysFromCivil returns days since 1970-01-01 of a proleptic Gregorian date (month may be 13). */
export function daysFromCivil(y: number, m: number, d: number): number {
  if (m > 12) {
    y += Math.floor((m - 1) / 12);
    m = ((m - 1) % 12) + 1;
  }
  if (m <= 2) y -= 1;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** yearOf returns the UTC year of Unix seconds t. */
export function yearOf(t: number): number {
  return new Date(t * 1000).getUTCFullYear();
}

/** ruleSeconds is a rule date's local wall time as seconds since the start of `year`, minus `before` (the offset in force). */
export function ruleSeconds(year: number, r: RuleDate, before: number): number {
  let day: number;
  if (r.kind === 'julian') day = r.day - 1 + (isLeap(year) && r.day >= 60 ? 1 : 0);
  else if (r.kind === 'doy') day = r.day;
  else {
    const first = daysFromCivil(year, r.month, 1);
    const firstWeekday = (((first + 4) % 7) + 7) % 7;
    let dom = (r.weekday - firstWeekday + 7) % 7;
    const monthDays = daysFromCivil(year, r.month + 1, 1) - first;
    for (let w = 1; w < r.week && dom + 7 < monthDays; w++) dom += 7;
    day = first + dom - daysFromCivil(year, 1, 1);
  }
  return day * DAY + r.time - before;
}

/** ruleType is the local type a POSIX rule gives Unix second t (Go's tzset, on the UTC year of t). */
export function ruleType(rule: PosixRule, t: number): LocalType {
  if (!rule.dst) return rule.std;
  const year = yearOf(t);
  const ysec = t - daysFromCivil(year, 1, 1) * DAY;
  let start = ruleSeconds(year, rule.dst.start, rule.std.offset);
  let end = ruleSeconds(year, rule.dst.end, rule.dst.type.offset);
  let outside = rule.std;
  let inside = rule.dst.type;
  if (end < start) {
    [start, end] = [end, start];
    [outside, inside] = [inside, outside];
  }
  return ysec < start || ysec >= end ? outside : inside;
}

/** firstType is the type Go uses before the first transition (time.Location.lookupFirstZone). */
export function firstType(z: Zone): number {
  if (!z.transitions.some((tx) => tx.type === 0)) return 0;
  const t0 = z.transitions[0];
  if (t0 && z.types[t0.type]!.isDst) {
    for (let i = t0.type - 1; i >= 0; i--) if (!z.types[i]!.isDst) return i;
  }
  const std = z.types.findIndex((t) => !t.isDst);
  return Math.max(0, std);
}

/** lastAtOrBefore returns the index of the last transition at or before t (the first one's index when t is earlier). */
export function lastAtOrBefore(tx: readonly { readonly at: number }[], t: number): number {
  let lo = 0;
  let hi = tx.length;
  while (hi - lo > 1) {
    const m = (lo + hi) >> 1;
    if (t < tx[m]!.at) hi = m;
    else lo = m;
  }
  return lo;
}

/** lookupZone is Go's Location.lookup: the local type in force at Unix second t. */
export function lookupZone(z: Zone, t: number): LocalType {
  const tx = z.transitions.length > 0 ? z.transitions : [{ at: -Infinity, type: 0 }];
  if (t < tx[0]!.at) return z.types[firstType(z)]!;
  const lo = lastAtOrBefore(tx, t);
  if (lo === tx.length - 1 && z.rule) return ruleType(z.rule, t);
  return z.types[tx[lo]!.type]!;
}

/** sameType tells whether two local types agree on offset, DST flag and abbreviation. */
export function sameType(a: LocalType, b: LocalType): boolean {
  return a.offset === b.offset && a.isDst === b.isDst && a.abbr === b.abbr;
}
