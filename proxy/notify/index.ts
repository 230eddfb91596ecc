// Public surface of proxy/notify: approval webhooks. createWebhookNotifier delivers each approval
// notification, signed with HMAC-SHA256, to every configured target in the background (retried
// with backoff, in order per target); verifyWebhookSignature is what a receiver checks a delivery
// with. The scheme is in docs/webhooks.md. Re-exports only.

export { WEBHOOK_DEFAULTS, WEBHOOK_USER_AGENT, createWebhookNotifier } from './webhooks.js';
export type { WebhookFetch, WebhookLogEvent, WebhookLogEventType, WebhookNotifierOptions, WebhookTarget } from './webhooks.js';
export { DEFAULT_TOLERANCE_SECONDS, SIGNATURE_PREFIX, signWebhookPayload, verifyWebhookSignature } from './signature.js';
export type { SignWebhookInput, VerifyWebhookSignatureInput } from './signature.js';
