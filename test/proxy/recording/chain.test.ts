// The chain: a record's hash covers its body's JSON text exactly as written (recordLine puts the
// body last, parseRecordLine cuts that text back out), so a verifier checks the bytes it reads.
// canonicalJson and legacyRecordHash keep records written before that verifiable: sorted keys at
// every depth, no whitespace, JSON.stringify's rules for values.

import { describe, expect, it } from 'vitest';
import { canonicalJson, chain, contentHash, legacyRecordHash, parseRecordLine, recordLine } from '../../../proxy/recording/index.js';
import type { RecordBody } from '../../../proxy/recording/index.js';

const AT = '2026-06-01T08:00:00.000Z';
const END: RecordBody = { kind: 'session.end', session: 's', reason: 'client', statements: 1, rows: 2, duration_ms: 3 };

describe('recordLine and parseRecordLine', () => {
  it.each([
    { note: 'a plain body', body: END },
    { note: 'strings that need escapes', body: { ...END, reason: 'é"\\\n\u2028\u0000 }' } },
    {
      note: 'integer-like keys and unicode keys',
      body: { ...END, extra: { '10': 1, '9': 2, é: 3, '\u{1F600}': 4 } } as unknown as RecordBody,
    },
  ])('round-trips the exact body text: $note', ({ body }) => {
    const r = chain('j1', 7, 'a'.repeat(64), AT, body);
    const line = recordLine(r);
    expect(JSON.parse(line)).toEqual({ journal: 'j1', seq: 7, at: AT, prev: r.prev, hash: r.hash, body: JSON.parse(r.bodyJson) });
    const back = parseRecordLine(line);
    expect(back).toEqual(r);
    expect(contentHash(r.prev, 'j1', 7, AT, (back as { bodyJson: string }).bodyJson)).toBe(r.hash);
  });

  it('hashes the text given, whatever its member order (two texts of one value hash differently)', () => {
    const a = chain('j', 1, '', AT, END);
    const b = chain('j', 1, '', AT, END, JSON.stringify(Object.fromEntries(Object.entries(END).reverse())));
    expect(JSON.parse(b.bodyJson)).toEqual(JSON.parse(a.bodyJson));
    expect(b.hash).not.toBe(a.hash);
    expect(contentHash('', 'j', 1, AT, a.bodyJson)).toBe(a.hash);
    expect(contentHash('', 'j', 2, AT, a.bodyJson)).not.toBe(a.hash);
    expect(contentHash('x', 'j', 1, AT, a.bodyJson)).not.toBe(a.hash);
  });

  it.each([
    { note: 'a reformatted body keeps its value but not its text', line: (l: string) => l.replace('"body":{', '"body": {'), exact: false },
    // the envelope is not hashed text: its values are, and the body's text (JSON.stringify's, as the writer's) is intact
    {
      note: 'envelope members reordered',
      line: (l: string) => l.replace(/^\{"journal":"j","seq":1,/, '{"seq":1,"journal":"j",'),
      exact: true,
    },
    { note: 'a body member changed', line: (l: string) => l.replace('"rows":2', '"rows":3'), exact: false },
    { note: 'the line as written', line: (l: string) => l, exact: true },
  ])('$note', ({ line, exact }) => {
    const r = chain('j', 1, '', AT, END);
    const back = parseRecordLine(line(recordLine(r)));
    expect(back?.body.kind).toBe('session.end');
    expect(back !== undefined && contentHash('', 'j', 1, AT, back.bodyJson) === r.hash).toBe(exact);
  });

  it.each(['', 'not json', '[]', '{"seq":"1","journal":"j"}', 'null'])('%j is not a record', (line) => {
    expect(parseRecordLine(line)).toBeUndefined();
  });
});

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

describe('canonicalJson (legacy records)', () => {
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

  it('hashes a legacy record the same whatever the order of its keys', () => {
    const reordered = { duration_ms: 3, rows: 2, statements: 1, reason: 'client', session: 's', kind: 'session.end' } as const;
    expect(legacyRecordHash('p', 'j', 1, 'at', END)).toBe(legacyRecordHash('p', 'j', 1, 'at', reordered));
    expect(legacyRecordHash('p', 'j', 1, 'at', END)).not.toBe(legacyRecordHash('p', 'j', 2, 'at', END));
  });
});
