// The recorded sessions routes over real HTTP on 127.0.0.1: sessions views over a real PostgreSQL
// holding sample records, the shipped audit policy compiled from policies/, and bearer tokens a
// served dev issuer mints. Readers (audit:read) list, filter, page and read timelines; a caller
// without the role is 403 ERR_ADMIN_FORBIDDEN with the policy's reasons; bad queries are 400; an
// unknown session is 404; a server without views or audit policy answers 503.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSessionViews } from '../../../proxy/sessions/index.js';
import { createStateStore } from '../../../proxy/state/index.js';
import type { StateStore } from '../../../proxy/state/index.js';
import { startAdminStack } from '../../helpers/admin.js';
import type { AdminStack } from '../../helpers/admin.js';
import { usePostgres } from '../../helpers/postgres.js';
import { ISS, S1, S2, S3, seedRecordings, shippedAuditDecide } from '../../helpers/recording.js';

const OWNER = { name: 'sessions_api', password: 'sessions-api-pw' };
const pgRef = usePostgres({ users: [OWNER], ownDatabases: ['sessions_api'] });

let store: StateStore;
let stack: AdminStack;
let bare: AdminStack;
let reader: string;
let agent: string;

beforeAll(async () => {
  const { host, port } = pgRef.current;
  store = createStateStore({ host, port, database: 'sessions_api', user: OWNER.name, password: OWNER.password, connectTimeoutMs: 5000 });
  await seedRecordings(store);
  stack = await startAdminStack({ sessions: createSessionViews(store), audit: await shippedAuditDecide() });
  bare = await startAdminStack();
  reader = await stack.token('ada', { roles: ['audit:read'] });
  agent = await stack.token('agent-7', { roles: ['db:write'] });
});
afterAll(async () => {
  await stack?.close();
  await bare?.close();
  await store?.close();
});

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field and compared whole
type Body = any;

