// The approvals routes (registered under /v1/approvals, behind authentication): list, show,
// permissions, approve and deny, each calling the ApprovalService and translating its ActResult
// codes to HTTP statuses. Reading (list, show, permissions) is the audit policy's `approvals.read`
// (target: the list's filters, or the request's id and requester), asked before anything is
// answered: a refusal is 403 ERR_ADMIN_FORBIDDEN whether the id exists or not, so ids cannot be
// probed. Approving and denying are the approval policy's. The approver is always the verified
// token's subject, issuer and claims, never anything the body says. Thrown errors (a StateError
// when the store is unreachable) reach the server's one error handler.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ActResult, ApprovalRequestView, ApprovalService, ApprovalStatus, Approver } from '../approvals/index.js';
import type { AuditDecisionInput, AuditVerdict } from '../decision/index.js';
import { assertNever } from '../errors.js';
import { checkAudit } from './audit-guard.js';
import { principalOf } from './auth.js';
import { APPROVALS_UNAVAILABLE_MESSAGE, AdminHttpError, STATE_UNAVAILABLE_MESSAGE } from './errors.js';
import {
  actBodySchema,
  approvalViewSchema,
  emptyQuerySchema,
  errorResponses,
  idParamsSchema,
  listQuerySchema,
  permissionsSchema,
} from './schemas.js';
import type { AdminLogEvent } from './types.js';

/** ApprovalsRoutesOptions are what the approvals routes act through. */
export type ApprovalsRoutesOptions = {
  readonly service: ApprovalService | undefined;
  /** audit decides `approvals.read` (list, show, permissions); without it nobody may read approval requests. */
  readonly audit: ((input: AuditDecisionInput) => AuditVerdict) | undefined;
  readonly log: (event: AdminLogEvent) => void;
};

type IdParams = { id: string };
type ListQuery = { status?: ApprovalStatus; limit?: number };
type ActBody = { reason: string };

const tags = ['approvals'];
/** READING is what a caller refused `approvals.read` may not do (the 403's message). */
const READING = 'read approval requests';
const viewResponse = { 200: { ...approvalViewSchema, description: 'the request' } };

