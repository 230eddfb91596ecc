// The statement gate: one decision per statement becomes run-with-masks or refuse; a hold waits
// on the approval port (refused without one, run once approved, never asked when the statement
// could not run anyway); a broken policy is a refusal; every decision is counted and published.

import { beforeAll, describe, expect, it } from 'vitest';
import { initSql } from '../../../proxy/sql/index.js';
import { facts, gateSession } from '../../helpers/statements.js';
import { createGate, denialError } from '../../../proxy/gate/index.js';
import type { ApprovalPort, Decide, HeldBatch, StatementRequest } from '../../../proxy/gate/index.js';
import type { HoldTicket } from '../../../proxy/approvals/index.js';
import type { Decision, Mask, PolicyInput } from '../../../proxy/decision/index.js';
import type { CatalogResolver } from '../../../proxy/catalog/index.js';
import type { GatewayEvent } from '../../../proxy/events.js';
import { toErrorFields } from '../../../proxy/errors.js';

const catalog: CatalogResolver = {
  resolveColumn: async () => undefined,
  columnsOf: async (table) => (table === 'public.customers' ? ['id', 'name', 'email'] : undefined),
  invalidate: () => undefined,
};

const EMAIL: Mask = { table: 'public.customers', column: 'email', kind: 'redact' };
const allow = (masks: readonly Mask[] = []): Decision => ({ kind: 'allow', masks });
const hold = (masks: readonly Mask[] = []): Decision => ({
  kind: 'hold',
  reason: 'production write',
  rule: 'prod.write',
  reasons: [{ reason: 'production write', rule: 'prod.write' }],
  masks,
  approval: { minApprovals: 1 },
});
const deny = (origin: 'policy' | 'default' | 'error', reason = 'no DROP', rule = 'ddl.destructive'): Decision => ({
  kind: 'deny',
  reason,
  rule,
  origin,
  reasons: [{ reason, rule }],
});

function request(sql: string, extra: Partial<StatementRequest> = {}): StatementRequest {
  return { session: gateSession(), facts: facts(sql), params: null, inTransaction: false, protocol: 'simple', resultFormats: [], ...extra };
}

/** approving is an approval port that answers every hold as told and records what it was asked. */
function approving(answer: 'approved' | 'denied'): ApprovalPort & { asked: HoldTicket[] } {
  const asked: HoldTicket[] = [];
  return {
    asked,
    async hold(req) {
      asked.push(req);
      await new Promise((r) => setTimeout(r, 5)); // a real wait, not a synchronous answer
      return answer === 'approved'
        ? { kind: 'approved', id: 'r1', finished: () => {} }
        : { kind: 'refused', error: denialError(deny('policy', 'the approver said no', 'approval.denied') as never) };
    },
  };
}

beforeAll(async () => {
  await initSql();
});

