// time.add_date, time.diff, time.format and time.parse_ns through the built runtime.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime, raw, type Arg, type Runtime } from '../harness.js';

let rt: Runtime;
beforeAll(async () => {
  rt = await loadRuntime();
}, 60000);

/** ns returns the exact nanoseconds (as decimal text) of a UTC date-time. */
function ns(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, frac = 0n): string {
  return String(BigInt(Date.UTC(y, mo - 1, d, h, mi, s)) * 1000000n + frac);
}

/** at passes the nanoseconds of a UTC date-time as an exact number argument. */
function at(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, frac = 0n): Arg {
  return raw(ns(y, mo, d, h, mi, s, frac));
}

type Case = { note: string; fn: string; args: Arg[]; want: unknown };

const A = 'bi_time_add_date';
const D = 'bi_time_diff';
const F = 'bi_time_format';
const P = 'bi_time_parse_ns';

// Results compared as %v text, so int64 values are compared exactly.
const nsCases: Case[] = [
  { note: 'add one year to the epoch', fn: A, args: [0, 1, 0, 0], want: ns(1971, 1, 1) },
  { note: 'add a month to Oct 31 normalises to Dec 1', fn: A, args: [at(2023, 10, 31), 0, 1, 0], want: ns(2023, 12, 1) },
  { note: 'subtract a month from Mar 31 of a leap year', fn: A, args: [at(2024, 3, 31), 0, -1, 0], want: ns(2024, 3, 2) },
  { note: 'add a year to a leap day', fn: A, args: [at(2024, 2, 29), 1, 0, 0], want: ns(2025, 3, 1) },
  {
    note: 'add 14 months and 40 days keeps the clock',
    fn: A,
    args: [at(2023, 1, 15, 10, 20, 30, 5n), 0, 14, 40],
    want: ns(2024, 4, 24, 10, 20, 30, 5n),
  },
  { note: 'add days before the epoch', fn: A, args: [-1, 0, 0, 1], want: String(86400000000000n - 1n) },
  { note: 'add beyond 2262 is out of range', fn: A, args: [at(2262, 1, 1), 1, 0, 0], want: undefined },
  { note: 'add with a string ns is a type error', fn: A, args: ['0', 1, 0, 0], want: undefined },
  { note: 'parse date only', fn: P, args: ['2006-01-02', '2024-02-29'], want: ns(2024, 2, 29) },
  {
    note: 'parse RFC 3339 with offset',
    fn: P,
    args: ['2006-01-02T15:04:05Z07:00', '2017-06-02T19:00:00-07:00'],
    want: '1496455200000000000',
  },
  {
    note: 'parse ANSIC with space-padded day',
    fn: P,
    args: ['Mon Jan _2 15:04:05 2006', 'Thu Feb  1 13:05:09 2024'],
    want: ns(2024, 2, 1, 13, 5, 9),
  },
  {
    note: 'parse RFC 1123 in GMT',
    fn: P,
    args: ['Mon, 02 Jan 2006 15:04:05 MST', 'Fri, 01 Mar 2024 08:00:00 GMT'],
    want: ns(2024, 3, 1, 8),
  },
  { note: 'parse long month and pm', fn: P, args: ['January 2, 2006 3:04pm', 'march 9, 2024 1:05pm'], want: ns(2024, 3, 9, 13, 5) },
  { note: 'parse 12am is midnight', fn: P, args: ['2006-01-02 03PM', '2024-03-09 12AM'], want: ns(2024, 3, 9) },
  {
    note: 'parse two-digit year and numeric zone',
    fn: P,
    args: ['02/01/06 15:04 -0700', '05/03/99 23:30 +0130'],
    want: ns(1999, 3, 5, 22),
  },
  {
    note: 'parse accepts a fraction the layout lacks',
    fn: P,
    args: ['2006-01-02 15:04:05', '2024-01-01 00:00:00.25'],
    want: ns(2024, 1, 1, 0, 0, 0, 250000000n),
  },
  {
    note: 'parse fixed milliseconds',
    fn: P,
    args: ['15:04:05.000 2006-01-02', '01:02:03.004 2024-01-01'],
    want: ns(2024, 1, 1, 1, 2, 3, 4000000n),
  },
  {
    note: 'parse optional nanoseconds',
    fn: P,
    args: ['2006-01-02T15:04:05.999999999Z07:00', '2024-01-01T00:00:00.123456789Z'],
    want: ns(2024, 1, 1, 0, 0, 0, 123456789n),
  },
  { note: 'parse day of year', fn: P, args: ['2006 002', '2024 060'], want: ns(2024, 2, 29) },
  { note: 'parse Feb 30 is out of range', fn: P, args: ['2006-01-02', '2023-02-29'], want: undefined },
  { note: 'parse mismatch', fn: P, args: ['2006-01-02', '24-01-01'], want: undefined },
  { note: 'parse extra text', fn: P, args: ['2006-01-02', '2024-01-01T00'], want: undefined },
  { note: 'parse year 0 is out of range', fn: P, args: ['15:04', '10:30'], want: undefined },
  { note: 'parse hour out of range', fn: P, args: ['2006-01-02 15', '2024-01-01 24'], want: undefined },
  { note: 'parse number layout is a type error', fn: P, args: [1, '2024'], want: undefined },
];

