// The decision layer: interpreting result sets (precedence, masks, malformed → fail closed),
// deciding with a real compiled policy, and turning decisions into client errors.

import { describe, expect, it } from 'vitest';
import { compile, loadPolicy } from '../../../engine/index.js';
import type { PolicyInstance } from '../../../engine/index.js';
import { RULE_IDS, createDecider, interpretResult } from '../../../proxy/decision/index.js';
import type { Decision, PolicyInput } from '../../../proxy/decision/index.js';

const r = (result: unknown) => [{ result }];
const d1 = { reason: 'no DROP', rule: 'ddl.destructive' };
const d2 = { reason: 'read-only', rule: 'read_only.write' };
const a1 = { reason: 'production write', rule: 'production.write' };
const a2 = { reason: 'customer data', rule: 'pii.write' };
const once = { minApprovals: 1 };
const hold = (reasons: { reason: string; rule: string }[], approval: Extract<Decision, { kind: 'hold' }>['approval']): Decision => ({
  kind: 'hold',
  reason: reasons[0]?.reason ?? '',
  rule: reasons[0]?.rule ?? '',
  reasons,
  masks: [],
  approval,
});
const policyError = (why: string): Decision => ({
  kind: 'deny',
  reason: `policy error: ${why}`,
  rule: RULE_IDS.policyError,
  origin: 'error',
  reasons: [{ reason: `policy error: ${why}`, rule: RULE_IDS.policyError }],
});
const defaultDeny: Decision = {
  kind: 'deny',
  reason: 'no policy rule allowed this statement',
  rule: 'portcullis.default_deny',
  origin: 'default',
  reasons: [{ reason: 'no policy rule allowed this statement', rule: 'portcullis.default_deny' }],
};

