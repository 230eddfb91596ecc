// JSON schemas of the admin API's requests and answers. Fastify validates requests with them
// (ajv without coercion or stripping: an unknown field or a wrong type is a 400) and
// @fastify/swagger builds the OpenAPI document from the same objects, so the document cannot
// drift from what the server accepts. Every object schema is closed (additionalProperties: false)
// except verified claims and execution outcomes, whose members are free.

import { APPROVAL_MODES, APPROVAL_STATUSES } from '../approvals/index.js';
import { DECISION_KINDS, SESSIONS_LIMIT } from '../sessions/index.js';

/** APPROVAL_ID_PATTERN is what a request id looks like (base64url, at most 64 characters). */
export const APPROVAL_ID_PATTERN = '^[A-Za-z0-9_-]{1,64}$';

/** SESSION_ID_PATTERN is what a recorded session id looks like (a UUID, or any id of at most 128 safe characters). */
export const SESSION_ID_PATTERN = '^[A-Za-z0-9_.:-]{1,128}$';

/** CURSOR_PATTERN is what an opaque page cursor looks like (base64url). */
export const CURSOR_PATTERN = '^[A-Za-z0-9_-]{1,512}$';

/** LIST_LIMIT bounds `limit` of GET /v1/approvals (default 100). */
export const LIST_LIMIT = Object.freeze({ min: 1, max: 500, default: 100 });

/** REASON_MAX_LENGTH bounds an approver's reason. */
export const REASON_MAX_LENGTH = 2000;

const nullableString = { type: ['string', 'null'] } as const;
const time = { type: 'string', description: 'RFC 3339 time' } as const;
const freeObject = { type: 'object', additionalProperties: true } as const;
const reasonEntry = {
  type: 'object',
  additionalProperties: false,
  required: ['reason', 'rule'],
  properties: { reason: { type: 'string' }, rule: { type: 'string' } },
} as const;

const identity = {
  type: 'object',
  additionalProperties: false,
  required: ['sub', 'iss', 'claims'],
  properties: { sub: { type: 'string' }, iss: { type: 'string' }, claims: freeObject },
} as const;

const statement = {
  type: 'object',
  additionalProperties: false,
  required: ['text', 'params', 'fingerprint', 'kind', 'tables'],
  properties: {
    text: { type: 'string' },
    params: { type: ['array', 'null'], items: nullableString },
    fingerprint: { type: 'string' },
    kind: { type: 'string' },
    tables: {
      type: 'object',
      additionalProperties: false,
      required: ['read', 'written'],
      properties: { read: { type: 'array', items: { type: 'string' } }, written: { type: 'array', items: { type: 'string' } } },
    },
  },
} as const;

const event = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'actor', 'reason', 'at'],
  properties: {
    kind: { type: 'string', enum: ['requested', 'approved', 'denied', 'expired', 'withdrawn', 'executed', 'granted_use'] },
    actor: nullableString,
    reason: nullableString,
    at: time,
    outcome: { type: ['object', 'null'], additionalProperties: true },
  },
} as const;

/** approvalViewSchema is ApprovalRequestView as JSON schema. */
export const approvalViewSchema = {
  type: 'object',
  additionalProperties: false,
  required: [
    'id',
    'status',
    'mode',
    'requester',
    'session',
    'database',
    'statements',
    'reasons',
    'min_approvals',
    'policy_revision',
    'created_at',
    'expires_at',
    'resolved_at',
    'executed_at',
    'events',
  ],
  properties: {
    id: { type: 'string' },
    status: { type: 'string', enum: [...APPROVAL_STATUSES] },
    mode: { type: 'string', enum: [...APPROVAL_MODES] },
    requester: identity,
    session: { type: 'string' },
    database: { type: 'string' },
    statements: { type: 'array', items: statement },
    reasons: { type: 'array', items: reasonEntry },
    min_approvals: { type: 'integer' },
    policy_revision: { type: 'string' },
    created_at: time,
    expires_at: time,
    resolved_at: { type: ['string', 'null'], description: 'RFC 3339 time' },
    executed_at: { type: ['string', 'null'], description: 'RFC 3339 time' },
    events: { type: 'array', items: event },
  },
} as const;

const permission = {
  type: 'object',
  additionalProperties: false,
  required: ['allowed', 'reasons'],
  properties: { allowed: { type: 'boolean' }, reasons: { type: 'array', items: reasonEntry } },
} as const;

