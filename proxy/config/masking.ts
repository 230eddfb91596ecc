// Section `masking` of opa.config.yaml: the key that turns the `hash` mask into an HMAC. Without
// a key, `hash` is a plain SHA-256 prefix, which anyone can compute for a guessed value (an email
// address, a card number's few million candidates) and compare; with one, only the gateway can.
// Its type and validator; the key itself is resolved by proxy/cli (environment or file).

import type { Section } from './section.js';
import type { SecretSource } from './secrets.js';

/** MaskingConfig is the `masking` section. */
export type MaskingConfig = {
  /** hashKey is where the HMAC key of the `hash` mask comes from (absent: unkeyed SHA-256). */
  readonly hashKey?: SecretSource;
};

/** validateMasking reads the optional `masking` section. */
export function validateMasking(root: Section): MaskingConfig {
  const masking = root.section('masking', false);
  if (masking === undefined) return {};
  masking.only(['hash_key_env', 'hash_key_file']);
  const env = masking.string('hash_key_env');
  const file = masking.string('hash_key_file');
  if (env !== undefined && file !== undefined) masking.error('', 'set one of hash_key_env or hash_key_file, not both');
  if (env !== undefined) return { hashKey: { kind: 'env', name: env } };
  if (file !== undefined) return { hashKey: { kind: 'file', path: file } };
  return {};
}
