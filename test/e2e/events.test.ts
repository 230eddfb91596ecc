// End-to-end: the typed events a real gateway publishes for real clients (logins, refusals,
// decisions, outcomes, session ends, upstream failures with their cause), and the operational log
// written from them: the right lines at each level, and never a token, a password, a Bind value
// or a statement's literal in any line.

import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_POLICIES, UPSTREAM_USERS, compilePolicies, useStack } from './helpers.js';
import { createOperationalLog } from '../../proxy/observe/index.js';
import type { LogLevel } from '../../proxy/observe/index.js';
import type { EventOf, GatewayEvent, GatewayEventType } from '../../proxy/index.js';

const stack = useStack({ decide: await compilePolicies(REPO_POLICIES) });
const BIND_SECRET = 'bind-secret-4711';
const LITERAL_SECRET = 'literal-secret-9';
const clients: pg.Client[] = [];

afterAll(async () => {
  for (const c of clients) await c.end().catch(() => undefined);
});

/** eventually polls until the gateway has published an event matching `pick`. */
async function eventually<T extends GatewayEventType>(type: T, pick: (e: EventOf<T>) => boolean = () => true): Promise<EventOf<T>> {
  for (let i = 0; i < 400; i++) {
    const found = stack.current.events.find((e): e is EventOf<T> => e.type === type && pick(e as EventOf<T>));
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no ${type} event; got ${stack.current.events.map((e) => e.type).join(', ')}`);
}

/** logLines replays the events through the operational log at `level` and parses the lines. */
function logLines(level: LogLevel, events: readonly GatewayEvent[]): { text: string; lines: Record<string, unknown>[] } {
  const out: string[] = [];
  const log = createOperationalLog({ level, write: (line) => out.push(line) });
  for (const e of events) log(e);
  return { text: out.join(''), lines: out.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

let token = '';

describe('gateway events', () => {
  it('publishes a refused login with its code, and no session', async () => {
    const client = new pg.Client(stack.current.clientConfig('not-a-jwt'));
    await expect(client.connect()).rejects.toMatchObject({ code: '28P01' });
    const refused = await eventually('login.refused');
    expect(refused).toMatchObject({ code: 'ERR_PROXY_TOKEN_MALFORMED', sqlstate: '28P01' });
    expect(stack.current.events.some((e) => e.type === 'session.opened' && e.session === refused.session)).toBe(false);
  });

  it('publishes a session from opening to close, with every statement decided and finished', async () => {
    token = await stack.current.mint('reader-7', { roles: ['db:read'] });
    const client = new pg.Client(stack.current.clientConfig(token, { application_name: 'events-test' }));
    await client.connect();
    clients.push(client);
    const opened = await eventually('session.opened', (e) => e.subject === 'reader-7');
    expect(opened).toMatchObject({ applicationName: 'events-test', tls: false, user: 'agent' });

    await client.query(`SELECT id, '${LITERAL_SECRET}' AS x FROM public.orders ORDER BY id LIMIT 2`);
    await expect(client.query({ text: 'DELETE FROM public.orders WHERE id = $1', values: [BIND_SECRET] })).rejects.toMatchObject({
      code: '42501',
    });
    await client.end();

    const closed = await eventually('session.closed', (e) => e.session === opened.session);
    expect(closed).toMatchObject({ reason: 'client', statements: 2, subject: 'reader-7' });
    const mine = stack.current.events.filter((e) => 'session' in e && e.session === opened.session);
    expect(mine.map((e) => e.type)).toEqual([
      'session.opened',
      'statement.decided',
      'statement.finished',
      'statement.decided',
      'statement.refused',
      'session.closed',
    ]);
    const [allowed, denied] = mine.filter((e): e is EventOf<'statement.decided'> => e.type === 'statement.decided');
    expect(allowed).toMatchObject({ decision: { kind: 'allow' }, params: null, statement: { command: 'SELECT' } });
    expect(denied).toMatchObject({ decision: { kind: 'deny' }, params: [BIND_SECRET], statement: { command: 'DELETE' } });
    expect(mine.find((e) => e.type === 'statement.finished')).toMatchObject({ tag: 'SELECT 2' });
    expect(mine.find((e) => e.type === 'statement.refused')).toMatchObject({ code: 'ERR_PROXY_POLICY_DENIED', sqlstate: '42501' });
  });

  it.each([
    {
      level: 'debug' as const,
      has: ['login refused', 'session opened', 'statement allowed', 'statement finished', 'statement denied', 'session closed'],
      hasNot: [],
    },
    {
      level: 'info' as const,
      has: ['login refused', 'session opened', 'statement denied', 'session closed'],
      hasNot: ['statement allowed', 'statement finished'],
    },
    { level: 'warn' as const, has: ['login refused'], hasNot: ['session opened', 'statement denied'] },
    { level: 'error' as const, has: [], hasNot: ['login refused', 'statement denied'] },
  ])('logs at $level what that level asks for, and never a secret', ({ level, has, hasNot }) => {
    const { text, lines } = logLines(level, stack.current.events);
    const messages = lines.map((l) => l['msg']);
    for (const m of has) expect(messages).toContain(m);
    for (const m of hasNot) expect(messages).not.toContain(m);
    for (const secret of [token, BIND_SECRET, LITERAL_SECRET, 'not-a-jwt', UPSTREAM_USERS['scram-sha-256'].password]) {
      expect(text).not.toContain(secret);
    }
    const denial = lines.find((l) => l['msg'] === 'statement denied');
    if (denial !== undefined) {
      expect(denial).toMatchObject({
        level: 30,
        event: 'statement.decided',
        subject: 'reader-7',
        statement: { command: 'DELETE', tables: ['public.orders'] },
      });
      expect(typeof denial['rule']).toBe('string');
      expect(typeof denial['time']).toBe('string');
    }
  });

  it('publishes an upstream failure with its cause, and the client sees no internals', async () => {
    await stack.current.stopPostgres();
    const client = new pg.Client(stack.current.clientConfig(await stack.current.mint('reader-8', { roles: ['db:read'] })));
    const err = (await client.connect().then(
      () => undefined,
      (e: unknown) => e,
    )) as { code?: string; message?: string };
    expect(err.code).toBe('08006');
    const failed = await eventually('upstream.failed');
    expect(failed).toMatchObject({ purpose: 'session', code: 'ERR_PROXY_UPSTREAM_UNAVAILABLE' });
    expect(failed.message).toMatch(/ECONNREFUSED|refused/i);
    const { lines } = logLines('error', [failed]);
    expect(lines[0]).toMatchObject({ level: 50, msg: 'upstream failed', code: 'ERR_PROXY_UPSTREAM_UNAVAILABLE' });
    expect(err.message).not.toContain(String(stack.current.pg.port));
  });
});
