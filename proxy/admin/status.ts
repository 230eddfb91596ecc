// The operator's routes: GET /readyz (each check; `?verbose` lists them all, as Kubernetes'
// /readyz?verbose), GET /metrics (Prometheus text exposition) and GET /v1/status (the status
// document in the shape of OPA's status API, read under the audit policy's `status.read`). The
// server registers /readyz and /metrics in its public scope or behind the bearer token, as
// `openRoutes` says; /v1/status is always behind it. The figures come from callbacks the
// composition root wires (proxy/metrics); nothing here knows prom-client.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditDecisionInput, AuditVerdict } from '../decision/index.js';
import { checkAudit } from './audit-guard.js';
import { emptyQuerySchema, errorResponses, readinessSchema } from './schemas.js';
import type { AdminLogEvent, AdminServerOptions, OpenRoute, ReadinessReport } from './types.js';

/** StatusRoutesOptions say which of the routes to register here and what they read. */
export type StatusRoutesOptions = {
  /** routes are the routes of this scope (the public one or the authenticated one). */
  readonly routes: ReadonlySet<OpenRoute | 'status'>;
  /** public marks the routes as needing no token in the OpenAPI document. */
  readonly public: boolean;
  readonly readiness: AdminServerOptions['readiness'];
  readonly metrics: AdminServerOptions['metrics'];
  readonly status: AdminServerOptions['status'];
  readonly audit: ((input: AuditDecisionInput) => AuditVerdict) | undefined;
  readonly log: (event: AdminLogEvent) => void;
};

const tags = ['probes'];
const readyzQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { verbose: { type: 'string', description: 'present (any value): list every check with its message' } },
} as const;

/** statusRoutes registers this scope's share of /readyz, /metrics and /v1/status. */
export async function statusRoutes(app: FastifyInstance, opts: StatusRoutesOptions): Promise<void> {
  const security = opts.public ? { security: [] } : {};
  const refusals = opts.public ? errorResponses(500) : errorResponses(401, 429, 500, 503);

  if (opts.routes.has('readyz')) {
    app.get<{ Querystring: { verbose?: string } }>(
      '/readyz',
      {
        schema: {
          ...security,
          tags,
          summary: 'Readiness: 200 when every check passes, else 503 naming the failed checks (`?verbose`: every check)',
          querystring: readyzQuery,
          // 503 is the readiness answer (an unavailable token check answers in the error shape, undocumented here)
          response: {
            ...refusals,
            200: { ...readinessSchema, description: 'ready' },
            503: { ...readinessSchema, description: 'not ready' },
          },
        },
      },
      async (request, reply) => {
        let report: ReadinessReport;
        try {
          report = await opts.readiness();
        } catch (e) {
          opts.log({ kind: 'admin.readiness-failed', error: e instanceof Error ? e.message : String(e) });
          report = { ready: false, checks: { readiness: { ok: false, message: 'the readiness probe failed' } } };
        }
        const failed = Object.entries(report.checks)
          .filter(([, c]) => !c.ok)
          .map(([name]) => name);
        return reply.code(report.ready ? 200 : 503).send({
          status: report.ready ? 'ready' : 'unready',
          ...(failed.length > 0 ? { failed } : {}),
          ...(request.query.verbose !== undefined ? { checks: report.checks } : {}),
        });
      },
    );
  }

  const metrics = opts.metrics;
  if (opts.routes.has('metrics') && metrics !== undefined) {
    app.get(
      '/metrics',
      {
        schema: {
          ...security,
          tags,
          summary: 'Prometheus metrics (text exposition format)',
          querystring: emptyQuerySchema,
          response: {
            200: { description: 'the metrics', content: { 'text/plain': { schema: { type: 'string' } } } },
            ...refusals,
          },
        },
      },
      async (_request, reply) => {
        const { contentType, body } = await metrics();
        return reply.type(contentType).send(body);
      },
    );
  }

  const status = opts.status;
  if (opts.routes.has('status') && status !== undefined) {
    app.get(
      '/v1/status',
      {
        schema: {
          tags,
          summary: "The gateway's status in the shape of OPA's status API, plus sessions, holds, the journal and decision-log drops",
          querystring: emptyQuerySchema,
          response: { 200: { ...statusSchema, description: 'the status' }, ...errorResponses(401, 403, 429, 500, 503) },
        },
      },
      async (request) => {
        guard(request, opts);
        return status();
      },
    );
  }
}

/** guard asks the audit policy whether the caller may `status.read`; a refusal (or no audit policy) is 403. */
function guard(request: FastifyRequest, opts: StatusRoutesOptions): void {
  checkAudit(request, opts.audit, opts.log, 'status.read', {}, 'read the status');
}

const time = { type: 'string', description: 'RFC 3339 time; 0001-01-01T00:00:00Z: never (as OPA)' } as const;
const count = { type: 'integer', minimum: 0 } as const;
const plugin = {
  type: 'object',
  additionalProperties: false,
  required: ['state'],
  properties: { state: { type: 'string', enum: ['OK', 'NOT_READY', 'ERROR', 'WARN'] }, message: { type: 'string' } },
} as const;

/** statusSchema is the status document (proxy/metrics StatusDocument). */
const statusSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['labels', 'bundles', 'plugins', 'portcullis'],
  properties: {
    labels: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'version'],
      properties: { id: { type: 'string' }, version: { type: 'string' } },
    },
    bundles: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'last_successful_activation', 'last_successful_download', 'last_successful_request', 'errors'],
        properties: {
          name: { type: 'string' },
          active_revision: { type: 'string' },
          last_successful_activation: time,
          last_successful_download: time,
          last_successful_request: time,
          code: { type: 'string' },
          message: { type: 'string' },
          errors: { type: 'array', items: { type: 'string' } },
        },
      },
    },
    plugins: { type: 'object', additionalProperties: plugin },
    portcullis: {
      type: 'object',
      additionalProperties: false,
      required: ['draining', 'policy', 'sessions', 'approvals', 'journal', 'decision_logs'],
      properties: {
        draining: { type: 'boolean' },
        policy: {
          type: 'object',
          additionalProperties: false,
          required: ['verified', 'stale', 'stale_seconds', 'reload_failures'],
          properties: {
            verified: { type: 'boolean' },
            stale: { type: 'boolean' },
            stale_seconds: { type: 'number' },
            reload_failures: count,
          },
        },
        sessions: {
          type: 'object',
          additionalProperties: false,
          required: ['active', 'connections'],
          properties: {
            active: count,
            connections: {
              type: 'object',
              additionalProperties: false,
              required: ['unauthenticated', 'authenticated'],
              properties: { unauthenticated: count, authenticated: count },
            },
          },
        },
        approvals: {
          type: ['object', 'null'],
          additionalProperties: false,
          required: ['pending'],
          properties: { pending: count },
        },
        journal: {
          type: ['object', 'null'],
          additionalProperties: false,
          required: ['records', 'bytes', 'fsyncs', 'failed', 'unshipped'],
          properties: {
            records: count,
            bytes: count,
            fsyncs: count,
            failed: { type: ['string', 'null'] },
            unshipped: { type: ['integer', 'null'] },
          },
        },
        decision_logs: {
          type: ['object', 'null'],
          additionalProperties: false,
          required: ['events', 'dropped'],
          properties: { events: count, dropped: count },
        },
      },
    },
  },
} as const;
