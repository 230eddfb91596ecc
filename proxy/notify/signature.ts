// Webhook signatures: how a delivery is signed and how a receiver checks it. The scheme (also in
// docs/webhooks.md):
//
//   x-portcullis-timestamp: <unix seconds when the attempt was sent>
//   x-portcullis-signature: sha256=<lowercase hex of HMAC-SHA256(secret, "<timestamp>.<body>")>
//
// where <body> is the exact request body (UTF-8 JSON) and the secret is the target's shared
// secret. Each attempt (retries included) is signed afresh with its own timestamp, so a receiver
// can refuse stale or replayed deliveries by the timestamp and deduplicate retries by
// `x-portcullis-delivery`. Verification compares in constant time and never throws.

import { createHmac, timingSafeEqual } from 'node:crypto';

/** SIGNATURE_PREFIX starts every `x-portcullis-signature` value (the algorithm name). */
export const SIGNATURE_PREFIX = 'sha256=';

/** DEFAULT_TOLERANCE_SECONDS is how far (either way) a timestamp may be from the receiver's clock. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** SignWebhookInput is what a signature covers: the timestamp (unix seconds) and the exact body. */
export type SignWebhookInput = {
  readonly secret: string;
  readonly timestamp: number | string;
  readonly body: string | Uint8Array;
};

/** signWebhookPayload returns the `x-portcullis-signature` value for a timestamp and body: `sha256=<hex>`. */
export function signWebhookPayload(input: SignWebhookInput): string {
  const mac = createHmac('sha256', input.secret);
  mac.update(`${input.timestamp}.`);
  mac.update(typeof input.body === 'string' ? Buffer.from(input.body, 'utf8') : input.body);
  return `${SIGNATURE_PREFIX}${mac.digest('hex')}`;
}

/** VerifyWebhookSignatureInput is what a receiver got (headers and raw body) and the secret it shares with the gateway. */
export type VerifyWebhookSignatureInput = {
  readonly secret: string;
  /** timestamp is the `x-portcullis-timestamp` header (unix seconds). */
  readonly timestamp: string | number | undefined;
  /** body is the raw request body, exactly as received (before any JSON parsing). */
  readonly body: string | Uint8Array;
  /** signature is the `x-portcullis-signature` header (`sha256=<hex>`). */
  readonly signature: string | undefined;
  /** toleranceSeconds is how far the timestamp may be from now, either way (default 300). */
  readonly toleranceSeconds?: number;
  /** now is the receiver's clock in milliseconds (default Date.now). */
  readonly now?: () => number;
};

const TIMESTAMP = /^\d{1,15}$/;
const HEX_SHA256 = /^[0-9a-f]{64}$/;

/**
 * verifyWebhookSignature says whether a delivery is genuine and fresh: the timestamp is within
 * the tolerance of now and the signature is the HMAC of `<timestamp>.<body>` under the secret
 * (compared in constant time). Malformed input answers false; it never throws.
 */
export function verifyWebhookSignature(input: VerifyWebhookSignatureInput): boolean {
  const { secret, timestamp, body, signature } = input;
  if (typeof secret !== 'string' || secret === '' || typeof signature !== 'string') return false;
  const ts = typeof timestamp === 'number' ? String(timestamp) : timestamp;
  if (ts === undefined || !TIMESTAMP.test(ts)) return false;
  const tolerance = input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const nowSeconds = Math.floor((input.now ?? Date.now)() / 1000);
  if (!(Math.abs(nowSeconds - Number(ts)) <= tolerance)) return false;
  const given = signature.trim().toLowerCase();
  if (!given.startsWith(SIGNATURE_PREFIX) || !HEX_SHA256.test(given.slice(SIGNATURE_PREFIX.length))) return false;
  const expected = Buffer.from(signWebhookPayload({ secret, timestamp: ts, body }).slice(SIGNATURE_PREFIX.length), 'hex');
  const actual = Buffer.from(given.slice(SIGNATURE_PREFIX.length), 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
