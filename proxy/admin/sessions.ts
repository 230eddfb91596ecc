// The recorded sessions routes (registered under /v1/sessions, behind authentication): list
// sessions, show one, and its statements as a timeline, read from the sessions views. Before any
// of them the audit policy is asked whether the verified caller may `sessions.read` (with the
// route's target: the filters or the session id); a refusal is 403 ERR_ADMIN_FORBIDDEN with the
// policy's reasons. Without views or an audit policy, or with a store that has no recording table
// yet, every route answers 503 ERR_RECORDINGS_UNAVAILABLE. Thrown errors (a StateError when the store is unreachable) reach the
// server's one error handler.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditDecisionInput, AuditVerdict } from '../decision/index.js';
import { decodeSessionCursor, decodeStatementCursor } from '../sessions/index.js';
import type { DecisionKind, SessionViews } from '../sessions/index.js';
import { checkAudit } from './audit-guard.js';
import { AdminHttpError, RECORDINGS_UNAVAILABLE_MESSAGE } from './errors.js';
import {
  emptyQuerySchema,
  errorResponses,
  sessionDetailSchema,
  sessionIdParamsSchema,
  sessionListQuerySchema,
  sessionPageSchema,
  statementPageSchema,
  statementQuerySchema,
} from './schemas.js';
import type { AdminLogEvent } from './types.js';

/** SessionsRoutesOptions are what the sessions routes read through and who guards them. */
export type SessionsRoutesOptions = {
  readonly sessions: SessionViews | undefined;
  readonly audit: ((input: AuditDecisionInput) => AuditVerdict) | undefined;
  readonly log: (event: AdminLogEvent) => void;
  /** now is the clock `since=24h` counts back from (tests freeze it). */
  readonly now?: () => number;
};

type IdParams = { id: string };
type ListQuery = {
  sub?: string;
  iss?: string;
  since?: string;
  decision?: DecisionKind;
  database?: string;
  limit?: number;
  cursor?: string;
};
type StatementsQuery = { decision?: DecisionKind; limit?: number; cursor?: string };

const tags = ['sessions'];

/** SINCE_DURATION is a relative `since`: a count of seconds, minutes, hours, days or weeks. */
const SINCE_DURATION = /^([0-9]{1,6})(s|m|h|d|w)$/;
const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;

/** parseSince reads `since`: an RFC 3339 time, or a duration (`24h`, `7d`) back from now; undefined when it is neither. */
export function parseSince(text: string, now: number): Date | undefined {
  const m = SINCE_DURATION.exec(text);
  if (m !== null) return new Date(now - Number(m[1]) * (UNIT_MS[m[2] ?? 's'] ?? 1000));
  if (!RFC3339.test(text)) return undefined;
  const t = Date.parse(text);
  return Number.isNaN(t) ? undefined : new Date(t);
}

/** UNDEFINED_TABLE is PostgreSQL's SQLSTATE for a missing relation: the store has no recording table yet. */
const UNDEFINED_TABLE = '42P01';

/** readRecords runs a views call; a store without the recording table answers 503 ERR_RECORDINGS_UNAVAILABLE. */
async function readRecords<T>(log: (event: AdminLogEvent) => void, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if ((e as { sqlstate?: unknown } | undefined)?.sqlstate !== UNDEFINED_TABLE) throw e;
    log({ kind: 'admin.recordings-missing', message: 'the state store has no recording table (portcullis.recording_records)' });
    throw new AdminHttpError('ERR_RECORDINGS_UNAVAILABLE', RECORDINGS_UNAVAILABLE_MESSAGE);
  }
}

/** limitFromDigits turns an all-digits `limit` into a number before validation (ajv does not coerce here). */
async function limitFromDigits(request: FastifyRequest): Promise<void> {
  const q = request.query as Record<string, unknown>;
  if (typeof q['limit'] === 'string' && /^[0-9]{1,6}$/.test(q['limit'])) q['limit'] = Number(q['limit']);
}

