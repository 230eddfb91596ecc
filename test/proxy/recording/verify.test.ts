// verifyChain on records in memory: a sound chain (interleaved journals) verifies; each kind of
// tampering is found once, at its first bad record; a journal starting after seq 1 verifies only
// behind tombstones that cover the gap and name the hash its first record links to.

import { describe, expect, it } from 'vitest';
import { chain, recordHash, verifyChain } from '../../../proxy/recording/index.js';
import type { ChainedRecord, RecordBody } from '../../../proxy/recording/index.js';

const AT = '2026-01-01T00:00:00.000Z';

function ending(n: number): RecordBody {
  return { kind: 'session.end', session: `s${n}`, reason: 'done', statements: n, rows: 0, duration_ms: 1 };
}

/** journal makes n chained records of journal j. */
function journal(j: string, n: number, from = 1, prev = ''): ChainedRecord[] {
  const out: ChainedRecord[] = [];
  for (let seq = from; seq < from + n; seq++) {
    const r = chain(j, seq, prev, AT, ending(seq));
    out.push(r);
    prev = r.hash;
  }
  return out;
}

const A = journal('a', 8);
const B = journal('b', 3);

/** rehash gives a record a correct hash for its (changed) content. */
function rehash(r: ChainedRecord): ChainedRecord {
  return { ...r, hash: recordHash(r.prev, r.journal, r.seq, r.at, r.body) };
}

function tombstone(j: string, from: number, to: number, lastHash: string): RecordBody {
  return { kind: 'tombstone', journal: j, from_seq: from, to_seq: to, last_hash: lastHash, reason: 'retention 30d' };
}

describe('verifyChain', () => {
  it.each([
    { note: 'a sound pair of interleaved journals', records: [...A.slice(0, 4), ...B, ...A.slice(4)], problems: [] },
    { note: 'an edited body', records: A.map((r) => (r.seq === 3 ? { ...r, body: ending(99) } : r)), problems: [['a', 3, 'altered']] },
    {
      note: 'an edited body with its hash recomputed',
      records: A.map((r) => (r.seq === 3 ? rehash({ ...r, body: ending(99) }) : r)),
      problems: [['a', 3, 'altered']],
    },
    { note: 'a removed record', records: A.filter((r) => r.seq !== 4), problems: [['a', 4, 'removed']] },
    {
      note: 'the last records removed then appended to (a gap)',
      records: [...A.slice(0, 2), ...A.slice(5)],
      problems: [['a', 3, 'removed']],
    },
    {
      note: 'a first record that links somewhere',
      records: [{ ...A[0], prev: 'x' } as ChainedRecord, ...A.slice(1)],
      problems: [['a', 1, 'altered']],
    },
    { note: 'a journal missing its start', records: A.slice(2), problems: [['a', 1, 'removed']] },
  ])('$note', async ({ records, problems }) => {
    const report = await verifyChain(records);
    expect(report.problems.map((p) => [p.journal, p.seq, p.kind])).toEqual(problems);
    expect(report.ok).toBe(problems.length === 0);
  });

  it.each([
    {
      note: 'tombstones covering the gap in two steps',
      stones: [
        [1, 2],
        [3, 4],
      ],
      lastHash: 'right',
      problems: [],
    },
    { note: 'a tombstone naming another hash', stones: [[1, 4]], lastHash: 'wrong', problems: [['a', 5, 'removed']] },
    { note: 'tombstones leaving a hole', stones: [[1, 2]], lastHash: 'right', problems: [['a', 3, 'removed']] },
  ])('a pruned journal behind $note', async ({ stones, lastHash, problems }) => {
    const hash4 = (A[3] as ChainedRecord).hash;
    const bodies = stones.map(([from, to]) =>
      tombstone(
        'a',
        from as number,
        to as number,
        to === 4 && lastHash === 'right' ? hash4 : (A[(to as number) - 1] as ChainedRecord).hash,
      ),
    );
    if (lastHash === 'wrong') bodies[0] = tombstone('a', 1, 4, 'f'.repeat(64));
    let prev = '';
    const t = bodies.map((body, i) => {
      const r = chain('t', i + 1, prev, AT, body);
      prev = r.hash;
      return r;
    });
    const report = await verifyChain([...A.slice(4), ...t]);
    expect(report.problems.map((p) => [p.journal, p.seq, p.kind])).toEqual(problems);
    expect(report).toMatchObject({ journals: 2, records: 4 + t.length });
  });
});
