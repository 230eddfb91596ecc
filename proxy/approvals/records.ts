// The approval requests and their audit events in the shared state store: the SQL, kept in one
// place, and the mapping from rows to ApprovalRequestView. Every value travels as a bound
// parameter. A pending request past its expiry reads as `expired` even before a gateway marked it
// (its gateway may be gone), so no approver can act on it.

import { createHash, randomBytes } from 'node:crypto';
import type { StateListener, StateQuery, StateStore } from '../state/index.js';
import type { ApprovalEventKind, ApprovalMode, ApprovalRequestView, ApprovalStatus, HeldStatement, ListQuery } from './types.js';

/** CHANNEL is the NOTIFY channel that wakes held statements when a request is resolved (payload: its id). */
export const CHANNEL = 'portcullis_approvals';

/**
 * CHANGES_CHANNEL announces every change of a request to whoever watches them (the console's live
 * events), payload `{"id","status","kind"}`: kept apart from CHANNEL so the holds are not woken by
 * changes that resolve nothing (a creation, a first approval short of the quorum, an execution).
 */
export const CHANGES_CHANNEL = 'portcullis_approval_changes';

/** ApprovalChangeKind is what happened to a request: it appeared, was resolved one way or another, or changed otherwise. */
export type ApprovalChangeKind = 'created' | 'approved' | 'denied' | 'expired' | 'cancelled' | 'updated';

/** ApprovalChange is one announced change: the request, its status now, and what happened. */
export type ApprovalChange = { readonly id: string; readonly status: ApprovalStatus; readonly kind: ApprovalChangeKind };

const T = 'portcullis.approval_requests';
const E = 'portcullis.approval_events';

/**
 * newRequestId is a short, URL-safe, unguessable id (128 random bits, base64url: 22 characters)
 * that starts with a letter or digit, so a command line never takes it for an option (`-…`).
 */
export function newRequestId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (/^[A-Za-z0-9]/.test(id)) return id;
  }
}

/** bindingOf is what an approval is bound to: the database, and each statement's fingerprint and parameter values. */
export function bindingOf(database: string, statements: readonly HeldStatement[]): string {
  const bound = [database, statements.map((s) => [s.fingerprint, s.params])];
  return createHash('sha256').update(JSON.stringify(bound)).digest('hex');
}

/** NewRequest is what a gateway records when it holds (or, refuse-and-grant, refuses) a statement. */
export type NewRequest = {
  readonly id: string;
  readonly mode: ApprovalMode;
  readonly requester: ApprovalRequestView['requester'];
  readonly session: string;
  readonly database: string;
  readonly statements: readonly HeldStatement[];
  readonly binding: string;
  readonly reasons: ApprovalRequestView['reasons'];
  readonly minApprovals: number;
  readonly policyRevision: string;
  readonly ttlMs: number;
  readonly gateway: string;
};

/** insertRequest records a new pending request and its `requested` event; resolves with its expiry (RFC 3339). */
export async function insertRequest(q: StateQuery, r: NewRequest): Promise<string> {
  const res = await q(
    `INSERT INTO ${T} (id, status, mode, requester_sub, requester_iss, requester_claims, session, database, statements,
       fingerprints, binding, reasons, min_approvals, policy_revision, gateway, expires_at)
     VALUES ($1, 'pending', $2, $3, $4, $5::jsonb, $6, $7, $8::jsonb, $9::text[], $10, $11::jsonb, $12::integer, $13, $14,
       now() + make_interval(secs => $15::double precision))
     RETURNING to_json(expires_at)#>>'{}'`,
    [
      r.id,
      r.mode,
      r.requester.sub,
      r.requester.iss,
      JSON.stringify(r.requester.claims),
      r.session,
      r.database,
      JSON.stringify(r.statements),
      pgArray(r.statements.map((s) => s.fingerprint)),
      r.binding,
      JSON.stringify(r.reasons),
      String(r.minApprovals),
      r.policyRevision,
      r.gateway,
      String(r.ttlMs / 1000),
    ],
  );
  await insertEvent(q, r.id, 'requested', `${r.requester.iss}#${r.requester.sub}`, r.requester, null, null);
  await notifyChange(q, { id: r.id, status: 'pending', kind: 'created' });
  return isoTime(res.rows[0]?.[0] ?? null) ?? new Date(Date.now() + r.ttlMs).toISOString();
}

