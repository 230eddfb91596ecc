// Signing in to the web console with the identity provider, in Chromium: the authorization code
// flow with PKCE against the dev issuer's /authorize and /token (oidc.js in the page), end to end
// through a real gateway whose admin API verifies the ID token it yields. `/?login_hint=<name>`
// skips the issuer's page; the "Sign in with" button leads to it, and a deep link survives the
// round trip.

import pg from 'pg';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevIssuer, serveIssuer } from '../../proxy/dev/index.js';
import type { ServedIssuer } from '../../proxy/dev/index.js';
import { AUDIENCE, REPO_POLICIES, startServed, useStack } from '../e2e/helpers.js';
import type { StartedServed } from '../e2e/helpers.js';
import { CHROMIUM, SKIP_REASON, shot } from './harness.js';

const CLIENT_ID = 'portcullis-console';

describe.skipIf(SKIP_REASON !== undefined)('web console sign-in with the identity provider', () => {
  const stack = useStack();
  let issuer: ServedIssuer;
  let gateway: StartedServed;
  let browser: Browser;
  let url: string;

  beforeAll(async () => {
    const s = stack.current;
    const admin = new pg.Client(s.superuserConfig());
    await admin.connect();
    await admin.query('CREATE DATABASE oidc_console_state');
    await admin.end();
    issuer = await serveIssuer(await createDevIssuer({ issuer: 'http://127.0.0.1', audience: AUDIENCE }), {
      issuerFromUrl: true,
      identities: {
        approver: { sub: 'oidc-approver', claims: { roles: ['db:approver'] } },
        auditor: { sub: 'oidc-auditor', claims: { roles: ['audit:read'] } },
      },
    });
    [gateway, browser] = await Promise.all([
      startServed(s, {
        identity: { issuer: issuer.issuer.issuer, audience: AUDIENCE, jwks: { url: issuer.jwksUrl }, algorithms: ['ES256'] },
        policy: { paths: [REPO_POLICIES] },
        state: {
          host: s.pg.host,
          port: s.pg.port,
          database: 'oidc_console_state',
          user: s.pg.superuser.name,
          password: s.pg.superuser.password,
        },
        admin: { port: 0, console: { oidc: { client_id: CLIENT_ID } } },
        log: { level: 'warn' },
      }),
      chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], headless: true }),
    ]);
    url = `${gateway.adminUrl}/`;
    // the console's address is known once the admin API listens
    issuer.registerClient({ client_id: CLIENT_ID, redirect_uris: [url] });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
    await issuer?.close();
  });

  async function open(): Promise<{ page: Page; errors: string[] }> {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.setDefaultTimeout(8000);
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    return { page, errors };
  }

  it('signs in at once with /?login_hint=<name>, back on the deep link it started from', async () => {
    const { page, errors } = await open();
    await page.goto(`${url}?login_hint=approver#/approvals`);
    await page.locator('#who-sub', { hasText: 'oidc-approver' }).waitFor();
    await page.waitForURL(/#\/approvals$/);
    await expect(page.locator('#who-roles').textContent()).resolves.toBe('db:approver');
    // the provider's answer is gone from the address; the token is the ID token, kept for the tab
    expect(new URL(page.url()).searchParams.has('code')).toBe(false);
    const bearer = await page.evaluate<string | null>("sessionStorage.getItem('portcullis.token')");
    expect(JSON.parse(Buffer.from(bearer?.split('.')[1] ?? '', 'base64url').toString())).toMatchObject({
      sub: 'oidc-approver',
      iss: issuer.issuer.issuer,
      aud: expect.arrayContaining([AUDIENCE, CLIENT_ID]),
    });
    await page.locator('#queue-empty').waitFor();
    expect(errors).toEqual([]);
  });

  it('signs in through the "Sign in with" button and the issuer\'s page', async () => {
    const { page, errors } = await open();
    await page.goto(url);
    await page.waitForURL(/#\/signin$/);
    const button = page.locator('#signin-oidc');
    await expect(button.textContent()).resolves.toBe(`Sign in with ${issuer.issuer.issuer}`);
    await shot(page, 'signin-oidc');
    await button.click();
    await page.waitForURL((u) => u.href.startsWith(issuer.authorizationUrl));
    await page.locator('button[name=identity][value=auditor]').click();
    await page.locator('#who-sub', { hasText: 'oidc-auditor' }).waitFor();
    await page.waitForURL(/#\/$/);
    expect(errors).toEqual([]);
  });
});