describe('interpretResult', () => {
  const cases: { note: string; resultSet: unknown; want: Decision }[] = [
    { note: 'allow with nothing else', resultSet: r({ allow: true }), want: { kind: 'allow', masks: [] } },
    { note: 'allow with empty sets', resultSet: r({ allow: true, deny: [], approval: [], mask: [] }), want: { kind: 'allow', masks: [] } },
    { note: 'allow false is the default deny', resultSet: r({ allow: false }), want: defaultDeny },
    { note: 'missing allow is the default deny', resultSet: r({ mask: [] }), want: defaultDeny },
    { note: 'an empty object is the default deny', resultSet: r({}), want: defaultDeny },
    {
      note: 'deny wins over allow',
      resultSet: r({ allow: true, deny: [d1] }),
      want: { kind: 'deny', reason: 'no DROP', rule: 'ddl.destructive', origin: 'policy', reasons: [d1] },
    },
    {
      note: 'deny wins over approval, first by rule id reported',
      resultSet: r({ allow: true, deny: [d2, d1], approval: [a1] }),
      want: { kind: 'deny', reason: 'no DROP', rule: 'ddl.destructive', origin: 'policy', reasons: [d1, d2] },
    },
    {
      note: 'deny without allow is still the policy deny',
      resultSet: r({ deny: [d2] }),
      want: { kind: 'deny', reason: 'read-only', rule: 'read_only.write', origin: 'policy', reasons: [d2] },
    },
    { note: 'approval wins over allow', resultSet: r({ allow: true, approval: [a1] }), want: hold([a1], once) },
    { note: 'approval without allow holds', resultSet: r({ approval: [a1] }), want: hold([a1], once) },
    {
      note: 'approval with ttl, quorum and mode',
      resultSet: r({ approval: [{ ...a1, ttl: '90s', min_approvals: 2, mode: 'hold' }] }),
      want: hold([a1], { ttlMs: 90_000, minApprovals: 2, mode: 'hold' }),
    },
    {
      note: 'approval entries combine: shortest ttl, largest quorum, refuse_and_grant over hold',
      resultSet: r({
        approval: [
          { ...a2, ttl: '1h', min_approvals: 3, mode: 'hold' },
          { ...a1, ttl: 120, min_approvals: 2, mode: 'refuse_and_grant' },
        ],
      }),
      want: hold([a2, a1], { ttlMs: 120_000, minApprovals: 3, mode: 'refuse_and_grant' }),
    },
    {
      note: 'an entry without the fields leaves the others in force',
      resultSet: r({ approval: [a1, { ...a2, ttl: '2m', mode: 'hold' }] }),
      want: hold([a2, a1], { ttlMs: 120_000, minApprovals: 1, mode: 'hold' }),
    },
    {
      note: 'ttl grammar: compound durations, milliseconds, fractional seconds',
      resultSet: r({
        approval: [
          { ...a1, ttl: '1h30m' },
          { ...a2, ttl: '1.5h' },
        ],
      }),
      want: hold([a2, a1], { ttlMs: 5_400_000, minApprovals: 1 }),
    },
    {
      note: 'ttl in milliseconds',
      resultSet: r({ approval: [{ ...a1, ttl: '250ms' }] }),
      want: hold([a1], { ttlMs: 250, minApprovals: 1 }),
    },
    {
      note: 'ttl as fractional seconds',
      resultSet: r({ approval: [{ ...a1, ttl: 1.5 }] }),
      want: hold([a1], { ttlMs: 1500, minApprovals: 1 }),
    },
    {
      note: 'approval entry with an unknown key',
      resultSet: r({ approval: [{ ...a1, quorum: 2 }] }),
      want: policyError('decision.approval[0] has an unknown key "quorum" (allowed: reason, rule, ttl, min_approvals, mode)'),
    },
    ...[
      { ttl: -5, shown: '-5' },
      { ttl: 0, shown: '0' },
      { ttl: '0s', shown: '"0s"' },
      { ttl: 'soon', shown: '"soon"' },
      { ttl: '5 m', shown: '"5 m"' },
      { ttl: '2d', shown: '"2d"' },
      { ttl: true, shown: 'true' },
      { ttl: `${'9'.repeat(30)}h`, shown: `"${'9'.repeat(30)}h"` },
    ].map(({ ttl, shown }) => ({
      note: `approval ttl ${shown} is invalid`,
      resultSet: r({ approval: [{ ...a1, ttl }] }),
      want: policyError(
        `decision.approval[0].ttl must be a duration ("90s", "2m", "1h", "1h30m") or a positive number of seconds, got ${shown}`,
      ),
    })),
    ...[
      { q: 0, shown: '0' },
      { q: -1, shown: '-1' },
      { q: 1.5, shown: '1.5' },
      { q: '2', shown: '"2"' },
      { q: null, shown: 'null' },
    ].map(({ q, shown }) => ({
      note: `approval min_approvals ${shown} is invalid`,
      resultSet: r({ approval: [{ ...a1, min_approvals: q }] }),
      want: policyError(`decision.approval[0].min_approvals must be an integer >= 1, got ${shown}`),
    })),
    ...[
      { mode: 'wait', shown: '"wait"' },
      { mode: 'HOLD', shown: '"HOLD"' },
      { mode: 1, shown: '1' },
    ].map(({ mode, shown }) => ({
      note: `approval mode ${shown} is invalid`,
      resultSet: r({ approval: [a1, { ...a2, mode }] }),
      want: policyError(`decision.approval[1].mode must be "hold" or "refuse_and_grant", got ${shown}`),
    })),
    {
      note: 'masks sorted, keep kept for partial only',
      resultSet: r({
        allow: true,
        mask: [
          { table: 'public.customers', column: 'email', kind: 'hash', keep: 2 },
          { table: 'public.customers', column: 'card_number', kind: 'partial', keep: 4 },
        ],
      }),
      want: {
        kind: 'allow',
        masks: [
          { table: 'public.customers', column: 'card_number', kind: 'partial', keep: 4 },
          { table: 'public.customers', column: 'email', kind: 'hash' },
        ],
      },
    },
    {
      note: 'two masks on one column: the stronger kind wins',
      resultSet: r({
        allow: true,
        mask: [
          { table: 't', column: 'c', kind: 'partial' },
          { table: 't', column: 'c', kind: 'redact' },
        ],
      }),
      want: { kind: 'allow', masks: [{ table: 't', column: 'c', kind: 'redact' }] },
    },
    {
      note: 'two partial masks on one column: the smaller keep wins',
      resultSet: r({
        allow: true,
        mask: [
          { table: 't', column: 'c', kind: 'partial', keep: 2 },
          { table: 't', column: 'c', kind: 'partial' },
        ],
      }),
      want: { kind: 'allow', masks: [{ table: 't', column: 'c', kind: 'partial', keep: 2 }] },
    },
    {
      note: 'masks are ignored when the statement is denied by default',
      resultSet: r({ mask: [{ table: 't', column: 'c', kind: 'null' }] }),
      want: defaultDeny,
    },
    { note: 'undefined decision', resultSet: [], want: policyError('the decision is undefined (no portcullis/decision value)') },
    { note: 'result set not an array', resultSet: { result: {} }, want: policyError('the result set is not an array') },
    { note: 'several results', resultSet: [{ result: {} }, { result: {} }], want: policyError('the policy returned several results') },
    { note: 'entry without result', resultSet: [{}], want: policyError('the result set entry has no result') },
    { note: 'decision is true', resultSet: r(true), want: policyError('the decision must be an object, got true') },
    { note: 'decision is an array', resultSet: r([1]), want: policyError('the decision must be an object, got [1]') },
    {
      note: 'unknown key (typo)',
      resultSet: r({ allow: true, denny: [d1] }),
      want: policyError('the decision has an unknown key "denny" (allowed: allow, deny, mask, approval)'),
    },
    { note: 'allow is a string', resultSet: r({ allow: 'yes' }), want: policyError('decision.allow must be a boolean, got "yes"') },
    {
      note: 'deny is an object',
      resultSet: r({ allow: true, deny: { reason: 'x', rule: 'y' } }),
      want: policyError('decision.deny must be a set of {reason, rule} objects, got {"reason":"x","rule":"y"}'),
    },
    {
      note: 'deny entry is a bare string',
      resultSet: r({ allow: true, deny: ['nope'] }),
      want: policyError('decision.deny[0] must be {"reason": string, "rule": string}, got "nope"'),
    },
    {
      note: 'deny entry without rule',
      resultSet: r({ allow: true, deny: [{ reason: 'x' }] }),
      want: policyError('decision.deny[0] must be {"reason": string, "rule": string}, got {"reason":"x"}'),
    },
    {
      note: 'approval entry with an empty reason',
      resultSet: r({ allow: true, approval: [{ reason: '', rule: 'r' }] }),
      want: policyError(
        'decision.approval[0] must be {"reason": string, "rule": string, "ttl"?, "min_approvals"?, "mode"?}, got {"reason":"","rule":"r"}',
      ),
    },
    {
      note: 'mask with an unknown kind',
      resultSet: r({ allow: true, mask: [{ table: 't', column: 'c', kind: 'scramble' }] }),
      want: policyError(
        'decision.mask[0] must be {"table": string, "column": string, "kind": "redact"|"partial"|"hash"|"null", "keep"?: integer >= 0}, got {"table":"t","column":"c","kind":"scramble"}',
      ),
    },
    {
      note: 'mask with a negative keep',
      resultSet: r({ allow: true, mask: [{ table: 't', column: 'c', kind: 'partial', keep: -1 }] }),
      want: policyError(
        'decision.mask[0] must be {"table": string, "column": string, "kind": "redact"|"partial"|"hash"|"null", "keep"?: integer >= 0}, got {"table":"t","column":"c","kind":"partial","keep":-1}',
      ),
    },
    {
      note: 'mask without a column',
      resultSet: r({ allow: true, mask: [{ table: 't', kind: 'null' }] }),
      want: policyError(
        'decision.mask[0] must be {"table": string, "column": string, "kind": "redact"|"partial"|"hash"|"null", "keep"?: integer >= 0}, got {"table":"t","kind":"null"}',
      ),
    },
    {
      note: 'long values are cut in messages',
      resultSet: r({ allow: 'x'.repeat(200) }),
      want: policyError(`decision.allow must be a boolean, got "${'x'.repeat(76)}...`),
    },
  ];
  it.each(cases)('$note', ({ resultSet, want }) => {
    expect(interpretResult(resultSet)).toEqual(want);
  });
});

