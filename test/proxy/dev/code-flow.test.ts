// The dev issuer's authorization code flow with PKCE over real HTTP on 127.0.0.1: authorize (with
// login_hint, or through the sign-in page's form) → 302 with code and state → /token with the
// verifier → tokens the gateway's verifier (proxy/auth) accepts; and each way a request is refused,
// with its RFC 6749 error code.

import { createHash, randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDevIssuer, serveIssuer } from '../../../proxy/dev/index.js';
import type { ServedIssuer } from '../../../proxy/dev/index.js';
import { es256Verifier } from '../../helpers/jwt.js';

const CLIENT = 'portcullis-console';
const REDIRECT = 'http://127.0.0.1:9/';
const CONSOLE_ORIGIN = 'http://127.0.0.1:9';
const IDENTITIES = {
  alice: { sub: 'alice', claims: { roles: ['db:approver'] } },
  bob: { sub: 'bob', claims: { roles: ['db:approver'], name: 'Bob <b>"the second"</b>' } },
  agent: { sub: 'agent', claims: { roles: ['db:write'] } },
};

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function served(): Promise<ServedIssuer> {
  const issuer = await createDevIssuer({ issuer: 'http://placeholder.invalid', audience: 'portcullis' });
  const s = await serveIssuer(issuer, {
    issuerFromUrl: true,
    clients: [{ client_id: CLIENT, redirect_uris: [REDIRECT] }],
    identities: IDENTITIES,
  });
  cleanups.push(() => s.close());
  return s;
}

type Pkce = { verifier: string; challenge: string };
function pkce(): Pkce {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizeUrl(s: ServedIssuer, challenge: string, extra: Record<string, string | undefined> = {}): string {
  const params: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: CLIENT,
    redirect_uri: REDIRECT,
    scope: 'openid',
    state: 'st-123',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  };
  const url = new URL(s.authorizationUrl);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url.href;
}

/** codeFor runs /authorize with login_hint and returns the code from the redirect. */
async function codeFor(s: ServedIssuer, p: Pkce, who = 'alice', extra: Record<string, string> = {}): Promise<string> {
  const res = await fetch(authorizeUrl(s, p.challenge, { login_hint: who, ...extra }), { redirect: 'manual' });
  expect(res.status).toBe(302);
  const code = new URL(res.headers.get('location') ?? '').searchParams.get('code');
  expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
  return code as string;
}

function exchange(s: ServedIssuer, form: Record<string, string | undefined>, headers: Record<string, string> = {}): Promise<Response> {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) if (v !== undefined) body.set(k, v);
  return fetch(s.tokenUrl, { method: 'POST', body, headers });
}

function verifierFor(s: ServedIssuer) {
  const v = es256Verifier({ issuer: s.url, jwks: { url: s.jwksUrl } });
  cleanups.push(() => v.close());
  return v;
}

