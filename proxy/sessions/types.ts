// Types of the sessions read model: what the views answer about recorded sessions (a summary per
// session, one session in detail, its statements as a timeline) and the queries they take. Plain
// readonly data; the SQL lives in views.ts.

import type { DecisionRecord, SessionStartBody } from '../recording/index.js';

/** DECISION_KINDS are the decisions a statement record can carry (the filter of list and statements). */
export const DECISION_KINDS = ['allow', 'deny', 'hold', 'refuse'] as const;

/** DecisionKind is one of DECISION_KINDS. */
export type DecisionKind = (typeof DECISION_KINDS)[number];

/** SESSIONS_LIMIT bounds `limit` of list and statements (default 100, at most 500). */
export const SESSIONS_LIMIT = Object.freeze({ min: 1, max: 500, default: 100 });

/** SessionListQuery filters and pages the sessions (newest first). */
export type SessionListQuery = {
  readonly sub?: string;
  readonly iss?: string;
  /** since keeps sessions that started at or after this time. */
  readonly since?: Date;
  /** decision keeps sessions with at least one statement of this decision. */
  readonly decision?: DecisionKind;
  readonly database?: string;
  /** limit is the page size, 1 to 500 (default 100). */
  readonly limit?: number;
  /** cursor is the `next_cursor` of the previous page. */
  readonly cursor?: string;
};

/** SessionSummary is one session of a list. */
export type SessionSummary = {
  readonly id: string;
  readonly identity: { readonly sub: string; readonly iss: string };
  readonly database: string;
  /** started_at is the RFC 3339 time of the session.start record. */
  readonly started_at: string;
  readonly ended_at: string | null;
  readonly end_reason: string | null;
  /** statements is the number of statement records; denied and held count those decisions. */
  readonly statements: number;
  readonly denied: number;
  readonly held: number;
  readonly gateway: string;
};

/** SessionPage is one page of sessions and the cursor of the next (absent on the last page). */
export type SessionPage = { readonly sessions: readonly SessionSummary[]; readonly next_cursor?: string };

/** SessionDetail is one session: its start record as recorded, how it ended, and its counts. */
export type SessionDetail = {
  readonly id: string;
  readonly identity: SessionStartBody['identity'];
  readonly connection: SessionStartBody['connection'];
  readonly role: string | null;
  readonly gateway: string;
  readonly policy_revision: string;
  readonly started_at: string;
  readonly ended_at: string | null;
  readonly end_reason: string | null;
  readonly duration_ms: number | null;
  readonly counts: {
    readonly statements: number;
    readonly allow: number;
    readonly deny: number;
    readonly hold: number;
    readonly refuse: number;
    /** rows is the number of rows the agent saw, over every outcome. */
    readonly rows: number;
  };
};

/** StatementQuery filters and pages a session's statements (in order). */
export type StatementQuery = {
  readonly decision?: DecisionKind;
  readonly limit?: number;
  readonly cursor?: string;
};

/** StatementOutcome is how a forwarded statement ended (absent for statements never forwarded). */
export type StatementOutcome = {
  readonly tag: string | null;
  readonly sqlstate: string | null;
  readonly message: string | null;
  readonly rows: number;
  readonly columns: readonly string[];
  readonly digest: string | null;
  readonly duration_ms: number;
  /** result_rows are the rows the agent saw (masked as sent), when the gateway recorded them (`recording.results: capped`). */
  readonly result_rows?: readonly (readonly (string | null)[])[];
  /** result_truncated is true when rows past the cap were not kept. */
  readonly result_truncated?: boolean;
};

/** TimelineEntry is one statement of a session with its decision and, when it ran, its outcome. */
export type TimelineEntry = {
  readonly statement: number;
  readonly at: string;
  readonly text: string;
  readonly params: readonly (string | null)[] | null;
  /** kind is the statement's kind (select, delete, …). */
  readonly kind: string;
  readonly decision: DecisionRecord;
  /** approval is how the hold of a held statement ended (null for a statement that was not held, or is still waiting). */
  readonly approval: TimelineApproval | null;
  readonly outcome: StatementOutcome | null;
};

/** TimelineApproval is a held statement's approval request and how it ended (code and reason when refused). */
export type TimelineApproval = {
  readonly id: string | null;
  readonly outcome: 'approved' | 'refused';
  readonly code: string | null;
  readonly reason: string | null;
};

/** StatementPage is one page of a session's timeline. */
export type StatementPage = { readonly statements: readonly TimelineEntry[]; readonly next_cursor?: string };

/** SessionViews reads recorded sessions from the state store; StateErrors propagate. */
export type SessionViews = {
  /** list answers sessions newest first; rejects with a TypeError on a malformed cursor or limit. */
  list(query?: SessionListQuery): Promise<SessionPage>;
  /** get answers one session, undefined when nothing was recorded for it. */
  get(id: string): Promise<SessionDetail | undefined>;
  /** statements answers a session's statements in order (an empty page for an unknown session). */
  statements(id: string, query?: StatementQuery): Promise<StatementPage>;
};
