// The sessions read model over portcullis.recording_records (the recording's rows in the shared
// state store): sessions are found by their session.start record, ended by their session.end,
// counted over their statement records, and each statement is joined with its outcome. All of it
// is SQL over the records' kind, session and statement columns and their json bodies, with bound parameters. Pages are cut by keyset: a cursor
// is the base64url of the last row's key (start time and id for sessions, the statement number for
// a timeline), so a page never repeats or skips a row while new sessions arrive.

import type { ApprovalBody, DecisionRecord, OutcomeBody, SessionEndBody, SessionStartBody, StatementBody } from '../recording/index.js';
import type { StateStore } from '../state/index.js';
import { SESSIONS_LIMIT } from './types.js';
import type {
  SessionDetail,
  SessionListQuery,
  SessionPage,
  SessionSummary,
  SessionViews,
  StatementPage,
  StatementQuery,
  TimelineEntry,
} from './types.js';

/** RECORDS_TABLE is where the shipper keeps the recording (one row per chained record). */
export const RECORDS_TABLE = 'portcullis.recording_records';

const R = RECORDS_TABLE;

/** TIME renders a timestamptz column as RFC 3339 UTC with microseconds (the keyset needs them all). */
const time = (col: string): string => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

const LIST_SQL = `
WITH starts AS (
  SELECT r.session AS id, r.at, r.body
  FROM ${R} r
  WHERE r.kind = 'session.start'
    AND ($1::text IS NULL OR r.body->'identity'->>'sub' = $1)
    AND ($2::text IS NULL OR r.body->'identity'->>'iss' = $2)
    AND ($3::timestamptz IS NULL OR r.at >= $3::timestamptz)
    AND ($4::text IS NULL OR r.body->'connection'->>'database' = $4)
    AND ($5::timestamptz IS NULL OR (r.at, r.session) < ($5::timestamptz, $6::text))
    AND ($7::text IS NULL OR EXISTS (
      SELECT 1 FROM ${R} d
      WHERE d.kind = 'statement' AND d.session = r.session AND d.body->'decision'->>'kind' = $7))
  ORDER BY r.at DESC, r.session DESC
  LIMIT $8::integer
)
SELECT s.id, s.body->'identity'->>'sub', s.body->'identity'->>'iss', s.body->'connection'->>'database', ${time('s.at')},
  ${time('e.at')}, e.body->>'reason', coalesce(c.statements, 0)::text, coalesce(c.denied, 0)::text, coalesce(c.held, 0)::text,
  s.body->>'gateway'
FROM starts s
LEFT JOIN LATERAL (
  SELECT x.at, x.body FROM ${R} x
  WHERE x.kind = 'session.end' AND x.session = s.id ORDER BY x.at DESC LIMIT 1
) e ON true
LEFT JOIN LATERAL (
  SELECT count(*) AS statements,
    count(*) FILTER (WHERE y.body->'decision'->>'kind' = 'deny') AS denied,
    count(*) FILTER (WHERE y.body->'decision'->>'kind' = 'hold') AS held
  FROM ${R} y WHERE y.kind = 'statement' AND y.session = s.id
) c ON true
ORDER BY s.at DESC, s.id DESC`;

const GET_SQL = `
SELECT s.body::text, ${time('s.at')}, ${time('e.at')}, e.body::text,
  (SELECT json_build_object(
     'statements', count(*),
     'allow', count(*) FILTER (WHERE y.body->'decision'->>'kind' = 'allow'),
     'deny', count(*) FILTER (WHERE y.body->'decision'->>'kind' = 'deny'),
     'hold', count(*) FILTER (WHERE y.body->'decision'->>'kind' = 'hold'),
     'refuse', count(*) FILTER (WHERE y.body->'decision'->>'kind' = 'refuse'))::text
   FROM ${R} y WHERE y.kind = 'statement' AND y.session = $1),
  (SELECT coalesce(sum((o.body->>'rows')::bigint), 0)::text
   FROM ${R} o WHERE o.kind = 'statement.outcome' AND o.session = $1)
FROM ${R} s
LEFT JOIN LATERAL (
  SELECT x.at, x.body FROM ${R} x
  WHERE x.kind = 'session.end' AND x.session = $1 ORDER BY x.at DESC LIMIT 1
) e ON true
WHERE s.kind = 'session.start' AND s.session = $1
ORDER BY s.at LIMIT 1`;

