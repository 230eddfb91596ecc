// The login decider (`portcullis/connection`): interpreting its result sets (a role, deny entries,
// anything else fails closed), deciding with a real compiled policy, and the connection input.

import { describe, expect, it } from 'vitest';
import { compile, loadPolicy } from '../../../engine/index.js';
import { RULE_IDS, buildConnectionInput, createLoginDecider, interpretLoginResult } from '../../../proxy/decision/index.js';
import type { ConnectionPolicyInput, LoginDecision } from '../../../proxy/decision/index.js';
import { quoteIdentifier } from '../../../proxy/upstream/index.js';

const r = (result: unknown) => [{ result }];
const d1 = { reason: 'no database role', rule: 'login.no_role' };
const policyError = (why: string): LoginDecision => ({
  kind: 'deny',
  reason: `policy error: ${why}`,
  rule: RULE_IDS.policyError,
  origin: 'error',
  reasons: [{ reason: `policy error: ${why}`, rule: RULE_IDS.policyError }],
});

describe('interpretLoginResult', () => {
  const cases: { note: string; resultSet: unknown; want: LoginDecision }[] = [
    { note: 'a role', resultSet: r({ role: 'portcullis_reader' }), want: { kind: 'role', role: 'portcullis_reader' } },
    { note: 'a role with an empty deny set', resultSet: r({ role: 'r', deny: [] }), want: { kind: 'role', role: 'r' } },
    {
      note: 'deny wins over a role',
      resultSet: r({ role: 'r', deny: [d1] }),
      want: { kind: 'deny', reason: d1.reason, rule: d1.rule, origin: 'policy', reasons: [d1] },
    },
    {
      note: 'neither role nor deny refuses (fail closed)',
      resultSet: r({}),
      want: {
        kind: 'deny',
        reason: 'the policy named no database role for this identity',
        rule: RULE_IDS.noLoginRole,
        origin: 'default',
        reasons: [{ reason: 'the policy named no database role for this identity', rule: RULE_IDS.noLoginRole }],
      },
    },
    { note: 'undefined', resultSet: [], want: policyError('the login decision is undefined (no portcullis/connection value)') },
    {
      note: 'not an object',
      resultSet: r('portcullis_reader'),
      want: policyError('the login decision must be an object, got "portcullis_reader"'),
    },
    {
      note: 'an unknown key',
      resultSet: r({ rol: 'x' }),
      want: policyError('the login decision has an unknown key "rol" (allowed: role, deny)'),
    },
    {
      note: 'an empty role',
      resultSet: r({ role: '' }),
      want: policyError(`the login decision's role must be a non-empty string, got ""`),
    },
    {
      note: 'a role that is not a string',
      resultSet: r({ role: 7 }),
      want: policyError(`the login decision's role must be a non-empty string, got 7`),
    },
    {
      note: 'a role longer than an identifier (PostgreSQL would truncate it to another name)',
      resultSet: r({ role: 'r'.repeat(64) }),
      want: policyError(`the login decision's role is not a PostgreSQL role name (at most 63 bytes, no NUL), got "${'r'.repeat(64)}"`),
    },
    {
      note: 'a malformed deny entry',
      resultSet: r({ deny: [{ reason: 'x' }] }),
      want: policyError('decision.deny[0] must be {"reason": string, "rule": string}, got {"reason":"x"}'),
    },
  ];
  it.each(cases)('$note', ({ resultSet, want }) => {
    expect(interpretLoginResult(resultSet)).toEqual(want);
  });
});

const POLICY = `package portcullis

connection := {"role": "reader"} if input.identity.sub == "reader"

connection := {"deny": {{"reason": "go away", "rule": "login.test"}}} if input.identity.sub == "nobody"

connection := {"role": input.connection.application_name} if input.identity.sub == "app"
`;

