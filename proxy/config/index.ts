// Public surface of proxy/config: the typed opa.config.yaml schema, one file per section (type,
// defaults, validator), composed by gateway-config.ts, with the shared duration, size and secret
// grammars. The only door: import the configuration from here. Re-exports only.

export { validateConfig, CONFIG_DEFAULTS } from './gateway-config.js';
export type { GatewayConfig, ValidateConfigResult } from './gateway-config.js';
export { LISTEN_DEFAULTS } from './listen.js';
export type { ListenConfig } from './listen.js';
export { PLAINTEXT_PASSWORD_DEFAULT } from './tls.js';
export type { TlsConfig } from './tls.js';
export { UPSTREAM_DEFAULTS } from './upstream.js';
export type { UpstreamConfig, UpstreamPoolConfig } from './upstream.js';
export { ALLOWED_ALGORITHMS, IDENTITY_DEFAULTS, toIdentityConfig } from './identity.js';
export type { IdentitySection, JwksSource, JwtAlgorithm } from './identity.js';
export { POLICY_DEFAULTS } from './policy.js';
export type { PolicySection, PolicySource } from './policy.js';
export { BUNDLE_SOURCE_DEFAULTS } from './bundle-source.js';
export type { OnStale, RemoteBundleSource } from './bundle-source.js';
export { SIGNING_KEY_ALGORITHMS } from './signing.js';
export type { SigningConfig, SigningKeyAlgorithm, SigningKeyConfig } from './signing.js';
export { LIMITS_DEFAULTS } from './limits.js';
export type { LimitsConfig } from './limits.js';
export { LOG_DEFAULTS, LOG_LEVELS } from './log.js';
export type { LogConfig, LogLevel } from './log.js';
export type { MaskingConfig } from './masking.js';
export { STATE_DEFAULTS } from './state.js';
export type { StateConfig } from './state.js';
export { ADMIN_DEFAULTS, APPROVAL_DEFAULTS } from './approval.js';
export type { AdminConfig, ApprovalConfig, WebhookConfig } from './approval.js';
export { CONSOLE_DEFAULTS, CONSOLE_OIDC_DEFAULTS } from './console.js';
export type { ConsoleConfig, ConsoleOidcConfig } from './console.js';
export { RECORDING_DEFAULTS } from './recording.js';
export type { RecordingConfig } from './recording.js';
export { DECISION_LOGS_DEFAULTS } from './decision-logs.js';
export type { DecisionLogMaskRule, DecisionLogsConfig } from './decision-logs.js';
export { MAX_WORKERS, WORKERS_DEFAULT } from './workers.js';
export type { WorkersConfig } from './workers.js';
export { formatDuration, parseDuration } from './durations.js';
export { parseSize } from './sizes.js';
export { resolveSecret, secretFromFile } from './secrets.js';
export type { SecretSource } from './secrets.js';
