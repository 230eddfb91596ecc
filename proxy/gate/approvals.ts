// The approval port of a gateway without approvals (no state store configured): every hold is
// refused with the policy's reason and rule (SQLSTATE 42501, ERR_PROXY_APPROVAL_REQUIRED), so
// nothing that needs a human runs unapproved. proxy/approvals' holds replace it when the state
// store is configured.

import { ApprovalRequiredError } from '../decision/index.js';
import type { ApprovalPort } from './types.js';

/** NO_APPROVALS refuses every hold: approvals are not available on this gateway. */
export const NO_APPROVALS: ApprovalPort = Object.freeze({
  hold: (ticket) => {
    const first = ticket.reasons[0] ?? { reason: 'a human must approve this statement', rule: 'portcullis.approval' };
    return Promise.resolve({ kind: 'refused' as const, error: new ApprovalRequiredError(first.reason, first.rule) });
  },
} satisfies ApprovalPort);
