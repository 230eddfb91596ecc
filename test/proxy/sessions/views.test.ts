// The sessions views against a real PostgreSQL: sample records made with chain() (a mixed session
// with allowed, masked, denied and held statements, an open one, an older one) are stored as the
// shipper stores them; list filters (identity, time, decision, database), pages by cursor without
// repeats, get() counts and ends, and statements() joins each statement with its outcome.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSessionViews } from '../../../proxy/sessions/index.js';
import type { SessionListQuery, SessionViews } from '../../../proxy/sessions/index.js';
import { createStateStore } from '../../../proxy/state/index.js';
import type { StateStore } from '../../../proxy/state/index.js';
import { usePostgres } from '../../helpers/postgres.js';
import { ISS, S1, S2, S3, seedRecordings } from '../../helpers/recording.js';

const OWNER = { name: 'views_owner', password: 'views-owner-pw' };
const pgRef = usePostgres({ users: [OWNER], ownDatabases: ['views'] });

let store: StateStore;
let views: SessionViews;

beforeAll(async () => {
  const { host, port } = pgRef.current;
  store = createStateStore({ host, port, database: 'views', user: OWNER.name, password: OWNER.password, connectTimeoutMs: 5000 });
  await seedRecordings(store);
  views = createSessionViews(store);
});
afterAll(async () => {
  await store?.close();
});

