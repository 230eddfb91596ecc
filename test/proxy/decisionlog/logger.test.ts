// The decision logger: a real `statement.decided` (facts from proxy/sql's analyze, the input built
// by proxy/decision's buildPolicyInput) becomes one OPA-format decision-log event; masks erase the
// Bind values by default, remove and upsert as OPA's system.log.mask; the console sink writes
// JSON lines; a failing subscriber never reaches the bus.

import { PassThrough } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildPolicyInput } from '../../../proxy/decision/index.js';
import type { Decision } from '../../../proxy/decision/index.js';
import { createConsoleSink, createDecisionLogger, decisionResult, rfc3339Nano } from '../../../proxy/decisionlog/index.js';
import type { DecisionLogEvent, DecisionLogOpEvent, MaskRule, Sink } from '../../../proxy/decisionlog/index.js';
import type { EventOf, GatewayEvent } from '../../../proxy/events.js';
import { initSql } from '../../../proxy/sql/index.js';
import { facts } from '../../helpers/statements.js';

beforeAll(async () => {
  await initSql();
});

const NOW = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
const ALLOW_MASKED: Decision = { kind: 'allow', masks: [{ table: 'public.customers', column: 'email', kind: 'partial', keep: 4 }] };
const DENY: Decision = {
  kind: 'deny',
  reason: 'no DELETE without WHERE',
  rule: 'dml.delete_without_where',
  origin: 'policy',
  reasons: [{ reason: 'no DELETE without WHERE', rule: 'dml.delete_without_where' }],
};
const HOLD: Decision = {
  kind: 'hold',
  reason: 'production write',
  rule: 'prod.write',
  reasons: [{ reason: 'production write', rule: 'prod.write' }],
  masks: [],
  approval: { ttlMs: 90_000, minApprovals: 2, mode: 'hold' },
};

/** decided builds the statement.decided the gate publishes, with the input it evaluated. */
function decided(
  sql: string,
  decision: Decision,
  params: readonly (string | null)[] | null,
  withInput = true,
): EventOf<'statement.decided'> {
  const f = facts(sql);
  const input = buildPolicyInput({
    claims: { sub: 'agent-7', iss: 'https://issuer', email: 'agent@example.com' },
    connection: { database: 'app', user: 'agent', applicationName: 'psql', clientAddress: '10.1.2.3', tls: true },
    statement: f,
    params,
    session: { statements: 4, rowsReturned: 10, inTransaction: false, startedAtMs: NOW - 60_000 },
    nowMs: NOW,
  });
  return {
    type: 'statement.decided',
    session: 's-1',
    subject: 'agent-7',
    statement: f,
    decision,
    params,
    inTransaction: false,
    statementId: 5,
    ...(withInput ? { input } : {}),
  };
}

/** collecting is a sink that keeps the lines it is given. */
function collecting(): Sink & { lines: string[] } {
  const lines: string[] = [];
  return {
    name: 'memory',
    lines,
    write: (l) => void lines.push(l),
    flush: async () => {},
    close: async () => {},
    stats: () => ({ written: lines.length, dropped: 0, buffered: 0, failures: 0 }),
    listen: () => {},
  };
}

function logger(extra: { mask?: MaskRule[]; eraseParams?: boolean; log?: (e: DecisionLogOpEvent) => void } = {}) {
  const sink = collecting();
  let n = 0;
  const l = createDecisionLogger({
    labels: { id: 'gw-1', version: '0.9.0' },
    bundles: { portcullis: { revision: 'rev-42' } },
    path: 'portcullis/decision',
    sinks: [sink],
    now: () => NOW + 1,
    newId: () => `00000000-0000-4000-8000-00000000000${++n}`,
    ...extra,
  });
  const events = (): DecisionLogEvent[] => sink.lines.map((x) => JSON.parse(x) as DecisionLogEvent);
  return { l, sink, events };
}

