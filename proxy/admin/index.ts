// Public surface of proxy/admin: the admin HTTP API (approvals, recorded sessions, probes, OpenAPI document) over
// fastify, with bearer-token authentication and per-caller rate limits. Fastify loads only when a
// server starts (start.ts). Re-exports only.

export { startAdminServer } from './start.js';
export {
  ADMIN_BODY_LIMIT_BYTES,
  ADMIN_DEFAULT_OPEN_ROUTES,
  ADMIN_DEFAULT_PORT,
  ADMIN_DEFAULT_RATE_LIMIT,
  OPEN_ROUTES,
  OPENAPI_PATH,
} from './types.js';
export type {
  AdminConsoleOptions,
  AdminLogEvent,
  AdminServer,
  AdminServerOptions,
  OpenRoute,
  ReadinessCheck,
  ReadinessReport,
} from './types.js';
export { ADMIN_ERRORS, AdminHttpError } from './errors.js';
export type { AdminErrorBody, AdminErrorCode, AdminErrorReason } from './errors.js';
export { APPROVAL_ID_PATTERN, CURSOR_PATTERN, LIST_LIMIT, REASON_MAX_LENGTH, SESSION_ID_PATTERN } from './schemas.js';
export { parseSince } from './sessions.js';
export type { LiveControlPort } from './control.js';