describe('gate verdicts', () => {
  it.each([
    { note: 'allow runs', decision: allow(), sql: 'SELECT id FROM customers', want: { kind: 'run' } },
    {
      note: 'allow with a plain masked column runs with the mask',
      decision: allow([EMAIL]),
      sql: 'SELECT email FROM customers',
      want: { kind: 'run', masks: [EMAIL] },
    },
    {
      note: 'a masked column inside an expression is refused',
      decision: allow([EMAIL]),
      sql: 'SELECT upper(email) FROM customers',
      want: { kind: 'refuse', code: 'ERR_PROXY_MASKED_EXPRESSION' },
    },
    {
      note: 'a policy deny is refused',
      decision: deny('policy'),
      sql: 'DROP TABLE customers',
      want: { kind: 'refuse', code: 'ERR_PROXY_POLICY_DENIED', message: 'no DROP', detail: 'rule: ddl.destructive' },
    },
    {
      note: 'a default deny is refused',
      decision: deny('default', 'no policy rule allowed this statement', 'portcullis.default_deny'),
      sql: 'SELECT 1',
      want: { kind: 'refuse', code: 'ERR_PROXY_POLICY_DENIED', detail: 'rule: portcullis.default_deny' },
    },
    {
      note: 'a policy error is refused',
      decision: deny('error', 'policy error: boom', 'portcullis.policy_error'),
      sql: 'SELECT 1',
      want: { kind: 'refuse', code: 'ERR_PROXY_POLICY_ERROR', message: 'policy error: boom' },
    },
    {
      note: 'a hold is a hold verdict (the protocol path waits for approval)',
      decision: hold(),
      sql: "UPDATE orders SET status = 'x' WHERE id = 1",
      want: { kind: 'hold' },
    },
    {
      note: 'COPY TO STDOUT with a mask plans the rewrite',
      decision: allow([EMAIL]),
      sql: 'COPY customers TO STDOUT',
      want: { kind: 'run', masks: [EMAIL], copy: true },
    },
    {
      note: 'binary COPY of a masked column is refused',
      decision: allow([EMAIL]),
      sql: 'COPY customers TO STDOUT (FORMAT binary)',
      want: { kind: 'refuse', code: 'ERR_PROXY_MASKED_BINARY' },
    },
  ])('$note', async ({ decision, sql, want }) => {
    const verdict = await createGate({ decide: () => decision, catalog }).enforce(request(sql));
    expect(verdict.kind).toBe(want.kind);
    expect(verdict.decision).toEqual(decision);
    if (verdict.kind === 'refuse') {
      expect(verdict.error.code).toBe(want.code);
      const f = toErrorFields(verdict.error);
      if (want.message !== undefined) expect(f.message).toBe(want.message);
      if (want.detail !== undefined) expect(f.detail).toBe(want.detail);
    } else {
      expect(verdict.masks).toEqual(want.masks ?? []);
      expect(verdict.copy !== undefined).toBe(want.copy === true);
    }
  });

  it.each([
    {
      note: 'binary RETURNING of a masked column (the write would run before the types are known)',
      formats: [1],
      sql: "UPDATE customers SET name = 'x' WHERE id = 1 RETURNING email",
      code: 'ERR_PROXY_MASKED_BINARY',
    },
    { note: 'COPY FROM STDIN', formats: [], sql: 'COPY customers FROM STDIN', code: 'ERR_PROXY_UNSUPPORTED' },
  ])('refuses what the extended protocol cannot carry out: $note', async ({ formats, sql, code }) => {
    const gate = createGate({ decide: () => allow([EMAIL]), catalog });
    const verdict = await gate.enforce(request(sql, { protocol: 'extended', resultFormats: formats as (0 | 1)[] }));
    expect(verdict.kind === 'refuse' ? verdict.error.code : verdict.kind).toBe(code);
    // the same statement over the simple protocol (text results, COPY data follows the Query) runs
    expect((await gate.enforce(request(sql))).kind).toBe('run');
  });

  it('leaves binary results of a read to the RowDescription (text-like types are masked in binary there)', async () => {
    const gate = createGate({ decide: () => allow([EMAIL]), catalog });
    for (const sql of ['SELECT email FROM customers', 'SELECT * FROM customers']) {
      expect((await gate.enforce(request(sql, { protocol: 'extended', resultFormats: [1] }))).kind).toBe('run');
    }
  });
});

/** held is a batch of one statement whose decision is a hold. */
function held(req: StatementRequest, decision: Decision, signal = new AbortController().signal): HeldBatch {
  return {
    session: req.session,
    statements: [{ facts: req.facts, params: req.params }],
    holds: [decision as Extract<Decision, { kind: 'hold' }>],
    signal,
    notice: () => {},
  };
}