describe('createLoginDecider with a compiled policy', async () => {
  const out = compile({ files: [{ name: 'connection.rego', text: POLICY }], entrypoints: ['portcullis/connection'] });
  expect(out.diagnostics).toEqual([]);
  if (out.wasm === undefined) throw new Error('no wasm');
  const policy = await loadPolicy(out.wasm);
  const errors: string[] = [];
  const decider = createLoginDecider({ policy, onPolicyError: (message) => errors.push(message) });
  const input = (sub: string, applicationName = 'psql'): ConnectionPolicyInput =>
    buildConnectionInput({
      claims: { sub, iss: 'https://issuer.test', aud: 'portcullis', exp: 1893456000 },
      connection: { database: 'app', user: 'agent', applicationName, clientAddress: '127.0.0.1', tls: false },
      nowMs: 1767225600000,
    });

  it('builds an input with identity, connection and time, and no statement', () => {
    expect(input('reader')).toEqual({
      identity: { sub: 'reader', iss: 'https://issuer.test', aud: 'portcullis', exp: 1893456000 },
      connection: { database: 'app', user: 'agent', application_name: 'psql', client_address: '127.0.0.1', tls: false },
      time: { now_ns: 1767225600000000000, rfc3339: '2026-01-01T00:00:00.000Z' },
    });
  });

  it('returns the role', () => {
    expect(decider.decide(input('reader'))).toEqual({ kind: 'role', role: 'reader' });
  });

  it('returns the deny entries', () => {
    expect(decider.decide(input('nobody'))).toMatchObject({ kind: 'deny', rule: 'login.test', reason: 'go away', origin: 'policy' });
  });

  it('fails closed on an undefined decision and reports it', () => {
    errors.length = 0;
    expect(decider.decide(input('stranger'))).toMatchObject({ kind: 'deny', rule: RULE_IDS.policyError, origin: 'error' });
    expect(errors).toEqual(['policy error: the login decision is undefined (no portcullis/connection value)']);
  });

  it('may read the connection (here the role is the application_name)', () => {
    expect(decider.decide(input('app', 'x'))).toEqual({ kind: 'role', role: 'x' });
  });

  it('fails closed without a policy or without the entrypoint', () => {
    expect(createLoginDecider({ policy: undefined }).decide(input('reader'))).toMatchObject({ kind: 'deny', rule: RULE_IDS.noPolicy });
    expect(createLoginDecider({ policy, entrypoint: 'acme/login' }).decide(input('reader'))).toMatchObject({
      kind: 'deny',
      rule: RULE_IDS.policyError,
      reason: 'policy error: the policy has no entrypoint acme/login',
    });
  });

  it('fails closed on an evaluation error without showing the client where the policy failed', () => {
    const messages: string[] = [];
    const failing = {
      entrypoints: { 'portcullis/connection': 0 },
      evaluate: () => {
        throw new Error('/srv/policies/login.rego:7: eval_conflict_error: functions must not produce multiple outputs');
      },
      evaluateRaw: () => {
        throw new Error('/srv/policies/login.rego:7: eval_conflict_error: functions must not produce multiple outputs');
      },
    } as unknown as Parameters<typeof createLoginDecider>[0]['policy'];
    const d = createLoginDecider({ policy: failing, onPolicyError: (m) => messages.push(m) }).decide(input('reader'));
    expect(d).toMatchObject({ kind: 'deny', rule: RULE_IDS.policyError });
    expect(d.kind === 'deny' ? d.reason : '').not.toMatch(/\.rego|\/srv/);
    expect(messages.at(-1)).toMatch(/\/srv\/policies\/login\.rego:7/);
  });
});

describe('quoteIdentifier', () => {
  it.each([
    { note: 'a plain name', name: 'portcullis_reader', want: '"portcullis_reader"' },
    { note: 'case is kept', name: 'Reader', want: '"Reader"' },
    { note: 'quotes are doubled', name: 'a"b', want: '"a""b"' },
    { note: 'an injection attempt stays one identifier', name: 'x"; RESET ROLE; --', want: '"x""; RESET ROLE; --"' },
  ])('$note', ({ name, want }) => {
    expect(quoteIdentifier(name)).toBe(want);
  });

  it('refuses NUL', () => {
    expect(() => quoteIdentifier('a\0b')).toThrow(TypeError);
  });
});
