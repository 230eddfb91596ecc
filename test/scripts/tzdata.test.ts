// The tzdata generator's pieces: POSIX TZ footers as Go reads them, and compaction that keeps
// Go's answers (checked on the machine's zoneinfo files when there are any).
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compactZone, lookupCompact, MAX_SEC, MIN_SEC } from '../../scripts/tzdata/compact.js';
import { type PosixRule, lookupZone, parsePosixRule, parseTzif, ruleType } from '../../scripts/tzdata/zone.js';

const at = (iso: string) => Date.parse(iso) / 1000;

describe('POSIX TZ footers', () => {
  it.each([
    { tz: 'EST5EDT,M3.2.0,M11.1.0', want: { std: [-18000, 'EST'], dst: [-14400, 'EDT'], start: 'mwd 3.2.0 7200', end: 'mwd 11.1.0 7200' } },
    {
      tz: 'CET-1CEST,M3.5.0,M10.5.0/3',
      want: { std: [3600, 'CET'], dst: [7200, 'CEST'], start: 'mwd 3.5.0 7200', end: 'mwd 10.5.0 10800' },
    },
    { tz: '<+0545>-5:45', want: { std: [20700, '+0545'] } },
    {
      tz: '<-02>2<-01>,M3.5.0/-1,M10.5.0/0',
      want: { std: [-7200, '-02'], dst: [-3600, '-01'], start: 'mwd 3.5.0 -3600', end: 'mwd 10.5.0 0' },
    },
    {
      tz: 'IST-2IDT,M3.4.4/26,M10.5.0',
      want: { std: [7200, 'IST'], dst: [10800, 'IDT'], start: 'mwd 3.4.4 93600', end: 'mwd 10.5.0 7200' },
    },
    { tz: 'XXX3YYY,J60/1,100', want: { std: [-10800, 'XXX'], dst: [-7200, 'YYY'], start: 'julian 60 3600', end: 'doy 100 7200' } },
    { tz: 'PST8PDT', want: { std: [-28800, 'PST'], dst: [-25200, 'PDT'], start: 'mwd 3.2.0 7200', end: 'mwd 11.1.0 7200' } },
  ])('$tz', ({ tz, want }) => {
    const r = parsePosixRule(tz);
    const date = (d: NonNullable<PosixRule['dst']>['start']) =>
      d.kind === 'mwd' ? `mwd ${d.month}.${d.week}.${d.weekday} ${d.time}` : `${d.kind} ${d.day} ${d.time}`;
    expect({
      std: [r.std.offset, r.std.abbr],
      ...(r.dst ? { dst: [r.dst.type.offset, r.dst.type.abbr], start: date(r.dst.start), end: date(r.dst.end) } : {}),
    }).toEqual(want);
  });

  it.each(['', 'E', 'EST5EDT,M3', 'EST5EDT,M3.2.0,M11.1.0x', '<+05'])('rejects %j', (tz) => {
    expect(() => parsePosixRule(tz)).toThrow(/TZ string/);
  });

  it.each([
    { note: 'New York, just before spring forward', tz: 'EST5EDT,M3.2.0,M11.1.0', t: at('2030-03-10T06:59:59Z'), want: 'EST' },
    { note: 'New York, at spring forward', tz: 'EST5EDT,M3.2.0,M11.1.0', t: at('2030-03-10T07:00:00Z'), want: 'EDT' },
    {
      note: 'Sydney in January (DST across the new year)',
      tz: 'AEST-10AEDT,M10.1.0,M4.1.0/3',
      t: at('2030-01-15T00:00:00Z'),
      want: 'AEDT',
    },
    { note: 'Sydney in July', tz: 'AEST-10AEDT,M10.1.0,M4.1.0/3', t: at('2030-07-15T00:00:00Z'), want: 'AEST' },
  ])('rule: $note', ({ tz, t, want }) => {
    expect(ruleType(parsePosixRule(tz), t).abbr).toBe(want);
  });
});

const ZONEINFO = '/usr/share/zoneinfo';
const SAMPLE_ZONES = [
  'America/New_York',
  'Europe/Dublin',
  'Australia/Lord_Howe',
  'Africa/Casablanca',
  'America/Nuuk',
  'Asia/Jerusalem',
  'Pacific/Apia',
  'Etc/GMT-14',
  'Factory',
];

describe.skipIf(!existsSync(ZONEINFO))(`compaction keeps Go's answers (${ZONEINFO})`, () => {
  it.each(SAMPLE_ZONES.filter((z) => existsSync(`${ZONEINFO}/${z}`)))('%s', (name) => {
    const zone = parseTzif(new Uint8Array(readFileSync(`${ZONEINFO}/${name}`)));
    const c = compactZone(zone);
    expect(c.transitions.length).toBeLessThanOrEqual(zone.transitions.length);
    for (let t = MIN_SEC; t < MAX_SEC; t += 86400 * 29 + 3599) {
      expect(lookupCompact(c, t), `${name} at ${t}`).toEqual(lookupZone(zone, t));
    }
  });
});
