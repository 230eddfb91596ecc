// Public surface of proxy/upstream-pool: session pooling of upstream connections (pgbouncer's
// session mode). A session's connection given back idle and clean is reset with DISCARD ALL and
// kept for the next session; anything in doubt is closed. Re-exports only.

export { createUpstreamPool } from './pool.js';
export type { IdleUpstream, PooledUpstream, UpstreamPool, UpstreamPoolOptions } from './pool.js';
export { DISCARD_SQL, setApplicationNameSql } from './reset.js';
