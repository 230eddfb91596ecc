// Live control end to end: two gateways on one state store. An operator ends a session running on
// the other gateway (FATAL naming who and why), blocks an identity (its live sessions end on every
// gateway within a second, its new logins are refused with the reason, other identities go on),
// and unblocks it; every action is an audit event in the store.

import pg from 'pg';
import type { DatabaseError } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLiveControl } from '../../proxy/control/index.js';
import type { LiveControl } from '../../proxy/control/index.js';
import type { Gateway } from '../../proxy/index.js';
import { createStateStore } from '../../proxy/state/index.js';
import type { StateStore } from '../../proxy/state/index.js';
import { useStack } from './helpers.js';

const stackRef = useStack();
const OPERATOR = { iss: 'http://issuer.example', sub: 'oncall' };

type Node = { store: StateStore; control: LiveControl; gateway: Gateway };
const nodes: Node[] = [];

async function startNode(): Promise<Node> {
  const { pg: cluster } = stackRef.current;
  const store = createStateStore({
    host: cluster.host,
    port: cluster.port,
    database: 'control_state',
    user: cluster.superuser.name,
    password: cluster.superuser.password,
    connectTimeoutMs: 3000,
  });
  let gateway: Gateway | undefined;
  const control = createLiveControl({ store, sessions: () => gateway?.live() ?? [] });
  await control.start();
  gateway = await stackRef.current.startGateway({}, { control });
  const node = { store, control, gateway };
  nodes.push(node);
  return node;
}

let a: Node;
let b: Node;

beforeAll(async () => {
  const admin = new pg.Client(stackRef.current.superuserConfig());
  await admin.connect();
  await admin.query('CREATE DATABASE control_state');
  await admin.end();
  a = await startNode();
  b = await startNode();
}, 60_000);

afterAll(async () => {
  for (const n of nodes) {
    n.control.close();
    await n.store.close();
  }
});

async function connect(node: Node, sub: string): Promise<pg.Client & { ended: Promise<Error | undefined> }> {
  const token = await stackRef.current.mint(sub, { roles: ['db:read'] });
  const client = new pg.Client({ ...stackRef.current.clientConfig(token), host: node.gateway.host, port: node.gateway.port });
  const ended = new Promise<Error | undefined>((resolve) => {
    client.on('error', (e) => resolve(e));
    client.on('end', () => resolve(undefined));
  });
  await client.connect();
  return Object.assign(client, { ended });
}

describe('live control across gateways', () => {
  it('ends one session running on another gateway, naming who and why', async () => {
    const victim = await connect(b, 'runaway-agent');
    const bystander = await connect(b, 'runaway-agent');
    const id = b.gateway.live().find((s) => s.identity.sub === 'runaway-agent')?.id as string;
    const t0 = Date.now();
    // the operator acts through gateway A
    await a.control.terminate(id, OPERATOR, 'looping on a full scan');
    const err = (await victim.ended) as DatabaseError | undefined;
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(err?.message).toBe('terminating connection: the session was ended by oncall (http://issuer.example): looping on a full scan');
    // only that session: the other one of the same identity goes on
    expect((await bystander.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await bystander.end();
    const events = await a.store.query(
      "SELECT kind, actor, target->>'session', reason FROM portcullis.control_events WHERE kind = 'session.terminate'",
    );
    expect(events.rows).toContainEqual(['session.terminate', `${OPERATOR.iss}#${OPERATOR.sub}`, id, 'looping on a full scan']);
  });

  it('blocks an identity: its sessions end on every gateway, new logins are refused, others go on; unblock lets it in', async () => {
    const iss = stackRef.current.issuer.issuer.issuer;
    const onA = await connect(a, 'leaked-key');
    const onB = await connect(b, 'leaked-key');
    const other = await connect(b, 'fine-agent');
    const t0 = Date.now();
    const block = await b.control.block({ iss, sub: 'leaked-key' }, OPERATOR, 'key found in a public repo');
    expect(block).toMatchObject({ sub: 'leaked-key', reason: 'key found in a public repo', until: null });
    const [ea, eb] = (await Promise.all([onA.ended, onB.ended])) as (DatabaseError | undefined)[];
    expect(Date.now() - t0).toBeLessThan(1_000);
    for (const e of [ea, eb])
      expect(e?.message).toBe('this identity is blocked by oncall (http://issuer.example): key found in a public repo');
    // new logins on either gateway are refused with the reason
    for (const node of [a, b]) {
      const refused = (await connect(node, 'leaked-key').catch((e: DatabaseError) => e)) as DatabaseError;
      expect(refused.code).toBe('28000');
      expect(refused.message).toContain('key found in a public repo');
    }
    expect((await other.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
    await other.end();
    expect((await a.control.blocks()).map((x) => x.sub)).toContain('leaked-key');
    expect(await a.control.unblock({ iss, sub: 'leaked-key' }, OPERATOR, 'key rotated')).toBe(true);
    await expect.poll(() => b.control.blocked(iss, 'leaked-key'), { timeout: 2000 }).toBeUndefined();
    const back = await connect(b, 'leaked-key');
    expect((await back.query('SELECT 3 AS three')).rows).toEqual([{ three: 3 }]);
    await back.end();
    const kinds = await a.store.query("SELECT kind FROM portcullis.control_events WHERE target->>'sub' = 'leaked-key' ORDER BY id");
    expect(kinds.rows.map((r) => r[0])).toEqual(['identity.block', 'identity.unblock']);
  });

  it('a block with an end time expires by itself', async () => {
    const iss = stackRef.current.issuer.issuer.issuer;
    const until = new Date(Date.now() + 1_500).toISOString();
    await a.control.block({ iss, sub: 'timeout-agent', until }, OPERATOR, 'cool down');
    const refused = (await connect(a, 'timeout-agent').catch((e: DatabaseError) => e)) as DatabaseError;
    expect(refused.message).toContain(`(until ${until})`);
    await new Promise((r) => setTimeout(r, 1_700));
    const back = await connect(a, 'timeout-agent');
    await back.end();
  });
});
