import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { heldId, SKIP_REASON, shot, signIn, useRig } from './harness.js';

async function shim(page: Page) {
  await page.route('**/v1/whoami', async (route) => {
    const auth = route.request().headers()['authorization'] ?? '';
    const tok = auth.replace(/^Bearer /, '');
    const payload = JSON.parse(Buffer.from(tok.split('.')[1] ?? '', 'base64url').toString());
    await route.fulfill({ json: { sub: payload.sub, iss: payload.iss, claims: payload, expires_at: null } });
  });
  await page.route('**/v1/events', async (route) => {
    await route.fulfill({
      contentType: 'text/event-stream',
      body: `event: overview\ndata: {"sessions":2,"statements_per_second":{"allow":3,"deny":1,"hold":0,"mask":0.5},"pending_approvals":1,"at":"${new Date().toISOString()}"}\n\n`,
    });
  });
}

describe.skipIf(SKIP_REASON !== undefined)('scratch', () => {
  const rig = useRig();
  it('flows', async () => {
    const { page, errors } = await rig.current.page();
    await shim(page);
    const approver = await rig.current.mint('alice', ['db:approver', 'audit:read']);
    await signIn(page, rig.current.url, approver, 'alice');
    await shot(page, 'x-overview');
    const client = await rig.current.psql("UPDATE customers SET name = 'Ada L.' WHERE id = 1 RETURNING name", 'ci-job', ['db:write']);
    const id = await heldId(client);
    await page.goto(`${rig.current.url}#/approvals`);
    await page.locator(`article[data-id="${id}"]`).waitFor();
    await shot(page, 'x-approvals');
    await page.locator(`article[data-id="${id}"] a.approval-link`).click();
    await page.locator('#reason').fill('ok');
    await shot(page, 'x-approval');
    await page.locator('#approve').click();
    console.log(await client.done);
    await page.locator('#history .badge-approved').waitFor();
    await shot(page, 'x-approval-done');
    const c2 = await rig.current.psql('SELECT id, email FROM customers WHERE id = 2', 'reader-bot', ['db:read']);
    console.log(await c2.done);
    await new Promise((r) => setTimeout(r, 500));
    await page.goto(`${rig.current.url}#/sessions`);
    await page.locator('a.session-link').first().waitFor();
    await shot(page, 'x-sessions');
    await page.locator('a.session-link').first().click();
    await page.locator('.entry').first().waitFor();
    await shot(page, 'x-session');
    const href = await page.locator('.entry-link').first().getAttribute('href');
    await page.goto(`${rig.current.url}${href}`);
    await page.locator('.entry.highlight').waitFor();
    await shot(page, 'x-statement');
    await page.goto(`${rig.current.url}#/policy`);
    await page.locator('#policy-revision').waitFor();
    await shot(page, 'x-policy');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${rig.current.url}#/sessions`);
    await page.locator('a.session-link').first().waitFor();
    await shot(page, 'x-sessions-390');
    await page.goto(`${rig.current.url}#/approvals?status=approved`);
    await page.locator('article').first().waitFor();
    await shot(page, 'x-approvals-390');
    console.log(errors);
    expect(errors).toEqual([]);
  }, 60_000);
});