/** A policy whose decision follows input.case, so one module covers every outcome. */
const POLICY = `package portcullis

# METADATA
# entrypoint: true
decision := {"allow": true} if input.case == "allow"

decision := {"allow": true, "deny": {{"reason": "no", "rule": "t.no"}}} if input.case == "deny"

decision := {"approval": {{"reason": "ask", "rule": "t.ask"}}} if input.case == "hold"

decision := {"approval": {{"reason": "ask", "rule": "t.ask", "ttl": "2m", "min_approvals": 2, "mode": "refuse_and_grant"}}} if input.case == "hold2"

decision := {"approval": {{"reason": "ask", "rule": "t.ask", "min_approvals": 0}}} if input.case == "badhold"

decision := {"allow": true, "mask": {{"table": "public.customers", "column": "email", "kind": "partial"}}} if input.case == "mask"

decision := x if {
	input.case == "conflict"
	some x in [1, 2]
}

decision := "oops" if input.case == "malformed"

other := {"allow": true}
`;

async function loadTestPolicy(text: string, entrypoints: string[] = []): Promise<PolicyInstance> {
  const out = compile({ files: [{ name: 'decision.rego', text }], entrypoints });
  expect(out.diagnostics).toEqual([]);
  if (out.wasm === undefined) throw new Error('no wasm');
  return loadPolicy(out.wasm);
}

