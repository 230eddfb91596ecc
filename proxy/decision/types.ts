// The policy contract as TypeScript types (docs/policy.md is the prose, docs/schemas/*.json the
// JSON Schemas): PolicyInput is what the Rego policy reads as `input`, RawDecision what its
// entrypoint `portcullis/decision` returns, and Decision what the session carries out.

/**
 * PolicyIdentity is the verified JWT claims set as the token carried it: `sub`, `iss`, `aud`
 * (string or array), `exp` are always present (proxy/auth requires them), plus any custom claims.
 */
export type PolicyIdentity = Readonly<Record<string, unknown>>;

/** PolicyConnection describes the client connection the statement arrived on. */
export type PolicyConnection = {
  readonly database: string;
  /** user is the startup user name the agent gave (not the upstream user). */
  readonly user: string;
  readonly application_name: string;
  readonly client_address: string;
  readonly tls: boolean;
};

/** PolicyColumnRef names one column of one table (`schema.table`; '' when the table is unknown). */
export type PolicyColumnRef = { readonly table: string; readonly column: string };

/**
 * PolicyColumnUse is one use of a column's value (docs/policy.md, proxy/sql COLUMN_USES): `use` is
 * `output`, `expression`, `filter`, `join`, `order`, `group` or `store`; `table` or `column` is ''
 * when unknown (both for a whole-row value).
 */
export type PolicyColumnUse = { readonly table: string; readonly column: string; readonly use: string };

/** PolicyOutputColumn is one result column and where its values come from. */
export type PolicyOutputColumn = {
  readonly position: number;
  readonly name: string;
  /** source is set when the column is a plain (possibly aliased) column reference. */
  readonly source?: PolicyColumnRef;
  /** star is set when the column comes from `*` or `t.*` (bound later through RowDescription). */
  readonly star?: { readonly table?: string };
  /** derived lists columns used inside an expression in this output column. */
  readonly derived: readonly PolicyColumnRef[];
};

/** PolicyRoutine is one function a statement calls (its views' included), as the database catalog describes it. */
export type PolicyRoutine = {
  /** schema is where the function lives ('' when no function of that name exists). */
  readonly schema: string;
  readonly name: string;
  /** known is false when the catalog has no function of that name (volatility is then `unknown`). */
  readonly known: boolean;
  /** volatility is `immutable`, `stable`, `volatile` (the least safe of its overloads) or `unknown`. */
  readonly volatility: string;
  /** security_definer: some overload runs with its owner's privileges. */
  readonly security_definer: boolean;
  /** public_execute: EXECUTE is granted to PUBLIC on every overload (PostgreSQL treats the others as privileged). */
  readonly public_execute: boolean;
  /** builtin: the server's own function (created by initdb). */
  readonly builtin: boolean;
  /** kinds are the overloads' kinds: function, procedure, aggregate, window. */
  readonly kinds: readonly string[];
};

/** PolicyStatement is the facts about one SQL statement (proxy/sql), in the policy's snake_case. */
export type PolicyStatement = {
  readonly kind: string;
  readonly command: string;
  readonly text: string;
  readonly tables: { readonly read: readonly string[]; readonly written: readonly string[] };
  /** columns read and written, and where each column's value is used (`uses`). */
  readonly columns: {
    readonly read: readonly PolicyColumnRef[];
    readonly written: readonly PolicyColumnRef[];
    readonly uses: readonly PolicyColumnUse[];
  };
  readonly functions: readonly string[];
  /** routines are the functions called (through views too), with what the catalog says about them; unqualified names give one entry per schema holding one. */
  readonly routines: readonly PolicyRoutine[];
  readonly flags: Readonly<Record<string, boolean>>;
  /** parameters is the highest `$n` placeholder number (0 when none). */
  readonly parameters: number;
  readonly fingerprint: string;
  /** output is the result-column lineage; null for statements that return no rows. */
  readonly output: { readonly columns: readonly PolicyOutputColumn[]; readonly whole_row: boolean } | null;
  /** params holds Bind values as text (binary values as null, see docs/policy.md); null under the simple protocol. */
  readonly params: readonly (string | null)[] | null;
};

