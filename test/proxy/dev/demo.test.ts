// startDemo against a real PostgreSQL, the dev issuer and the gateway (wired with the CLI's
// composition root), and the B4 regression: a demo whose PostgreSQL fails to start reports the
// launcher's message through the CLI, not "internal error".

import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../proxy/cli/config-file.js';
import { startGatewayFromConfig } from '../../../proxy/cli/gateway.js';
import { runCli } from '../cli/invocation.js';
import { portOpen } from '../../helpers/ports.js';
import { spawn } from 'node:child_process';

/** PSQL is Debian's psql; the approval loop test skips where it is missing. */
const PSQL = '/usr/bin/psql';
import { DEMO_STATE_DATABASE, DEMO_UPSTREAM_USER, banner, startDemo } from '../../../proxy/dev/index.js';
import { consoleOidc } from '../../../proxy/console/oidc.js';
import { createHash, randomBytes } from 'node:crypto';
import type { DemoDeps, DemoHandle } from '../../../proxy/dev/index.js';
import { MIGRATIONS } from '../../../proxy/state/index.js';

const cli = runCli;

/** deps are the composition root's pieces, as `portcullis demo` passes them. */
const deps: DemoDeps = { loadConfig: loadConfigFile, startGateway: startGatewayFromConfig };

const dir = mkdtempSync(join(tmpdir(), 'portcullis-demo-test-'));
// the demo's pointer file lives in the temporary directory: keep this file's demo out of the host's
// (traversable: the throwaway clusters' files, made under it, belong to the `postgres` OS user when run as root)
chmodSync(dir, 0o755);
const hostTmp = process.env['TMPDIR'];
process.env['TMPDIR'] = dir;
afterAll(() => {
  if (hostTmp === undefined) delete process.env['TMPDIR'];
  else process.env['TMPDIR'] = hostTmp;
  rmSync(dir, { recursive: true, force: true });
});

