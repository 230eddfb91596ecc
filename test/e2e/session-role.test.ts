// End-to-end tests of the session's database role (issue 10, defence in depth): the shipped
// policy's login entrypoint (`portcullis/connection`) maps each identity to a database role, the
// gateway runs `SET SESSION ROLE` once before greeting the client, no statement can undo it
// (RESET ROLE, SET ROLE, SET SESSION AUTHORIZATION, DISCARD ALL, set_config('role', …) in every
// spelling, over the simple and the extended protocol), and PostgreSQL enforces the role's
// GRANTs even where the statement policy is wrong (a second gateway with an allow-all policy on
// the same cluster). Real PostgreSQL, the real gateway, the `pg` client.

import pg from 'pg';
import type { ClientConfig, DatabaseError } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_ROLES, databaseRolesSql } from '../../proxy/dev/index.js';
import type { Decide, DecideLogin, Gateway, GatewayEvent } from '../../proxy/index.js';
import { UPSTREAM_USERS, useStack } from './helpers.js';

const GATEWAY_LOGIN = UPSTREAM_USERS['scram-sha-256'].name;
const stack = useStack({ decideLogin: true });
const clients: pg.Client[] = [];
let direct: pg.Client;
/** permissive is a second gateway on the same cluster whose statement policy allows everything (a wrong policy). */
let permissive: Gateway;

const allowAll: Decide = () => ({ kind: 'allow', masks: [] });

beforeAll(async () => {
  direct = new pg.Client(stack.current.superuserConfig());
  await direct.connect();
  permissive = await stack.current.startGateway({}, { decide: allowAll });
}, 60_000);

afterAll(async () => {
  for (const c of clients) await c.end().catch(() => undefined);
  await direct?.end().catch(() => undefined);
});

/** open connects a client (errors on the idle client are the test's business, not the process's). */
async function open(config: ClientConfig, parameters?: Map<string, string>): Promise<pg.Client> {
  const client = new pg.Client(config);
  client.on('error', () => {});
  if (parameters !== undefined) {
    const connection = (client as unknown as { connection: NodeJS.EventEmitter }).connection;
    connection.on('parameterStatus', (msg: { parameterName: string; parameterValue: string }) =>
      parameters.set(msg.parameterName, msg.parameterValue),
    );
  }
  await client.connect();
  clients.push(client);
  return client;
}

/** connectAs opens a session through the gateway (default: the one with the shipped policy) for an agent with roles. */
async function connectAs(sub: string, roles: readonly string[], gateway?: Gateway): Promise<pg.Client> {
  const token = await stack.current.mint(sub, { roles: [...roles] });
  const at = gateway !== undefined ? { host: gateway.host, port: gateway.port } : {};
  return open(stack.current.clientConfig(token, at));
}

async function currentUser(client: pg.Client): Promise<string> {
  const res = await client.query<{ who: string }>('SELECT current_user AS who');
  return res.rows[0]?.who ?? '';
}

/** failure runs a query and returns the error it must raise. */
async function failure(p: Promise<unknown>): Promise<DatabaseError> {
  try {
    await p;
  } catch (err) {
    return err as DatabaseError;
  }
  throw new Error('the query succeeded but was expected to fail');
}

