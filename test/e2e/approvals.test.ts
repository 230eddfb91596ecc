// Approvals end to end: a real PostgreSQL (the guarded database and, beside it, the state store's
// own database), the shipped policy holding writes to production tables, real clients (`pg`
// simple and extended protocol), and the approvers' side acting through the approval service.
// Hold then approve (rows come back), deny, expiry, CancelRequest and disconnect while held,
// refuse-and-grant (single use), two gateways on one state store, concurrent approvals (one
// execution), a state store that cannot be reached (fail closed, reads go on).

import { connect } from 'node:net';
import pg from 'pg';
import type { DatabaseError } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApprovalHolds, createApprovalService } from '../../proxy/approvals/index.js';
import type { ApprovalHolds, ApprovalPolicyInput, ApprovalService, ApprovalVerdict } from '../../proxy/approvals/index.js';
import { createStateStore } from '../../proxy/state/index.js';
import type { StateStore } from '../../proxy/state/index.js';
import type { Gateway } from '../../proxy/index.js';
import type { Decision } from '../../proxy/decision/index.js';
import { frontend } from '../helpers/wire-buffers.js';
import { FrameReader, decodeBackend } from '../../proxy/wire/index.js';
import type { BackendMessage } from '../../proxy/wire/index.js';
import { REPO_POLICIES, compileApprovalPolicy, compilePolicies, sendCancel, useStack } from './helpers.js';

const stackRef = useStack();
const STATE_DB = 'portcullis_state';

let approvalPolicy: (input: ApprovalPolicyInput) => ApprovalVerdict;

/** approver is who acts through the admin API: the verified claims of a token of the stack's issuer. */
function approver(sub: string, roles: readonly string[] = ['db:approver']) {
  const iss = stackRef.current.issuer.issuer.issuer;
  return { sub, iss, claims: { sub, iss, roles: [...roles] } };
}
const ALICE = {
  get sub() {
    return 'alice';
  },
  get iss() {
    return approver('alice').iss;
  },
  get claims() {
    return approver('alice').claims;
  },
};
const BOB = {
  get sub() {
    return 'bob';
  },
  get iss() {
    return approver('bob').iss;
  },
  get claims() {
    return approver('bob').claims;
  },
};

let store: StateStore;
let holds: ApprovalHolds;
let service: ApprovalService;
let gw: Gateway;
const closers: (() => Promise<void> | void)[] = [];

function stateOptions(port?: number) {
  const { pg: cluster } = stackRef.current;
  return {
    host: cluster.host,
    port: port ?? cluster.port,
    database: STATE_DB,
    user: cluster.superuser.name,
    password: cluster.superuser.password,
    connectTimeoutMs: 3000,
  };
}

beforeAll(async () => {
  const stack = stackRef.current;
  // who may approve is the shipped approval policy's decision (policies/portcullis/approval.rego)
  approvalPolicy = await compileApprovalPolicy(REPO_POLICIES);
  const admin = new pg.Client(stack.superuserConfig());
  await admin.connect();
  await admin.query(`CREATE DATABASE ${STATE_DB}`);
  await admin.end();
  store = createStateStore(stateOptions());
  await store.migrate();
  holds = createApprovalHolds({ store, config: { ttlMs: 60_000, mode: 'hold', noticeIntervalMs: 1_000 }, gateway: 'gw-a' });
  service = createApprovalService({ store, decide: approvalPolicy, grantTtlMs: 60_000 });
  gw = await stack.startGateway({}, { approvals: holds, revision: () => 'rev-1' });
  closers.push(
    () => holds.close(),
    () => store.close(),
  );
}, 60_000);

afterAll(async () => {
  for (const c of closers.reverse()) await c();
});

/** writer connects to `gateway` as an agent allowed to write. */
async function writer(gateway: Gateway = gw, sub = 'agent-w'): Promise<pg.Client & { notices: string[] }> {
  const token = await stackRef.current.mint(sub, { roles: ['db:write'] });
  const client = new pg.Client({ ...stackRef.current.clientConfig(token), host: gateway.host, port: gateway.port }) as pg.Client & {
    notices: string[];
  };
  client.notices = [];
  client.on('notice', (n) => client.notices.push(n.message ?? ''));
  await client.connect();
  return client;
}