/** approvalsRoutes registers GET /, GET /:id, GET /:id/permissions, POST /:id/approve and POST /:id/deny. */
export async function approvalsRoutes(app: FastifyInstance, opts: ApprovalsRoutesOptions): Promise<void> {
  const service = (): ApprovalService => {
    if (opts.service === undefined) throw new AdminHttpError('ERR_APPROVALS_UNAVAILABLE', APPROVALS_UNAVAILABLE_MESSAGE);
    return opts.service;
  };
  /**
   * readable looks the request up, then asks the audit policy whether the caller may read it
   * (target: its id and requester; only the id when there is no such request), then answers it or
   * 404: a caller who may not read it is refused before learning whether it exists.
   */
  const readable = async (request: FastifyRequest, id: string): Promise<ApprovalRequestView> => {
    const view = await service().get(id);
    const target = view === undefined ? { id } : { id, requester: { sub: view.requester.sub, iss: view.requester.iss } };
    checkAudit(request, opts.audit, opts.log, 'approvals.read', target, READING);
    if (view === undefined) throw new AdminHttpError('ERR_APPROVAL_NOT_FOUND', `no approval request ${id}`);
    return view;
  };

  app.get<{ Querystring: ListQuery }>(
    '/',
    {
      prefixTrailingSlash: 'no-slash',
      // Query strings are text and ajv does not coerce here: the one numeric parameter is turned
      // into a number when it is all digits, so `limit=x` stays a string and fails validation.
      preValidation: async (request) => {
        const q = request.query as Record<string, unknown>;
        if (typeof q['limit'] === 'string' && /^[0-9]{1,6}$/.test(q['limit'])) q['limit'] = Number(q['limit']);
      },
      schema: {
        summary: 'List approval requests, newest first',
        tags,
        querystring: listQuerySchema,
        response: {
          200: {
            description: 'the requests',
            type: 'object',
            additionalProperties: false,
            required: ['approvals'],
            properties: { approvals: { type: 'array', items: approvalViewSchema } },
          },
          ...errorResponses(400, 401, 403, 429, 500, 503),
        },
      },
    },
    async (request) => {
      const { status, limit } = request.query;
      const filters = { ...(status !== undefined ? { status } : {}), ...(limit !== undefined ? { limit } : {}) };
      const svc = service();
      checkAudit(request, opts.audit, opts.log, 'approvals.read', filters, READING);
      const approvals = await svc.list(filters);
      return { approvals };
    },
  );

  app.get<{ Params: IdParams }>(
    '/:id',
    {
      schema: {
        summary: 'Show one approval request with its statements and history',
        tags,
        params: idParamsSchema,
        querystring: emptyQuerySchema,
        response: { ...viewResponse, ...errorResponses(400, 401, 403, 404, 429, 500, 503) },
      },
    },
    async (request) => readable(request, request.params.id),
  );

  // what the caller may do now, so the console shows why instead of buttons (nothing is written)
  app.get<{ Params: IdParams }>(
    '/:id/permissions',
    {
      schema: {
        summary: 'What the approval policy would answer the caller approving or denying the request now',
        tags,
        params: idParamsSchema,
        querystring: emptyQuerySchema,
        response: {
          200: { ...permissionsSchema, description: 'per action: allowed, or the reasons why not' },
          ...errorResponses(400, 401, 403, 404, 429, 500, 503),
        },
      },
    },
    async (request) => {
      await readable(request, request.params.id);
      const permissions = await service().permissions(request.params.id, approverOf(request));
      if (permissions === undefined) throw new AdminHttpError('ERR_APPROVAL_NOT_FOUND', `no approval request ${request.params.id}`);
      return permissions;
    },
  );

  for (const action of ['approve', 'deny'] as const) {
    app.post<{ Params: IdParams; Body: ActBody }>(
      `/:id/${action}`,
      {
        schema: {
          summary: action === 'approve' ? 'Approve a pending request (counts toward its quorum)' : 'Deny a pending request',
          tags,
          params: idParamsSchema,
          querystring: emptyQuerySchema,
          body: actBodySchema,
          response: { ...viewResponse, ...errorResponses(400, 401, 403, 404, 409, 413, 429, 500, 503) },
        },
      },
      async (request) => {
        const approver = approverOf(request);
        const { id } = request.params;
        const svc = service();
        const result =
          action === 'approve' ? await svc.approve(id, approver, request.body.reason) : await svc.deny(id, approver, request.body.reason);
        opts.log({
          kind: 'admin.approval-act',
          action,
          id,
          approver: { sub: approver.sub, iss: approver.iss },
          outcome: result.ok ? result.request.status : result.code,
        });
        return viewOrThrow(result, opts.log);
      },
    );
  }
}

/** approverOf builds the approver from the request's verified token. */
function approverOf(request: FastifyRequest): Approver {
  const principal = principalOf(request);
  // requireAuth ran before any handler of this plugin; reaching here without a principal is a bug.
  if (principal === undefined) throw new TypeError('approvals route reached without a verified principal');
  return { sub: principal.subject, iss: principal.issuer, claims: principal.claims };
}

/** viewOrThrow returns the request of a successful act, or raises the HTTP error of its code. */
function viewOrThrow(result: ActResult, log: (event: AdminLogEvent) => void): ApprovalRequestView {
  if (result.ok) return result.request;
  switch (result.code) {
    case 'ERR_STATE_UNAVAILABLE':
      log({ kind: 'admin.state-unavailable', message: result.message });
      throw new AdminHttpError('ERR_STATE_UNAVAILABLE', STATE_UNAVAILABLE_MESSAGE);
    case 'ERR_APPROVAL_FORBIDDEN':
      throw new AdminHttpError(result.code, result.message, { reasons: result.reasons ?? [] });
    case 'ERR_APPROVAL_NOT_FOUND':
    case 'ERR_APPROVAL_NOT_PENDING':
    case 'ERR_APPROVAL_REASON_REQUIRED':
      throw new AdminHttpError(result.code, result.message);
    default:
      return assertNever(result.code);
  }
}
