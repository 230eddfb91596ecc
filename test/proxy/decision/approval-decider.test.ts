// The approval decider (`portcullis/approval`): interpreting its result sets (allow with a quorum,
// deny entries, anything else fails closed), and deciding approvers' actions with the shipped
// policy library (policies/) compiled by our engine.

import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { compile, formatDiagnostic, loadPolicy } from '../../../engine/index.js';
import type { PolicyInstance, SourceFile } from '../../../engine/index.js';
import type { ApprovalPolicyInput, ApprovalVerdict as ContractVerdict } from '../../../proxy/approvals/index.js';
import { DEFAULT_APPROVAL_ENTRYPOINT, RULE_IDS, createApprovalDecider, interpretApprovalResult } from '../../../proxy/decision/index.js';
import type { ApprovalDecisionInput, ApprovalVerdict } from '../../../proxy/decision/index.js';

const r = (result: unknown) => [{ result }];
const policyError = (why: string): ApprovalVerdict => ({
  kind: 'deny',
  reasons: [{ reason: `approval policy error: ${why}`, rule: RULE_IDS.policyError }],
});
const d1 = { reason: 'not an approver', rule: 'approval.role' };
const d2 = { reason: 'your own request', rule: 'approval.self' };

describe('the approval contract', () => {
  it('decides the approvals contract input and answers its verdict', () => {
    expectTypeOf<ApprovalPolicyInput>().toMatchTypeOf<ApprovalDecisionInput>();
    expectTypeOf<ApprovalVerdict>().toEqualTypeOf<ContractVerdict>();
    expect(DEFAULT_APPROVAL_ENTRYPOINT).toBe('portcullis/approval');
  });
});

describe('interpretApprovalResult', () => {
  const cases: { note: string; resultSet: unknown; want: ApprovalVerdict }[] = [
    { note: 'allow with a quorum', resultSet: r({ allow: true, deny: [], quorum: 2 }), want: { kind: 'allow', quorum: 2 } },
    { note: 'allow without a quorum needs one approval', resultSet: r({ allow: true }), want: { kind: 'allow', quorum: 1 } },
    {
      note: 'deny entries refuse, sorted by rule',
      resultSet: r({ allow: true, deny: [d2, d1], quorum: 1 }),
      want: { kind: 'deny', reasons: [d1, d2] },
    },
    { note: 'deny without allow', resultSet: r({ allow: false, deny: [d1] }), want: { kind: 'deny', reasons: [d1] } },
    {
      note: 'neither allow nor deny refuses (fail closed)',
      resultSet: r({ allow: false, deny: [], quorum: 1 }),
      want: { kind: 'deny', reasons: [{ reason: 'the approval policy did not allow this action', rule: RULE_IDS.defaultDeny }] },
    },
    { note: 'undefined', resultSet: [], want: policyError('the approval decision is undefined (no portcullis/approval value)') },
    { note: 'not an array', resultSet: { result: {} }, want: policyError('the result set is not an array') },
    { note: 'several results', resultSet: [{ result: {} }, { result: {} }], want: policyError('the policy returned several results') },
    { note: 'not an object', resultSet: r(true), want: policyError('the approval decision must be an object, got true') },
    {
      note: 'an unknown key (a helper rule in the package)',
      resultSet: r({ allow: true, quorum: 1, is_admin: true }),
      want: policyError('the approval decision has an unknown key "is_admin" (allowed: allow, deny, quorum)'),
    },
    { note: 'allow is not a boolean', resultSet: r({ allow: 'yes' }), want: policyError('approval.allow must be a boolean, got "yes"') },
    ...[0, -1, 1.5, '2', null].map((quorum) => ({
      note: `quorum ${JSON.stringify(quorum)}`,
      resultSet: r({ allow: true, quorum }),
      want: policyError(`approval.quorum must be an integer >= 1, got ${JSON.stringify(quorum)}`),
    })),
    {
      note: 'a malformed deny entry',
      resultSet: r({ allow: false, deny: [{ reason: 'x' }] }),
      want: policyError('approval.deny[0] must be {"reason": string, "rule": string}, got {"reason":"x"}'),
    },
  ];
  it.each(cases)('$note', ({ resultSet, want }) => {
    expect(interpretApprovalResult(resultSet)).toEqual(want);
  });
});

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../policies');

