// The approval port of a gateway without an approval service: every hold is refused with the
// policy's reason and rule (SQLSTATE 42501, ERR_PROXY_APPROVAL_REQUIRED), so nothing that needs a
// human runs unapproved. proxy/approvals replaces it when the state store is configured.

import { ApprovalRequiredError } from '../decision/index.js';
import type { ApprovalPort } from './types.js';

/** NO_APPROVALS refuses every hold: approvals are not available on this gateway. */
export const NO_APPROVALS: ApprovalPort = Object.freeze({
  hold: (request) => Promise.resolve({ kind: 'refused', error: new ApprovalRequiredError(request.decision.reason, request.decision.rule) }),
} satisfies ApprovalPort);