const valueCases: Case[] = [
  { note: 'diff across a month end', fn: D, args: [at(2024, 1, 31), at(2024, 3, 1)], want: [0, 1, 1, 0, 0, 0] },
  { note: 'diff is symmetric', fn: D, args: [at(2024, 3, 1), at(2024, 1, 31)], want: [0, 1, 1, 0, 0, 0] },
  { note: 'diff borrows through every unit', fn: D, args: [at(2023, 12, 31, 23, 59, 59), at(2024, 1, 1)], want: [0, 0, 0, 0, 0, 1] },
  {
    note: 'diff of years and clock',
    fn: D,
    args: [at(2000, 6, 15, 10, 30, 0), [at(2024, 2, 29, 8, 15, 45), 'UTC']],
    want: [23, 8, 13, 21, 45, 45],
  },
  { note: 'diff before the epoch', fn: D, args: [-1, 0], want: [0, 0, 0, 0, 0, 1] },
  { note: 'diff unknown zone', fn: D, args: [[0, 'Mars/Olympus'], 0], want: undefined },
  { note: 'diff bad type', fn: D, args: [0, 'x'], want: undefined },
  { note: 'format epoch in RFC 3339', fn: F, args: [0], want: '1970-01-01T00:00:00Z' },
  { note: 'format trims nanoseconds', fn: F, args: [1500000000], want: '1970-01-01T00:00:01.5Z' },
  { note: 'format with empty zone', fn: F, args: [[at(2024, 2, 29, 13, 5, 9, 120n), '']], want: '2024-02-29T13:05:09.00000012Z' },
  { note: 'format named layout RFC822', fn: F, args: [[0, 'UTC', 'RFC822']], want: '01 Jan 70 00:00 UTC' },
  { note: 'format named layout ANSIC', fn: F, args: [[at(2024, 2, 9, 13, 5, 9), 'UTC', 'ANSIC']], want: 'Fri Feb  9 13:05:09 2024' },
  { note: 'format kitchen layout', fn: F, args: [[at(2024, 2, 9, 13, 5, 9), 'UTC', '3:04PM']], want: '1:05PM' },
  { note: 'format midnight on a 12-hour clock', fn: F, args: [[0, 'UTC', '03:04 pm']], want: '12:00 am' },
  {
    note: 'format long names, day of year and zones',
    fn: F,
    args: [[at(2024, 2, 29, 13, 5, 9), 'UTC', 'Monday, January 2 2006 002 -07:00 Z0700 MST']],
    want: 'Thursday, February 29 2024 060 +00:00 Z UTC',
  },
  { note: 'format fixed fraction with comma', fn: F, args: [[at(2024, 1, 1, 0, 0, 9, 4000000n), 'UTC', '05,000000']], want: '09,004000' },
  { note: 'format optional fraction absent when zero', fn: F, args: [[at(2024, 1, 1), 'UTC', '15:04:05.999']], want: '00:00:00' },
  { note: 'format literal underscore before year', fn: F, args: [[at(2024, 1, 1), 'UTC', 'x_2006 06']], want: 'x_2024 24' },
  { note: 'format unknown zone', fn: F, args: [[0, 'Mars/Olympus']], want: undefined },
  { note: 'format bad type', fn: F, args: ['0'], want: undefined },
  { note: 'format of a one-item array (as OPA: zone and layout optional)', fn: F, args: [[0]], want: '1970-01-01T00:00:00Z' },
  { note: 'format of an empty array', fn: F, args: [[]], want: undefined },
  { note: 'format with an empty layout uses RFC 3339', fn: F, args: [[0, 'UTC', '']], want: '1970-01-01T00:00:00Z' },
  { note: 'format ignores items after the layout', fn: F, args: [[0, 'UTC', '2006', 'extra']], want: '1970' },
  { note: 'format of a fractional timestamp', fn: F, args: [1.5], want: undefined },
];

