// The recording against a real PostgreSQL state store: the shipper ships each record exactly once
// across rounds and after a restart (a new journal in the same directory, a new shipper); the
// verifier finds an edited body, a deleted row, an inserted row and a swapped pair, each at its
// first bad record; retention's tombstones keep a pruned trail verifying; `portcullis audit
// verify` exits 0, 1 or 2 with a real config file.

import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createShipper,
  openJournal,
  contentHash,
  prune,
  segmentName,
  startShipThread,
  verifyDir,
  verifyStore,
} from '../../../proxy/recording/index.js';
import type { Journal, RecordBody, ShipperEvent } from '../../../proxy/recording/index.js';
import { createStateStore } from '../../../proxy/state/index.js';
import type { StateStore } from '../../../proxy/state/index.js';
import { runCli } from '../cli/invocation.js';
import { usePostgres } from '../../helpers/postgres.js';
import { REPO_ROOT } from '../../helpers/shared.js';

const OWNER = { name: 'rec_owner', password: 'rec-owner-pw' };
const pgRef = usePostgres({ users: [OWNER], ownDatabases: ['rec'] });

let store: StateStore;
let tmp: string;

beforeAll(async () => {
  const { host, port } = pgRef.current;
  store = createStateStore({ host, port, database: 'rec', user: OWNER.name, password: OWNER.password, connectTimeoutMs: 5000 });
  await store.ready();
  tmp = mkdtempSync(join(tmpdir(), 'portcullis-rec-'));
});

afterAll(async () => {
  await store?.close();
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
});

beforeEach(async () => {
  await store.query('TRUNCATE portcullis.recording_records');
});

/** sql runs a statement as the superuser (the tampering an attacker with database access could do). */
async function sql(text: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const { host, port, superuser } = pgRef.current;
  const client = new pg.Client({ host, port, database: 'rec', user: superuser.name, password: superuser.password });
  await client.connect();
  try {
    return await client.query(text, params);
  } finally {
    await client.end();
  }
}

let dirs = 0;
function freshDir(): string {
  dirs++;
  return join(tmp, `j${dirs}`);
}

function statement(session: string, n: number): RecordBody {
  return {
    kind: 'statement',
    session,
    statement: n,
    text: `SELECT ${n}`,
    params: null,
    statement_kind: 'select',
    command: 'SELECT',
    tables: { read: [], written: [] },
    columns: { read: [], written: [] },
    flags: [],
    fingerprint: `fp${n}`,
    decision: { kind: 'allow', rules: ['r'], reasons: [], masks: [] },
    approval: null,
    policy_revision: 'rev',
    input: { n, nested: { b: 1, a: [1, 2] } },
  };
}

async function fill(journal: Journal, n: number, session = 's1'): Promise<void> {
  await Promise.all(Array.from({ length: n }, (_, i) => journal.append(statement(session, i + 1))));
}

async function count(journal?: string): Promise<number> {
  const r =
    journal === undefined
      ? await store.query('SELECT count(*)::text FROM portcullis.recording_records')
      : await store.query('SELECT count(*)::text FROM portcullis.recording_records WHERE journal = $1', [journal]);
  return Number(r.rows[0]?.[0]);
}