async function eventually(type: GatewayEvent['type'], match: (e: GatewayEvent) => boolean = () => true): Promise<GatewayEvent> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const found = stack.current.events.find((e) => e.type === type && match(e));
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`no ${type} event`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the login entrypoint picks the session role', () => {
  it.each([
    { note: 'a reader runs as portcullis_reader', roles: ['db:read'], role: DATABASE_ROLES.reader },
    { note: 'a reader with pii:read still runs as portcullis_reader', roles: ['db:read', 'pii:read'], role: DATABASE_ROLES.reader },
    { note: 'a writer runs as portcullis_writer', roles: ['db:write'], role: DATABASE_ROLES.writer },
    { note: 'read + write runs as the more privileged portcullis_writer', roles: ['db:write', 'db:read'], role: DATABASE_ROLES.writer },
    { note: 'an admin runs as portcullis_admin', roles: ['db:admin'], role: DATABASE_ROLES.admin },
  ])('$note', async ({ roles, role }) => {
    const client = await connectAs(`agent-${role}`, roles);
    expect(await currentUser(client)).toBe(role);
    const res = await client.query<{ session_user: string }>('SELECT session_user');
    expect(res.rows[0]?.session_user).toBe(GATEWAY_LOGIN);
    const opened = await eventually('session.opened', (e) => e.type === 'session.opened' && e.subject === `agent-${role}`);
    expect(opened).toMatchObject({ role });
  });

  it('refuses a token with no known role at login: FATAL 28000, the policy reason, a login.refused event', async () => {
    const token = await stack.current.mint('agent-nobody', { roles: ['billing'] });
    const client = new pg.Client(stack.current.clientConfig(token));
    client.on('error', () => {});
    const err = await failure(client.connect());
    expect(err).toMatchObject({ code: '28000', severity: 'FATAL', detail: 'rule: login.no_role' });
    expect(err.message).toContain('"agent-nobody" has no database role');
    const refused = await eventually('login.refused', (e) => e.type === 'login.refused' && e.code === 'ERR_PROXY_LOGIN_DENIED');
    expect(refused).toMatchObject({ sqlstate: '28000' });
  });

  it('gives the client a coherent startup: ParameterStatus as PostgreSQL reports them after SET ROLE', async () => {
    // a gateway logging in as a superuser: after SET ROLE to the reader, is_superuser must read off
    const { superuser } = stack.current.pg;
    const asSuperuser = await stack.current.startGateway({
      upstream: { ...stack.current.config.upstream, user: superuser.name, password: { kind: 'inline', value: superuser.password } },
    });
    const token = await stack.current.mint('agent-params', { roles: ['db:read'] });
    const parameters = new Map<string, string>();
    const client = await open(stack.current.clientConfig(token, { host: asSuperuser.host, port: asSuperuser.port }), parameters);
    expect(await currentUser(client)).toBe(DATABASE_ROLES.reader);
    const shown = await client.query<{ is_superuser: string }>('SHOW is_superuser');
    expect(shown.rows[0]?.is_superuser).toBe('off');
    expect(parameters.get('is_superuser')).toBe('off');
    for (const name of ['server_version', 'client_encoding', 'DateStyle', 'integer_datetimes']) expect(parameters.has(name)).toBe(true);
  });

  it('fails the login closed when PostgreSQL refuses the role: a stable code for the agent, the upstream text for the operator', async () => {
    const missing: DecideLogin = () => ({ kind: 'role', role: 'no_such_role' });
    const gateway = await stack.current.startGateway({}, { decideLogin: missing });
    const token = await stack.current.mint('agent-missing-role', { roles: ['db:read'] });
    const client = new pg.Client(stack.current.clientConfig(token, { host: gateway.host, port: gateway.port }));
    client.on('error', () => {});
    const err = await failure(client.connect());
    expect(err).toMatchObject({ code: '08006', severity: 'FATAL' });
    expect(err.message).not.toContain('no_such_role');
    expect(err.message).toContain("refused the session's role");
    const failed = await eventually('upstream.failed', (e) => e.type === 'upstream.failed' && e.code === 'ERR_PROXY_UPSTREAM_ROLE');
    expect(failed.type === 'upstream.failed' && failed.message).toContain('role "no_such_role" does not exist');
  });

  it('quotes the role as an identifier (no case folding, quotes doubled)', async () => {
    await direct.query(`DROP ROLE IF EXISTS "Odd""Role"; CREATE ROLE "Odd""Role" NOLOGIN; GRANT "Odd""Role" TO ${GATEWAY_LOGIN}`);
    const odd: DecideLogin = () => ({ kind: 'role', role: 'Odd"Role' });
    const gateway = await stack.current.startGateway({}, { decideLogin: odd, decide: allowAll });
    const client = await connectAs('agent-odd', ['db:read'], gateway);
    expect(await currentUser(client)).toBe('Odd"Role');
  });

  it('the role SQL is idempotent (the demo may run it on a cluster that has the roles)', async () => {
    await direct.query(databaseRolesSql(stack.current.pg.database, [GATEWAY_LOGIN]));
    const client = await connectAs('agent-after-rerun', ['db:read']);
    expect(await currentUser(client)).toBe(DATABASE_ROLES.reader);
  });
});