describe('time nanosecond results', () => {
  it.each(nsCases)('$note', ({ fn, args, want }) => {
    const r = rt.callPtr(fn, ...args);
    expect(r.ptr === 0 ? undefined : rt.call('bi_sprintf', '%v', [r])).toBe(want);
  });
});

describe('time value results', () => {
  it.each(valueCases)('$note', ({ fn, args, want }) => {
    expect(rt.call(fn, ...args)).toEqual(want);
  });
});

type StrictCase = { note: string; fn: string; args: Arg[]; message: string };

const strictCases: StrictCase[] = [
  {
    note: 'add_date range',
    fn: A,
    args: [at(2262, 1, 1), 1, 0, 0],
    message: 'eval_builtin_error: time.add_date: time outside of valid range',
  },
  { note: 'format zone', fn: F, args: [[0, 'Mars/Olympus']], message: 'eval_builtin_error: time.format: unknown time zone Mars/Olympus' },
  { note: 'fractional timestamp', fn: F, args: [1.5], message: 'eval_builtin_error: time.format: timestamp too big' },
  {
    note: 'timestamp beyond int64',
    fn: F,
    args: [raw('9223372036854775808')],
    message: 'eval_builtin_error: time.format: timestamp too big',
  },
  { note: 'zone item type', fn: F, args: [[0, 1]], message: 'eval_type_error: time.format: operand 1 must be string but got number' },
  { note: 'ns item type', fn: D, args: [0, ['0']], message: 'eval_type_error: time.diff: operand 1 must be number but got string' },
  {
    note: 'add_date years must be integral',
    fn: A,
    args: [0, 1.5, 0, 0],
    message: 'eval_type_error: time.add_date: operand 2 must be integer number but got floating-point number',
  },
  {
    note: 'diff type',
    fn: D,
    args: ['x', 0],
    message: 'eval_type_error: time.diff: operand 1 must be either number (ns) or [number (ns), string (tz)] but got string',
  },
  {
    note: 'parse mismatch',
    fn: P,
    args: ['2006-01-02', '24-01-01'],
    message: 'time.parse_ns: parsing time "24-01-01" as "2006-01-02": cannot parse "24-01-01" as "2006"',
  },
  {
    note: 'parse day range',
    fn: P,
    args: ['2006-01-02', '2023-02-29'],
    message: 'time.parse_ns: parsing time "2023-02-29": day out of range',
  },
  { note: 'parse type', fn: P, args: ['2006', 2024], message: 'eval_type_error: time.parse_ns: operand 2 must be string but got number' },
];

describe('time strict errors', () => {
  it.each(strictCases)('$note', async ({ fn, args, message }) => {
    const strict = await loadRuntime();
    strict.exports['rt_set_strict']!(1);
    expect(() => strict.call(fn, ...args)).toThrow(message);
  });
});