/** permissionsSchema is ApprovalPermissions: what the approval policy would answer the caller approving and denying now. */
export const permissionsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['approve', 'deny'],
  properties: { approve: permission, deny: permission },
} as const;

/** whoamiSchema is GET /v1/whoami: the caller's verified token. */
export const whoamiSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['sub', 'iss', 'claims', 'expires_at'],
  properties: {
    sub: { type: 'string' },
    iss: { type: 'string' },
    claims: freeObject,
    expires_at: { type: ['string', 'null'], description: 'RFC 3339 time: when the token expires' },
  },
} as const;

/** errorSchema is the body of every error answer. */
export const errorSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      additionalProperties: false,
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, reasons: { type: 'array', items: reasonEntry } },
    },
  },
} as const;

/** errorResponses lists the error answers of a route for the OpenAPI document. */
export function errorResponses(...statuses: readonly number[]): Record<number, typeof errorSchema & { description: string }> {
  const out: Record<number, typeof errorSchema & { description: string }> = {};
  for (const s of statuses) out[s] = { ...errorSchema, description: ERROR_DESCRIPTIONS[s] ?? 'error' };
  return out;
}

const ERROR_DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'bad request (ERR_ADMIN_BAD_REQUEST, ERR_APPROVAL_REASON_REQUIRED)',
  401: 'no valid bearer token (ERR_ADMIN_UNAUTHENTICATED)',
  403: 'the approval or audit policy refused (ERR_APPROVAL_FORBIDDEN, ERR_ADMIN_FORBIDDEN, with reasons)',
  404: 'no such request or session (ERR_APPROVAL_NOT_FOUND, ERR_SESSION_NOT_FOUND)',
  409: 'the request is no longer pending (ERR_APPROVAL_NOT_PENDING)',
  413: 'body over 64 KiB (ERR_ADMIN_PAYLOAD_TOO_LARGE)',
  422: 'the new policy could not be activated; the active one goes on deciding (ERR_POLICY_RELOAD_FAILED, with reasons)',
  429: 'too many requests (ERR_ADMIN_RATE_LIMITED)',
  500: 'internal error (ERR_ADMIN_INTERNAL)',
  503: 'approvals, recordings or the state store unavailable (ERR_APPROVALS_UNAVAILABLE, ERR_RECORDINGS_UNAVAILABLE, ERR_STATE_UNAVAILABLE, ERR_ADMIN_AUTH_UNAVAILABLE, ERR_ADMIN_SHUTTING_DOWN)',
};

/** idParamsSchema is the `:id` path parameter. */
export const idParamsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: { type: 'string', pattern: APPROVAL_ID_PATTERN } },
} as const;

/** listQuerySchema is GET /v1/approvals's query string (limit is converted from its digits before validation). */
export const listQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: [...APPROVAL_STATUSES] },
    limit: { type: 'integer', minimum: LIST_LIMIT.min, maximum: LIST_LIMIT.max, default: LIST_LIMIT.default },
  },
} as const;

/** actBodySchema is the body of approve and deny. */
export const actBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['reason'],
  properties: { reason: { type: 'string', minLength: 1, maxLength: REASON_MAX_LENGTH } },
} as const;

/** emptyQuerySchema closes the query string of routes that take none. */
export const emptyQuerySchema = { type: 'object', additionalProperties: false, properties: {} } as const;

/** readinessSchema is the readiness answer: the status, the failed checks' names, and (with `?verbose`) every check. */
export const readinessSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['status'],
  properties: {
    status: { type: 'string', enum: ['ready', 'unready'] },
    failed: { type: 'array', items: { type: 'string' } },
    checks: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['ok'],
        properties: { ok: { type: 'boolean' }, message: { type: 'string' } },
      },
    },
  },
} as const;

const strings = { type: 'array', items: { type: 'string' } } as const;
const count = { type: 'integer', minimum: 0 } as const;
const decisionKind = { type: 'string', enum: [...DECISION_KINDS] } as const;
const sessionLimit = {
  type: 'integer',
  minimum: SESSIONS_LIMIT.min,
  maximum: SESSIONS_LIMIT.max,
  default: SESSIONS_LIMIT.default,
} as const;
const cursor = { type: 'string', pattern: CURSOR_PATTERN } as const;
const filterText = { type: 'string', minLength: 1, maxLength: 512 } as const;

/** sessionIdParamsSchema is the `:id` path parameter of the sessions routes. */
export const sessionIdParamsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: { type: 'string', pattern: SESSION_ID_PATTERN } },
} as const;

