// Public surface of proxy/gate: the statement gate both protocol paths call for every
// statement — decide, then refuse, run with masks, or hold for approval. Re-exports only.

export { createGate, denialError } from './gate.js';
export type { Gate, GateDeps } from './gate.js';
export { NO_APPROVALS } from './approvals.js';
export { formatOf } from './result-checks.js';
export { changesNothing } from './records.js';
export type {
  ApprovalPort,
  ConnectionInfo,
  Decide,
  GateSession,
  HeldBatch,
  SessionCounters,
  StatementRequest,
  UnanalysedRequest,
  Verdict,
} from './types.js';
