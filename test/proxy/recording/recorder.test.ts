// The journal recorder on real files: a statement that may change something waits for its sync; a
// read-only one goes once written, its `durable` settling with the sync; outcomes wait for
// nothing. A write or sync that fails refuses the statement (`on_failure: refuse`) or lets it run
// (`continue`), and either way the cause reaches the operator's report exactly once.

import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  RecordingUnavailableError,
  createJournalRecorder,
  openJournal,
  readJournals,
  segmentName,
} from '../../../proxy/recording/index.js';
import type { RecordBody, SessionStartBody } from '../../../proxy/recording/index.js';
import { statementBody } from '../../helpers/recording.js';
import { until } from '../../helpers/until.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'portcullis-recorder-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const STATEMENT = statementBody('s1', 1, 'SELECT 1', 'select', { kind: 'allow', rules: [], reasons: [], masks: [] });
const START: SessionStartBody = {
  kind: 'session.start',
  session: 's1',
  identity: { sub: 'agent', iss: 'https://issuer.test', claims: { sub: 'agent' } },
  connection: { database: 'app', user: 'agent', application_name: '', client_address: '127.0.0.1', tls: false },
  role: null,
  gateway: 'test',
  policy_revision: '',
};
const OUTCOME: RecordBody = {
  kind: 'statement.outcome',
  session: 's1',
  statement: 1,
  tag: 'SELECT 1',
  sqlstate: null,
  message: null,
  duration_ms: 0,
  rows: 1,
  columns: ['x'],
  digest: 'd',
};

/** gatedSyncs: a datasync that waits until the test releases it (or fails it). */
function gatedSyncs() {
  const calls: { release: () => void; fail: (e: Error) => void }[] = [];
  return {
    calls,
    datasync: () => new Promise<void>((release, fail) => calls.push({ release, fail })),
  };
}