/** PolicySession describes what this connection has done so far. */
export type PolicySession = {
  readonly statements: number;
  readonly rows_returned: number;
  readonly in_transaction: boolean;
  readonly age_seconds: number;
};

/** PolicyTime is the evaluation time, fixed once per statement. */
export type PolicyTime = { readonly now_ns: number; readonly rfc3339: string };

/** PolicyInput is the whole `input` document of one policy evaluation. */
export type PolicyInput = {
  readonly identity: PolicyIdentity;
  readonly connection: PolicyConnection;
  readonly statement: PolicyStatement;
  readonly session: PolicySession;
  readonly time: PolicyTime;
};

/**
 * ConnectionPolicyInput is the `input` of the login entrypoint (`portcullis/connection`): who
 * connects, how, and when, evaluated once per connection; no statement and no session counters.
 */
export type ConnectionPolicyInput = {
  readonly identity: PolicyIdentity;
  readonly connection: PolicyConnection;
  readonly time: PolicyTime;
};

/**
 * LoginDecision is what the session carries out at login: run as a database role (the gateway
 * runs `SET SESSION ROLE` once before greeting the client), or refuse the login.
 */
export type LoginDecision =
  | { readonly kind: 'role'; readonly role: string }
  | {
      readonly kind: 'deny';
      readonly reason: string;
      readonly rule: string;
      readonly origin: DenyOrigin;
      /** reasons holds every deny entry the policy returned (first one shown to the client). */
      readonly reasons: readonly Reason[];
    };

/** LoginDecider evaluates the login entrypoint for one connection; it never throws. */
export type LoginDecider = {
  /** decide evaluates the input and interprets the result, failing closed (a deny). */
  decide(input: ConnectionPolicyInput): LoginDecision;
};

/** ApprovalActor is an identity on an approval request: the token's `sub` and `iss`. */
export type ApprovalActor = { readonly sub: string; readonly iss: string };

/**
 * ApprovalDecisionInput is the `input` of the approval entrypoint (`portcullis/approval`): who acts
 * (`approver`, their verified claims), what they ask, why, the request and the approvals already
 * recorded. It is the approvals contract's ApprovalPolicyInput (proxy/approvals/types.ts) as this
 * layer sees it: decision/ does not import approvals/, and the request is passed through as it is.
 */
export type ApprovalDecisionInput = {
  readonly approver: Readonly<Record<string, unknown>>;
  readonly action: 'approve' | 'deny';
  /** reason is the approver's free text ('' when none was given). */
  readonly reason: string;
  /** request is the request as approvers see it, without its events (`requester`, `min_approvals`, …). */
  readonly request: { readonly requester: ApprovalActor; readonly min_approvals: number };
  readonly approvals_so_far: readonly (ApprovalActor & { readonly reason: string; readonly at: string })[];
};

/** ApprovalVerdict is the approval policy's answer: allowed (with the quorum the request needs), or refused with reasons (the approvals contract's ApprovalVerdict). */
export type ApprovalVerdict =
  | { readonly kind: 'allow'; readonly quorum: number }
  | { readonly kind: 'deny'; readonly reasons: readonly Reason[] };

/** ApprovalDecider evaluates the approval entrypoint for one approver's action; it never throws. */
export type ApprovalDecider = {
  /** decide evaluates the input and interprets the result, failing closed (a deny). */
  decide(input: ApprovalDecisionInput): ApprovalVerdict;
};

/** AUDIT_ACTIONS are what a caller may ask of the admin API under the audit policy: read recorded sessions, terminate a session, block an identity, read the policy status, reload the policy, read the gateway's status, read approval requests. */
export const AUDIT_ACTIONS = [
  'sessions.read',
  'sessions.terminate',
  'identities.block',
  'policy.read',
  'policy.reload',
  'status.read',
  'approvals.read',
] as const;

