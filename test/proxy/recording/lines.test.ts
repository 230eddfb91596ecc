// Journal lines encoded once (proxy/recording/lines.ts): every line and hash is the one chain.ts's
// string functions make (recordLine, contentHash), whatever the body's characters, the previous
// hash, the sequence number or how often the buffer has to grow.

import { describe, expect, it } from 'vitest';
import { chain, contentHash, parseRecordLine, recordLine } from '../../../proxy/recording/index.js';
import type { RecordBody } from '../../../proxy/recording/index.js';
import { LineBuffer, appendLine } from '../../../proxy/recording/lines.js';

const AT = '2026-06-01T08:00:00.000Z';
const END: RecordBody = { kind: 'session.end', session: 's', reason: 'client', statements: 1, rows: 2, duration_ms: 3 };
const body = (reason: string): RecordBody => ({ ...END, reason });

const CASES: readonly { note: string; prev: string; seq: number; body: RecordBody }[] = [
  { note: 'the first record (no previous hash)', prev: '', seq: 1, body: END },
  { note: 'a chained record', prev: 'f'.repeat(64), seq: 123_456_789, body: END },
  { note: 'escapes', prev: 'a'.repeat(64), seq: 2, body: body('é"\\\n\u2028\u0000 }') },
  { note: 'two- to four-byte UTF-8', prev: 'b'.repeat(64), seq: 3, body: body('ß€\u{1F600}語'.repeat(50)) },
  { note: 'a body past the first capacity', prev: 'c'.repeat(64), seq: 4, body: body('x'.repeat(200_000)) },
  { note: 'a multi-byte body past the first capacity', prev: 'd'.repeat(64), seq: 5, body: body('\u{1F600}'.repeat(70_000)) },
];

describe('appendLine', () => {
  it.each(CASES)('writes the line recordLine writes, with contentHash: $note', ({ prev, seq, body: b }) => {
    const out = new LineBuffer(16);
    const json = JSON.stringify(b);
    const hash = appendLine(out, { journal: 'j_1.x', seq, at: AT, prev }, json);
    expect(hash).toBe(contentHash(prev, 'j_1.x', seq, AT, json));
    const expected = `${recordLine(chain('j_1.x', seq, prev, AT, b, json))}\n`;
    expect(out.buf.subarray(0, out.length).toString('utf8')).toBe(expected);
  });

  it('appends line after line into one buffer, each one parsing back to its record', () => {
    const out = new LineBuffer(64);
    let prev = '';
    const ends: number[] = [];
    for (const [i, c] of CASES.entries()) {
      const json = JSON.stringify(c.body);
      prev = appendLine(out, { journal: 'j', seq: i + 1, at: AT, prev }, json);
      ends.push(out.length);
    }
    const lines = out.buf.subarray(0, out.length).toString('utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(CASES.length);
    let before = '';
    for (const [i, line] of lines.entries()) {
      const r = parseRecordLine(line);
      expect(r?.seq).toBe(i + 1);
      expect(r?.prev).toBe(before);
      expect(r?.hash).toBe(contentHash(before, 'j', i + 1, AT, r?.bodyJson ?? ''));
      before = r?.hash ?? '';
    }
    expect(ends.at(-1)).toBe(out.length);
  });

  it('empties a buffer for reuse, and gives up reusing one grown past 4 MiB', () => {
    const small = new LineBuffer();
    appendLine(small, { journal: 'j', seq: 1, at: AT, prev: '' }, JSON.stringify(END));
    expect(small.reusable()).toBe(true);
    expect(small.length).toBe(0);
    const big = new LineBuffer();
    appendLine(big, { journal: 'j', seq: 1, at: AT, prev: '' }, JSON.stringify(body('y'.repeat(5 * 1024 * 1024))));
    expect(big.reusable()).toBe(false);
  });
});
