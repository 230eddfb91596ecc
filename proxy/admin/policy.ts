// Policy routes (behind authentication): what policy decides right now (GET /v1/policy) and a
// reload of its source (POST /v1/policy/reload: the same hot reload as SIGHUP: the new policy is
// loaded beside the active one and swapped in between statements; one that fails to load leaves
// the active one deciding and answers 422 ERR_POLICY_RELOAD_FAILED with the reasons). The audit
// policy decides each for the caller (`policy.read`, `policy.reload`).

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditDecisionInput, AuditVerdict } from '../decision/index.js';
import type { ReloadImpact } from '../impact/index.js';
import type { PolicyStatus, ReloadOutcome } from '../policy/index.js';
import { checkAudit } from './audit-guard.js';
import { principalOf } from './auth.js';
import { AdminHttpError } from './errors.js';
import { emptyQuerySchema, errorResponses } from './schemas.js';
import type { AdminLogEvent } from './types.js';

/** PolicyPort is the active policy as the routes see it (proxy/policy's ActivePolicy). */
export type PolicyPort = {
  reload(trigger: 'api'): Promise<ReloadOutcome>;
  status(): PolicyStatus;
  /** impact is the last reload's effect on the newest recorded statements (absent: the gateway does not compare). */
  impact?(): ReloadImpact | undefined;
};

/** PolicyRoutesOptions are the active policy and who guards it. */
export type PolicyRoutesOptions = {
  readonly policy: PolicyPort | undefined;
  readonly audit: ((input: AuditDecisionInput) => AuditVerdict) | undefined;
  readonly log: (event: AdminLogEvent) => void;
};

const tags = ['policy'];
const decisionView = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'rules', 'masks'],
  properties: {
    kind: { type: 'string' },
    rules: { type: 'array', items: { type: 'string' } },
    masks: { type: 'array', items: { type: 'string' } },
  },
} as const;
const impactView = {
  type: 'object',
  additionalProperties: false,
  required: ['revision', 'previous', 'at', 'state'],
  properties: {
    revision: { type: 'string' },
    previous: { type: 'string' },
    at: { type: 'string', format: 'date-time' },
    state: { type: 'string', enum: ['running', 'done', 'failed'] },
    message: { type: 'string' },
    examined: { type: 'integer' },
    compared: { type: 'integer' },
    changed: { type: 'integer' },
    groups: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['from', 'to', 'rule', 'count', 'examples'],
        properties: {
          from: { type: 'string' },
          to: { type: 'string' },
          rule: { type: 'string' },
          count: { type: 'integer' },
          examples: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['session', 'statement', 'at', 'text', 'recorded', 'candidate'],
              properties: {
                session: { type: 'string' },
                statement: { type: 'integer' },
                at: { type: 'string' },
                text: { type: 'string' },
                recorded: decisionView,
                candidate: decisionView,
              },
            },
          },
        },
      },
    },
  },
} as const;
const statusView = {
  type: 'object',
  additionalProperties: false,
  required: [
    'revision',
    'origin',
    'activated_at',
    'last_reload_at',
    'last_error',
    'reloads',
    'reload_failures',
    'decision_memo',
    'last_reload_impact',
  ],
  properties: {
    revision: { type: 'string' },
    origin: { type: 'string' },
    activated_at: { type: 'string', format: 'date-time' },
    last_reload_at: { type: ['string', 'null'], format: 'date-time' },
    last_error: { type: ['array', 'null'], items: { type: 'string' } },
    reloads: { type: 'integer' },
    reload_failures: { type: 'integer' },
    decision_memo: {
      type: 'object',
      additionalProperties: false,
      required: ['enabled', 'paths', 'hits', 'misses'],
      properties: {
        enabled: { type: 'boolean' },
        reason: { type: 'string' },
        paths: { type: 'array', items: { type: 'string' } },
        hits: { type: 'integer' },
        misses: { type: 'integer' },
      },
    },
    last_reload_impact: {
      description:
        'after the last reload that activated a policy: the newest recorded statements re-decided with it and compared with their recorded decisions (null: no reload yet, or the gateway keeps no recording in a state store)',
      anyOf: [{ type: 'null' }, impactView],
    },
  },
} as const;
const reloadView = {
  type: 'object',
  additionalProperties: false,
  required: ['outcome', 'revision'],
  properties: {
    outcome: { type: 'string', enum: ['activated', 'unchanged'] },
    revision: { type: 'string' },
    previous: { type: 'string' },
    ms: { type: 'integer' },
  },
} as const;

