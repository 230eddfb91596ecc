// Time zones in time.date / time.clock / time.weekday / time.diff / time.format, through the built
// runtime with the committed tzdata blob (engine/runtime/tzdata.bin). The oracle for the sweep is
// Node's own ICU time zone data (Intl), an independent implementation of the same IANA database.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTzdata } from '../../../../../engine/runtime/index.js';
import { loadRuntime, raw, type Arg, type Runtime } from '../harness.js';

let rt: Runtime;
let strict: Runtime;
let bare: Runtime;
beforeAll(async () => {
  rt = await loadRuntime({ tzdata: loadTzdata() });
  strict = await loadRuntime({ tzdata: loadTzdata() });
  strict.exports['rt_set_strict']!(1);
  bare = await loadRuntime();
}, 60000);

/** sec passes Unix seconds as exact nanoseconds. */
function sec(t: number): Arg {
  return raw(`${BigInt(t) * 1000000000n}`);
}

/** utc returns Unix seconds of a UTC date-time. */
function utc(y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number {
  return Date.UTC(y, mo - 1, d, h, mi, s) / 1000;
}

/** intlFields reads date, clock, weekday and UTC offset of Unix second t in zone tz from ICU. */
function intlFields(tz: string, t: number): { date: number[]; clock: number[]; weekday: string; offset: string } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
    weekday: 'long',
    timeZoneName: 'longOffset',
  }).formatToParts(new Date(t * 1000));
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  const m = /^GMT(?:([+-]\d\d:\d\d)(:\d\d)?)?$/.exec(get('timeZoneName'))!;
  return {
    date: [Number(get('year')), Number(get('month')), Number(get('day'))],
    clock: [Number(get('hour')), Number(get('minute')), Number(get('second'))],
    weekday: get('weekday'),
    offset: !m[1] || /^[+-]00:00$/.test(m[1] + (m[2] ?? '')) ? 'Z' : `${m[1]}${m[2] ?? ':00'}`,
  };
}

// Zones whose post-1970 history differs between ICU's tzdata (2025c) and the blob's (2025b).
const DIFFERENT_RELEASE = new Set(['America/Tijuana', 'America/Ensenada', 'America/Santa_Isabel', 'Mexico/BajaNorte']);
const zones = Intl.supportedValuesOf('timeZone').filter((z) => !DIFFERENT_RELEASE.has(z));
const START = utc(1970, 1, 1);
const END = utc(2100, 1, 1);
const SAMPLES = 24;

describe('every zone agrees with ICU from 1970 to 2100', () => {
  it.each(zones)('%s', (tz) => {
    const step = Math.floor((END - START) / SAMPLES);
    for (let i = 0; i < SAMPLES; i++) {
      const t = START + i * step + ((i * 7919 * 3607) % step);
      const want = intlFields(tz, t);
      const arg: Arg = [sec(t), tz];
      const got = {
        date: rt.call('bi_time_date', arg),
        clock: rt.call('bi_time_clock', arg),
        weekday: rt.call('bi_time_weekday', arg),
        offset: rt.call('bi_time_format', [sec(t), tz, 'Z07:00:00']),
      };
      expect(got, `${tz} at ${new Date(t * 1000).toISOString()}`).toEqual(want);
    }
  });
});

type FormatCase = { note: string; t: number; tz: string; layout: string; want: string };

