// policy.signing in opa.config.yaml: the trusted key set's validator (every error with its path),
// relative key_file paths resolved against the config file, and its algorithm list kept equal to
// what bundles/signing can verify.

import { describe, expect, it } from 'vitest';
import { SIGNING_ALGORITHMS } from '../../../bundles/index.js';
import { parseConfigText } from '../../../proxy/cli/config-file.js';
import { SIGNING_KEY_ALGORITHMS, validateConfig } from '../../../proxy/config/index.js';

const base = {
  upstream: { database: 'app', user: 'gw' },
  identity: { issuer: 'https://idp.example', audience: 'portcullis', jwks: { url: 'https://idp.example/jwks' } },
};
const withSigning = (signing: unknown) => ({ ...base, policy: { bundle: 'b.tar.gz', signing } });

describe('policy.signing', () => {
  it.each([
    {
      note: 'two keys, a file and a variable, one with a scope',
      signing: {
        keys: [
          { id: 'a', algorithm: 'ES256', key_file: 'keys/a.pem' },
          { id: 'b', algorithm: 'EdDSA', key_env: 'KEY_B', scope: 'write' },
        ],
      },
      want: {
        keys: [
          { id: 'a', algorithm: 'ES256', key: { kind: 'file', path: 'keys/a.pem' } },
          { id: 'b', algorithm: 'EdDSA', key: { kind: 'env', name: 'KEY_B' }, scope: 'write' },
        ],
      },
    },
  ])('reads $note', ({ signing, want }) => {
    const r = validateConfig(withSigning(signing));
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(r.config.policy.signing).toEqual(want);
  });

  it('is absent by default (no verification)', () => {
    const r = validateConfig({ ...base, policy: { bundle: 'b.tar.gz' } });
    expect(r.ok && r.config.policy.signing).toBeUndefined();
  });

  it.each([
    { note: 'no keys', signing: {}, errors: ['policy.signing.keys: is required'] },
    { note: 'an empty key list', signing: { keys: [] }, errors: ['policy.signing.keys: must be a non-empty list of keys, got a list'] },
    {
      note: 'an unknown key',
      signing: { keys: [{ id: 'a', algorithm: 'ES256', key_file: 'k', keyid: 'x' }] },
      errors: ['policy.signing.keys[0].keyid: unknown key (expected one of id, algorithm, key_file, key_env, scope)'],
    },
    {
      note: 'an unknown algorithm',
      signing: { keys: [{ id: 'a', algorithm: 'none', key_file: 'k' }] },
      errors: [`policy.signing.keys[0].algorithm: must be one of ${SIGNING_KEY_ALGORITHMS.join(', ')}, got "none"`],
    },
    {
      note: 'no algorithm',
      signing: { keys: [{ id: 'a', key_file: 'k' }] },
      errors: ['policy.signing.keys[0].algorithm: is required'],
    },
    {
      note: 'both key_file and key_env',
      signing: { keys: [{ id: 'a', algorithm: 'ES256', key_file: 'k', key_env: 'K' }] },
      errors: ['policy.signing.keys[0]: set exactly one of key_file (a PEM or JWK public key file) or key_env'],
    },
    {
      note: 'neither',
      signing: { keys: [{ id: 'a', algorithm: 'ES256' }] },
      errors: ['policy.signing.keys[0]: set exactly one of key_file (a PEM or JWK public key file) or key_env'],
    },
    {
      note: 'one id twice',
      signing: {
        keys: [
          { id: 'a', algorithm: 'ES256', key_file: 'k1' },
          { id: 'a', algorithm: 'ES256', key_file: 'k2' },
        ],
      },
      errors: ['policy.signing.keys[1].id: "a" is given twice'],
    },
    {
      note: 'a key that is not a mapping',
      signing: { keys: ['k.pem'] },
      errors: ['policy.signing.keys[0]: must be a mapping, got string "k.pem"'],
    },
    {
      note: 'an unknown signing key',
      signing: { keys: [{ id: 'a', algorithm: 'ES256', key_file: 'k' }], keyid: 'a' },
      errors: ['policy.signing.keyid: unknown key (expected one of keys)'],
    },
  ])('refuses $note', ({ signing, errors }) => {
    const r = validateConfig(withSigning(signing));
    expect(r.ok ? [] : r.errors).toEqual(errors);
  });

  it('resolves key_file against the config file directory', () => {
    const text = `upstream: {database: app, user: gw}
identity: {issuer: 'https://idp.example', audience: portcullis, jwks: {url: 'https://idp.example/jwks'}}
policy:
  bundle: b.tar.gz
  signing:
    keys:
      - {id: a, algorithm: ES256, key_file: keys/a.pem}
      - {id: b, algorithm: ES256, key_env: KEY_B}
`;
    const r = parseConfigText(text, '/etc/portcullis/opa.config.yaml', {});
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(r.config.policy.signing?.keys.map((k) => k.key)).toEqual([
      { kind: 'file', path: '/etc/portcullis/keys/a.pem' },
      { kind: 'env', name: 'KEY_B' },
    ]);
  });

  it('lists exactly the algorithms bundles/signing verifies', () => {
    expect([...SIGNING_KEY_ALGORITHMS]).toEqual([...SIGNING_ALGORITHMS]);
  });
});
