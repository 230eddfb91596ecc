// Status, health and metrics of a composed gateway (as `portcullis serve` runs it, with a state
// store, a recording journal and the admin API): /metrics moves by exactly the statements and
// connections a client made and follows Prometheus' naming; /livez; /readyz?verbose names each
// check, and a second gateway whose upstream and state store are unreachable answers 503 naming
// them; /v1/status has OPA's status shape plus Portcullis' own, under the audit policy.

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFromConfig } from '../../proxy/cli/gateway.js';
import { validateConfig } from '../../proxy/config/index.js';
import { AUDIENCE, REPO_POLICIES, UPSTREAM_USERS, useStack } from './helpers.js';

const stackRef = useStack();
type Started = Extract<Awaited<ReturnType<typeof startGatewayFromConfig>>, { kind: 'started' }>;
let started: Started;
let broken: Started;
let drained = false;
const journalDir = mkdtempSync(join(tmpdir(), 'portcullis-metrics-journal-'));

/** closedPort is a port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

/** compose starts a gateway as `serve` does, on the stack's issuer, with these upstream and state ports. */
async function compose(ports: { upstream: number; state: number }, extra: Record<string, unknown>): Promise<Started> {
  const stack = stackRef.current;
  const user = UPSTREAM_USERS['scram-sha-256'];
  const validated = validateConfig({
    listen: { host: '127.0.0.1', port: 0 },
    upstream: { host: stack.pg.host, port: ports.upstream, database: stack.pg.database, user: user.name, password: user.password },
    identity: { issuer: stack.issuer.issuer.issuer, audience: AUDIENCE, jwks: { url: stack.issuer.jwksUrl }, algorithms: ['ES256'] },
    policy: { paths: [REPO_POLICIES] },
    state: {
      host: stack.pg.host,
      port: ports.state,
      database: 'metrics_state',
      user: stack.pg.superuser.name,
      password: stack.pg.superuser.password,
      connect_timeout: '2s',
    },
    admin: { port: 0 },
    log: { level: 'error' },
    ...extra,
  });
  if (!validated.ok) throw new Error(validated.errors.join('; '));
  const start = await startGatewayFromConfig(validated.config, () => undefined);
  if (start.kind !== 'started') throw new Error(start.reasons.join('; '));
  return start;
}

beforeAll(async () => {
  const stack = stackRef.current;
  const admin = new pg.Client(stack.superuserConfig());
  await admin.connect();
  await admin.query('CREATE DATABASE metrics_state');
  await admin.end();
  started = await compose(
    { upstream: stack.pg.port, state: stack.pg.port },
    { recording: { dir: journalDir, ship_interval: '50ms', fsync: false } },
  );
  const nowhere = await closedPort();
  broken = await compose({ upstream: nowhere, state: nowhere }, { admin: { port: 0, open_routes: ['readyz'] } });
}, 90_000);

afterAll(async () => {
  if (!drained) await started?.close();
  await broken?.close();
  rmSync(journalDir, { recursive: true, force: true });
});

type Answer = { status: number; type: string; text: string };

async function get(base: Started, path: string, token?: string): Promise<Answer> {
  const res = await fetch(`${base.adminUrl}${path}`, { headers: token !== undefined ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

/** Sample is one line of the exposition: a metric name, its labels and value. */
type Sample = { readonly name: string; readonly labels: Readonly<Record<string, string>>; readonly value: number };

/** parseExposition reads Prometheus' text format: samples, and each family's TYPE. */
function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type !== null) types.set(type[1] as string, type[2] as string);
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m === null) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1] as string] = l[2] as string;
    samples.push({ name: m[1] as string, labels, value: Number(m[3]) });
  }
  return { samples, types };
}

