// End-to-end tests of upstream session pooling (config `upstream.pool`, proxy/upstream-pool): a
// session that ends at rest gives its upstream backend, reset with DISCARD ALL, to the next
// session (same pg_backend_pid()), which sees nothing of the first one's state and runs as its own
// role with its own application_name; a session that ends in a transaction, after an error in
// one, or during a query never gives its backend to anyone; a pooled backend killed meanwhile
// costs the next login nothing; `max_idle: 0`, `idle_timeout` and `max_lifetime` hold; an ended
// session's cancel key never cancels the next session's query. Real PostgreSQL, the real gateway,
// the `pg` client.

import pg from 'pg';
import type { ClientConfig } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_ROLES } from '../../proxy/dev/index.js';
import type { GatewayConfig, UpstreamPoolConfig } from '../../proxy/config/index.js';
import type { Decide, Gateway } from '../../proxy/index.js';
import { UPSTREAM_USERS, sendCancel, useStack } from './helpers.js';

const GATEWAY_LOGIN = UPSTREAM_USERS['scram-sha-256'].name;
const stack = useStack({ decideLogin: true });
/** allowAll lets sessions leave every kind of state behind (the shipped policy refuses some of it). */
const allowAll: Decide = () => ({ kind: 'allow', masks: [] });
/** APP_B is the second client's application_name: quotes and a backslash must survive the SET. */
const APP_B = "app-b 'q' \\ x";
let direct: pg.Client;

beforeAll(async () => {
  direct = new pg.Client(stack.current.superuserConfig());
  await direct.connect();
}, 30_000);

afterAll(async () => {
  await direct?.end().catch(() => undefined);
});

/** gatewayWith starts a gateway on the stack's PostgreSQL with these pool settings (allow-all statements, the shipped login policy). */
function gatewayWith(pool: Partial<UpstreamPoolConfig> = {}): Promise<Gateway> {
  const upstream: GatewayConfig['upstream'] = {
    ...stack.current.config.upstream,
    pool: { ...stack.current.config.upstream.pool, ...pool },
  };
  return stack.current.startGateway({ upstream }, { decide: allowAll });
}

/** open connects an agent with these roles through the gateway, collecting the ParameterStatus values of its greeting. */
async function open(
  gateway: Gateway,
  sub: string,
  roles: readonly string[],
  extra: Partial<ClientConfig> = {},
): Promise<{ client: pg.Client; parameters: Map<string, string> }> {
  const token = await stack.current.mint(sub, { roles: [...roles] });
  const client = new pg.Client(stack.current.clientConfig(token, { host: gateway.host, port: gateway.port, ...extra }));
  client.on('error', () => {});
  const parameters = new Map<string, string>();
  const connection = (client as unknown as { connection: NodeJS.EventEmitter }).connection;
  connection.on('parameterStatus', (msg: { parameterName: string; parameterValue: string }) =>
    parameters.set(msg.parameterName, msg.parameterValue),
  );
  await client.connect();
  return { client, parameters };
}

async function one<T>(client: pg.Client, sql: string): Promise<T> {
  const res = await client.query(sql);
  return Object.values(res.rows[0] ?? {})[0] as T;
}

const backendPid = (client: pg.Client): Promise<number> => one<number>(client, 'SELECT pg_backend_pid()');

/** until polls `check` every 20 ms until it is true (5 s at most). */
async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** pooled waits until the backend is idle after the pool's reset. */
const pooled = (pid: number): Promise<void> =>
  until(`backend ${pid} is pooled`, async () => {
    const r = await direct.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND state = 'idle' AND query = 'DISCARD ALL'", [pid]);
    return r.rowCount === 1;
  });

/** gone waits until the backend has exited (the gateway closed its connection). */
const gone = (pid: number): Promise<void> =>
  until(`backend ${pid} is gone`, async () => (await direct.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).rowCount === 0);

