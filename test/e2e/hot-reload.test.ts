// Hot reload of a composed gateway (as `portcullis serve` runs it): while clients keep querying,
// the policy is reloaded again and again (as SIGHUP does, through the admin API, and by --watch on
// a file change). No statement fails, a changed rule takes effect for the next statement, each
// decision is logged with the revision that made it, and a policy that does not compile is refused
// with its reasons while the active one goes on deciding.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_ADMIN_POLICY, ORDERS_POLICY, startServed, useStack } from './helpers.js';
import type { StartedServed } from './helpers.js';

const stackRef = useStack();
const dir = mkdtempSync(join(tmpdir(), 'portcullis-reload-'));
const policyDir = join(dir, 'policy');
let started: StartedServed;

/** writePolicy writes ORDERS_POLICY (plus `extra` Rego) refusing reads of orders as `orders are closed (<note>)` while `closed`. */
function writePolicy(data: { closed: boolean; note: string }, extra = ''): void {
  writeFileSync(join(policyDir, 'decision.rego'), ORDERS_POLICY + extra);
  writeFileSync(
    join(policyDir, 'data.json'),
    JSON.stringify({ refusal: data.closed ? `orders are closed (${data.note})` : null, note: data.note }),
  );
}

beforeAll(async () => {
  const { mkdirSync } = await import('node:fs');
  mkdirSync(policyDir);
  writeFileSync(join(policyDir, 'audit.rego'), AUDIT_ADMIN_POLICY);
  writePolicy({ closed: false, note: 'v0' });
  started = await startServed(stackRef.current, {
    policy: { paths: [policyDir] },
    admin: { port: 0 },
    decision_logs: { file: { path: join(dir, 'decisions.log') } },
  });
}, 60_000);

