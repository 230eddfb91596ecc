// The approvals contract: what an approval request looks like to approvers (the admin API, the
// CLI, webhooks), what the approval policy (`portcullis/approval`) reads and answers, and the
// service the admin API calls. proxy/approvals implements it over the shared state store.

/** APPROVAL_STATUSES are the states of a request; `pending` is the only one that changes. */
export const APPROVAL_STATUSES = ['pending', 'approved', 'denied', 'expired', 'withdrawn'] as const;

/** ApprovalStatus is one of APPROVAL_STATUSES. */
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

/** APPROVAL_MODES: `hold` keeps the statement waiting on its session; `refuse_and_grant` refuses it at once and lets the same statement run once after approval. */
export const APPROVAL_MODES = ['hold', 'refuse_and_grant'] as const;

/** ApprovalMode is one of APPROVAL_MODES. */
export type ApprovalMode = (typeof APPROVAL_MODES)[number];

/** HeldStatement is one statement of a request: its text, Bind values (null under the simple protocol), fingerprint and kind. */
export type HeldStatement = {
  readonly text: string;
  readonly params: readonly (string | null)[] | null;
  readonly fingerprint: string;
  readonly kind: string;
  readonly tables: { readonly read: readonly string[]; readonly written: readonly string[] };
};

/** ApprovalEventKind is one step of a request's audit trail. */
export type ApprovalEventKind = 'requested' | 'approved' | 'denied' | 'expired' | 'withdrawn' | 'executed' | 'granted_use';

/** ApprovalEventView is one audit event of a request (who did what, when, why). */
export type ApprovalEventView = {
  readonly kind: ApprovalEventKind;
  /** actor is who acted (`iss#sub` of an approver or requester; `gateway` for expiry). */
  readonly actor: string | null;
  readonly reason: string | null;
  /** at is an RFC 3339 time. */
  readonly at: string;
  /** outcome is an `executed` event's result: the command tag, or the SQLSTATE and message. */
  readonly outcome?: Readonly<Record<string, unknown>> | null;
};

/** ApprovalRequestView is a request as approvers see it (admin API, CLI `--json`, webhooks). */
export type ApprovalRequestView = {
  /** id is short, URL-safe and unguessable (128 random bits, base64url). */
  readonly id: string;
  readonly status: ApprovalStatus;
  readonly mode: ApprovalMode;
  readonly requester: { readonly sub: string; readonly iss: string; readonly claims: Readonly<Record<string, unknown>> };
  readonly session: string;
  readonly database: string;
  readonly statements: readonly HeldStatement[];
  /** reasons are the policy's approval entries (why it needs a human). */
  readonly reasons: readonly { readonly reason: string; readonly rule: string }[];
  /** min_approvals is the quorum the policy's approval entry asked for (default 1). */
  readonly min_approvals: number;
  readonly policy_revision: string;
  /** created_at, expires_at, resolved_at, executed_at are RFC 3339 times. */
  readonly created_at: string;
  readonly expires_at: string;
  readonly resolved_at: string | null;
  readonly executed_at: string | null;
  readonly events: readonly ApprovalEventView[];
};

/** Approver is who acts on a request through the admin API: the verified claims of their JWT. */
export type Approver = { readonly sub: string; readonly iss: string; readonly claims: Readonly<Record<string, unknown>> };

/** ApprovalPolicyInput is the `input` of the approval entrypoint (`portcullis/approval`). */
export type ApprovalPolicyInput = {
  readonly approver: Readonly<Record<string, unknown>>;
  /** action is what the approver asks for. */
  readonly action: 'approve' | 'deny';
  /** reason is the approver's free text ('' when none was given). */
  readonly reason: string;
  readonly request: Omit<ApprovalRequestView, 'events'>;
  /** approvals_so_far are the approvals already recorded on the request. */
  readonly approvals_so_far: readonly { readonly sub: string; readonly iss: string; readonly reason: string; readonly at: string }[];
};

/** ApprovalVerdict is the approval policy's answer: allowed (with the quorum the request needs), or refused with reasons. */
export type ApprovalVerdict =
  | { readonly kind: 'allow'; readonly quorum: number }
  | { readonly kind: 'deny'; readonly reasons: readonly { readonly reason: string; readonly rule: string }[] };

/** ApprovalErrorCode is a stable code of an admin-side failure. */
export type ApprovalErrorCode =
  | 'ERR_APPROVAL_NOT_FOUND'
  | 'ERR_APPROVAL_NOT_PENDING'
  | 'ERR_APPROVAL_FORBIDDEN'
  | 'ERR_APPROVAL_REASON_REQUIRED'
  | 'ERR_STATE_UNAVAILABLE';

/** ActResult is what approve/deny did: the request as it is now, or why nothing changed. */
export type ActResult =
  | { readonly ok: true; readonly request: ApprovalRequestView }
  | {
      readonly ok: false;
      readonly code: ApprovalErrorCode;
      readonly message: string;
      /** reasons are the approval policy's reasons when it refused (ERR_APPROVAL_FORBIDDEN). */
      readonly reasons?: readonly { readonly reason: string; readonly rule: string }[];
    };

/** ActionPermission is what the approval policy would answer one approver asking for one action now. */
export type ActionPermission = {
  readonly allowed: boolean;
  /** reasons say why not (the policy's reasons, or that the request is no longer pending); empty when allowed. */
  readonly reasons: readonly { readonly reason: string; readonly rule: string }[];
};

/** ApprovalPermissions are an approver's permissions on one request, per action. */
export type ApprovalPermissions = { readonly approve: ActionPermission; readonly deny: ActionPermission };

/** ListQuery filters a listing (newest first). */
export type ListQuery = { readonly status?: ApprovalStatus; readonly limit?: number };

/**
 * ApprovalService is what the admin API and the CLI act through. Every method may reject with a
 * StateError (proxy/state) when the store cannot be reached; callers answer 503
 * ERR_STATE_UNAVAILABLE.
 */
export type ApprovalService = {
  list(query: ListQuery): Promise<readonly ApprovalRequestView[]>;
  get(id: string): Promise<ApprovalRequestView | undefined>;
  /** approve records an approval when the approval policy allows it; the request is approved once the quorum is reached. */
  approve(id: string, approver: Approver, reason: string): Promise<ActResult>;
  /** deny resolves the request as denied when the approval policy allows the approver to act on it. */
  deny(id: string, approver: Approver, reason: string): Promise<ActResult>;
  /**
   * permissions asks the approval policy what it would answer this approver approving and denying
   * the request now (the checks of approve and deny, nothing written); undefined when there is no
   * such request. A request no longer pending allows neither.
   */
  permissions(id: string, approver: Approver): Promise<ApprovalPermissions | undefined>;
};

/** ApprovalNotification is what webhooks receive: one event of a request's life, with the request as it is then. */
export type ApprovalNotification = {
  /** id is unique per notification (receivers deduplicate retries with it). */
  readonly id: string;
  readonly type: `approval.${Exclude<ApprovalEventKind, 'granted_use'>}`;
  readonly at: string;
  readonly request: ApprovalRequestView;
};

/** Notifier delivers notifications; notify() returns at once and never throws (delivery is retried in the background). */
export type Notifier = {
  notify(event: ApprovalNotification): void;
  /** close stops retrying and waits for deliveries in flight (bounded). */
  close(): Promise<void>;
};