describe('list', () => {
  const cases: Array<{ note: string; query: SessionListQuery; want: string[] }> = [
    { note: 'everything, newest first', query: {}, want: [S2, S1, S3] },
    { note: 'by subject', query: { sub: 'alice' }, want: [S1, S3] },
    { note: 'by subject and issuer', query: { sub: 'alice', iss: ISS }, want: [S1, S3] },
    { note: 'by another issuer', query: { iss: 'https://other.test' }, want: [] },
    { note: 'since a time', query: { since: new Date('2026-06-01T00:00:00Z') }, want: [S2, S1] },
    { note: 'with a denied statement', query: { decision: 'deny' }, want: [S1, S3] },
    { note: 'with a held statement', query: { decision: 'hold' }, want: [S1] },
    { note: 'with a refused statement', query: { decision: 'refuse' }, want: [] },
    { note: 'by database', query: { database: 'analytics' }, want: [S2] },
    { note: 'filters combine', query: { sub: 'alice', decision: 'deny', since: new Date('2026-06-01T00:00:00Z') }, want: [S1] },
  ];
  it.each(cases)('$note', async ({ query, want }) => {
    const page = await views.list(query);
    expect(page.sessions.map((s) => s.id)).toEqual(want);
    expect(page.next_cursor).toBeUndefined();
  });

  it('summarizes each session: identity, database, times, end, counts, gateway', async () => {
    const { sessions } = await views.list({});
    expect(sessions).toEqual([
      {
        id: S2,
        identity: { sub: 'bob', iss: ISS },
        database: 'analytics',
        started_at: '2026-06-01T08:10:00.000Z',
        ended_at: null,
        end_reason: null,
        statements: 1,
        denied: 0,
        held: 0,
        gateway: 'gw-2',
      },
      {
        id: S1,
        identity: { sub: 'alice', iss: ISS },
        database: 'app',
        started_at: '2026-06-01T08:00:00.000Z',
        ended_at: '2026-06-01T08:00:10.000Z',
        end_reason: 'client closed',
        statements: 4,
        denied: 1,
        held: 1,
        gateway: 'gw-1',
      },
      {
        id: S3,
        identity: { sub: 'alice', iss: ISS },
        database: 'app',
        started_at: '2026-05-20T09:00:00.000Z',
        ended_at: '2026-05-20T09:00:02.000Z',
        end_reason: 'client closed',
        statements: 1,
        denied: 1,
        held: 0,
        gateway: 'gw-1',
      },
    ]);
  });

  it('pages by cursor without repeating or skipping a session', async () => {
    const first = await views.list({ limit: 2 });
    expect(first.sessions.map((s) => s.id)).toEqual([S2, S1]);
    expect(first.next_cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    const second = await views.list({ limit: 2, cursor: first.next_cursor as string });
    expect(second).toEqual({ sessions: [expect.objectContaining({ id: S3 })] });
    const filtered = await views.list({ sub: 'alice', limit: 1 });
    expect(filtered.sessions.map((s) => s.id)).toEqual([S1]);
    expect((await views.list({ sub: 'alice', limit: 1, cursor: filtered.next_cursor as string })).sessions.map((s) => s.id)).toEqual([S3]);
  });

  const bad: Array<{ note: string; query: SessionListQuery; message: string }> = [
    { note: 'a cursor it did not give out', query: { cursor: 'bm9wZQ' }, message: 'the cursor is not one this list gave out' },
    { note: 'a limit of 0', query: { limit: 0 }, message: 'limit must be an integer from 1 to 500' },
    { note: 'a limit over 500', query: { limit: 501 }, message: 'limit must be an integer from 1 to 500' },
    { note: 'an invalid date', query: { since: new Date('x') }, message: 'since is not a valid time' },
  ];
  it.each(bad)('refuses $note', async ({ query, message }) => {
    await expect(views.list(query)).rejects.toThrow(new TypeError(message));
  });
});

describe('get', () => {
  it('answers the start record, the end and the counts', async () => {
    expect(await views.get(S1)).toEqual({
      id: S1,
      identity: { sub: 'alice', iss: ISS, claims: { sub: 'alice', iss: ISS, roles: ['db:write'] } },
      connection: { database: 'app', user: 'alice', application_name: 'psql', client_address: '127.0.0.1', tls: false },
      role: 'portcullis_writer',
      gateway: 'gw-1',
      policy_revision: 'rev-1',
      started_at: '2026-06-01T08:00:00.000Z',
      ended_at: '2026-06-01T08:00:10.000Z',
      end_reason: 'client closed',
      duration_ms: 10_000,
      counts: { statements: 4, allow: 2, deny: 1, hold: 1, refuse: 0, rows: 6 },
    });
  });

  it('answers an open session without an end', async () => {
    expect(await views.get(S2)).toMatchObject({ ended_at: null, end_reason: null, duration_ms: null, counts: { statements: 1, rows: 1 } });
  });

  it('answers undefined for an unknown session', async () => {
    expect(await views.get('nope')).toBeUndefined();
  });
});

describe('statements', () => {
  it('joins each statement with its outcome, in order', async () => {
    const { statements, next_cursor } = await views.statements(S1);
    expect(next_cursor).toBeUndefined();
    expect(statements).toEqual([
      {
        statement: 1,
        at: '2026-06-01T08:00:01.000Z',
        text: 'SELECT id FROM orders',
        params: null,
        kind: 'select',
        decision: { kind: 'allow', rules: [], reasons: [], masks: [] },
        approval: null,
        outcome: { tag: 'SELECT 2', sqlstate: null, message: null, rows: 2, columns: ['id'], digest: 'ab'.repeat(32), duration_ms: 3 },
      },
      expect.objectContaining({
        statement: 2,
        decision: { kind: 'allow', rules: [], reasons: [], masks: ['public.customers.email:partial'] },
        outcome: expect.objectContaining({
          tag: 'SELECT 3',
          rows: 3,
          columns: ['email'],
          result_rows: [['a****@example.com'], [null]],
          result_truncated: true,
        }),
      }),
      expect.objectContaining({
        statement: 3,
        text: 'DELETE FROM orders',
        kind: 'delete',
        decision: { kind: 'deny', rules: ['where_clause.delete'], reasons: ['DELETE without WHERE is not allowed'], masks: [] },
        outcome: null,
      }),
      expect.objectContaining({
        statement: 4,
        params: ['7'],
        approval: { id: 'req-1', outcome: 'approved', code: null, reason: null },
        decision: expect.objectContaining({ kind: 'hold', rules: ['production.write'] }),
        outcome: expect.objectContaining({ tag: 'DELETE 1', rows: 1 }),
      }),
    ]);
  });

  it('answers the rows the agent saw where they were recorded (recording.results: capped), and none where only a digest was', async () => {
    const [capped] = (await views.statements(S2)).statements;
    expect(capped?.outcome).toMatchObject({ tag: 'SELECT 1', result_rows: [['1']], result_truncated: false });
    const [digestOnly] = (await views.statements(S1)).statements;
    expect(digestOnly?.outcome).not.toHaveProperty('result_rows');
  });

  const cases: Array<{ note: string; decision?: 'allow' | 'deny' | 'hold' | 'refuse'; want: number[] }> = [
    { note: 'allowed only', decision: 'allow', want: [1, 2] },
    { note: 'denied only', decision: 'deny', want: [3] },
    { note: 'held only', decision: 'hold', want: [4] },
    { note: 'refused only', decision: 'refuse', want: [] },
  ];
  it.each(cases)('filters $note', async ({ decision, want }) => {
    const page = await views.statements(S1, decision !== undefined ? { decision } : {});
    expect(page.statements.map((s) => s.statement)).toEqual(want);
  });

  it('pages by cursor', async () => {
    const seen: number[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await views.statements(S1, { limit: 3, ...(cursor !== undefined ? { cursor } : {}) });
      seen.push(...page.statements.map((s) => s.statement));
      cursor = page.next_cursor;
      pages++;
    } while (cursor !== undefined);
    expect({ seen, pages }).toEqual({ seen: [1, 2, 3, 4], pages: 2 });
  });

  it('answers an empty page for an unknown session, and refuses a foreign cursor', async () => {
    expect(await views.statements('nope')).toEqual({ statements: [] });
    await expect(views.statements(S1, { cursor: Buffer.from('["x","y"]').toString('base64url') })).rejects.toThrow(TypeError);
  });
});