describe('authorization code flow with PKCE', () => {
  it('advertises the endpoints in the discovery document', async () => {
    const s = await served();
    const meta = (await (await fetch(`${s.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(meta).toMatchObject({
      issuer: s.url,
      authorization_endpoint: `${s.url}/authorize`,
      token_endpoint: `${s.url}/token`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['none'],
    });
  });

  it('login_hint → code and state → tokens the gateway verifies', async () => {
    const s = await served();
    const p = pkce();
    const res = await fetch(authorizeUrl(s, p.challenge, { login_hint: 'alice', nonce: 'n-0S6' }), { redirect: 'manual' });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get('location') ?? '');
    expect(back.origin + back.pathname).toBe(REDIRECT);
    expect(back.searchParams.get('state')).toBe('st-123');
    expect(back.searchParams.get('iss')).toBe(s.url);
    const token = await exchange(
      s,
      {
        grant_type: 'authorization_code',
        code: back.searchParams.get('code') ?? '',
        redirect_uri: REDIRECT,
        client_id: CLIENT,
        code_verifier: p.verifier,
      },
      { origin: CONSOLE_ORIGIN },
    );
    expect(token.status).toBe(200);
    expect(token.headers.get('cache-control')).toBe('no-store');
    expect(token.headers.get('access-control-allow-origin')).toBe(CONSOLE_ORIGIN);
    const body = (await token.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 900, access_token: expect.any(String), id_token: expect.any(String) });
    const verifier = verifierFor(s);
    for (const t of [body.access_token, body.id_token] as string[]) {
      const principal = await verifier.verify(t);
      expect(principal).toMatchObject({ subject: 'alice', issuer: s.url });
      expect(principal.claims.roles).toEqual(['db:approver']);
    }
    const id = decodeJwt(body.id_token as string);
    expect(id).toMatchObject({ aud: ['portcullis', CLIENT], azp: CLIENT, nonce: 'n-0S6' });
    expect(decodeJwt(body.access_token as string).aud).toBe('portcullis');
  });

  it('answers CORS only for the origins of registered redirect URIs, and the preflight', async () => {
    const s = await served();
    const pre = await fetch(s.tokenUrl, {
      method: 'OPTIONS',
      headers: { origin: CONSOLE_ORIGIN, 'access-control-request-method': 'POST' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(CONSOLE_ORIGIN);
    expect(pre.headers.get('access-control-allow-methods')).toBe('POST');
    const other = await exchange(s, { grant_type: 'authorization_code' }, { origin: 'http://evil.example' });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const foreignPre = await fetch(s.tokenUrl, { method: 'OPTIONS', headers: { origin: 'http://evil.example' } });
    expect(foreignPre.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('a client registered after start may sign in (the demo learns its admin port late)', async () => {
    const s = await served();
    const p = pkce();
    const late = 'http://127.0.0.1:10/';
    const before = await fetch(authorizeUrl(s, p.challenge, { client_id: 'late', redirect_uri: late, login_hint: 'agent' }), {
      redirect: 'manual',
    });
    expect(before.status).toBe(400);
    s.registerClient({ client_id: 'late', redirect_uris: [late] });
    const after = await fetch(authorizeUrl(s, p.challenge, { client_id: 'late', redirect_uri: late, login_hint: 'agent' }), {
      redirect: 'manual',
    });
    expect(after.status).toBe(302);
    const code = new URL(after.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const res = await exchange(s, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: late,
      client_id: 'late',
      code_verifier: p.verifier,
    });
    expect(res.status).toBe(200);
  });

  it.each(['/relative', 'http://127.0.0.1:9/#frag', 'not a url'])('registerClient refuses the redirect URI %s', async (uri) => {
    const s = await served();
    expect(() => s.registerClient({ client_id: 'x', redirect_uris: [uri] })).toThrow(TypeError);
  });

  type TokenCase = { note: string; status: number; error: string; form: (code: string, p: Pkce) => Record<string, string | undefined> };
  const tokenCases: TokenCase[] = [
    { note: 'a wrong verifier', status: 400, error: 'invalid_grant', form: (c, p) => form(c, p, { code_verifier: pkce().verifier }) },
    {
      note: 'another redirect_uri',
      status: 400,
      error: 'invalid_grant',
      form: (c, p) => form(c, p, { redirect_uri: 'http://127.0.0.1:9/other' }),
    },
    { note: 'an unknown client', status: 401, error: 'invalid_client', form: (c, p) => form(c, p, { client_id: 'stranger' }) },
    { note: 'a bad grant type', status: 400, error: 'unsupported_grant_type', form: (c, p) => form(c, p, { grant_type: 'password' }) },
    { note: 'no grant type', status: 400, error: 'invalid_request', form: (c, p) => form(c, p, { grant_type: undefined }) },
    { note: 'no verifier', status: 400, error: 'invalid_request', form: (c, p) => form(c, p, { code_verifier: undefined }) },
    { note: 'a too short verifier', status: 400, error: 'invalid_request', form: (c, p) => form(c, p, { code_verifier: 'short' }) },
    { note: 'an unknown code', status: 400, error: 'invalid_grant', form: (_c, p) => form('nope', p) },
    {
      note: 'the challenge as verifier (plain)',
      status: 400,
      error: 'invalid_grant',
      form: (c, p) => form(c, p, { code_verifier: p.challenge }),
    },
  ];
  it.each(tokenCases)('/token refuses $note: $error', async ({ status, error, form: make }) => {
    const s = await served();
    const p = pkce();
    const res = await exchange(s, make(await codeFor(s, p), p));
    expect(res.status).toBe(status);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toMatchObject({ error, error_description: expect.any(String) });
  });

  it('a code is single use: the second exchange is refused, even after a wrong first try', async () => {
    const s = await served();
    const p = pkce();
    const code = await codeFor(s, p);
    expect((await exchange(s, form(code, p))).status).toBe(200);
    const again = await exchange(s, form(code, p));
    expect(again.status).toBe(400);
    expect(await again.json()).toEqual({ error: 'invalid_grant', error_description: 'the code was already used' });
    const other = await codeFor(s, p);
    expect((await exchange(s, form(other, p, { code_verifier: pkce().verifier }))).status).toBe(400);
    expect(await (await exchange(s, form(other, p))).json()).toMatchObject({
      error: 'invalid_grant',
      error_description: 'the code was already used',
    });
  });

  it('a code expires after 60 seconds', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.UTC(2026, 5, 1, 8, 0, 0) });
    const s = await served();
    const p = pkce();
    const fresh = await codeFor(s, p);
    const stale = await codeFor(s, p);
    vi.setSystemTime(Date.UTC(2026, 5, 1, 8, 0, 59));
    expect((await exchange(s, form(fresh, p))).status).toBe(200);
    vi.setSystemTime(Date.UTC(2026, 5, 1, 8, 1, 0));
    expect(await (await exchange(s, form(stale, p))).json()).toMatchObject({
      error: 'invalid_grant',
      error_description: expect.stringMatching(/expired/),
    });
  });

  it('/token wants a form body', async () => {
    const s = await served();
    const res = await fetch(s.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"grant_type":"authorization_code"}',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_request' });
    expect((await fetch(s.tokenUrl)).status).toBe(405);
  });

  type PageCase = { note: string; extra: Record<string, string | undefined>; message: RegExp };
  const pageCases: PageCase[] = [
    { note: 'an unknown client', extra: { client_id: 'stranger' }, message: /Unknown client &#34;stranger&#34;/ },
    { note: 'no client', extra: { client_id: undefined }, message: /names no client_id/ },
    { note: 'an unregistered redirect URI', extra: { redirect_uri: 'http://evil.example/' }, message: /is not registered for client/ },
    { note: 'a redirect URI differing by a path', extra: { redirect_uri: `${REDIRECT}x` }, message: /is not registered for client/ },
    { note: 'no redirect URI', extra: { redirect_uri: undefined }, message: /needs exactly one redirect_uri/ },
  ];
  it.each(pageCases)('/authorize shows an error page, never a redirect, for $note', async ({ extra, message }) => {
    const s = await served();
    const res = await fetch(authorizeUrl(s, pkce().challenge, { login_hint: 'alice', ...extra }), { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await res.text()).toMatch(message);
  });

  type RedirectCase = { note: string; extra: Record<string, string | undefined>; error: string; state?: string | null };
  const redirectCases: RedirectCase[] = [
    { note: 'the plain method', extra: { code_challenge_method: 'plain' }, error: 'invalid_request' },
    { note: 'no method (plain by default)', extra: { code_challenge_method: undefined }, error: 'invalid_request' },
    { note: 'no challenge', extra: { code_challenge: undefined }, error: 'invalid_request' },
    { note: 'a malformed challenge', extra: { code_challenge: 'abc' }, error: 'invalid_request' },
    { note: 'no state', extra: { state: undefined }, error: 'invalid_request', state: null },
    { note: 'the implicit flow', extra: { response_type: 'token' }, error: 'unsupported_response_type' },
    { note: 'a scope without openid', extra: { scope: 'profile' }, error: 'invalid_scope' },
    { note: 'prompt=none with nobody named', extra: { login_hint: undefined, prompt: 'none' }, error: 'login_required' },
  ];
  it.each(redirectCases)('/authorize sends $error back to the client for $note', async ({ extra, error, state }) => {
    const s = await served();
    const res = await fetch(authorizeUrl(s, pkce().challenge, { login_hint: 'alice', ...extra }), { redirect: 'manual' });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get('location') ?? '');
    expect(back.origin + back.pathname).toBe(REDIRECT);
    expect(back.searchParams.get('error')).toBe(error);
    expect(back.searchParams.get('error_description')).toEqual(expect.any(String));
    expect(back.searchParams.get('code')).toBeNull();
    expect(back.searchParams.get('state')).toBe(state === undefined ? 'st-123' : state);
  });
});

describe('the sign-in page', () => {
  /** formOf reads the page's form: its hidden fields and the identity each button submits. */
  function formOf(html: string): { action: string; hidden: Record<string, string>; identities: string[] } {
    const fromEntities = (t: string) => t.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
    const action = /<form method="post" action="([^"]+)">/.exec(html)?.[1] ?? '';
    const hidden: Record<string, string> = {};
    for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
      hidden[fromEntities(m[1] as string)] = fromEntities(m[2] as string);
    const identities = [...html.matchAll(/<button class="who" type="submit" name="identity" value="([^"]+)">/g)].map((m) =>
      fromEntities(m[1] as string),
    );
    return { action, hidden, identities };
  }

  it('lists the identities, and its form completes the flow', async () => {
    const s = await served();
    const p = pkce();
    const state = '"><script>alert(1)</script>';
    const page = await fetch(authorizeUrl(s, p.challenge, { state, nonce: 'n-1' }));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain(`form-action 'self' ${CONSOLE_ORIGIN}`);
    const html = await page.text();
    expect(html).not.toContain('<script>');
    expect(html).toContain('Bob &#60;b&#62;');
    const f = formOf(html);
    expect(f.identities).toEqual(['alice', 'bob', 'agent']);
    expect(f.action).toBe('/authorize');
    expect(f.hidden).toEqual({
      response_type: 'code',
      client_id: CLIENT,
      redirect_uri: REDIRECT,
      scope: 'openid',
      state,
      code_challenge: p.challenge,
      code_challenge_method: 'S256',
      nonce: 'n-1',
    });
    // the browser submits the form with the button pressed
    const posted = await fetch(new URL(f.action, s.url), {
      method: 'POST',
      body: new URLSearchParams({ ...f.hidden, identity: 'bob' }),
      redirect: 'manual',
    });
    expect(posted.status).toBe(302);
    const back = new URL(posted.headers.get('location') ?? '');
    expect(back.searchParams.get('state')).toBe(state);
    const res = await exchange(s, form(back.searchParams.get('code') ?? '', p));
    const body = (await res.json()) as { id_token: string };
    const principal = await verifierFor(s).verify(body.id_token);
    expect(principal).toMatchObject({ subject: 'bob' });
    expect(decodeJwt(body.id_token).nonce).toBe('n-1');
  });

  it('an unknown login_hint shows the page with a notice; an unknown posted identity is refused (400)', async () => {
    const s = await served();
    const p = pkce();
    const page = await fetch(authorizeUrl(s, p.challenge, { login_hint: 'mallory' }), { redirect: 'manual' });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('There is no identity named &#34;mallory&#34; here');
    const f = formOf(await (await fetch(authorizeUrl(s, p.challenge))).text());
    const posted = await fetch(`${s.url}/authorize`, {
      method: 'POST',
      body: new URLSearchParams({ ...f.hidden, identity: 'mallory' }),
      redirect: 'manual',
    });
    expect(posted.status).toBe(400);
    expect(posted.headers.get('location')).toBeNull();
  });
});

function form(code: string, p: Pkce, over: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: CLIENT, code_verifier: p.verifier, ...over };
}