/** value reads one sample (0 when absent: a labelled counter not incremented yet). */
function value(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number {
  const s = samples.find((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v));
  return s?.value ?? 0;
}

async function scrape(): Promise<Sample[]> {
  const r = await get(started, '/metrics');
  expect(r.status).toBe(200);
  return parseExposition(r.text).samples;
}

describe('metrics, health and status of a composed gateway', () => {
  it('/metrics moves by exactly the statements and connections made, in Prometheus naming', async () => {
    const stack = stackRef.current;
    const before = await scrape();
    const token = await stack.mint('metrics-reader', { roles: ['db:read'] });
    const config = { ...stack.clientConfig(token), host: started.host, port: started.port };
    await expect(new pg.Client({ ...config, password: 'not-a-jwt' }).connect()).rejects.toMatchObject({ code: '28P01' });
    const client = new pg.Client(config);
    await client.connect();
    try {
      // the shipped policy masks the PII columns for everyone without pii:read: allowed with masks
      for (let i = 0; i < 3; i++) await client.query('SELECT id FROM public.orders LIMIT 1');
      for (let i = 0; i < 2; i++)
        await expect(client.query('DELETE FROM public.orders WHERE id = 1')).rejects.toMatchObject({ code: '42501' });
      const during = await scrape();
      expect(value(during, 'portcullis_sessions_active')).toBe(1);
      expect(value(during, 'portcullis_connections_active', { state: 'authenticated' })).toBe(1);
    } finally {
      await client.end();
    }
    const piiReader = new pg.Client({ ...config, password: await stack.mint('metrics-pii', { roles: ['db:read', 'pii:read'] }) });
    await piiReader.connect();
    await piiReader.query('SELECT id FROM public.orders LIMIT 1');
    await piiReader.end();
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string> = {}): number => value(after, name, labels) - value(before, name, labels);
    expect({
      allow: delta('portcullis_statements_total', { decision: 'allow' }),
      mask: delta('portcullis_statements_total', { decision: 'mask' }),
      deny: delta('portcullis_statements_total', { decision: 'deny' }),
      hold: delta('portcullis_statements_total', { decision: 'hold' }),
      refuse: delta('portcullis_statements_total', { decision: 'refuse' }),
      decisions: delta('portcullis_decision_duration_seconds_count'),
      upstream: delta('portcullis_upstream_duration_seconds_count'),
      accepted: delta('portcullis_connections_accepted_total'),
      rejected: delta('portcullis_connections_rejected_total', { reason: 'token_malformed' }),
    }).toEqual({ allow: 1, mask: 3, deny: 2, hold: 0, refuse: 0, decisions: 6, upstream: 4, accepted: 3, rejected: 1 });
    expect(delta('portcullis_decision_duration_seconds_sum')).toBeGreaterThan(0);
    expect(value(after, 'portcullis_policy_info')).toBe(1);
    expect(after.find((s) => s.name === 'portcullis_policy_info')?.labels['revision']).toMatch(/^sha256:[0-9a-f]{16}$/);
    expect(value(after, 'portcullis_policy_last_activation_timestamp_seconds')).toBeGreaterThan(Date.now() / 1000 - 600);
    expect(value(after, 'portcullis_approvals_pending')).toBe(0);
    expect(value(after, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('/metrics follows the conventions: portcullis_ prefix, counters end in _total, durations in seconds', async () => {
    const r = await get(started, '/metrics');
    expect(r.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    const { types } = parseExposition(r.text);
    const ours = [...types].filter(([name]) => name.startsWith('portcullis_'));
    expect(ours.map(([name]) => name).sort()).toEqual([
      'portcullis_approvals_pending',
      'portcullis_connections_accepted_total',
      'portcullis_connections_active',
      'portcullis_connections_rejected_total',
      'portcullis_decision_duration_seconds',
      'portcullis_decision_log_dropped_total',
      'portcullis_policy_info',
      'portcullis_policy_last_activation_timestamp_seconds',
      'portcullis_policy_reload_failures_total',
      'portcullis_policy_staleness_seconds',
      'portcullis_recording_journal_failed',
      'portcullis_recording_unshipped_records',
      'portcullis_sessions_active',
      'portcullis_statements_total',
      'portcullis_upstream_duration_seconds',
      'portcullis_upstream_idle_connections',
    ]);
    for (const [name, type] of ours) {
      expect(name).toMatch(/^portcullis_[a-z]+(_[a-z]+)*$/);
      expect(name.endsWith('_total'), name).toBe(type === 'counter');
      if (type === 'histogram') expect(name).toMatch(/_seconds$/);
      expect(name).not.toMatch(/_(ms|ns|us|milliseconds|counter)(_|$)/);
    }
    // the rest is prom-client's process and Node.js metrics
    expect([...types.keys()].every((n) => /^(portcullis|process|nodejs)_/.test(n))).toBe(true);
  });

  it('the recording lag drains to 0 once the shipper caught up', async () => {
    let unshipped = -1;
    for (let i = 0; i < 100 && unshipped !== 0; i++) {
      unshipped = value(await scrape(), 'portcullis_recording_unshipped_records');
      if (unshipped !== 0) await new Promise((r) => setTimeout(r, 50));
    }
    expect(unshipped).toBe(0);
  });

  it('/livez answers anyone', async () => {
    expect(await get(started, '/livez')).toMatchObject({ status: 200, text: '{"status":"ok"}' });
  });

  it('/readyz?verbose lists every check of a ready gateway', async () => {
    const token = await stackRef.current.mint('ops', { roles: ['audit:read'] });
    expect((await get(started, '/readyz')).status).toBe(401);
    const r = await get(started, '/readyz?verbose', token);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toEqual({
      status: 'ready',
      checks: {
        policy: { ok: true, message: expect.stringMatching(/^revision sha256:/) },
        staleness: { ok: true },
        shutdown: { ok: true },
        state: { ok: true },
        upstream: { ok: true },
      },
    });
  });

  it('/readyz answers 503 naming the unreachable upstream and state store (open to anyone as configured)', async () => {
    const r = await get(broken, '/readyz');
    expect(r.status).toBe(503);
    expect(JSON.parse(r.text)).toEqual({ status: 'unready', failed: ['state', 'upstream'] });
    const verbose = JSON.parse((await get(broken, '/readyz?verbose')).text);
    expect(verbose.checks).toMatchObject({
      policy: { ok: true },
      state: { ok: false, message: 'the state store cannot be reached' },
      upstream: { ok: false, message: expect.stringMatching(/^the upstream 127\.0\.0\.1:\d+ cannot be reached \(connection refused\)$/) },
    });
    // its /metrics is not open: a bearer token is needed
    expect((await get(broken, '/metrics')).status).toBe(401);
    const token = await stackRef.current.mint('scraper', { roles: ['metrics'] });
    expect((await get(broken, '/metrics', token)).status).toBe(200);
  });

  it('/v1/status has the shape of OPA status API plus sessions, holds, journal and decision-log drops', async () => {
    const stack = stackRef.current;
    expect((await get(started, '/v1/status')).status).toBe(401);
    const agent = await get(started, '/v1/status', await stack.mint('agent-9', { roles: ['db:read'] }));
    expect(agent.status).toBe(403);
    expect(JSON.parse(agent.text)).toMatchObject({ error: { code: 'ERR_ADMIN_FORBIDDEN', reasons: [{ rule: 'audit.read_role' }] } });
    const r = await get(started, '/v1/status', await stack.mint('auditor', { roles: ['audit:read'] }));
    expect(r.status).toBe(200);
    const doc = JSON.parse(r.text);
    const at = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(doc).toEqual({
      labels: { id: expect.stringMatching(/:\d+$/), version: expect.any(String) },
      bundles: {
        portcullis: {
          name: 'portcullis',
          active_revision: expect.stringMatching(/^sha256:/),
          last_successful_activation: at,
          last_successful_download: at,
          last_successful_request: at,
          errors: [],
        },
      },
      plugins: { bundle: { state: 'OK' }, status: { state: 'OK' }, recording: { state: 'OK' } },
      portcullis: {
        draining: false,
        policy: { verified: true, stale: false, stale_seconds: 0, reload_failures: 0 },
        sessions: { active: 0, connections: { unauthenticated: 0, authenticated: 0 } },
        approvals: { pending: 0 },
        journal: { records: expect.any(Number), bytes: expect.any(Number), fsyncs: 0, failed: null, unshipped: expect.any(Number) },
        decision_logs: null,
      },
    });
    expect(doc.portcullis.journal.records).toBeGreaterThan(0);
  });

  it('the OpenAPI document lists the new routes; /metrics is public, /v1/status needs the bearer', async () => {
    const token = await stackRef.current.mint('ops', { roles: ['audit:read'] });
    const doc = JSON.parse((await get(started, '/v1/openapi.json', token)).text);
    expect(doc.paths['/metrics'].get.security).toEqual([]);
    expect(doc.paths['/v1/status'].get.security).toBeUndefined();
    expect(doc.paths['/readyz'].get.parameters).toContainEqual(expect.objectContaining({ name: 'verbose', in: 'query' }));
  });

  it('draining (last: it stops the gateway): /readyz fails its shutdown check, an open transaction may finish, then 57P01', async () => {
    const stack = stackRef.current;
    const token = await stack.mint('metrics-tx', { roles: ['db:read'] });
    const c = new pg.Client({ ...stack.clientConfig(token), host: started.host, port: started.port });
    const errors: Error[] = [];
    c.on('error', (e) => errors.push(e));
    await c.connect();
    await c.query('BEGIN');
    await c.query('SELECT id FROM public.orders LIMIT 1');
    drained = true;
    const closing = started.close({ graceMs: 10_000 });
    const auditor = await stack.mint('auditor', { roles: ['audit:read'] });
    const r = await get(started, '/readyz?verbose', auditor);
    expect(r.status).toBe(503);
    expect(JSON.parse(r.text)).toMatchObject({
      failed: ['shutdown'],
      checks: { shutdown: { ok: false, message: 'the gateway is shutting down' } },
    });
    expect(JSON.parse((await get(started, '/v1/status', auditor)).text).portcullis).toMatchObject({
      draining: true,
      sessions: { active: 1 },
    });
    // the transaction block is still open: the session goes on until it ends
    expect((await c.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
    await c.query('COMMIT');
    await closing;
    expect(errors[0]).toMatchObject({ code: '57P01' });
  }, 30_000);
});
