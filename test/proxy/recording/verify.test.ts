// verifyChain on records in memory: a sound chain (interleaved journals) verifies; each kind of
// tampering is found once, at its first bad record; a journal starting after seq 1 verifies only
// behind tombstones that cover the gap and name the hash its first record links to.

import { describe, expect, it } from 'vitest';
import { chain, contentHash, legacyRecordHash, verifyChain } from '../../../proxy/recording/index.js';
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

/** edit replaces a record's body (its text too, as an edit of the stored text would). */
function edit(r: ChainedRecord, body: RecordBody): ChainedRecord {
  return { ...r, body, bodyJson: JSON.stringify(body) };
}

/** rehash gives a record a correct hash for its (changed) content. */
function rehash(r: ChainedRecord): ChainedRecord {
  return { ...r, hash: contentHash(r.prev, r.journal, r.seq, r.at, r.bodyJson) };
}

/** legacy makes n records of journal j hashed as before exact-text hashing (canonical JSON of the parsed body). */
function legacy(j: string, n: number): ChainedRecord[] {
  const out: ChainedRecord[] = [];
  let prev = '';
  for (let seq = 1; seq <= n; seq++) {
    const body = ending(seq);
    const r = { journal: j, seq, at: AT, prev, hash: legacyRecordHash(prev, j, seq, AT, body), body, bodyJson: JSON.stringify(body) };
    out.push(r);
    prev = r.hash;
  }
  return out;
}

function tombstone(j: string, from: number, to: number, lastHash: string): RecordBody {
  return { kind: 'tombstone', journal: j, from_seq: from, to_seq: to, last_hash: lastHash, reason: 'retention 30d' };
}

describe('verifyChain', () => {
  it.each([
    { note: 'a sound pair of interleaved journals', records: [...A.slice(0, 4), ...B, ...A.slice(4)], problems: [] },
    { note: 'an edited body', records: A.map((r) => (r.seq === 3 ? edit(r, ending(99)) : r)), problems: [['a', 3, 'altered']] },
    {
      note: 'an edited body with its hash recomputed',
      records: A.map((r) => (r.seq === 3 ? rehash(edit(r, ending(99))) : r)),
      problems: [['a', 3, 'altered']],
    },
    { note: 'a removed record', records: A.filter((r) => r.seq !== 4), problems: [['a', 4, 'removed']] },
    {
      note: 'a body reformatted without changing its value (the text is what was hashed)',
      records: A.map((r) => (r.seq === 2 ? { ...r, bodyJson: JSON.stringify(r.body, null, 1) } : r)),
      problems: [['a', 2, 'altered']],
    },
    { note: 'records written before exact-text hashing (legacy canonical hashes)', records: legacy('l', 5), problems: [] },
    {
      note: 'a legacy record edited',
      records: legacy('l', 5).map((r) => (r.seq === 4 ? edit(r, ending(40)) : r)),
      problems: [['l', 4, 'altered']],
    },
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
