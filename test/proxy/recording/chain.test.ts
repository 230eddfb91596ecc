// The chain's canonical JSON: sorted keys at every depth, no whitespace, JSON.stringify's rules for
// values (undefined members dropped, undefined in arrays as null, non-finite numbers as null), so a
// record read back from jsonb (keys reordered) hashes as when it was written.

import { describe, expect, it } from 'vitest';
import { canonicalJson, recordHash } from '../../../proxy/recording/index.js';

/** reference sorts keys through a JSON round trip: what canonicalJson must equal, only faster. */
function reference(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(sort(JSON.parse(JSON.stringify(value) ?? 'null'))) ?? 'null';
}

describe('canonicalJson', () => {
  it.each([
    { note: 'scalars', value: [null, true, false, 0, -0, 1.5, 1e21, -1e-7, '', 'é"\\\n\u2028'] },
    { note: 'sorted keys at every depth', value: { b: 1, a: { d: [{ z: 1, y: 2 }], c: null }, A: 'x', _: 0 } },
    { note: 'undefined members and array slots', value: { a: undefined, b: [undefined, 1], c: () => 1 } },
    { note: 'non-finite numbers', value: { n: Number.NaN, i: Number.POSITIVE_INFINITY, l: [Number.NEGATIVE_INFINITY] } },
    { note: 'a Date (toJSON)', value: { at: new Date(0) } },
    { note: 'unicode keys', value: { é: 1, e: 2, '\u{1F600}': 3, z: 4 } },
  ])('matches a sorted JSON round trip: $note', ({ value }) => {
    expect(canonicalJson(value)).toBe(reference(value));
  });

  it('sorts integer-like keys as strings (JS objects would put them first, numerically)', () => {
    expect(canonicalJson({ '9': 2, '10': 1, a: 0 })).toBe('{"10":1,"9":2,"a":0}');
  });

  it('hashes a record the same whatever the order of its keys', () => {
    const body = { kind: 'session.end', session: 's', reason: 'client', statements: 1, rows: 2, duration_ms: 3 } as const;
    const reordered = { duration_ms: 3, rows: 2, statements: 1, reason: 'client', session: 's', kind: 'session.end' } as const;
    expect(recordHash('p', 'j', 1, 'at', body)).toBe(recordHash('p', 'j', 1, 'at', reordered));
    expect(recordHash('p', 'j', 1, 'at', body)).not.toBe(recordHash('p', 'j', 2, 'at', body));
  });
});
