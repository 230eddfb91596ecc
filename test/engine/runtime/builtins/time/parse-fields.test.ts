// time.parse_rfc3339_ns, time.parse_duration_ns, time.date, time.clock and time.weekday (UTC) through the built runtime.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime, type Arg, type Runtime } from '../harness.js';

let rt: Runtime;
beforeAll(async () => {
  rt = await loadRuntime();
}, 60000);

type Case = { note: string; fn: string; args: Arg[]; text: string | undefined };

const R = 'bi_time_parse_rfc3339_ns';
const D = 'bi_time_parse_duration_ns';

// Results as %v text, so int64 values are compared exactly.
const cases: Case[] = [
  { note: 'epoch', fn: R, args: ['1970-01-01T00:00:00Z'], text: '0' },
  { note: 'offset', fn: R, args: ['2017-06-02T19:00:00-07:00'], text: '1496455200000000000' },
  { note: 'fraction', fn: R, args: ['1970-01-01T00:00:01.5+00:00'], text: '1500000000' },
  { note: 'before epoch', fn: R, args: ['1969-12-31T23:59:59.75Z'], text: '-250000000' },
  { note: 'int64 min', fn: R, args: ['1677-09-21T00:12:43.145224192-00:00'], text: '-9223372036854775808' },
  { note: 'int64 max', fn: R, args: ['2262-04-11T23:47:16.854775807-00:00'], text: '9223372036854775807' },
  { note: 'leap day', fn: R, args: ['2024-02-29T00:00:00Z'], text: '1709164800000000000' },
  { note: 'too small', fn: R, args: ['1677-09-21T00:12:43.145224191-00:00'], text: undefined },
  { note: 'too large', fn: R, args: ['2262-04-11T23:47:16.854775808-00:00'], text: undefined },
  { note: 'bad day', fn: R, args: ['2023-02-29T00:00:00Z'], text: undefined },
  { note: 'missing zone', fn: R, args: ['2023-01-01T00:00:00'], text: undefined },
  { note: 'date only', fn: R, args: ['2023-01-01'], text: undefined },
  { note: 'duration hours minutes', fn: D, args: ['1h30m'], text: '5400000000000' },
  { note: 'duration fraction', fn: D, args: ['1.5s'], text: '1500000000' },
  { note: 'duration negative', fn: D, args: ['-2ms'], text: '-2000000' },
  { note: 'duration micro sign', fn: D, args: ['3µs'], text: '3000' },
  { note: 'duration zero', fn: D, args: ['0'], text: '0' },
  { note: 'duration mixed', fn: D, args: ['1h2m3s4ms5us6ns'], text: '3723004005006' },
  { note: 'duration missing unit', fn: D, args: ['10'], text: undefined },
  { note: 'duration unknown unit', fn: D, args: ['10d'], text: undefined },
  { note: 'duration empty', fn: D, args: [''], text: undefined },
  { note: 'duration overflow', fn: D, args: ['3000000h'], text: undefined },
];

type ValueCase = { note: string; fn: string; args: Arg[]; want: unknown };

const valueCases: ValueCase[] = [
  { note: 'date epoch', fn: 'bi_time_date', args: [0], want: [1970, 1, 1] },
  { note: 'date 2017', fn: 'bi_time_date', args: [1496455200000000000], want: [2017, 6, 3] },
  { note: 'date before epoch', fn: 'bi_time_date', args: [-1], want: [1969, 12, 31] },
  { note: 'date leap day with UTC', fn: 'bi_time_date', args: [[1709164800000000000, 'UTC']], want: [2024, 2, 29] },
  { note: 'date unknown zone', fn: 'bi_time_date', args: [[0, 'Mars/Olympus']], want: undefined },
  { note: 'date bad type', fn: 'bi_time_date', args: ['0'], want: undefined },
  { note: 'clock', fn: 'bi_time_clock', args: [1496455200000000000], want: [2, 0, 0] },
  { note: 'clock before epoch', fn: 'bi_time_clock', args: [-1], want: [23, 59, 59] },
  { note: 'clock empty zone', fn: 'bi_time_clock', args: [[3723000000000, '']], want: [1, 2, 3] },
  { note: 'weekday epoch', fn: 'bi_time_weekday', args: [0], want: 'Thursday' },
  { note: 'weekday before epoch', fn: 'bi_time_weekday', args: [-1], want: 'Wednesday' },
  { note: 'weekday 2024-02-29', fn: 'bi_time_weekday', args: [1709164800000000000], want: 'Thursday' },
  { note: 'weekday 2017-06-03', fn: 'bi_time_weekday', args: [1496455200000000000], want: 'Saturday' },
];

describe('time date, clock and weekday', () => {
  it.each(valueCases)('$note', ({ fn, args, want }) => {
    expect(rt.call(fn, ...args)).toEqual(want);
  });
});

describe('time builtins', () => {
  it.each(cases)('$note', ({ fn, args, text }) => {
    const r = rt.callPtr(fn, ...args);
    expect(r.ptr === 0 ? undefined : rt.call('bi_sprintf', '%v', [r])).toBe(text);
  });
});

type StrictCase = { note: string; fn: string; args: Arg[]; message: string };

const strictCases: StrictCase[] = [
  {
    note: 'range',
    fn: R,
    args: ['2262-04-11T23:47:16.854775808-00:00'],
    message: 'eval_builtin_error: time.parse_rfc3339_ns: time outside of valid range',
  },
  { note: 'unknown unit', fn: D, args: ['10d'], message: 'time.parse_duration_ns: time: unknown unit "d" in duration "10d"' },
  { note: 'missing unit', fn: D, args: ['10'], message: 'time.parse_duration_ns: time: missing unit in duration "10"' },
  { note: 'type', fn: D, args: [1], message: 'eval_type_error: time.parse_duration_ns: operand 1 must be string but got number' },
];

describe('time strict errors', () => {
  it.each(strictCases)('$note', async ({ fn, args, message }) => {
    const strict = await loadRuntime();
    strict.exports['rt_set_strict']!(1);
    expect(() => strict.call(fn, ...args)).toThrow(message);
  });
});
