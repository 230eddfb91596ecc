// End-to-end: analysing a maximum-size statement never stalls another session. While session A's
// ~1 MiB statement (a WHERE of ~100,000 terms) is being analysed on a worker thread, session B's
// `SELECT 1` is answered; A then gets its rows (or, on a machine too slow for the budget, the
// clear 54001 refusal). Real PostgreSQL, the real gateway, the shipped policies, `pg`.

import pg from 'pg';
import type { DatabaseError } from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { compilePolicies, REPO_POLICIES, useStack } from './helpers.js';
import { analysesInFlight } from '../../proxy/sql/index.js';

const stack = useStack({ decide: await compilePolicies(REPO_POLICIES) });
const clients: pg.Client[] = [];

afterAll(async () => {
  for (const c of clients) await c.end().catch(() => undefined);
});

async function connect(sub: string): Promise<pg.Client> {
  const client = new pg.Client(stack.current.clientConfig(await stack.current.mint(sub, { roles: ['db:read'] })));
  await client.connect();
  clients.push(client);
  return client;
}

/** maxStatement is `SELECT id FROM public.orders WHERE id=0 OR id=1 …` just under the 1 MiB statement limit. */
function maxStatement(): { sql: string; terms: number } {
  const limit = stack.current.config.limits.maxStatementBytes - 64;
  const head = 'SELECT id FROM public.orders WHERE ';
  const terms: string[] = [];
  let len = head.length;
  for (let i = 0; ; i++) {
    const t = `id=${i % 1000}`;
    if (len + t.length + 4 > limit) break;
    terms.push(t);
    len += t.length + 4;
  }
  return { sql: head + terms.join(' OR '), terms: terms.length };
}

describe('analysis of a maximum-size statement', () => {
  it("does not hold up another session's SELECT 1", async () => {
    const [a, b] = await Promise.all([connect('big-statement'), connect('small-statement')]);
    await b.query('SELECT 1'); // B is past its first statement: what follows is B's steady state
    const { sql, terms } = maxStatement();
    expect(terms).toBeGreaterThan(100_000);
    const order: string[] = [];
    const big = a.query(sql).then(
      (r) => {
        order.push('A');
        return { rows: r.rowCount };
      },
      (err: DatabaseError) => {
        order.push('A');
        return { code: err.code, message: err.message };
      },
    );
    // wait until A's statement is on a worker (the gateway has read it and started analysing)
    await expect.poll(() => analysesInFlight(), { timeout: 20_000, interval: 5 }).toBeGreaterThan(0);
    const started = performance.now();
    const one = await b.query('SELECT 1 AS one');
    const waited = performance.now() - started;
    order.push('B');
    expect(one.rows).toEqual([{ one: 1 }]);
    // B was answered while A's analysis was still running, not after it
    expect(analysesInFlight()).toBeGreaterThan(0);
    const outcome = await big;
    expect(order).toEqual(['B', 'A']);
    // A gets its answer, or the clear refusal if analysis ran past its budget on a slow machine
    if ('code' in outcome) expect(outcome).toMatchObject({ code: '54001', message: expect.stringContaining('too complex to analyse') });
    else expect(outcome.rows).toBeGreaterThanOrEqual(0);
    console.info(`SELECT 1 answered in ${waited.toFixed(1)} ms while a ${sql.length}-byte statement was analysed`);
  }, 60_000);
});
