// Reading approval requests (list, show, permissions) over real HTTP on 127.0.0.1 is the shipped
// audit policy's `approvals.read`, with real tokens a served dev issuer mints: audit readers and
// approvers may read every request, the requester only its own, and anyone else (an agent's
// db:read token) gets 403 ERR_ADMIN_FORBIDDEN with the policy's reasons on an existing and on a
// missing id alike (ids cannot be probed), and is logged as an audit denial.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleRequest, startAdminStack } from '../../helpers/admin.js';
import type { AdminStack } from '../../helpers/admin.js';

let stack: AdminStack;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  stack = await startAdminStack();
  // a request the agent `agent-7` of this issuer made (the samples' requester is another issuer's agent-7)
  const own = sampleRequest('req-own', { requester: { sub: 'agent-7', iss: stack.issuer.url, claims: { sub: 'agent-7' } } });
  stack.service.requests.set('req-own', own);
  tokens['db-read'] = await stack.token('bot', { roles: ['db:read'] });
  tokens['requester'] = await stack.token('agent-7', { roles: ['db:write'] });
  tokens['approver'] = await stack.token('alice', { roles: ['db:approver'] });
  tokens['audit-read'] = await stack.token('ada', { roles: ['audit:read'] });
  tokens['audit-admin'] = await stack.token('root', { scope: 'openid audit:admin' });
});
afterAll(() => stack.close());

type Caller = 'db-read' | 'requester' | 'approver' | 'audit-read' | 'audit-admin';

const get = async (path: string, caller: Caller): Promise<{ status: number; body: unknown }> => {
  const res = await fetch(`${stack.server.url}${path}`, { headers: { authorization: `Bearer ${tokens[caller]}` } });
  return { status: res.status, body: await res.json() };
};

const roles = '["audit:read", "audit:admin", "db:approver"]';
const forbidden = (sub: string, oneRequest: boolean) => ({
  error: {
    code: 'ERR_ADMIN_FORBIDDEN',
    message: 'the audit policy does not let you read approval requests',
    reasons: [
      {
        reason: `identity "${sub}" may not read approval requests: the token's roles must include one of ${roles}${oneRequest ? ", or the token must be the requester's" : ''}`,
        rule: 'audit.approvals_role',
      },
    ],
  },
});

const routes = (id: string): string[] => [`/v1/approvals/${id}`, `/v1/approvals/${id}/permissions`];

describe('approvals.read', () => {
  type Case = { caller: Caller; path: string; status: number };
  const cases: Case[] = [
    // an ordinary database token reads nothing, whether the id exists or not
    { caller: 'db-read', path: '/v1/approvals', status: 403 },
    { caller: 'db-read', path: '/v1/approvals?status=pending&limit=5', status: 403 },
    ...[...routes('req-a'), ...routes('req-own'), ...routes('nope')].map((path) => ({ caller: 'db-read' as const, path, status: 403 })),
    // the requester reads its own request only, and lists nothing
    ...routes('req-own').map((path) => ({ caller: 'requester' as const, path, status: 200 })),
    ...[...routes('req-a'), ...routes('nope'), '/v1/approvals'].map((path) => ({ caller: 'requester' as const, path, status: 403 })),
    // approvers and auditors read everything; a missing id is 404 for them only
    ...(['approver', 'audit-read', 'audit-admin'] as const).flatMap((caller) => [
      { caller, path: '/v1/approvals', status: 200 },
      ...[...routes('req-a'), ...routes('req-own')].map((path) => ({ caller, path, status: 200 })),
      ...routes('nope').map((path) => ({ caller, path, status: 404 })),
    ]),
  ];

  it.each(cases)('$caller: GET $path → $status', async ({ caller, path, status }) => {
    const r = await get(path, caller);
    expect(r.status).toBe(status);
    if (status === 403) {
      const sub = caller === 'db-read' ? 'bot' : 'agent-7';
      expect(r.body).toEqual(forbidden(sub, path !== '/v1/approvals' && !path.startsWith('/v1/approvals?')));
    }
    if (status === 404) expect(r.body).toEqual({ error: { code: 'ERR_APPROVAL_NOT_FOUND', message: 'no approval request nope' } });
  });

  it('the requester sees its own request in full', async () => {
    expect(await get('/v1/approvals/req-own', 'requester')).toEqual({ status: 200, body: stack.service.requests.get('req-own') });
  });

  it('asks the policy with the filters given, or the id and the requester, and logs a refusal', async () => {
    const from = stack.events.length;
    await get('/v1/approvals?status=pending', 'db-read');
    await get('/v1/approvals/req-own/permissions', 'db-read');
    expect(stack.events.slice(from).filter((e) => e.kind === 'admin.audit-denied')).toEqual([
      {
        kind: 'admin.audit-denied',
        action: 'approvals.read',
        caller: { sub: 'bot', iss: stack.issuer.url },
        rules: ['audit.approvals_role'],
      },
      {
        kind: 'admin.audit-denied',
        action: 'approvals.read',
        caller: { sub: 'bot', iss: stack.issuer.url },
        rules: ['audit.approvals_role'],
      },
    ]);
  });

  it('without an audit policy nobody may read approvals', async () => {
    const bare = await startAdminStack({ audit: undefined });
    try {
      const token = await bare.token('alice', { roles: ['db:approver', 'audit:admin'] });
      const res = await fetch(`${bare.server.url}/v1/approvals`, { headers: { authorization: `Bearer ${token}` } });
      expect({ status: res.status, body: await res.json() }).toEqual({
        status: 403,
        body: {
          error: {
            code: 'ERR_ADMIN_FORBIDDEN',
            message: 'the audit policy does not let you read approval requests',
            reasons: [{ reason: 'the policy has no audit entrypoint, so nobody may use this route', rule: 'portcullis.no_policy' }],
          },
        },
      });
    } finally {
      await bare.close();
    }
  });
});
