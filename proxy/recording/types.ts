// The recording contract: what a gateway records about every session (its start, every statement
// with its decision before it runs, each statement's outcome and what the agent saw, the end),
// how records are chained (each carries the SHA-256 of the previous record of its journal), and
// how they are kept in the shared state store (table portcullis.recording_records). The journal,
// the shipper, `portcullis audit verify`, the sessions views and the decision logs share it.

/** IdentityRecord is who the session belongs to: the verified claims of its token. */
export type IdentityRecord = { readonly sub: string; readonly iss: string; readonly claims: Readonly<Record<string, unknown>> };

/** SessionStartBody is recorded when a session has logged in, before its first statement. */
export type SessionStartBody = {
  readonly kind: 'session.start';
  readonly session: string;
  readonly identity: IdentityRecord;
  readonly connection: {
    readonly database: string;
    readonly user: string;
    readonly application_name: string;
    readonly client_address: string;
    readonly tls: boolean;
  };
  /** role is the database role the session runs as (SET SESSION ROLE), when the login policy named one. */
  readonly role: string | null;
  readonly gateway: string;
  readonly policy_revision: string;
};

/** DecisionRecord is a statement's decision as carried out. */
export type DecisionRecord = {
  /** kind: allow, deny, hold (needs approval), or refuse (the gateway refused it before or after the policy: analysis, masks it cannot apply, approval outcome). */
  readonly kind: 'allow' | 'deny' | 'hold' | 'refuse';
  readonly rules: readonly string[];
  readonly reasons: readonly string[];
  /** masks applied to the result: `table.column:kind`. */
  readonly masks: readonly string[];
};

/** StatementBody is recorded before a statement is forwarded upstream (write-ahead), or when it is refused. */
export type StatementBody = {
  readonly kind: 'statement';
  readonly session: string;
  /** statement is the statement's number in its session (1, 2, …). */
  readonly statement: number;
  readonly text: string;
  /** params are the Bind values as text (binary and NULL as null); null under the simple protocol. */
  readonly params: readonly (string | null)[] | null;
  readonly statement_kind: string;
  readonly command: string;
  readonly tables: { readonly read: readonly string[]; readonly written: readonly string[] };
  readonly columns: { readonly read: readonly string[]; readonly written: readonly string[] };
  readonly flags: readonly string[];
  readonly fingerprint: string;
  readonly decision: DecisionRecord;
  /** approval is null when the statement is recorded: a held statement's request and how it ended follow in an ApprovalBody record. */
  readonly approval: string | null;
  readonly policy_revision: string;
  /** input is the policy input the decision was made on (replay re-decides it). */
  readonly input: unknown;
};

/** OutcomeBody is recorded once a forwarded statement has ended. */
export type OutcomeBody = {
  readonly kind: 'statement.outcome';
  readonly session: string;
  readonly statement: number;
  /** tag is the command tag (`SELECT 3`), absent when it failed. */
  readonly tag: string | null;
  readonly sqlstate: string | null;
  readonly message: string | null;
  readonly rows: number;
  /** columns are the result column names the agent saw. */
  readonly columns: readonly string[];
  /** digest is the SHA-256 (hex) of the result bytes as sent to the agent (after masking). */
  readonly digest: string | null;
  readonly duration_ms: number;
  /** result_rows are the rows as sent (masked values masked), up to the byte cap, with `recording.results: capped`. */
  readonly result_rows?: readonly (readonly (string | null)[])[];
  /** result_truncated is true when rows past the cap were not kept. */
  readonly result_truncated?: boolean;
};

/** ApprovalBody is recorded when a held string or batch is resolved: which statements, which request, how it ended. */
export type ApprovalBody = {
  readonly kind: 'statement.approval';
  readonly session: string;
  /** statements are the numbers of the held string's or batch's statements (their records came before). */
  readonly statements: readonly number[];
  /** approval is the request's id (none when no request could be made). */
  readonly approval: string | null;
  /** outcome: approved (the statements run next, each with its own outcome record) or refused. */
  readonly outcome: 'approved' | 'refused';
  /** code and reason are what the client was told when refused (denied by whom and why, expired, withdrawn, …). */
  readonly code: string | null;
  readonly reason: string | null;
};

/** SessionEndBody is recorded when a session ends. */
export type SessionEndBody = {
  readonly kind: 'session.end';
  readonly session: string;
  readonly reason: string;
  readonly statements: number;
  readonly rows: number;
  readonly duration_ms: number;
};

/** TombstoneBody records that retention removed records [from_seq, to_seq] of a journal whose last removed record hashed to last_hash. */
export type TombstoneBody = {
  readonly kind: 'tombstone';
  readonly journal: string;
  readonly from_seq: number;
  readonly to_seq: number;
  readonly last_hash: string;
  readonly reason: string;
};

/** RecordBody is any recorded fact. */
export type RecordBody = SessionStartBody | StatementBody | OutcomeBody | ApprovalBody | SessionEndBody | TombstoneBody;

/**
 * ChainedRecord is one line of a journal (and one row of portcullis.recording_records): its
 * journal, its position, the previous record's hash ('' for the first), its own hash (SHA-256 hex
 * of `prev` + '\n' + `{"journal":…,"seq":…,"at":…,"body":<bodyJson>}`, chain.ts), the body, and
 * the body's JSON text exactly as written and hashed.
 */
export type ChainedRecord = {
  readonly journal: string;
  readonly seq: number;
  readonly at: string;
  readonly prev: string;
  readonly hash: string;
  readonly body: RecordBody;
  readonly bodyJson: string;
};

/** StatementRecordOptions: the body's JSON text when the caller has it; readOnly lets the statement go once written (see Recorder.statement). */
export type StatementRecordOptions = { readonly json?: string; readonly readOnly?: boolean };

/** StatementRecorded is what Recorder.statement says of a record it did not wait to sync. */
export type StatementRecorded = { readonly durable?: Promise<void> };

/** Recorder is what the data plane records through; writes fail closed (RecordingError) when `recording.on_failure` is refuse. */
export type Recorder = {
  /** sessionStart is written before the session's first statement is read (and synced first with recording.sync: all). */
  sessionStart(body: SessionStartBody): Promise<void>;
  /**
   * statement is written and synced before the statement is forwarded (write-ahead); `json` is the
   * body's JSON text when the caller has it. With `readOnly` (a query that cannot change anything)
   * it resolves once written, with `durable`: settled once the record is synced (the query's
   * answers wait for it), rejected when the journal fails and on_failure is refuse.
   */
  statement(body: StatementBody, opts?: StatementRecordOptions): Promise<StatementRecorded | undefined>;
  /** approval is written and synced before an approved string or batch is forwarded (and when a hold is refused). */
  approval(body: ApprovalBody): Promise<void>;
  /** outcome and sessionEnd are appended after the fact (synced with the next group commit). */
  outcome(body: OutcomeBody): void;
  sessionEnd(body: SessionEndBody): void;
};
