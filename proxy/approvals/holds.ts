// The gateway's side of approvals: hold a statement (a whole simple-query string, or an
// extended-protocol batch up to Sync) until a human decides. The request is written to the shared
// state store before the client hears anything; the client is told at once, and reminded while it
// waits, which request to approve and until when. A resolution made through any gateway arrives
// by NOTIFY (a lost LISTEN connection is re-opened and every waiter re-checks); expiry is a
// timer of the holding gateway; the client's CancelRequest or disconnect withdraws the request.
// An approval is single use: the one execution is claimed in the store, so a statement never runs
// twice. In refuse-and-grant mode the statement is refused at once (PC001, with the request id),
// and the same requester sending the same statement (fingerprints and parameter values) after
// approval runs it once. When the store cannot be reached, a statement that needs approval is
// refused (fail closed); nothing else depends on it.

import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { ProxyError } from '../errors.js';
import { messageOf } from '../errors.js';
import type { StateQuery, StateStore } from '../state/index.js';
import {
  ApprovalDeniedError,
  ApprovalExpiredError,
  ApprovalLimitError,
  ApprovalPendingError,
  ApprovalUnavailableError,
  ApprovalWithdrawnError,
} from './errors.js';
import {
  CHANNEL,
  bindingOf,
  claimExecution,
  claimGrant,
  findPendingGrant,
  insertEvent,
  insertRequest,
  loadView,
  newRequestId,
  notifyChange,
  notifyResolved,
  pendingCount,
} from './records.js';
import { notification } from './service.js';
import type { ApprovalMode, ApprovalNotification, HeldStatement, Notifier } from './types.js';

/** HoldNotice is a NoticeResponse the waiting client receives. */
export type HoldNotice = { readonly message: string; readonly detail: string; readonly hint: string };

/** HoldTicket is one held string or batch, as the session hands it over. */
export type HoldTicket = {
  readonly session: string;
  readonly requester: { readonly sub: string; readonly iss: string; readonly claims: Readonly<Record<string, unknown>> };
  readonly database: string;
  /** statements are every statement of the string or batch, in order (all of them run, or none). */
  readonly statements: readonly HeldStatement[];
  /** reasons are the approval entries of every statement that needs approval. */
  readonly reasons: readonly { readonly reason: string; readonly rule: string }[];
  /** ttlMs, minApprovals, mode: what the approval entries asked for (ttl and mode default to the config's). */
  readonly ttlMs?: number;
  readonly minApprovals: number;
  readonly mode?: ApprovalMode;
  readonly policyRevision: string;
  /** signal aborts on the client's CancelRequest or disconnect: the request is withdrawn. */
  readonly signal: AbortSignal;
  /** notice sends the client a NoticeResponse. */
  readonly notice: (n: HoldNotice) => void;
};

/** StatementOutcome is how one forwarded statement ended: its command tag, or the SQLSTATE it failed with. */
export type StatementOutcome = { readonly tag?: string; readonly sqlstate?: string };

/** HoldResult is how a hold ended: approved (run it, then report what happened), or refused with the client's error. */
export type HoldResult =
  | { readonly kind: 'approved'; readonly id: string; readonly finished: (outcomes: readonly StatementOutcome[]) => void }
  | { readonly kind: 'refused'; readonly id?: string; readonly error: ProxyError };

/** HoldEvent is what the holds report for the operational log. */
export type HoldEvent =
  | { readonly kind: 'requested' | 'expired' | 'withdrawn' | 'executed' | 'granted_use'; readonly id: string; readonly session: string }
  | { readonly kind: 'failed'; readonly id?: string; readonly session?: string; readonly message: string };

/** HoldsConfig is `approval` of the config, as the holds use it. */
export type HoldsConfig = {
  readonly ttlMs: number;
  readonly mode: ApprovalMode;
  readonly noticeIntervalMs: number;
  /** maxPending bounds one identity's pending requests (default DEFAULT_MAX_PENDING): an agent cannot flood the approvers. */
  readonly maxPending?: number;
};

