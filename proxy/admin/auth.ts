// Bearer authentication of the admin API: the `Authorization: Bearer <jwt>` header goes to the
// token verifier, and the request carries the verified Principal or the reason it has none. The
// rate limiter runs between the two hooks (it keys by the principal, else by the client IP), then
// requireAuth answers 401 with a short public reason: never the verifier's own message.

import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal, TokenVerifier } from '../auth/index.js';
import { AdminHttpError } from './errors.js';
import type { AdminLogEvent } from './types.js';

/** AuthOutcome is what authentication made of a request: a principal, or a public reason and the code to answer with. */
export type AuthOutcome =
  | { readonly kind: 'principal'; readonly principal: Principal }
  | {
      readonly kind: 'refused';
      readonly code: 'ERR_ADMIN_UNAUTHENTICATED' | 'ERR_ADMIN_AUTH_UNAVAILABLE';
      readonly reason: string;
      /** challenge is the WWW-Authenticate value of the 401. */
      readonly challenge: string;
    };

const outcomes = new WeakMap<FastifyRequest, AuthOutcome>();

/** WWW_AUTHENTICATE is the challenge of 401 answers (RFC 6750). */
export const WWW_AUTHENTICATE = 'Bearer realm="portcullis-admin"';

/** PUBLIC_REASONS are the only things a caller learns about a refused token, by verifier code. */
const PUBLIC_REASONS: Readonly<Record<string, string>> = {
  ERR_PROXY_TOKEN_EXPIRED: 'the token has expired',
  ERR_PROXY_TOKEN_NOT_YET_VALID: 'the token is not valid yet',
  ERR_PROXY_TOKEN_INACTIVE: 'the token is no longer active',
};

/** UNAVAILABLE_CODES are verifier failures that are not the token's fault (keys or introspection unreachable). */
const UNAVAILABLE_CODES = new Set(['ERR_PROXY_JWKS_UNAVAILABLE', 'ERR_PROXY_INTROSPECTION_UNAVAILABLE']);

/** bearerToken extracts the token of an `Authorization: Bearer <token>` header. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i.exec(header ?? '');
  return m?.[1];
}

/** authenticate returns the onRequest hook that verifies the bearer token and records the outcome on the request. */
export function authenticate(verifier: Pick<TokenVerifier, 'verify'>, log: (event: AdminLogEvent) => void) {
  return async (request: FastifyRequest): Promise<void> => {
    const header = request.headers.authorization;
    const token = bearerToken(header);
    if (token === undefined) {
      outcomes.set(
        request,
        header === undefined
          ? { kind: 'refused', code: 'ERR_ADMIN_UNAUTHENTICATED', reason: 'a bearer token is required', challenge: WWW_AUTHENTICATE }
          : {
              kind: 'refused',
              code: 'ERR_ADMIN_UNAUTHENTICATED',
              reason: 'the Authorization header must be "Bearer <token>"',
              challenge: `${WWW_AUTHENTICATE}, error="invalid_request"`,
            },
      );
      return;
    }
    try {
      const principal = await verifier.verify(token);
      outcomes.set(request, { kind: 'principal', principal });
    } catch (e) {
      const code = typeof (e as { code?: unknown })?.code === 'string' ? (e as { code: string }).code : 'unknown';
      log({ kind: 'admin.auth-refused', code, reason: e instanceof Error ? e.message : String(e), ip: request.ip });
      outcomes.set(
        request,
        UNAVAILABLE_CODES.has(code)
          ? {
              kind: 'refused',
              code: 'ERR_ADMIN_AUTH_UNAVAILABLE',
              reason: 'the token cannot be checked right now; retry later',
              challenge: '',
            }
          : {
              kind: 'refused',
              code: 'ERR_ADMIN_UNAUTHENTICATED',
              reason: PUBLIC_REASONS[code] ?? 'the token is not valid',
              challenge: `${WWW_AUTHENTICATE}, error="invalid_token"`,
            },
      );
    }
  };
}

/** requireAuth is the onRequest hook (after the rate limiter) that refuses requests without a principal. */
export async function requireAuth(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
  const outcome = outcomes.get(request);
  if (outcome?.kind === 'principal') return;
  if (outcome?.code === 'ERR_ADMIN_AUTH_UNAVAILABLE') throw new AdminHttpError(outcome.code, outcome.reason);
  throw new AdminHttpError('ERR_ADMIN_UNAUTHENTICATED', outcome?.reason ?? 'a bearer token is required', {
    headers: { 'www-authenticate': outcome?.challenge ?? WWW_AUTHENTICATE },
  });
}

/** principalOf returns the verified principal of an authenticated request (undefined before authenticate ran or when it refused). */
export function principalOf(request: FastifyRequest): Principal | undefined {
  const outcome = outcomes.get(request);
  return outcome?.kind === 'principal' ? outcome.principal : undefined;
}

/** rateLimitKey keys the rate limiter: the verified issuer and subject, else the client IP. */
export function rateLimitKey(request: FastifyRequest): string {
  const principal = principalOf(request);
  return principal !== undefined ? `sub:${JSON.stringify([principal.issuer, principal.subject])}` : `ip:${request.ip}`;
}
