// The admin API's routes for the web console (registered under /v1, behind authentication): who
// the caller is (GET /v1/whoami, how the console checks a pasted token) and the live events (GET
// /v1/events, server-sent events from proxy/console's hub). They need a valid token only: the
// overview carries counts; `approval` events (request ids and statuses, never statement text) go
// only to a caller the audit policy lets read approval requests (`approvals.read` for the list,
// asked once as the stream opens). Opening a stream counts
// once against the caller's rate limit (it is one request); the number of open streams is bounded
// per gateway.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Principal } from '../auth/index.js';
import type { EventHub } from '../console/index.js';
import type { AuditDecisionInput, AuditVerdict } from '../decision/index.js';
import { principalOf } from './auth.js';
import { AdminHttpError } from './errors.js';
import { emptyQuerySchema, errorResponses, whoamiSchema } from './schemas.js';

/** ConsoleRoutesOptions are what the console's routes read: the hub, and the audit policy that says who receives approval events. */
export type ConsoleRoutesOptions = {
  readonly hub: EventHub;
  readonly audit: ((input: AuditDecisionInput) => AuditVerdict) | undefined;
};

const tags = ['console'];

/** consoleRoutes registers GET /whoami and GET /events. */
export async function consoleRoutes(app: FastifyInstance, opts: ConsoleRoutesOptions): Promise<void> {
  app.get(
    '/whoami',
    {
      schema: {
        summary: "The caller's verified token: subject, issuer, claims and expiry",
        tags,
        querystring: emptyQuerySchema,
        response: { 200: { ...whoamiSchema, description: 'the verified token' }, ...errorResponses(401, 429, 503) },
      },
    },
    async (request) => {
      const principal = verified(request);
      return {
        sub: principal.subject,
        iss: principal.issuer,
        claims: principal.claims,
        expires_at: validDate(principal.expiresAt)?.toISOString() ?? null,
      };
    },
  );

  app.get(
    '/events',
    {
      schema: {
        summary:
          'Live events (text/event-stream): `overview` each second, `: ping` each 15 s, and `approval` on every change of a request to callers who may read approval requests',
        tags,
        querystring: emptyQuerySchema,
        response: {
          200: { description: 'a text/event-stream; the first event, at once, is an `overview`', type: 'string' },
          ...errorResponses(401, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const principal = verified(request);
      const slot = opts.hub.reserve(JSON.stringify([principal.issuer, principal.subject]));
      if (typeof slot === 'string') {
        const message =
          slot === 'caller'
            ? 'you have too many open event streams; close one (another tab) and retry'
            : 'too many open event streams on this gateway; retry later';
        throw new AdminHttpError('ERR_ADMIN_RATE_LIMITED', message, { headers: { 'retry-after': '5' } });
      }
      // from here the stream writes the response itself; the rate limiter's headers go with it
      reply.hijack();
      const headers: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(reply.getHeaders())) if (v !== undefined) headers[k] = typeof v === 'number' ? String(v) : v;
      const until = validDate(principal.expiresAt);
      try {
        // as GET /v1/approvals asks it (no filters); without an audit policy nobody may
        const approvals = opts.audit?.({ caller: principal.claims, action: 'approvals.read', target: {} }).kind === 'allow';
        await slot.attach(reply.raw, { headers, approvals, ...(until !== undefined ? { until } : {}) });
      } catch {
        slot.release();
        reply.raw.destroy();
      }
    },
  );
}

/** verified is the request's principal (requireAuth ran before any handler of this scope; its absence is a bug). */
function verified(request: FastifyRequest): Principal {
  const principal = principalOf(request);
  if (principal === undefined) throw new TypeError('console route reached without a verified principal');
  return principal;
}

/** validDate is a date that is one (an expiry the verifier could not read is treated as none). */
function validDate(d: Date | undefined): Date | undefined {
  return d instanceof Date && !Number.isNaN(d.getTime()) ? d : undefined;
}
