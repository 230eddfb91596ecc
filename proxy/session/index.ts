// Public surface of proxy/session: the per-connection state machine. startup/ takes a client
// socket through TLS, JWT verification and the upstream login and hands a SessionContext to the
// query cycle (cycle/), which passes every statement through the gate. Re-exports only.

export { runSession } from './startup/index.js';
export type { SessionEnvironment, SessionHandle, SessionRegistry } from './startup/index.js';
export { runQueryCycle } from './cycle/query-cycle.js';
export { StartupError, STARTUP_ERROR_CODES, tooManyConnections, shuttingDown, sessionExpired } from './errors.js';
export type { StartupErrorCode } from './errors.js';
export type { QueryCycle, SessionContext, SessionEnd } from './types.js';
