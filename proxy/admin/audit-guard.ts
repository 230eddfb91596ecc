// The one check every audited admin route makes: the verified caller and the action go to the
// audit policy; a refusal is logged for the operator (who, which action, which rules) and answered
// 403 ERR_ADMIN_FORBIDDEN with the policy's reasons. Without an audit policy nobody may.

import type { FastifyRequest } from 'fastify';
import type { AuditAction, AuditDecisionInput, AuditVerdict } from '../decision/index.js';
import { principalOf } from './auth.js';
import type { Principal } from '../auth/index.js';
import { AdminHttpError } from './errors.js';
import type { AdminLogEvent } from './types.js';

/** AuditPort asks the audit policy (it never throws; a deny carries reasons). */
export type AuditPort = ((input: AuditDecisionInput) => AuditVerdict) | undefined;

/**
 * checkAudit asks `audit` whether the request's caller may `action` on `target`; it answers the
 * caller's principal, or throws 403 ERR_ADMIN_FORBIDDEN ("the audit policy does not let you <doing>").
 * Only for routes behind requireAuth: a request without a principal here is a bug (TypeError).
 */
export function checkAudit(
  request: FastifyRequest,
  audit: AuditPort,
  log: (event: AdminLogEvent) => void,
  action: AuditAction,
  target: Record<string, unknown>,
  doing: string,
): Principal {
  const principal = principalOf(request);
  if (principal === undefined) throw new TypeError(`${action} route reached without a verified principal`);
  const verdict: AuditVerdict = audit?.({ caller: principal.claims, action, target }) ?? {
    kind: 'deny',
    reasons: [{ reason: 'the policy has no audit entrypoint, so nobody may use this route', rule: 'portcullis.no_policy' }],
  };
  if (verdict.kind === 'allow') return principal;
  log({
    kind: 'admin.audit-denied',
    action,
    caller: { sub: principal.subject, iss: principal.issuer },
    rules: verdict.reasons.map((r) => r.rule),
  });
  throw new AdminHttpError('ERR_ADMIN_FORBIDDEN', `the audit policy does not let you ${doing}`, { reasons: verdict.reasons });
}