/** get calls the admin API as the reader (null: without a token). */
async function get(path: string, token: string | null = reader, base = stack.server.url): Promise<{ status: number; body: Body }> {
  const res = await fetch(`${base}${path}`, { headers: token !== null ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, body: await res.json() };
}

describe('GET /v1/sessions', () => {
  const cases: Array<{ note: string; query: string; want: string[] }> = [
    { note: 'all, newest first', query: '', want: [S2, S1, S3] },
    { note: 'by subject', query: '?sub=alice', want: [S1, S3] },
    { note: 'by issuer', query: `?iss=${encodeURIComponent(ISS)}&sub=bob`, want: [S2] },
    { note: 'since an RFC 3339 time', query: '?since=2026-06-01T08:05:00Z', want: [S2] },
    { note: 'by decision', query: '?decision=hold', want: [S1] },
    { note: 'by database', query: '?database=app&decision=deny', want: [S1, S3] },
  ];
  it.each(cases)('lists $note', async ({ query, want }) => {
    const r = await get(`/v1/sessions${query}`);
    expect(r.status).toBe(200);
    expect(r.body.sessions.map((s: { id: string }) => s.id)).toEqual(want);
  });

  it('takes a duration as since (nothing recorded in the last hour)', async () => {
    expect(await get('/v1/sessions?since=1h')).toEqual({ status: 200, body: { sessions: [] } });
  });

  it('pages with limit and cursor', async () => {
    const first = await get('/v1/sessions?limit=2');
    expect(first.body.sessions.map((s: { id: string }) => s.id)).toEqual([S2, S1]);
    const second = await get(`/v1/sessions?limit=2&cursor=${first.body.next_cursor}`);
    expect(second.body).toEqual({ sessions: [expect.objectContaining({ id: S3, denied: 1, statements: 1 })] });
  });

  const bad: Array<{ note: string; query: string; message: string }> = [
    { note: 'an unknown decision', query: '?decision=maybe', message: 'querystring.decision must be one of allow, deny, hold, refuse' },
    { note: 'a limit over 500', query: '?limit=501', message: 'querystring.limit must be <= 500' },
    { note: 'a non-numeric limit', query: '?limit=x', message: 'querystring.limit must be integer' },
    { note: 'an unknown field', query: '?user=x', message: 'querystring: unknown field "user"' },
    {
      note: 'a bad since',
      query: '?since=yesterday',
      message: 'querystring.since must be an RFC 3339 time or a duration such as 24h or 7d',
    },
    { note: 'a foreign cursor', query: '?cursor=bm9wZQ', message: 'querystring.cursor is not a cursor of this list' },
  ];
  it.each(bad)('answers 400 for $note', async ({ query, message }) => {
    expect(await get(`/v1/sessions${query}`)).toEqual({ status: 400, body: { error: { code: 'ERR_ADMIN_BAD_REQUEST', message } } });
  });
});

describe('GET /v1/sessions/{id} and its statements', () => {
  it('shows a session with its counts', async () => {
    const r = await get(`/v1/sessions/${S1}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      id: S1,
      identity: { sub: 'alice', iss: ISS },
      end_reason: 'client closed',
      counts: { statements: 4, allow: 2, deny: 1, hold: 1, refuse: 0, rows: 6 },
    });
  });

  it('answers the timeline in order, filtered and paged', async () => {
    const all = await get(`/v1/sessions/${S1}/statements`);
    expect(all.body.statements.map((s: { statement: number; decision: { kind: string } }) => [s.statement, s.decision.kind])).toEqual([
      [1, 'allow'],
      [2, 'allow'],
      [3, 'deny'],
      [4, 'hold'],
    ]);
    expect(all.body.statements[1].decision.masks).toEqual(['public.customers.email:partial']);
    // the recorded rows come through as the agent saw them; a statement recorded without rows has none
    expect(all.body.statements[1].outcome).toMatchObject({ result_rows: [['a****@example.com'], [null]], result_truncated: true });
    expect(all.body.statements[0].outcome).not.toHaveProperty('result_rows');
    expect(all.body.statements[2].outcome).toBeNull();
    const denied = await get(`/v1/sessions/${S1}/statements?decision=deny`);
    expect(denied.body.statements.map((s: { statement: number }) => s.statement)).toEqual([3]);
    const page = await get(`/v1/sessions/${S1}/statements?limit=3`);
    expect(page.body.statements).toHaveLength(3);
    const rest = await get(`/v1/sessions/${S1}/statements?limit=3&cursor=${page.body.next_cursor}`);
    expect(rest.body).toEqual({ statements: [expect.objectContaining({ statement: 4 })] });
  });

  it.each([`/v1/sessions/no-such-session`, `/v1/sessions/no-such-session/statements`])('answers 404 for %s', async (path) => {
    expect(await get(path)).toEqual({
      status: 404,
      body: { error: { code: 'ERR_SESSION_NOT_FOUND', message: 'no recorded session no-such-session' } },
    });
  });

  it('refuses a malformed id', async () => {
    expect((await get('/v1/sessions/a%20b')).status).toBe(400);
  });
});

describe('the audit policy guards every route', () => {
  it.each(['/v1/sessions', `/v1/sessions/${S1}`, `/v1/sessions/${S1}/statements`])(
    '%s is 403 for a caller without audit:read, with the reasons',
    async (path) => {
      expect(await get(path, agent)).toEqual({
        status: 403,
        body: {
          error: {
            code: 'ERR_ADMIN_FORBIDDEN',
            message: 'the audit policy does not let you read recorded sessions',
            reasons: [
              {
                reason: `identity "agent-7" may not read recorded sessions: the token's roles must include one of ["audit:read", "audit:admin"]`,
                rule: 'audit.read_role',
              },
            ],
          },
        },
      });
    },
  );

  it('is 401 without a token', async () => {
    expect((await get('/v1/sessions', null)).status).toBe(401);
  });

  it('an audit admin may read too', async () => {
    const admin = await stack.token('root', { roles: 'audit:admin' });
    expect((await get('/v1/sessions', admin)).status).toBe(200);
  });

  it('logs the refusal without the token', () => {
    expect(stack.events).toContainEqual({
      kind: 'admin.audit-denied',
      action: 'sessions.read',
      caller: { sub: 'agent-7', iss: stack.issuer.url },
      rules: ['audit.read_role'],
    });
  });
});

describe('without recordings', () => {
  it.each(['/v1/sessions', `/v1/sessions/${S1}`, `/v1/sessions/${S1}/statements`])('%s answers 503', async (path) => {
    const token = await bare.token('ada', { roles: ['audit:read'] });
    expect(await get(path, token, bare.server.url)).toEqual({
      status: 503,
      body: {
        error: {
          code: 'ERR_RECORDINGS_UNAVAILABLE',
          message: 'recorded sessions need the state store (config `state`) and the audit policy (`policy.audit_entrypoint`)',
        },
      },
    });
  });
});

describe('a state store that cannot be reached', () => {
  it('answers 503, not an internal error, and says nothing about where the store is', async () => {
    const down = createStateStore({
      host: '127.0.0.1',
      port: 1,
      database: 'nowhere',
      user: OWNER.name,
      password: OWNER.password,
      connectTimeoutMs: 1000,
    });
    const other = await startAdminStack({ sessions: createSessionViews(down), audit: await shippedAuditDecide() });
    try {
      const token = await other.token('ada', { roles: ['audit:read'] });
      for (const path of ['/v1/sessions', `/v1/sessions/${S1}`, `/v1/sessions/${S1}/statements`]) {
        const r = await get(path, token, other.server.url);
        expect(r.status).toBe(503);
        expect(JSON.stringify(r.body)).not.toMatch(/127\.0\.0\.1|nowhere/);
      }
    } finally {
      await other.close();
      await down.close();
    }
  });
});
