// The console's OIDC settings: `admin.console.oidc` validated with the rest of opa.config.yaml, and
// consoleOidc reading a real (dev) issuer's discovery document over HTTP on 127.0.0.1, plus each
// way the provider can be unusable: null and an operator event, never a rejection.

import { afterEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../../../proxy/config/index.js';
import type { GatewayConfig } from '../../../proxy/config/index.js';
import { consoleOidc } from '../../../proxy/console/oidc.js';
import type { ConsoleOidcEvent } from '../../../proxy/console/oidc.js';
import { createDevIssuer, serveIssuer } from '../../../proxy/dev/index.js';
import type { ServedIssuer } from '../../../proxy/dev/index.js';

const ADMIN_URL = 'http://127.0.0.1:9187';

/** doc is a valid opa.config.yaml document with `admin.console` set to the given value. */
function doc(console: unknown, issuer = 'https://idp.example'): Record<string, unknown> {
  return {
    upstream: { database: 'app', user: 'gw' },
    identity: { issuer, audience: 'portcullis', jwks: { url: 'https://idp.example/jwks' } },
    policy: { paths: ['policies'] },
    ...(console !== undefined ? { admin: { console } } : {}),
  };
}

function configOf(raw: Record<string, unknown>): GatewayConfig {
  const r = validateConfig(raw);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.config;
}

describe('admin.console.oidc', () => {
  it.each([
    { note: 'absent', console: undefined, want: undefined },
    { note: 'a console without oidc', console: { enabled: true }, want: undefined },
    {
      note: 'a client id: scope openid, the identity issuer',
      console: { oidc: { client_id: 'portcullis-console' } },
      want: { clientId: 'portcullis-console', scope: 'openid' },
    },
    {
      note: 'an issuer and a scope of its own',
      console: { oidc: { client_id: 'c', issuer: 'https://login.example/realms/ops', scope: 'openid profile' } },
      want: { clientId: 'c', issuer: 'https://login.example/realms/ops', scope: 'openid profile' },
    },
    {
      note: 'an http issuer on loopback',
      console: { oidc: { client_id: 'c', issuer: 'http://127.0.0.1:8400' } },
      want: { clientId: 'c', issuer: 'http://127.0.0.1:8400', scope: 'openid' },
    },
  ])('reads $note', ({ console, want }) => {
    expect(configOf(doc(console)).admin.console.oidc).toEqual(want);
  });

  it.each([
    { note: 'no client id', console: { oidc: { scope: 'openid' } }, error: 'admin.console.oidc.client_id: is required' },
    {
      note: 'an empty client id',
      console: { oidc: { client_id: '' } },
      error: 'admin.console.oidc.client_id: must be a non-empty string, got string ""',
    },
    {
      note: 'a scope without openid',
      console: { oidc: { client_id: 'c', scope: 'profile email' } },
      error: 'admin.console.oidc.scope: must include openid (the console signs in with OpenID Connect), got "profile email"',
    },
    {
      note: 'a plain-http issuer off loopback',
      console: { oidc: { client_id: 'c', issuer: 'http://idp.example' } },
      error:
        'admin.console.oidc.issuer: "http://idp.example" must use https (http is accepted only for 127.0.0.1, localhost and [::1]) (the console reads <issuer>/.well-known/openid-configuration)',
    },
    {
      note: 'an unknown key',
      console: { oidc: { client_id: 'c', secret: 'x' } },
      error: 'admin.console.oidc.secret: unknown key (expected one of client_id, issuer, scope)',
    },
    {
      note: 'an unknown console key',
      console: { theme: 'dark' },
      error: 'admin.console.theme: unknown key (expected one of enabled, oidc)',
    },
    { note: 'oidc not a mapping', console: { oidc: 'yes' }, error: 'admin.console.oidc: must be a mapping, got string "yes"' },
  ])('refuses $note', ({ console, error }) => {
    expect(validateConfig(doc(console))).toEqual({ ok: false, errors: [error] });
  });
});

describe('consoleOidc', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  async function served(issuerFromUrl = true): Promise<ServedIssuer> {
    const s = await serveIssuer(await createDevIssuer({ issuer: 'http://127.0.0.1', audience: 'portcullis' }), { issuerFromUrl });
    cleanups.push(() => s.close());
    return s;
  }
  function run(config: GatewayConfig, deps: Parameters<typeof consoleOidc>[2] = {}) {
    const events: ConsoleOidcEvent[] = [];
    return { events, result: consoleOidc(config, ADMIN_URL, { ...deps, log: (e) => events.push(e) }) };
  }

  it('joins the client with the endpoints of the gateway’s own issuer (the default)', async () => {
    const s = await served();
    const { events, result } = run(configOf(doc({ oidc: { client_id: 'portcullis-console' } }, s.url)));
    expect(await result).toEqual({
      issuer: s.url,
      authorization_endpoint: `${s.url}/authorize`,
      token_endpoint: `${s.url}/token`,
      client_id: 'portcullis-console',
      scope: 'openid',
      redirect_uri: `${ADMIN_URL}/`,
    });
    expect(events).toEqual([{ kind: 'console.oidc-ready', issuer: s.url, client_id: 'portcullis-console' }]);
  });

  it('reads another provider when admin.console.oidc.issuer names one', async () => {
    const s = await served();
    const { result } = run(configOf(doc({ oidc: { client_id: 'c', issuer: s.url, scope: 'openid email' } })));
    expect(await result).toMatchObject({ issuer: s.url, token_endpoint: `${s.url}/token`, scope: 'openid email' });
  });

  it('is null, asking nothing, when not configured', async () => {
    let asked = false;
    const { events, result } = run(configOf(doc(undefined)), {
      fetchDiscovery: async () => {
        asked = true;
        return {};
      },
    });
    expect(await result).toBeNull();
    expect(asked).toBe(false);
    expect(events).toEqual([]);
  });

  it('is null with an operator event when nothing answers', async () => {
    // an issuer that was there and stopped: its port no longer answers
    const gone = await serveIssuer(await createDevIssuer({ issuer: 'http://127.0.0.1', audience: 'portcullis' }), { issuerFromUrl: true });
    await gone.close();
    const issuer = gone.url;
    const { events, result } = run(configOf(doc({ oidc: { client_id: 'c' } }, issuer)));
    expect(await result).toBeNull();
    expect(events).toEqual([
      {
        kind: 'console.oidc-unavailable',
        issuer,
        reason: expect.stringMatching(
          new RegExp(
            `^cannot read ${issuer}/\\.well-known/openid-configuration: fetch failed \\(ECONNREFUSED\\); the console offers pasted tokens only$`,
          ),
        ),
      },
    ]);
  });

  it('is null when the document names another issuer', async () => {
    const s = await served(false);
    const { events, result } = run(configOf(doc({ oidc: { client_id: 'c' } }, s.url)));
    expect(await result).toBeNull();
    expect(events[0]).toMatchObject({
      kind: 'console.oidc-unavailable',
      reason: expect.stringContaining('names issuer "http://127.0.0.1", not'),
    });
  });

  const ISSUER = 'https://idp.example';
  const good = { issuer: ISSUER, authorization_endpoint: `${ISSUER}/auth`, token_endpoint: `${ISSUER}/token` };
  it.each([
    { note: 'not an object', document: ['x'], reason: 'the discovery document is not a JSON object' },
    {
      note: 'no authorization endpoint',
      document: { ...good, authorization_endpoint: undefined },
      reason: 'has no http(s) authorization_endpoint',
    },
    {
      note: 'a javascript: token endpoint',
      document: { ...good, token_endpoint: 'javascript:alert(1)' },
      reason: 'has no http(s) token_endpoint',
    },
    { note: 'no code flow', document: { ...good, response_types_supported: ['id_token'] }, reason: 'does not support response_type code' },
    {
      note: 'plain PKCE only',
      document: { ...good, code_challenge_methods_supported: ['plain'] },
      reason: 'does not support PKCE with S256',
    },
  ])('is null for a document with $note', async ({ document, reason }) => {
    const { events, result } = run(configOf(doc({ oidc: { client_id: 'c' } })), { fetchDiscovery: async () => document });
    expect(await result).toBeNull();
    expect(events).toEqual([{ kind: 'console.oidc-unavailable', issuer: ISSUER, reason: expect.stringContaining(reason) }]);
  });

  it('accepts a document that does not list its PKCE methods', async () => {
    const { result } = run(configOf(doc({ oidc: { client_id: 'c' } })), { fetchDiscovery: async () => good });
    expect(await result).toMatchObject({ authorization_endpoint: `${ISSUER}/auth` });
  });

  it('gives up after its timeout, even when the fetch ignores the signal', async () => {
    const started = Date.now();
    const { events, result } = run(configOf(doc({ oidc: { client_id: 'c' } })), {
      fetchDiscovery: () => new Promise(() => undefined),
      timeoutMs: 100,
    });
    expect(await result).toBeNull();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(events).toEqual([{ kind: 'console.oidc-unavailable', issuer: ISSUER, reason: expect.stringContaining(': timed out;') }]);
  });
});