/** sessionListQuerySchema is GET /v1/sessions's query string (`since` is an RFC 3339 time or a duration such as 24h). */
export const sessionListQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    sub: filterText,
    iss: filterText,
    since: { type: 'string', minLength: 2, maxLength: 64, description: 'RFC 3339 time, or a duration back from now: 30m, 24h, 7d, 2w' },
    decision: decisionKind,
    database: filterText,
    limit: sessionLimit,
    cursor,
  },
} as const;

/** statementQuerySchema is GET /v1/sessions/{id}/statements's query string. */
export const statementQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { decision: decisionKind, limit: sessionLimit, cursor },
} as const;

const sessionSummary = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'identity', 'database', 'started_at', 'ended_at', 'end_reason', 'statements', 'denied', 'held', 'gateway'],
  properties: {
    id: { type: 'string' },
    identity: {
      type: 'object',
      additionalProperties: false,
      required: ['sub', 'iss'],
      properties: { sub: { type: 'string' }, iss: { type: 'string' } },
    },
    database: { type: 'string' },
    started_at: time,
    ended_at: { type: ['string', 'null'], description: 'RFC 3339 time' },
    end_reason: nullableString,
    statements: count,
    denied: count,
    held: count,
    gateway: { type: 'string' },
  },
} as const;

/** sessionPageSchema is GET /v1/sessions's answer. */
export const sessionPageSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['sessions'],
  properties: { sessions: { type: 'array', items: sessionSummary }, next_cursor: { type: 'string' } },
} as const;

/** sessionDetailSchema is GET /v1/sessions/{id}'s answer (SessionDetail). */
export const sessionDetailSchema = {
  type: 'object',
  additionalProperties: false,
  required: [
    'id',
    'identity',
    'connection',
    'role',
    'gateway',
    'policy_revision',
    'started_at',
    'ended_at',
    'end_reason',
    'duration_ms',
    'counts',
  ],
  properties: {
    id: { type: 'string' },
    identity,
    connection: {
      type: 'object',
      additionalProperties: false,
      required: ['database', 'user', 'application_name', 'client_address', 'tls'],
      properties: {
        database: { type: 'string' },
        user: { type: 'string' },
        application_name: { type: 'string' },
        client_address: { type: 'string' },
        tls: { type: 'boolean' },
      },
    },
    role: nullableString,
    gateway: { type: 'string' },
    policy_revision: { type: 'string' },
    started_at: time,
    ended_at: { type: ['string', 'null'], description: 'RFC 3339 time' },
    end_reason: nullableString,
    duration_ms: { type: ['integer', 'null'] },
    counts: {
      type: 'object',
      additionalProperties: false,
      required: ['statements', 'allow', 'deny', 'hold', 'refuse', 'rows'],
      properties: { statements: count, allow: count, deny: count, hold: count, refuse: count, rows: count },
    },
  },
} as const;

const timelineEntry = {
  type: 'object',
  additionalProperties: false,
  required: ['statement', 'at', 'text', 'params', 'kind', 'decision', 'approval', 'outcome'],
  properties: {
    statement: { type: 'integer' },
    at: time,
    text: { type: 'string' },
    params: { type: ['array', 'null'], items: nullableString },
    kind: { type: 'string' },
    decision: {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'rules', 'reasons', 'masks'],
      properties: { kind: decisionKind, rules: strings, reasons: strings, masks: strings },
    },
    approval: {
      type: ['object', 'null'],
      additionalProperties: false,
      required: ['id', 'outcome', 'code', 'reason'],
      properties: {
        id: nullableString,
        outcome: { type: 'string', enum: ['approved', 'refused'] },
        code: nullableString,
        reason: nullableString,
      },
    },
    outcome: {
      type: ['object', 'null'],
      additionalProperties: false,
      required: ['tag', 'sqlstate', 'message', 'rows', 'columns', 'digest', 'duration_ms'],
      properties: {
        tag: nullableString,
        sqlstate: nullableString,
        message: nullableString,
        rows: count,
        columns: strings,
        digest: nullableString,
        duration_ms: { type: 'number' },
        result_rows: { type: 'array', items: { type: 'array', items: nullableString } },
        result_truncated: { type: 'boolean' },
      },
    },
  },
} as const;

/** statementPageSchema is GET /v1/sessions/{id}/statements's answer. */
export const statementPageSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['statements'],
  properties: { statements: { type: 'array', items: timelineEntry }, next_cursor: { type: 'string' } },
} as const;