const L = '2006-01-02 15:04:05 MST -07:00';
const formatCases: FormatCase[] = [
  {
    note: 'New York before spring forward',
    t: utc(2024, 3, 10, 6, 59, 59),
    tz: 'America/New_York',
    layout: L,
    want: '2024-03-10 01:59:59 EST -05:00',
  },
  { note: 'New York at spring forward', t: utc(2024, 3, 10, 7), tz: 'America/New_York', layout: L, want: '2024-03-10 03:00:00 EDT -04:00' },
  {
    note: 'New York last second of EDT',
    t: utc(2024, 11, 3, 5, 59, 59),
    tz: 'America/New_York',
    layout: L,
    want: '2024-11-03 01:59:59 EDT -04:00',
  },
  {
    note: 'New York repeated hour in EST',
    t: utc(2024, 11, 3, 6),
    tz: 'America/New_York',
    layout: L,
    want: '2024-11-03 01:00:00 EST -05:00',
  },
  { note: 'a link name resolves to its zone', t: utc(2024, 7, 1), tz: 'US/Eastern', layout: L, want: '2024-06-30 20:00:00 EDT -04:00' },
  { note: 'Sydney DST ends in April', t: utc(2024, 4, 6, 16), tz: 'Australia/Sydney', layout: L, want: '2024-04-07 02:00:00 AEST +10:00' },
  {
    note: 'Sydney DST across new year',
    t: utc(2024, 12, 31, 14),
    tz: 'Australia/Sydney',
    layout: L,
    want: '2025-01-01 01:00:00 AEDT +11:00',
  },
  { note: 'Dublin summer is IST', t: utc(2024, 7, 1), tz: 'Europe/Dublin', layout: L, want: '2024-07-01 01:00:00 IST +01:00' },
  { note: 'Dublin winter is GMT', t: utc(2024, 1, 1), tz: 'Europe/Dublin', layout: L, want: '2024-01-01 00:00:00 GMT +00:00' },
  { note: 'Kathmandu quarter-hour offset', t: utc(2024, 1, 1), tz: 'Asia/Kathmandu', layout: L, want: '2024-01-01 05:45:00 +0545 +05:45' },
  { note: 'Lord Howe half-hour DST', t: utc(2024, 1, 1), tz: 'Australia/Lord_Howe', layout: L, want: '2024-01-01 11:00:00 +11 +11:00' },
  { note: 'Chatham DST', t: utc(2024, 1, 1), tz: 'Pacific/Chatham', layout: L, want: '2024-01-01 13:45:00 +1345 +13:45' },
  { note: 'rule-based far future', t: utc(2250, 7, 1), tz: 'America/New_York', layout: L, want: '2250-06-30 20:00:00 EDT -04:00' },
  {
    note: 'rule-based far future, southern',
    t: utc(2250, 1, 1),
    tz: 'America/Santiago',
    layout: L,
    want: '2249-12-31 21:00:00 -03 -03:00',
  },
  { note: 'New York 1950 summer', t: utc(1950, 7, 1), tz: 'America/New_York', layout: L, want: '1950-06-30 20:00:00 EDT -04:00' },
  {
    note: 'local mean time before 1883',
    t: utc(1800, 1, 1),
    tz: 'America/New_York',
    layout: '15:04:05 MST -07:00:00',
    want: '19:03:58 LMT -04:56:02',
  },
  { note: 'Berlin CEST', t: utc(2024, 7, 1), tz: 'Europe/Berlin', layout: 'RFC1123', want: 'Mon, 01 Jul 2024 02:00:00 CEST' },
  { note: 'default layout with an offset', t: utc(2024, 7, 1), tz: 'Asia/Kolkata', layout: '', want: '2024-07-01T05:30:00+05:30' },
  {
    note: 'numeric zone forms',
    t: utc(2024, 1, 1),
    tz: 'America/St_Johns',
    layout: '-0700 -07 -07:00 Z0700 Z07',
    want: '-0330 -03 -03:30 -0330 -03',
  },
  { note: 'UTC zone prints Z and UTC', t: 0, tz: 'UTC', layout: 'Z07:00 MST -0700', want: 'Z UTC +0000' },
  { note: 'Local is UTC in a module', t: 0, tz: 'Local', layout: 'Z07:00 MST', want: 'Z UTC' },
  { note: 'Etc zone with inverted sign', t: 0, tz: 'Etc/GMT+5', layout: '15:04 MST', want: '19:00 -05' },
];

describe('time.format in zones', () => {
  it.each(formatCases)('$note', ({ t, tz, layout, want }) => {
    expect(rt.call('bi_time_format', layout === '' ? [sec(t), tz] : [sec(t), tz, layout])).toBe(want);
  });
});

type ValueCase = { note: string; fn: string; args: Arg[]; want: unknown };

