// Test helper for the admin API and the `approvals` command: an in-memory ApprovalService (a Map
// of request views; approve/deny move pending → approved/denied, refuse callers without the
// `approver` role and requesters acting on their own request with the policy's reasons, and can be
// switched to throw; permissions answers the same rules without acting), sample requests, and
// a real admin server on 127.0.0.1:0 whose bearer tokens a served dev issuer mints and a real
// TokenVerifier checks through the issuer's JWKS, under the shipped audit policy (compiled once
// from policies/: reading approvals needs an approver, audit or requester token).

import { startAdminServer } from '../../proxy/admin/index.js';
import type { AdminLogEvent, AdminServer, AdminServerOptions } from '../../proxy/admin/index.js';
import type {
  ActResult,
  ActionPermission,
  ApprovalRequestView,
  ApprovalService,
  Approver,
  ListQuery,
} from '../../proxy/approvals/index.js';
import type { TokenVerifier } from '../../proxy/auth/index.js';
import { createDevIssuer, serveIssuer } from '../../proxy/dev/index.js';
import type { ServedIssuer } from '../../proxy/dev/index.js';
import { es256Verifier } from './jwt.js';
import { shippedAuditDecide } from './recording.js';

/** T0 is the creation time of the sample requests. */
export const T0 = '2026-06-01T08:00:00.000Z';

/** sampleRequest builds a pending request view; `over` replaces fields. */
export function sampleRequest(id: string, over: Partial<ApprovalRequestView> = {}): ApprovalRequestView {
  return {
    id,
    status: 'pending',
    mode: 'hold',
    requester: { sub: 'agent-7', iss: 'https://idp.example', claims: { sub: 'agent-7', team: 'billing' } },
    session: 'sess-1',
    database: 'app',
    statements: [
      {
        text: 'DELETE FROM invoices WHERE created_at < $1 AND customer_id IN (SELECT id FROM customers WHERE closed)',
        params: ['2020-01-01'],
        fingerprint: 'fp-1',
        kind: 'delete',
        tables: { read: ['public.customers'], written: ['public.invoices'] },
      },
    ],
    reasons: [{ reason: 'bulk delete needs a human', rule: 'data.portcullis.approval.bulk_delete' }],
    min_approvals: 1,
    policy_revision: 'rev-1',
    created_at: T0,
    expires_at: '2026-06-01T08:15:00.000Z',
    resolved_at: null,
    executed_at: null,
    events: [{ kind: 'requested', actor: 'https://idp.example#agent-7', reason: null, at: T0 }],
    ...over,
  };
}

/** MemoryApprovals is the in-test ApprovalService with a switch to make every call throw. */
export type MemoryApprovals = ApprovalService & {
  readonly requests: Map<string, ApprovalRequestView>;
  /** failWith makes every method reject with this error (undefined: behave). */
  failWith: Error | undefined;
  /** calls records approve/deny calls (who acted). */
  readonly calls: { action: 'approve' | 'deny'; id: string; approver: Approver; reason: string }[];
};

/** memoryApprovals returns a service holding the given requests. */
export function memoryApprovals(initial: readonly ApprovalRequestView[]): MemoryApprovals {
  const requests = new Map(initial.map((r) => [r.id, r]));
  const calls: MemoryApprovals['calls'] = [];
  const act = async (action: 'approve' | 'deny', id: string, approver: Approver, reason: string): Promise<ActResult> => {
    if (svc.failWith !== undefined) throw svc.failWith;
    calls.push({ action, id, approver, reason });
    const r = requests.get(id);
    if (r === undefined) return { ok: false, code: 'ERR_APPROVAL_NOT_FOUND', message: `no approval request ${id}` };
    if (r.status !== 'pending') return { ok: false, code: 'ERR_APPROVAL_NOT_PENDING', message: `request ${id} is ${r.status}` };
    if (reason.trim() === '') return { ok: false, code: 'ERR_APPROVAL_REASON_REQUIRED', message: 'a reason is required' };
    const refused = policyReasons(r, approver);
    if (refused.length > 0) return { ok: false, code: 'ERR_APPROVAL_FORBIDDEN', message: 'the approval policy refused', reasons: refused };
    const at = '2026-06-01T08:05:00.000Z';
    const next: ApprovalRequestView = {
      ...r,
      status: action === 'approve' ? 'approved' : 'denied',
      resolved_at: at,
      events: [...r.events, { kind: action === 'approve' ? 'approved' : 'denied', actor: `${approver.iss}#${approver.sub}`, reason, at }],
    };
    requests.set(id, next);
    return { ok: true, request: next };
  };
  const svc: MemoryApprovals = {
    requests,
    failWith: undefined,
    calls,
    list: async (q: ListQuery) => {
      if (svc.failWith !== undefined) throw svc.failWith;
      const all = [...requests.values()].filter((r) => q.status === undefined || r.status === q.status);
      return all.reverse().slice(0, q.limit ?? 100);
    },
    get: async (id) => {
      if (svc.failWith !== undefined) throw svc.failWith;
      return requests.get(id);
    },
    approve: (id, approver, reason) => act('approve', id, approver, reason),
    deny: (id, approver, reason) => act('deny', id, approver, reason),
    permissions: async (id, approver) => {
      if (svc.failWith !== undefined) throw svc.failWith;
      const r = requests.get(id);
      if (r === undefined) return undefined;
      const reasons =
        r.status !== 'pending'
          ? [{ reason: `approval request ${id} was resolved: it is ${r.status}, not pending`, rule: 'portcullis.approval.not_pending' }]
          : policyReasons(r, approver);
      const permission: ActionPermission = { allowed: reasons.length === 0, reasons };
      return { approve: permission, deny: permission };
    },
  };
  return svc;
}