describe('createShipper', () => {
  it('ships each record exactly once across rounds, and a restart ships the old segments', async () => {
    const dir = freshDir();
    const events: ShipperEvent[] = [];
    const a = await openJournal({ dir, segmentBytes: 4000, fsync: false });
    await fill(a, 25);
    const shipper = createShipper({ store, dir, onEvent: (e) => events.push(e), batchSize: 7 });
    expect(await shipper.shipOnce()).toEqual({ shipped: 25 });
    await fill(a, 5, 's2');
    expect(await shipper.shipOnce()).toEqual({ shipped: 5 });
    expect(await shipper.shipOnce()).toEqual({ shipped: 0 });
    expect(await count(a.id)).toBe(30);
    expect(events).toEqual([
      { type: 'recording.shipped', journal: a.id, records: 25, through: 25 },
      { type: 'recording.shipped', journal: a.id, records: 5, through: 30 },
    ]);

    // unshipped records of the old journal, then a "restart": a new journal and a new shipper
    await fill(a, 4, 's3');
    await a.close();
    const b = await openJournal({ dir, fsync: false });
    await fill(b, 3, 's4');
    const again = createShipper({ store, dir });
    expect(await again.shipOnce()).toEqual({ shipped: 7 });
    expect(await count(a.id)).toBe(34);
    expect(await count(b.id)).toBe(3);
    await b.close();

    const row = await store.query(
      `SELECT kind, session, statement::text, body->'input'->'nested'->>'b' FROM portcullis.recording_records WHERE journal = $1 AND seq = 31`,
      [a.id],
    );
    expect(row.rows).toEqual([['statement', 's3', '1', '1']]);
    expect(await verifyStore(store)).toEqual({ ok: true, journals: 2, records: 37, problems: [] });
  });

  it('stores each body byte for byte as written: whitespace, escapes, quotes, non-ASCII', async () => {
    const dir = freshDir();
    const journal = await openJournal({ dir, fsync: false });
    const texts = [
      '{"kind": "session.end",  "session":"s\\u00e9 é", "reason":"it\'s \\"done\\" \\\\ ok", "statements":1, "rows":0, "duration_ms":1.50}',
      '{"kind":"session.end","session":"😀\\ud83d\\ude00","reason":"[1, 2]","statements":2,"rows":0,"duration_ms":0}',
    ];
    for (const json of texts) await journal.append(JSON.parse(json) as RecordBody, { sync: false, json });
    await journal.close();
    expect(await createShipper({ store, dir }).shipOnce()).toEqual({ shipped: 2 });
    const rows = await store.query('SELECT body::text, session FROM portcullis.recording_records WHERE journal = $1 ORDER BY seq', [
      journal.id,
    ]);
    expect(rows.rows).toEqual([
      [texts[0], 'sé é'],
      [texts[1], '😀😀'],
    ]);
    expect(await verifyStore(store)).toMatchObject({ ok: true, records: 2 });
  });

  it('reports a failed round through onEvent, never to the caller, and the next round catches up', async () => {
    const dir = freshDir();
    const journal = await openJournal({ dir, fsync: false });
    await fill(journal, 3);
    await journal.close();
    const events: ShipperEvent[] = [];
    const broken = createShipper({
      store: { query: () => Promise.reject(new Error('store down')) },
      dir,
      onEvent: (e) => events.push(e),
    });
    expect(await broken.shipOnce()).toEqual({ shipped: 0, error: 'store down' });
    expect(events).toMatchObject([{ type: 'recording.ship_failed', message: 'store down' }]);
    const shipper = createShipper({ store, dir });
    expect(await shipper.shipOnce()).toEqual({ shipped: 3 });
  });

  it('ships periodically once started and on kick after a commit', async () => {
    const dir = freshDir();
    let shipper: ReturnType<typeof createShipper> | undefined;
    const journal = await openJournal({ dir, fsync: false, onCommit: () => shipper?.kick() });
    shipper = createShipper({ store, dir });
    shipper.start(50);
    await fill(journal, 10);
    await expect.poll(() => count(journal.id), { timeout: 5000 }).toBe(10);
    await shipper.stop();
    await journal.close();
  });
});