/** heldId waits for the client's first "held for approval" notice and returns the request id it names. */
async function heldId(client: { notices: string[] }, skip = 0): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const n = client.notices.filter((m) => m.startsWith('statement held for approval'))[skip];
    const id = n?.match(/request ([A-Za-z0-9_-]{22})/)?.[1];
    if (id !== undefined) return id;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no hold notice; notices: ${JSON.stringify(client.notices)}`);
}

async function statusOf(id: string): Promise<string | undefined> {
  return (await service.get(id))?.status;
}

const orderAmount = async (id: number): Promise<string> => {
  const c = new pg.Client(stackRef.current.superuserConfig());
  await c.connect();
  try {
    return (await c.query('SELECT amount::int::text AS a FROM orders WHERE id = $1', [id])).rows[0]?.a as string;
  } finally {
    await c.end();
  }
};

describe('a write to a production table waits for a human', () => {
  it('simple protocol: held with a notice, approved, then its rows come back (masks and all)', async () => {
    const client = await writer();
    try {
      const pending = client.query('UPDATE orders SET amount = 101 WHERE id = 1 RETURNING id, amount::int AS amount');
      const id = await heldId(client);
      expect(await statusOf(id)).toBe('pending');
      // nothing ran yet
      expect(await orderAmount(1)).not.toBe('101');
      const view = await service.get(id);
      expect(view).toMatchObject({
        status: 'pending',
        mode: 'hold',
        requester: { sub: 'agent-w' },
        statements: [
          { text: 'UPDATE orders SET amount = 101 WHERE id = 1 RETURNING id, amount::int AS amount', params: null, kind: 'update' },
        ],
        reasons: [{ rule: 'production.write' }],
        policy_revision: 'rev-1',
        min_approvals: 1,
      });
      const result = await service.approve(id, ALICE, 'looks right');
      expect(result).toMatchObject({ ok: true, request: { status: 'approved' } });
      const res = await pending;
      expect(res.rows).toEqual([{ id: 1, amount: 101 }]);
      // the execution is recorded with its outcome
      await expect.poll(async () => (await service.get(id))?.events.map((e) => e.kind)).toEqual(['requested', 'approved', 'executed']);
      const executed = (await service.get(id))?.events.at(-1);
      expect(executed?.outcome).toMatchObject({ results: [{ tag: 'UPDATE 1' }] });
      expect((await service.get(id))?.executed_at).not.toBeNull();
      // the session goes on
      expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await client.end();
    }
  });

  it('extended protocol: the Bind values are recorded, the approval runs exactly those', async () => {
    const client = await writer();
    try {
      const pending = client.query('UPDATE orders SET amount = $1 WHERE id = $2', ['202', 2]);
      const id = await heldId(client);
      expect((await service.get(id))?.statements).toMatchObject([{ params: ['202', '2'] }]);
      await service.approve(id, ALICE, 'ok');
      expect((await pending).rowCount).toBe(1);
      expect(await orderAmount(2)).toBe('202');
    } finally {
      await client.end();
    }
  });

  it('denied: 42501 naming who denied and why; nothing ran; the session goes on', async () => {
    const client = await writer();
    try {
      const pending = client.query('UPDATE orders SET amount = 103 WHERE id = 3').catch((e: DatabaseError) => e);
      const id = await heldId(client);
      expect(await service.deny(id, BOB, 'not during the freeze')).toMatchObject({ ok: true, request: { status: 'denied' } });
      const err = (await pending) as DatabaseError;
      expect(err.code).toBe('42501');
      expect(err.message).toBe(`approval request ${id} was denied by bob (${BOB.iss}): not during the freeze`);
      expect(await orderAmount(3)).not.toBe('103');
      expect((await client.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
    } finally {
      await client.end();
    }
  });

  it('the approval policy decides who may act: a non-approver and the requester are refused', async () => {
    const client = await writer(gw, 'alice');
    try {
      const pending = client.query('UPDATE orders SET amount = 104 WHERE id = 4').catch((e: DatabaseError) => e);
      const id = await heldId(client);
      const outsider = approver('eve', ['db:read']);
      expect(await service.approve(id, outsider, 'please')).toMatchObject({
        ok: false,
        code: 'ERR_APPROVAL_FORBIDDEN',
        reasons: [{ rule: 'approval.role' }],
      });
      expect(await service.approve(id, ALICE, 'mine')).toMatchObject({
        ok: false,
        code: 'ERR_APPROVAL_FORBIDDEN',
        reasons: [{ rule: 'approval.self' }],
      });
      expect(await service.approve(id, BOB, '  ')).toMatchObject({ ok: false, code: 'ERR_APPROVAL_REASON_REQUIRED' });
      expect(await statusOf(id)).toBe('pending');
      await service.deny(id, BOB, 'no');
      expect(((await pending) as DatabaseError).code).toBe('42501');
      expect(await service.approve(id, BOB, 'too late')).toMatchObject({ ok: false, code: 'ERR_APPROVAL_NOT_PENDING' });
      expect(await service.approve('AAAAAAAAAAAAAAAAAAAAAA', BOB, 'x')).toMatchObject({ ok: false, code: 'ERR_APPROVAL_NOT_FOUND' });
    } finally {
      await client.end();
    }
  });

  it('two approvers at once: one approval resolves it, the other finds it resolved; the statement runs once', async () => {
    const client = await writer();
    try {
      const before = Number((await client.query('SELECT count(*) AS n FROM orders')).rows[0].n);
      const pending = client.query('INSERT INTO orders (customer_id, amount) VALUES (1, 7) RETURNING id');
      const id = await heldId(client);
      const results = await Promise.all([service.approve(id, ALICE, 'a'), service.approve(id, BOB, 'b')]);
      expect(results.map((r) => (r.ok ? 'ok' : r.code)).sort()).toEqual(['ERR_APPROVAL_NOT_PENDING', 'ok']);
      expect((await pending).rowCount).toBe(1);
      expect(Number((await client.query('SELECT count(*) AS n FROM orders')).rows[0].n)).toBe(before + 1);
    } finally {
      await client.end();
    }
  });

  it('a CancelRequest while held withdraws the request: 57014, nothing runs, the session goes on', async () => {
    const client = await writer();
    try {
      const pending = client.query('UPDATE orders SET amount = 105 WHERE id = 5').catch((e: DatabaseError) => e);
      const id = await heldId(client);
      const { processID, secretKey } = client as unknown as { processID: number; secretKey: number };
      await sendCancel(gw, processID, secretKey);
      const err = (await pending) as DatabaseError;
      expect(err.code).toBe('57014');
      expect(err.message).toContain(`approval request ${id} was withdrawn`);
      expect(await statusOf(id)).toBe('withdrawn');
      // an approval after the withdrawal changes nothing
      expect(await service.approve(id, ALICE, 'late')).toMatchObject({ ok: false, code: 'ERR_APPROVAL_NOT_PENDING' });
      expect(await orderAmount(5)).not.toBe('105');
      expect((await client.query('SELECT 3 AS three')).rows).toEqual([{ three: 3 }]);
    } finally {
      await client.end();
    }
  });

  it('a disconnect while held withdraws the request', async () => {
    const client = await writer();
    client.on('error', () => {});
    void client.query('UPDATE orders SET amount = 106 WHERE id = 2').catch(() => undefined);
    const id = await heldId(client);
    (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    await expect.poll(() => statusOf(id), { timeout: 5000 }).toBe('withdrawn');
    expect(holds.waiting).toBe(0);
  });

  it('messages sent behind a held statement wait their turn, in order', async () => {
    const client = await writer();
    try {
      const order: string[] = [];
      const first = client.query('UPDATE orders SET amount = 107 WHERE id = 3').then(() => order.push('update'));
      const second = client.query('SELECT 42 AS n').then(() => order.push('select'));
      const id = await heldId(client);
      await new Promise((r) => setTimeout(r, 200));
      expect(order).toEqual([]);
      await service.approve(id, ALICE, 'go');
      await Promise.all([first, second]);
      expect(order).toEqual(['update', 'select']);
    } finally {
      await client.end();
    }
  });

  it('reminds the waiting client while it waits', async () => {
    const client = await writer();
    try {
      const pending = client.query('UPDATE orders SET amount = 108 WHERE id = 4');
      const id = await heldId(client);
      await heldId(client, 1); // the second notice (interval 1 s in this stack)
      const notice = client.notices[0] ?? '';
      expect(notice).toContain(id);
      await service.approve(id, ALICE, 'ok');
      await pending;
    } finally {
      await client.end();
    }
  });
});

describe('a pipelined extended batch', () => {
  it('is one request for the whole batch up to Sync; what the client pipelined behind it runs after, in order', async () => {
    const token = await stackRef.current.mint('pipeliner', { roles: ['db:write'] });
    const socket = connect(gw.port, gw.host);
    let data = Buffer.alloc(0);
    socket.on('data', (b: Buffer) => (data = Buffer.concat([data, b])));
    const messages = (): BackendMessage[] =>
      new FrameReader({ maxFrameBytes: 1 << 20, startup: false }).push(data).map((f) => decodeBackend(f));
    const until = async (check: () => boolean): Promise<void> => {
      for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
      expect(check()).toBe(true);
    };
    try {
      await new Promise<void>((r) => socket.once('connect', () => r()));
      socket.write(frontend.startup({ user: 'agent', database: stackRef.current.pg.database }));
      await until(() => data.length >= 9);
      data = Buffer.alloc(0);
      socket.write(frontend.password(token));
      await until(() => messages().some((m) => m.kind === 'readyForQuery'));
      data = Buffer.alloc(0);
      // two held UPDATEs in one batch, then a query pipelined behind it, all in one write
      socket.write(
        Buffer.concat([
          frontend.parse({ text: 'UPDATE orders SET amount = $1 WHERE id = $2' }),
          frontend.bind({ values: ['401', '4'] }),
          frontend.execute(),
          frontend.bind({ values: ['402', '5'] }),
          frontend.execute(),
          frontend.sync(),
          frontend.query('SELECT 7 AS seven'),
        ]),
      );
      await until(() => messages().some((m) => m.kind === 'noticeResponse'));
      const id = (messages().find((m) => m.kind === 'noticeResponse') as { fields: Record<string, string> }).fields['M']?.match(
        /request ([A-Za-z0-9_-]{22})/,
      )?.[1] as string;
      const view = await service.get(id);
      expect(view?.statements.map((st) => st.params)).toEqual([
        ['401', '4'],
        ['402', '5'],
      ]);
      // nothing of the batch and nothing behind it ran or answered yet
      await new Promise((r) => setTimeout(r, 150));
      expect(messages().map((m) => m.kind)).toEqual(['noticeResponse']);
      expect(await orderAmount(4)).not.toBe('401');
      await service.approve(id, ALICE, 'both fine');
      await until(() => messages().filter((m) => m.kind === 'readyForQuery').length === 2);
      const kinds = messages()
        .map((m) => (m.kind === 'commandComplete' ? `C:${m.tag}` : m.kind === 'dataRow' ? `D:${m.values[0]?.toString()}` : m.kind))
        .filter((k) => k !== 'noticeResponse');
      expect(kinds).toEqual([
        'parseComplete',
        'bindComplete',
        'C:UPDATE 1',
        'bindComplete',
        'C:UPDATE 1',
        'readyForQuery',
        'rowDescription',
        'D:7',
        'C:SELECT 1',
        'readyForQuery',
      ]);
      expect([await orderAmount(4), await orderAmount(5)]).toEqual(['401', '402']);
    } finally {
      socket.destroy();
    }
  });
});

describe('a quorum of two', () => {
  it('runs only after two different approvers approved; one approver twice does not count', async () => {
    // the policy's approval entry asks for two approvers (min_approvals: 2)
    const base = await compilePolicies(REPO_POLICIES);
    const twoApprovers = createApprovalHolds({ store, config: { ttlMs: 60_000, mode: 'hold', noticeIntervalMs: 30_000 } });
    const g = await stackRef.current.startGateway(
      {},
      {
        approvals: twoApprovers,
        decide: (input) => {
          const d = base(input) as Decision;
          return d.kind === 'hold' ? { ...d, approval: { ...d.approval, minApprovals: 2 } } : d;
        },
      },
    );
    const client = await writer(g);
    try {
      const pending = client.query('UPDATE orders SET amount = 222 WHERE id = 2 RETURNING amount::int AS amount');
      const id = await heldId(client);
      expect((await service.get(id))?.min_approvals).toBe(2);
      expect(await service.approve(id, ALICE, 'first')).toMatchObject({ ok: true, request: { status: 'pending' } });
      expect(await service.approve(id, ALICE, 'again')).toMatchObject({ ok: false, code: 'ERR_APPROVAL_FORBIDDEN' });
      await new Promise((r) => setTimeout(r, 150));
      expect(await orderAmount(2)).not.toBe('222');
      expect(await service.approve(id, BOB, 'second')).toMatchObject({ ok: true, request: { status: 'approved' } });
      expect((await pending).rows).toEqual([{ amount: 222 }]);
    } finally {
      await client.end();
      twoApprovers.close();
    }
  });
});

describe('a policy changed while a statement waited', () => {
  it('decides it again before it runs: a statement the new policy denies does not run, though approved', async () => {
    const base = await compilePolicies(REPO_POLICIES);
    let revision = 'r1';
    const changing = createApprovalHolds({ store, config: { ttlMs: 60_000, mode: 'hold', noticeIntervalMs: 30_000 } });
    const g = await stackRef.current.startGateway(
      {},
      {
        approvals: changing,
        revision: () => revision,
        decide: (input) =>
          revision === 'r2' && input.statement.kind === 'update'
            ? {
                kind: 'deny',
                reason: 'updates are frozen',
                rule: 'freeze.updates',
                origin: 'policy',
                reasons: [{ reason: 'updates are frozen', rule: 'freeze.updates' }],
              }
            : base(input),
      },
    );
    const client = await writer(g);
    try {
      const pending = client.query('UPDATE orders SET amount = 333 WHERE id = 3').catch((e: DatabaseError) => e);
      const id = await heldId(client);
      expect((await service.get(id))?.policy_revision).toBe('r1');
      revision = 'r2';
      await service.approve(id, ALICE, 'fine under r1');
      const err = (await pending) as DatabaseError;
      expect(err.code).toBe('42501');
      expect(err.message).toBe('updates are frozen');
      expect(await orderAmount(3)).not.toBe('333');
      await expect
        .poll(async () => (await service.get(id))?.events.at(-1))
        .toMatchObject({ kind: 'executed', outcome: { results: [{ sqlstate: '42501' }] } });
    } finally {
      await client.end();
      changing.close();
    }
  });
});

describe('an agent cannot flood the approvers', () => {
  it('refuses a request beyond approval.max_pending per identity with 53400; others are not affected', async () => {
    const bounded = createApprovalHolds({ store, config: { ttlMs: 60_000, mode: 'hold', noticeIntervalMs: 30_000, maxPending: 1 } });
    const g = await stackRef.current.startGateway({}, { approvals: bounded });
    const [first, second, other] = [await writer(g, 'flooder'), await writer(g, 'flooder'), await writer(g, 'someone-else')];
    try {
      const held = first.query('UPDATE orders SET amount = 501 WHERE id = 1').catch((e: DatabaseError) => e);
      const id = await heldId(first);
      const err = (await second.query('UPDATE orders SET amount = 502 WHERE id = 1').catch((e: DatabaseError) => e)) as DatabaseError;
      expect(err.code).toBe('53400');
      expect(err.message).toBe('approval required, but this identity already has 1 approval requests pending; the statement was not run');
      // another identity still gets its request
      const theirs = other.query('UPDATE orders SET amount = 503 WHERE id = 2').catch((e: DatabaseError) => e);
      const otherId = await heldId(other);
      await service.deny(id, ALICE, 'no');
      await service.deny(otherId, ALICE, 'no');
      expect(((await held) as DatabaseError).code).toBe('42501');
      expect(((await theirs) as DatabaseError).code).toBe('42501');
    } finally {
      await Promise.all([first.end(), second.end(), other.end()]);
      bounded.close();
    }
  });
});

describe('expiry', () => {
  it('a request nobody decides times out: 42501, and it lists as expired', async () => {
    const short = createApprovalHolds({ store, config: { ttlMs: 1_000, mode: 'hold', noticeIntervalMs: 30_000 } });
    const g = await stackRef.current.startGateway({}, { approvals: short });
    const client = await writer(g);
    try {
      const err = (await client.query('UPDATE orders SET amount = 109 WHERE id = 5').catch((e: DatabaseError) => e)) as DatabaseError;
      expect(err.code).toBe('42501');
      expect(err.message).toMatch(/^approval request [A-Za-z0-9_-]{22} timed out after 1 s without a decision; the statement was not run$/);
      const id = err.message.split(' ')[2] as string;
      expect(await statusOf(id)).toBe('expired');
      expect((await service.list({ status: 'expired' })).map((r) => r.id)).toContain(id);
      expect(await service.approve(id, ALICE, 'late')).toMatchObject({ ok: false, code: 'ERR_APPROVAL_NOT_PENDING' });
    } finally {
      await client.end();
      short.close();
    }
  });
});

describe('two gateways on one state store', () => {
  it('a statement held on one gateway resumes when approved through the other', async () => {
    const storeB = createStateStore(stateOptions());
    const holdsB = createApprovalHolds({
      store: storeB,
      config: { ttlMs: 60_000, mode: 'hold', noticeIntervalMs: 30_000 },
      gateway: 'gw-b',
    });
    const serviceB = createApprovalService({ store: storeB, decide: approvalPolicy, grantTtlMs: 60_000 });
    const gB = await stackRef.current.startGateway({}, { approvals: holdsB });
    const client = await writer(gB);
    try {
      const pending = client.query('UPDATE orders SET amount = 110 WHERE id = 1 RETURNING amount::int AS amount');
      const id = await heldId(client);
      // listed and approved through gateway A's service; gateway B wakes by NOTIFY
      expect((await service.list({ status: 'pending' })).map((r) => r.id)).toContain(id);
      const t0 = Date.now();
      await service.approve(id, ALICE, 'from A');
      expect((await pending).rows).toEqual([{ amount: 110 }]);
      expect(Date.now() - t0).toBeLessThan(2_000);
      expect((await serviceB.get(id))?.status).toBe('approved');
    } finally {
      await client.end();
      holdsB.close();
      await storeB.close();
    }
  });
});

describe('refuse and grant', () => {
  it('refuses at once with PC001 and the request id; after approval the same statement runs once', async () => {
    const grants = createApprovalHolds({ store, config: { ttlMs: 60_000, mode: 'refuse_and_grant', noticeIntervalMs: 30_000 } });
    const g = await stackRef.current.startGateway({}, { approvals: grants });
    const client = await writer(g);
    const sql = 'UPDATE orders SET amount = $1 WHERE id = $2';
    try {
      const first = (await client.query(sql, ['311', 3]).catch((e: DatabaseError) => e)) as DatabaseError;
      expect(first.code).toBe('PC001');
      const id = first.detail?.match(/request: ([A-Za-z0-9_-]{22})/)?.[1] as string;
      expect(id).toBeDefined();
      // asking again before approval names the same request
      const again = (await client.query(sql, ['311', 3]).catch((e: DatabaseError) => e)) as DatabaseError;
      expect(again.detail).toContain(id);
      await service.approve(id, ALICE, 'once');
      // other values are not covered by the grant
      const other = (await client.query(sql, ['312', 3]).catch((e: DatabaseError) => e)) as DatabaseError;
      expect(other.code).toBe('PC001');
      expect(other.detail).not.toContain(id);
      expect((await client.query(sql, ['311', 3])).rowCount).toBe(1);
      // single use
      const third = (await client.query(sql, ['311', 3]).catch((e: DatabaseError) => e)) as DatabaseError;
      expect(third.code).toBe('PC001');
      expect(third.detail).not.toContain(id);
      await expect
        .poll(async () => (await service.get(id))?.events.map((e) => e.kind))
        .toEqual(['requested', 'approved', 'granted_use', 'executed']);
    } finally {
      await client.end();
      grants.close();
    }
  });
});

describe('a state store that cannot be reached', () => {
  it('denies what needs approval, saying why, and lets everything else run', async () => {
    const dead = createStateStore({ ...stateOptions(1), connectTimeoutMs: 1000 });
    const deadHolds = createApprovalHolds({ store: dead, config: { ttlMs: 60_000, mode: 'hold', noticeIntervalMs: 30_000 } });
    const g = await stackRef.current.startGateway({}, { approvals: deadHolds });
    const client = await writer(g);
    try {
      const err = (await client.query('UPDATE orders SET amount = 111 WHERE id = 1').catch((e: DatabaseError) => e)) as DatabaseError;
      expect(err.code).toBe('42501');
      expect(err.message).toMatch(
        /^approval required: .*; approvals are unavailable \(the state store cannot be reached\), so it is denied$/,
      );
      // nothing about where the store is reaches the agent
      expect(`${err.message} ${err.detail ?? ''} ${err.hint ?? ''}`).not.toMatch(/127\.0\.0\.1|:1\b|portcullis_state/);
      expect((await client.query('SELECT 5 AS five')).rows).toEqual([{ five: 5 }]);
    } finally {
      await client.end();
      deadHolds.close();
      await dead.close();
    }
  });
});
