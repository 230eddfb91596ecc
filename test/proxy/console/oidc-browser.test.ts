// The console's browser module (proxy/console/assets/oidc.js) run in Node with Node's Web Crypto
// and fetch, against a real dev issuer on 127.0.0.1: the PKCE pieces (RFC 7636's test vector), the
// authorization request startSignIn makes, and completeSignIn exchanging a real code for a token the
// gateway's verifier accepts, plus each way it refuses. Only the page's location, history and
// sessionStorage are stand-ins (tiny objects below); the browser tests (test/console) drive the
// same module in Chromium.

import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDevIssuer, serveIssuer } from '../../../proxy/dev/index.js';
import type { ServedIssuer } from '../../../proxy/dev/index.js';
import { es256Verifier } from '../../helpers/jwt.js';

type Oidc = {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  client_id: string;
  scope: string;
  redirect_uri: string;
};
type Page = {
  location: { href: string; assigned?: string; assign(url: string): void };
  history: { state: unknown; replaceState(state: unknown, title: string, url: string): void };
  sessionStorage: { getItem(k: string): string | null; setItem(k: string, v: string): void; removeItem(k: string): void };
  fetch: typeof fetch;
  crypto: typeof globalThis.crypto;
  store: Map<string, string>;
};
type OidcModule = {
  PENDING_KEY: string;
  randomToken(env?: Page): string;
  challengeFor(verifier: string, env?: Page): Promise<string>;
  loginHint(env?: Page): string | undefined;
  startSignIn(oidc: Oidc, env?: Page): Promise<void>;
  completeSignIn(oidc: Oidc, env?: Page): Promise<string | undefined>;
};

// a plain ES module for the browser: imported by URL so TypeScript does not type it
const mod = (await import(new URL('../../../proxy/console/assets/oidc.js', import.meta.url).href)) as OidcModule;

const CONSOLE = 'http://127.0.0.1:9/';

/** page is the part of a browser tab the module touches, at href. */
function page(href: string): Page {
  const store = new Map<string, string>();
  const p: Page = {
    location: {
      href,
      assign(url) {
        p.location.assigned = url;
      },
    },
    history: {
      state: null,
      replaceState(_state, _title, url) {
        p.location.href = new URL(url, p.location.href).href;
      },
    },
    sessionStorage: {
      getItem: (k) => store.get(k) ?? null,
      setItem: (k, v) => store.set(k, String(v)),
      removeItem: (k) => store.delete(k),
    },
    fetch: globalThis.fetch,
    crypto: globalThis.crypto,
    store,
  };
  return p;
}