describe('holds', () => {
  it('a held statement keeps its masks in the hold verdict, and the ticket says who asks, what would run and why', async () => {
    const approvals = approving('approved');
    const gate = createGate({ decide: () => hold([EMAIL]), catalog, approvals, revision: () => 'rev-7' });
    const req = request('SELECT email FROM customers', { params: ['7'] });
    const verdict = await gate.enforce(req);
    expect(verdict).toMatchObject({ kind: 'hold', masks: [EMAIL] });
    const outcome = await gate.awaitApproval(held(req, hold([EMAIL])));
    expect(outcome.kind).toBe('approved');
    expect(approvals.asked).toHaveLength(1);
    expect(approvals.asked[0]).toMatchObject({
      session: 's1',
      requester: { sub: 'agent', iss: 'https://issuer' },
      database: 'app',
      statements: [{ text: 'SELECT email FROM customers', params: ['7'], fingerprint: req.facts.fingerprint, kind: 'select' }],
      reasons: [{ reason: 'production write', rule: 'prod.write' }],
      minApprovals: 1,
      policyRevision: 'rev-7',
    });
  });

  it.each([
    { note: 'no terms: config defaults, quorum 1', terms: [undefined, undefined], want: { minApprovals: 1 } },
    {
      note: 'shortest ttl, largest quorum, refuse_and_grant wins',
      terms: [
        { ttlMs: 60_000, minApprovals: 2, mode: 'hold' as const },
        { ttlMs: 30_000, minApprovals: 1, mode: 'refuse_and_grant' as const },
      ],
      want: { ttlMs: 30_000, minApprovals: 2, mode: 'refuse_and_grant' },
    },
    {
      note: 'one entry asks for hold',
      terms: [{ minApprovals: 3, mode: 'hold' as const }, undefined],
      want: { minApprovals: 3, mode: 'hold' },
    },
  ])('combines the approval terms of every held statement: $note', async ({ terms, want }) => {
    const approvals = approving('approved');
    const gate = createGate({ decide: () => hold(), catalog, approvals });
    const req = request('SELECT 1');
    const holds = terms.map((approval) => ({
      ...(hold() as Extract<Decision, { kind: 'hold' }>),
      ...(approval !== undefined ? { approval } : {}),
    }));
    await gate.awaitApproval({ ...held(req, hold()), holds });
    const ticket = approvals.asked[0] as HoldTicket;
    expect({ ttlMs: ticket.ttlMs, minApprovals: ticket.minApprovals, mode: ticket.mode }).toEqual({
      ttlMs: undefined,
      mode: undefined,
      ...want,
    });
    // the same reason of several statements is listed once
    expect(ticket.reasons).toEqual([{ reason: 'production write', rule: 'prod.write' }]);
  });

  it('refuses a held statement the approver refused, with the port’s error', async () => {
    const gate = createGate({ decide: () => hold(), catalog, approvals: approving('denied') });
    const outcome = await gate.awaitApproval(held(request('SELECT 1'), hold()));
    expect(outcome.kind === 'refused' && toErrorFields(outcome.error)).toMatchObject({ code: '42501', message: 'the approver said no' });
  });

  it('never holds a statement that could not run anyway', async () => {
    const verdict = await createGate({ decide: () => hold([EMAIL]), catalog }).enforce(request('SELECT upper(email) FROM customers'));
    expect(verdict.kind === 'refuse' && verdict.error.code).toBe('ERR_PROXY_MASKED_EXPRESSION');
  });

  it('the default port (no state store) refuses without waiting for anyone, with the policy’s reason and rule', async () => {
    const outcome = await createGate({ decide: () => hold(), catalog }).awaitApproval(held(request('SELECT 1'), hold()));
    expect(outcome.kind === 'refused' && toErrorFields(outcome.error)).toMatchObject({
      code: '42501',
      message: 'approval required: production write',
      detail: 'rule: prod.write',
    });
  });
});

describe('policy failures and events', () => {
  const broken: { note: string; decide: Decide; message: string }[] = [
    {
      note: 'decide throws',
      decide: () => {
        throw new Error('wasm trap');
      },
      message: 'wasm trap',
    },
    { note: 'decide rejects', decide: () => Promise.reject(new Error('remote policy down')), message: 'remote policy down' },
    {
      note: 'decide returns garbage',
      decide: () => ({ kind: 'maybe' }) as unknown as Decision,
      message: 'decide returned an invalid decision',
    },
    {
      note: 'allow without masks',
      decide: () => ({ kind: 'allow' }) as unknown as Decision,
      message: 'decide returned an invalid decision',
    },
    {
      note: 'hold without a rule',
      decide: () => ({ kind: 'hold', reason: 'x', masks: [] }) as unknown as Decision,
      message: 'decide returned an invalid decision',
    },
  ];
  it.each(broken)('a broken policy is a refusal: $note', async ({ decide, message }) => {
    const events: GatewayEvent[] = [];
    const verdict = await createGate({ decide, catalog, events: { publish: (e) => events.push(e) } }).enforce(request('SELECT 1'));
    expect(verdict.kind === 'refuse' && toErrorFields(verdict.error)).toMatchObject({
      code: '42501',
      detail: 'rule: portcullis.policy_error',
    });
    expect(events.map((e) => e.type)).toEqual(['statement.decided', 'policy.error']);
    expect(events[1]).toMatchObject({ type: 'policy.error', session: 's1', message });
  });

  it('awaits an asynchronous decision', async () => {
    const verdict = await createGate({ decide: async () => allow([EMAIL]), catalog }).enforce(request('SELECT email FROM customers'));
    expect(verdict).toMatchObject({ kind: 'run', masks: [EMAIL] });
  });

  it('counts statements into the policy input and publishes each decision', async () => {
    const seen: PolicyInput[] = [];
    const events: GatewayEvent[] = [];
    const gate = createGate({
      decide: (input) => {
        seen.push(input);
        return allow();
      },
      catalog,
      events: { publish: (e) => events.push(e) },
      now: () => 1_000,
    });
    const s = gateSession();
    s.counters.rowsReturned = 5;
    await gate.enforce({ ...request('SELECT 1'), session: s });
    await gate.enforce({ ...request('SELECT 2', { params: ['a', null], inTransaction: true }), session: s });
    expect(seen.map((i) => i.session.statements)).toEqual([0, 1]);
    expect(seen[1]?.session).toMatchObject({ in_transaction: true, rows_returned: 5 });
    expect(s.counters.statements).toBe(2);
    expect(events).toHaveLength(2);
    expect(events[1]).toMatchObject({
      type: 'statement.decided',
      session: 's1',
      subject: 'agent',
      params: ['a', null],
      inTransaction: true,
      decision: { kind: 'allow' },
    });
  });
});