/** policyReasons are the in-memory approval policy's reasons to refuse an approver (none: allowed). */
function policyReasons(r: ApprovalRequestView, approver: Approver): { reason: string; rule: string }[] {
  if (approver.claims['role'] !== 'approver') return [{ reason: 'only approvers may act', rule: 'data.portcullis.approval.deny' }];
  if (approver.sub === r.requester.sub)
    return [{ reason: 'requesters may not act on their own requests', rule: 'data.portcullis.approval.self' }];
  return [];
}

/** AdminStack is a running admin server with its issuer, verifier, service and the events it logged. */
export type AdminStack = {
  readonly server: AdminServer;
  readonly issuer: ServedIssuer;
  readonly verifier: TokenVerifier;
  readonly service: MemoryApprovals;
  readonly events: AdminLogEvent[];
  /**
   * token mints a bearer token; unless claims say otherwise an approver's: `role: approver` for the
   * in-memory approval policy, `roles: [db:approver]` for the shipped audit policy.
   */
  token(sub?: string, claims?: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
};

/** APPROVER_CLAIMS are the default token's claims: an approver to both the in-memory approval policy and the shipped audit policy. */
export const APPROVER_CLAIMS: Readonly<Record<string, unknown>> = Object.freeze({ role: 'approver', roles: ['db:approver'] });

let shippedAudit: ReturnType<typeof shippedAuditDecide> | undefined;

/** shippedAuditOnce compiles the shipped audit policy on first use and shares it. */
function shippedAuditOnce(): ReturnType<typeof shippedAuditDecide> {
  if (shippedAudit === undefined) shippedAudit = shippedAuditDecide();
  return shippedAudit;
}

/** startAdminStack starts an issuer, a verifier and the admin server on 127.0.0.1:0; `over` replaces server options (audit: the shipped policy). */
export async function startAdminStack(
  over: Partial<AdminServerOptions> = {},
  requests?: readonly ApprovalRequestView[],
): Promise<AdminStack> {
  const issuer = await serveIssuer(await createDevIssuer({ issuer: 'http://placeholder.invalid', audience: 'portcullis-admin' }), {
    host: '127.0.0.1',
    port: 0,
    issuerFromUrl: true,
  });
  const verifier = es256Verifier({ issuer: issuer.url, jwks: { url: issuer.jwksUrl }, audience: 'portcullis-admin' });
  const service = memoryApprovals(
    requests ?? [sampleRequest('req-a'), sampleRequest('req-b'), sampleRequest('req-c', { status: 'approved' })],
  );
  const events: AdminLogEvent[] = [];
  const server = await startAdminServer({
    listen: { host: '127.0.0.1', port: 0 },
    service,
    verifier,
    readiness: async () => ({ ready: true, checks: { state: { ok: true } } }),
    log: (e) => events.push(e),
    version: '0.1.0-test',
    audit: await shippedAuditOnce(),
    ...over,
  });
  return {
    server,
    issuer,
    verifier,
    service,
    events,
    token: (sub = 'alice', claims = { ...APPROVER_CLAIMS }) => issuer.issuer.mint({ sub, claims, ttlSeconds: 600 }),
    close: async () => {
      await server.close();
      verifier.close();
      await issuer.close();
    },
  };
}
