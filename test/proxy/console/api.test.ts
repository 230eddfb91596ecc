// The admin API's routes for the web console over real HTTP on 127.0.0.1, with tokens a served dev
// issuer mints: GET /v1/whoami (the verified token as the console shows it) and GET
// /v1/approvals/{id}/permissions (what the approval policy would answer the caller now, to callers
// the audit policy lets read approvals) against the in-memory ApprovalService, and both in the
// OpenAPI document. The real service and approval policy are exercised end to end in
// test/e2e/console.test.ts.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPROVER_CLAIMS, startAdminStack } from '../../helpers/admin.js';
import type { AdminStack } from '../../helpers/admin.js';

// biome-ignore lint/suspicious/noExplicitAny: the tests read JSON answers of the documented shapes
type Body = any;

let stack: AdminStack;

beforeAll(async () => {
  stack = await startAdminStack();
});
afterAll(() => stack.close());

async function api(path: string, token?: string): Promise<{ status: number; json: Body }> {
  const res = await fetch(`${stack.server.url}${path}`, { headers: token !== undefined ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, json: await res.json() };
}

describe('GET /v1/whoami', () => {
  it('answers the verified subject, issuer, claims and expiry', async () => {
    const before = Date.now();
    const token = await stack.token('alice', { role: 'approver', team: 'sre' });
    const r = await api('/v1/whoami', token);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ sub: 'alice', iss: stack.issuer.url, claims: { sub: 'alice', role: 'approver', team: 'sre' } });
    const expires = Date.parse(r.json.expires_at);
    // the helper mints 600-second tokens (exp is whole seconds)
    expect(expires).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 599_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 601_000);
  });

  it.each<{ note: string; header?: string; code: string }>([
    { note: 'no token', code: 'ERR_ADMIN_UNAUTHENTICATED' },
    { note: 'a token the issuer did not sign', header: 'Bearer eyJhbGciOiJFUzI1NiJ9.e30.AAAA', code: 'ERR_ADMIN_UNAUTHENTICATED' },
    { note: 'not a bearer header', header: 'Basic YWxpY2U6cHc=', code: 'ERR_ADMIN_UNAUTHENTICATED' },
  ])('refuses $note with 401', async ({ header, code }) => {
    const res = await fetch(`${stack.server.url}/v1/whoami`, { headers: header !== undefined ? { authorization: header } : {} });
    expect(res.status).toBe(401);
    expect(((await res.json()) as Body).error.code).toBe(code);
  });

  it('refuses a query string', async () => {
    expect((await api('/v1/whoami?x=1', await stack.token())).status).toBe(400);
  });
});

describe('GET /v1/approvals/{id}/permissions', () => {
  const allowed = { allowed: true, reasons: [] };
  it.each<{ note: string; id: string; sub: string; claims: Record<string, unknown>; want: Body }>([
    {
      note: 'an approver on a pending request',
      id: 'req-a',
      sub: 'alice',
      claims: APPROVER_CLAIMS,
      want: { approve: allowed, deny: allowed },
    },
    {
      note: 'the requester on its own request',
      id: 'req-a',
      sub: 'agent-7',
      claims: APPROVER_CLAIMS,
      want: {
        approve: {
          allowed: false,
          reasons: [{ reason: 'requesters may not act on their own requests', rule: 'data.portcullis.approval.self' }],
        },
        deny: {
          allowed: false,
          reasons: [{ reason: 'requesters may not act on their own requests', rule: 'data.portcullis.approval.self' }],
        },
      },
    },
    {
      note: 'the wrong role (an auditor may read the request, not act on it)',
      id: 'req-b',
      sub: 'mallory',
      claims: { role: 'viewer', roles: ['audit:read'] },
      want: {
        approve: { allowed: false, reasons: [{ reason: 'only approvers may act', rule: 'data.portcullis.approval.deny' }] },
        deny: { allowed: false, reasons: [{ reason: 'only approvers may act', rule: 'data.portcullis.approval.deny' }] },
      },
    },
    {
      note: 'a resolved request',
      id: 'req-c',
      sub: 'alice',
      claims: APPROVER_CLAIMS,
      want: {
        approve: {
          allowed: false,
          reasons: [{ reason: expect.stringMatching(/resolved: it is approved/), rule: 'portcullis.approval.not_pending' }],
        },
        deny: {
          allowed: false,
          reasons: [{ reason: expect.stringMatching(/resolved: it is approved/), rule: 'portcullis.approval.not_pending' }],
        },
      },
    },
  ])('$note', async ({ id, sub, claims, want }) => {
    const r = await api(`/v1/approvals/${id}/permissions`, await stack.token(sub, claims));
    expect(r.status).toBe(200);
    expect(r.json).toEqual(want);
    // nothing was acted on
    expect(stack.service.calls).toEqual([]);
  });

  it.each<{ note: string; path: string; token: boolean | 'db:read'; status: number; code: string }>([
    { note: 'an unknown request', path: '/v1/approvals/nope/permissions', token: true, status: 404, code: 'ERR_APPROVAL_NOT_FOUND' },
    {
      note: 'a caller who may not read approvals',
      path: '/v1/approvals/req-a/permissions',
      token: 'db:read',
      status: 403,
      code: 'ERR_ADMIN_FORBIDDEN',
    },
    {
      note: 'the same, on an unknown request',
      path: '/v1/approvals/nope/permissions',
      token: 'db:read',
      status: 403,
      code: 'ERR_ADMIN_FORBIDDEN',
    },
    { note: 'an id of the wrong shape', path: '/v1/approvals/a.b/permissions', token: true, status: 400, code: 'ERR_ADMIN_BAD_REQUEST' },
    { note: 'no token', path: '/v1/approvals/req-a/permissions', token: false, status: 401, code: 'ERR_ADMIN_UNAUTHENTICATED' },
  ])('$note: $status $code', async ({ path, token, status, code }) => {
    const r = await api(
      path,
      token === 'db:read' ? await stack.token('bot', { roles: ['db:read'] }) : token ? await stack.token() : undefined,
    );
    expect(r.status).toBe(status);
    expect(r.json.error.code).toBe(code);
  });

  it('answers 503 when the store is unreachable', async () => {
    const { StateUnavailableError } = await import('../../../proxy/state/index.js');
    stack.service.failWith = new StateUnavailableError('down');
    try {
      const r = await api('/v1/approvals/req-a/permissions', await stack.token());
      expect(r.status).toBe(503);
      expect(r.json.error.code).toBe('ERR_STATE_UNAVAILABLE');
    } finally {
      stack.service.failWith = undefined;
    }
  });
});

describe('the OpenAPI document', () => {
  it('lists the console routes of /v1 under the console and approvals tags', async () => {
    const doc = (await api('/v1/openapi.json', await stack.token())).json;
    expect(doc.paths['/v1/whoami'].get.tags).toEqual(['console']);
    expect(doc.paths['/v1/approvals/{id}/permissions'].get.tags).toEqual(['approvals']);
    expect(doc.paths['/v1/approvals/{id}/permissions'].get.responses['200'].content['application/json'].schema.required).toEqual([
      'approve',
      'deny',
    ]);
  });
});
