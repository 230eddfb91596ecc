// The login decider: ConnectionPolicyInput → PolicyInstance.evaluateRaw(its JSON,
// 'portcullis/connection') → LoginDecision (the session's database role, or a refusal). It fails
// closed like the statement decider: no policy, an evaluation error, an undefined result, a result
// of the wrong shape, or neither a role nor a deny entry all refuse the login with a clear reason.

import type { PolicyInstance } from '../../engine/index.js';
import { describe, isRecord, readReasons } from './decider.js';
import { evaluateEntrypoint } from './evaluate.js';
import { RULE_IDS } from './types.js';
import type { ConnectionPolicyInput, LoginDecider, LoginDecision } from './types.js';

/** DEFAULT_CONNECTION_ENTRYPOINT is the login rule the shipped policies define (`data.portcullis.connection`). */
export const DEFAULT_CONNECTION_ENTRYPOINT = 'portcullis/connection';

/** MAX_ROLE_BYTES is PostgreSQL's identifier limit (NAMEDATALEN − 1): a longer name would be truncated to another role's name. */
const MAX_ROLE_BYTES = 63;

const LOGIN_KEYS = new Set(['role', 'deny']);

/** LoginDeciderOptions configures createLoginDecider. */
export type LoginDeciderOptions = {
  /** policy is the loaded policy, or a getter returning the current one; undefined: none loaded. */
  readonly policy: PolicyInstance | undefined | (() => PolicyInstance | undefined);
  /** entrypoint is the login rule (default `portcullis/connection`). */
  readonly entrypoint?: string;
  /** onPolicyError receives each policy failure with its cause, for the operator. */
  readonly onPolicyError?: (message: string, cause: unknown) => void;
};

/** createLoginDecider binds a policy and its login entrypoint; decide() never throws. */
export function createLoginDecider(options: LoginDeciderOptions): LoginDecider {
  const entrypoint = options.entrypoint ?? DEFAULT_CONNECTION_ENTRYPOINT;
  const onPolicyError = options.onPolicyError ?? (() => {});
  const source = options.policy;
  const fail = (reason: string, rule: string, cause?: unknown, detail?: string): LoginDecision => {
    onPolicyError(detail ?? reason, cause);
    return refuse(reason, rule, 'error');
  };
  return {
    decide(input: ConnectionPolicyInput): LoginDecision {
      const evaluated = evaluateEntrypoint(source, entrypoint, input, 'every login is refused');
      if (!evaluated.ok) return fail(evaluated.reason, evaluated.rule, evaluated.cause, evaluated.detail);
      const resultSet = evaluated.resultSet;
      const decision = interpretLoginResult(resultSet, entrypoint);
      if (decision.kind === 'deny' && decision.origin === 'error') onPolicyError(decision.reason, undefined);
      return decision;
    },
  };
}

/**
 * interpretLoginResult turns an evaluation result set (`[{ result: … }]`) of the login entrypoint
 * into a LoginDecision: any deny entry refuses; otherwise `role` must name a database role.
 */
export function interpretLoginResult(resultSet: unknown, entrypoint: string = DEFAULT_CONNECTION_ENTRYPOINT): LoginDecision {
  if (!Array.isArray(resultSet)) return policyError('the result set is not an array');
  if (resultSet.length === 0) return policyError(`the login decision is undefined (no ${entrypoint} value)`);
  if (resultSet.length > 1) return policyError('the policy returned several results');
  const first: unknown = resultSet[0];
  if (!isRecord(first) || !Object.hasOwn(first, 'result')) return policyError('the result set entry has no result');
  const value = first['result'];
  if (!isRecord(value)) return policyError(`the login decision must be an object, got ${describe(value)}`);
  for (const key of Object.keys(value)) {
    if (!LOGIN_KEYS.has(key)) return policyError(`the login decision has an unknown key "${key}" (allowed: role, deny)`);
  }
  const denies = readReasons(value['deny'], 'deny');
  if (typeof denies === 'string') return policyError(denies);
  const firstDeny = denies[0];
  if (firstDeny !== undefined) return { kind: 'deny', reason: firstDeny.reason, rule: firstDeny.rule, origin: 'policy', reasons: denies };
  const role = value['role'];
  if (role === undefined) return refuse('the policy named no database role for this identity', RULE_IDS.noLoginRole, 'default');
  if (typeof role !== 'string' || role === '')
    return policyError(`the login decision's role must be a non-empty string, got ${describe(role)}`);
  if (role.includes('\0') || Buffer.byteLength(role, 'utf8') > MAX_ROLE_BYTES) {
    return policyError(
      `the login decision's role is not a PostgreSQL role name (at most ${MAX_ROLE_BYTES} bytes, no NUL), got ${describe(role)}`,
    );
  }
  return { kind: 'role', role };
}

function refuse(reason: string, rule: string, origin: 'policy' | 'default' | 'error'): LoginDecision {
  return { kind: 'deny', reason, rule, origin, reasons: [{ reason, rule }] };
}

function policyError(why: string): LoginDecision {
  return refuse(`policy error: ${why}`, RULE_IDS.policyError, 'error');
}
