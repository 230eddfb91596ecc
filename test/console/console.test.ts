// The web console in a real Chromium against a real gateway, PostgreSQL, state store and issuer:
// an approver signs in with a pasted token, a statement psql sends is held and appears in the
// queue without a reload, is approved by keyboard (psql gets its rows) or denied (psql gets the
// error); the requester sees the approval policy's reasons and no buttons; an auditor finds the
// statement in its session (deep link) with its masked result rows; the policy and overview pages
// render; no page logs a console error; the main pages work at 390 px; an expired token returns to
// sign-in with the reason. Screenshots of each main page go to test-artifacts/console/.

import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { heldId, SKIP_REASON, shot, signIn, useRig } from './harness.js';

describe.skipIf(SKIP_REASON !== undefined)('web console in Chromium', () => {
  const rig = useRig();
  let approverPage: Page;
  let approverErrors: string[];
  let approver: string;

  it('signs in with a pasted approver token and shows who is signed in', async () => {
    const { page, errors } = await rig.current.page();
    approverPage = page;
    approverErrors = errors;
    approver = await rig.current.mint('alice', ['db:approver']);
    await page.goto(rig.current.url);
    // not signed in: any page leads to sign-in
    await page.waitForURL(/#\/signin$/);
    await shot(page, 'signin');
    await signIn(page, rig.current.url, approver, 'alice');
    await expect(page.locator('#who-roles').textContent()).resolves.toBe('db:approver');
    expect(await page.evaluate(() => sessionStorage.getItem('portcullis.token'))).toBe(approver);
  });

  it('shows a held statement in the queue without a reload; approving by keyboard with a reason gives psql its rows', async () => {
    const page = approverPage;
    await page.goto(`${rig.current.url}#/approvals`);
    await page.locator('#queue-empty, #queue article').first().waitFor();
    await page.evaluate(() => Object.assign(window, { notReloaded: true }));
    const client = await rig.current.psql("UPDATE customers SET name = 'Ada L.' WHERE id = 1 RETURNING name", 'ci-job', ['db:write']);
    const id = await heldId(client);
    const card = page.locator(`article[data-id="${id}"]`);
    await card.waitFor({ timeout: 5000 });
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
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
    for (let i = 0; i < 60 && !(await page.locator('#reason').evaluate((el) => el === document.activeElement)); i++)
      await page.keyboard.press('Tab');
    await expect(page.locator('#reason').evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await page.keyboard.type('reviewed in the console');
    await expect(page.locator('#approve').isEnabled()).resolves.toBe(true);
    await page.keyboard.press('Tab');
    await expect(page.locator('#approve').evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await page.keyboard.press('Enter');
    const done = await client.done;
    expect(done).toMatchObject({ code: 0 });
    expect(done.stdout.trim()).toBe('Ada L.');
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

  it.each([
    { note: 'the requester itself, holding db:approver', sub: 'ci-job-3', roles: ['db:approver'], rule: 'approval.self' },
    { note: 'a reader without db:approver', sub: 'eve', roles: ['db:read'], rule: 'approval' },
  ])('$note sees the approval policy reasons and no buttons', async ({ sub, roles, rule }) => {
    const client = await rig.current.psql("UPDATE orders SET status = 'paid' WHERE id = 3", 'ci-job-3', ['db:write']);
    const id = await heldId(client);
    const { page } = await rig.current.page();
    await signIn(page, rig.current.url, await rig.current.mint(sub, roles), sub);
    await page.goto(`${rig.current.url}#/approvals/${id}`);
    await page.locator('#not-allowed').waitFor();
    await expect(page.locator('#not-allowed').textContent()).resolves.toContain(rule);
    await expect(page.locator('#approve, #deny, #reason').count()).resolves.toBe(0);
    if (sub === 'eve') await shot(page, 'approval-not-allowed');
    expect((await rig.current.api('POST', `/v1/approvals/${id}/deny`, approver, { reason: 'cleanup' })).status).toBe(200);
    await client.done;
  });
});
