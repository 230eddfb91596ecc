// What the data plane records, seen through a recorder that keeps the records in memory: a session
// of mixed statements (allowed, masked, denied, held then approved) over the simple and the
// extended protocol is on record in order: its start before anything runs, every statement with
// its decision before it runs, each outcome with the rows, columns and digest of what the agent
// saw (masked), and its end; statements refused before any policy saw them; how a hold ended; a
// read-only query goes once its record is written, its answers waiting for the sync. A recorder
// that fails refuses the statement and the login.

import { createHash } from 'node:crypto';
import pg from 'pg';
import type { DatabaseError } from 'pg';
import { describe, expect, it } from 'vitest';
import type { Gateway } from '../../proxy/index.js';
import { RecordingUnavailableError } from '../../proxy/recording/index.js';
import type {
  ApprovalBody,
  OutcomeBody,
  RecordBody,
  Recorder,
  StatementBody,
  StatementRecordOptions,
} from '../../proxy/recording/index.js';
import type { ApprovalPort } from '../../proxy/gate/index.js';
import { ApprovalDeniedError } from '../../proxy/approvals/index.js';
import { useStack } from './helpers.js';

const stackRef = useStack();

/** memoryRecorder keeps every record; `failing` makes writes fail as a full disk would. */
function memoryRecorder(): Recorder & { records: RecordBody[]; readOnly: boolean[]; durable: Promise<void> | undefined; failing: boolean } {
  const r = {
    records: [] as RecordBody[],
    /** readOnly says, per statement record, whether the gateway let it go once written (answers waiting for `durable`). */
    readOnly: [] as boolean[],
    /** durable, when set, is what a read-only statement's answers wait for. */
    durable: undefined as Promise<void> | undefined,
    failing: false,
    async sessionStart(b: RecordBody) {
      if (r.failing) throw new RecordingUnavailableError();
      r.records.push(b);
    },
    async statement(b: RecordBody, opts?: StatementRecordOptions) {
      if (r.failing) throw new RecordingUnavailableError();
      r.records.push(b);
      r.readOnly.push(opts?.readOnly === true);
      return r.durable === undefined || opts?.readOnly !== true ? undefined : { durable: r.durable };
    },
    async approval(b: RecordBody) {
      if (r.failing) throw new RecordingUnavailableError();
      r.records.push(b);
    },
    outcome(b: RecordBody) {
      r.records.push(b);
    },
    sessionEnd(b: RecordBody) {
      r.records.push(b);
    },
  };
  return r as Recorder & { records: RecordBody[]; readOnly: boolean[]; durable: Promise<void> | undefined; failing: boolean };
}

async function client(g: Gateway, sub: string, roles: string[]): Promise<pg.Client> {
  const token = await stackRef.current.mint(sub, { roles });
  const c = new pg.Client({ ...stackRef.current.clientConfig(token), host: g.host, port: g.port });
  c.on('error', () => {});
  await c.connect();
  return c;
}