/** DEFAULT_MAX_PENDING is `approval.max_pending`'s default. */
export const DEFAULT_MAX_PENDING = 10;

/** ApprovalHolds holds statements for one gateway. */
export type ApprovalHolds = {
  hold(ticket: HoldTicket): Promise<HoldResult>;
  /** waiting is the number of statements held right now. */
  readonly waiting: number;
  /** close stops listening; held statements are refused as withdrawn. */
  close(): void;
};

/** ApprovalHoldsDeps are the holds' collaborators. */
export type ApprovalHoldsDeps = {
  readonly store: StateStore;
  readonly config: HoldsConfig;
  /** gateway names this instance in the requests it holds (default host:pid:random). */
  readonly gateway?: string;
  readonly notifier?: Notifier;
  readonly onEvent?: (e: HoldEvent) => void;
};

type Waiter = { readonly wake: () => void; readonly stop: () => void };

/** createApprovalHolds returns the holds of one gateway; the LISTEN connection opens on the first hold. */
export function createApprovalHolds(deps: ApprovalHoldsDeps): ApprovalHolds {
  const { store, config } = deps;
  const gateway = deps.gateway ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const report = deps.onEvent ?? (() => {});
  const waiters = new Map<string, Waiter>();
  let listening: Promise<{ close(): void }> | undefined;
  let closed = false;
  const q: StateQuery = (sql, params) => store.query(sql, params);

  const ensureListening = (): Promise<unknown> => {
    listening ??= store
      .listen(
        CHANNEL,
        (id) => waiters.get(id)?.wake(),
        () => {
          for (const w of waiters.values()) w.wake();
        },
      )
      .catch((e: unknown) => {
        listening = undefined;
        throw e;
      });
    return listening;
  };

  const announce = (type: ApprovalNotification['type'], id: string): void => {
    if (deps.notifier === undefined) return;
    void loadView(q, id).then(
      (view) => {
        if (view !== undefined) deps.notifier?.notify(notification(type, view));
      },
      (e: unknown) => report({ kind: 'failed', id, message: `cannot notify webhooks: ${messageOf(e)}` }),
    );
  };

  const finishedFor = (id: string, session: string) => (outcomes: readonly StatementOutcome[]) => {
    void store
      .transaction(async (tx) => {
        await insertEvent(tx, id, 'executed', 'gateway', null, null, { gateway, results: outcomes });
        await notifyChange(tx, { id, status: 'approved', kind: 'updated' });
      })
      .then(
        () => {
          report({ kind: 'executed', id, session });
          announce('approval.executed', id);
        },
        (e: unknown) => report({ kind: 'failed', id, session, message: `cannot record the execution: ${messageOf(e)}` }),
      );
  };

  const maxPending = config.maxPending ?? DEFAULT_MAX_PENDING;

  /** insertBounded records the request unless its requester already has maxPending open ones (checked under a per-requester lock); its expiry, or undefined. */
  const insertBounded = (t: HoldTicket, id: string, mode: ApprovalMode, ttlMs: number, binding: string): Promise<string | undefined> =>
    store.transaction(async (tx) => {
      await tx('SELECT pg_advisory_xact_lock(hashtext($1))', [`portcullis.approvals:${t.requester.iss}#${t.requester.sub}`]);
      if ((await pendingCount(tx, t.requester)) >= maxPending) return undefined;
      return insertRequest(tx, newRequest(t, id, mode, ttlMs, binding, gateway));
    });

  const firstReason = (t: HoldTicket) => t.reasons[0] ?? { reason: 'a human must approve this statement', rule: 'portcullis.approval' };

  const grant = async (t: HoldTicket, ttlMs: number, binding: string): Promise<HoldResult> => {
    const who = { sub: t.requester.sub, iss: t.requester.iss };
    const actor = `${who.iss}#${who.sub}`;
    const used = await store.transaction(async (tx) => {
      const id = await claimGrant(tx, who, t.database, binding);
      if (id !== undefined) {
        await insertEvent(tx, id, 'granted_use', actor, who, null, null);
        await notifyChange(tx, { id, status: 'approved', kind: 'updated' });
      }
      return id;
    });
    const { reason } = firstReason(t);
    if (used !== undefined) {
      report({ kind: 'granted_use', id: used, session: t.session });
      return { kind: 'approved', id: used, finished: finishedFor(used, t.session) };
    }
    const pending = await store.transaction((tx) => findPendingGrant(tx, who, t.database, binding));
    if (pending !== undefined)
      return { kind: 'refused', id: pending.id, error: new ApprovalPendingError(pending.id, reason, pending.expiresAt) };
    const id = newRequestId();
    const expiresAt = await store.transaction((tx) => insertRequest(tx, newRequest(t, id, 'refuse_and_grant', ttlMs, binding, gateway)));
    report({ kind: 'requested', id, session: t.session });
    announce('approval.requested', id);
    return { kind: 'refused', id, error: new ApprovalPendingError(id, reason, expiresAt) };
  };

  const hold = async (t: HoldTicket): Promise<HoldResult> => {
    const mode = t.mode ?? config.mode;
    const ttlMs = Math.min(config.ttlMs, t.ttlMs ?? Number.POSITIVE_INFINITY);
    const binding = bindingOf(t.database, t.statements);
    const { reason, rule } = firstReason(t);
    if (closed) return { kind: 'refused', error: new ApprovalUnavailableError(reason, rule) };
    if (t.signal.aborted) return { kind: 'refused', error: new ApprovalWithdrawnError('(not created)') };
    let id: string;
    let expiresAt: string;
    try {
      if (mode === 'refuse_and_grant') return await grant(t, ttlMs, binding);
      // LISTEN first: a resolution can never come before the waiter can hear it
      await ensureListening();
      id = newRequestId();
      const inserted = await insertBounded(t, id, 'hold', ttlMs, binding);
      if (inserted === undefined) return { kind: 'refused', error: new ApprovalLimitError(maxPending) };
      expiresAt = inserted;
    } catch (e) {
      report({ kind: 'failed', session: t.session, message: `cannot create an approval request: ${messageOf(e)}` });
      return { kind: 'refused', error: new ApprovalUnavailableError(reason, rule) };
    }
    report({ kind: 'requested', id, session: t.session });
    announce('approval.requested', id);
    return wait(t, id, expiresAt, ttlMs);
  };

  const wait = (t: HoldTicket, id: string, expiresAt: string, ttlMs: number): Promise<HoldResult> =>
    new Promise<HoldResult>((resolve) => {
      const { reason, rule } = firstReason(t);
      const started = Date.now();
      let done = false;
      // every step on this request runs after the previous one: a wake, the expiry and a withdrawal never interleave
      let chain: Promise<void> = Promise.resolve();
      const step = (fn: () => Promise<void>): void => {
        chain = chain
          .then(() => (done ? undefined : fn()))
          .catch((e: unknown) => {
            report({ kind: 'failed', id, session: t.session, message: messageOf(e) });
          });
      };
      const finish = (r: HoldResult): void => {
        if (done) return;
        done = true;
        clearInterval(reminder);
        clearTimeout(expiry);
        t.signal.removeEventListener('abort', onAbort);
        waiters.delete(id);
        resolve(r);
      };
      const refuse = (error: ProxyError): void => finish({ kind: 'refused', id, error });

      const check = async (): Promise<void> => {
        const view = await loadView(q, id);
        if (view === undefined) return refuse(new ApprovalUnavailableError(reason, rule));
        switch (view.status) {
          case 'approved':
            if (await claimExecution(q, id)) finish({ kind: 'approved', id, finished: finishedFor(id, t.session) });
            else refuse(new ApprovalUnavailableError(reason, rule));
            return;
          case 'denied': {
            const denial = [...view.events].reverse().find((e) => e.kind === 'denied');
            return refuse(new ApprovalDeniedError(id, actorName(denial?.actor ?? null), denial?.reason ?? 'no reason given'));
          }
          case 'withdrawn':
            return refuse(new ApprovalWithdrawnError(id));
          case 'expired':
            return expire();
          default:
            return;
        }
      };
      const expire = async (): Promise<void> => {
        const marked = await store
          .transaction(async (tx) => {
            const res = await tx(
              `UPDATE portcullis.approval_requests SET status = 'expired', resolved_at = now() WHERE id = $1 AND status = 'pending' RETURNING id`,
              [id],
            );
            if (res.rows.length === 0) return false;
            await insertEvent(tx, id, 'expired', 'gateway', null, null, null);
            await notifyResolved(tx, id);
            await notifyChange(tx, { id, status: 'expired', kind: 'expired' });
            return true;
          })
          .catch(() => true);
        if (!marked) return check();
        report({ kind: 'expired', id, session: t.session });
        announce('approval.expired', id);
        refuse(new ApprovalExpiredError(id, Date.now() - started));
      };
      const withdraw = async (): Promise<void> => {
        const who = { sub: t.requester.sub, iss: t.requester.iss };
        await store
          .transaction(async (tx) => {
            const res = await tx(
              `UPDATE portcullis.approval_requests SET status = 'withdrawn', resolved_at = now() WHERE id = $1 AND status IN ('pending', 'approved') AND executed_at IS NULL RETURNING id`,
              [id],
            );
            if (res.rows.length === 0) return;
            await insertEvent(tx, id, 'withdrawn', `${who.iss}#${who.sub}`, who, 'the client cancelled or disconnected', null);
            await notifyResolved(tx, id);
            await notifyChange(tx, { id, status: 'withdrawn', kind: 'cancelled' });
          })
          .catch((e: unknown) =>
            report({ kind: 'failed', id, session: t.session, message: `cannot record the withdrawal: ${messageOf(e)}` }),
          );
        report({ kind: 'withdrawn', id, session: t.session });
        announce('approval.withdrawn', id);
        refuse(new ApprovalWithdrawnError(id));
      };

      const onAbort = (): void => step(withdraw);
      const tell = (): void =>
        t.notice({
          message: `statement held for approval (request ${id}): ${reason}`,
          detail: `request: ${id}; rule: ${rule}; expires: ${expiresAt}`,
          hint: `an approver runs: npx portcullis approvals approve ${id} --reason "…" (or deny it); the statement runs when approved`,
        });
      const reminder = setInterval(tell, config.noticeIntervalMs);
      const expiry = setTimeout(() => step(expire), Math.max(0, Math.min(ttlMs, Date.parse(expiresAt) - Date.now())));
      waiters.set(id, { wake: () => step(check), stop: () => step(withdraw) });
      t.signal.addEventListener('abort', onAbort);
      tell();
      // a resolution that landed between the insert and the waiter's registration is not missed
      step(check);
    });

  return {
    hold,
    get waiting() {
      return waiters.size;
    },
    close() {
      closed = true;
      for (const w of waiters.values()) w.stop();
      void listening?.then(
        (l) => l.close(),
        () => undefined,
      );
      listening = undefined;
    },
  };
}

/** newRequest is the row a ticket becomes. */
function newRequest(t: HoldTicket, id: string, mode: ApprovalMode, ttlMs: number, binding: string, gateway: string) {
  return {
    id,
    mode,
    requester: t.requester,
    session: t.session,
    database: t.database,
    statements: t.statements,
    binding,
    reasons: t.reasons,
    minApprovals: t.minApprovals,
    policyRevision: t.policyRevision,
    ttlMs,
    gateway,
  };
}

/** actorName shows an `iss#sub` actor as its subject (with the issuer in parentheses). */
function actorName(actor: string | null): string {
  if (actor === null) return 'an approver';
  const hash = actor.lastIndexOf('#');
  return hash < 0 ? actor : `${actor.slice(hash + 1)} (${actor.slice(0, hash)})`;
}
