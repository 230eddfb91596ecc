// Token introspection (RFC 7662) end to end: a real local issuer serving /introspect with
// revocation (proxy/dev/issuer), a gateway whose verifier asks it at login and re-checks live
// sessions, real PostgreSQL and `pg`. Revoking the service account at the issuer refuses its new
// logins and ends its open sessions with FATAL 28000; an issuer that does not answer refuses new
// logins (fail closed) and keeps open sessions.

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier } from '../../proxy/auth/index.js';
import type { AuthEvent, TokenVerifier } from '../../proxy/auth/index.js';
import { toIdentityConfig } from '../../proxy/config/index.js';
import { serveIssuer } from '../../proxy/dev/index.js';
import type { ServedIssuer } from '../../proxy/dev/index.js';
import type { Gateway } from '../../proxy/index.js';
import { useStack } from './helpers.js';

const stack = useStack();
const CLIENT = { clientId: 'portcullis-gateway', clientSecret: 'introspection-secret' };
let endpoint: ServedIssuer;
let verifier: TokenVerifier;
let gateway: Gateway;
let secret = CLIENT.clientSecret;
const clients: pg.Client[] = [];
const authEvents: AuthEvent[] = [];

beforeAll(async () => {
  const s = stack.current;
  // the same issuer (keys and iss), also serving introspection
  endpoint = await serveIssuer(s.issuer.issuer, { introspection: CLIENT });
  verifier = createTokenVerifier(
    {
      ...toIdentityConfig(s.config),
      introspection: {
        url: endpoint.introspectionUrl,
        clientId: CLIENT.clientId,
        clientSecret: async () => secret,
        cacheSeconds: 0,
        recheckSeconds: 1,
      },
    },
    { log: (e) => authEvents.push(e) },
  );
  gateway = await s.startGateway({}, { verifier });
}, 60_000);

afterAll(async () => {
  for (const c of clients) await c.end().catch(() => undefined);
  verifier?.close();
  await endpoint?.close();
});

async function connect(sub: string): Promise<pg.Client> {
  const token = await stack.current.mint(sub, { roles: ['db:read'] });
  const client = new pg.Client({ ...stack.current.clientConfig(token), port: gateway.port });
  client.on('error', () => undefined);
  await client.connect();
  clients.push(client);
  return client;
}

async function loginError(sub: string): Promise<{ code?: string; message: string }> {
  try {
    await connect(sub);
  } catch (err) {
    return err as { code?: string; message: string };
  }
  throw new Error('the login succeeded but was expected to fail');
}

describe('token introspection', () => {
  it('lets an active token in', async () => {
    const client = await connect('svc-active');
    expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('refuses a revoked account at login and ends its open sessions, leaving others alone', async () => {
    const open = await connect('svc-revoked');
    const other = await connect('svc-other');
    const ended = new Promise<Error>((resolve) => open.once('error', resolve));
    endpoint.revoke({ sub: 'svc-revoked' });
    const err = await loginError('svc-revoked');
    expect(err).toMatchObject({ code: '28000', message: expect.stringMatching(/reports this token inactive/) });
    // the live session is re-checked (every second here) and closed with FATAL 28000
    const fatal = (await ended) as Error & { code?: string; severity?: string };
    expect(fatal).toMatchObject({ code: '28000', message: expect.stringMatching(/token inactive/) });
    expect((await other.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
    const closed = stack.current.events.filter((e) => e.type === 'session.closed' && e.subject === 'svc-revoked');
    expect(closed.some((e) => e.type === 'session.closed' && e.reason === 'revoked')).toBe(true);
  });

  it('revokes a single token by jti', async () => {
    const token = await stack.current.mint('svc-jti', { roles: ['db:read'] });
    const jti = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()).jti as string;
    endpoint.revoke({ jti });
    const client = new pg.Client({ ...stack.current.clientConfig(token), port: gateway.port });
    await expect(client.connect()).rejects.toMatchObject({ code: '28000' });
    await connect('svc-jti'); // another token of the same account still works
  });

  it('fails closed when the issuer does not answer (wrong client secret), without saying where it asked', async () => {
    const open = await connect('svc-during-outage');
    secret = 'wrong';
    try {
      const err = await loginError('svc-outage');
      expect(err).toMatchObject({ code: '28000', message: expect.stringMatching(/could not confirm/) });
      expect(err.message).not.toContain(endpoint.url);
      // the operator's log says why (the endpoint refused the gateway's client credentials)
      expect(authEvents.filter((e) => e.kind === 'introspection-failed').at(-1)).toMatchObject({
        reason: expect.stringMatching(/HTTP 401/),
      });
      // open sessions go on while the issuer cannot answer
      await new Promise((r) => setTimeout(r, 1_500));
      expect((await open.query('SELECT 3 AS three')).rows).toEqual([{ three: 3 }]);
    } finally {
      secret = CLIENT.clientSecret;
    }
    await connect('svc-after-outage');
  });
});
