// Sub-section `policy.signing` of opa.config.yaml: the keys a bundle must be signed by. Any one of
// them will do (a set, so a key can be rotated while signatures stay mandatory, which OPA's single
// `keyid` cannot do, opa#8531); with at least one key an unsigned or badly signed bundle does not
// load. Type, validator; key files and variables are read by proxy/cli when the bundle is loaded.

import { kindOf } from './section.js';
import type { Section } from './section.js';
import type { SecretSource } from './secrets.js';
import { SIGNING_ALGORITHMS } from '../../bundles/index.js';

/** SIGNING_KEY_ALGORITHMS are the JWS algorithms a bundle signature may use (bundles/signing's list). */
export const SIGNING_KEY_ALGORITHMS = SIGNING_ALGORITHMS;

/** SigningKeyAlgorithm is one of SIGNING_KEY_ALGORITHMS. */
export type SigningKeyAlgorithm = (typeof SIGNING_KEY_ALGORITHMS)[number];

/** SigningKeyConfig is one trusted key: the JWT `kid` it answers to, its algorithm, where its public key (or HS* secret) is, an optional scope. */
export type SigningKeyConfig = {
  readonly id: string;
  readonly algorithm: SigningKeyAlgorithm;
  readonly key: Extract<SecretSource, { kind: 'env' | 'file' }>;
  readonly scope?: string;
};

/** SigningConfig is `policy.signing`: the trusted keys. */
export type SigningConfig = { readonly keys: readonly SigningKeyConfig[] };

/** validateSigning reads the optional `signing` mapping of the `policy` section. */
export function validateSigning(policy: Section): SigningConfig | undefined {
  const s = policy.section('signing', false);
  if (s === undefined) return undefined;
  s.only(['keys']);
  const raw = s.get('keys', true);
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw) || raw.length === 0) {
    s.error('keys', `must be a non-empty list of keys, got ${kindOf(raw)}`);
    return undefined;
  }
  const keys: SigningKeyConfig[] = [];
  raw.forEach((_, i) => {
    const k = s.listItem('keys', i);
    if (k === undefined) return;
    k.only(['id', 'algorithm', 'key_file', 'key_env', 'scope']);
    const id = k.string('id', true);
    const algorithm = k.string('algorithm', true);
    const scope = k.string('scope');
    const alg = SIGNING_KEY_ALGORITHMS.find((a) => a === algorithm);
    if (algorithm !== undefined && alg === undefined)
      k.error('algorithm', `must be one of ${SIGNING_KEY_ALGORITHMS.join(', ')}, got "${algorithm}"`);
    if (id !== undefined && keys.some((other) => other.id === id)) k.error('id', `"${id}" is given twice`);
    const given = (['key_file', 'key_env'] as const).filter((name) => k.get(name) !== undefined);
    if (given.length !== 1) k.error('', 'set exactly one of key_file (a PEM or JWK public key file) or key_env');
    const where = k.string(given[0] ?? 'key_file');
    if (id === undefined || alg === undefined || where === undefined || given.length !== 1) return;
    const key = given[0] === 'key_env' ? ({ kind: 'env', name: where } as const) : ({ kind: 'file', path: where } as const);
    keys.push({ id, algorithm: alg, key, ...(scope !== undefined ? { scope } : {}) });
  });
  return { keys };
}
