// The web console's server side in gateways as `portcullis serve` composes them
// (startGatewayFromConfig), two of them on one state store: config.json and the console headers,
// GET /v1/whoami with a real token, GET /v1/approvals/{id}/permissions under the repository's
// approval policy (the requester may not approve, with the policy's reasons; a database reader may
// not even read the request, under the audit policy; a resolved request allows nothing), and GET
// /v1/events: a statement held through one gateway appears on
// both gateways' streams as `approval` created, approving it through the other gateway's API
// arrives as `approved` (and the client gets its rows), a denial and an expiry arrive too, the
// overview counts the hold, and closing a gateway ends its streams.

import { readFileSync } from 'node:fs';
import pg from 'pg';
import type { DatabaseError } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSse } from '../helpers/sse.js';
import type { SseEvent, SseStream } from '../helpers/sse.js';
import { REPO_POLICIES, startServed, useStack } from './helpers.js';
import type { StartedServed } from './helpers.js';

const stackRef = useStack();
const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

let a: StartedServed;
let b: StartedServed;

beforeAll(async () => {
  const stack = stackRef.current;
  const admin = new pg.Client(stack.superuserConfig());
  await admin.connect();
  await admin.query('CREATE DATABASE console_state');
  await admin.end();
  const state = {
    host: stack.pg.host,
    port: stack.pg.port,
    database: 'console_state',
    user: stack.pg.superuser.name,
    password: stack.pg.superuser.password,
  };
  a = await startServed(stack, { policy: { paths: [REPO_POLICIES] }, state, admin: { port: 0 } });
  // gateway b holds statements for two seconds only (the expiry test)
  b = await startServed(stack, { policy: { paths: [REPO_POLICIES] }, state, admin: { port: 0 }, approval: { ttl: '2s' } });
}, 60_000);

afterAll(async () => {
  await a?.close();
  await b?.close();
}, 30_000);

// biome-ignore lint/suspicious/noExplicitAny: the tests read JSON answers of the documented shapes
type Body = any;