let issuer: ServedIssuer;
let oidc: Oidc;
const cleanups: Array<() => Promise<void> | void> = [];
beforeEach(async () => {
  issuer = await serveIssuer(await createDevIssuer({ issuer: 'http://127.0.0.1', audience: 'portcullis' }), {
    issuerFromUrl: true,
    clients: [{ client_id: 'portcullis-console', redirect_uris: [CONSOLE] }],
    identities: { alice: { sub: 'alice', claims: { roles: ['db:approver'] } } },
  });
  cleanups.push(() => issuer.close());
  oidc = {
    issuer: issuer.url,
    authorization_endpoint: issuer.authorizationUrl,
    token_endpoint: issuer.tokenUrl,
    client_id: 'portcullis-console',
    scope: 'openid',
    redirect_uri: CONSOLE,
  };
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** toAnswer runs startSignIn on p (a console URL with login_hint), then the provider over HTTP, and leaves p at the answer. */
async function toAnswer(p: Page): Promise<URL> {
  await mod.startSignIn(oidc, p);
  const res = await fetch(p.location.assigned as string, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const back = new URL(res.headers.get('location') as string);
  p.location.href = back.href;
  return back;
}

describe('PKCE pieces', () => {
  it("computes RFC 7636 Appendix B's challenge", async () => {
    expect(await mod.challengeFor('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('makes 43-character verifiers that differ each time', () => {
    const seen = new Set(Array.from({ length: 50 }, () => mod.randomToken()));
    expect(seen.size).toBe(50);
    for (const v of seen) expect(v).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it.each([
    { href: 'http://127.0.0.1:9/?login_hint=alice', want: 'alice' },
    { href: 'http://127.0.0.1:9/#/approvals', want: undefined },
    { href: 'http://127.0.0.1:9/?login_hint=', want: undefined },
  ])('reads login_hint from $href', ({ href, want }) => {
    expect(mod.loginHint(page(href))).toBe(want);
  });
});

describe('startSignIn', () => {
  it('goes to the authorization endpoint with an S256 challenge of the verifier it keeps, and the login_hint', async () => {
    const p = page(`${CONSOLE}?login_hint=alice#/sessions/s1`);
    await mod.startSignIn(oidc, p);
    const pending = JSON.parse(p.store.get(mod.PENDING_KEY) as string) as { verifier: string; state: string; nonce: string; hash: string };
    const to = new URL(p.location.assigned as string);
    expect(to.origin + to.pathname).toBe(issuer.authorizationUrl);
    expect(Object.fromEntries(to.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'portcullis-console',
      redirect_uri: CONSOLE,
      scope: 'openid',
      state: pending.state,
      code_challenge: createHash('sha256').update(pending.verifier).digest('base64url'),
      code_challenge_method: 'S256',
      nonce: pending.nonce,
      login_hint: 'alice',
    });
    expect(pending.hash).toBe('#/sessions/s1');
  });

  it('refuses an oidc object without endpoints', async () => {
    await expect(mod.startSignIn({ ...oidc, token_endpoint: '' }, page(CONSOLE))).rejects.toThrow(
      'sign-in with the identity provider is not configured (missing token_endpoint)',
    );
  });
});

describe('completeSignIn', () => {
  it('exchanges the code for a token the gateway verifies, cleans the URL and restores the deep link', async () => {
    const p = page(`${CONSOLE}?login_hint=alice#/sessions/s1`);
    await toAnswer(p);
    const token = await mod.completeSignIn(oidc, p);
    expect(p.location.href).toBe(`${CONSOLE}#/sessions/s1`);
    expect(p.store.has(mod.PENDING_KEY)).toBe(false);
    const verifier = es256Verifier({ issuer: issuer.url, jwks: { url: issuer.jwksUrl } });
    cleanups.push(() => verifier.close());
    expect(await verifier.verify(token as string)).toMatchObject({ subject: 'alice', issuer: issuer.url });
  });

  it('resolves undefined on a page without an answer', async () => {
    const p = page(`${CONSOLE}#/approvals`);
    expect(await mod.completeSignIn(oidc, p)).toBeUndefined();
    expect(p.location.href).toBe(`${CONSOLE}#/approvals`);
  });

  type Case = { note: string; tamper: (p: Page, back: URL) => void; message: string | RegExp };
  const cases: Case[] = [
    {
      note: 'an answer for another sign-in (state)',
      tamper: (p, back) => {
        back.searchParams.set('state', 'forged');
        p.location.href = back.href;
      },
      message: 'sign-in failed: the answer does not belong to the sign-in this tab started (state mismatch); sign in again',
    },
    {
      note: 'an answer in a tab that started no sign-in',
      tamper: (p) => p.store.clear(),
      message: /^sign-in failed: this tab has no sign-in in progress/,
    },
    {
      note: 'an answer from another issuer',
      tamper: (p, back) => {
        back.searchParams.set('iss', 'https://evil.example');
        p.location.href = back.href;
      },
      message: `sign-in failed: the answer comes from https://evil.example, not ${'ISSUER'}`,
    },
    {
      note: 'a verifier the provider does not accept',
      tamper: (p) => {
        const pending = JSON.parse(p.store.get(mod.PENDING_KEY) as string) as Record<string, string>;
        p.store.set(mod.PENDING_KEY, JSON.stringify({ ...pending, verifier: mod.randomToken() }));
      },
      message: 'sign-in failed: the token endpoint answered 400: invalid_grant (code_verifier does not match the code_challenge)',
    },
    {
      note: 'an ID token for another sign-in (nonce)',
      tamper: (p) => {
        const pending = JSON.parse(p.store.get(mod.PENDING_KEY) as string) as Record<string, string>;
        p.store.set(mod.PENDING_KEY, JSON.stringify({ ...pending, nonce: 'other' }));
      },
      message: 'sign-in failed: the ID token was not issued for this sign-in (nonce mismatch)',
    },
  ];
  it.each(cases)('refuses $note, and still cleans the URL', async ({ tamper, message }) => {
    const p = page(`${CONSOLE}?login_hint=alice`);
    tamper(p, await toAnswer(p));
    const want = typeof message === 'string' ? message.replace('ISSUER', issuer.url) : message;
    await expect(mod.completeSignIn(oidc, p)).rejects.toThrow(want);
    expect(new URL(p.location.href).search).toBe('');
  });

  it('reports the provider’s error answer', async () => {
    const p = page(CONSOLE);
    await mod.startSignIn({ ...oidc, scope: 'profile' }, p);
    const res = await fetch(p.location.assigned as string, { redirect: 'manual' });
    p.location.href = res.headers.get('location') as string;
    await expect(mod.completeSignIn(oidc, p)).rejects.toThrow(
      'sign-in failed at the identity provider: invalid_scope (scope must include openid)',
    );
  });

  it('a reload after sign-in does not present the spent code again', async () => {
    const p = page(`${CONSOLE}?login_hint=alice`);
    const back = await toAnswer(p);
    expect(await mod.completeSignIn(oidc, p)).toEqual(expect.any(String));
    p.location.href = back.href; // the answer's URL opened again
    await expect(mod.completeSignIn(oidc, p)).rejects.toThrow(/no sign-in in progress/);
  });
});