const inputFor = (c: string) => ({ case: c }) as unknown as PolicyInput;

describe('createDecider with a compiled policy', async () => {
  const policy = await loadTestPolicy(POLICY, ['portcullis/other']);
  const events: string[] = [];
  const decider = createDecider({ policy, onPolicyError: (message) => events.push(message) });

  const cases: { note: string; input: string; kind: Decision['kind']; rule?: string; reason?: string | RegExp; detail?: RegExp }[] = [
    { note: 'allow', input: 'allow', kind: 'allow' },
    { note: 'mask', input: 'mask', kind: 'allow' },
    { note: 'policy deny', input: 'deny', kind: 'deny', rule: 't.no', reason: 'no' },
    { note: 'approval', input: 'hold', kind: 'hold', rule: 't.ask', reason: 'ask' },
    { note: 'approval with options', input: 'hold2', kind: 'hold', rule: 't.ask', reason: 'ask' },
    {
      note: 'approval with a bad quorum',
      input: 'badhold',
      kind: 'deny',
      rule: RULE_IDS.policyError,
      reason: 'policy error: decision.approval[0].min_approvals must be an integer >= 1, got 0',
    },
    {
      note: 'undefined decision',
      input: 'nothing',
      kind: 'deny',
      rule: RULE_IDS.policyError,
      reason: /^policy error: the decision is undefined/,
    },
    {
      note: 'evaluation abort',
      input: 'conflict',
      kind: 'deny',
      rule: RULE_IDS.policyError,
      reason: 'policy error: evaluation failed (a runtime error in the policy; the gateway log has the details)',
      detail: /^policy error: evaluation failed: .*eval_conflict_error/,
    },
    {
      note: 'malformed decision',
      input: 'malformed',
      kind: 'deny',
      rule: RULE_IDS.policyError,
      reason: 'policy error: the decision must be an object, got "oops"',
    },
  ];
  it.each(cases)('$note', (c) => {
    const d = decider.decide(inputFor(c.input));
    expect(d.kind).toBe(c.kind);
    if (d.kind !== 'allow') {
      expect(d.rule).toBe(c.rule);
      if (typeof c.reason === 'string') expect(d.reason).toBe(c.reason);
      else expect(d.reason).toMatch(c.reason as RegExp);
      // the agent's reason never names a policy file; the operator's detail does say what failed
      expect(d.reason).not.toMatch(/\.rego/);
      if (c.detail !== undefined && d.kind === 'deny') expect(d.detail).toMatch(c.detail);
    }
  });

  it('carries what the approval entries ask of the approvers', () => {
    expect(decider.decide(inputFor('hold'))).toMatchObject({ kind: 'hold', approval: { minApprovals: 1 } });
    expect(decider.decide(inputFor('hold2'))).toMatchObject({
      kind: 'hold',
      approval: { ttlMs: 120_000, minApprovals: 2, mode: 'refuse_and_grant' },
    });
  });

  it('returns the masks of an allow', () => {
    expect(decider.decide(inputFor('mask'))).toEqual({
      kind: 'allow',
      masks: [{ table: 'public.customers', column: 'email', kind: 'partial' }],
    });
  });

  it('reports policy failures, not decisions', () => {
    events.length = 0;
    decider.decide(inputFor('allow'));
    decider.decide(inputFor('deny'));
    expect(events).toEqual([]);
    decider.decide(inputFor('conflict'));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatch(/eval_conflict_error/);
  });

  it('uses another entrypoint when asked', () => {
    expect(createDecider({ policy, entrypoint: 'portcullis/other' }).decide(inputFor('x'))).toEqual({ kind: 'allow', masks: [] });
  });

  const failing: { note: string; make: () => ReturnType<typeof createDecider>; rule: string; reason: string; detail?: string }[] = [
    {
      note: 'no policy loaded',
      make: () => createDecider({ policy: undefined }),
      rule: RULE_IDS.noPolicy,
      reason: 'no policy is loaded: every statement is denied',
    },
    {
      note: 'getter returns none',
      make: () => createDecider({ policy: () => undefined }),
      rule: RULE_IDS.noPolicy,
      reason: 'no policy is loaded: every statement is denied',
    },
    {
      note: 'getter throws',
      make: () =>
        createDecider({
          policy: () => {
            throw new Error('reload failed');
          },
        }),
      rule: RULE_IDS.noPolicy,
      reason: 'no policy is loaded: every statement is denied',
    },
    {
      note: 'missing entrypoint',
      make: () => createDecider({ policy, entrypoint: 'portcullis/nope' }),
      rule: RULE_IDS.policyError,
      reason: 'policy error: the policy has no entrypoint portcullis/nope',
    },
    {
      note: 'evaluate throws a non-Error',
      make: () =>
        createDecider({
          policy: {
            ...policy,
            entrypoints: { 'portcullis/decision': 0 },
            evaluate: () => {
              throw 'boom';
            },
            evaluateRaw: () => {
              throw 'boom';
            },
          } as PolicyInstance,
        }),
      rule: RULE_IDS.policyError,
      reason: 'policy error: evaluation failed (a runtime error in the policy; the gateway log has the details)',
      detail: 'policy error: evaluation failed: boom',
    },
  ];
  it.each(failing)('fails closed: $note', ({ make, rule, reason, note: _note, ...rest }) => {
    const d = make().decide(inputFor('allow'));
    expect(d).toMatchObject({ kind: 'deny', origin: 'error', rule, reason, ...rest });
  });

  it('follows a getter when the policy is swapped (hot reload)', async () => {
    const denyAll = await loadTestPolicy(
      'package portcullis\n\n# METADATA\n# entrypoint: true\ndecision := {"deny": {{"reason": "frozen", "rule": "t.frozen"}}}\n',
    );
    let current: PolicyInstance = policy;
    const swapping = createDecider({ policy: () => current });
    expect(swapping.decide(inputFor('allow')).kind).toBe('allow');
    current = denyAll;
    expect(swapping.decide(inputFor('allow'))).toMatchObject({ kind: 'deny', rule: 't.frozen' });
  });
});
