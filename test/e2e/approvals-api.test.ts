// The gateway as `portcullis serve` composes it (startGatewayFromConfig) with a state store, the
// admin API and a webhook: a statement held through the data plane is listed, approved and denied
// over HTTP with approvers' real tokens (the audit policy lets the requester read its own request
// only, and a database reader none), the approval policy refuses the requester and a
// non-approver with its reasons, and a real local receiver gets every event, signed.

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import type { DatabaseError } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFromConfig } from '../../proxy/cli/gateway.js';
import { validateConfig } from '../../proxy/config/index.js';
import { verifyWebhookSignature } from '../../proxy/notify/index.js';
import { AUDIENCE, REPO_POLICIES, UPSTREAM_USERS, useStack } from './helpers.js';

const stackRef = useStack();
const SECRET = 'webhook-secret-for-tests-0123456789';

type Received = { readonly headers: Record<string, string | string[] | undefined>; readonly body: string };
const received: Received[] = [];
let receiver: Server;
let started: Extract<Awaited<ReturnType<typeof startGatewayFromConfig>>, { kind: 'started' }>;
const logLines: string[] = [];
const journalDir = mkdtempSync(join(tmpdir(), 'portcullis-api-journal-'));

beforeAll(async () => {
  const stack = stackRef.current;
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/portcullis`;
  const admin = new pg.Client(stack.superuserConfig());
  await admin.connect();
  await admin.query('CREATE DATABASE api_state');
  await admin.end();
  const user = UPSTREAM_USERS['scram-sha-256'];
  const validated = validateConfig({
    listen: { host: '127.0.0.1', port: 0 },
    upstream: { host: stack.pg.host, port: stack.pg.port, database: stack.pg.database, user: user.name, password: user.password },
    identity: { issuer: stack.issuer.issuer.issuer, audience: AUDIENCE, jwks: { url: stack.issuer.jwksUrl }, algorithms: ['ES256'] },
    policy: { paths: [REPO_POLICIES] },
    state: {
      host: stack.pg.host,
      port: stack.pg.port,
      database: 'api_state',
      user: stack.pg.superuser.name,
      password: stack.pg.superuser.password,
    },
    approval: { webhooks: [{ url: hookUrl, secret: SECRET }] },
    recording: { dir: journalDir, ship_interval: '50ms' },
    admin: { port: 0 },
    log: { level: 'debug' },
  });
  if (!validated.ok) throw new Error(validated.errors.join('; '));
  const start = await startGatewayFromConfig(validated.config, (line) => logLines.push(line));
  if (start.kind !== 'started') throw new Error(start.reasons.join('; '));
  started = start;
}, 60_000);

afterAll(async () => {
  await started?.close();
  await new Promise((r) => receiver?.close(r));
  rmSync(journalDir, { recursive: true, force: true });
});

/** Body is a parsed JSON answer, read by the assertions below. */
// biome-ignore lint/suspicious/noExplicitAny: the tests read JSON answers of the documented shapes
type Body = any;

async function api(method: string, path: string, token: string | undefined, body?: unknown): Promise<{ status: number; json: Body }> {
  const res = await fetch(`${started.adminUrl}${path}`, {
    method,
    headers: {
      ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: await res.json() };
}

async function agent(sub: string): Promise<pg.Client & { notices: string[] }> {
  const token = await stackRef.current.mint(sub, { roles: ['db:write'] });
  const c = new pg.Client({ ...stackRef.current.clientConfig(token), host: started.host, port: started.port }) as pg.Client & {
    notices: string[];
  };
  c.notices = [];
  c.on('notice', (n) => c.notices.push(n.message ?? ''));
  await c.connect();
  return c;
}

async function waitForHold(c: { notices: string[] }): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const id = c.notices.join('\n').match(/held for approval \(request ([A-Za-z0-9_-]{22})\)/)?.[1];
    if (id !== undefined) return id;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('no hold notice');
}

describe('approvals through the admin API of a composed gateway', () => {
  it('holds, lists, refuses the wrong approvers, approves; the receiver gets signed events', async () => {
    const client = await agent('ci-job');
    try {
      const pending = client.query("UPDATE customers SET name = 'Ada L.' WHERE id = 1 RETURNING name");
      const id = await waitForHold(client);
      const approver = await stackRef.current.mint('alice', { roles: ['db:approver'] });
      // unauthenticated: 401; the list shows the request
      expect((await api('GET', '/v1/approvals', undefined)).status).toBe(401);
      const listed = await api('GET', '/v1/approvals?status=pending', approver);
      expect(listed.status).toBe(200);
      expect(listed.json.approvals.map((r: { id: string }) => r.id)).toContain(id);
      const one = await api('GET', `/v1/approvals/${id}`, approver);
      expect(one.json).toMatchObject({ id, status: 'pending', requester: { sub: 'ci-job' }, reasons: [{ rule: 'production.write' }] });
      // reading is the audit policy's approvals.read: the agent that made the request may poll it but
      // not list every request; a database reader reads none, whether the id exists or not
      const requester = await stackRef.current.mint('ci-job', { roles: ['db:write'] });
      expect(await api('GET', `/v1/approvals/${id}`, requester)).toMatchObject({ status: 200, json: { id, status: 'pending' } });
      expect((await api('GET', '/v1/approvals', requester)).status).toBe(403);
      const eve = await stackRef.current.mint('eve', { roles: ['db:read'] });
      for (const path of ['/v1/approvals', `/v1/approvals/${id}`, `/v1/approvals/${id}/permissions`, '/v1/approvals/nope']) {
        const r = await api('GET', path, eve);
        expect({ path, status: r.status, code: r.json.error?.code }).toEqual({ path, status: 403, code: 'ERR_ADMIN_FORBIDDEN' });
      }
      // the requester may not approve its own request; a reader may not approve at all
      const self = await api('POST', `/v1/approvals/${id}/approve`, await stackRef.current.mint('ci-job', { roles: ['db:approver'] }), {
        reason: 'mine',
      });
      expect(self.status).toBe(403);
      expect(self.json.error).toMatchObject({
        code: 'ERR_APPROVAL_FORBIDDEN',
        reasons: [expect.objectContaining({ rule: 'approval.self' })],
      });
      const reader = await api('POST', `/v1/approvals/${id}/approve`, await stackRef.current.mint('eve', { roles: ['db:read'] }), {
        reason: 'x',
      });
      expect(reader.status).toBe(403);
      // schemas: unknown fields and missing reasons are 400s
      expect((await api('POST', `/v1/approvals/${id}/approve`, approver, { reason: 'ok', extra: 1 })).status).toBe(400);
      expect((await api('POST', `/v1/approvals/${id}/approve`, approver, {})).status).toBe(400);
      const ok = await api('POST', `/v1/approvals/${id}/approve`, approver, { reason: 'reviewed' });
      expect(ok.status).toBe(200);
      expect(ok.json).toMatchObject({ id, status: 'approved' });
      expect((await pending).rows).toEqual([{ name: 'Ada L.' }]);
      // webhooks: requested, approved, executed; each signed with the configured secret
      await expect
        .poll(() => received.map((r) => JSON.parse(r.body).type).filter((t: string) => t !== undefined), { timeout: 5000 })
        .toEqual(expect.arrayContaining(['approval.requested', 'approval.approved', 'approval.executed']));
      for (const r of received) {
        expect(
          verifyWebhookSignature({
            secret: SECRET,
            timestamp: r.headers['x-portcullis-timestamp'] as string,
            body: r.body,
            signature: r.headers['x-portcullis-signature'] as string,
          }),
        ).toBe(true);
        expect(JSON.parse(r.body).request.id).toBe(id);
      }
      // the audit trail
      const trail = await api('GET', `/v1/approvals/${id}`, approver);
      expect(trail.json.events.map((e: { kind: string }) => e.kind)).toEqual(['requested', 'approved', 'executed']);
      expect(trail.json.events[1]).toMatchObject({ reason: 'reviewed' });
    } finally {
      await client.end();
    }
  });

  it('denies over HTTP: the agent sees who and why, the receiver gets approval.denied', async () => {
    const client = await agent('ci-job-2');
    try {
      const pending = client.query('DELETE FROM orders WHERE id = 14').catch((e: DatabaseError) => e);
      const id = await waitForHold(client);
      const bob = await stackRef.current.mint('bob', { roles: ['db:approver'] });
      expect((await api('POST', `/v1/approvals/${id}/deny`, bob, { reason: 'no deletes today' })).status).toBe(200);
      const err = (await pending) as DatabaseError;
      expect(err.code).toBe('42501');
      expect(err.message).toContain('denied by bob');
      expect(err.message).toContain('no deletes today');
      await expect
        .poll(() => received.some((r) => JSON.parse(r.body).type === 'approval.denied' && JSON.parse(r.body).request.id === id), {
          timeout: 5000,
        })
        .toBe(true);
      // deciding twice is a conflict
      expect((await api('POST', `/v1/approvals/${id}/approve`, bob, { reason: 'changed my mind' })).status).toBe(409);
    } finally {
      await client.end();
    }
  });

  it('serves /livez to anyone, /readyz (the state store answers) and the OpenAPI document with a token', async () => {
    const token = await stackRef.current.mint('monitor', { roles: [] });
    expect(await api('GET', '/livez', undefined)).toEqual({ status: 200, json: { status: 'ok' } });
    expect((await api('GET', '/readyz', undefined)).status).toBe(401);
    expect(await api('GET', '/readyz?verbose', token)).toMatchObject({
      status: 200,
      json: { status: 'ready', checks: { state: { ok: true } } },
    });
    const doc = await api('GET', '/v1/openapi.json', token);
    expect(doc.json.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.json.paths)).toEqual(expect.arrayContaining(['/v1/approvals', '/v1/approvals/{id}/approve']));
  });

  it('shows a recorded session as it happened, to an auditor only', async () => {
    const client = await agent('audited-agent');
    await client.query('SELECT id, email FROM customers WHERE id = 2');
    await client.query('DELETE FROM orders').catch(() => undefined);
    await client.end();
    const auditor = await stackRef.current.mint('auditor', { roles: ['audit:read'] });
    const outsider = await stackRef.current.mint('nosy', { roles: ['db:read'] });
    expect((await api('GET', '/v1/sessions?sub=audited-agent', outsider)).status).toBe(403);
    let id: string | undefined;
    await expect
      .poll(
        async () => {
          const listed = await api('GET', '/v1/sessions?sub=audited-agent', auditor);
          id = listed.json.sessions?.[0]?.id;
          return listed.json.sessions?.[0]?.ended_at !== null && id !== undefined;
        },
        { timeout: 5000 },
      )
      .toBe(true);
    const timeline = await api('GET', `/v1/sessions/${id}/statements`, auditor);
    expect(timeline.status).toBe(200);
    const entries = timeline.json.statements as Body[];
    expect(entries.map((e) => [e.text, e.decision.kind])).toEqual([
      ['SELECT id, email FROM customers WHERE id = 2', 'allow'],
      ['DELETE FROM orders', 'deny'],
    ]);
    expect(entries[0].outcome).toMatchObject({ tag: 'SELECT 1', rows: 1 });
    expect(entries[0].decision.masks).toEqual(expect.arrayContaining(['public.customers.email:partial']));
  });

  it('ends a live session and blocks an identity through the admin API, as the audit policy allows', async () => {
    const admin = await stackRef.current.mint('secops', { roles: ['audit:admin'] });
    const reader = await stackRef.current.mint('auditor', { roles: ['audit:read'] });
    const client = await agent('to-be-ended');
    const ended = new Promise<Error | undefined>((resolve) => client.on('error', (e) => resolve(e)));
    let sid: string | undefined;
    await expect
      .poll(
        async () => {
          const listed = await api('GET', '/v1/sessions?sub=to-be-ended', reader);
          sid = listed.json.sessions?.[0]?.id;
          return sid;
        },
        { timeout: 5000 },
      )
      .toBeDefined();
    expect((await api('POST', `/v1/sessions/${sid}/terminate`, reader, { reason: 'x' })).status).toBe(403);
    expect((await api('POST', `/v1/sessions/${sid}/terminate`, admin, { reason: 'runaway', extra: 1 })).status).toBe(400);
    const t = await api('POST', `/v1/sessions/${sid}/terminate`, admin, { reason: 'runaway' });
    expect(t).toEqual({ status: 202, json: { status: 'terminating' } });
    expect((await ended)?.message).toBe(
      'terminating connection: the session was ended by secops (' + stackRef.current.issuer.issuer.issuer + '): runaway',
    );
    const iss = stackRef.current.issuer.issuer.issuer;
    const blocked = await api('POST', '/v1/identities/block', admin, { iss, sub: 'to-be-ended', reason: 'leaked token' });
    expect(blocked).toMatchObject({ status: 200, json: { sub: 'to-be-ended', reason: 'leaked token', until: null } });
    const refused = (await agent('to-be-ended').catch((e: DatabaseError) => e)) as DatabaseError;
    expect(refused.code).toBe('28000');
    expect((await api('GET', '/v1/identities/blocks', admin)).json.blocks).toEqual([expect.objectContaining({ sub: 'to-be-ended' })]);
    expect(await api('POST', '/v1/identities/unblock', admin, { iss, sub: 'to-be-ended', reason: 'rotated' })).toEqual({
      status: 200,
      json: { unblocked: true },
    });
    const back = await agent('to-be-ended');
    await back.end();
  });

  it('logs each step for the operator', () => {
    const steps = logLines.filter((l) => l.includes('"event":"approval.changed"')).map((l) => JSON.parse(l).step);
    expect(steps).toEqual(expect.arrayContaining(['requested', 'approved', 'executed', 'denied']));
    expect(logLines.some((l) => l.includes('"event":"admin.listening"'))).toBe(true);
  });
});