describe('the decision-log event', () => {
  it('renders a real statement.decided in OPA format', () => {
    const { l, events } = logger();
    const e = decided('SELECT email FROM customers WHERE id = $1', ALLOW_MASKED, ['42']);
    l.subscriber(e);
    const [ev] = events();
    expect(ev).toEqual({
      decision_id: '00000000-0000-4000-8000-000000000001',
      labels: { id: 'gw-1', version: '0.9.0' },
      bundles: { portcullis: { revision: 'rev-42' } },
      path: 'portcullis/decision',
      input: expect.objectContaining({ identity: { sub: 'agent-7', iss: 'https://issuer', email: 'agent@example.com' } }),
      result: { outcome: 'allow', allow: true, mask: [{ table: 'public.customers', column: 'email', kind: 'partial', keep: 4 }] },
      requested_by: '10.1.2.3',
      timestamp: '2026-01-02T03:04:05.678000000Z',
      metrics: {},
      erased: ['/input/statement/params'],
      session_id: 's-1',
      statement_id: 5,
    });
    const input = ev?.input as { statement: Record<string, unknown>; session: Record<string, unknown> };
    expect(input.statement['text']).toBe('SELECT email FROM customers WHERE id = $1');
    expect(input.statement['tables']).toEqual({ read: ['public.customers'], written: [] });
    expect(input.statement).not.toHaveProperty('params');
    expect(input.session).toEqual({ statements: 4, rows_returned: 10, in_transaction: false, age_seconds: 60 });
    expect(JSON.stringify(ev)).not.toContain('"42"');
  });

  it.each([
    { note: 'allow', decision: { kind: 'allow', masks: [] } as Decision, result: { outcome: 'allow', allow: true, mask: [] } },
    {
      note: 'deny by a rule',
      decision: DENY,
      result: { outcome: 'deny', allow: false, deny: DENY.kind === 'deny' ? DENY.reasons : [], origin: 'policy', mask: [] },
    },
    {
      note: 'hold',
      decision: HOLD,
      result: {
        outcome: 'hold',
        allow: false,
        approval: [{ reason: 'production write', rule: 'prod.write' }],
        hold: { ttl_ms: 90_000, min_approvals: 2, mode: 'hold' },
        mask: [],
      },
    },
  ])('result of $note in the policy shape', ({ decision, result }) => {
    expect(decisionResult(decision)).toEqual(result);
  });

  it('reports a policy failure as the event error', () => {
    const { l, events } = logger();
    const failed: Decision = {
      ...DENY,
      origin: 'error',
      rule: 'portcullis.policy_error',
      detail: 'eval_conflict_error in p.rego:3',
    } as Decision;
    l.subscriber(decided('DELETE FROM t', failed, null));
    expect(events()[0]?.error).toEqual({ code: 'policy_error', message: 'eval_conflict_error in p.rego:3' });
  });

  it('rebuilds the input and numbers statements when the event carries neither', () => {
    const { l, events } = logger();
    l.subscriber({
      type: 'session.opened',
      session: 's-1',
      subject: 'agent-7',
      issuer: 'https://issuer',
      clientAddress: '10.9.9.9',
      tls: false,
      database: 'app',
      user: 'agent',
      applicationName: '',
    });
    const { statementId: _, ...bare } = decided('SELECT 1', { kind: 'allow', masks: [] }, null, false);
    l.subscriber(bare);
    l.subscriber(bare);
    const [a, b] = events();
    expect([a?.statement_id, b?.statement_id]).toEqual([1, 2]);
    expect(a?.requested_by).toBe('10.9.9.9');
    expect(a?.timestamp).toBe('2026-01-02T03:04:05.679000000Z');
    expect(a?.input).toMatchObject({
      identity: { sub: 'agent-7', iss: 'https://issuer' },
      connection: { client_address: '10.9.9.9', database: 'app' },
      statement: { text: 'SELECT 1', kind: 'select' },
      session: { in_transaction: false },
    });
  });

  it.each([
    { ms: Date.UTC(2026, 0, 1), want: '2026-01-01T00:00:00.000000000Z' },
    { ms: Date.UTC(2026, 0, 1) + 0.123, want: '2026-01-01T00:00:00.000123000Z' },
    { ms: Date.UTC(2026, 0, 1) + 1.5, want: '2026-01-01T00:00:00.001500000Z' },
    { ms: Date.UTC(2026, 0, 1) + 999.9999, want: '2026-01-01T00:00:01.000000000Z' },
  ])('formats $ms as RFC 3339 with nine fraction digits', ({ ms, want }) => {
    expect(rfc3339Nano(ms)).toBe(want);
  });

  it('never throws into the bus and ignores other events', () => {
    const broken: Sink = { ...collecting(), write: () => {} };
    const l = createDecisionLogger({ labels: { id: 'g', version: 'v' }, bundles: {}, path: 'p', sinks: [broken] });
    const others: GatewayEvent[] = [
      { type: 'gateway.error', message: 'x' },
      { type: 'policy.print', line: 'y' },
    ];
    for (const e of others) expect(() => l.subscriber(e)).not.toThrow();
    expect(l.stats.events).toBe(0);
  });

  it('refuses a mask path outside /input and /result', () => {
    expect(() =>
      createDecisionLogger({
        labels: { id: 'g', version: 'v' },
        bundles: {},
        path: 'p',
        sinks: [],
        mask: [{ op: 'remove', path: '/labels/id' }],
      }),
    ).toThrow(TypeError);
  });
});

