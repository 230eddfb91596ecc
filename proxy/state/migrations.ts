// The state store's schema, as versioned migrations applied in order (store.ts runs them). A
// migration, once released, never changes: a change to the schema is a new migration with the
// next version. Every name is qualified with the `portcullis` schema; nothing goes to `public`.

/** STATE_SCHEMA is the PostgreSQL schema holding every table of the state store. */
export const STATE_SCHEMA = 'portcullis';

/** MIGRATIONS_TABLE records the applied migrations (version, name, applied_at). */
export const MIGRATIONS_TABLE = `${STATE_SCHEMA}.portcullis_schema_migrations`;

/**
 * MIGRATION_LOCK_KEY is the fixed pg_advisory_xact_lock key every gateway takes before it looks
 * at or changes the schema, so gateways migrating one store at once run one after the other.
 */
export const MIGRATION_LOCK_KEY = '7165324480851740001';

/** Migration is one step of the schema: its version (1, 2, …, no gaps), a short name and its SQL. */
export type Migration = { readonly version: number; readonly name: string; readonly sql: string };

/** BOOTSTRAP_SQL creates the schema and the migrations table when they are missing (run under the lock). */
export const BOOTSTRAP_SQL = `CREATE SCHEMA IF NOT EXISTS ${STATE_SCHEMA};
CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
  version integer PRIMARY KEY,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

/**
 * MIGRATIONS are the state store's schema, oldest first. 1: approval requests (who asked, from
 * which session and database, the statements and their fingerprints, the policy's reasons and
 * revision, when it expires) and their audit events (who did what to a request, and why). 2: short
 * text ids, the mode (hold or refuse-and-grant), what the approval is bound to, the quorum, the
 * gateway holding it, resolution and execution times, grants, and each event's actor and outcome.
 * 3: live control: blocked identities and the audit events of terminations and blocks.
 * 4: the session recording's records (proxy/recording), one row per journal record, hash-chained.
 * 5: record bodies kept as written (json, the text their hash covers) and an index by kind and time.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'approval requests and events',
    sql: `CREATE TABLE ${STATE_SCHEMA}.approval_requests (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  status text NOT NULL DEFAULT 'pending',
  requester_sub text NOT NULL,
  requester_iss text NOT NULL,
  requester_claims jsonb NOT NULL DEFAULT '{}'::jsonb,
  session text NOT NULL,
  database text NOT NULL,
  statements jsonb NOT NULL,
  fingerprints text[] NOT NULL,
  reasons jsonb NOT NULL DEFAULT '[]'::jsonb,
  policy_revision text,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX approval_requests_status_expires ON ${STATE_SCHEMA}.approval_requests (status, expires_at);
CREATE INDEX approval_requests_requester ON ${STATE_SCHEMA}.approval_requests (requester_iss, requester_sub);
CREATE TABLE ${STATE_SCHEMA}.approval_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  request_id uuid NOT NULL REFERENCES ${STATE_SCHEMA}.approval_requests (id) ON DELETE CASCADE,
  kind text NOT NULL,
  actor text,
  reason text,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX approval_events_request ON ${STATE_SCHEMA}.approval_events (request_id, at)`,
  },
  {
    version: 2,
    name: 'approval ids, modes, quorum, grants and outcomes',
    sql: `ALTER TABLE ${STATE_SCHEMA}.approval_events DROP CONSTRAINT approval_events_request_id_fkey;
ALTER TABLE ${STATE_SCHEMA}.approval_events ALTER COLUMN request_id TYPE text;
ALTER TABLE ${STATE_SCHEMA}.approval_requests ALTER COLUMN id DROP DEFAULT, ALTER COLUMN id TYPE text;
ALTER TABLE ${STATE_SCHEMA}.approval_events
  ADD CONSTRAINT approval_events_request_id_fkey FOREIGN KEY (request_id) REFERENCES ${STATE_SCHEMA}.approval_requests (id) ON DELETE CASCADE,
  ADD COLUMN actor_sub text,
  ADD COLUMN actor_iss text,
  ADD COLUMN outcome jsonb;
ALTER TABLE ${STATE_SCHEMA}.approval_requests
  ADD COLUMN mode text NOT NULL DEFAULT 'hold',
  ADD COLUMN binding text NOT NULL DEFAULT '',
  ADD COLUMN min_approvals integer NOT NULL DEFAULT 1,
  ADD COLUMN gateway text NOT NULL DEFAULT '',
  ADD COLUMN resolved_at timestamptz,
  ADD COLUMN executed_at timestamptz,
  ADD COLUMN grant_expires_at timestamptz,
  ADD CONSTRAINT approval_requests_status_check CHECK (status IN ('pending', 'approved', 'denied', 'expired', 'withdrawn')),
  ADD CONSTRAINT approval_requests_mode_check CHECK (mode IN ('hold', 'refuse_and_grant'));
CREATE INDEX approval_requests_created ON ${STATE_SCHEMA}.approval_requests (created_at DESC);
CREATE INDEX approval_requests_grants ON ${STATE_SCHEMA}.approval_requests (requester_iss, requester_sub, binding)
  WHERE mode = 'refuse_and_grant' AND status = 'approved' AND executed_at IS NULL`,
  },
  {
    version: 3,
    name: 'live control: identity blocks and control events',
    sql: `CREATE TABLE ${STATE_SCHEMA}.identity_blocks (
  iss text NOT NULL,
  sub text NOT NULL,
  reason text NOT NULL,
  blocked_by text NOT NULL,
  until timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (iss, sub)
);
CREATE TABLE ${STATE_SCHEMA}.control_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind text NOT NULL,
  actor text NOT NULL,
  target jsonb NOT NULL,
  reason text NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
)`,
  },
  {
    version: 4,
    name: 'recording records',
    sql: `CREATE TABLE ${STATE_SCHEMA}.recording_records (
  journal text NOT NULL,
  seq bigint NOT NULL,
  at timestamptz NOT NULL,
  prev text NOT NULL,
  hash text NOT NULL,
  kind text NOT NULL,
  session text,
  statement integer,
  body jsonb NOT NULL,
  PRIMARY KEY (journal, seq)
);
CREATE INDEX recording_records_session ON ${STATE_SCHEMA}.recording_records (session, seq) WHERE session IS NOT NULL;
CREATE INDEX recording_records_at ON ${STATE_SCHEMA}.recording_records (at);
CREATE INDEX recording_records_tombstones ON ${STATE_SCHEMA}.recording_records ((body->>'journal')) WHERE kind = 'tombstone'`,
  },
  {
    version: 5,
    name: 'recording bodies as written',
    // json keeps a body's text as the gateway wrote and hashed it (jsonb would re-serialise it);
    // rows shipped before stay verifiable by the legacy canonical hash (recording/chain.ts)
    sql: `ALTER TABLE ${STATE_SCHEMA}.recording_records ALTER COLUMN body TYPE json USING body::json;
CREATE INDEX recording_records_kind ON ${STATE_SCHEMA}.recording_records (kind, at)`,
  },
];
