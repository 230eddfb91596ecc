// A decided statement's record (proxy/gate/records.ts): whatever it reuses (a shape's part, a
// remembered decision's masks rendered once, the input's text), its JSON text is exactly
// JSON.stringify of its body, for every kind of verdict, and a reused part never carries one
// statement's values into another's record.

import { beforeAll, describe, expect, it } from 'vitest';
import { statementRecord } from '../../../proxy/gate/records.js';
import type { StatementRequest, Verdict } from '../../../proxy/gate/index.js';
import type { Decision, Mask } from '../../../proxy/decision/index.js';
import { denialError } from '../../../proxy/gate/index.js';
import { SqlTooComplexError } from '../../../proxy/sql/index.js';
import { initSql } from '../../../proxy/sql/index.js';
import { facts, gateSession } from '../../helpers/statements.js';

beforeAll(async () => {
  await initSql();
});

const session = gateSession();

function request(sql: string, params: StatementRequest['params'] = null): StatementRequest {
  return { session, facts: facts(sql), params, inTransaction: false, protocol: 'simple', resultFormats: [] };
}

const EMAIL: Mask = { table: 'public.customers', column: 'email', kind: 'partial' };
const CARD: Mask = { table: 'public.customers', column: 'card_number', kind: 'redact' };
/** remembered is a decision as the memo hands it out: deeply frozen, shared by every statement it decides. */
const remembered = (masks: Mask[]): readonly Mask[] => Object.freeze(masks.map((m) => Object.freeze({ ...m })));
const FROZEN = remembered([EMAIL, CARD]);
const allow = (masks: readonly Mask[]): Decision => ({ kind: 'allow', masks });
const run = (masks: readonly Mask[]): Verdict => ({ kind: 'run', decision: allow(masks), masks, copy: undefined });
const denyDecision: Extract<Decision, { kind: 'deny' }> = {
  kind: 'deny',
  reason: 'no DROP',
  rule: 'ddl.destructive',
  origin: 'policy',
  reasons: [{ reason: 'no DROP', rule: 'ddl.destructive' }],
};

const TOO_COMPLEX = new SqlTooComplexError('time', 100);

const VERDICTS: readonly { note: string; verdict: Verdict; decision: unknown }[] = [
  { note: 'a plain allow', verdict: run([]), decision: { kind: 'allow', rules: [], reasons: [], masks: [] } },
  {
    note: 'an allow with remembered (frozen) masks',
    verdict: run(FROZEN),
    decision: { kind: 'allow', rules: [], reasons: [], masks: ['public.customers.email:partial', 'public.customers.card_number:redact'] },
  },
  {
    note: 'an allow with masks made for this statement',
    verdict: run([CARD]),
    decision: { kind: 'allow', rules: [], reasons: [], masks: ['public.customers.card_number:redact'] },
  },
  {
    note: 'a deny',
    verdict: { kind: 'refuse', decision: denyDecision, error: denialError(denyDecision) },
    decision: { kind: 'deny', rules: ['ddl.destructive'], reasons: ['no DROP'], masks: [] },
  },
  {
    note: 'a refusal by the gateway',
    verdict: { kind: 'refuse', decision: undefined, error: TOO_COMPLEX },
    decision: { kind: 'refuse', rules: [TOO_COMPLEX.code], reasons: [TOO_COMPLEX.message], masks: [] },
  },
];

describe('statementRecord', () => {
  it.each(VERDICTS)('writes JSON.stringify of its body: $note', ({ verdict, decision }) => {
    const { body, json } = statementRecord(request('SELECT email FROM customers WHERE id = 1'), verdict, undefined, 7, 'rev1');
    expect(json).toBe(JSON.stringify(body));
    expect(body.decision).toEqual(decision);
    expect(body).toMatchObject({ statement: 7, policy_revision: 'rev1', text: 'SELECT email FROM customers WHERE id = 1' });
  });

  it('renders remembered masks once, and each statement keeps its own text, values and number', () => {
    const a = statementRecord(request('SELECT email FROM customers WHERE id = 1'), run(FROZEN), undefined, 1, 'r');
    const b = statementRecord(request('SELECT email FROM customers WHERE id = $1', ['2']), run(FROZEN), undefined, 2, 'r');
    expect(b.body.decision).toBe(a.body.decision);
    for (const r of [a, b]) expect(r.json).toBe(JSON.stringify(r.body));
    expect(JSON.parse(b.json)).toMatchObject({ statement: 2, params: ['2'], text: 'SELECT email FROM customers WHERE id = $1' });
    // masks made afresh are rendered afresh (never remembered: they could change)
    const fresh = [CARD];
    const c = statementRecord(request('SELECT 1'), run(fresh), undefined, 3, 'r');
    fresh.push(EMAIL);
    const d = statementRecord(request('SELECT 1'), run(fresh), undefined, 4, 'r');
    expect(c.body.decision.masks).toEqual(['public.customers.card_number:redact']);
    expect(d.body.decision.masks).toEqual(['public.customers.card_number:redact', 'public.customers.email:partial']);
  });
});