function regoFiles(dir: string): SourceFile[] {
  const out: SourceFile[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...regoFiles(p));
    else if (e.name.endsWith('.rego') && !e.name.endsWith('_test.rego'))
      out.push({ name: relative(root, p).split(sep).join('/'), text: readFileSync(p, 'utf8') });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : 1));
}

const ISS = 'https://issuer.test';
const requester = { sub: 'agent-writer', iss: ISS };
const approver = { sub: 'alice', iss: ISS, aud: 'portcullis-admin', exp: 1893456000, roles: ['db:approver'] };

/** inputFor builds an approver's action on a pending request of `requester` (overrides merged in). */
function inputFor(over: {
  approver?: Record<string, unknown>;
  action?: 'approve' | 'deny';
  reason?: string;
  minApprovals?: number;
  soFar?: ApprovalPolicyInput['approvals_so_far'];
}): ApprovalPolicyInput {
  return {
    approver: over.approver ?? approver,
    action: over.action ?? 'approve',
    reason: over.reason ?? 'checked the WHERE clause',
    request: {
      id: 'q1',
      status: 'pending',
      mode: 'hold',
      requester: { ...requester, claims: { ...requester, roles: ['db:write'] } },
      session: 's1',
      database: 'app',
      statements: [
        {
          text: 'UPDATE orders SET total = 0 WHERE id = 1',
          params: null,
          fingerprint: '0123456789abcdef',
          kind: 'update',
          tables: { read: [], written: ['public.orders'] },
        },
      ],
      reasons: [{ reason: 'UPDATE writes production table public.orders; a human must approve it', rule: 'production.write' }],
      min_approvals: over.minApprovals ?? 1,
      policy_revision: '',
      created_at: '2026-01-01T00:00:00Z',
      expires_at: '2026-01-01T00:05:00Z',
      resolved_at: null,
      executed_at: null,
    },
    approvals_so_far: over.soFar ?? [],
  };
}

describe('createApprovalDecider with the shipped policy library', async () => {
  const out = compile({ files: regoFiles(root) });
  expect(out.diagnostics.map(formatDiagnostic)).toEqual([]);
  expect(out.entrypoints).toContain('portcullis/approval');
  if (out.wasm === undefined) throw new Error('no wasm');
  const policy = await loadPolicy(out.wasm);
  policy.setData(JSON.parse(readFileSync(join(root, 'data.json'), 'utf8')));
  const errors: string[] = [];
  const decider = createApprovalDecider({ policy, onPolicyError: (m) => errors.push(m) });
  const rules = (v: ApprovalVerdict) => (v.kind === 'deny' ? v.reasons.map((x) => x.rule) : []);

  const cases: { note: string; input: ApprovalPolicyInput; want: ApprovalVerdict | string[] }[] = [
    { note: 'an approver with the role may approve: quorum 1', input: inputFor({}), want: { kind: 'allow', quorum: 1 } },
    { note: 'min_approvals 2 gives quorum 2', input: inputFor({ minApprovals: 2 }), want: { kind: 'allow', quorum: 2 } },
    {
      note: 'roles as a space-separated string count the same',
      input: inputFor({ approver: { sub: 'bob', iss: ISS, roles: 'db:read db:approver' } }),
      want: { kind: 'allow', quorum: 1 },
    },
    { note: 'no approver role', input: inputFor({ approver: { sub: 'mallory', iss: ISS, roles: ['db:write'] } }), want: ['approval.role'] },
    {
      note: 'self-approval (separation of duties)',
      input: inputFor({ approver: { ...requester, roles: ['db:approver'] } }),
      want: ['approval.self'],
    },
    {
      note: 'the requester may deny (withdraw) their own request',
      input: inputFor({ approver: { ...requester, roles: ['db:write'] }, action: 'deny', reason: 'not needed' }),
      want: { kind: 'allow', quorum: 1 },
    },
    { note: 'an empty reason', input: inputFor({ reason: '' }), want: ['approval.reason'] },
    { note: 'a blank reason', input: inputFor({ reason: '  \t ' }), want: ['approval.reason'] },
    {
      note: 'a repeat approver',
      input: inputFor({ minApprovals: 2, soFar: [{ sub: 'alice', iss: ISS, reason: 'ok', at: '2026-01-01T00:01:00Z' }] }),
      want: ['approval.repeat'],
    },
    {
      note: 'the same sub from another issuer is another approver',
      input: inputFor({ minApprovals: 2, soFar: [{ sub: 'alice', iss: 'https://other.test', reason: 'ok', at: '2026-01-01T00:01:00Z' }] }),
      want: { kind: 'allow', quorum: 2 },
    },
  ];
  it.each(cases)('$note', ({ input, want }) => {
    const v = decider.decide(input);
    if (Array.isArray(want)) {
      expect(v.kind).toBe('deny');
      expect(rules(v)).toEqual(want);
    } else expect(v).toEqual(want);
  });

  it('reports no policy error for the policy refusing', () => {
    errors.length = 0;
    decider.decide(inputFor({ reason: '' }));
    expect(errors).toEqual([]);
  });
});