async function api(
  gw: StartedServed,
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; json: Body }> {
  const res = await fetch(`${gw.adminUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: await res.json() };
}

async function agent(gw: StartedServed, sub: string): Promise<pg.Client & { notices: string[] }> {
  const token = await stackRef.current.mint(sub, { roles: ['db:write'] });
  const c = new pg.Client({ ...stackRef.current.clientConfig(token), host: gw.host, port: gw.port }) as pg.Client & { notices: string[] };
  c.notices = [];
  c.on('notice', (n) => c.notices.push(n.message ?? ''));
  await c.connect();
  return c;
}

async function waitForHold(c: { notices: string[] }): Promise<string> {
  for (let i = 0; i < 400; i++) {
    const id = c.notices.join('\n').match(/held for approval \(request ([A-Za-z0-9_-]{22})\)/)?.[1];
    if (id !== undefined) return id;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('no hold notice');
}

const approvalOf = (id: string, kind: string) => (e: SseEvent) => e.event === 'approval' && e.data.id === id && e.data.kind === kind;

describe('the console on a composed gateway', () => {
  it('serves config.json with the version, no OIDC, and the console headers', async () => {
    const res = await fetch(`${a.adminUrl}/console/config.json`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ version: VERSION, oidc: null });
    expect(res.headers.get('content-security-policy')).toMatch(/^default-src 'self';.*frame-ancestors 'none'/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('answers whoami with the verified token', async () => {
    const token = await stackRef.current.mint('alice', { roles: ['db:approver'] });
    const r = await api(a, 'GET', '/v1/whoami', token);
    expect(r).toMatchObject({
      status: 200,
      json: { sub: 'alice', iss: stackRef.current.issuer.issuer.issuer, claims: { roles: ['db:approver'] } },
    });
    expect(Date.parse(r.json.expires_at)).toBeGreaterThan(Date.now());
  });
});

describe('live events across two gateways on one state store', () => {
  it('a held statement appears on both streams; permissions follow the approval policy; approving through the other gateway arrives as approved', async () => {
    const approver = await stackRef.current.mint('alice', { roles: ['db:approver'] });
    const onA = await openSse(`${a.adminUrl}/v1/events`, approver);
    // approval events go to callers who may read approval requests: an auditor here
    const onB = await openSse(`${b.adminUrl}/v1/events`, await stackRef.current.mint('viewer', { roles: ['audit:read'] }));
    const client = await agent(a, 'ci-job');
    try {
      expect((await onA.next(() => true)).event).toBe('overview');
      expect((await onB.next(() => true)).event).toBe('overview');
      const pending = client.query("UPDATE customers SET name = 'Ada L.' WHERE id = 1 RETURNING name");
      pending.catch(() => undefined);
      const id = await waitForHold(client);
      for (const s of [onA, onB])
        expect((await s.next(approvalOf(id, 'created'))).data).toEqual({ id, status: 'pending', kind: 'created' });
      // gateway a holds it: its overview counts the hold and the pending approval
      await onA.next((e) => e.event === 'overview' && e.data.pending_approvals === 1 && e.data.statements_per_second.hold > 0, 5_000);

      // what the approval policy would say, asked through gateway b
      const requester = await stackRef.current.mint('ci-job', { roles: ['db:approver'] });
      const reader = await stackRef.current.mint('eve', { roles: ['db:read'] });
      // (the shipped policy lets a requester deny, i.e. withdraw, their own request, never approve it)
      const cases: { note: string; token: string; approve: boolean; deny: boolean }[] = [
        { note: 'an approver', token: approver, approve: true, deny: true },
        { note: 'the requester', token: requester, approve: false, deny: true },
      ];
      // a database reader may not read approval requests at all (the audit policy's approvals.read)
      const unread = await api(b, 'GET', `/v1/approvals/${id}/permissions`, reader);
      expect(unread.status).toBe(403);
      expect(unread.json.error.reasons).toEqual([expect.objectContaining({ rule: 'audit.approvals_role' })]);
      for (const c of cases) {
        const r = await api(b, 'GET', `/v1/approvals/${id}/permissions`, c.token);
        expect(r.status, c.note).toBe(200);
        expect(r.json.approve.allowed, c.note).toBe(c.approve);
        expect(r.json.deny.allowed, c.note).toBe(c.deny);
        expect(r.json.approve.reasons.length > 0, c.note).toBe(!c.approve);
        expect(r.json.deny.reasons.length > 0, c.note).toBe(!c.deny);
      }
      const self = await api(b, 'GET', `/v1/approvals/${id}/permissions`, requester);
      expect(self.json.approve.reasons).toEqual([expect.objectContaining({ rule: 'approval.self' })]);
      // the same reasons the approve route gives
      const refused = await api(b, 'POST', `/v1/approvals/${id}/approve`, requester, { reason: 'mine' });
      expect(refused.json.error.reasons).toEqual(self.json.approve.reasons);
      expect((await api(b, 'GET', '/v1/approvals/nope/permissions', approver)).status).toBe(404);
      // asking wrote nothing: still pending, only the request in its trail
      const view = await api(b, 'GET', `/v1/approvals/${id}`, approver);
      expect(view.json.status).toBe('pending');
      expect(view.json.events.map((e: { kind: string }) => e.kind)).toEqual(['requested']);

      expect((await api(b, 'POST', `/v1/approvals/${id}/approve`, approver, { reason: 'reviewed' })).status).toBe(200);
      expect((await pending).rows).toEqual([{ name: 'Ada L.' }]);
      for (const s of [onA, onB]) {
        expect((await s.next(approvalOf(id, 'approved'))).data).toEqual({ id, status: 'approved', kind: 'approved' });
        // the execution is recorded: an update of the approved request
        await s.next(approvalOf(id, 'updated'));
      }
      const resolved = await api(a, 'GET', `/v1/approvals/${id}/permissions`, approver);
      expect(resolved.json.approve).toEqual({
        allowed: false,
        reasons: [{ reason: `approval request ${id} was resolved: it is approved, not pending`, rule: 'portcullis.approval.not_pending' }],
      });
      // events carry ids and statuses only
      expect(JSON.stringify(onB.events)).not.toContain('customers');
    } finally {
      onA.close();
      onB.close();
      await client.end();
    }
  });

  it('a denial and an expiry arrive on the other gateway', async () => {
    const approver = await stackRef.current.mint('bob', { roles: ['db:approver'] });
    const onA = await openSse(`${a.adminUrl}/v1/events`, approver);
    const denied = await agent(a, 'ci-job-2');
    const expiring = await agent(b, 'ci-job-3');
    try {
      await onA.next((e) => e.event === 'overview');
      const first = denied.query('DELETE FROM orders WHERE id = 14').catch((e: DatabaseError) => e);
      const deniedId = await waitForHold(denied);
      expect((await api(b, 'POST', `/v1/approvals/${deniedId}/deny`, approver, { reason: 'no deletes today' })).status).toBe(200);
      expect(((await first) as DatabaseError).code).toBe('42501');
      expect((await onA.next(approvalOf(deniedId, 'denied'))).data.status).toBe('denied');

      // gateway b gives up after two seconds
      const second = expiring.query('DELETE FROM orders WHERE id = 15').catch((e: DatabaseError) => e);
      const expiredId = await waitForHold(expiring);
      await onA.next(approvalOf(expiredId, 'created'));
      expect((await onA.next(approvalOf(expiredId, 'expired'), 10_000)).data).toEqual({
        id: expiredId,
        status: 'expired',
        kind: 'expired',
      });
      expect(((await second) as DatabaseError).message).toMatch(/timed out/);
    } finally {
      onA.close();
      await denied.end();
      await expiring.end();
    }
  });

  it('closing a gateway ends its streams without waiting on them', async () => {
    const stack = stackRef.current;
    const c = await startServed(stack, {
      policy: { paths: [REPO_POLICIES] },
      state: {
        host: stack.pg.host,
        port: stack.pg.port,
        database: 'console_state',
        user: stack.pg.superuser.name,
        password: stack.pg.superuser.password,
      },
      admin: { port: 0 },
    });
    const token = await stack.mint('alice', { roles: ['db:approver'] });
    const streams: SseStream[] = [];
    for (let i = 0; i < 3; i++) streams.push(await openSse(`${c.adminUrl}/v1/events`, token));
    await Promise.all(streams.map((s) => s.next((e) => e.event === 'overview')));
    const started = Date.now();
    await c.close();
    expect(Date.now() - started).toBeLessThan(5_000);
    await Promise.all(streams.map((s) => s.ended));
  });
});