describe('masking', () => {
  const extended = ['alice@example.com', null];
  it.each([
    {
      note: 'default: params erased',
      mask: [],
      eraseParams: true,
      params: extended,
      erased: ['/input/statement/params'],
      masked: [],
      check: {},
    },
    {
      note: 'default: params erased under the simple protocol too (null)',
      mask: [],
      eraseParams: true,
      params: null,
      erased: ['/input/statement/params'],
      masked: [],
      check: {},
    },
    {
      note: 'erase_params false lets them out',
      mask: [],
      eraseParams: false,
      params: extended,
      erased: [],
      masked: [],
      check: { '/input/statement/params': extended },
    },
    {
      note: 'remove a claim',
      mask: [{ op: 'remove', path: '/input/identity/email' }],
      eraseParams: true,
      params: extended,
      erased: ['/input/statement/params', '/input/identity/email'],
      masked: [],
      check: { '/input/identity/email': undefined, '/input/identity/sub': 'agent-7' },
    },
    {
      note: 'upsert the statement text',
      mask: [{ op: 'upsert', path: '/input/statement/text', value: '**REDACTED**' }],
      eraseParams: true,
      params: null,
      erased: ['/input/statement/params'],
      masked: ['/input/statement/text'],
      check: { '/input/statement/text': '**REDACTED**' },
    },
    {
      note: 'a rule on params replaces the default erase',
      mask: [{ op: 'upsert', path: '/input/statement/params/0', value: 'x' }],
      eraseParams: true,
      params: extended,
      erased: [],
      masked: ['/input/statement/params/0'],
      check: { '/input/statement/params': ['x', null] },
    },
    {
      note: 'upsert creates missing objects',
      mask: [{ op: 'upsert', path: '/input/extra/note', value: { why: 'audit' } }],
      eraseParams: false,
      params: null,
      erased: [],
      masked: ['/input/extra/note'],
      check: { '/input/extra/note': { why: 'audit' } },
    },
    {
      note: 'remove a result field',
      mask: [{ op: 'remove', path: '/result/deny/0/reason' }],
      eraseParams: false,
      params: null,
      erased: ['/result/deny/0/reason'],
      masked: [],
      check: { '/result/deny/0': { rule: 'dml.delete_without_where' } },
    },
    {
      note: 'paths that do not exist are ignored',
      mask: [
        { op: 'remove', path: '/input/identity/nope' },
        { op: 'remove', path: '/input/statement/tables/read/9' },
        { op: 'upsert', path: '/input/statement/text/deeper', value: 1 },
        { op: 'upsert', path: '/result/deny/7', value: 1 },
      ],
      eraseParams: false,
      params: null,
      erased: [],
      masked: [],
      check: { '/input/statement/text': 'DELETE FROM customers' },
    },
    {
      note: 'escaped pointer tokens',
      mask: [{ op: 'upsert', path: '/input/identity/a~1b~0c', value: 'v' }],
      eraseParams: false,
      params: null,
      erased: [],
      masked: ['/input/identity/a~1b~0c'],
      check: { '/input/identity/a~1b~0c': 'v' },
    },
  ] as {
    note: string;
    mask: MaskRule[];
    eraseParams: boolean;
    params: (string | null)[] | null;
    erased: string[];
    masked: string[];
    check: Record<string, unknown>;
  }[])('$note', ({ mask, eraseParams, params, erased, masked, check }) => {
    const { l, events } = logger({ mask, eraseParams });
    const e = decided('DELETE FROM customers', DENY, params);
    const before = JSON.stringify(e.input);
    l.subscriber(e);
    const [ev] = events();
    expect(ev?.erased ?? []).toEqual(erased);
    expect(ev?.masked ?? []).toEqual(masked);
    for (const [pointer, want] of Object.entries(check)) expect(at(ev, pointer)).toEqual(want);
    expect(JSON.stringify(e.input)).toBe(before); // the caller's input is never touched
  });
});

/** at reads a JSON pointer of a value. */
function at(value: unknown, pointer: string): unknown {
  let v: unknown = value;
  for (const raw of pointer.slice(1).split('/')) {
    const t = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[t];
  }
  return v;
}

describe('the console sink', () => {
  it.each([
    { note: 'a stream', kind: 'stream' },
    { note: 'a function', kind: 'function' },
  ])('writes one JSON line per event to $note', async ({ kind }) => {
    const stream = new PassThrough();
    const chunks: string[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c.toString()));
    const sink = createConsoleSink({ target: kind === 'stream' ? stream : (t) => void chunks.push(t) });
    const l = createDecisionLogger({ labels: { id: 'g', version: 'v' }, bundles: {}, path: 'portcullis/decision', sinks: [sink] });
    l.subscriber(decided('SELECT 1', { kind: 'allow', masks: [] }, ['secret']));
    l.subscriber(decided('DELETE FROM t', DENY, null));
    await l.flush();
    const lines = chunks.join('').split('\n');
    expect(lines.at(-1)).toBe('');
    const parsed = lines.slice(0, -1).map((x) => JSON.parse(x) as DecisionLogEvent);
    expect(parsed.map((p) => (p.result as { outcome: string }).outcome)).toEqual(['allow', 'deny']);
    expect(parsed[0]?.decision_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(chunks.join('')).not.toContain('secret');
    expect(l.stats).toEqual({ events: 2, dropped: 0, sinks: { console: { written: 2, dropped: 0, buffered: 0, failures: 0 } } });
    await l.close();
    l.subscriber(decided('SELECT 1', { kind: 'allow', masks: [] }, null));
    expect(l.stats.dropped).toBe(1);
  });
});