describe('createJournalRecorder', () => {
  it('sync: all: a read-only statement goes once written; its durable settles with the sync; a writing one waits for the sync', async () => {
    const syncs = gatedSyncs();
    const journal = await openJournal({ dir, id: 'rec', datasync: syncs.datasync });
    const recorder = createJournalRecorder({ journal, onFailure: 'refuse', syncReads: true });
    const read = await recorder.statement(STATEMENT, { readOnly: true, json: JSON.stringify(STATEMENT) });
    expect(journal.stats.records).toBe(1);
    let durable = false;
    void read?.durable?.then(() => {
      durable = true;
    });
    await until(() => syncs.calls.length === 1);
    expect(durable).toBe(false);
    syncs.calls[0]?.release();
    await until(() => durable);

    let wrote = false;
    const writing = recorder.statement({ ...STATEMENT, statement: 2 }).then((r) => {
      wrote = true;
      return r;
    });
    await until(() => syncs.calls.length === 2);
    expect(wrote).toBe(false);
    syncs.calls[1]?.release();
    expect(await writing).toBeUndefined();

    recorder.outcome(OUTCOME);
    await until(() => journal.stats.records === 3);
    const flushed = journal.flush();
    await until(() => syncs.calls.length === 3);
    syncs.calls[2]?.release();
    await flushed;
    await journal.close();
    const kinds: string[] = [];
    for await (const r of readJournals(dir)) kinds.push(`${r.seq}:${r.body.kind}`);
    expect(kinds).toEqual(['1:statement', '2:statement', '3:statement.outcome']);
  });

  it('sync: writes (the default): a read-only statement goes once written with nothing to wait for; the background sync covers it', async () => {
    const syncs = gatedSyncs();
    const journal = await openJournal({ dir, id: 'wr', datasync: syncs.datasync, syncWithin: 20 });
    const recorder = createJournalRecorder({ journal, onFailure: 'refuse' });
    const read = await recorder.statement(STATEMENT, { readOnly: true, json: JSON.stringify(STATEMENT) });
    expect(read).toBeUndefined(); // no `durable`: its answers are not held
    expect(journal.stats).toMatchObject({ records: 1, fsyncs: 0 });
    await until(() => syncs.calls.length === 1); // the background group commit, within 20 ms
    syncs.calls[0]?.release();
    await until(() => journal.stats.fsyncs === 1);

    // a statement that can change anything still waits for its sync before it may run
    let wrote = false;
    const writing = recorder.statement({ ...STATEMENT, statement: 2 }).then(() => {
      wrote = true;
    });
    await until(() => syncs.calls.length === 2);
    expect(wrote).toBe(false);
    syncs.calls[1]?.release();
    await writing;
    await journal.close();
  });

  it.each([
    { sync: 'writes', syncReads: false, waitsForSync: false },
    { sync: 'all', syncReads: true, waitsForSync: true },
  ])("sync: $sync: a session's start goes once written: $waitsForSync for its sync", async ({ syncReads, waitsForSync }) => {
    const syncs = gatedSyncs();
    const journal = await openJournal({ dir, id: 'ss', datasync: syncs.datasync, syncWithin: 20 });
    const recorder = createJournalRecorder({ journal, onFailure: 'refuse', syncReads });
    let started = false;
    const start = recorder.sessionStart(START).then(() => {
      started = true;
    });
    await until(() => journal.stats.records === 1);
    await until(() => syncs.calls.length === 1); // the sync starts either way (at once, or in the background)
    await new Promise((r) => setTimeout(r, 20));
    expect(started).toBe(!waitsForSync);
    syncs.calls[0]?.release();
    await start;
    await journal.close();
  });

  it.each([
    { onFailure: 'refuse' as const, runs: false },
    { onFailure: 'continue' as const, runs: true },
  ])('a write that fails ($onFailure): the statement runs $runs, the cause is reported once per record', async ({ onFailure, runs }) => {
    symlinkSync('/dev/full', join(dir, segmentName('full', 1)));
    const journal = await openJournal({ dir, id: 'full' });
    const problems: string[] = [];
    const recorder = createJournalRecorder({ journal, onFailure, onProblem: (m) => problems.push(m) });
    const results = await Promise.allSettled([
      recorder.statement(STATEMENT, { readOnly: true }),
      recorder.statement({ ...STATEMENT, statement: 2 }),
    ]);
    for (const r of results) {
      if (runs) expect(r).toEqual({ status: 'fulfilled', value: undefined });
      else expect(r.status === 'rejected' && r.reason).toBeInstanceOf(RecordingUnavailableError);
    }
    recorder.outcome(OUTCOME);
    await until(() => problems.length === 3);
    await new Promise((r) => setTimeout(r, 20));
    expect(problems).toHaveLength(3);
    for (const p of problems) expect(p).toMatch(/^the journal cannot be written: .*ENOSPC/);
    await journal.close();
  });

  it.each([
    { onFailure: 'refuse' as const, durable: 'rejected' },
    { onFailure: 'continue' as const, durable: 'fulfilled' },
  ])('sync: all, a sync that fails after the write ($onFailure): durable is $durable, reported once', async ({ onFailure, durable }) => {
    const syncs = gatedSyncs();
    const journal = await openJournal({ dir, id: 'sf', datasync: syncs.datasync });
    const problems: string[] = [];
    const recorder = createJournalRecorder({ journal, onFailure, onProblem: (m) => problems.push(m), syncReads: true });
    const read = await recorder.statement(STATEMENT, { readOnly: true });
    await until(() => syncs.calls.length === 1);
    syncs.calls[0]?.fail(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    const [settled] = await Promise.allSettled([read?.durable]);
    expect(settled?.status).toBe(durable);
    if (settled?.status === 'rejected') expect(settled.reason).toBeInstanceOf(RecordingUnavailableError);
    expect(problems).toEqual([expect.stringMatching(/^the journal cannot be written: EIO/)]);
    // the journal is failed for good: the next statement is refused or runs unrecorded
    const next = await Promise.allSettled([recorder.statement({ ...STATEMENT, statement: 2 }, { readOnly: true })]);
    expect(next[0]?.status).toBe(onFailure === 'refuse' ? 'rejected' : 'fulfilled');
    await journal.close();
  });

  it.each([
    { onFailure: 'refuse' as const, next: 'rejected' },
    { onFailure: 'continue' as const, next: 'fulfilled' },
  ])(
    'sync: writes, a background sync that fails ($onFailure): reported once, and the next statement is $next',
    async ({ onFailure, next }) => {
      const syncs = gatedSyncs();
      const journal = await openJournal({ dir, id: 'bf', datasync: syncs.datasync, syncWithin: 5 });
      const problems: string[] = [];
      const recorder = createJournalRecorder({ journal, onFailure, onProblem: (m) => problems.push(m) });
      expect(await recorder.statement(STATEMENT, { readOnly: true })).toBeUndefined();
      await until(() => syncs.calls.length === 1);
      syncs.calls[0]?.fail(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
      await until(() => journal.failed !== undefined);
      const after = await Promise.allSettled([recorder.statement({ ...STATEMENT, statement: 2 }, { readOnly: true })]);
      expect(after[0]?.status).toBe(next);
      expect(problems).toEqual([
        expect.stringMatching(/^the journal cannot be written/),
        expect.stringMatching(/^the journal cannot be written/),
      ]);
      await journal.close();
    },
  );
});
