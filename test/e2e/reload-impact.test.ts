// The reload impact of a composed gateway that records to a state store: after a reload activates
// a policy, the newest recorded statements are re-decided with it, and GET /v1/policy shows which
// decisions it changed (allow → deny by the new rule, with the statements as examples), while the
// ones it did not change are counted as compared. Before any reload the field is null; the example
// statements are shown only to callers the audit policy lets read recorded sessions.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_ADMIN_POLICY, ORDERS_POLICY, startServed, useStack } from './helpers.js';
import type { StartedServed } from './helpers.js';

const stackRef = useStack();
const dir = mkdtempSync(join(tmpdir(), 'portcullis-impact-'));
const policyDir = join(dir, 'policy');
let started: StartedServed;

/** AUDIT adds, to the admin policy, a reader of the policy's status who may not read recorded sessions. */
const AUDIT = `${AUDIT_ADMIN_POLICY}
allow if {
	input.action == "policy.read"
	"policy:read" in input.caller.roles
}
`;

function writePolicy(refusal: string | null): void {
  writeFileSync(join(policyDir, 'decision.rego'), ORDERS_POLICY);
  writeFileSync(join(policyDir, 'data.json'), JSON.stringify({ refusal }));
}

async function stateQuery(sql: string): Promise<pg.QueryResult> {
  const c = new pg.Client({ ...stackRef.current.superuserConfig(), database: 'impact_state' });
  await c.connect();
  try {
    return await c.query(sql);
  } finally {
    await c.end();
  }
}

async function admin(method: string, path: string, roles = ['audit:admin']): Promise<{ status: number; body: Record<string, unknown> }> {
  const token = await stackRef.current.mint('ops', { roles });
  const res = await fetch(`${started.adminUrl}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  const stack = stackRef.current;
  const su = new pg.Client(stack.superuserConfig());
  await su.connect();
  await su.query('CREATE DATABASE impact_state');
  await su.end();
  mkdirSync(policyDir);
  writeFileSync(join(policyDir, 'audit.rego'), AUDIT);
  writePolicy(null);
  started = await startServed(stack, {
    policy: { paths: [policyDir] },
    admin: { port: 0 },
    state: {
      host: stack.pg.host,
      port: stack.pg.port,
      database: 'impact_state',
      user: stack.pg.superuser.name,
      password: stack.pg.superuser.password,
    },
    recording: { dir: join(dir, 'journal'), ship_interval: '100ms' },
  });
}, 60_000);

afterAll(async () => {
  await started?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('reload impact', () => {
  it('shows which recorded decisions a reload changed', async () => {
    expect((await admin('GET', '/v1/policy')).body['last_reload_impact']).toBeNull();
    const token = await stackRef.current.mint('impact-agent', { roles: ['db:read'] });
    const c = new pg.Client({ ...stackRef.current.clientConfig(token), host: started.host, port: started.port });
    await c.connect();
    try {
      for (const id of [1, 2, 3]) await c.query(`SELECT count(*) FROM orders WHERE id > ${id}`);
      await c.query('SELECT 1');
      await c.query('SELECT 2');
    } finally {
      await c.end();
    }
    // shipped to the state store
    await expect
      .poll(
        async () => Number((await stateQuery(`SELECT count(*) AS n FROM portcullis.recording_records WHERE kind = 'statement'`)).rows[0].n),
        {
          timeout: 10_000,
        },
      )
      .toBeGreaterThanOrEqual(5);

    writePolicy('orders are closed');
    const reload = await admin('POST', '/v1/policy/reload');
    expect(reload.body).toMatchObject({ outcome: 'activated' });
    await expect.poll(async () => ((await admin('GET', '/v1/policy')).body['last_reload_impact'] as { state: string }).state).toBe('done');
    const impact = (await admin('GET', '/v1/policy')).body['last_reload_impact'] as Record<string, unknown>;
    expect(impact).toMatchObject({ revision: reload.body['revision'], previous: reload.body['previous'], state: 'done', changed: 3 });
    expect(impact['compared'] as number).toBeGreaterThanOrEqual(5);
    const groups = impact['groups'] as Array<Record<string, unknown>>;
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ from: 'allow', to: 'deny', rule: 'test.orders', count: 3 });
    const examples = groups[0]?.['examples'] as Array<Record<string, unknown>>;
    // the newest first, each with the decision it was recorded with and the one the new policy makes
    expect(examples.map((e) => e['text'])).toEqual([
      'SELECT count(*) FROM orders WHERE id > 3',
      'SELECT count(*) FROM orders WHERE id > 2',
      'SELECT count(*) FROM orders WHERE id > 1',
    ]);
    expect(examples[0]).toMatchObject({ recorded: { kind: 'allow' }, candidate: { kind: 'deny', rules: ['test.orders'] } });
    // a caller who may read the policy's status but not recorded sessions sees the counts, not the statements
    const reader = await admin('GET', '/v1/policy', ['policy:read']);
    expect(reader.status).toBe(200);
    expect(reader.body['last_reload_impact']).toMatchObject({ changed: 3, groups: [{ rule: 'test.orders', count: 3, examples: [] }] });
    expect(JSON.stringify(reader.body)).not.toContain('SELECT count(*) FROM orders');

    // a reload back: the three allowed ones were allowed when recorded, so nothing changes
    writePolicy(null);
    const back = await admin('POST', '/v1/policy/reload');
    expect(back.body).toMatchObject({ outcome: 'activated' });
    await expect
      .poll(async () => (await admin('GET', '/v1/policy')).body['last_reload_impact'])
      .toMatchObject({ revision: back.body['revision'], state: 'done', changed: 0, groups: [] });
  }, 60_000);
});
