// One `statement.decided` event → the parts of its decision-log event: the result in the policy's
// own snake_case shape, the policy input (the exact one when the event carries it, else rebuilt from
// the facts and what the session's `session.opened` said), and the RFC 3339 nanosecond timestamp.
// Pure: the logger supplies ids, clock and the session it remembers.

import { buildPolicyInput } from '../decision/index.js';
import type { Decision, Mask, Reason } from '../decision/index.js';
import type { EventOf } from '../events.js';
import type { DecisionResult } from './types.js';

/** OpenedSession is what the logger remembers of a session's `session.opened` event. */
export type OpenedSession = {
  readonly issuer: string;
  readonly clientAddress: string;
  readonly tls: boolean;
  readonly database: string;
  readonly user: string;
  readonly applicationName: string;
  /** openedAtMs is when the logger saw the session open (ms since the epoch). */
  readonly openedAtMs: number;
};

/** decisionResult renders a decision in the policy's own shape (docs/policy.md "Decision"), snake_case. */
export function decisionResult(d: Decision): DecisionResult {
  const reasons = (rs: readonly Reason[]) => rs.map((r) => ({ reason: r.reason, rule: r.rule }));
  const masks = (ms: readonly Mask[]) =>
    ms.map((m) => ({ table: m.table, column: m.column, kind: m.kind, ...(m.keep !== undefined ? { keep: m.keep } : {}) }));
  switch (d.kind) {
    case 'allow':
      return { outcome: 'allow', allow: true, mask: masks(d.masks) };
    case 'deny':
      return { outcome: 'deny', allow: false, deny: reasons(d.reasons), origin: d.origin, mask: [] };
    case 'hold': {
      const a = d.approval;
      return {
        outcome: 'hold',
        allow: false,
        approval: reasons(d.reasons),
        hold: {
          ...(a.ttlMs !== undefined ? { ttl_ms: a.ttlMs } : {}),
          min_approvals: a.minApprovals,
          ...(a.mode !== undefined ? { mode: a.mode } : {}),
        },
        mask: masks(d.masks),
      };
    }
    default:
      return assertNever(d);
  }
}

/**
 * fallbackInput rebuilds the policy input when the event does not carry it: the statement as
 * buildPolicyInput shapes it (routines unknown: `[]`), the subject (and issuer, connection) the
 * session opened with, the transaction state and the clock. Counters the logger cannot know
 * (`rows_returned`, `age_seconds`) are left out rather than guessed.
 */
export function fallbackInput(event: EventOf<'statement.decided'>, opened: OpenedSession | undefined, nowMs: number): unknown {
  const full = buildPolicyInput({
    claims: { sub: event.subject, ...(opened !== undefined ? { iss: opened.issuer } : {}) },
    connection: {
      database: opened?.database ?? '',
      user: opened?.user ?? '',
      applicationName: opened?.applicationName ?? '',
      clientAddress: opened?.clientAddress ?? '',
      tls: opened?.tls ?? false,
    },
    statement: event.statement,
    params: event.params,
    session: { statements: 0, rowsReturned: 0, inTransaction: event.inTransaction, startedAtMs: nowMs },
    nowMs,
  });
  return {
    identity: full.identity,
    ...(opened !== undefined ? { connection: full.connection } : {}),
    statement: full.statement,
    session: { in_transaction: event.inTransaction },
    time: full.time,
  };
}

/** inputTimeMs reads `time.now_ns` of a policy input (the decision's own clock reading), in ms. */
export function inputTimeMs(input: unknown): number | undefined {
  const time = isRecord(input) ? input['time'] : undefined;
  const ns = isRecord(time) ? time['now_ns'] : undefined;
  return typeof ns === 'number' && Number.isFinite(ns) ? ns / 1_000_000 : undefined;
}

/** inputClientAddress reads `connection.client_address` of a policy input. */
export function inputClientAddress(input: unknown): string | undefined {
  const c = isRecord(input) ? input['connection'] : undefined;
  const a = isRecord(c) ? c['client_address'] : undefined;
  return typeof a === 'string' && a !== '' ? a : undefined;
}

/**
 * rfc3339Nano formats ms since the epoch as RFC 3339 with nine fraction digits, UTC
 * (`2026-01-01T12:00:00.123456000Z`): a double holds today's epoch in ms to about a quarter of a
 * microsecond, so fractions are kept to the microsecond and the last three digits are zeros.
 */
export function rfc3339Nano(ms: number): string {
  let whole = Math.floor(ms);
  let us = Math.round((ms - whole) * 1000);
  if (us === 1000) {
    whole += 1;
    us = 0;
  }
  const iso = new Date(whole).toISOString(); // …:ss.mmmZ
  return `${iso.slice(0, -1)}${String(us).padStart(3, '0')}000Z`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function assertNever(x: never): never {
  throw new TypeError(`unexpected decision ${JSON.stringify(x)}`);
}
