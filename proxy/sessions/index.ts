// Public surface of proxy/sessions: the read model over the recording kept in the shared state
// store (sessions newest first, one session, its statements as a timeline). Re-exports only.

export { createSessionViews, decodeSessionCursor, decodeStatementCursor, RECORDS_TABLE } from './views.js';
export { DECISION_KINDS, SESSIONS_LIMIT } from './types.js';
export type {
  DecisionKind,
  SessionDetail,
  SessionListQuery,
  SessionPage,
  SessionSummary,
  SessionViews,
  StatementOutcome,
  StatementPage,
  StatementQuery,
  TimelineEntry,
} from './types.js';