/** insertEvent appends one audit event to a request's trail. */
export async function insertEvent(
  q: StateQuery,
  id: string,
  kind: ApprovalEventKind,
  actor: string | null,
  who: { readonly sub: string; readonly iss: string } | null,
  reason: string | null,
  outcome: Readonly<Record<string, unknown>> | null,
): Promise<void> {
  await q(`INSERT INTO ${E} (request_id, kind, actor, actor_sub, actor_iss, reason, outcome) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)`, [
    id,
    kind,
    actor,
    who?.sub ?? null,
    who?.iss ?? null,
    reason,
    outcome === null ? null : JSON.stringify(outcome),
  ]);
}

/** notify wakes every gateway listening (delivered when the surrounding transaction commits). */
export async function notifyResolved(q: StateQuery, id: string): Promise<void> {
  await q('SELECT pg_notify($1, $2)', [CHANNEL, id]);
}

/** notifyChange announces a change on CHANGES_CHANNEL (delivered when the surrounding transaction commits). */
export async function notifyChange(q: StateQuery, change: ApprovalChange): Promise<void> {
  await q('SELECT pg_notify($1, $2)', [CHANGES_CHANNEL, JSON.stringify(change)]);
}

/** parseChange reads a CHANGES_CHANNEL payload; undefined when it is not one. */
export function parseChange(payload: string): ApprovalChange | undefined {
  try {
    const v = JSON.parse(payload) as Partial<Record<keyof ApprovalChange, unknown>>;
    if (typeof v.id !== 'string' || typeof v.status !== 'string' || typeof v.kind !== 'string') return undefined;
    if (!CHANGE_KINDS.has(v.kind) || !STATUSES.has(v.status)) return undefined;
    return { id: v.id, status: v.status as ApprovalStatus, kind: v.kind as ApprovalChangeKind };
  } catch {
    return undefined;
  }
}

/**
 * watchApprovalChanges listens to CHANGES_CHANNEL on a connection of its own (one per caller:
 * share it); `onLost` runs after the connection was re-opened, since changes meanwhile are lost.
 */
export function watchApprovalChanges(
  store: StateStore,
  onChange: (change: ApprovalChange) => void,
  onLost: () => void = () => {},
): Promise<StateListener> {
  return store.listen(
    CHANGES_CHANNEL,
    (payload) => {
      const change = parseChange(payload);
      if (change !== undefined) onChange(change);
    },
    onLost,
  );
}

const CHANGE_KINDS: ReadonlySet<string> = new Set(['created', 'approved', 'denied', 'expired', 'cancelled', 'updated']);
const STATUSES: ReadonlySet<string> = new Set(['pending', 'approved', 'denied', 'expired', 'withdrawn']);

/** VIEW_SQL selects requests as JSON views (status `expired` for a pending request past its expiry). */
const VIEW_SQL = `SELECT json_build_object(
  'id', r.id,
  'status', CASE WHEN r.status = 'pending' AND r.expires_at <= now() THEN 'expired' ELSE r.status END,
  'mode', r.mode,
  'requester', json_build_object('sub', r.requester_sub, 'iss', r.requester_iss, 'claims', r.requester_claims),
  'session', r.session,
  'database', r.database,
  'statements', r.statements,
  'reasons', r.reasons,
  'min_approvals', r.min_approvals,
  'policy_revision', coalesce(r.policy_revision, ''),
  'created_at', r.created_at,
  'expires_at', r.expires_at,
  'resolved_at', r.resolved_at,
  'executed_at', r.executed_at,
  'events', coalesce((SELECT json_agg(json_build_object('kind', e.kind, 'actor', e.actor, 'reason', e.reason, 'at', e.at, 'outcome', e.outcome)
                       ORDER BY e.id) FROM ${E} e WHERE e.request_id = r.id), '[]'::json)
)::text FROM ${T} r`;

