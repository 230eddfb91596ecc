// The local journal on real files: concurrent appends are group-committed (fewer fdatasyncs than
// appends) with order and chain intact; `sync: false` appends wait for no sync; segments rotate
// past segmentBytes; a torn final line is ignored on reading and a reopened journal continues
// after it; a failed write (ENOSPC from /dev/full, a removed directory) fails the journal closed
// with RecordingUnavailableError and no path in its message.

import {
  appendFileSync,
  closeSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  RecordingUnavailableError,
  openJournal,
  readJournals,
  readSegmentFrom,
  ZERO_AHEAD,
  contentHash,
  segmentName,
  verifyDir,
} from '../../../proxy/recording/index.js';
import type { ChainedRecord, RecordBody } from '../../../proxy/recording/index.js';
import { until } from '../../helpers/until.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'portcullis-journal-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** ending is a small record body, numbered by its session. */
function ending(n: number): RecordBody {
  return { kind: 'session.end', session: `s${n}`, reason: 'client closed', statements: n, rows: 0, duration_ms: 1 };
}

async function all(d: string): Promise<ChainedRecord[]> {
  const out: ChainedRecord[] = [];
  for await (const r of readJournals(d)) out.push(r);
  return out;
}

function expectChained(records: readonly ChainedRecord[], journal: string): void {
  let prev = '';
  records.forEach((r, i) => {
    expect(r).toMatchObject({ journal, seq: i + 1, prev });
    expect(r.hash).toBe(contentHash(r.prev, r.journal, r.seq, r.at, r.bodyJson));
    expect(JSON.parse(r.bodyJson)).toEqual(r.body);
    prev = r.hash;
  });
}

