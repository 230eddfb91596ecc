// Section `limits` of opa.config.yaml: what a client may send and how many may connect.
// Its type, defaults and validator.

import { deepFreeze } from './section.js';
import type { Section } from './section.js';

/** LimitsConfig caps what a client may send and how many may connect. */
export type LimitsConfig = {
  readonly maxMessageBytes: number;
  readonly maxStatementBytes: number;
  readonly maxConnections: number;
  /** maxAnalysisMs is the time budget of analysing one long statement (proxy/sql offload; 54001 past it). */
  readonly maxAnalysisMs: number;
};

/** LIMITS_DEFAULTS are the defaults of `limits` (1 MiB messages and statements, 100 connections, 10 s of analysis). */
export const LIMITS_DEFAULTS = deepFreeze({
  maxMessageBytes: 1_048_576,
  maxStatementBytes: 1_048_576,
  maxConnections: 100,
  maxAnalysisMs: 10_000,
});

/** MIN_MESSAGE_BYTES is the smallest max_message_bytes that still fits a StartupMessage and a short query. */
const MIN_MESSAGE_BYTES = 8192;

/** validateLimits reads the optional `limits` section. */
export function validateLimits(root: Section): LimitsConfig {
  const limits = root.section('limits', false);
  limits?.only(['max_message_bytes', 'max_statement_bytes', 'max_connections', 'max_analysis_time']);
  return {
    maxMessageBytes: limits?.size('max_message_bytes', MIN_MESSAGE_BYTES) ?? LIMITS_DEFAULTS.maxMessageBytes,
    maxStatementBytes: limits?.size('max_statement_bytes', 1) ?? LIMITS_DEFAULTS.maxStatementBytes,
    maxConnections: limits?.integer('max_connections', 1, 1_000_000) ?? LIMITS_DEFAULTS.maxConnections,
    maxAnalysisMs: limits?.duration('max_analysis_time', 1) ?? LIMITS_DEFAULTS.maxAnalysisMs,
  };
}