describe('the data plane records', () => {
  it('a mixed session in order: start, each statement before it runs, outcomes with what the agent saw, end', async () => {
    const rec = memoryRecorder();
    const g = await stackRef.current.startGateway({}, { recorder: rec, gatewayId: 'gw-test', revision: () => 'rev-9' });
    const c = await client(g, 'recorded-agent', ['db:read']);
    const seen = await c.query('SELECT id, email FROM customers WHERE id = 1');
    await c.query('SELECT id FROM orders WHERE id = $1', [2]);
    const denied = (await c.query('DELETE FROM orders').catch((e: DatabaseError) => e)) as DatabaseError;
    await c.end();
    await expect.poll(() => rec.records.at(-1)?.kind).toBe('session.end');
    const kinds = rec.records.map((r) => `${r.kind}${'statement' in r ? `#${r.statement}` : ''}`);
    expect(kinds).toEqual([
      'session.start',
      'statement#1',
      'statement.outcome#1',
      'statement#2',
      'statement.outcome#2',
      'statement#3',
      'session.end',
    ]);
    expect(rec.records[0]).toMatchObject({
      kind: 'session.start',
      identity: { sub: 'recorded-agent' },
      connection: { database: stackRef.current.pg.database },
      gateway: 'gw-test',
      policy_revision: 'rev-9',
    });
    const [s1, o1, s2, , s3] = rec.records.slice(1) as [StatementBody, OutcomeBody, StatementBody, OutcomeBody, StatementBody];
    expect(s1).toMatchObject({
      text: 'SELECT id, email FROM customers WHERE id = 1',
      params: null,
      statement_kind: 'select',
      tables: { read: ['public.customers'], written: [] },
      decision: { kind: 'allow', masks: expect.arrayContaining(['public.customers.email:partial']) },
      policy_revision: 'rev-9',
      input: { identity: { sub: 'recorded-agent' }, statement: { kind: 'select' } },
    });
    // what the agent saw: the masked value, and the digest covers exactly the bytes sent
    expect(o1).toMatchObject({ tag: 'SELECT 1', rows: 1, columns: ['id', 'email'], sqlstate: null });
    expect(seen.rows[0]?.email).toMatch(/^\*+/);
    expect(o1.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(s2).toMatchObject({ params: ['2'], decision: { kind: 'allow' } });
    expect(s3).toMatchObject({
      text: 'DELETE FROM orders',
      decision: { kind: 'deny', rules: expect.arrayContaining(['read_only.write']) },
    });
    expect(denied.code).toBe('42501');
    expect(rec.records.at(-1)).toMatchObject({ kind: 'session.end', statements: 3, reason: 'client' });
  });

  it('the same result gives the same digest; a different one another', async () => {
    const rec = memoryRecorder();
    const g = await stackRef.current.startGateway({}, { recorder: rec });
    const c = await client(g, 'digest-agent', ['db:read']);
    await c.query('SELECT id FROM orders WHERE id = 1');
    await c.query('SELECT id FROM orders WHERE id = 1');
    await c.query('SELECT id FROM orders WHERE id = 2');
    await c.end();
    const digests = rec.records.filter((r): r is OutcomeBody => r.kind === 'statement.outcome').map((o) => o.digest);
    expect(digests[0]).toBe(digests[1]);
    expect(digests[2]).not.toBe(digests[0]);
    expect(createHash('sha256').update('').digest('hex')).not.toBe(digests[0]);
  });

  it('with capped results, keeps the rows as the agent saw them (masked)', async () => {
    const rec = memoryRecorder();
    const g = await stackRef.current.startGateway({}, { recorder: rec, recordRowsBytes: 1024 });
    const c = await client(g, 'capped-agent', ['db:read']);
    const res = await c.query('SELECT id, email FROM customers ORDER BY id LIMIT 2');
    await c.end();
    const o = rec.records.find((r): r is OutcomeBody => r.kind === 'statement.outcome');
    expect(o?.result_rows).toEqual(res.rows.map((r) => [String(r.id), r.email]));
    expect(o?.result_truncated).toBe(false);
  });

  it('statements refused before the policy saw them are on record too, numbered in order', async () => {
    const rec = memoryRecorder();
    const g = await stackRef.current.startGateway({}, { recorder: rec });
    const c = await client(g, 'probing-agent', ['db:read']);
    const errors: string[] = [];
    for (const q of [
      () => c.query('SELEC 1'), // a syntax error, simple protocol
      () => c.query({ text: 'SELEC $1', values: [1] }), // and in a Parse
      () => c.query('SELECT 1; SELECT 2; SELEC 3'), // one bad statement in a string
      () => c.query('EXECUTE never_prepared'), // an EXECUTE of nothing the gateway saw prepared
    ]) {
      errors.push(((await q().catch((e: DatabaseError) => e)) as DatabaseError).code ?? '');
    }
    await c.query('SELECT 1 AS one');
    await c.end();
    await expect.poll(() => rec.records.at(-1)?.kind).toBe('session.end');
    expect(errors).toEqual(['42601', '42601', '42601', '26000']);
    const statements = rec.records.filter((r): r is StatementBody => r.kind === 'statement');
    expect(statements.map((st) => [st.statement, st.text, st.decision.kind])).toEqual([
      [1, 'SELEC 1', 'refuse'],
      [2, 'SELEC $1', 'refuse'],
      [3, 'SELECT 1; SELECT 2; SELEC 3', 'refuse'],
      [4, 'EXECUTE never_prepared', 'refuse'],
      [5, 'SELECT 1 AS one', 'allow'],
    ]);
    expect(statements[0]?.decision).toMatchObject({ rules: ['ERR_PROXY_SQL_SYNTAX'], reasons: [expect.stringContaining('syntax error')] });
    expect(statements[3]?.decision.rules).toEqual(['ERR_PROXY_UNKNOWN_STATEMENT']);
    expect(rec.records.at(-1)).toMatchObject({ kind: 'session.end', statements: 5 });
  });

  it.each([
    { note: 'a plain query', sql: 'SELECT id FROM orders WHERE id = 1', readOnly: true },
    { note: 'a query calling only stable and immutable functions', sql: "SELECT lower('A'), now() IS NOT NULL AS t", readOnly: true },
    { note: 'a volatile function', sql: 'SELECT random() >= 0 AS r', readOnly: false },
    { note: 'a locking clause', sql: 'SELECT id FROM orders WHERE id = 1 FOR UPDATE', readOnly: false },
  ])('$note goes upstream once written: $readOnly', async ({ sql, readOnly }) => {
    const rec = memoryRecorder();
    const g = await stackRef.current.startGateway({}, { recorder: rec });
    const c = await client(g, 'durable-agent', ['db:read', 'db:write']);
    await c.query(sql).catch(() => undefined);
    await c.end();
    const i = rec.records.findIndex((r) => r.kind === 'statement');
    expect(rec.readOnly[i - 1]).toBe(readOnly);
  });

  it("a read-only query's answers wait until its record is on disk; a failed sync refuses them", async () => {
    const rec = memoryRecorder();
    let release: () => void = () => {};
    rec.durable = new Promise<void>((r) => {
      release = r;
    });
    const g = await stackRef.current.startGateway({}, { recorder: rec });
    const c = await client(g, 'waiting-agent', ['db:read']);
    let answered = false;
    const pending = c.query('SELECT id FROM orders WHERE id = $1', [1]).then((res) => {
      answered = true;
      return res;
    });
    await expect.poll(() => rec.records.filter((r) => r.kind === 'statement').length).toBe(1);
    await new Promise((r) => setTimeout(r, 150));
    expect(answered).toBe(false);
    release();
    expect((await pending).rows).toEqual([{ id: 1 }]);
    // a sync that fails: the query ran upstream, but the client gets the recording error, not the rows
    rec.durable = Promise.reject(new RecordingUnavailableError());
    rec.durable.catch(() => undefined);
    const err = (await c.query('SELECT id FROM orders WHERE id = 2').catch((e: DatabaseError) => e)) as DatabaseError;
    expect(err.code).toBe('58030');
    expect(err.message).toBe('the session recording cannot be written, so the results of this read-only query were withheld');
    rec.durable = undefined;
    expect((await c.query('SELECT 3 AS three')).rows).toEqual([{ three: 3 }]);
    await c.end();
  });

  it.each([
    { note: 'approved', approved: true },
    { note: 'denied', approved: false },
  ])('a held write: how its hold ended is on record before it runs ($note)', async ({ approved }) => {
    const rec = memoryRecorder();
    const approvals: ApprovalPort = {
      hold: async () =>
        approved
          ? { kind: 'approved', id: 'req-recorded', finished: () => {} }
          : { kind: 'refused', id: 'req-recorded', error: new ApprovalDeniedError('req-recorded', 'alice', 'not today') },
    };
    const g = await stackRef.current.startGateway({}, { recorder: rec, approvals });
    const c = await client(g, 'held-agent', ['db:write']);
    const r = await c.query('UPDATE orders SET amount = amount WHERE id = 1').catch((e: DatabaseError) => e);
    await c.end();
    await expect.poll(() => rec.records.at(-1)?.kind).toBe('session.end');
    const kinds = rec.records.map((x) => x.kind);
    expect(kinds).toEqual(
      approved
        ? ['session.start', 'statement', 'statement.approval', 'statement.outcome', 'session.end']
        : ['session.start', 'statement', 'statement.approval', 'session.end'],
    );
    expect(rec.records[1]).toMatchObject({ decision: { kind: 'hold', rules: ['production.write'] } });
    const a = rec.records[2] as ApprovalBody;
    expect(a).toEqual({
      kind: 'statement.approval',
      session: (rec.records[1] as StatementBody).session,
      statements: [1],
      approval: 'req-recorded',
      outcome: approved ? 'approved' : 'refused',
      code: approved ? null : 'ERR_PROXY_APPROVAL_DENIED',
      reason: approved ? null : 'approval request req-recorded was denied by alice: not today',
    });
    if (approved) expect(r).toMatchObject({ command: 'UPDATE' });
    else expect((r as DatabaseError).code).toBe('42501');
  });

  it('fails closed: a recording that cannot be written refuses the statement, and new logins', async () => {
    const rec = memoryRecorder();
    const g = await stackRef.current.startGateway({}, { recorder: rec });
    const c = await client(g, 'unrecorded-agent', ['db:read']);
    rec.failing = true;
    const err = (await c.query('SELECT 1').catch((e: DatabaseError) => e)) as DatabaseError;
    expect(err.code).toBe('58030');
    expect(err.message).toBe('the session recording cannot be written, so the statement was not run');
    await c.end();
    const login = (await client(g, 'unrecorded-agent', ['db:read']).catch((e: DatabaseError) => e)) as DatabaseError;
    expect(login.code).toBe('58030');
  });
});
