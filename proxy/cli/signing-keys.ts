// policy.signing's keys as verifyBundle takes them: each key_file read or key_env resolved once,
// when the bundle is loaded. A key that cannot be read stops the start with one line naming it.

import { readFileSync } from 'node:fs';
import { resolveSecret, secretFromFile } from '../config/index.js';
import type { SigningConfig, SigningKeyAlgorithm } from '../config/index.js';

/** TrustedKey is one verification key with its text (PEM, JWK or HS* secret), as bundles' VerificationKey. */
export type TrustedKey = { readonly id: string; readonly alg: SigningKeyAlgorithm; readonly key: string; readonly scope?: string };

/** readSigningKeys reads every configured key; `failed` names the first that cannot be read. */
export function readSigningKeys(
  signing: SigningConfig | undefined,
  env: Readonly<Record<string, string | undefined>>,
): { readonly kind: 'keys'; readonly keys: readonly TrustedKey[] } | { readonly kind: 'failed'; readonly reason: string } {
  const keys: TrustedKey[] = [];
  for (const k of signing?.keys ?? []) {
    const where = k.key.kind === 'file' ? `key_file ${k.key.path}` : `key_env ${k.key.name}`;
    let text: string | undefined;
    try {
      text = k.key.kind === 'file' ? secretFromFile(readFileSync(k.key.path, 'utf8')) : resolveSecret(k.key, env);
    } catch (e) {
      return { kind: 'failed', reason: `policy.signing: key ${JSON.stringify(k.id)}: ${where} cannot be read (${(e as Error).message})` };
    }
    if (text === undefined || text === '')
      return { kind: 'failed', reason: `policy.signing: key ${JSON.stringify(k.id)}: ${where} is not set or empty` };
    keys.push({ id: k.id, alg: k.algorithm, key: text, ...(k.scope !== undefined ? { scope: k.scope } : {}) });
  }
  return { kind: 'keys', keys };
}
