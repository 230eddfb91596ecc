// Live control routes (behind authentication): end one live session wherever it runs
// (POST /v1/sessions/{id}/terminate), block an identity on every gateway (POST
// /v1/identities/block: its live sessions end, its logins are refused until `until` or an unblock)
// and unblock it (POST /v1/identities/unblock), list the blocks (GET /v1/identities/blocks). The
// audit policy decides each action for the caller (`sessions.terminate`, `identities.block`); a
// refusal is 403 ERR_ADMIN_FORBIDDEN with its reasons. Every action is an audit event in the state
// store (proxy/control). Without live control (no state store) they answer 503.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditDecisionInput, AuditVerdict } from '../decision/index.js';
import { checkAudit } from './audit-guard.js';
import { AdminHttpError } from './errors.js';
import { errorResponses, sessionIdParamsSchema } from './schemas.js';
import type { AdminLogEvent } from './types.js';

/** LiveControlPort is what the routes act through (proxy/control's LiveControl). */
export type LiveControlPort = {
  terminate(session: string, by: { readonly iss: string; readonly sub: string }, reason: string): Promise<void>;
  block(
    target: { readonly iss: string; readonly sub: string; readonly until?: string },
    by: { readonly iss: string; readonly sub: string },
    reason: string,
  ): Promise<{ readonly iss: string; readonly sub: string; readonly reason: string; readonly by: string; readonly until: string | null }>;
  unblock(
    target: { readonly iss: string; readonly sub: string },
    by: { readonly iss: string; readonly sub: string },
    reason: string,
  ): Promise<boolean>;
  blocks(): Promise<
    readonly { readonly iss: string; readonly sub: string; readonly reason: string; readonly by: string; readonly until: string | null }[]
  >;
};

/** ControlRoutesOptions are what the live control routes act through and who guards them. */
export type ControlRoutesOptions = {
  readonly control: LiveControlPort | undefined;
  readonly audit: ((input: AuditDecisionInput) => AuditVerdict) | undefined;
  readonly log: (event: AdminLogEvent) => void;
};

const reasonSchema = { type: 'string', minLength: 1, maxLength: 2000 } as const;
const blockSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['iss', 'sub', 'reason'],
  properties: {
    iss: { type: 'string', minLength: 1, maxLength: 2000 },
    sub: { type: 'string', minLength: 1, maxLength: 2000 },
    reason: reasonSchema,
    until: { type: 'string', format: 'date-time' },
  },
} as const;
const unblockSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['iss', 'sub', 'reason'],
  properties: { iss: blockSchema.properties.iss, sub: blockSchema.properties.sub, reason: reasonSchema },
} as const;
const terminateSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['reason'],
  properties: { reason: reasonSchema },
} as const;
const blockView = {
  type: 'object',
  additionalProperties: false,
  required: ['iss', 'sub', 'reason', 'by', 'until'],
  properties: {
    iss: { type: 'string' },
    sub: { type: 'string' },
    reason: { type: 'string' },
    by: { type: 'string' },
    until: { type: ['string', 'null'] },
  },
} as const;
const tags = ['live control'];

/** controlRoutes registers the live control routes (prefix: /v1). */
export async function controlRoutes(app: FastifyInstance, opts: ControlRoutesOptions): Promise<void> {
  /** guard asks the audit policy for the caller's action; answers the control and the caller, or raises 503 / 403. */
  const guard = (request: FastifyRequest, action: 'sessions.terminate' | 'identities.block', target: Record<string, unknown>) => {
    if (opts.control === undefined || opts.audit === undefined) {
      throw new AdminHttpError('ERR_RECORDINGS_UNAVAILABLE', 'live control needs the state store (config `state`)');
    }
    const principal = checkAudit(
      request,
      opts.audit,
      opts.log,
      action,
      target,
      action === 'sessions.terminate' ? 'end sessions' : 'block identities',
    );
    return { control: opts.control, by: { iss: principal.issuer, sub: principal.subject } };
  };

  app.post<{ Params: { id: string }; Body: { reason: string } }>(
    '/sessions/:id/terminate',
    {
      schema: {
        summary: 'End a live session wherever it runs (FATAL to its client, naming you and the reason)',
        tags,
        params: sessionIdParamsSchema,
        body: terminateSchema,
        response: {
          202: {
            type: 'object',
            additionalProperties: false,
            required: ['status'],
            properties: { status: { type: 'string', enum: ['terminating'] } },
          },
          ...errorResponses(400, 401, 403, 429, 500, 503),
        },
      },
    },
    async (request, reply) => {
      const { control, by } = guard(request, 'sessions.terminate', { session: request.params.id });
      await control.terminate(request.params.id, by, request.body.reason);
      opts.log({ kind: 'admin.session-terminated', session: request.params.id, by });
      return reply.code(202).send({ status: 'terminating' });
    },
  );

  app.post<{ Body: { iss: string; sub: string; reason: string; until?: string } }>(
    '/identities/block',
    {
      schema: {
        summary: 'Block an identity: its live sessions end and its logins are refused on every gateway, until `until` or unblocked',
        tags,
        body: blockSchema,
        response: { 200: blockView, ...errorResponses(400, 401, 403, 429, 500, 503) },
      },
    },
    async (request) => {
      const { iss, sub, reason, until } = request.body;
      const { control, by } = guard(request, 'identities.block', { iss, sub, ...(until !== undefined ? { until } : {}) });
      const block = await control.block({ iss, sub, ...(until !== undefined ? { until } : {}) }, by, reason);
      opts.log({ kind: 'admin.identity-blocked', target: { iss, sub }, by });
      return block;
    },
  );

  app.post<{ Body: { iss: string; sub: string; reason: string } }>(
    '/identities/unblock',
    {
      schema: {
        summary: 'Unblock an identity',
        tags,
        body: unblockSchema,
        response: {
          200: { type: 'object', additionalProperties: false, required: ['unblocked'], properties: { unblocked: { type: 'boolean' } } },
          ...errorResponses(400, 401, 403, 429, 500, 503),
        },
      },
    },
    async (request) => {
      const { iss, sub, reason } = request.body;
      const { control, by } = guard(request, 'identities.block', { iss, sub, unblock: true });
      return { unblocked: await control.unblock({ iss, sub }, by, reason) };
    },
  );

  app.get(
    '/identities/blocks',
    {
      schema: {
        summary: 'The identities blocked now',
        tags,
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['blocks'],
            properties: { blocks: { type: 'array', items: blockView } },
          },
          ...errorResponses(401, 403, 429, 500, 503),
        },
      },
    },
    async (request) => {
      const { control } = guard(request, 'identities.block', { list: true });
      return { blocks: await control.blocks() };
    },
  );
}
