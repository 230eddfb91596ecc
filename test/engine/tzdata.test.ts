// The compiler embeds the time zone database only in modules that call a zone builtin, and such
// modules evaluate zones on the official SDK and on our loader alike.
import { describe, expect, it } from 'vitest';
import { loadPolicy as sdkLoadPolicy } from '@open-policy-agent/opa-wasm';
import { compile, loadPolicy } from '../../engine/index.js';

/** build compiles one module with entrypoint `t` and returns the Wasm bytes. */
function build(body: string): Uint8Array {
  const r = compile({ files: [{ name: 't.rego', text: `package t\n${body}\n` }], entrypoints: ['t'] });
  if (!r.wasm) throw new Error(JSON.stringify(r.diagnostics));
  return r.wasm;
}

/** carriesTzdata tells whether the module bytes contain the blob's magic. */
function carriesTzdata(wasm: Uint8Array): boolean {
  return Buffer.from(wasm).includes(Buffer.from('PTZ1'));
}

describe('tzdata embedding', () => {
  it.each([
    { note: 'time.date', body: 'x := time.date(input.ns)', want: true },
    { note: 'time.clock', body: 'x := time.clock(input.ns)', want: true },
    { note: 'time.weekday', body: 'x := time.weekday(input.ns)', want: true },
    { note: 'time.diff', body: 'x := time.diff(input.a, input.b)', want: true },
    { note: 'time.format', body: 'x := time.format(input.ns)', want: true },
    { note: 'time.add_date', body: 'x := time.add_date(input.ns, 0, 1, 0)', want: true },
    { note: 'time.parse_rfc3339_ns', body: 'x := time.parse_rfc3339_ns(input.s)', want: false },
    { note: 'no time builtin', body: 'x := count(input.xs)', want: false },
  ])('$note: $want', ({ body, want }) => {
    expect(carriesTzdata(build(body))).toBe(want);
  });
});

const policy = `
business_hours if {
  [hour, _, _] := time.clock([input.ns, input.tz])
  hour >= 9
  hour < 17
  not time.weekday([input.ns, input.tz]) in {"Saturday", "Sunday"}
}
stamp := time.format([input.ns, input.tz, "Mon 2006-01-02 15:04 MST"])
`;

const cases = [
  {
    note: 'Tuesday 14:00 UTC is 09:00 in New York',
    input: { ns: 1704204000000000000, tz: 'America/New_York' },
    want: { business_hours: true, stamp: 'Tue 2024-01-02 09:00 EST' },
  },
  {
    note: 'the same instant is 23:00 in Tokyo',
    input: { ns: 1704204000000000000, tz: 'Asia/Tokyo' },
    want: { stamp: 'Tue 2024-01-02 23:00 JST' },
  },
  {
    note: 'Saturday morning in Berlin',
    input: { ns: 1719648000000000000, tz: 'Europe/Berlin' },
    want: { stamp: 'Sat 2024-06-29 10:00 CEST' },
  },
  { note: 'an unknown zone is undefined', input: { ns: 0, tz: 'Nowhere/Land' }, want: {} },
];

describe('zones on both hosts', () => {
  const wasm = build(policy);
  it.each(cases)('$note', async ({ input, want }) => {
    const sdk = await sdkLoadPolicy(wasm);
    const ours = await loadPolicy(wasm);
    expect(sdk.evaluate(input)).toEqual([{ result: want }]);
    expect(ours.evaluate(input)).toEqual([{ result: want }]);
  });
});
