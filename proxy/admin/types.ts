// Types of the admin API: what startAdminServer takes (listen address, optional TLS, the
// approval service, the recorded sessions and the audit policy that guards them, the token
// verifier, the readiness probe, limits, the log) and what it returns. Plain readonly data; no
// behaviour lives here.

import type { ApprovalService } from '../approvals/index.js';
import type { TokenVerifier } from '../auth/index.js';
import type { ConsoleOidc, EventHubOptions } from '../console/index.js';
import type { AuditDecisionInput, AuditVerdict } from '../decision/index.js';
import type { SessionViews } from '../sessions/index.js';
import type { LiveControlPort } from './control.js';
import type { PolicyPort } from './policy.js';

/** ADMIN_DEFAULT_PORT is the admin API's default port (`admin.listen`), the CLI's default URL's port. */
export const ADMIN_DEFAULT_PORT = 9187;

/** OPENAPI_PATH is where the OpenAPI document is served (no authentication). */
export const OPENAPI_PATH = '/v1/openapi.json';

/** ADMIN_DEFAULT_RATE_LIMIT is the default per-caller limit on authenticated routes: 120 requests a minute. */
export const ADMIN_DEFAULT_RATE_LIMIT = Object.freeze({ max: 120, timeWindowMs: 60_000 });

/** ADMIN_BODY_LIMIT_BYTES bounds a request body (64 KiB); larger bodies are answered 413. */
export const ADMIN_BODY_LIMIT_BYTES = 64 * 1024;

/** ReadinessCheck is one named check of the readiness report. */
export type ReadinessCheck = { readonly ok: boolean; readonly message?: string };

/** ReadinessReport is what the readiness probe answers: ready or not, and why. */
export type ReadinessReport = { readonly ready: boolean; readonly checks: Readonly<Record<string, ReadinessCheck>> };

/** OPEN_ROUTES are the routes `openRoutes` may answer without a bearer token. */
export const OPEN_ROUTES = ['metrics', 'readyz'] as const;

/** OpenRoute is one of OPEN_ROUTES. */
export type OpenRoute = (typeof OPEN_ROUTES)[number];

/** ADMIN_DEFAULT_OPEN_ROUTES: /metrics needs no token (the admin API listens on loopback by default, as OPA's /metrics is open). */
export const ADMIN_DEFAULT_OPEN_ROUTES: readonly OpenRoute[] = Object.freeze(['metrics']);

/** AdminLogEvent is an operational event of the admin API (internal error details go only here). */
export type AdminLogEvent = { readonly kind: string; readonly [field: string]: unknown };

/** AdminServerOptions configure startAdminServer. */
export type AdminServerOptions = {
  /** listen is the address to bind (port 0: a free port, see AdminServer.port). */
  readonly listen: { readonly host: string; readonly port: number };
  /** tls serves HTTPS with this PEM key and certificate. */
  readonly tls?: { readonly key: Buffer; readonly cert: Buffer };
  /** service is the approval service; undefined: approvals routes answer 503 ERR_APPROVALS_UNAVAILABLE. */
  readonly service: ApprovalService | undefined;
  /** sessions reads recorded sessions; without it (or without `audit`) the sessions routes answer 503 ERR_RECORDINGS_UNAVAILABLE. */
  readonly sessions?: SessionViews;
  /** control ends sessions and blocks identities on every gateway (proxy/control); without it those routes answer 503. */
  readonly control?: LiveControlPort;
  /** audit asks the audit policy whether the caller may read recorded sessions or approval requests, act on sessions and identities, read or reload the policy, read the status (it never throws; a deny is a 403 ERR_ADMIN_FORBIDDEN). */
  readonly audit?: (input: AuditDecisionInput) => AuditVerdict;
  /** policy is the active policy: GET /v1/policy and POST /v1/policy/reload (absent: 404). */
  readonly policy?: PolicyPort;
  /** verifier checks the bearer token of every authenticated route. */
  readonly verifier: Pick<TokenVerifier, 'verify'>;
  /** readiness is GET /readyz's probe. */
  readonly readiness: () => Promise<ReadinessReport>;
  /** metrics renders GET /metrics (Prometheus text exposition and its content type); absent: no /metrics route. */
  readonly metrics?: () => Promise<{ readonly contentType: string; readonly body: string }>;
  /** status builds GET /v1/status's document (OPA's status API shape); absent: no /v1/status route. */
  readonly status?: () => unknown;
  /** openRoutes are answered without a bearer token (default ADMIN_DEFAULT_OPEN_ROUTES); every other route needs one. */
  readonly openRoutes?: readonly OpenRoute[];
  /** rateLimit bounds authenticated requests per caller (sub+iss; the client IP before authentication); default ADMIN_DEFAULT_RATE_LIMIT. */
  readonly rateLimit?: { readonly max: number; readonly timeWindowMs: number };
  /** log receives operational events (default: dropped). */
  readonly log?: (event: AdminLogEvent) => void;
  /** version is the gateway's version, shown in the OpenAPI document and the console's config.json. */
  readonly version: string;
  /** console serves the web console at / and /console/ (proxy/console); on unless `enabled: false`. */
  readonly console?: AdminConsoleOptions;
};

/**
 * AdminConsoleOptions configure the web console the admin API serves: its files and sign-in, and
 * its live event streams (proxy/console's hub: the figures, the approval feed and the bounds; the
 * admin server supplies the log).
 */
export type AdminConsoleOptions = Omit<EventHubOptions, 'log'> & {
  /** enabled: false leaves / and /console/ unanswered (404); default true (`admin.console.enabled`). */
  readonly enabled?: boolean;
  /** assetsDir replaces the directory of the console's files (tests). */
  readonly assetsDir?: string;
  /** oidc builds config.json's `oidc` from the admin API's URL; absent: the console signs in with pasted tokens only. */
  readonly oidc?: (baseUrl: string) => ConsoleOidc | null;
};

/** AdminServer is a listening admin API. */
export type AdminServer = {
  /** url is the base URL (`http://127.0.0.1:9187`, or https with TLS). */
  readonly url: string;
  readonly host: string;
  /** port is the bound port (the real one when 0 was asked for). */
  readonly port: number;
  /** close stops listening and waits for requests in flight. */
  close(): Promise<void>;
};
