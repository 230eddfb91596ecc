// The admin API over real HTTP on 127.0.0.1: probes, bearer authentication with tokens a served
// dev issuer mints and a real TokenVerifier checks, strict validation (unknown fields and wrong
// types are 400 naming the field), the approvals routes against an in-memory ApprovalService
// (transitions and their ActResult codes), errors that never leak details, the generated OpenAPI
// document, per-caller rate limiting, TLS, and a server without a state store.

import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_DEFAULT_PORT, ADMIN_ERRORS, startAdminServer } from '../../../proxy/admin/index.js';
import type { ReadinessReport } from '../../../proxy/admin/index.js';
import { StateUnavailableError } from '../../../proxy/state/index.js';
import { sampleRequest, startAdminStack } from '../../helpers/admin.js';
import type { AdminStack } from '../../helpers/admin.js';
import { selfSignedCert } from '../../helpers/tls.js';

type Answer = { status: number; headers: Headers; body: unknown; text: string };

async function call(
  base: string,
  method: string,
  path: string,
  init: { token?: string; body?: unknown; raw?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (init.token !== undefined) headers['authorization'] = `Bearer ${init.token}`;
  let body: string | undefined;
  if (init.raw !== undefined || init.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = init.raw ?? JSON.stringify(init.body);
  }
  const res = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

let stack: AdminStack;
let approver: string;
let outsider: string;

beforeAll(async () => {
  stack = await startAdminStack();
  approver = await stack.token('alice');
  outsider = await stack.token('mallory', { role: 'viewer' });
});
afterAll(() => stack.close());

const u = (): string => stack.server.url;

describe('probes and the OpenAPI document', () => {
  it('livez answers ok without a token', async () => {
    expect(await call(u(), 'GET', '/livez')).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it.each(['/readyz', '/v1/openapi.json'])('%s needs a bearer token like everything but /livez', async (path) => {
    const r = await call(u(), 'GET', path);
    expect(r.status).toBe(401);
    expect((r.body as { error: { code: string } }).error.code).toBe('ERR_ADMIN_UNAUTHENTICATED');
  });

  it.each<{ note: string; query?: string; report: ReadinessReport; status: number; body: unknown }>([
    { note: 'ready', report: { ready: true, checks: { state: { ok: true } } }, status: 200, body: { status: 'ready' } },
    {
      note: 'unready with the failing check',
      report: { ready: false, checks: { state: { ok: false, message: 'state store unreachable' } } },
      status: 503,
      body: { status: 'unready', failed: ['state'] },
    },
    {
      note: 'verbose, every check with its message',
      query: '?verbose',
      report: { ready: false, checks: { state: { ok: false, message: 'state store unreachable' }, policy: { ok: true } } },
      status: 503,
      body: {
        status: 'unready',
        failed: ['state'],
        checks: { state: { ok: false, message: 'state store unreachable' }, policy: { ok: true } },
      },
    },
  ])('readyz: $note', async ({ report, status, body, query }) => {
    const s = await startAdminStack({ readiness: async () => report });
    try {
      expect(await call(s.server.url, 'GET', `/readyz${query ?? ''}`, { token: await s.token('ops', { role: 'viewer' }) })).toEqual(
        expect.objectContaining({ status, body }),
      );
    } finally {
      await s.close();
    }
  });

  it('readyz reports a probe that throws as unready without its message', async () => {
    const s = await startAdminStack({
      readiness: async () => {
        throw new Error('connect ECONNREFUSED /var/run/secret.sock');
      },
    });
    try {
      const r = await call(s.server.url, 'GET', '/readyz', { token: await s.token('ops', { role: 'viewer' }) });
      expect(r.status).toBe(503);
      expect(r.text).not.toContain('secret');
      expect(s.events).toContainEqual(expect.objectContaining({ kind: 'admin.readiness-failed' }));
    } finally {
      await s.close();
    }
  });

  it('serves an OpenAPI 3 document listing every route with the bearer scheme', async () => {
    const r = await call(u(), 'GET', '/v1/openapi.json', { token: outsider });
    expect(r.status).toBe(200);
    const doc = r.body as {
      openapi: string;
      info: { version: string };
      paths: Record<string, Record<string, { security?: unknown[]; parameters?: { name: string }[]; requestBody?: unknown }>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info.version).toBe('0.1.0-test');
    expect(doc.components.securitySchemes['bearer']).toEqual({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/livez',
      '/readyz',
      '/v1/approvals',
      '/v1/approvals/{id}',
      '/v1/approvals/{id}/approve',
      '/v1/approvals/{id}/deny',
      '/v1/approvals/{id}/permissions',
      '/v1/events',
      '/v1/identities/block',
      '/v1/identities/blocks',
      '/v1/identities/unblock',
      '/v1/policy',
      '/v1/policy/reload',
      '/v1/sessions',
      '/v1/sessions/{id}',
      '/v1/sessions/{id}/statements',
      '/v1/sessions/{id}/terminate',
      '/v1/whoami',
    ]);
    expect(doc.paths['/livez']?.['get']?.security).toEqual([]);
    expect(doc.paths['/v1/approvals']?.['get']?.parameters?.map((p) => p.name).sort()).toEqual(['limit', 'status']);
    expect(doc.paths['/v1/approvals/{id}/approve']?.['post']?.requestBody).toBeDefined();
  });
});

describe('authentication', () => {
  it.each([
    { note: 'no Authorization header', header: undefined, message: 'a bearer token is required', challenge: /^Bearer realm=/ },
    {
      note: 'another scheme',
      header: 'Basic YWxpY2U6cHc=',
      message: 'the Authorization header must be "Bearer <token>"',
      challenge: /invalid_request/,
    },
    { note: 'a token that is not a JWT', header: 'Bearer not-a-jwt', message: 'the token is not valid', challenge: /invalid_token/ },
    { note: 'a bad signature', header: 'bad-signature', message: 'the token is not valid', challenge: /invalid_token/ },
  ])('401 for $note, with a challenge and a short public reason', async ({ header, message, challenge }) => {
    const headers: Record<string, string> = {};
    if (header === 'bad-signature') {
      const [h, p, s] = approver.split('.') as [string, string, string];
      headers['authorization'] = `Bearer ${h}.${p}.${s.slice(0, -4)}AAAA`;
    } else if (header !== undefined) headers['authorization'] = header;
    const res = await fetch(`${u()}/v1/approvals`, { headers });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(challenge);
    expect(await res.json()).toEqual({ error: { code: 'ERR_ADMIN_UNAUTHENTICATED', message } });
  });

  it('401 for an expired token says only that', async () => {
    const expired = await stack.issuer.issuer.mint({ sub: 'alice', ttlSeconds: 60 }, new Date(Date.now() - 3_600_000));
    expect(await call(u(), 'GET', '/v1/approvals', { token: expired })).toMatchObject({
      status: 401,
      body: { error: { code: 'ERR_ADMIN_UNAUTHENTICATED', message: 'the token has expired' } },
    });
  });
});

describe('routes', () => {
  type Case = {
    note: string;
    method: 'GET' | 'POST';
    path: string;
    body?: unknown;
    raw?: string;
    as?: 'outsider';
    status: number;
    want: unknown;
  };
  const bad = (message: string) => ({ error: { code: 'ERR_ADMIN_BAD_REQUEST', message } });
  const cases: Case[] = [
    {
      note: 'list all, newest first',
      method: 'GET',
      path: '/v1/approvals',
      status: 200,
      want: {
        approvals: [
          expect.objectContaining({ id: 'req-c' }),
          expect.objectContaining({ id: 'req-b' }),
          expect.objectContaining({ id: 'req-a' }),
        ],
      },
    },
    {
      note: 'list filtered by status',
      method: 'GET',
      path: '/v1/approvals?status=approved',
      status: 200,
      want: { approvals: [expect.objectContaining({ id: 'req-c', status: 'approved' })] },
    },
    {
      note: 'list with a limit',
      method: 'GET',
      path: '/v1/approvals?status=pending&limit=1',
      status: 200,
      want: { approvals: [expect.objectContaining({ id: 'req-b' })] },
    },
    {
      note: 'an unknown query field',
      method: 'GET',
      path: '/v1/approvals?colour=red',
      status: 400,
      want: bad('querystring: unknown field "colour"'),
    },
    {
      note: 'limit of the wrong type',
      method: 'GET',
      path: '/v1/approvals?limit=x',
      status: 400,
      want: bad('querystring.limit must be integer'),
    },
    {
      note: 'limit out of range',
      method: 'GET',
      path: '/v1/approvals?limit=501',
      status: 400,
      want: bad('querystring.limit must be <= 500'),
    },
    {
      note: 'an unknown status',
      method: 'GET',
      path: '/v1/approvals?status=maybe',
      status: 400,
      want: bad('querystring.status must be one of pending, approved, denied, expired, withdrawn'),
    },
    { note: 'show one', method: 'GET', path: '/v1/approvals/req-a', status: 200, want: sampleRequest('req-a') },
    {
      note: 'show an unknown id',
      method: 'GET',
      path: '/v1/approvals/nope',
      status: 404,
      want: { error: { code: 'ERR_APPROVAL_NOT_FOUND', message: 'no approval request nope' } },
    },
    {
      note: 'show an id of the wrong shape',
      method: 'GET',
      path: '/v1/approvals/a.b',
      status: 400,
      want: bad('params.id does not match ^[A-Za-z0-9_-]{1,64}$'),
    },
    {
      note: 'approve with an extra body field',
      method: 'POST',
      path: '/v1/approvals/req-a/approve',
      body: { reason: 'ok', approver: 'root' },
      status: 400,
      want: bad('body: unknown field "approver"'),
    },
    {
      note: 'approve without a reason',
      method: 'POST',
      path: '/v1/approvals/req-a/approve',
      body: {},
      status: 400,
      want: bad('body.reason is required'),
    },
    {
      note: 'approve with an empty reason',
      method: 'POST',
      path: '/v1/approvals/req-a/approve',
      body: { reason: '' },
      status: 400,
      want: bad('body.reason must NOT have fewer than 1 characters'),
    },
    {
      note: 'approve with a reason of the wrong type',
      method: 'POST',
      path: '/v1/approvals/req-a/approve',
      body: { reason: 42 },
      status: 400,
      want: bad('body.reason must be string'),
    },
    {
      note: 'approve with a body that is not JSON',
      method: 'POST',
      path: '/v1/approvals/req-a/approve',
      raw: '{"reason": ',
      status: 400,
      want: bad('the request body is not valid JSON'),
    },
    {
      note: 'approve with a body over 64 KiB',
      method: 'POST',
      path: '/v1/approvals/req-a/approve',
      body: { reason: 'x'.repeat(70_000) },
      status: 413,
      want: { error: { code: 'ERR_ADMIN_PAYLOAD_TOO_LARGE', message: 'the request body is larger than 64 KiB' } },
    },
    {
      note: 'approve refused by the approval policy, with its reasons',
      method: 'POST',
      path: '/v1/approvals/req-a/approve',
      body: { reason: 'looks fine' },
      as: 'outsider',
      status: 403,
      want: {
        error: {
          code: 'ERR_APPROVAL_FORBIDDEN',
          message: 'the approval policy refused',
          reasons: [{ reason: 'only approvers may act', rule: 'data.portcullis.approval.deny' }],
        },
      },
    },
    {
      note: 'approve a pending request',
      method: 'POST',
      path: '/v1/approvals/req-a/approve',
      body: { reason: 'ticket OPS-12' },
      status: 200,
      want: expect.objectContaining({ id: 'req-a', status: 'approved' }),
    },
    {
      note: 'approve it again',
      method: 'POST',
      path: '/v1/approvals/req-a/approve',
      body: { reason: 'ticket OPS-12' },
      status: 409,
      want: { error: { code: 'ERR_APPROVAL_NOT_PENDING', message: 'request req-a is approved' } },
    },
    {
      note: 'approve a whitespace-only reason (the service says why)',
      method: 'POST',
      path: '/v1/approvals/req-b/approve',
      body: { reason: '   ' },
      status: 400,
      want: { error: { code: 'ERR_APPROVAL_REASON_REQUIRED', message: 'a reason is required' } },
    },
    {
      note: 'deny a pending request',
      method: 'POST',
      path: '/v1/approvals/req-b/deny',
      body: { reason: 'not during the freeze' },
      status: 200,
      want: expect.objectContaining({ id: 'req-b', status: 'denied' }),
    },
    {
      note: 'deny an unknown request',
      method: 'POST',
      path: '/v1/approvals/nope/deny',
      body: { reason: 'x' },
      status: 404,
      want: { error: { code: 'ERR_APPROVAL_NOT_FOUND', message: 'no approval request nope' } },
    },
    {
      note: 'an unknown route',
      method: 'GET',
      path: '/v1/nothing',
      status: 404,
      want: { error: { code: 'ERR_ADMIN_NOT_FOUND', message: 'no route GET /v1/nothing' } },
    },
  ];

  // The cases run in order: approve, then approve again.
  it.each(cases)('$note → $status', async ({ method, path, body, raw, as, status, want }) => {
    const token = as === 'outsider' ? outsider : approver;
    const r = await call(u(), method, path, { token, ...(body !== undefined ? { body } : {}), ...(raw !== undefined ? { raw } : {}) });
    expect({ status: r.status, body: r.body }).toEqual({ status, body: want });
  });

  it('records the approver from the verified token, with its claims', () => {
    const approved = stack.service.calls.find((c) => c.id === 'req-a' && c.reason === 'ticket OPS-12');
    expect(approved?.approver).toEqual({
      sub: 'alice',
      iss: stack.issuer.url,
      claims: expect.objectContaining({ sub: 'alice', role: 'approver' }),
    });
    expect(stack.service.requests.get('req-a')?.events.at(-1)).toMatchObject({ kind: 'approved', actor: `${stack.issuer.url}#alice` });
  });

  it('answers with codes of the error table only', () => {
    for (const c of cases) {
      const code = (c.want as { error?: { code?: string } }).error?.code;
      if (code !== undefined) expect(ADMIN_ERRORS[code as keyof typeof ADMIN_ERRORS]).toBe(c.status);
    }
  });
});

describe('service failures never leak details', () => {
  it.each([
    {
      note: 'a StateError is 503 ERR_STATE_UNAVAILABLE',
      error: new StateUnavailableError('connect ECONNREFUSED 10.1.2.3:5432 (postgres://gw@db.internal/state)'),
      status: 503,
      want: { error: { code: 'ERR_STATE_UNAVAILABLE', message: 'the state store is unavailable; retry later' } },
    },
    {
      note: 'any other error is 500 ERR_ADMIN_INTERNAL',
      error: new Error('TypeError at /srv/portcullis/proxy/approvals/service.ts:42 https://db.internal'),
      status: 500,
      want: { error: { code: 'ERR_ADMIN_INTERNAL', message: 'internal error' } },
    },
  ])('$note', async ({ error, status, want }) => {
    stack.service.failWith = error;
    try {
      for (const [method, path, body] of [
        ['GET', '/v1/approvals', undefined],
        ['GET', '/v1/approvals/req-c', undefined],
        ['POST', '/v1/approvals/req-c/deny', { reason: 'x' }],
      ] as const) {
        const r = await call(u(), method, path, { token: approver, ...(body !== undefined ? { body } : {}) });
        expect({ status: r.status, body: r.body }).toEqual({ status, body: want });
        expect(r.text).not.toMatch(/10\.1\.2\.3|db\.internal|\/srv\/|https?:|ECONNREFUSED|\.ts:/);
      }
      expect(stack.events).toContainEqual(expect.objectContaining({ error: error.message }));
    } finally {
      stack.service.failWith = undefined;
    }
  });
});

describe('rate limiting', () => {
  it('answers 429 ERR_ADMIN_RATE_LIMITED past max, per caller; probes are not limited', async () => {
    const s = await startAdminStack({ rateLimit: { max: 3, timeWindowMs: 60_000 } });
    try {
      const alice = await s.token('alice');
      const bob = await s.token('bob');
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await call(s.server.url, 'GET', '/v1/approvals', { token: alice })).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const limited = await call(s.server.url, 'GET', '/v1/approvals', { token: alice });
      expect(limited.body).toMatchObject({
        error: { code: 'ERR_ADMIN_RATE_LIMITED', message: expect.stringMatching(/^too many requests; retry in \d+s$/) },
      });
      expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
      expect((await call(s.server.url, 'GET', '/v1/approvals', { token: bob })).status).toBe(200);
      for (let i = 0; i < 5; i++) expect((await call(s.server.url, 'GET', '/livez')).status).toBe(200);
    } finally {
      await s.close();
    }
  });

  it('limits callers without a valid token by their address', async () => {
    const s = await startAdminStack({ rateLimit: { max: 2, timeWindowMs: 60_000 } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await call(s.server.url, 'GET', '/v1/approvals', { token: 'garbage' })).status);
      expect(statuses).toEqual([401, 401, 429]);
    } finally {
      await s.close();
    }
  });
});

describe('without a state store', () => {
  it('approvals routes answer 503 ERR_APPROVALS_UNAVAILABLE; probes still answer', async () => {
    const s = await startAdminStack({ service: undefined });
    try {
      const token = await s.token();
      const want = { error: { code: 'ERR_APPROVALS_UNAVAILABLE', message: 'approvals need the state store (config `state`)' } };
      expect(await call(s.server.url, 'GET', '/v1/approvals', { token })).toMatchObject({ status: 503, body: want });
      expect(await call(s.server.url, 'POST', '/v1/approvals/req-a/approve', { token, body: { reason: 'x' } })).toMatchObject({
        status: 503,
        body: want,
      });
      expect((await call(s.server.url, 'GET', '/livez')).status).toBe(200);
    } finally {
      await s.close();
    }
  });
});

describe('TLS', () => {
  it('serves HTTPS with the given key and certificate', async () => {
    const { key, cert } = selfSignedCert();
    const s = await startAdminStack({ tls: { key: Buffer.from(key), cert: Buffer.from(cert) } });
    try {
      expect(s.server.url).toBe(`https://127.0.0.1:${s.server.port}`);
      const token = await s.token();
      const body = await new Promise<string>((resolve, reject) => {
        const req = httpsRequest(
          `${s.server.url}/v1/approvals?status=approved`,
          { ca: cert, headers: { authorization: `Bearer ${token}` } },
          (res) => {
            let text = '';
            res.on('data', (c: Buffer) => (text += c.toString()));
            res.on('end', () => resolve(`${res.statusCode} ${text}`));
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(body).toMatch(/^200 \{"approvals":\[\{"id":"req-c"/);
    } finally {
      await s.close();
    }
  });
});

describe('docs/admin-api.md', () => {
  const docs = readFileSync(new URL('../../../docs/admin-api.md', import.meta.url), 'utf8');
  it.each(Object.entries(ADMIN_ERRORS).map(([code, status]) => ({ code, status })))(
    'documents $code with HTTP $status',
    ({ code, status }) => {
      expect(docs).toContain(`| \`${code}\` | ${status} |`);
    },
  );
});

describe('media types', () => {
  it('a body that is not JSON is 415 ERR_ADMIN_UNSUPPORTED_MEDIA_TYPE', async () => {
    const res = await fetch(`${u()}/v1/approvals/req-b/deny`, {
      method: 'POST',
      headers: { authorization: `Bearer ${approver}`, 'content-type': 'text/plain' },
      body: 'reason=x',
    });
    expect({ status: res.status, body: await res.json() }).toEqual({
      status: 415,
      body: { error: { code: 'ERR_ADMIN_UNSUPPORTED_MEDIA_TYPE', message: 'the request body must be application/json' } },
    });
  });
});

describe('listening', () => {
  it('reports the bound port and closes', async () => {
    const s = await startAdminStack();
    expect(s.server.port).toBeGreaterThan(0);
    expect(s.server.url).toBe(`http://127.0.0.1:${s.server.port}`);
    await s.close();
    await expect(fetch(`${s.server.url}/livez`)).rejects.toThrow();
  });

  it('ADMIN_DEFAULT_PORT is 9187', () => {
    expect(ADMIN_DEFAULT_PORT).toBe(9187);
  });

  it('rejects a nonsensical rate limit as a programming error', async () => {
    await expect(
      startAdminServer({
        listen: { host: '127.0.0.1', port: 0 },
        service: undefined,
        verifier: { verify: () => Promise.reject(new Error('unused')) },
        readiness: async () => ({ ready: true, checks: {} }),
        rateLimit: { max: 0, timeWindowMs: 1000 },
        version: 'x',
      }),
    ).rejects.toThrow(TypeError);
  });
});
