// The approvers' side of approvals (the admin API and the CLI act through it): list and read
// requests, approve and deny them. Whether this approver may act on this request is the approval
// policy's decision (`portcullis/approval`), asked inside the transaction that holds the request's
// row lock, so two approvers acting at once are serialized: with a quorum of one, exactly one
// approval resolves the request and the other finds it no longer pending. A resolution is
// announced with NOTIFY (the gateway holding the statement wakes at once, whichever gateway
// it is), recorded as an audit event, and sent to the webhooks.

import type { StateStore } from '../state/index.js';
import { approvalsSoFar, insertEvent, listViews, loadView, lockRequest, notifyChange, notifyResolved, resolveRequest } from './records.js';
import type {
  ActResult,
  ActionPermission,
  ApprovalNotification,
  ApprovalPermissions,
  ApprovalPolicyInput,
  ApprovalService,
  ApprovalVerdict,
  Approver,
  Notifier,
} from './types.js';
import { randomUUID } from 'node:crypto';

/** ApprovalServiceDeps are the service's collaborators. */
export type ApprovalServiceDeps = {
  readonly store: StateStore;
  /** decide asks the approval policy; it never throws (it fails closed with a deny). */
  readonly decide: (input: ApprovalPolicyInput) => ApprovalVerdict;
  /** grantTtlMs is how long an approved refuse-and-grant request may be used. */
  readonly grantTtlMs: number;
  readonly notifier?: Notifier;
  /** onEvent reports each transition for the operational log. */
  readonly onEvent?: (e: {
    readonly id: string;
    readonly kind: 'approved' | 'denied';
    readonly actor: string;
    readonly resolved: boolean;
  }) => void;
};

/** MAX_REASON_CHARS bounds an approver's reason. */
export const MAX_REASON_CHARS = 2000;

/** PERMISSION_REASON is the reason the approval policy reads when asked about permissions (a real act requires one). */
export const PERMISSION_REASON = '(permission check)';

/** NOT_PENDING_RULE names the gateway's own reason that a resolved request allows no action. */
export const NOT_PENDING_RULE = 'portcullis.approval.not_pending';

/** createApprovalService binds the service to the store and the approval policy. */
export function createApprovalService(deps: ApprovalServiceDeps): ApprovalService {
  const act = async (id: string, approver: Approver, reason: string, action: 'approve' | 'deny'): Promise<ActResult> => {
    const text = reason.trim();
    if (text === '') return { ok: false, code: 'ERR_APPROVAL_REASON_REQUIRED', message: 'a reason is required' };
    if (text.length > MAX_REASON_CHARS) {
      return { ok: false, code: 'ERR_APPROVAL_REASON_REQUIRED', message: `the reason must be at most ${MAX_REASON_CHARS} characters` };
    }
    const actor = `${approver.iss}#${approver.sub}`;
    const outcome = await deps.store.transaction(async (q): Promise<ActResult | { resolved: boolean }> => {
      const row = await lockRequest(q, id);
      if (row === undefined) return { ok: false, code: 'ERR_APPROVAL_NOT_FOUND', message: `no approval request ${id}` };
      const view = await loadView(q, id);
      if (view === undefined) return { ok: false, code: 'ERR_APPROVAL_NOT_FOUND', message: `no approval request ${id}` };
      if (view.status !== 'pending') {
        return { ok: false, code: 'ERR_APPROVAL_NOT_PENDING', message: `approval request ${id} is ${view.status}, not pending` };
      }
      const sofar = await approvalsSoFar(q, id);
      const { events: _events, ...request } = view;
      const verdict = deps.decide({ approver: approver.claims, action, reason: text, request, approvals_so_far: sofar });
      if (verdict.kind === 'deny') {
        const first = verdict.reasons[0]?.reason ?? 'the approval policy refused';
        return { ok: false, code: 'ERR_APPROVAL_FORBIDDEN', message: first, reasons: verdict.reasons };
      }
      const who = { sub: approver.sub, iss: approver.iss };
      if (action === 'deny') {
        await insertEvent(q, id, 'denied', actor, who, text, null);
        await resolveRequest(q, id, 'denied', null);
        await notifyResolved(q, id);
        await notifyChange(q, { id, status: 'denied', kind: 'denied' });
        return { resolved: true };
      }
      await insertEvent(q, id, 'approved', actor, who, text, null);
      if (sofar.length + 1 < verdict.quorum) {
        await notifyChange(q, { id, status: 'pending', kind: 'updated' });
        return { resolved: false };
      }
      await resolveRequest(q, id, 'approved', row.mode === 'refuse_and_grant' ? deps.grantTtlMs : null);
      await notifyResolved(q, id);
      await notifyChange(q, { id, status: 'approved', kind: 'approved' });
      return { resolved: true };
    });
    if ('ok' in outcome) return outcome;
    deps.onEvent?.({ id, kind: action === 'approve' ? 'approved' : 'denied', actor, resolved: outcome.resolved });
    const view = await deps.store.transaction((q) => loadView(q, id));
    if (view === undefined) return { ok: false, code: 'ERR_APPROVAL_NOT_FOUND', message: `no approval request ${id}` };
    if (outcome.resolved) deps.notifier?.notify(notification(action === 'approve' ? 'approval.approved' : 'approval.denied', view));
    return { ok: true, request: view };
  };
  // the same checks as act(), in the same order, without the row lock and without writing
  const permissions = (id: string, approver: Approver): Promise<ApprovalPermissions | undefined> =>
    deps.store.transaction(async (q) => {
      const view = await loadView(q, id);
      if (view === undefined) return undefined;
      if (view.status !== 'pending') {
        const refused: ActionPermission = {
          allowed: false,
          reasons: [{ reason: `approval request ${id} was resolved: it is ${view.status}, not pending`, rule: NOT_PENDING_RULE }],
        };
        return { approve: refused, deny: refused };
      }
      const sofar = await approvalsSoFar(q, id);
      const { events: _events, ...request } = view;
      const ask = (action: 'approve' | 'deny'): ActionPermission => {
        const verdict = deps.decide({ approver: approver.claims, action, reason: PERMISSION_REASON, request, approvals_so_far: sofar });
        return verdict.kind === 'allow' ? { allowed: true, reasons: [] } : { allowed: false, reasons: verdict.reasons };
      };
      return { approve: ask('approve'), deny: ask('deny') };
    });
  return {
    permissions,
    list: (query) => listViews(deps.store, query),
    get: (id) => deps.store.transaction((q) => loadView(q, id)),
    approve: (id, approver, reason) => act(id, approver, reason, 'approve'),
    deny: (id, approver, reason) => act(id, approver, reason, 'deny'),
  };
}

/** notification wraps a request view as a webhook event. */
export function notification(type: ApprovalNotification['type'], request: ApprovalNotification['request']): ApprovalNotification {
  return { id: randomUUID(), type, at: new Date().toISOString(), request };
}