const STATEMENTS_SQL = `
SELECT s.statement::text, ${time('s.at')}, s.body::text, o.body::text, a.body::text
FROM ${R} s
LEFT JOIN LATERAL (
  SELECT x.body FROM ${R} x
  WHERE x.kind = 'statement.outcome' AND x.session = $1
    AND x.statement = s.statement
  ORDER BY x.at LIMIT 1
) o ON true
LEFT JOIN LATERAL (
  SELECT x.body FROM ${R} x
  WHERE x.kind = 'statement.approval' AND x.session = $1
    AND EXISTS (SELECT 1 FROM json_array_elements_text(x.body->'statements') n WHERE n::integer = s.statement)
  ORDER BY x.at DESC LIMIT 1
) a ON true
WHERE s.kind = 'statement' AND s.session = $1
  AND ($2::text IS NULL OR s.body->'decision'->>'kind' = $2)
  AND s.statement > $3::integer
ORDER BY s.statement, s.at
LIMIT $4::integer`;

/** createSessionViews reads sessions from the store's recording_records. */
export function createSessionViews(store: Pick<StateStore, 'query'>): SessionViews {
  return {
    async list(query: SessionListQuery = {}): Promise<SessionPage> {
      const limit = checkLimit(query.limit);
      const after = query.cursor === undefined ? undefined : decodeSessionCursor(query.cursor);
      if (query.cursor !== undefined && after === undefined) throw new TypeError('the cursor is not one this list gave out');
      if (query.since !== undefined && Number.isNaN(query.since.getTime())) throw new TypeError('since is not a valid time');
      const res = await store.query(LIST_SQL, [
        query.sub ?? null,
        query.iss ?? null,
        query.since?.toISOString() ?? null,
        query.database ?? null,
        after?.[0] ?? null,
        after?.[1] ?? null,
        query.decision ?? null,
        String(limit + 1),
      ]);
      const rows = res.rows.slice(0, limit);
      const sessions = rows.map(summaryOf);
      const last = rows[rows.length - 1];
      return res.rows.length > limit && last !== undefined
        ? { sessions, next_cursor: encodeCursor([text(last[4]), text(last[0])]) }
        : { sessions };
    },

    async get(id: string): Promise<SessionDetail | undefined> {
      const res = await store.query(GET_SQL, [id]);
      const row = res.rows[0];
      if (row === undefined) return undefined;
      const start = JSON.parse(text(row[0])) as SessionStartBody;
      const end = row[3] === null || row[3] === undefined ? undefined : (JSON.parse(row[3]) as SessionEndBody);
      const counts = JSON.parse(text(row[4])) as Omit<SessionDetail['counts'], 'rows'>;
      return {
        id,
        identity: start.identity,
        connection: start.connection,
        role: start.role,
        gateway: start.gateway,
        policy_revision: start.policy_revision,
        started_at: millis(text(row[1])),
        ended_at: row[2] === null || row[2] === undefined ? null : millis(row[2]),
        end_reason: end?.reason ?? null,
        duration_ms: end?.duration_ms ?? null,
        counts: { ...counts, rows: Number(row[5] ?? 0) },
      };
    },

    async statements(id: string, query: StatementQuery = {}): Promise<StatementPage> {
      const limit = checkLimit(query.limit);
      const after = query.cursor === undefined ? 0 : decodeStatementCursor(query.cursor);
      if (after === undefined) throw new TypeError('the cursor is not one this timeline gave out');
      const res = await store.query(STATEMENTS_SQL, [id, query.decision ?? null, String(after), String(limit + 1)]);
      const rows = res.rows.slice(0, limit);
      const statements = rows.map(entryOf);
      const last = statements[statements.length - 1];
      return res.rows.length > limit && last !== undefined ? { statements, next_cursor: encodeCursor([last.statement]) } : { statements };
    },
  };
}

