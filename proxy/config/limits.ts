// Section `limits` of opa.config.yaml: what a client may send, how many may connect (logged in,
// and still logging in, in all and per client address) and how long a client may take to log in
// or to finish a message. Its type, defaults and validator.

import { deepFreeze } from './section.js';
import type { Section } from './section.js';

/** LimitsConfig caps what a client may send, how many may connect and how long they may dawdle. */
export type LimitsConfig = {
  readonly maxMessageBytes: number;
  readonly maxStatementBytes: number;
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
};

/**
 * LIMITS_DEFAULTS are the defaults of `limits`: 1 MiB messages and statements, 100 authenticated
 * connections, 64 connections logging in (16 per address), 10 s to authenticate, 30 s per message.
 */
export const LIMITS_DEFAULTS = deepFreeze({
  maxMessageBytes: 1_048_576,
  maxStatementBytes: 1_048_576,
  maxConnections: 100,
  maxUnauthenticated: 64,
  maxUnauthenticatedPerAddress: 16,
  authenticationTimeoutMs: 10_000,
  messageTimeoutMs: 30_000,
});

/** MIN_MESSAGE_BYTES is the smallest max_message_bytes that still fits a StartupMessage and a short query. */
const MIN_MESSAGE_BYTES = 8192;

/** validateLimits reads the optional `limits` section. */
export function validateLimits(root: Section): LimitsConfig {
  const limits = root.section('limits', false);
  limits?.only([
    'max_message_bytes',
    'max_statement_bytes',
    'max_connections',
    'max_unauthenticated',
    'max_unauthenticated_per_address',
    'authentication_timeout',
    'message_timeout',
  ]);
  return {
    maxMessageBytes: limits?.size('max_message_bytes', MIN_MESSAGE_BYTES) ?? LIMITS_DEFAULTS.maxMessageBytes,
    maxStatementBytes: limits?.size('max_statement_bytes', 1) ?? LIMITS_DEFAULTS.maxStatementBytes,
    maxConnections: limits?.integer('max_connections', 1, 1_000_000) ?? LIMITS_DEFAULTS.maxConnections,
    maxUnauthenticated: limits?.integer('max_unauthenticated', 1, 1_000_000) ?? LIMITS_DEFAULTS.maxUnauthenticated,
    maxUnauthenticatedPerAddress:
      limits?.integer('max_unauthenticated_per_address', 1, 1_000_000) ?? LIMITS_DEFAULTS.maxUnauthenticatedPerAddress,
    authenticationTimeoutMs: limits?.duration('authentication_timeout', 1, 3_600_000) ?? LIMITS_DEFAULTS.authenticationTimeoutMs,
    messageTimeoutMs: limits?.duration('message_timeout', 1, 3_600_000) ?? LIMITS_DEFAULTS.messageTimeoutMs,
  };
}
