// Section `limits` of opa.config.yaml: what a client may send, what one row may weigh, how much
// a session may hold in queues, how many may connect (logged in, and still logging in, in all and
// per client address) and how long a client may take to log in or to finish a message. Its type,
// defaults and validator.

import { deepFreeze } from './section.js';
import type { Section } from './section.js';

/** LimitsConfig caps what a client may send, what a session may hold, how many may connect and how long they may dawdle. */
export type LimitsConfig = {
  readonly maxMessageBytes: number;
  readonly maxStatementBytes: number;
  /** maxRowBytes caps one upstream message (a DataRow or a COPY TO row): larger rows fail their statement (54000). */
  readonly maxRowBytes: number;
  /** maxQueuedBytes bounds each direction's queue per session: above it the gateway stops reading the sending side. */
  readonly maxQueuedBytes: number;
  /** maxConnections caps authenticated connections (token verified: logging in upstream, or in session). */
  readonly maxConnections: number;
  /** maxUnauthenticated caps connections that have not authenticated yet, apart from maxConnections. */
  readonly maxUnauthenticated: number;
  /** maxUnauthenticatedPerAddress caps one client address's share of maxUnauthenticated. */
  readonly maxUnauthenticatedPerAddress: number;
  /** authenticationTimeoutMs bounds accept → token verified (and the login policy's answer). */
  readonly authenticationTimeoutMs: number;
  /** messageTimeoutMs bounds the time from a message's first byte to its last, before and after login. */
  readonly messageTimeoutMs: number;
  /** maxAnalysisMs is the time budget of analysing one long statement (proxy/sql offload; 54001 past it). */
  readonly maxAnalysisMs: number;
  /** shutdownGraceMs bounds a drain on SIGTERM: statements running may finish within it, then sessions end (57P01). */
  readonly shutdownGraceMs: number;
};

/**
 * LIMITS_DEFAULTS are the defaults of `limits`: 1 MiB messages and statements, 64 MiB rows
 * (PostgreSQL's own cap is 1 GiB per field; an agent rarely needs a row above 64 MiB, and the
 * row limit is what one session can pin in memory at once), 1 MiB queued per direction, 100
 * authenticated connections, 64 connections logging in (16 per address), 10 s to authenticate,
 * 30 s per message, 10 s to analyse one long statement, 10 s for running statements to finish on
 * SIGTERM (Kubernetes' default grace before SIGKILL is 30 s).
 */
export const LIMITS_DEFAULTS = deepFreeze({
  maxMessageBytes: 1_048_576,
  maxStatementBytes: 1_048_576,
  maxRowBytes: 67_108_864,
  maxQueuedBytes: 1_048_576,
  maxConnections: 100,
  maxUnauthenticated: 64,
  maxUnauthenticatedPerAddress: 16,
  authenticationTimeoutMs: 10_000,
  messageTimeoutMs: 30_000,
  maxAnalysisMs: 10_000,
  shutdownGraceMs: 10_000,
});

/** MIN_MESSAGE_BYTES is the smallest max_message_bytes that still fits a StartupMessage and a short query. */
const MIN_MESSAGE_BYTES = 8192;

/** MIN_ROW_BYTES is the smallest max_row_bytes: every upstream message but rows must still fit (errors, notices, RowDescription). */
const MIN_ROW_BYTES = 65_536;

/** MAX_ROW_BYTES is the largest max_row_bytes that means anything: PostgreSQL's 1 GiB field limit plus framing. */
const MAX_ROW_BYTES = 1_073_741_824 + 65_536;

/** MIN_QUEUED_BYTES is the smallest max_queued_bytes: above a socket's own 16 KiB buffer, so writes still go out in large chunks. */
const MIN_QUEUED_BYTES = 65_536;

/** validateLimits reads the optional `limits` section. */
export function validateLimits(root: Section): LimitsConfig {
  const limits = root.section('limits', false);
  limits?.only([
    'max_message_bytes',
    'max_statement_bytes',
    'max_row_bytes',
    'max_queued_bytes',
    'max_connections',
    'max_unauthenticated',
    'max_unauthenticated_per_address',
    'authentication_timeout',
    'message_timeout',
    'max_analysis_time',
    'shutdown_grace',
  ]);
  return {
    maxMessageBytes: limits?.size('max_message_bytes', MIN_MESSAGE_BYTES) ?? LIMITS_DEFAULTS.maxMessageBytes,
    maxStatementBytes: limits?.size('max_statement_bytes', 1) ?? LIMITS_DEFAULTS.maxStatementBytes,
    maxRowBytes: limits?.size('max_row_bytes', MIN_ROW_BYTES, MAX_ROW_BYTES) ?? LIMITS_DEFAULTS.maxRowBytes,
    maxQueuedBytes: limits?.size('max_queued_bytes', MIN_QUEUED_BYTES) ?? LIMITS_DEFAULTS.maxQueuedBytes,
    maxConnections: limits?.integer('max_connections', 1, 1_000_000) ?? LIMITS_DEFAULTS.maxConnections,
    maxUnauthenticated: limits?.integer('max_unauthenticated', 1, 1_000_000) ?? LIMITS_DEFAULTS.maxUnauthenticated,
    maxUnauthenticatedPerAddress:
      limits?.integer('max_unauthenticated_per_address', 1, 1_000_000) ?? LIMITS_DEFAULTS.maxUnauthenticatedPerAddress,
    authenticationTimeoutMs: limits?.duration('authentication_timeout', 1, 3_600_000) ?? LIMITS_DEFAULTS.authenticationTimeoutMs,
    messageTimeoutMs: limits?.duration('message_timeout', 1, 3_600_000) ?? LIMITS_DEFAULTS.messageTimeoutMs,
    maxAnalysisMs: limits?.duration('max_analysis_time', 1) ?? LIMITS_DEFAULTS.maxAnalysisMs,
    shutdownGraceMs: limits?.duration('shutdown_grace', 0, 3_600_000) ?? LIMITS_DEFAULTS.shutdownGraceMs,
  };
}
