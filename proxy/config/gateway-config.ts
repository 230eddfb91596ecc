// The whole of opa.config.yaml: a parsed YAML document (unknown) in, a frozen GatewayConfig with
// every default applied (or path-addressed error strings) out, composed from one validator per
// section (listen.ts, tls.ts, upstream.ts, …). Pure: no fs, no env, no argv (proxy/cli does those).

import { validateDecisionLogs, DECISION_LOGS_DEFAULTS } from './decision-logs.js';
import type { DecisionLogsConfig } from './decision-logs.js';
import { validateIdentity, IDENTITY_DEFAULTS } from './identity.js';
import type { IdentitySection } from './identity.js';
import { validateLimits, LIMITS_DEFAULTS } from './limits.js';
import type { LimitsConfig } from './limits.js';
import { validateListen, LISTEN_DEFAULTS } from './listen.js';
import type { ListenConfig } from './listen.js';
import { validateLog, LOG_DEFAULTS } from './log.js';
import { validateMasking } from './masking.js';
import type { MaskingConfig } from './masking.js';
import type { LogConfig } from './log.js';
import { validatePolicy, POLICY_DEFAULTS } from './policy.js';
import type { PolicySection } from './policy.js';
import { deepFreeze, mapping, Section } from './section.js';
import { PLAINTEXT_PASSWORD_DEFAULT, validateAllowPlaintextPassword, validateTls } from './tls.js';
import type { TlsConfig } from './tls.js';
import { validateState, STATE_DEFAULTS } from './state.js';
import { validateAdmin, validateApproval, ADMIN_DEFAULTS, APPROVAL_DEFAULTS } from './approval.js';
import { validateRecording, RECORDING_DEFAULTS } from './recording.js';
import type { RecordingConfig } from './recording.js';
import type { AdminConfig, ApprovalConfig } from './approval.js';
import type { StateConfig } from './state.js';
import { validateUpstream, UPSTREAM_DEFAULTS } from './upstream.js';
import { validateWorkers, WORKERS_DEFAULT } from './workers.js';
import type { WorkersConfig } from './workers.js';
import type { UpstreamConfig } from './upstream.js';

/** GatewayConfig is a validated opa.config.yaml with every default applied. */
export type GatewayConfig = {
  readonly listen: ListenConfig;
  readonly tls?: TlsConfig;
  readonly allowPlaintextPassword: boolean;
  readonly upstream: UpstreamConfig;
  readonly identity: IdentitySection;
  readonly policy: PolicySection;
  readonly limits: LimitsConfig;
  readonly log: LogConfig;
  readonly masking: MaskingConfig;
  /** state is the shared state store (approvals); absent when not configured. */
  readonly state?: StateConfig;
  /** approval says how held statements wait and who is told (defaults without the section). */
  readonly approval: ApprovalConfig;
  /** admin is where the admin API listens. */
  readonly admin: AdminConfig;
  /** recording says where sessions are recorded; absent: nothing is recorded. */
  readonly recording?: RecordingConfig;
  /** decisionLogs says where statement decisions are logged in OPA's format (no sink without the section). */
  readonly decisionLogs: DecisionLogsConfig;
  /** workers is how many gateway processes `serve` runs on the listen address (1: the gateway itself; more need `state`). */
  readonly workers: WorkersConfig;
};

/** ValidateConfigResult is a GatewayConfig or every problem found, each prefixed by its key path. */
export type ValidateConfigResult =
  | { readonly ok: true; readonly config: GatewayConfig }
  | { readonly ok: false; readonly errors: readonly string[] };

/** CONFIG_DEFAULTS holds every default of opa.config.yaml in one frozen object (ARCHITECTURE §8.18), gathered from the sections. */
export const CONFIG_DEFAULTS = deepFreeze({
  listen: LISTEN_DEFAULTS,
  allowPlaintextPassword: PLAINTEXT_PASSWORD_DEFAULT,
  upstream: UPSTREAM_DEFAULTS,
  identity: IDENTITY_DEFAULTS,
  policy: POLICY_DEFAULTS,
  limits: LIMITS_DEFAULTS,
  log: LOG_DEFAULTS,
  state: STATE_DEFAULTS,
  approval: APPROVAL_DEFAULTS,
  admin: ADMIN_DEFAULTS,
  recording: RECORDING_DEFAULTS,
  decisionLogs: DECISION_LOGS_DEFAULTS,
  workers: WORKERS_DEFAULT,
});

/** TOP_LEVEL_KEYS are the keys a document may have, in the order the sections are validated. */
const TOP_LEVEL_KEYS = [
  'listen',
  'tls',
  'allow_plaintext_password',
  'upstream',
  'identity',
  'policy',
  'limits',
  'log',
  'masking',
  'state',
  'approval',
  'admin',
  'recording',
  'decision_logs',
  'workers',
] as const;

/** validateConfig checks a parsed opa.config.yaml document and applies the defaults. */
export function validateConfig(raw: unknown): ValidateConfigResult {
  const errors: string[] = [];
  const value = mapping(raw, '(root)', errors);
  if (value === undefined) return { ok: false, errors };
  const root = new Section(value, '', errors);
  root.only(TOP_LEVEL_KEYS);
  // Sections are read in document order so errors come out in a stable, readable order.
  const listen = validateListen(root);
  const tls = validateTls(root);
  const allowPlaintextPassword = validateAllowPlaintextPassword(root);
  const upstream = validateUpstream(root);
  const identity = validateIdentity(root);
  const policy = validatePolicy(root);
  const limits = validateLimits(root);
  const log = validateLog(root);
  const masking = validateMasking(root);
  const state = validateState(root);
  const approval = validateApproval(root);
  const admin = validateAdmin(root);
  const recording = validateRecording(root);
  const decisionLogs = validateDecisionLogs(root);
  const workers = validateWorkers(root, state !== undefined);
  if (errors.length > 0 || identity === undefined || policy === undefined) return { ok: false, errors };
  const config: GatewayConfig = {
    listen,
    ...(tls !== undefined ? { tls } : {}),
    allowPlaintextPassword,
    upstream,
    identity,
    policy,
    limits,
    log,
    masking,
    ...(state !== undefined ? { state } : {}),
    approval,
    admin,
    ...(recording !== undefined ? { recording } : {}),
    decisionLogs,
    workers,
  };
  return { ok: true, config: deepFreeze(config) };
}
