// The web console in a real Chromium against a real gateway, PostgreSQL, state store and issuer:
// an approver signs in with a pasted token, a statement psql sends is held and appears in the
// queue without a reload, is approved by keyboard (psql gets its rows) or denied (psql gets the
// error); the requester and an auditor see the approval policy's reasons and fewer or no buttons;
// a database token sees the audit policy's refusal instead of any request; an auditor finds the
// statement in its session (deep link) with its masked result rows; the policy and overview pages
// render; no page logs a console error; the main pages work at 390 px; an expired token returns to
// sign-in with the reason. Screenshots of each main page go to test-artifacts/console/.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { heldId, SKIP_REASON, shot, signIn, useRig } from './harness.js';

/** PolicyBody is the part of GET /v1/policy's answer the tests read. */
type PolicyBody = { last_reload_impact: { state: string } | null };

/** focused is the id of the element that has the keyboard focus. */
function focused(page: Page): Promise<string> {
  return page.evaluate<string>("document.activeElement ? document.activeElement.id : ''");
}

describe.skipIf(SKIP_REASON !== undefined)('web console in Chromium', () => {
  const rig = useRig();
  let approverPage: Page;
  let approver: string;
  /** errors are the console errors and page errors of every page opened without a deliberate failure. */
  const errors: string[][] = [];

  it('signs in with a pasted approver token and shows who is signed in', async () => {
    const opened = await rig.current.page();
    const page = opened.page;
    errors.push(opened.errors);
    approverPage = page;
    approver = await rig.current.mint('alice', ['db:approver']);
    await page.goto(rig.current.url);
    // not signed in: any page leads to sign-in
    await page.waitForURL(/#\/signin$/);
    await shot(page, 'signin');
    await signIn(page, rig.current.url, approver, 'alice');
    await expect(page.locator('#who-roles').textContent()).resolves.toBe('db:approver');
    expect(await page.evaluate("sessionStorage.getItem('portcullis.token')")).toBe(approver);
  });

  it('shows a held statement in the queue without a reload; approving by keyboard with a reason gives psql its rows', async () => {
    const page = approverPage;
    await page.goto(`${rig.current.url}#/approvals`);
    await page.locator('#queue-empty, #queue article').first().waitFor();
    await page.evaluate('window.notReloaded = true');
    const client = await rig.current.psql("UPDATE customers SET name = 'Ada L.' WHERE id = 1 RETURNING name", 'ci-job', ['db:write']);
    const id = await heldId(client);
    const card = page.locator(`article[data-id="${id}"]`);
    await card.waitFor({ timeout: 5000 });
    expect(await page.evaluate('window.notReloaded')).toBe(true);
    await expect(card.locator('.requester').textContent()).resolves.toContain('ci-job');
    await expect(card.locator('.sql-kw').first().textContent()).resolves.toBe('UPDATE');
    await expect(card.locator('.policy-reasons').textContent()).resolves.toContain('production.write');
    // the countdown ticks every second
    const before = await card.locator('.countdown').textContent();
    await expect.poll(() => card.locator('.countdown').textContent(), { timeout: 3000 }).not.toBe(before);
    await shot(page, 'approvals');

    await card.locator('a.approval-link').click();
    await page.locator('#reason').waitFor();
    await expect(page.locator('#approve').isDisabled()).resolves.toBe(true);
    await expect(page.locator('#deny').isDisabled()).resolves.toBe(true);
    await shot(page, 'approval');
    // keyboard only: tab from the top of the page to the reason, type it, tab to Approve, press Enter
    await page.locator('h1').focus();
    for (let i = 0; i < 60 && (await focused(page)) !== 'reason'; i++) await page.keyboard.press('Tab');
    await expect(focused(page)).resolves.toBe('reason');
    await page.keyboard.type('reviewed in the console');
    await expect(page.locator('#approve').isEnabled()).resolves.toBe(true);
    await page.keyboard.press('Tab');
    await expect(focused(page)).resolves.toBe('approve');
    await page.keyboard.press('Enter');
    const done = await client.done;
    expect(done).toMatchObject({ code: 0 });
    expect(done.stdout.trim()).toBe('Ada L.\nUPDATE 1');
    await page.locator('#history', { hasText: 'reviewed in the console' }).waitFor();
    await expect(page.locator('#history .badge-approved').count()).resolves.toBe(1);
    await expect(page.locator('#approve').count()).resolves.toBe(0);
  });

  it('denies with a reason: psql gets the error naming who and why', async () => {
    const page = approverPage;
    await page.goto(`${rig.current.url}#/approvals`);
    const client = await rig.current.psql('DELETE FROM orders WHERE id = 6', 'ci-job-2', ['db:write']);
    const id = await heldId(client);
    await page.locator(`article[data-id="${id}"] a.approval-link`).click();
    await page.locator('#reason').fill('no deletes today');
    await page.locator('#deny').click();
    const done = await client.done;
    expect(done.code).not.toBe(0);
    expect(done.stderr).toContain('denied by alice');
    expect(done.stderr).toContain('no deletes today');
    await page.locator('#history .badge-denied').waitFor();
    // resolved requests, with their history, under the status filter
    await page.goto(`${rig.current.url}#/approvals?status=denied`);
    const card = page.locator(`article[data-id="${id}"]`);
    await card.waitFor();
    await expect(card.locator('details').textContent()).resolves.toContain('no deletes today');
  });

  it('shows what agents send as text: markup in a statement is neither parsed nor run', async () => {
    const page = approverPage;
    await page.goto(`${rig.current.url}#/approvals`);
    const payload = '<img src=x onerror="window.pwned=1"><b>bold</b>';
    const client = await rig.current.psql(`UPDATE customers SET name = '${payload}' WHERE id = 3`, 'ci-job-4', ['db:write']);
    const id = await heldId(client);
    const card = page.locator(`article[data-id="${id}"]`);
    await card.waitFor();
    await expect(card.locator('.sql-str').textContent()).resolves.toBe(`'${payload}'`);
    await expect(card.locator('img, b').count()).resolves.toBe(0);
    await card.locator('a.approval-link').click();
    await page.locator('#reason').waitFor();
    await expect(page.locator('main img, main b').count()).resolves.toBe(0);
    expect(await page.evaluate('window.pwned')).toBeUndefined();
    expect((await rig.current.api('POST', `/v1/approvals/${id}/deny`, approver, { reason: 'markup' })).status).toBe(200);
    await client.done;
  });

  it.each([
    // the shipped approval policy lets a requester deny (withdraw) its own request, never approve it
    {
      note: 'the requester itself: no Approve, only Deny',
      sub: 'ci-job-3',
      roles: ['db:approver'],
      rule: 'approval.self',
      buttons: ['deny'],
    },
    { note: 'an auditor without db:approver: no buttons', sub: 'eve', roles: ['audit:read'], rule: 'approval.role', buttons: [] },
  ])('$note, and the approval policy reasons', async ({ sub, roles, rule, buttons }) => {
    const client = await rig.current.psql("UPDATE orders SET status = 'paid' WHERE id = 3", 'ci-job-3', ['db:write']);
    const id = await heldId(client);
    const opened = await rig.current.page();
    const page = opened.page;
    errors.push(opened.errors);
    await signIn(page, rig.current.url, await rig.current.mint(sub, roles), sub);
    await page.goto(`${rig.current.url}#/approvals/${id}`);
    await page.locator('#not-allowed').waitFor();
    await expect(page.locator('#not-allowed').textContent()).resolves.toContain(rule);
    expect(await page.locator('#actions button').evaluateAll((els) => els.map((el) => el.id))).toEqual(buttons);
    await expect(page.locator('#reason').count()).resolves.toBe(buttons.length > 0 ? 1 : 0);
    if (sub === 'eve') await shot(page, 'approval-not-allowed');
    expect((await rig.current.api('POST', `/v1/approvals/${id}/deny`, approver, { reason: 'cleanup' })).status).toBe(200);
    await client.done;
  });

  it("shows a database token the audit policy's refusal instead of the queue or a request", async () => {
    const client = await rig.current.psql("UPDATE orders SET status = 'paid' WHERE id = 4", 'ci-job-4', ['db:write']);
    const id = await heldId(client);
    // a deliberate failure: the browser logs the 403s, so its errors are not collected
    const { page } = await rig.current.page();
    await signIn(page, rig.current.url, await rig.current.mint('nosy', ['db:read']), 'nosy');
    for (const route of ['#/approvals', `#/approvals/${id}`]) {
      await page.goto(`${rig.current.url}${route}`);
      const alert = page.locator('.error[role=alert]');
      await alert.waitFor();
      await expect(alert.textContent()).resolves.toContain('the audit policy does not let you read approval requests');
      await expect(alert.textContent()).resolves.toContain('audit.approvals_role');
      await expect(page.locator('#queue article, #actions button').count()).resolves.toBe(0);
    }
    expect((await rig.current.api('POST', `/v1/approvals/${id}/deny`, approver, { reason: 'cleanup' })).status).toBe(200);
    await client.done;
  });

  it('finds the statement in its session through a deep link, with its masked result rows', async () => {
    const client = await rig.current.psql('SELECT id, email FROM customers WHERE id = 2', 'reader-bot', ['db:read']);
    const ran = await client.done;
    expect(ran.stdout.trim()).toMatch(/^2\|\*+\.com$/);
    const opened = await rig.current.page();
    errors.push(opened.errors);
    const page = opened.page;
    await signIn(page, rig.current.url, await rig.current.mint('auditor', ['audit:read']), 'auditor');
    // the recording ships every 50 ms: filter until the session is listed
    await page.goto(`${rig.current.url}#/sessions?sub=reader-bot`);
    const link = page.locator('a.session-link');
    await expect
      .poll(
        async () => {
          if ((await link.count()) > 0) return true;
          await page.locator('#session-filters button[type=submit]').click();
          await page.waitForTimeout(100);
          return false;
        },
        { timeout: 8000 },
      )
      .toBe(true);
    await shot(page, 'sessions');
    await link.first().click();
    const entry = page.locator('.entry', { hasText: 'SELECT id, email FROM customers' });
    await entry.waitFor();
    await shot(page, 'session');
    const href = await entry.locator('a.entry-link').getAttribute('href');
    expect(href).toMatch(/^#\/sessions\/[^/]+\/statements\/\d+$/);
    // a fresh load of the deep link scrolls to the statement and highlights it
    await page.goto('about:blank');
    await page.goto(`${rig.current.url}${href}`);
    const target = page.locator('.entry.highlight');
    await target.waitFor();
    await expect(target.getAttribute('id')).resolves.toBe(`statement-${href?.split('/').pop()}`);
    await expect(target.isVisible()).resolves.toBe(true);
    expect(await page.evaluate("document.querySelector('.entry.highlight').getBoundingClientRect().top < innerHeight")).toBe(true);
    await expect(target.textContent()).resolves.toContain('public.customers.email:partial');
    const cells = await target.locator('.result-rows tbody td').allTextContents();
    expect(cells[0]).toBe('2');
    expect(cells[1]).toMatch(/^\*+\.com$/);
    expect(await target.textContent()).not.toContain('alan@example.com');
    await shot(page, 'statement');
  });

  it('renders the policy and the live overview', async () => {
    const opened = await rig.current.page();
    errors.push(opened.errors);
    const page = opened.page;
    await signIn(page, rig.current.url, await rig.current.mint('auditor-2', ['audit:read']), 'auditor-2');
    await page.goto(`${rig.current.url}#/policy`);
    await expect(page.locator('#policy-revision').textContent()).resolves.toMatch(/^sha256:/);
    await expect(page.locator('#policy-status').textContent()).resolves.toContain('Stale');
    await shot(page, 'policy');
    await page.goto(`${rig.current.url}#/`);
    await expect.poll(() => page.locator('#count-pending').textContent(), { timeout: 5000 }).toBe('0');
    // a held statement: one live session, one pending hold, shown within a few seconds without a reload
    const client = await rig.current.psql("UPDATE orders SET status = 'shipped' WHERE id = 5", 'overview-bot', ['db:write']);
    const id = await heldId(client);
    await expect.poll(() => page.locator('#count-pending').textContent(), { timeout: 5000 }).toBe('1');
    await expect(page.locator('#count-sessions').textContent()).resolves.toBe('1');
    await shot(page, 'overview');
    expect((await rig.current.api('POST', `/v1/approvals/${id}/deny`, approver, { reason: 'not now' })).status).toBe(200);
    await client.done;
    await expect.poll(() => page.locator('#count-pending').textContent(), { timeout: 5000 }).toBe('0');
    await expect.poll(() => page.locator('#count-sessions').textContent(), { timeout: 5000 }).toBe('0');
  });

  it('shows which recorded decisions the last reload changed, each linked to its statement', async () => {
    // orders stop being a production table: the held writes to it recorded above would now be allowed
    const dataPath = join(rig.current.policyDir, 'data.json');
    const data = JSON.parse(readFileSync(dataPath, 'utf8'));
    data.portcullis.production_tables = ['public.customers'];
    writeFileSync(dataPath, JSON.stringify(data));
    const secops = await rig.current.mint('secops', ['audit:admin']);
    const reloaded = await rig.current.api('POST', '/v1/policy/reload', secops);
    expect(reloaded).toMatchObject({ status: 200, json: { outcome: 'activated' } });
    await expect
      .poll(async () => ((await rig.current.api('GET', '/v1/policy', secops)).json as PolicyBody).last_reload_impact?.state, {
        timeout: 8000,
      })
      .toBe('done');
    const opened = await rig.current.page();
    errors.push(opened.errors);
    const page = opened.page;
    await signIn(page, rig.current.url, await rig.current.mint('auditor-3', ['audit:read']), 'auditor-3');
    await page.goto(`${rig.current.url}#/policy`);
    const impact = page.locator('#reload-impact');
    await impact.locator('.impact-group').first().waitFor();
    await expect(impact.locator('.impact-group h3').first().textContent()).resolves.toMatch(/^hold → allow/);
    await expect(impact.locator('#impact-counts').textContent()).resolves.toMatch(/^[1-9]\d* of \d+ compared statements/);
    // every field the gateway answers has its own place: none falls through to the raw listing
    await expect(page.locator('#policy-extra').count()).resolves.toBe(0);
    await shot(page, 'policy-impact');
    await impact.locator('a.impact-link').first().click();
    const target = page.locator('.entry.highlight');
    await target.waitFor();
    await expect(target.locator('.sql-block').textContent()).resolves.toContain('orders');
  });

  it('lays the main pages out at 390 px: no sideways scrolling, the nav behind the Menu button', async () => {
    const opened = await rig.current.page({ width: 390, height: 844 });
    errors.push(opened.errors);
    const page = opened.page;
    await signIn(page, rig.current.url, await rig.current.mint('phone', ['db:approver', 'audit:read']), 'phone');
    await expect(page.locator('#nav').isVisible()).resolves.toBe(false);
    await page.locator('#nav-toggle').click();
    await page.locator('#nav a[data-route=approvals]').click();
    await page.waitForURL(/#\/approvals$/);
    // choosing a page folds the nav again (when the route changes, which follows the URL)
    await page.locator('#nav').waitFor({ state: 'hidden', timeout: 2000 });
    for (const [name, hash, ready] of [
      ['overview', '#/', '#count-sessions'],
      ['approvals', '#/approvals?status=all', '#queue article'],
      ['sessions', '#/sessions', 'a.session-link'],
      ['policy', '#/policy', '#policy-revision'],
    ] as const) {
      await page.goto(`${rig.current.url}${hash}`);
      await page.locator(ready).first().waitFor();
      expect(await page.evaluate<number>('document.documentElement.scrollWidth'), name).toBeLessThanOrEqual(390);
      await shot(page, `${name}-390`);
    }
  });

  it('logged no console error and no page error on any page', () => {
    expect(errors.flat()).toEqual([]);
  });

  it('returns to sign-in with the reason when the token expires, and signs out', async () => {
    const { page } = await rig.current.page();
    await signIn(page, rig.current.url, await rig.current.mint('brief', ['audit:read'], 2), 'brief');
    await page.waitForTimeout(2100);
    await page.goto(`${rig.current.url}#/policy`);
    await page.waitForURL(/#\/signin$/);
    await expect(page.locator('#signin-notice').textContent()).resolves.toMatch(/^Signed out: /);
    expect(await page.evaluate("sessionStorage.getItem('portcullis.token')")).toBeNull();
    // signing in again returns to the page the person was on
    await signIn(page, rig.current.url, await rig.current.mint('brief', ['audit:read']), 'brief');
    await page.waitForURL(/#\/policy$/);
    await page.locator('#sign-out').click();
    await page.waitForURL(/#\/signin$/);
    expect(await page.evaluate("sessionStorage.getItem('portcullis.token')")).toBeNull();
  });
});
