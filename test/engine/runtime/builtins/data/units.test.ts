// units.parse and units.parse_bytes through the built runtime.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime, type Arg, type Runtime } from '../harness.js';

let rt: Runtime;
beforeAll(async () => {
  rt = await loadRuntime();
}, 60000);

type Case = { note: string; fn: string; args: Arg[]; text: string | undefined };

const B = 'bi_units_parse_bytes';
const U = 'bi_units_parse';

// Results as %v text, so big integers are compared exactly.
const cases: Case[] = [
  { note: 'bytes plain', fn: B, args: ['12345'], text: '12345' },
  { note: 'bytes quotes and case', fn: B, args: ['"100TIB"'], text: '109951162777600' },
  { note: 'bytes bare fraction', fn: B, args: ['.5KB'], text: '500' },
  { note: 'bytes rounded', fn: B, args: ['1.1KiB'], text: '1126' },
  { note: 'bytes exa exact', fn: B, args: ['10eib'], text: '11529215046068469760' },
  { note: 'bytes exponent', fn: B, args: ['4.5e1GiB'], text: '48318382080' },
  { note: 'bytes negative exponent', fn: B, args: ['1e-2KB'], text: '10' },
  { note: 'bytes trailing e is a unit', fn: B, args: ['5E'], text: '5000000000000000000' },
  { note: 'bytes empty', fn: B, args: [''], text: undefined },
  { note: 'bytes unit only', fn: B, args: ['GB'], text: undefined },
  { note: 'bytes unknown unit', fn: B, args: ['10xb'], text: undefined },
  { note: 'bytes space', fn: B, args: ['10 KB'], text: undefined },
  { note: 'bytes two dots', fn: B, args: ['1.2.3KB'], text: undefined },
  { note: 'bytes non-string', fn: B, args: [10], text: undefined },
  { note: 'units milli', fn: U, args: ['1500m'], text: '1.5' },
  { note: 'units mega', fn: U, args: ['2M'], text: '2000000' },
  { note: 'units kilo case-insensitive', fn: U, args: ['3K'], text: '3000' },
  { note: 'units kibi', fn: U, args: ['1Ki'], text: '1024' },
  { note: 'units mebi lower', fn: U, args: ['1mi'], text: '1048576' },
  { note: 'units plain fraction', fn: U, args: ['0.25'], text: '0.25' },
  { note: 'units byte unit rejected', fn: U, args: ['1KB'], text: undefined },
];

describe('units builtins', () => {
  it.each(cases)('$note', ({ fn, args, text }) => {
    const r = rt.callPtr(fn, ...args);
    expect(r.ptr === 0 ? undefined : rt.call('bi_sprintf', '%v', [r])).toBe(text);
  });
});

type StrictCase = { note: string; fn: string; args: Arg[]; message: string };

const strictCases: StrictCase[] = [
  { note: 'no amount', fn: B, args: ['foo'], message: 'eval_builtin_error: units.parse_bytes: no byte amount provided' },
  { note: 'unknown unit', fn: B, args: ['10xb'], message: 'units.parse_bytes: byte unit xb not recognized' },
  { note: 'spaces', fn: B, args: ['1 KB'], message: 'units.parse_bytes: spaces not allowed in resource strings' },
  { note: 'bad amount', fn: U, args: ['1..2K'], message: 'units.parse: could not parse amount to a number' },
  { note: 'type', fn: U, args: [1], message: 'eval_type_error: units.parse: operand 1 must be string but got number' },
];

describe('units strict errors', () => {
  it.each(strictCases)('$note', async ({ fn, args, message }) => {
    const strict = await loadRuntime();
    strict.exports['rt_set_strict']!(1);
    expect(() => strict.call(fn, ...args)).toThrow(message);
  });
});