/** loadView reads one request as approvers see it; undefined when there is none with that id. */
export async function loadView(q: StateQuery, id: string): Promise<ApprovalRequestView | undefined> {
  const res = await q(`${VIEW_SQL} WHERE r.id = $1`, [id]);
  const text = res.rows[0]?.[0];
  return typeof text === 'string' ? toView(text) : undefined;
}

/** listViews reads requests, newest first, optionally of one status. */
export async function listViews(store: StateStore, query: ListQuery): Promise<ApprovalRequestView[]> {
  const limit = String(Math.min(Math.max(query.limit ?? 100, 1), 500));
  const status = query.status;
  const where =
    status === undefined
      ? ''
      : status === 'pending'
        ? `WHERE r.status = 'pending' AND r.expires_at > now()`
        : status === 'expired'
          ? `WHERE r.status = 'expired' OR (r.status = 'pending' AND r.expires_at <= now())`
          : 'WHERE r.status = $2';
  const params = status !== undefined && status !== 'pending' && status !== 'expired' ? [limit, status] : [limit];
  const res = await store.query(`${VIEW_SQL} ${where} ORDER BY r.created_at DESC LIMIT $1::integer`, params);
  return res.rows.map((row) => toView(String(row[0])));
}

/** RequestRow is what the service needs to act on a request (locked FOR UPDATE inside its transaction). */
export type RequestRow = { readonly status: ApprovalStatus | 'pending'; readonly expired: boolean; readonly mode: ApprovalMode };

/** lockRequest locks a request for a transition; undefined when there is none. */
export async function lockRequest(q: StateQuery, id: string): Promise<RequestRow | undefined> {
  const res = await q(`SELECT status, expires_at <= now(), mode FROM ${T} WHERE id = $1 FOR UPDATE`, [id]);
  const row = res.rows[0];
  if (row === undefined) return undefined;
  return { status: row[0] as ApprovalStatus, expired: row[1] === 't', mode: row[2] as ApprovalMode };
}

/** resolve sets a pending request's final status (and, for an approved refuse-and-grant request, how long its grant lasts). */
export async function resolveRequest(q: StateQuery, id: string, status: ApprovalStatus, grantTtlMs: number | null): Promise<boolean> {
  const res = await q(
    `UPDATE ${T} SET status = $2, resolved_at = now(),
       grant_expires_at = CASE WHEN $3::double precision IS NULL THEN NULL ELSE now() + make_interval(secs => $3::double precision) END
     WHERE id = $1 AND status = 'pending' RETURNING id`,
    [id, status, grantTtlMs === null ? null : String(grantTtlMs / 1000)],
  );
  return res.rows.length === 1;
}

/** claimExecution marks an approved request as executed, once: true only for the one caller that claims it. */
export async function claimExecution(q: StateQuery, id: string): Promise<boolean> {
  const res = await q(`UPDATE ${T} SET executed_at = now() WHERE id = $1 AND status = 'approved' AND executed_at IS NULL RETURNING id`, [
    id,
  ]);
  return res.rows.length === 1;
}