afterAll(async () => {
  await started?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** workload keeps `clients` sessions querying orders until stopped; it counts answers and errors by message. */
async function workload(clients: number) {
  const token = await stackRef.current.mint('reload-agent', { roles: ['db:read'] });
  const conns = await Promise.all(
    Array.from({ length: clients }, async () => {
      const c = new pg.Client({ ...stackRef.current.clientConfig(token), host: started.host, port: started.port });
      await c.connect();
      return c;
    }),
  );
  let running = true;
  const counts = { ok: 0, errors: new Map<string, number>() };
  const loops = conns.map(async (c) => {
    while (running) {
      try {
        await c.query('SELECT count(*) FROM orders');
        counts.ok++;
      } catch (e) {
        const m = e instanceof Error ? e.message : String(e);
        counts.errors.set(m, (counts.errors.get(m) ?? 0) + 1);
      }
    }
  });
  return {
    counts,
    async stop() {
      running = false;
      await Promise.all(loops);
      await Promise.all(conns.map((c) => c.end()));
    },
  };
}

async function admin(method: string, path: string, roles: readonly string[] = ['audit:admin']) {
  const token = await stackRef.current.mint('ops', { roles: [...roles] });
  const res = await fetch(`${started.adminUrl}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('hot reload of a composed gateway', () => {
  it('swaps policies under load without failing a statement, and the next statement obeys the new one', async () => {
    const load = await workload(4);
    try {
      const revisions = new Set<string>([started.policy.status().revision]);
      for (let i = 1; i <= 6; i++) {
        writePolicy({ closed: false, note: `v${i}` });
        const outcome = i % 2 === 0 ? (await admin('POST', '/v1/policy/reload')).body : await started.policy.reload('signal');
        expect(outcome).toMatchObject(i % 2 === 0 ? { outcome: 'activated' } : { kind: 'activated' });
        revisions.add(started.policy.status().revision);
        const before = load.counts.ok;
        await expect.poll(() => load.counts.ok, { timeout: 5000 }).toBeGreaterThan(before + 8);
      }
      // every reload made a new revision, and no statement failed while they happened
      expect(revisions.size).toBe(7);
      expect(Object.fromEntries(load.counts.errors)).toEqual({});
      expect(load.counts.ok).toBeGreaterThan(50);

      // the same sources again: nothing to activate
      expect(await started.policy.reload('signal')).toMatchObject({ kind: 'unchanged' });

      // a changed rule takes effect from the next statement on
      writePolicy({ closed: true, note: 'closed' });
      const { status, body } = await admin('POST', '/v1/policy/reload');
      expect(status).toBe(200);
      expect(body).toMatchObject({ outcome: 'activated', revision: expect.stringMatching(/^sha256:[0-9a-f]{16}$/) });
      const okAtFlip = load.counts.ok;
      await expect.poll(() => load.counts.errors.get('orders are closed (closed)') ?? 0, { timeout: 5000 }).toBeGreaterThan(10);
      // at most one statement per client was already past its decision when the swap happened
      expect(load.counts.ok - okAtFlip).toBeLessThanOrEqual(4);
    } finally {
      await load.stop();
    }
  }, 120_000);

  it('logs each decision with the revision that made it', async () => {
    await expect.poll(() => readFileSync(join(dir, 'decisions.log'), 'utf8').includes('"outcome":"deny"'), { timeout: 5000 }).toBe(true);
    const events = readFileSync(join(dir, 'decisions.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { bundles: { portcullis: { revision: string } }; result: { outcome: string } });
    const active = started.policy.status().revision;
    const denied = events.filter((e) => e.result.outcome === 'deny');
    expect(denied.length).toBeGreaterThan(0);
    for (const e of denied) expect(e.bundles.portcullis.revision).toBe(active);
    // the allowed ones were decided by the earlier revisions, never by the closing one
    const allowedBy = new Set(events.filter((e) => e.result.outcome === 'allow').map((e) => e.bundles.portcullis.revision));
    expect(allowedBy.has(active)).toBe(false);
    expect(allowedBy.size).toBeGreaterThanOrEqual(6);
  });

  it('refuses a policy that does not compile, with its reasons, and keeps deciding with the active one', async () => {
    const active = started.policy.status().revision;
    writePolicy({ closed: true, note: 'closed' }, '\ndeny contains x if {\n');
    const { status, body } = await admin('POST', '/v1/policy/reload');
    expect(status).toBe(422);
    expect(body).toMatchObject({
      error: { code: 'ERR_POLICY_RELOAD_FAILED', reasons: [expect.objectContaining({ rule: 'policy.reload' })] },
    });
    expect(JSON.stringify(body)).toMatch(/decision\.rego/);
    expect(started.policy.status()).toMatchObject({ revision: active, lastError: expect.any(Array) });
    const got = await admin('GET', '/v1/policy', ['audit:admin']);
    expect(got.body).toMatchObject({ revision: active, last_error: [expect.stringMatching(/decision\.rego/)] });
    expect((got.body['reload_failures'] as number) >= 1).toBe(true);
    // the active policy still decides
    const token = await stackRef.current.mint('reload-agent', { roles: ['db:read'] });
    const c = new pg.Client({ ...stackRef.current.clientConfig(token), host: started.host, port: started.port });
    await c.connect();
    try {
      await expect(c.query('SELECT count(*) FROM orders')).rejects.toThrow('orders are closed (closed)');
      await expect(c.query('SELECT count(*) FROM orders WHERE id > 1')).rejects.toThrow('orders are closed (closed)');
    } finally {
      await c.end();
    }
    // the second statement, of the same tables, was decided from the memo (keyed on what the policy reads)
    const memo = (await admin('GET', '/v1/policy', ['audit:admin'])).body['decision_memo'] as Record<string, unknown>;
    expect(memo).toMatchObject({ enabled: true });
    expect(memo['paths']).toContain('statement.tables.read');
    expect(memo['hits'] as number).toBeGreaterThanOrEqual(1);
  });

  it('lets only the audit policy’s admins reload, and its readers read', async () => {
    expect((await admin('POST', '/v1/policy/reload', ['db:read'])).body).toMatchObject({ error: { code: 'ERR_ADMIN_FORBIDDEN' } });
    expect((await admin('GET', '/v1/policy', ['db:read'])).status).toBe(403);
    const res = await fetch(`${started.adminUrl}/v1/policy/reload`, { method: 'POST' });
    expect(res.status).toBe(401);
  });

  it('reloads on a file change with --watch', async () => {
    const stop = started.watch();
    try {
      const before = started.policy.status().revision;
      writePolicy({ closed: false, note: 'watched' });
      await expect.poll(() => started.policy.status().revision, { timeout: 10_000, interval: 100 }).not.toBe(before);
      expect(started.policy.status().lastError).toBeUndefined();
    } finally {
      stop();
    }
  });
});