describe('a broken approval port', () => {
  it('refuses the held statement when the port rejects (nothing runs unapproved)', async () => {
    const approvals: ApprovalPort = { hold: () => Promise.reject(new Error('state store down')) };
    const outcome = await createGate({ decide: () => hold(), catalog, approvals }).awaitApproval(held(request('SELECT 1'), hold()));
    expect(outcome.kind === 'refused' && outcome.error.code).toBe('ERR_PROXY_APPROVAL_REQUIRED');
  });
});

describe('SQL-level prepared statements', () => {
  const seen: string[] = [];
  const decide = (input: { statement: { kind: string; command: string; tables: { read: readonly string[] } } }): Decision => {
    seen.push(`${input.statement.kind}:${input.statement.command}:${input.statement.tables.read.join(',')}`);
    return input.statement.kind === 'insert' ? deny('policy', 'no writes', 'read_only.write') : allow();
  };

  it('decides PREPARE by the statement it prepares and EXECUTE by what the session prepared', async () => {
    const gate = createGate({ decide: decide as never, catalog });
    const s = gateSession();
    seen.length = 0;
    expect((await gate.enforce({ ...request('PREPARE p AS SELECT id FROM orders'), session: s })).kind).toBe('run');
    expect((await gate.enforce({ ...request('EXECUTE p'), session: s })).kind).toBe('run');
    expect(seen).toEqual(['select:SELECT:public.orders', 'select:SELECT:public.orders']);
    // a refused PREPARE prepares nothing the session can EXECUTE
    expect((await gate.enforce({ ...request("PREPARE w AS INSERT INTO audit_log (actor) VALUES ('x')"), session: s })).kind).toBe('refuse');
    const w = await gate.enforce({ ...request('EXECUTE w'), session: s });
    expect(w).toMatchObject({ kind: 'refuse', error: { code: 'ERR_PROXY_UNKNOWN_STATEMENT', sqlstate: '26000' } });
    // DEALLOCATE forgets
    await gate.enforce({ ...request('DEALLOCATE p'), session: s });
    expect(await gate.enforce({ ...request('EXECUTE p'), session: s })).toMatchObject({ kind: 'refuse' });
  });

  it('refuses an EXECUTE of a name it never saw prepared, without asking the policy', async () => {
    seen.length = 0;
    const r = await createGate({ decide: decide as never, catalog }).enforce(request('EXECUTE never_prepared(1)'));
    expect(r).toMatchObject({ kind: 'refuse', error: { code: 'ERR_PROXY_UNKNOWN_STATEMENT' } });
    expect(seen).toEqual([]);
  });
});

describe('prepared statements are bounded per session', () => {
  it('refuses a PREPARE of a new name past the bound with 54000; re-preparing a known name is decided as usual', async () => {
    const gate = createGate({ decide: () => allow(), catalog });
    const s = gateSession();
    const stored = facts('SELECT 1');
    for (let i = 0; i < 10_000; i++) s.sqlPrepared.set(`p${i}`, stored);
    const refused = await gate.enforce({ ...request('PREPARE one_more AS SELECT 1'), session: s });
    expect(refused).toMatchObject({ kind: 'refuse', error: { code: 'ERR_PROXY_TOO_MANY_PREPARED', sqlstate: '54000' } });
    expect((await gate.enforce({ ...request('PREPARE p7 AS SELECT 2'), session: s })).kind).toBe('run');
    await gate.enforce({ ...request('DEALLOCATE p1'), session: s });
    expect((await gate.enforce({ ...request('PREPARE one_more AS SELECT 1'), session: s })).kind).toBe('run');
  });
});
