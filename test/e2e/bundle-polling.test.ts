// A gateway whose policy comes from a bundle server (policy.bundle.url, OPA's bundle protocol):
// a bundle published while clients query is activated between statements (long polling makes
// that prompt); a restart while the server is down starts from the persisted bundle and says so;
// a gateway that goes unconfirmed past max_staleness refuses what on_stale says.

import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBundleServer } from '../../proxy/bundle-service/index.js';
import type { BundleServer } from '../../proxy/bundle-service/index.js';
import { startGatewayFromConfig } from '../../proxy/cli/gateway.js';
import { validateConfig } from '../../proxy/config/index.js';
import { ordersBundle, servedConfig, useStack } from './helpers.js';

const stackRef = useStack();
const dir = mkdtempSync(join(tmpdir(), 'portcullis-poll-'));
const served = join(dir, 'served');
const persist = join(dir, 'persist');
let server: BundleServer;
const closers: (() => Promise<void>)[] = [];

/** publish builds a bundle whose policy refuses reads of orders while `closed`, and renames it into the served directory. */
async function publish(closed: boolean, revision: string): Promise<void> {
  writeFileSync(join(served, '.next'), await ordersBundle(closed ? 'orders are closed' : null, revision));
  renameSync(join(served, '.next'), join(served, 'portcullis.tar.gz'));
}

async function gateway(port: number, extra: Record<string, unknown> = {}) {
  const stack = stackRef.current;
  const validated = validateConfig(
    servedConfig(stack, {
      policy: {
        bundle: {
          url: `http://127.0.0.1:${port}/bundles/portcullis.tar.gz`,
          polling: { min_delay: '100ms', max_delay: '200ms', long_polling_timeout: '5s' },
          persist_dir: persist,
          ...extra,
        },
      },
      admin: { port: 0, open_routes: ['metrics', 'readyz'] },
    }),
  );
  if (!validated.ok) throw new Error(validated.errors.join('; '));
  const lines: string[] = [];
  const start = await startGatewayFromConfig(validated.config, (l) => lines.push(l));
  if (start.kind === 'started') closers.push(start.close);
  return { start, lines };
}

async function query(port: number, sql = 'SELECT count(*) FROM orders'): Promise<string> {
  const token = await stackRef.current.mint('poll-agent', { roles: ['db:read'] });
  const c = new pg.Client({ ...stackRef.current.clientConfig(token), host: '127.0.0.1', port });
  await c.connect();
  try {
    await c.query(sql);
    return 'ok';
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  mkdirSync(served);
  await publish(false, 'rev-1');
  server = await startBundleServer({ dir: served, port: 0, scanIntervalMs: 100 });
});

afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a gateway polling a bundle server', () => {
  it('activates a published bundle between statements, persists it, and restarts from it while the server is down', async () => {
    const { start } = await gateway(server.port);
    if (start.kind !== 'started') throw new Error(start.reasons.join('; '));
    expect(start.policy.status().revision).toBe('rev-1');
    expect(await query(start.port)).toBe('ok');

    const t0 = Date.now();
    await publish(true, 'rev-2');
    await expect.poll(() => start.policy.status().revision, { timeout: 10_000, interval: 20 }).toBe('rev-2');
    // long polling: activation follows publication promptly, not after a polling delay
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(await query(start.port)).toBe('orders are closed');
    await start.close();
    closers.pop();

    // the server goes away; a restart starts from the persisted rev-2 and says so
    const port = server.port;
    await server.close();
    const again = await gateway(port);
    if (again.start.kind !== 'started') throw new Error(again.start.reasons.join('; '));
    expect(again.start.policy.status().revision).toBe('rev-2');
    expect(again.lines.join('\n')).toMatch(/starting from the persisted bundle/);
    expect(await query(again.start.port)).toBe('orders are closed');
    await again.start.close();
    closers.pop();
    server = await startBundleServer({ dir: served, port, scanIntervalMs: 100 });
  }, 60_000);

  it('does not start without a bundle: none persisted and the server unreachable', async () => {
    rmSync(persist, { recursive: true, force: true });
    const { start } = await gateway(1);
    expect(start).toMatchObject({
      kind: 'failed',
      reasons: [expect.stringMatching(/no bundle could be downloaded .* and none is persisted/)],
    });
  });

  it.each([
    { onStale: 'deny_all', select: 'refused', note: 'every statement refused' },
    { onStale: 'deny_writes', select: 'ok', note: 'reads go on, writes refused' },
  ])(
    'goes stale when the server stops answering: $note',
    async ({ onStale, select }) => {
      await publish(false, `rev-stale-${onStale}`);
      const { start, lines } = await gateway(server.port, {
        max_staleness: '1s',
        on_stale: onStale,
        polling: { min_delay: '100ms', max_delay: '200ms' },
      });
      if (start.kind !== 'started') throw new Error(start.reasons.join('; '));
      expect(await query(start.port)).toBe('ok');
      const port = server.port;
      await server.close();
      await new Promise((r) => setTimeout(r, 1600));
      const got = await query(start.port);
      if (select === 'ok') expect(got).toBe('ok');
      else expect(got).toMatch(/cannot confirm its policy is current/);
      // a write, and a read calling a volatile function, are refused either way
      for (const sql of ['DELETE FROM orders WHERE id = -1', "SELECT nextval('orders_id_seq')"]) {
        expect(await query(start.port, sql)).toMatch(/cannot confirm its policy is current/);
      }
      expect(lines.join('\n')).toMatch(/the active policy is stale/);
      // staleness is a state: readiness fails on it, and the metrics show it
      const ready = await fetch(`${start.adminUrl}/readyz?verbose`);
      expect(ready.status).toBe(503);
      expect(JSON.stringify(await ready.json())).toMatch(
        /"staleness":\{"ok":false,"message":"the policy source has not answered for \d+ s"/,
      );
      const metrics = await (await fetch(`${start.adminUrl}/metrics`)).text();
      expect(Number(metrics.match(/^portcullis_policy_staleness_seconds (\S+)$/m)?.[1])).toBeGreaterThan(1);
      server = await startBundleServer({ dir: served, port, scanIntervalMs: 100 });
      // the server answers again: no longer stale
      await expect.poll(async () => query(start.port), { timeout: 10_000, interval: 200 }).toBe('ok');
    },
    30_000,
  );
});