const valueCases: ValueCase[] = [
  {
    note: 'date crosses midnight westward',
    fn: 'bi_time_date',
    args: [[sec(utc(2024, 1, 1, 3)), 'America/Los_Angeles']],
    want: [2023, 12, 31],
  },
  {
    note: 'weekday crosses midnight eastward',
    fn: 'bi_time_weekday',
    args: [[sec(utc(2024, 1, 1, 20)), 'Pacific/Kiritimati']],
    want: 'Tuesday',
  },
  { note: 'Samoa skipped 2011-12-30', fn: 'bi_time_date', args: [[sec(utc(2011, 12, 30, 10)), 'Pacific/Apia']], want: [2011, 12, 31] },
  {
    note: 'the earliest int64 instant in local mean time',
    fn: 'bi_time_clock',
    args: [[raw('-9223372036854775808'), 'Europe/London']],
    want: [0, 11, 28],
  },
  {
    note: 'diff is read in the first zone',
    fn: 'bi_time_diff',
    args: [[sec(utc(2024, 3, 9, 12)), 'America/New_York'], sec(utc(2024, 3, 10, 12))],
    want: [0, 0, 1, 1, 0, 0],
  },
  {
    note: 'diff in UTC has no DST hour',
    fn: 'bi_time_diff',
    args: [sec(utc(2024, 3, 9, 12)), [sec(utc(2024, 3, 10, 12)), 'America/New_York']],
    want: [0, 0, 1, 0, 0, 0],
  },
  // 01:30 EDT comes before 01:10 EST: ordered by instant, the wall clocks borrow a day (as OPA's algorithm does).
  {
    note: 'diff over the repeated hour orders by instant',
    fn: 'bi_time_diff',
    args: [[sec(utc(2024, 11, 3, 5, 30)), 'America/New_York'], sec(utc(2024, 11, 3, 6, 10))],
    want: [-1, 11, 29, 23, 40, 0],
  },
  {
    note: 'add_date keeps the wall clock across spring forward',
    fn: 'bi_time_add_date',
    args: [[sec(utc(2024, 3, 9, 17)), 'America/New_York'], 0, 0, 1],
    want: Number(BigInt(utc(2024, 3, 10, 16)) * 1000000000n),
  },
  // 02:30 does not exist on 2024-03-10: Go's time.Date reads it with EST's offset, then EDT's, giving 01:30 EST.
  {
    note: 'add_date into the skipped hour lands where Go puts it',
    fn: 'bi_time_add_date',
    args: [[sec(utc(2024, 3, 9, 7, 30)), 'America/New_York'], 0, 0, 1],
    want: Number(BigInt(utc(2024, 3, 10, 6, 30)) * 1000000000n),
  },
  {
    note: 'add_date into the repeated hour takes the first',
    fn: 'bi_time_add_date',
    args: [[sec(utc(2024, 11, 2, 5, 30)), 'America/New_York'], 0, 0, 1],
    want: Number(BigInt(utc(2024, 11, 3, 5, 30)) * 1000000000n),
  },
  {
    note: 'add_date a month in Sydney keeps 09:00',
    fn: 'bi_time_add_date',
    args: [[sec(utc(2024, 3, 31, 22)), 'Australia/Sydney'], 0, 1, 0],
    want: Number(BigInt(utc(2024, 4, 30, 23)) * 1000000000n),
  },
  { note: 'zone names are case-sensitive', fn: 'bi_time_date', args: [[0, 'america/new_york']], want: undefined },
  { note: 'a directory is not a zone', fn: 'bi_time_date', args: [[0, 'America']], want: undefined },
  { note: 'trailing space is not a zone', fn: 'bi_time_date', args: [[0, 'UTC ']], want: undefined },
];

describe('zone-aware values', () => {
  it.each(valueCases)('$note', ({ fn, args, want }) => {
    expect(rt.call(fn, ...args)).toEqual(want);
  });
});

type StrictCase = { note: string; fn: string; args: Arg[]; message: string };

const strictCases: StrictCase[] = [
  {
    note: 'unknown zone',
    fn: 'bi_time_date',
    args: [[0, 'Mars/Olympus']],
    message: 'eval_builtin_error: time.date: unknown time zone Mars/Olympus',
  },
  {
    note: 'dot-dot is an invalid name',
    fn: 'bi_time_clock',
    args: [[0, '../../etc/passwd']],
    message: 'eval_builtin_error: time.clock: time: invalid location name',
  },
  {
    note: 'absolute path is an invalid name',
    fn: 'bi_time_format',
    args: [[0, '/etc/localtime']],
    message: 'eval_builtin_error: time.format: time: invalid location name',
  },
  {
    note: 'second operand zone is checked',
    fn: 'bi_time_diff',
    args: [0, [0, 'Nowhere']],
    message: 'eval_builtin_error: time.diff: unknown time zone Nowhere',
  },
];

describe('zone errors in strict mode', () => {
  it.each(strictCases)('$note', ({ fn, args, message }) => {
    expect(() => strict.call(fn, ...args)).toThrow(message);
  });
});

describe('a module without the blob', () => {
  it.each([
    { tz: '', want: [1970, 1, 1] },
    { tz: 'UTC', want: [1970, 1, 1] },
    { tz: 'Local', want: [1970, 1, 1] },
    { tz: 'Europe/Berlin', want: undefined },
  ])('resolves only UTC names: "$tz"', ({ tz, want }) => {
    expect(bare.call('bi_time_date', [0, tz])).toEqual(want);
  });
});