describe('no statement undoes the session role (shipped policy, 42501 from the gateway)', () => {
  const attempts = [
    'RESET ROLE',
    'SET ROLE portcullis_admin',
    'SET ROLE NONE',
    'SET SESSION ROLE portcullis_writer',
    'SET LOCAL ROLE portcullis_admin',
    'SET SESSION AUTHORIZATION DEFAULT',
    'RESET SESSION AUTHORIZATION',
    'DISCARD ALL',
    "SELECT set_config('role', 'portcullis_admin', false)",
    "SELECT set_config('role', 'none', false)",
    "SELECT pg_catalog.set_config('role', 'portcullis_admin', false)",
    "SELECT PG_CATALOG.SET_CONFIG('ROLE', 'portcullis_admin', false)",
    "SELECT (SELECT set_config('role', 'portcullis_admin', false))",
    "SELECT * FROM set_config('role', 'portcullis_admin', false)",
    "SELECT id FROM public.orders WHERE set_config('role', 'portcullis_admin', false) IS NOT NULL",
    "SELECT set_config('session_authorization', 'postgres', false)",
  ];
  // pg 8 runs a query without values over the simple protocol unless queryMode is 'extended'
  const cases = [
    ...attempts.map((sql) => ({ note: `${sql} (simple)`, protocol: 'simple', query: { text: sql } as pg.QueryConfig })),
    ...attempts.map((sql) => ({
      note: `${sql} (extended)`,
      protocol: 'extended',
      query: { text: sql, queryMode: 'extended' } as pg.QueryConfig,
    })),
    {
      note: 'SELECT set_config($1, …) with the name as a parameter (extended)',
      protocol: 'extended',
      query: { text: 'SELECT set_config($1, $2, false)', values: ['role', 'portcullis_admin'] } as pg.QueryConfig,
    },
  ].map((c, i) => ({ ...c, sub: `agent-escape-${i}` }));

  it.each(cases)('refuses $note; the session still runs as the reader', async ({ query, protocol, sub }) => {
    const client = await connectAs(sub, ['db:read']);
    const err = await failure(client.query(query));
    expect(err.code).toBe('42501');
    expect(err.detail).toBe('rule: escape.set_role');
    expect(await currentUser(client)).toBe(DATABASE_ROLES.reader);
    // the gateway decided it (and refused it) under the protocol the case names
    const decided = await eventually('statement.decided', (e) => e.type === 'statement.decided' && e.subject === sub);
    expect(decided.type === 'statement.decided' && decided.decision.kind).toBe('deny');
    expect(decided.type === 'statement.decided' && Array.isArray(decided.params)).toBe(protocol === 'extended');
  });

  it('allows RESET ALL: PostgreSQL does not reset the role with it', async () => {
    const client = await connectAs('agent-reset-all', ['db:read']);
    await client.query('SET work_mem = 12345');
    await client.query('RESET ALL');
    expect(await currentUser(client)).toBe(DATABASE_ROLES.reader);
    const extended = { text: 'SELECT current_user AS who', queryMode: 'extended' } as pg.QueryConfig;
    expect((await client.query(extended)).rows).toEqual([{ who: DATABASE_ROLES.reader }]);
  });
});

describe('the database enforces the role where the statement policy is wrong (allow-all gateway)', () => {
  async function auditCount(action: string): Promise<number> {
    const r = await direct.query<{ n: string }>('SELECT count(*) AS n FROM public.audit_log WHERE action = $1', [action]);
    return Number(r.rows[0]?.n);
  }

  it.each([
    { note: 'simple', query: { text: "INSERT INTO public.audit_log (actor, action) VALUES ('agent', 'reader-insert')" } },
    {
      note: 'extended',
      query: { text: 'INSERT INTO public.audit_log (actor, action) VALUES ($1, $2)', values: ['agent', 'reader-insert'] },
    },
  ])('a reader INSERT reaches PostgreSQL, which refuses it (42501 permission denied, $note)', async ({ query }) => {
    const client = await connectAs('wrong-policy-reader', ['db:read'], permissive);
    expect(await currentUser(client)).toBe(DATABASE_ROLES.reader);
    const err = await failure(client.query(query as pg.QueryConfig));
    expect(err.code).toBe('42501');
    expect(err.message).toBe('permission denied for table audit_log');
    expect(err.detail).toBeUndefined(); // PostgreSQL's error, not a gateway rule
    expect(await auditCount('reader-insert')).toBe(0);
  });

  it('a writer INSERT (with its sequence) succeeds as portcullis_writer', async () => {
    const client = await connectAs('wrong-policy-writer', ['db:write'], permissive);
    expect(await currentUser(client)).toBe(DATABASE_ROLES.writer);
    await client.query("INSERT INTO public.audit_log (actor, action) VALUES ('agent', 'writer-insert')");
    expect(await auditCount('writer-insert')).toBe(1);
    const err = await failure(client.query('TRUNCATE public.audit_log'));
    expect(err.code).toBe('42501');
  });

  it("pg_read_file('/etc/hostname') is refused by the database for the reader", async () => {
    const client = await connectAs('wrong-policy-files', ['db:read'], permissive);
    const err = await failure(client.query("SELECT pg_read_file('/etc/hostname')"));
    expect(err.code).toBe('42501');
    expect(err.message).toBe('permission denied for function pg_read_file');
  });

  it('a reader cannot create a table in the schema', async () => {
    const client = await connectAs('wrong-policy-ddl', ['db:read'], permissive);
    const err = await failure(client.query('CREATE TABLE public.reader_made (x int)'));
    expect(err.code).toBe('42501');
  });

  it.each(['DISCARD PLANS', 'DISCARD SEQUENCES', 'DISCARD TEMP', 'RESET ALL'])(
    '%s keeps the role in PostgreSQL (so the analysis does not flag it)',
    async (sql) => {
      const client = await connectAs('wrong-policy-discard', ['db:read'], permissive);
      await client.query(sql);
      expect(await currentUser(client)).toBe(DATABASE_ROLES.reader);
    },
  );

  it('DISCARD ALL does reset it in PostgreSQL (why the analysis flags it and the shipped policy denies it)', async () => {
    const client = await connectAs('wrong-policy-discard-all', ['db:read'], permissive);
    await client.query('DISCARD ALL');
    expect(await currentUser(client)).toBe(GATEWAY_LOGIN);
  });
});
