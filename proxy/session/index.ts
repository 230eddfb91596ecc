// Public surface of proxy/session: the per-connection state machine. startup.ts takes a client
// socket through TLS, JWT verification and the upstream login and hands a SessionContext to the
// query cycle (query-cycle.ts). Re-exports only.

export { createSocketChannel } from './channel.js';
export type { SocketChannel, SocketChannelOptions } from './channel.js';
export { runSession, createSessionRegistry, isLoopbackAddress } from './startup.js';
export type { QueryCycle, SessionEnvironment, SessionRegistry, SessionHandle } from './startup.js';
export {
  SESSION_ERRORS,
  STARTUP_ERROR_CODES,
  StartupError,
  RelayDesyncError,
  tooManyConnections,
  shuttingDown,
  sessionExpired,
} from './errors.js';
export type { SessionErrorCode, StartupErrorCode, StartupErrorOptions, StartupSqlstate } from './errors.js';
export { runQueryCycle } from './query-cycle.js';
export type {
  CatalogResolver,
  ColumnName,
  ConnectionInfo,
  Decide,
  FrameChannel,
  SessionContext,
  SessionLog,
  UpstreamConnection,
} from './types.js';