describe('startShipThread (the gateway ships from a thread of its own)', () => {
  const login = () => {
    const { host, port } = pgRef.current;
    return { host, port, database: 'rec', user: OWNER.name, password: OWNER.password, connectTimeoutMs: 5000 };
  };

  it('ships on request, on kicks and on its interval, with its own connection; stops, and starts again', async () => {
    const dir = freshDir();
    const events: ShipperEvent[] = [];
    let shipper: ReturnType<typeof startShipThread> | undefined;
    const journal = await openJournal({ dir, fsync: false, onCommit: () => shipper?.kick() });
    await fill(journal, 12);
    shipper = startShipThread({ dir, login: login(), batchSize: 5, onEvent: (e) => events.push(e) });
    expect(await shipper.shipOnce()).toEqual({ shipped: 12 });
    expect(events).toEqual([{ type: 'recording.shipped', journal: journal.id, records: 12, through: 12 }]);
    // a commit's kick ships what follows without a request
    await fill(journal, 3, 's2');
    await expect.poll(() => count(journal.id), { timeout: 5000 }).toBe(15);
    // the interval ships what no kick announced (kicks closer together than 20 ms are dropped)
    shipper.start(50);
    await journal.append(statement('s3', 1));
    await expect.poll(() => count(journal.id), { timeout: 5000 }).toBe(16);
    await shipper.stop();
    await journal.append(statement('s3', 2));
    await new Promise((r) => setTimeout(r, 200));
    expect(await count(journal.id)).toBe(16); // stopped: nothing ships any more
    // started again: a new thread picks up where the store stands
    shipper.start(50);
    await expect.poll(() => count(journal.id), { timeout: 5000 }).toBe(17);
    await shipper.stop();
    await journal.close();
    expect(await verifyStore(store)).toMatchObject({ ok: true, records: 17 });
  });

  it('a store it cannot log in to: each round fails with the reason (reported, never thrown), nothing ships', async () => {
    const dir = freshDir();
    const journal = await openJournal({ dir, fsync: false });
    await fill(journal, 2);
    const events: ShipperEvent[] = [];
    const shipper = startShipThread({ dir, login: { ...login(), password: 'wrong' }, onEvent: (e) => events.push(e) });
    const result = await shipper.shipOnce();
    expect(result.shipped).toBe(0);
    expect(result.error).toMatch(/^state store unavailable: cannot log in/);
    expect(events).toMatchObject([{ type: 'recording.ship_failed' }]);
    expect(await count(journal.id)).toBe(0);
    await shipper.stop();
    await journal.close();
  });
});

type Tamper = { readonly note: string; readonly kind: string; readonly seq: number; readonly tamper: (j: string) => Promise<void> };

