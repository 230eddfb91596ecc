// What SIGHUP applies of a re-read configuration: the log level and the identity settings (a new
// token verifier swapped in, the old one closed), every other changed section named as needing a
// restart, and identity settings that cannot make a verifier leave the running one in place.

import { describe, expect, it } from 'vitest';
import { createTokenVerifier } from '../../../proxy/auth/index.js';
import type { TokenVerifier } from '../../../proxy/auth/index.js';
import { changedSections, reconfigure, swappableVerifier } from '../../../proxy/cli/gateway-reconfigure.js';
import { toIdentityConfig, validateConfig } from '../../../proxy/config/index.js';
import type { GatewayConfig } from '../../../proxy/config/index.js';

const BASE = {
  listen: { host: '127.0.0.1', port: 6432 },
  upstream: { host: '127.0.0.1', port: 5432, database: 'app', user: 'gw', password: 'pw' },
  identity: { issuer: 'https://issuer.test', audience: 'portcullis', jwks: { file: '/keys/a.json' }, algorithms: ['ES256'] },
  policy: { paths: ['policies'] },
  log: { level: 'info' },
};

function config(over: (c: typeof BASE) => unknown = (c) => c): GatewayConfig {
  const v = validateConfig(over(structuredClone(BASE)));
  if (!v.ok) throw new Error(v.errors.join('; '));
  return v.config;
}

/** verifierFor builds a real verifier of a configuration's identity settings, recording its closing. */
function verifierFor(c: GatewayConfig, closed: string[]): TokenVerifier {
  const v = createTokenVerifier(toIdentityConfig(c), { readFile: async () => '{"keys":[]}' });
  return { ...v, close: () => closed.push(c.identity.jwks.kind === 'file' ? c.identity.jwks.path : 'url') };
}

describe('reconfigure (SIGHUP)', () => {
  it.each([
    { note: 'nothing changed', after: config(), applied: [] as string[], restart: [] as string[] },
    { note: 'the log level', after: config((c) => ({ ...c, log: { level: 'debug' } })), applied: ['log'], restart: [] },
    {
      note: 'the JWKS source',
      after: config((c) => ({ ...c, identity: { ...c.identity, jwks: { file: '/keys/b.json' } } })),
      applied: ['identity'],
      restart: [],
    },
    { note: 'the listener', after: config((c) => ({ ...c, listen: { host: '0.0.0.0', port: 6432 } })), applied: [], restart: ['listen'] },
    {
      note: 'the upstream and the policy source',
      after: config((c) => ({ ...c, upstream: { ...c.upstream, host: 'db2' }, policy: { paths: ['other'] } })),
      applied: [],
      restart: ['policy', 'upstream'],
    },
  ])('$note', ({ after, applied, restart }) => {
    const before = config();
    const closed: string[] = [];
    const verifier = swappableVerifier(verifierFor(before, closed));
    let level = before.log.level;
    const report = reconfigure(before, after, {
      setLogLevel: (l) => {
        level = l;
      },
      verifier,
      makeVerifier: (c) => verifierFor(c, closed),
    });
    expect(report).toEqual({ applied, restartNeeded: restart, errors: [] });
    expect(level).toBe(after.log.level);
    expect(closed).toEqual(applied.includes('identity') ? ['/keys/a.json'] : []);
    expect(changedSections(before, after)).toEqual([...applied, ...restart].sort());
  });

  it('keeps the running verifier when the new identity settings cannot make one', () => {
    const before = config();
    const closed: string[] = [];
    const verifier = swappableVerifier(verifierFor(before, closed));
    const after = config((c) => ({ ...c, identity: { ...c.identity, jwks: { file: '/keys/c.json' } } }));
    const report = reconfigure(before, after, {
      setLogLevel: () => undefined,
      verifier,
      makeVerifier: () => {
        throw new Error('identity: the JWKS file cannot be read');
      },
    });
    expect(report.applied).toEqual([]);
    expect(report.errors).toEqual([expect.stringMatching(/JWKS file cannot be read.*previous identity settings stay/)]);
    expect(closed).toEqual([]);
  });
});
