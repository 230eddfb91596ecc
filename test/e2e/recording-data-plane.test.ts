// What the data plane records, seen through a recorder that keeps the records in memory: a session
// of mixed statements (allowed, masked, denied, held then approved) over the simple and the
// extended protocol is on record in order: its start before anything runs, every statement with
// its decision before it runs, each outcome with the rows, columns and digest of what the agent
// saw (masked), and its end. A recorder that fails refuses the statement and the login.

import { createHash } from 'node:crypto';
import pg from 'pg';
import type { DatabaseError } from 'pg';
import { describe, expect, it } from 'vitest';
import type { Gateway } from '../../proxy/index.js';
import { RecordingUnavailableError } from '../../proxy/recording/index.js';
import type { OutcomeBody, RecordBody, Recorder, StatementBody } from '../../proxy/recording/index.js';
import { useStack } from './helpers.js';

const stackRef = useStack();

/** memoryRecorder keeps every record; `failing` makes writes fail as a full disk would. */
function memoryRecorder(): Recorder & { records: RecordBody[]; failing: boolean } {
  const r = {
    records: [] as RecordBody[],
    failing: false,
    async sessionStart(b: RecordBody) {
      if (r.failing) throw new RecordingUnavailableError();
      r.records.push(b);
    },
    async statement(b: RecordBody) {
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
  return r as Recorder & { records: RecordBody[]; failing: boolean };
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