describe('createApprovalDecider fails closed', async () => {
  const compileOne = async (text: string): Promise<PolicyInstance> => {
    const out = compile({ files: [{ name: 'approval.rego', text }], entrypoints: ['portcullis/approval'] });
    expect(out.diagnostics).toEqual([]);
    if (out.wasm === undefined) throw new Error('no wasm');
    return loadPolicy(out.wasm);
  };
  const helperLeak = await compileOne('package portcullis.approval\n\nallow := true\n\nquorum := 1\n\nhelper := "oops"\n');
  const conflict = await compileOne('package portcullis.approval\n\nallow := x if {\n\tsome x in [true, false]\n}\n');
  const undefinedOne = await compileOne('package portcullis.approval\n\nallow := true if input.action == "never"\n');
  const throwing = {
    entrypoints: { 'portcullis/approval': 0 },
    evaluate: () => {
      throw new Error('/srv/policies/approval.rego:3: eval_conflict_error');
    },
    evaluateRaw: () => {
      throw new Error('/srv/policies/approval.rego:3: eval_conflict_error');
    },
  } as unknown as PolicyInstance;

  const cases: { note: string; policy: () => PolicyInstance | undefined; entrypoint?: string; rule: string; reason: string | RegExp }[] = [
    {
      note: 'no policy',
      policy: () => undefined,
      rule: RULE_IDS.noPolicy,
      reason: 'approval policy error: no policy is loaded: no approval can be given',
    },
    {
      note: 'no such entrypoint',
      policy: () => helperLeak,
      entrypoint: 'acme/approvers',
      rule: RULE_IDS.policyError,
      reason: 'approval policy error: the policy has no entrypoint acme/approvers',
    },
    {
      note: 'a helper rule leaks into the answer',
      policy: () => helperLeak,
      rule: RULE_IDS.policyError,
      reason: 'approval policy error: the approval decision has an unknown key "helper" (allowed: allow, deny, quorum)',
    },
    {
      note: 'an evaluation conflict',
      policy: () => conflict,
      rule: RULE_IDS.policyError,
      reason: /^approval policy error: evaluation failed/,
    },
    { note: 'the engine throws', policy: () => throwing, rule: RULE_IDS.policyError, reason: /^approval policy error: evaluation failed/ },
    {
      note: 'a getter that throws',
      policy: () => {
        throw new Error('reload failed');
      },
      rule: RULE_IDS.noPolicy,
      reason: 'approval policy error: no policy is loaded: no approval can be given',
    },
    {
      note: 'a package with no rule defined is an empty answer: refused',
      policy: () => undefinedOne,
      rule: RULE_IDS.defaultDeny,
      reason: 'the approval policy did not allow this action',
    },
  ];
  it.each(cases)('$note', ({ policy, entrypoint, rule, reason }) => {
    const errors: string[] = [];
    const decider = createApprovalDecider({
      policy,
      ...(entrypoint !== undefined ? { entrypoint } : {}),
      onPolicyError: (m) => errors.push(m),
    });
    const v = decider.decide(inputFor({}));
    expect(v.kind).toBe('deny');
    const first = v.kind === 'deny' ? v.reasons[0] : undefined;
    expect(first?.rule).toBe(rule);
    if (typeof reason === 'string') expect(first?.reason).toBe(reason);
    else expect(first?.reason).toMatch(reason);
    expect(first?.reason).not.toMatch(/\.rego|\/srv/);
    if (rule !== RULE_IDS.defaultDeny) expect(errors).toHaveLength(1);
  });

  it('gives the operator the engine message', () => {
    const errors: string[] = [];
    createApprovalDecider({ policy: throwing, onPolicyError: (m) => errors.push(m) }).decide(inputFor({}));
    expect(errors).toEqual([expect.stringMatching(/^approval policy error: evaluation failed: .*\/srv\/policies\/approval\.rego:3/)]);
  });
});