describe('a session ended at rest hands a clean backend to the next session', () => {
  let gateway: Gateway;
  let first: { pid: number; user: string };
  let second: { client: pg.Client; parameters: Map<string, string>; pid: number };
  const heard: { first: string[]; second: string[] } = { first: [], second: [] };
  const idleCount = { pooled: -1, leased: -1 };

  beforeAll(async () => {
    gateway = await gatewayWith();
    const a = await open(gateway, 'pool-writer', ['db:write'], { application_name: 'app-a' });
    first = { pid: await backendPid(a.client), user: await one<string>(a.client, 'SELECT current_user') };
    // everything a session can leave behind in its backend
    for (const sql of [
      "SET search_path = 'pool_elsewhere'",
      "SET statement_timeout = '1234ms'",
      "SET myapp.tenant = 'x'",
      'CREATE TEMP TABLE pool_temp (x int)',
      'PREPARE pool_prepared AS SELECT 1',
      'LISTEN pool_channel',
      'SELECT pg_advisory_lock(4242)',
      'BEGIN',
      'DECLARE pool_cursor CURSOR WITH HOLD FOR SELECT 1',
      'COMMIT',
      'RESET ROLE',
      "SET DateStyle = 'SQL, DMY'",
    ])
      await a.client.query(sql);
    // a notification reaches the listening session between its requests
    a.client.on('notification', (n) => heard.first.push(n.channel));
    await direct.query("NOTIFY pool_channel, 'for the first session'");
    await until('the first session heard the notification', async () => heard.first.length === 1);
    await a.client.end();
    await pooled(first.pid);
    idleCount.pooled = gateway.upstreamIdle();
    const b = await open(gateway, 'pool-reader', ['db:read'], { application_name: APP_B });
    b.client.on('notification', (n) => heard.second.push(n.channel));
    second = { ...b, pid: await backendPid(b.client) };
    idleCount.leased = gateway.upstreamIdle();
  }, 30_000);

  afterAll(async () => {
    await second?.client.end().catch(() => undefined);
  });

  it('reuses the backend (same pg_backend_pid), the first session ran as its own role', () => {
    expect(first.user).toBe(DATABASE_ROLES.writer);
    expect(second.pid).toBe(first.pid);
    // portcullis_upstream_idle_connections: 1 while it waited in the pool, 0 once leased
    expect(idleCount).toEqual({ pooled: 1, leased: 0 });
  });

  it.each([
    { note: 'current_user is the second identity’s role', sql: 'SELECT current_user', want: DATABASE_ROLES.reader },
    { note: 'session_user is the gateway login', sql: 'SELECT session_user', want: GATEWAY_LOGIN },
    { note: 'search_path is the default', sql: 'SHOW search_path', want: '"$user", public' },
    { note: 'statement_timeout is the default', sql: 'SHOW statement_timeout', want: '0' },
    { note: 'a custom GUC is unset', sql: "SELECT coalesce(current_setting('myapp.tenant', true), '')", want: '' },
    { note: 'the TEMP table is gone', sql: "SELECT to_regclass('pg_temp.pool_temp')::text", want: null },
    { note: 'no prepared statement', sql: 'SELECT count(*)::int FROM pg_prepared_statements', want: 0 },
    { note: 'no LISTEN', sql: 'SELECT count(*)::int FROM pg_listening_channels()', want: 0 },
    { note: 'no held cursor', sql: 'SELECT count(*)::int FROM pg_cursors', want: 0 },
    { note: 'application_name is the second client’s', sql: 'SHOW application_name', want: APP_B },
  ])('$note', async ({ sql, want }) => {
    expect(await one(second.client, sql)).toBe(want);
  });

  it('hears nothing on the first session’s channel', async () => {
    await direct.query("NOTIFY pool_channel, 'for nobody'");
    await one(second.client, 'SELECT 1');
    expect(heard.second).toEqual([]);
  });

  it('released the first session’s advisory lock (a third connection takes it)', async () => {
    expect(await one(direct, 'SELECT pg_try_advisory_lock(4242)')).toBe(true);
    await direct.query('SELECT pg_advisory_unlock(4242)');
  });

  it('greets the second client with the parameters as they stand now', () => {
    expect(second.parameters.get('application_name')).toBe(APP_B);
    expect(second.parameters.get('session_authorization')).toBe(GATEWAY_LOGIN);
    expect(second.parameters.get('is_superuser')).toBe('off');
    expect(second.parameters.get('DateStyle')).toBe('ISO, MDY');
  });
});