/** claimGrant uses an approved refuse-and-grant request bound to exactly this requester and statement, once; its id, or undefined. */
export async function claimGrant(
  q: StateQuery,
  who: { readonly sub: string; readonly iss: string },
  database: string,
  binding: string,
): Promise<string | undefined> {
  const res = await q(
    `UPDATE ${T} SET executed_at = now() WHERE id = (
       SELECT id FROM ${T} WHERE mode = 'refuse_and_grant' AND status = 'approved' AND executed_at IS NULL
         AND requester_iss = $1 AND requester_sub = $2 AND database = $3 AND binding = $4 AND grant_expires_at > now()
       ORDER BY resolved_at LIMIT 1 FOR UPDATE SKIP LOCKED)
     RETURNING id`,
    [who.iss, who.sub, database, binding],
  );
  const id = res.rows[0]?.[0];
  return typeof id === 'string' ? id : undefined;
}

/** findPending is a pending, unexpired refuse-and-grant request already made for exactly this statement (an agent retrying before approval). */
export async function findPendingGrant(
  q: StateQuery,
  who: { readonly sub: string; readonly iss: string },
  database: string,
  binding: string,
): Promise<{ readonly id: string; readonly expiresAt: string } | undefined> {
  const res = await q(
    `SELECT id, to_json(expires_at)#>>'{}' FROM ${T} WHERE mode = 'refuse_and_grant' AND status = 'pending' AND expires_at > now()
       AND requester_iss = $1 AND requester_sub = $2 AND database = $3 AND binding = $4 ORDER BY created_at DESC LIMIT 1`,
    [who.iss, who.sub, database, binding],
  );
  const row = res.rows[0];
  if (row === undefined || typeof row[0] !== 'string') return undefined;
  return { id: row[0], expiresAt: isoTime(row[1] ?? null) ?? '' };
}

/** pendingCount counts a requester's pending, unexpired requests. */
export async function pendingCount(q: StateQuery, who: { readonly sub: string; readonly iss: string }): Promise<number> {
  const res = await q(
    `SELECT count(*) FROM ${T} WHERE status = 'pending' AND expires_at > now() AND requester_iss = $1 AND requester_sub = $2`,
    [who.iss, who.sub],
  );
  return Number(res.rows[0]?.[0] ?? 0);
}

/** approvalsSoFar lists the approvals recorded on a request (for the approval policy). */
export async function approvalsSoFar(q: StateQuery, id: string): Promise<{ sub: string; iss: string; reason: string; at: string }[]> {
  const res = await q(
    `SELECT coalesce(actor_sub, ''), coalesce(actor_iss, ''), coalesce(reason, ''), to_json(at)#>>'{}' FROM ${E}
     WHERE request_id = $1 AND kind = 'approved' ORDER BY id`,
    [id],
  );
  return res.rows.map((r) => ({ sub: r[0] ?? '', iss: r[1] ?? '', reason: r[2] ?? '', at: isoTime(r[3] ?? null) ?? '' }));
}

/** toView parses a VIEW_SQL row, normalising every time to RFC 3339 UTC. */
function toView(text: string): ApprovalRequestView {
  const raw = JSON.parse(text) as Record<string, unknown> & { events: Record<string, unknown>[] };
  return {
    ...(raw as unknown as ApprovalRequestView),
    created_at: isoTime(raw['created_at'] as string) ?? '',
    expires_at: isoTime(raw['expires_at'] as string) ?? '',
    resolved_at: isoTime(raw['resolved_at'] as string | null),
    executed_at: isoTime(raw['executed_at'] as string | null),
    events: raw.events.map((e) => ({
      kind: e['kind'] as ApprovalEventKind,
      actor: (e['actor'] as string | null) ?? null,
      reason: (e['reason'] as string | null) ?? null,
      at: isoTime(e['at'] as string) ?? '',
      outcome: (e['outcome'] as Record<string, unknown> | null) ?? null,
    })),
  };
}

/** isoTime turns a PostgreSQL timestamptz (JSON form) into RFC 3339 UTC; null stays null. */
export function isoTime(value: string | null): string | null {
  if (value === null) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : d.toISOString();
}

/** pgArray renders a text[] literal for a bound parameter. */
function pgArray(items: readonly string[]): string {
  return `{${items.map((s) => `"${s.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(',')}}`;
}