describe('verifyStore', () => {
  const tampers: Tamper[] = [
    {
      note: 'an edited body',
      kind: 'altered',
      seq: 5,
      tamper: async (j) => {
        await sql(
          `UPDATE portcullis.recording_records SET body = jsonb_set(body::jsonb, '{text}', '"DROP TABLE x"')::json WHERE journal = $1 AND seq = 5`,
          [j],
        );
      },
    },
    {
      note: 'a deleted row',
      kind: 'removed',
      seq: 5,
      tamper: async (j) => {
        await sql('DELETE FROM portcullis.recording_records WHERE journal = $1 AND seq = 5', [j]);
      },
    },
    {
      note: 'a deleted row, later rows renumbered',
      kind: 'removed',
      seq: 5,
      tamper: async (j) => {
        await sql('DELETE FROM portcullis.recording_records WHERE journal = $1 AND seq = 5', [j]);
        await sql('UPDATE portcullis.recording_records SET seq = seq + 1000 WHERE journal = $1 AND seq > 5', [j]);
        await sql('UPDATE portcullis.recording_records SET seq = seq - 1001 WHERE journal = $1 AND seq > 1000', [j]);
      },
    },
    {
      note: 'an inserted row (hashed correctly, later rows renumbered)',
      kind: 'inserted',
      seq: 6,
      tamper: async (j) => {
        await sql('UPDATE portcullis.recording_records SET seq = seq + 1000 WHERE journal = $1 AND seq > 5', [j]);
        await sql('UPDATE portcullis.recording_records SET seq = seq - 999 WHERE journal = $1 AND seq > 1000', [j]);
        const five = await sql(
          `SELECT hash, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at FROM portcullis.recording_records WHERE journal = $1 AND seq = 5`,
          [j],
        );
        const { hash, at } = five.rows[0] as { hash: string; at: string };
        const body = statement('forged', 1);
        await sql(
          `INSERT INTO portcullis.recording_records (journal, seq, at, prev, hash, kind, session, statement, body)
           VALUES ($1, 6, $2, $3, $4, 'statement', 'forged', 1, $5)`,
          [j, at, hash, contentHash(hash, j, 6, at, JSON.stringify(body)), JSON.stringify(body)],
        );
      },
    },
    {
      note: 'two rows swapped',
      kind: 'reordered',
      seq: 5,
      tamper: async (j) => {
        await sql('UPDATE portcullis.recording_records SET seq = -5 WHERE journal = $1 AND seq = 5', [j]);
        await sql('UPDATE portcullis.recording_records SET seq = 5 WHERE journal = $1 AND seq = 6', [j]);
        await sql('UPDATE portcullis.recording_records SET seq = 6 WHERE journal = $1 AND seq = -5', [j]);
      },
    },
    {
      note: 'a replaced hash',
      kind: 'altered',
      seq: 7,
      tamper: async (j) => {
        await sql(`UPDATE portcullis.recording_records SET hash = repeat('0', 64) WHERE journal = $1 AND seq = 7`, [j]);
      },
    },
  ];

  it.each(tampers)('finds $note: $kind at seq $seq, once', async ({ kind, seq, tamper }) => {
    const dir = freshDir();
    const journal = await openJournal({ dir, fsync: false });
    await fill(journal, 12);
    await journal.close();
    const other = await openJournal({ dir, fsync: false });
    await fill(other, 4);
    await other.close();
    await createShipper({ store, dir }).shipOnce();
    expect(await verifyStore(store)).toMatchObject({ ok: true, journals: 2, records: 16 });
    await tamper(journal.id);
    const report = await verifyStore(store);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([{ journal: journal.id, seq, kind, detail: expect.any(String) }]);
    // the local journal is untouched
    expect(await verifyDir(dir)).toMatchObject({ ok: true, records: 16 });
  });

  it('finds the start of a journal removed without a tombstone', async () => {
    const dir = freshDir();
    const journal = await openJournal({ dir, fsync: false });
    await fill(journal, 6);
    await journal.close();
    await createShipper({ store, dir }).shipOnce();
    await sql('DELETE FROM portcullis.recording_records WHERE journal = $1 AND seq <= 2', [journal.id]);
    expect((await verifyStore(store)).problems).toEqual([
      { journal: journal.id, seq: 1, kind: 'removed', detail: 'seqs 1..2 are missing and no tombstone covers them' },
    ]);
  });
});

describe('prune', () => {
  it('removes old records and segments behind a tombstone; the trail still verifies, twice over', async () => {
    const dir = freshDir();
    const day = 86_400_000;
    const t0 = Date.parse('2026-01-01T00:00:00.000Z');
    let clock = t0;
    const now = (): Date => new Date(clock);
    const old = await openJournal({ dir, fsync: false, segmentBytes: 3000, now });
    await fill(old, 10);
    clock = t0 + 40 * day;
    await fill(old, 3, 's2');
    await old.close();
    const current = await openJournal({ dir, fsync: false, now });
    await current.append(statement('s3', 1));

    const report = await prune({ store, dir, journal: current, olderThanMs: 30 * day, now: clock });
    expect(report.tombstones).toEqual([
      {
        kind: 'tombstone',
        journal: old.id,
        from_seq: 1,
        to_seq: 10,
        last_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
        reason: 'retention 30d',
      },
    ]);
    expect(report.deletedRecords).toBe(10);
    expect(report.deletedSegments.length).toBeGreaterThan(0);
    for (const name of report.deletedSegments) expect(readdirSync(dir)).not.toContain(name);
    expect(readdirSync(dir)).toContain(segmentName(current.id, 1));
    expect(await count(old.id)).toBe(3);
    expect(await verifyStore(store)).toEqual({ ok: true, journals: 2, records: 5, problems: [] });

    // the next shipping round does not bring pruned records back
    expect(await createShipper({ store, dir }).shipOnce()).toEqual({ shipped: 0 });

    // later: the rest of the old journal and the first tombstone's journal go too; the first
    // tombstone, inside the pruned range, is carried forward merged with the new one for its journal
    clock = t0 + 80 * day;
    const later = await openJournal({ dir, fsync: false, now });
    await later.append(statement('s4', 1));
    const second = await prune({ store, dir, journal: later, olderThanMs: 30 * day, now: clock });
    expect(second.tombstones.map((t) => `${t.journal} ${t.from_seq}..${t.to_seq} ${t.reason}`).sort()).toEqual(
      [`${old.id} 1..13 retention 30d`, `${current.id} 1..2 retention 30d`].sort(),
    );
    expect(await verifyStore(store)).toMatchObject({ ok: true, problems: [] });
    await current.close();
    await later.close();

    // a tombstone naming the wrong hash does not cover
    await sql(
      `UPDATE portcullis.recording_records SET body = jsonb_set(body::jsonb, '{last_hash}', '"x"')::json, hash = hash WHERE kind = 'tombstone' AND body->>'journal' = $1`,
      [current.id],
    );
    const bad = await verifyStore(store);
    expect(bad.ok).toBe(false);
    expect(bad.problems.map((p) => p.kind)).toContain('altered');
  });
});

