// Public surface of proxy/session: the per-connection state machine. startup/ takes a client
// socket through TLS, JWT verification and the upstream login and hands a SessionContext to the
// query cycle (cycle/), which passes every statement through the gate. Re-exports only.

export { runSession } from './startup/index.js';
export type { Admission, DecideLogin, SessionEnvironment, SessionHandle, SessionRegistry } from './startup/index.js';
export { runQueryCycle } from './cycle/query-cycle.js';
export {
  SESSION_ERRORS,
  STARTUP_ERROR_CODES,
  StartupError,
  RelayDesyncError,
  tooManyConnections,
  tooManyLogins,
  crowdedOut,
  shuttingDown,
  sessionExpired,
} from './errors.js';
export type { SessionErrorCode, StartupErrorCode, StartupErrorOptions, StartupSqlstate } from './errors.js';
export type { HoldInterrupt, QueryCycle, SessionContext, SessionEnd } from './types.js';
