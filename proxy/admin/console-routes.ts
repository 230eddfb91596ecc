// The admin API's routes for the web console (registered under /v1, behind authentication): who
// the caller is (GET /v1/whoami, how the console checks a pasted token) and the live events of
// GET /v1/events (see events-route.ts). They need a valid token only: nothing here reads statement
// text or acts on anything.

import type { FastifyInstance } from 'fastify';
import { principalOf } from './auth.js';
import { emptyQuerySchema, errorResponses, whoamiSchema } from './schemas.js';

const tags = ['console'];

/** consoleRoutes registers GET /whoami. */
export async function consoleRoutes(app: FastifyInstance): Promise<void> {
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
      const principal = principalOf(request);
      // requireAuth ran before any handler of this scope; reaching here without a principal is a bug.
      if (principal === undefined) throw new TypeError('whoami reached without a verified principal');
      const expires = principal.expiresAt;
      return {
        sub: principal.subject,
        iss: principal.issuer,
        claims: principal.claims,
        expires_at: expires instanceof Date && !Number.isNaN(expires.getTime()) ? expires.toISOString() : null,
      };
    },
  );
}