describe('portcullis audit verify', () => {
  function config(name: string, state: string): string {
    const path = join(tmp, `${name}.yaml`);
    writeFileSync(
      path,
      `upstream:
  database: app
  user: gw
identity:
  issuer: https://idp.example
  audience: portcullis
  jwks:
    url: https://idp.example/jwks
policy:
  paths: [${JSON.stringify(join(REPO_ROOT, 'policies'))}]
${state}`,
    );
    return path;
  }

  it('exits 0 on a sound store, 1 on a tampered one, 2 without state', async () => {
    const { host, port } = pgRef.current;
    const withState = config(
      'audit',
      `state:\n  url: postgres://${OWNER.name}@${host}:${port}/rec\n  password_env: REC_PW\n  connect_timeout: 5s\n`,
    );
    const env = { REC_PW: OWNER.password };
    const dir = freshDir();
    const journal = await openJournal({ dir, fsync: false });
    await fill(journal, 5);
    await journal.close();
    await createShipper({ store, dir }).shipOnce();

    const ok = await runCli(['audit', 'verify', '--config', withState, '--journal-dir', dir], env);
    expect(ok).toEqual({ code: 0, stdout: `ok: 5 records in 1 journals\nok: 5 records in 1 journals in ${dir}\n`, stderr: '' });

    await sql(`UPDATE portcullis.recording_records SET body = jsonb_set(body::jsonb, '{text}', '"x"')::json WHERE seq = 3`);
    const bad = await runCli(['audit', 'verify', '-c', withState], env);
    expect(bad).toEqual({
      code: 1,
      stdout: `journal ${journal.id} seq 3: altered (its hash is not the hash of its content)\n`,
      stderr: '',
    });
    const json = await runCli(['audit', 'verify', '-c', withState, '--json'], env);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, reports: [{ source: 'store', problems: [{ seq: 3, kind: 'altered' }] }] });

    const noDir = await runCli(['audit', 'verify', '-c', withState, '--journal-dir', join(tmp, 'nope')], env);
    expect(noDir).toMatchObject({ code: 1, stderr: `portcullis: audit verify: --journal-dir ${join(tmp, 'nope')} is not a directory\n` });

    const none = await runCli(['audit', 'verify', '--config', config('nostate', '')]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/has no `state`/);

    const down = await runCli(['audit', 'verify', '--config', config('down', 'state:\n  url: postgres://gw@127.0.0.1:1/st\n')]);
    expect(down).toMatchObject({ code: 1, stdout: '' });
    expect(down.stderr).toMatch(/^portcullis: audit verify: state store unavailable/);
  });

  it.each([
    { note: 'no subcommand', argv: ['audit'], message: 'audit: a subcommand is required (verify)' },
    { note: 'an unknown subcommand', argv: ['audit', 'prune'], message: 'audit: unknown subcommand "prune" (expected verify)' },
    { note: 'an extra operand', argv: ['audit', 'verify', 'x'], message: 'audit verify: unexpected argument "x"' },
  ])('refuses $note (exit 2)', async ({ argv, message }) => {
    const r = await runCli(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`portcullis: ${message}`);
  });
});