describe('startDemo', () => {
  let demo: DemoHandle | undefined;
  const stateDir = join(dir, 'demo-state');
  beforeAll(async () => {
    demo = await startDemo({ stateDir, gatewayPort: 0, adminPort: 0 }, deps);
  }, 60_000);
  afterAll(async () => {
    await demo?.stop();
  });
  const d = (): DemoHandle => {
    if (demo === undefined) throw new Error('demo not started');
    return demo;
  };

  it('points the gateway config at the throwaway PostgreSQL and the local issuer', () => {
    const { config, postgres, issuerUrl, jwksUrl } = d();
    expect(config.upstream).toEqual({
      host: '127.0.0.1',
      port: postgres.port,
      database: 'portcullis',
      user: DEMO_UPSTREAM_USER,
      password: { kind: 'inline', value: expect.any(String) },
      connectTimeoutMs: 10_000,
      // logins reuse upstream connections, reset with DISCARD ALL (config.md, upstream.pool)
      pool: { maxIdle: 8, idleTimeoutMs: 60_000, maxLifetimeMs: 1_800_000 },
    });
    expect(config.identity).toMatchObject({ issuer: issuerUrl, jwks: { kind: 'url', url: jwksUrl }, audience: ['portcullis'] });
    expect(config.listen.port).toBe(0);
  });

  it('lets the gateway user read the sample schema over SCRAM', async () => {
    const { config, postgres } = d();
    const pw = config.upstream.password?.kind === 'inline' ? config.upstream.password.value : '';
    const client = new pg.Client({
      host: postgres.host,
      port: postgres.port,
      database: postgres.database,
      user: DEMO_UPSTREAM_USER,
      password: pw,
    });
    await client.connect();
    try {
      const counts = await client.query(
        'SELECT (SELECT count(*) FROM public.customers)::int AS customers, (SELECT count(*) FROM public.orders)::int AS orders, (SELECT count(*) FROM public.audit_log)::int AS audit',
      );
      expect(counts.rows).toEqual([{ customers: 5, orders: 6, audit: 2 }]);
      const cols = await client.query(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'customers' ORDER BY ordinal_position",
      );
      expect(cols.rows.map((r: { column_name: string }) => r.column_name)).toEqual(['id', 'name', 'email', 'card_number', 'created_at']);
    } finally {
      await client.end();
    }
  });

  it('prints a psql line whose token the served JWKS verifies', async () => {
    const { psqlCommand, token, issuerUrl, jwksUrl, gateway } = d();
    expect(psqlCommand).toBe(`psql "host=127.0.0.1 port=${gateway.port} user=agent dbname=portcullis sslmode=disable password=${token}"`);
    const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(jwksUrl)), { issuer: issuerUrl, audience: 'portcullis' });
    expect(payload.sub).toBe('agent');
  });

  it('serves the printed token through the gateway: reads masked, destructive writes denied', async () => {
    const { token, gateway, postgres } = d();
    const client = new pg.Client({ host: gateway.host, port: gateway.port, user: 'agent', database: postgres.database, password: token });
    await client.connect();
    try {
      const r = await client.query('SELECT email FROM customers ORDER BY id LIMIT 1');
      expect(r.rows[0].email).toMatch(/^\*+\.com$/);
      await expect(client.query('DELETE FROM orders')).rejects.toMatchObject({ code: '42501' });
    } finally {
      await client.end();
    }
  });

  it('records the rows each statement answered, masked as the agent saw them (for the console)', async () => {
    const { token, gateway, postgres } = d();
    const client = new pg.Client({ host: gateway.host, port: gateway.port, user: 'agent', database: postgres.database, password: token });
    await client.connect();
    try {
      await client.query('SELECT email FROM customers WHERE id = 2');
    } finally {
      await client.end();
    }
    const state = new pg.Client({
      host: postgres.host,
      port: postgres.port,
      database: DEMO_STATE_DATABASE,
      user: postgres.superuser.name,
      password: postgres.superuser.password,
    });
    await state.connect();
    try {
      const recorded = async (): Promise<unknown> =>
        (
          await state.query(
            `SELECT o.body->'result_rows' AS rows FROM portcullis.recording_records s JOIN portcullis.recording_records o
               ON o.session = s.session AND o.statement = s.statement AND o.kind = 'statement.outcome'
             WHERE s.kind = 'statement' AND s.body->>'text' = 'SELECT email FROM customers WHERE id = 2'`,
          )
        ).rows[0]?.rows;
      await expect.poll(recorded, { timeout: 10_000 }).toEqual([[expect.stringMatching(/^\*+\.com$/)]]);
    } finally {
      await state.end();
    }
  });

  it('runs the printed (db:write) token as portcullis_writer, a role PostgreSQL grants no DDL', async () => {
    const { token, gateway, postgres } = d();
    const client = new pg.Client({ host: gateway.host, port: gateway.port, user: 'agent', database: postgres.database, password: token });
    await client.connect();
    try {
      expect((await client.query('SELECT current_user AS who')).rows).toEqual([{ who: 'portcullis_writer' }]);
    } finally {
      await client.end();
    }
    const direct = new pg.Client({ connectionString: postgres.connectionString() });
    await direct.connect();
    try {
      const r = await direct.query(
        `SELECT r.rolname, r.rolcanlogin, has_table_privilege(r.rolname, 'public.orders', 'INSERT') AS can_insert,
                has_table_privilege(r.rolname, 'public.orders', 'SELECT') AS can_select,
                has_schema_privilege(r.rolname, 'public', 'CREATE') AS can_create
           FROM pg_roles r WHERE r.rolname LIKE 'portcullis\\_%' AND r.rolname <> 'portcullis_gateway' ORDER BY 1`,
      );
      expect(r.rows).toEqual([
        { rolname: 'portcullis_admin', rolcanlogin: false, can_insert: true, can_select: true, can_create: true },
        { rolname: 'portcullis_reader', rolcanlogin: false, can_insert: false, can_select: true, can_create: false },
        { rolname: 'portcullis_writer', rolcanlogin: false, can_insert: true, can_select: true, can_create: false },
      ]);
    } finally {
      await direct.end();
    }
  });

  it.skipIf(!existsSync(PSQL))(
    "runs README's approval loop: a write held in psql, `approvals list`, approve, psql prints the result",
    async () => {
      const { gateway, postgres, token } = d();
      expect(gateway.adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      // the agent's psql, as the banner prints it: the UPDATE waits for a human
      const child = spawn(
        PSQL,
        [
          '-X',
          '-h',
          gateway.host,
          '-p',
          String(gateway.port),
          '-U',
          'agent',
          '-d',
          postgres.database,
          '-c',
          "UPDATE orders SET status = 'paid' WHERE id = 3",
        ],
        { env: { ...process.env, PGPASSWORD: token, PGSSLMODE: 'disable' }, timeout: 30_000 },
      );
      let out = '';
      let err = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString()));
      child.stderr.on('data', (b: Buffer) => (err += b.toString()));
      const exited = new Promise<number>((r) => child.on('close', (code) => r(code ?? -1)));
      // the approver, in another terminal: a token, then the CLI finds the demo's admin API by itself
      const minted = await runCli(['token', '--sub', 'alice', '--claim', 'roles=db:approver', '--state', stateDir]);
      expect(minted.code).toBe(0);
      const env = { PORTCULLIS_TOKEN: minted.stdout.trim() };
      let id: string | undefined;
      for (let i = 0; i < 100 && id === undefined; i++) {
        const listed = await runCli(['approvals', 'list', '--status', 'pending', '--json'], env);
        expect(listed.code, listed.stderr).toBe(0);
        id = (JSON.parse(listed.stdout) as { approvals: { id: string }[] }).approvals[0]?.id;
        if (id === undefined) await new Promise((r) => setTimeout(r, 50));
      }
      expect(id).toBeDefined();
      expect(err).toContain(`statement held for approval (request ${id})`);
      const approved = await runCli(['approvals', 'approve', id as string, '--reason', 'checked with the team'], env);
      expect(approved.code, approved.stderr).toBe(0);
      expect(await exited).toBe(0);
      expect(out.trim()).toBe('UPDATE 1');
    },
    40_000,
  );

  it("serves the console's config.json with sign-in at the demo issuer, and lets the console reach it (CSP)", async () => {
    const { gateway, issuerUrl } = d();
    const res = await fetch(`${gateway.adminUrl}/console/config.json`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { oidc: unknown }).oidc).toEqual({
      issuer: issuerUrl,
      authorization_endpoint: `${issuerUrl}/authorize`,
      token_endpoint: `${issuerUrl}/token`,
      client_id: 'portcullis-console',
      scope: 'openid',
      redirect_uri: `${gateway.adminUrl}/`,
    });
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain(`connect-src 'self' ${issuerUrl}`);
    expect(csp).toContain(`form-action 'self' ${issuerUrl}`);
  });

  it.each([
    { who: 'alice', route: '/v1/sessions', status: 200 },
    { who: 'bob', route: '/v1/approvals?status=pending', status: 200 },
    { who: 'bob', route: '/v1/sessions', status: 403 },
    { who: 'carol', route: '/v1/sessions', status: 200 },
    { who: 'agent', route: '/v1/sessions', status: 403 },
    { who: 'carol', route: '/v1/approvals?status=pending', status: 200 },
    { who: 'agent', route: '/v1/approvals?status=pending', status: 403 },
  ])('signs $who in to the console at its issuer; the admin API answers $route with $status', async ({ who, route, status }) => {
    const { gateway, config, issuerUrl } = d();
    const adminUrl = gateway.adminUrl as string;
    const oidc = await consoleOidc(config, adminUrl);
    expect(oidc).toEqual({
      issuer: issuerUrl,
      authorization_endpoint: `${issuerUrl}/authorize`,
      token_endpoint: `${issuerUrl}/token`,
      client_id: 'portcullis-console',
      scope: 'openid',
      redirect_uri: `${adminUrl}/`,
    });
    if (oidc === null) return;
    // the browser's part, as proxy/console/assets/oidc.js does it
    const verifier = randomBytes(32).toString('base64url');
    const authorize = new URL(oidc.authorization_endpoint);
    for (const [k, v] of Object.entries({
      response_type: 'code',
      client_id: oidc.client_id,
      redirect_uri: oidc.redirect_uri,
      scope: oidc.scope,
      state: 's',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      login_hint: who,
    }))
      authorize.searchParams.set(k, v);
    const back = await fetch(authorize, { redirect: 'manual' });
    expect(back.status).toBe(302);
    const code = new URL(back.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const body = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: oidc.redirect_uri,
      client_id: oidc.client_id,
      code_verifier: verifier,
    });
    const tokens = (await (await fetch(oidc.token_endpoint, { method: 'POST', body })).json()) as { id_token: string };
    const res = await fetch(`${adminUrl}${route}`, { headers: { authorization: `Bearer ${tokens.id_token}` } });
    expect(res.status, await res.text()).toBe(status);
  });

  it('writes the issuer state and a redacted config', async () => {
    const config = JSON.parse(readFileSync(join(stateDir, 'config.json'), 'utf8'));
    expect(config.upstream.password).toEqual({ kind: 'inline', value: '<redacted>' });
    const r = await cli(['token', '--sub', 'second', '--state', stateDir]);
    expect(r.code).toBe(0);
    const { payload } = await jwtVerify(r.stdout.trim(), createRemoteJWKSet(new URL(d().jwksUrl)), { issuer: d().issuerUrl });
    expect(payload.sub).toBe('second');
  });

  it('mints for the running demo without --state (the pointer file names its state)', async () => {
    const r = await cli(['token', '--sub', 'third']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const { payload } = await jwtVerify(r.stdout.trim(), createRemoteJWKSet(new URL(d().jwksUrl)), { issuer: d().issuerUrl });
    expect(payload.sub).toBe('third');
  });

  it('keeps the shared state in its own portcullis_state database, migrated, and none of it in the guarded database', async () => {
    const { config, postgres } = d();
    expect(config.state).toMatchObject({ host: '127.0.0.1', port: postgres.port, database: DEMO_STATE_DATABASE, user: DEMO_UPSTREAM_USER });
    expect(config.state?.database).not.toBe(config.upstream.database);
    const superuser = (database: string): pg.Client =>
      new pg.Client({
        host: postgres.host,
        port: postgres.port,
        database,
        user: postgres.superuser.name,
        password: postgres.superuser.password,
      });
    const state = superuser(DEMO_STATE_DATABASE);
    await state.connect();
    try {
      const versions = await state.query('SELECT version FROM portcullis.portcullis_schema_migrations ORDER BY version');
      expect(versions.rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version })));
      const tables = await state.query("SELECT tablename FROM pg_tables WHERE schemaname = 'portcullis' ORDER BY tablename");
      expect(tables.rows.map((r: { tablename: string }) => r.tablename)).toEqual([
        'approval_events',
        'approval_requests',
        'control_events',
        'identity_blocks',
        'portcullis_schema_migrations',
        'recording_records',
      ]);
    } finally {
      await state.end();
    }
    const guarded = superuser(postgres.database);
    await guarded.connect();
    try {
      const ours = await guarded.query(
        "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'portcullis' OR c.relname LIKE 'portcullis%' OR c.relname LIKE 'approval%'",
      );
      expect(ours.rows).toEqual([]);
    } finally {
      await guarded.end();
    }
  });

  it('says in the banner whether the gateway runs', () => {
    const { gateway } = d();
    const text = banner(d(), false);
    expect(text).toContain(d().psqlCommand);
    expect(text).toContain('npx portcullis token --sub <name> [--claim k=v]... [--ttl 15m]\n');
    expect(text).toContain(`gateway      ${gateway.host}:${gateway.port}, policy`);
    expect(text).toContain(`shared state database ${DEMO_STATE_DATABASE} on`);
    expect(text).toContain(
      `Or in the web console: ${gateway.adminUrl}/ (sign in at the issuer as alice or bob, approvers; carol, auditor; agent)\n`,
    );
    expect(text).toContain(`  one click as the approver alice: ${gateway.adminUrl}/?login_hint=alice\n`);
  });

  it('stop() stops PostgreSQL and the issuer', async () => {
    const { postgres, issuerUrl } = d();
    const issuerPort = Number(new URL(issuerUrl).port);
    await d().stop();
    expect(await portOpen(postgres.port)).toBe(false);
    expect(await portOpen(issuerPort)).toBe(false);
    expect(existsSync(postgres.dataDir)).toBe(false);
    // its state goes with it: a token can no longer be minted for it
    expect(existsSync(join(stateDir, 'issuer.json'))).toBe(false);
    const r = await cli(['token', '--sub', 'late']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^portcullis: no demo is running: start it with `npm start`/);
  });

  it('rejects an invalid config before starting anything', async () => {
    const file = join(dir, 'invalid-demo.yaml');
    writeFileSync(file, 'log: {level: loud}\n');
    await expect(startDemo({ configPath: file, stateDir: join(dir, 'never') }, deps)).rejects.toMatchObject({
      code: 'ERR_PROXY_CONFIG_INVALID',
      errors: expect.arrayContaining([`${file}: log.level: must be one of debug, info, warn, error, got string "loud"`]),
    });
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });
});

describe('portcullis demo when PostgreSQL fails to start', () => {
  it('prints the launcher\'s message (exit 1), not "internal error"', async () => {
    // A real failure: the throwaway cluster cannot create the database "postgres" (it exists).
    const config = readFileSync(join(process.cwd(), 'opa.config.yaml'), 'utf8').replace(/^(\s+database:\s*).*$/m, '$1postgres');
    expect(config).toMatch(/^\s+database:\s*postgres$/m);
    const file = join(dir, 'postgres-db.yaml');
    writeFileSync(file, config);
    const r = await cli(['demo', '--config', file, '--state', join(dir, 'failed-state'), '--port', '0', '--admin-port', '0']);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.stderr).toMatch(/^portcullis: PostgreSQL started but could not be prepared: .*"postgres" already exists\n$/);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
  }, 60_000);
});