/** policyRoutes registers the policy routes (prefix: /v1/policy). */
export async function policyRoutes(app: FastifyInstance, opts: PolicyRoutesOptions): Promise<void> {
  const guard = (request: FastifyRequest, action: 'policy.read' | 'policy.reload'): PolicyPort => {
    if (opts.policy === undefined) throw new AdminHttpError('ERR_ADMIN_NOT_FOUND', 'this gateway does not serve policy routes');
    const principal = checkAudit(
      request,
      opts.audit,
      opts.log,
      action,
      {},
      action === 'policy.read' ? 'read the policy status' : 'reload the policy',
    );
    opts.log({
      kind: action === 'policy.reload' ? 'admin.policy-reload' : 'admin.policy-read',
      caller: { sub: principal.subject, iss: principal.issuer },
    });
    return opts.policy;
  };

  app.get(
    '',
    {
      schema: {
        summary: 'The policy deciding right now: revision, origin, when it was activated, the last reload error',
        tags,
        querystring: emptyQuerySchema,
        response: { 200: statusView, ...errorResponses(401, 403, 404, 429, 500) },
      },
    },
    async (request) => {
      const port = guard(request, 'policy.read');
      const s = port.status();
      return {
        revision: s.revision,
        origin: s.origin,
        activated_at: s.activatedAt.toISOString(),
        last_reload_at: s.lastReloadAt?.toISOString() ?? null,
        last_error: s.lastError === undefined ? null : [...s.lastError],
        reloads: s.reloads,
        reload_failures: s.reloadFailures,
        decision_memo: {
          enabled: s.memo.on,
          ...(s.memo.reason !== undefined ? { reason: s.memo.reason } : {}),
          paths: [...s.memo.paths],
          hits: s.memo.hits,
          misses: s.memo.misses,
        },
        // the examples are recorded statements: shown only to callers who may read recorded sessions
        last_reload_impact: impactJson(port.impact?.(), mayReadSessions(request, opts.audit)),
      };
    },
  );

  app.post(
    '/reload',
    {
      schema: {
        summary: 'Load the policy source again and activate it between statements (as SIGHUP); a failure keeps the active policy',
        tags,
        querystring: emptyQuerySchema,
        response: { 200: reloadView, ...errorResponses(401, 403, 404, 422, 429, 500) },
      },
    },
    async (request) => {
      const outcome = await guard(request, 'policy.reload').reload('api');
      if (outcome.kind === 'failed') {
        throw new AdminHttpError('ERR_POLICY_RELOAD_FAILED', `the policy could not be reloaded; ${outcome.revision} goes on deciding`, {
          reasons: outcome.reasons.map((reason) => ({ reason, rule: 'policy.reload' })),
        });
      }
      return outcome.kind === 'activated'
        ? { outcome: 'activated', revision: outcome.revision, previous: outcome.previous, ms: outcome.ms }
        : { outcome: 'unchanged', revision: outcome.revision };
    },
  );
}

/** mayReadSessions asks the audit policy, without refusing, whether the caller may read recorded sessions. */
function mayReadSessions(request: FastifyRequest, audit: PolicyRoutesOptions['audit']): boolean {
  const principal = principalOf(request);
  return principal !== undefined && audit?.({ caller: principal.claims, action: 'sessions.read', target: {} }).kind === 'allow';
}

/**
 * impactJson is a reload's impact as GET /v1/policy shows it (the report's counts and groups
 * beside its state); without `examples` each group's examples are left out (empty).
 */
function impactJson(impact: ReloadImpact | undefined, examples: boolean): Record<string, unknown> | null {
  if (impact === undefined) return null;
  const r = impact.report;
  const groups = r === undefined ? undefined : examples ? r.groups : r.groups.map((g) => ({ ...g, examples: [] }));
  return {
    revision: impact.revision,
    previous: impact.previous,
    at: impact.at.toISOString(),
    state: impact.state,
    ...(impact.message !== undefined ? { message: impact.message } : {}),
    ...(r !== undefined ? { examined: r.examined, compared: r.compared, changed: r.changed, groups } : {}),
  };
}