/** sessionsRoutes registers GET /, GET /:id and GET /:id/statements. */
export async function sessionsRoutes(app: FastifyInstance, opts: SessionsRoutesOptions): Promise<void> {
  const now = opts.now ?? Date.now;

  /** guard asks the audit policy for the caller and answers the views, or raises 503 / 403. */
  const guard = (request: FastifyRequest, target: Record<string, unknown>): SessionViews => {
    if (opts.sessions === undefined || opts.audit === undefined) {
      throw new AdminHttpError('ERR_RECORDINGS_UNAVAILABLE', RECORDINGS_UNAVAILABLE_MESSAGE);
    }
    checkAudit(request, opts.audit, opts.log, 'sessions.read', target, 'read recorded sessions');
    return opts.sessions;
  };

  app.get<{ Querystring: ListQuery }>(
    '/',
    {
      prefixTrailingSlash: 'no-slash',
      preValidation: limitFromDigits,
      schema: {
        summary: 'List recorded sessions, newest first',
        tags,
        querystring: sessionListQuerySchema,
        response: { 200: { ...sessionPageSchema, description: 'a page of sessions' }, ...errorResponses(400, 401, 403, 429, 500, 503) },
      },
    },
    async (request) => {
      const { sub, iss, since, decision, database, limit, cursor } = request.query;
      const sinceDate = since === undefined ? undefined : parseSince(since, now());
      if (since !== undefined && sinceDate === undefined) {
        throw new AdminHttpError('ERR_ADMIN_BAD_REQUEST', 'querystring.since must be an RFC 3339 time or a duration such as 24h or 7d');
      }
      if (cursor !== undefined && decodeSessionCursor(cursor) === undefined) {
        throw new AdminHttpError('ERR_ADMIN_BAD_REQUEST', 'querystring.cursor is not a cursor of this list');
      }
      const filters = {
        ...(sub !== undefined ? { sub } : {}),
        ...(iss !== undefined ? { iss } : {}),
        ...(sinceDate !== undefined ? { since: sinceDate } : {}),
        ...(decision !== undefined ? { decision } : {}),
        ...(database !== undefined ? { database } : {}),
      };
      const views = guard(request, { ...filters, ...(sinceDate !== undefined ? { since: sinceDate.toISOString() } : {}) });
      return readRecords(opts.log, () =>
        views.list({ ...filters, ...(limit !== undefined ? { limit } : {}), ...(cursor !== undefined ? { cursor } : {}) }),
      );
    },
  );

  app.get<{ Params: IdParams }>(
    '/:id',
    {
      schema: {
        summary: 'Show one recorded session: its start, end and counts',
        tags,
        params: sessionIdParamsSchema,
        querystring: emptyQuerySchema,
        response: { 200: { ...sessionDetailSchema, description: 'the session' }, ...errorResponses(400, 401, 403, 404, 429, 500, 503) },
      },
    },
    async (request) => {
      const views = guard(request, { session: request.params.id });
      const detail = await readRecords(opts.log, () => views.get(request.params.id));
      if (detail === undefined) throw new AdminHttpError('ERR_SESSION_NOT_FOUND', `no recorded session ${request.params.id}`);
      return detail;
    },
  );

  app.get<{ Params: IdParams; Querystring: StatementsQuery }>(
    '/:id/statements',
    {
      preValidation: limitFromDigits,
      schema: {
        summary: "A recorded session's statements in order, each with its decision and outcome",
        tags,
        params: sessionIdParamsSchema,
        querystring: statementQuerySchema,
        response: {
          200: { ...statementPageSchema, description: 'a page of the timeline' },
          ...errorResponses(400, 401, 403, 404, 429, 500, 503),
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { decision, limit, cursor } = request.query;
      if (cursor !== undefined && decodeStatementCursor(cursor) === undefined) {
        throw new AdminHttpError('ERR_ADMIN_BAD_REQUEST', 'querystring.cursor is not a cursor of this timeline');
      }
      const views = guard(request, { session: id });
      const page = await readRecords(opts.log, () =>
        views.statements(id, {
          ...(decision !== undefined ? { decision } : {}),
          ...(limit !== undefined ? { limit } : {}),
          ...(cursor !== undefined ? { cursor } : {}),
        }),
      );
      // an empty first page may be an unknown session: say so rather than answer nothing
      if (page.statements.length === 0 && cursor === undefined && (await readRecords(opts.log, () => views.get(id))) === undefined) {
        throw new AdminHttpError('ERR_SESSION_NOT_FOUND', `no recorded session ${id}`);
      }
      return page;
    },
  );
}
