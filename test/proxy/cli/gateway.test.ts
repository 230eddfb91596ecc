// The composition root's reads of the outside world (proxy/cli/gateway.ts): the upstream
// password_env is resolved against the env it is given, and the TLS files are read here (an
// unreadable file rejects with the file-system error the CLI prints as one line).

import { describe, expect, it } from 'vitest';
import { startGatewayFromConfig } from '../../../proxy/cli/gateway.js';
import { validateConfig } from '../../../proxy/config/index.js';
import type { GatewayConfig } from '../../../proxy/config/index.js';
import { REPO_ROOT } from '../../helpers/shared.js';

function configWith(patch: Record<string, unknown>): GatewayConfig {
  const result = validateConfig({
    upstream: { database: 'app', user: 'gw' },
    identity: { issuer: 'https://idp.example', audience: 'portcullis', jwks: { url: 'https://idp.example/jwks' } },
    policy: { paths: ['/nonexistent/policies'] },
    ...patch,
  });
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.config;
}

describe('startGatewayFromConfig', () => {
  it('fails with one line when password_env is not in the env it is given', async () => {
    const config = configWith({ upstream: { database: 'app', user: 'gw', password_env: 'PORTCULLIS_TEST_UNSET_PASSWORD' } });
    await expect(startGatewayFromConfig(config, () => undefined, {})).resolves.toEqual({
      kind: 'failed',
      reasons: ['upstream.password_env: environment variable PORTCULLIS_TEST_UNSET_PASSWORD is not set'],
    });
  });

  it.each([
    {
      note: 'an unset variable',
      masking: { hash_key_env: 'PORTCULLIS_TEST_UNSET_KEY' },
      env: {},
      reason: /masking.hash_key_env: environment variable PORTCULLIS_TEST_UNSET_KEY must hold a key of at least 16 bytes/,
    },
    { note: 'a short key', masking: { hash_key_env: 'K' }, env: { K: 'short' }, reason: /at least 16 bytes/ },
    {
      note: 'a missing file',
      masking: { hash_key_file: '/nonexistent/portcullis/hash.key' },
      env: {},
      reason: /masking.hash_key_file: \/nonexistent\/portcullis\/hash.key cannot be read/,
    },
  ])('refuses to start with the hash mask key from $note', async ({ masking, env, reason }) => {
    const r = await startGatewayFromConfig(configWith({ masking }), () => undefined, env);
    expect(r).toMatchObject({ kind: 'failed', reasons: [expect.stringMatching(reason)] });
  });

  it('does not start from a bundle URL that answers nothing when none is persisted', async () => {
    const config = configWith({ policy: { bundle: { url: 'http://127.0.0.1:1/bundles/p.tar.gz' } } });
    await expect(startGatewayFromConfig(config, () => undefined, {})).resolves.toEqual({
      kind: 'failed',
      reasons: [
        expect.stringMatching(
          /^policy\.bundle: no bundle could be downloaded from http:\/\/127\.0\.0\.1:1\/bundles\/p\.tar\.gz \(.+\) and none is persisted$/,
        ),
      ],
    });
  });

  it('fails with one line when state.password_env is not in the env it is given', async () => {
    const config = configWith({ state: { database: 'st', user: 'gw', password_env: 'PORTCULLIS_TEST_UNSET_STATE' } });
    await expect(startGatewayFromConfig(config, () => undefined, {})).resolves.toEqual({
      kind: 'failed',
      reasons: ['state.password_env: environment variable PORTCULLIS_TEST_UNSET_STATE is not set'],
    });
  });

  it('starts when the state store cannot be reached, and logs state.failed', async () => {
    const lines: string[] = [];
    const config = configWith({
      listen: { port: 0 },
      admin: { port: 0 },
      policy: { paths: [`${REPO_ROOT}/policies`] },
      state: { url: 'postgres://gw@127.0.0.1:1/st', connect_timeout: '2s' },
    });
    const r = await startGatewayFromConfig(config, (line) => lines.push(line));
    expect(r.kind).toBe('started');
    if (r.kind === 'started') await r.close();
    const failed = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l['event'] === 'state.failed');
    expect(failed).toMatchObject({
      level: 50,
      code: 'ERR_PROXY_STATE_UNAVAILABLE',
      error: 'state store unavailable: cannot log in to 127.0.0.1:1/st: connection refused',
    });
  });

  it('reads the TLS files itself: a missing key file rejects with ENOENT naming it', async () => {
    const config = configWith({ tls: { cert: '/nonexistent/portcullis/cert.pem', key: '/nonexistent/portcullis/key.pem' } });
    await expect(startGatewayFromConfig(config, () => undefined)).rejects.toMatchObject({
      code: 'ENOENT',
      path: '/nonexistent/portcullis/key.pem',
    });
  });
});