describe('openJournal group commit', () => {
  it.each([
    { note: '100 concurrent appends', n: 100, concurrent: true, maxFsyncs: 2 },
    { note: '20 concurrent appends', n: 20, concurrent: true, maxFsyncs: 2 },
    { note: '10 appends one after another', n: 10, concurrent: false, maxFsyncs: 10 },
  ])('$note: order and chain intact, at most $maxFsyncs fdatasyncs', async ({ n, concurrent, maxFsyncs }) => {
    const journal = await openJournal({ dir, id: 'gc' });
    const appended: ChainedRecord[] = [];
    if (concurrent) appended.push(...(await Promise.all(Array.from({ length: n }, (_, i) => journal.append(ending(i + 1))))));
    else for (let i = 0; i < n; i++) appended.push(await journal.append(ending(i + 1)));
    await journal.close();
    expect(journal.stats.records).toBe(n);
    expect(journal.stats.fsyncs).toBeGreaterThanOrEqual(1);
    expect(journal.stats.fsyncs).toBeLessThanOrEqual(maxFsyncs);
    if (!concurrent) expect(journal.stats.fsyncs).toBe(n);
    const read = await all(dir);
    expect(read).toEqual(appended);
    expect(read.map((r) => (r.body as { session: string }).session)).toEqual(Array.from({ length: n }, (_, i) => `s${i + 1}`));
    expectChained(read, 'gc');
    expect(await verifyDir(dir)).toEqual({ ok: true, journals: 1, records: n, problems: [] });
  });

  it('appends issued while a commit is in flight go out together in the next one', async () => {
    const journal = await openJournal({ dir, id: 'fl' });
    const first = journal.append(ending(1));
    await new Promise((r) => setImmediate(r)); // the first batch is now being written
    const rest = Array.from({ length: 30 }, (_, i) => journal.append(ending(i + 2)));
    await Promise.all([first, ...rest]);
    expect(journal.stats.fsyncs).toBe(2);
    await journal.close();
    expectChained(await all(dir), 'fl');
  });

  it('starts a sync for records written while one is in flight (two at most), and settles each with a sync begun after its write', async () => {
    // syncs that end when the test says, each noting how many records were written when it began
    const calls: { records: number; release: () => void }[] = [];
    let journal: Awaited<ReturnType<typeof openJournal>> | undefined;
    journal = await openJournal({
      dir,
      id: 'ov',
      datasync: () => new Promise<void>((release) => calls.push({ records: journal?.stats.records ?? 0, release })),
    });
    const settled: number[] = [];
    const appendNoting = (n: number) => journal?.append(ending(n)).then(() => settled.push(n));
    // the journal's own file work (opening the segment, its directory's sync) runs on the thread pool: wait by time
    const until = async (what: () => boolean) => {
      const deadline = Date.now() + 10_000;
      while (!what() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
      expect(what()).toBe(true);
    };
    const a = appendNoting(1);
    await until(() => calls.length === 1);
    // written while the first sync runs: a second sync begins at once, covering it
    const b = appendNoting(2);
    await until(() => calls.length === 2);
    // a third record waits: two syncs are in flight
    const c = appendNoting(3);
    await until(() => journal?.stats.records === 3);
    await new Promise((r) => setTimeout(r, 50));
    expect(calls.map((x) => x.records)).toEqual([1, 2]);
    // the second sync ends first: only the record it covers is settled
    calls[1]?.release();
    await until(() => settled.length === 1);
    expect(settled).toEqual([2]);
    // its place goes to the waiting record
    await until(() => calls.length === 3);
    expect(calls[2]?.records).toBe(3);
    calls[0]?.release();
    calls[2]?.release();
    await Promise.all([a, b, c]);
    expect(settled.sort()).toEqual([1, 2, 3]);
    expect(journal.stats.fsyncs).toBe(3);
    await journal.close();
    expectChained(await all(dir), 'ov');
  });

  it('keeps a synced segment zero-filled ahead of its data, which no reader takes for records', async () => {
    const journal = await openJournal({ dir, id: 'zero' });
    for (let i = 1; i <= 50; i++) await journal.append(ending(i));
    const name = segmentName('zero', 1);
    // the zeros are written in the background: wait for them
    await expect.poll(() => statSync(join(dir, name)).size).toBeGreaterThanOrEqual(ZERO_AHEAD);
    const bytes = readFileSync(join(dir, name));
    const dataEnd = bytes.indexOf(0);
    expect(dataEnd).toBe(journal.stats.bytes);
    expect(bytes.subarray(dataEnd).every((b) => b === 0)).toBe(true);
    // the shipper's incremental read, the full read and the verifier see the 50 records and no more
    const first = await readSegmentFrom(dir, name, 0);
    expect(first).toMatchObject({ offset: dataEnd });
    expect(first.records.map((r) => r.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(await readSegmentFrom(dir, name, first.offset)).toEqual({ records: [], offset: dataEnd });
    await journal.append(ending(51));
    expect((await readSegmentFrom(dir, name, first.offset)).records.map((r) => r.seq)).toEqual([51]);
    await journal.close();
    expectChained(await all(dir), 'zero');
    expect(await verifyDir(dir)).toEqual({ ok: true, journals: 1, records: 51, problems: [] });
    // a write torn by a crash lands in the zeros: it is ignored, as a torn final line is
    const fd = openSync(join(dir, name), 'r+');
    writeSync(fd, '{"journal":"zero","seq":52,"at":"2026', readFileSync(join(dir, name)).indexOf(0));
    closeSync(fd);
    expect(await verifyDir(dir)).toMatchObject({ ok: true, records: 51 });
    // a reopened journal goes on after the last record, in a segment of its own
    const again = await openJournal({ dir, id: 'zero' });
    expect((await again.append(ending(52))).seq).toBe(52);
    await again.close();
    expect(await verifyDir(dir)).toMatchObject({ ok: true, records: 52 });
  });

  it('appendAhead resolves once written, and its `synced` once the group is on disk', async () => {
    const journal = await openJournal({ dir, id: 'ah' });
    const [a, b] = await Promise.all([journal.appendAhead(ending(1)), journal.appendAhead(ending(2), '{"kind":"session.end"}')]);
    expect(journal.stats).toMatchObject({ records: 2, writes: 1, fsyncs: 0 });
    await Promise.all([a?.synced, b?.synced]);
    expect(journal.stats.fsyncs).toBe(1);
    expect(b?.record.bodyJson).toBe('{"kind":"session.end"}');
    await journal.close();
    expectChained(await all(dir), 'ah');
  });

  it('sync: false resolves once written; the next commit (or flush) syncs it', async () => {
    const journal = await openJournal({ dir, id: 'ns' });
    await Promise.all([journal.append(ending(1), { sync: false }), journal.append(ending(2), { sync: false })]);
    expect(journal.stats).toMatchObject({ records: 2, fsyncs: 0 });
    await journal.append(ending(3));
    expect(journal.stats).toMatchObject({ records: 3, fsyncs: 1 });
    await journal.append(ending(4), { sync: false });
    await journal.flush();
    expect(journal.stats.fsyncs).toBe(2);
    await journal.close();
    expectChained(await all(dir), 'ns');
  });

  describe('syncWithin (the background group commit)', () => {
    /** counted is an fdatasync that counts its calls and can be held: `hold` makes the next syncs wait for `release`. */
    function counted() {
      const state = { calls: 0, held: [] as (() => void)[], hold: false };
      const datasync = async (): Promise<void> => {
        state.calls++;
        if (state.hold) await new Promise<void>((r) => state.held.push(r));
      };
      return { state, datasync };
    }
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

    it.each([
      { note: 'with syncWithin, a sync starts that long after a write nothing waits for', within: 30 as number | undefined, syncs: 1 },
      { note: 'without, nothing syncs it until something waits', within: undefined, syncs: 0 },
    ])('$note', async ({ within, syncs }) => {
      const c = counted();
      const journal = await openJournal({ dir, id: 'bg', datasync: c.datasync, ...(within !== undefined ? { syncWithin: within } : {}) });
      await Promise.all([journal.append(ending(1), { sync: false }), journal.append(ending(2), { sync: false })]);
      expect(c.state.calls).toBe(0); // not at once: the interval gathers what follows into the same sync
      await sleep(150);
      expect(c.state.calls).toBe(syncs);
      // nothing written since: no further sync however long it waits
      await sleep(100);
      expect(c.state.calls).toBe(syncs);
      await journal.close();
      expectChained(await all(dir), 'bg');
    });

    it('a sync something waits for covers what was due: none follows it', async () => {
      const c = counted();
      const journal = await openJournal({ dir, id: 'cv', datasync: c.datasync, syncWithin: 40 });
      await journal.append(ending(1), { sync: false });
      await journal.append(ending(2)); // synced now, covering record 1
      expect(c.state.calls).toBe(1);
      await sleep(150);
      expect(c.state.calls).toBe(1);
      await journal.close();
    });

    it('due while two syncs are in flight, it starts when one ends; writes after it are synced again', async () => {
      const c = counted();
      const journal = await openJournal({ dir, id: 'mx', datasync: c.datasync, syncWithin: 20 });
      c.state.hold = true;
      const first = journal.append(ending(1));
      await until(() => c.state.calls === 1);
      const second = journal.append(ending(2));
      await until(() => c.state.calls === 2);
      await journal.append(ending(3), { sync: false }); // written; due in 20 ms, with two syncs in flight
      await sleep(80);
      expect(c.state.calls).toBe(2);
      c.state.hold = false;
      c.state.held.shift()?.();
      await first;
      await until(() => c.state.calls === 3); // the due sync starts as the first ends
      c.state.held.shift()?.();
      await second;
      await journal.append(ending(4), { sync: false });
      await until(() => c.state.calls === 4);
      await journal.close();
      expectChained(await all(dir), 'mx');
    });

    it('notify with lazy: true hears of the sync without starting one; flush settles it too', async () => {
      const c = counted();
      const journal = await openJournal({ dir, id: 'lz', datasync: c.datasync, syncWithin: 40 });
      const heard: string[] = [];
      const note = (n: number) => ({
        written: () => heard.push(`written ${n}`),
        synced: () => heard.push(`synced ${n}`),
        failed: () => heard.push(`failed ${n}`),
        lazy: true,
      });
      journal.notify(ending(1), undefined, note(1));
      await until(() => heard.length === 1);
      expect(c.state.calls).toBe(0);
      await until(() => heard.length === 2); // the background sync
      expect(heard).toEqual(['written 1', 'synced 1']);
      expect(c.state.calls).toBe(1);
      journal.notify(ending(2), undefined, note(2));
      await until(() => heard.length === 3);
      await journal.flush(); // before the interval: flush syncs it and says so
      expect(heard).toEqual(['written 1', 'synced 1', 'written 2', 'synced 2']);
      await journal.close();
    });

    it('without fsync, a lazy notify is settled as soon as it is written (nothing is held for a sync that never comes)', async () => {
      const journal = await openJournal({ dir, id: 'nf', fsync: false, syncWithin: 10_000 });
      const heard: string[] = [];
      for (const n of [1, 2]) {
        journal.notify(ending(n), undefined, {
          written: () => heard.push(`written ${n}`),
          synced: () => heard.push(`synced ${n}`),
          failed: () => heard.push(`failed ${n}`),
          lazy: true,
        });
      }
      await until(() => heard.length === 4);
      expect(heard).toEqual(['written 1', 'synced 1', 'written 2', 'synced 2']);
      expect(journal.stats.fsyncs).toBe(0);
      await journal.close();
    });

    it('close stops the timer: no sync after a closed journal', async () => {
      const c = counted();
      const journal = await openJournal({ dir, id: 'cl', datasync: c.datasync, syncWithin: 30 });
      await journal.append(ending(1), { sync: false });
      await journal.close(); // close syncs what was written itself
      const after = c.state.calls;
      await sleep(100);
      expect(c.state.calls).toBe(after);
    });
  });

  it('makes a random 12-hex id, a 0700 directory and 0600 segments', async () => {
    const sub = join(dir, 'journal');
    const journal = await openJournal({ dir: sub, fsync: false });
    expect(journal.id).toMatch(/^[0-9a-f]{12}$/);
    await journal.append(ending(1));
    await journal.close();
    expect(statSync(sub).mode & 0o777).toBe(0o700);
    expect(readdirSync(sub)).toEqual([segmentName(journal.id, 1)]);
    expect(statSync(join(sub, segmentName(journal.id, 1))).mode & 0o777).toBe(0o600);
  });
});

describe('openJournal segments', () => {
  it('rotates past segmentBytes, names segments by their first seq, and reads back in order', async () => {
    const journal = await openJournal({ dir, id: 'rot', segmentBytes: 1500, fsync: false });
    for (let i = 0; i < 10; i++) await journal.append(ending(i + 1));
    await Promise.all(Array.from({ length: 20 }, (_, i) => journal.append(ending(i + 11))));
    await journal.close();
    const files = readdirSync(dir).sort();
    expect(files.length).toBeGreaterThan(3);
    expect(journal.stats.segments).toBe(files.length);
    const records = await all(dir);
    expect(records).toHaveLength(30);
    expectChained(records, 'rot');
    for (const f of files) {
      expect(statSync(join(dir, f)).size).toBeLessThanOrEqual(1500);
      const firstLine = readFileSync(join(dir, f), 'utf8').split('\n')[0] ?? '';
      expect(f).toBe(segmentName('rot', (JSON.parse(firstLine) as ChainedRecord).seq));
    }
  });

  it('ignores a torn final line, and a reopened journal continues after the last whole record', async () => {
    const journal = await openJournal({ dir, id: 'torn', fsync: false });
    for (let i = 0; i < 3; i++) await journal.append(ending(i + 1));
    await journal.close();
    appendFileSync(join(dir, segmentName('torn', 1)), '{"journal":"torn","seq":4,"at":"2026-');
    expect((await all(dir)).map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(await verifyDir(dir)).toMatchObject({ ok: true, records: 3 });

    const again = await openJournal({ dir, id: 'torn', fsync: false });
    const fourth = await again.append(ending(4));
    await again.close();
    expect(fourth.seq).toBe(4);
    expect(readdirSync(dir).sort()).toEqual([segmentName('torn', 1), segmentName('torn', 4)]);
    expectChained(await all(dir), 'torn');
    expect(await verifyDir(dir)).toEqual({ ok: true, journals: 1, records: 4, problems: [] });
  });
});

describe('openJournal failures', () => {
  it.each([
    {
      note: 'a disk that is full (ENOSPC from /dev/full)',
      errno: 'ENOSPC',
      arrange: async () => {
        symlinkSync('/dev/full', join(dir, segmentName('full', 1)));
        return openJournal({ dir, id: 'full' });
      },
    },
    {
      note: 'a directory removed under it',
      errno: 'ENOENT',
      arrange: async () => {
        const sub = join(dir, 'gone');
        const j = await openJournal({ dir: sub, id: 'gone' });
        rmSync(sub, { recursive: true });
        return j;
      },
    },
  ])('$note fails every append closed, without a path in the message', async ({ arrange, errno }) => {
    const journal = await arrange();
    const results = await Promise.allSettled([
      journal.append(ending(1)),
      journal.append(ending(2), { sync: false }),
      journal.appendAhead(ending(3)),
    ]);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      if (r.status !== 'rejected') continue;
      expect(r.reason).toBeInstanceOf(RecordingUnavailableError);
      expect(r.reason).toMatchObject({
        code: 'ERR_PROXY_RECORDING_UNAVAILABLE',
        sqlstate: '58030',
        http: 503,
        message: 'the session recording cannot be written, so the statement was not run',
      });
      expect(r.reason.message).not.toContain(dir);
    }
    expect(journal.failed?.cause).toMatchObject({ code: errno });
    await expect(journal.append(ending(3))).rejects.toBe(journal.failed);
    await expect(journal.flush()).rejects.toBe(journal.failed);
    await journal.close();
  });
});