function summaryOf(row: readonly (string | null)[]): SessionSummary {
  return {
    id: text(row[0]),
    identity: { sub: text(row[1]), iss: text(row[2]) },
    database: text(row[3]),
    started_at: millis(text(row[4])),
    ended_at: row[5] === null || row[5] === undefined ? null : millis(row[5]),
    end_reason: row[6] ?? null,
    statements: Number(row[7] ?? 0),
    denied: Number(row[8] ?? 0),
    held: Number(row[9] ?? 0),
    gateway: text(row[10]),
  };
}

function entryOf(row: readonly (string | null)[]): TimelineEntry {
  const s = JSON.parse(text(row[2])) as StatementBody;
  const o = row[3] === null || row[3] === undefined ? undefined : (JSON.parse(row[3]) as OutcomeBody);
  const a = row[4] === null || row[4] === undefined ? undefined : (JSON.parse(row[4]) as ApprovalBody);
  const decision: DecisionRecord = {
    kind: s.decision.kind,
    rules: s.decision.rules,
    reasons: s.decision.reasons,
    masks: s.decision.masks,
  };
  return {
    statement: Number(row[0]),
    at: millis(text(row[1])),
    text: s.text,
    params: s.params,
    kind: s.statement_kind,
    decision,
    approval: a === undefined ? null : { id: a.approval, outcome: a.outcome, code: a.code, reason: a.reason },
    outcome:
      o === undefined
        ? null
        : {
            tag: o.tag,
            sqlstate: o.sqlstate,
            message: o.message,
            rows: o.rows,
            columns: o.columns,
            digest: o.digest,
            duration_ms: o.duration_ms,
            ...(o.result_rows !== undefined ? { result_rows: o.result_rows, result_truncated: o.result_truncated === true } : {}),
          },
  };
}

/** checkLimit applies the default and refuses a limit outside 1 to 500. */
function checkLimit(limit: number | undefined): number {
  const n = limit ?? SESSIONS_LIMIT.default;
  if (!Number.isInteger(n) || n < SESSIONS_LIMIT.min || n > SESSIONS_LIMIT.max) {
    throw new TypeError(`limit must be an integer from ${SESSIONS_LIMIT.min} to ${SESSIONS_LIMIT.max}`);
  }
  return n;
}

/** encodeCursor makes an opaque cursor of a key (base64url of its JSON). */
function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

function decodeKey(cursor: string): unknown {
  if (!/^[A-Za-z0-9_-]{1,512}$/.test(cursor)) return undefined;
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** decodeSessionCursor reads a session list cursor ([started_at, id]); undefined when it is not one. */
export function decodeSessionCursor(cursor: string): readonly [string, string] | undefined {
  const key = decodeKey(cursor);
  if (!Array.isArray(key) || key.length !== 2) return undefined;
  const [at, id] = key as unknown[];
  return typeof at === 'string' && CURSOR_TIME.test(at) && typeof id === 'string' ? [at, id] : undefined;
}

/** decodeStatementCursor reads a timeline cursor ([statement number]); undefined when it is not one. */
export function decodeStatementCursor(cursor: string): number | undefined {
  const key = decodeKey(cursor);
  if (!Array.isArray(key) || key.length !== 1) return undefined;
  const n = key[0] as unknown;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 && n <= 2_147_483_647 ? n : undefined;
}

/** millis shortens a microsecond RFC 3339 time to milliseconds (as records write them). */
function millis(t: string): string {
  return t.replace(/\.(\d{3})\d*Z$/, '.$1Z');
}

function text(v: string | null | undefined): string {
  return v ?? '';
}
