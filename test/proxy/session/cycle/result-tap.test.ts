// ResultTap: what the agent saw of one statement, for its outcome record: rows counted, the
// SHA-256 of exactly the bytes sent (none sent: no digest), and with a cap the rows kept until the
// next one would pass it (then truncated, and nothing more is kept).

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ResultTap } from '../../../../proxy/session/cycle/result-tap.js';
import { encodeBackend } from '../../../../proxy/wire/index.js';

const row = (...values: (string | null)[]): Buffer =>
  encodeBackend({ kind: 'dataRow', values: values.map((v) => (v === null ? null : Buffer.from(v))) });
const sha = (...parts: Buffer[]): string => createHash('sha256').update(Buffer.concat(parts)).digest('hex');

describe('ResultTap', () => {
  it('without anything sent, has no digest', () => {
    expect(new ResultTap(['a'], undefined).outcome()).toEqual({ rows: 0, columns: ['a'], digest: null });
  });

  it.each([
    { note: 'no cap: rows counted, none kept', cap: undefined, kept: undefined, truncated: undefined },
    {
      note: 'a cap that holds them all',
      cap: 1000,
      kept: [
        ['1', 'x'],
        ['2', null],
      ],
      truncated: false,
    },
    { note: 'a cap that holds the first only', cap: row('1', 'x').length, kept: [['1', 'x']], truncated: true },
    { note: 'a cap below one row', cap: 3, kept: [], truncated: true },
  ])('$note', ({ cap, kept, truncated }) => {
    const head = Buffer.from('T-row-description');
    const tap = new ResultTap(['id', 'v'], cap);
    tap.seen(head, false);
    tap.seen(row('1', 'x'), true);
    tap.seen(row('2', null), true);
    expect(tap.outcome()).toEqual({
      rows: 2,
      columns: ['id', 'v'],
      digest: sha(head, row('1', 'x'), row('2', null)),
      ...(kept !== undefined ? { result_rows: kept, result_truncated: truncated } : {}),
    });
  });

  it.each([
    { note: 'one frame', frames: 1, size: 10 },
    { note: 'small frames, hashed at the end in one call', frames: 50, size: 100 },
    { note: 'frames past 64 KiB, streamed into a hash object', frames: 40, size: 4000 },
    { note: 'one frame past 64 KiB', frames: 1, size: 70_000 },
  ])('the digest is of exactly the bytes sent: $note', ({ frames, size }) => {
    const tap = new ResultTap(['v'], undefined);
    const sent: Buffer[] = [];
    for (let i = 0; i < frames; i++) {
      const b = Buffer.alloc(size, i % 251);
      sent.push(b);
      tap.seen(b, true);
    }
    expect(tap.outcome()).toEqual({ rows: frames, columns: ['v'], digest: sha(...sent) });
  });

  it('hashes frames side by side in one chunk as the bytes they are, past 64 KiB too', () => {
    const chunk = Buffer.alloc(200_000);
    for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 7) % 256;
    const tap = new ResultTap(['v'], undefined);
    const other = Buffer.from('elsewhere');
    let at = 0;
    for (const size of [5, 100, 70_000, 1, 60_000, 9]) {
      tap.seen(chunk.subarray(at, at + size), true);
      at += size;
    }
    tap.seen(other, false);
    tap.seen(chunk.subarray(at, at + 1000), true);
    expect(tap.outcome().digest).toBe(sha(chunk.subarray(0, at), other, chunk.subarray(at, at + 1000)));
  });
});