describe('a backend that was not at rest is never reused', () => {
  /** ends is how each session ends; the backend must exit and the next session must get another one. */
  const ends: { note: string; end: (client: pg.Client) => Promise<void> }[] = [
    {
      note: 'inside an open transaction (BEGIN, then the client disconnects)',
      end: async (c) => {
        await c.query('BEGIN');
        await c.query('SELECT 1');
        await c.end();
      },
    },
    {
      note: 'after an error in a transaction',
      end: async (c) => {
        await c.query('BEGIN');
        await c.query('SELECT 1/0').catch(() => undefined);
        await c.end();
      },
    },
    {
      note: 'while a query runs (the client is killed)',
      end: async (c) => {
        void c.query('SELECT pg_sleep(1.5)').catch(() => undefined);
        await new Promise((r) => setTimeout(r, 200));
        (c as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
      },
    },
  ];

  it.each(ends)('$note', async ({ end }) => {
    const gateway = await gatewayWith();
    const a = await open(gateway, 'pool-dirty', ['db:write']);
    const pid = await backendPid(a.client);
    await end(a.client);
    await gone(pid);
    const b = await open(gateway, 'pool-next', ['db:read']);
    expect(await backendPid(b.client)).not.toBe(pid);
    await b.client.end();
  });
});

describe('pool bounds and failures', () => {
  it('a session the gateway ended (its token expired) leaves its backend to nobody', async () => {
    const gateway = await gatewayWith();
    const token = await stack.current.mint('pool-expiring', { roles: ['db:read'] }, 2);
    const a = new pg.Client(stack.current.clientConfig(token, { host: gateway.host, port: gateway.port }));
    a.on('error', () => {});
    await a.connect();
    const pid = await backendPid(a);
    await gone(pid);
    const b = await open(gateway, 'pool-after-expiry', ['db:read']);
    expect(await backendPid(b.client)).not.toBe(pid);
    await b.client.end();
  });

  it('a pooled backend killed server-side: the next login gets a fresh connection, no client error', async () => {
    const gateway = await gatewayWith();
    const a = await open(gateway, 'pool-killed', ['db:read'], { application_name: 'app-a' });
    const pid = await backendPid(a.client);
    await a.client.end();
    await pooled(pid);
    await direct.query('SELECT pg_terminate_backend($1)', [pid]);
    const b = await open(gateway, 'pool-after-kill', ['db:read'], { application_name: 'app-b' });
    expect(await backendPid(b.client)).not.toBe(pid);
    expect(await one(b.client, 'SELECT current_user')).toBe(DATABASE_ROLES.reader);
    await b.client.end();
  });

  it.each([
    { note: 'max_idle: 0 never keeps a backend', pool: { maxIdle: 0 }, hold: 0 },
    { note: 'idle_timeout closes an idle backend', pool: { idleTimeoutMs: 300 }, hold: 0 },
    { note: 'max_lifetime: a backend older than it is not kept', pool: { maxLifetimeMs: 1_000 }, hold: 1_100 },
  ])('$note', async ({ pool, hold }) => {
    const gateway = await gatewayWith(pool);
    const a = await open(gateway, 'pool-bounds', ['db:read']);
    const pid = await backendPid(a.client);
    await new Promise((r) => setTimeout(r, hold));
    await a.client.end();
    await gone(pid);
    const b = await open(gateway, 'pool-bounds-next', ['db:read']);
    expect(await backendPid(b.client)).not.toBe(pid);
    await b.client.end();
  });

  it('an ended session’s cancel key (or its handle, looked up before the end) does not cancel the next session’s query', async () => {
    const gateway = await gatewayWith();
    const a = await open(gateway, 'pool-cancel-a', ['db:read']);
    const pid = await backendPid(a.client);
    const { processID, secretKey } = a.client as unknown as { processID: number; secretKey: number };
    // a CancelRequest that found the session just before it ended holds its handle
    const stale = gateway.live().find((h) => h.identity.sub === 'pool-cancel-a');
    await a.client.end();
    await pooled(pid);
    const b = await open(gateway, 'pool-cancel-b', ['db:read']);
    expect(await backendPid(b.client)).toBe(pid);
    const staleCancels: (() => Promise<unknown>)[] = [
      () => sendCancel(gateway, processID, secretKey),
      async () => stale?.cancelUpstream(2_000),
    ];
    for (const staleCancel of staleCancels) {
      const running = b.client.query('SELECT 1 AS slept FROM pg_sleep(0.3)');
      await new Promise((r) => setTimeout(r, 100));
      await staleCancel();
      expect((await running).rows).toEqual([{ slept: 1 }]);
    }
    expect(stale).toBeDefined();
    // the session's own key does cancel it (the cancel path works)
    const own = b.client as unknown as { processID: number; secretKey: number };
    const second = b.client.query('SELECT pg_sleep(5)');
    await new Promise((r) => setTimeout(r, 100));
    await sendCancel(gateway, own.processID, own.secretKey);
    await expect(second).rejects.toMatchObject({ code: '57014' });
    await b.client.end();
  });
});
