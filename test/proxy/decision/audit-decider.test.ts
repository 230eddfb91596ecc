// The audit decider: interpretAuditResult's table (shapes that allow, refuse, or fail closed as a
// policy error), createAuditDecider with the shipped policy library compiled from policies/
// (readers, admins, agents, unknown actions, roles from data), and failing closed without a
// policy, without the entrypoint or on a policy that leaks a helper rule into its answer.

import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compile, formatDiagnostic, loadPolicy } from '../../../engine/index.js';
import type { SourceFile } from '../../../engine/index.js';
import { DEFAULT_AUDIT_ENTRYPOINT, RULE_IDS, createAuditDecider, interpretAuditResult } from '../../../proxy/decision/index.js';
import type { AuditDecisionInput, AuditVerdict } from '../../../proxy/decision/index.js';

const r = (result: unknown) => [{ result }];
const policyError = (why: string): AuditVerdict => ({
  kind: 'deny',
  reasons: [{ reason: `audit policy error: ${why}`, rule: RULE_IDS.policyError }],
});
const d1 = { reason: 'not an auditor', rule: 'audit.read_role' };

describe('interpretAuditResult', () => {
  const cases: { note: string; resultSet: unknown; want: AuditVerdict }[] = [
    { note: 'allow', resultSet: r({ allow: true, deny: [] }), want: { kind: 'allow' } },
    { note: 'deny entries refuse', resultSet: r({ allow: false, deny: [d1] }), want: { kind: 'deny', reasons: [d1] } },
    { note: 'deny wins over allow', resultSet: r({ allow: true, deny: [d1] }), want: { kind: 'deny', reasons: [d1] } },
    {
      note: 'neither allow nor deny refuses (fail closed)',
      resultSet: r({ allow: false }),
      want: { kind: 'deny', reasons: [{ reason: 'the audit policy did not allow this action', rule: RULE_IDS.defaultDeny }] },
    },
    { note: 'undefined', resultSet: [], want: policyError('the audit decision is undefined (no portcullis/audit value)') },
    { note: 'not an array', resultSet: { result: {} }, want: policyError('the result set is not an array') },
    { note: 'several results', resultSet: [{ result: {} }, { result: {} }], want: policyError('the policy returned several results') },
    { note: 'not an object', resultSet: r(true), want: policyError('the audit decision must be an object, got true') },
    {
      note: 'an unknown key (a helper rule or data in the package)',
      resultSet: r({ allow: true, read_roles: [] }),
      want: policyError('the audit decision has an unknown key "read_roles" (allowed: allow, deny)'),
    },
    { note: 'allow is not a boolean', resultSet: r({ allow: 'yes' }), want: policyError('audit.allow must be a boolean, got "yes"') },
    {
      note: 'a malformed deny entry',
      resultSet: r({ allow: false, deny: [{ reason: 'x' }] }),
      want: policyError('audit.deny[0] must be {"reason": string, "rule": string}, got {"reason":"x"}'),
    },
  ];
  it.each(cases)('$note', ({ resultSet, want }) => {
    expect(interpretAuditResult(resultSet)).toEqual(want);
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
const ask = (caller: Record<string, unknown>, action: string): AuditDecisionInput =>
  ({ caller, action, target: { session: 's1' } }) as AuditDecisionInput;

describe('createAuditDecider with the shipped policy library', async () => {
  const out = compile({ files: regoFiles(root) });
  expect(out.diagnostics.map(formatDiagnostic)).toEqual([]);
  expect(out.entrypoints).toContain(DEFAULT_AUDIT_ENTRYPOINT);
  if (out.wasm === undefined) throw new Error('no wasm');
  const policy = await loadPolicy(out.wasm);
  const data = JSON.parse(readFileSync(join(root, 'data.json'), 'utf8')) as { portcullis: Record<string, unknown> };
  policy.setData(data);
  const errors: string[] = [];
  const decider = createAuditDecider({ policy, onPolicyError: (m) => errors.push(m) });
  const rules = (v: AuditVerdict) => (v.kind === 'deny' ? v.reasons.map((x) => x.rule) : []);

  const reader = { sub: 'ada', iss: ISS, roles: ['audit:read'] };
  const admin = { sub: 'root', iss: ISS, roles: 'db:read audit:admin' };
  const agent = { sub: 'agent-7', iss: ISS, roles: ['db:write'] };
  const cases: { note: string; input: AuditDecisionInput; want: 'allow' | string[] }[] = [
    { note: 'a reader may read', input: ask(reader, 'sessions.read'), want: 'allow' },
    { note: 'an admin may read', input: ask(admin, 'sessions.read'), want: 'allow' },
    { note: 'an admin may terminate', input: ask(admin, 'sessions.terminate'), want: 'allow' },
    { note: 'an admin may block', input: ask(admin, 'identities.block'), want: 'allow' },
    { note: 'a scope claim counts', input: ask({ sub: 's', iss: ISS, scope: 'openid audit:read' }, 'sessions.read'), want: 'allow' },
    { note: 'an agent may not read', input: ask(agent, 'sessions.read'), want: ['audit.read_role'] },
    { note: 'no claims', input: ask({}, 'sessions.read'), want: ['audit.read_role'] },
    { note: 'a reader may not terminate', input: ask(reader, 'sessions.terminate'), want: ['audit.admin_role'] },
    { note: 'a reader may not block', input: ask(reader, 'identities.block'), want: ['audit.admin_role'] },
    { note: 'an unknown action', input: ask(admin, 'sessions.delete'), want: ['audit.action'] },
  ];
  it.each(cases)('$note', ({ input, want }) => {
    const v = decider.decide(input);
    if (want === 'allow') expect(v).toEqual({ kind: 'allow' });
    else expect(rules(v)).toEqual(want);
  });

  it('says why, naming the caller and the roles', () => {
    expect(decider.decide(ask(agent, 'sessions.read'))).toEqual({
      kind: 'deny',
      reasons: [
        {
          reason: `identity "agent-7" may not read recorded sessions: the token's roles must include one of ["audit:read", "audit:admin"]`,
          rule: 'audit.read_role',
        },
      ],
    });
    expect(errors).toEqual([]);
  });

  it('reads the roles from data.portcullis.auditors', () => {
    policy.setData({ portcullis: { ...data.portcullis, auditors: { read_roles: ['sec'], admin_roles: ['sec'] } } });
    try {
      expect(decider.decide(ask({ sub: 's', iss: ISS, roles: ['sec'] }, 'sessions.read'))).toEqual({ kind: 'allow' });
      expect(rules(decider.decide(ask(reader, 'sessions.read')))).toEqual(['audit.read_role']);
    } finally {
      policy.setData(data);
    }
  });
});

describe('createAuditDecider fails closed', async () => {
  const leak = compile({
    files: [{ name: 'audit.rego', text: 'package portcullis.audit\n\nallow := true\n\nhelper := "oops"\n' }],
    entrypoints: ['portcullis/audit'],
  });
  if (leak.wasm === undefined) throw new Error('no wasm');
  const leaking = await loadPolicy(leak.wasm);
  const cases: { note: string; options: Parameters<typeof createAuditDecider>[0]; want: AuditVerdict }[] = [
    {
      note: 'without a policy',
      options: { policy: undefined },
      want: {
        kind: 'deny',
        reasons: [{ reason: 'audit policy error: no policy is loaded: no recorded session can be read', rule: RULE_IDS.noPolicy }],
      },
    },
    {
      note: 'without the entrypoint',
      options: { policy: leaking, entrypoint: 'acme/audit' },
      want: policyError('the policy has no entrypoint acme/audit'),
    },
    {
      note: 'with a helper rule in the answer',
      options: { policy: leaking },
      want: policyError('the audit decision has an unknown key "helper" (allowed: allow, deny)'),
    },
    {
      note: 'when the policy getter throws',
      options: {
        policy: () => {
          throw new Error('/srv/policies: gone');
        },
      },
      want: {
        kind: 'deny',
        reasons: [{ reason: 'audit policy error: no policy is loaded: no recorded session can be read', rule: RULE_IDS.noPolicy }],
      },
    },
  ];
  it.each(cases)('$note', ({ options, want }) => {
    const errors: string[] = [];
    const v = createAuditDecider({ ...options, onPolicyError: (m) => errors.push(m) }).decide(
      ask({ roles: ['audit:admin'] }, 'sessions.read'),
    );
    expect(v).toEqual(want);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.join('\n')).not.toContain('/srv/');
  });
});