/** AuditAction is one of AUDIT_ACTIONS. */
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/**
 * AuditDecisionInput is the `input` of the audit entrypoint (`portcullis/audit`): who asks
 * (`caller`, their verified claims), what they ask and what about (`target`: the session id, the
 * list's filters, the identity, as the route knows them).
 */
export type AuditDecisionInput = {
  readonly caller: Readonly<Record<string, unknown>>;
  readonly action: AuditAction;
  readonly target: Readonly<Record<string, unknown>>;
};

/** AuditVerdict is the audit policy's answer: allowed, or refused with reasons. */
export type AuditVerdict = { readonly kind: 'allow' } | { readonly kind: 'deny'; readonly reasons: readonly Reason[] };

/** AuditDecider evaluates the audit entrypoint for one caller's action; it never throws. */
export type AuditDecider = {
  /** decide evaluates the input and interprets the result, failing closed (a deny). */
  decide(input: AuditDecisionInput): AuditVerdict;
};

/** MASK_KINDS lists the masking kinds a policy may ask for. */
export const MASK_KINDS = ['redact', 'partial', 'hash', 'null'] as const;

/** MaskKind is one of MASK_KINDS. */
export type MaskKind = (typeof MASK_KINDS)[number];

/** Mask asks the session to rewrite every result value that comes from `table.column`. */
export type Mask = {
  readonly table: string;
  readonly column: string;
  readonly kind: MaskKind;
  /** keep is the number of trailing characters `partial` leaves visible (default 4). */
  readonly keep?: number;
};

/** Reason is one deny or approval entry: a message for the agent and the id of the rule that made it. */
export type Reason = { readonly reason: string; readonly rule: string };

/** DenyOrigin says why a statement was denied: a policy rule, no rule allowing it, or a policy failure. */
export type DenyOrigin = 'policy' | 'default' | 'error';

/** Decision is what the session carries out for one statement. */
export type Decision =
  | { readonly kind: 'allow'; readonly masks: readonly Mask[] }
  | {
      readonly kind: 'deny';
      readonly reason: string;
      readonly rule: string;
      readonly origin: DenyOrigin;
      /** reasons holds every deny entry the policy returned (first one shown to the client). */
      readonly reasons: readonly Reason[];
      /** detail is what went wrong, for the operator's log only (origin `error`: engine messages may name policy files). */
      readonly detail?: string;
    }
  | {
      readonly kind: 'hold';
      readonly reason: string;
      readonly rule: string;
      readonly reasons: readonly Reason[];
      /** masks apply to the statement's result once it is approved. */
      readonly masks: readonly Mask[];
      /** approval is what the approval entries ask of the approvers, combined (the strictest wins). */
      readonly approval: HoldApproval;
    };

/** HOLD_MODES are the ways a held statement may wait: `hold` on its session, or `refuse_and_grant` (refused at once, run once after approval). */
export const HOLD_MODES = ['hold', 'refuse_and_grant'] as const;

/** HoldMode is one of HOLD_MODES (the approvals contract's ApprovalMode). */
export type HoldMode = (typeof HOLD_MODES)[number];

/**
 * HoldApproval combines the optional fields of every approval entry of a decision: the shortest
 * `ttl`, the largest `min_approvals` (1 when none says), and `refuse_and_grant` when any entry asks
 * for it, else `hold` when any says so; an absent ttl or mode leaves it to the gateway's config.
 */
export type HoldApproval = {
  /** ttlMs is how long the request may wait for approvers, in milliseconds. */
  readonly ttlMs?: number;
  /** minApprovals is the number of distinct approvals the statement needs (at least 1). */
  readonly minApprovals: number;
  readonly mode?: HoldMode;
};

/** Decider evaluates the policy for one statement; it never throws. */
export type Decider = {
  /** decide evaluates the input and interprets the result, failing closed. */
  decide(input: PolicyInput): Decision;
};

/** RULE_IDS are the rule ids Portcullis itself reports (not written in the policy). */
export const RULE_IDS = {
  defaultDeny: 'portcullis.default_deny',
  policyError: 'portcullis.policy_error',
  noPolicy: 'portcullis.no_policy',
  noLoginRole: 'portcullis.no_login_role',
} as const;
