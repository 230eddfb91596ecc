// Public surface of proxy/state: the shared state store gateways keep in PostgreSQL (approval
// requests and their audit events), with its versioned, self-applied schema. Two gateways on one
// store behave as one. Re-exports only.

export { createStateStore, describeStateError } from './store.js';
export type { MigrationReport, StateListener, StateQuery, StateStore, StateStoreOptions } from './store.js';
export { MIGRATIONS, MIGRATIONS_TABLE, MIGRATION_LOCK_KEY, STATE_SCHEMA } from './migrations.js';
export type { Migration } from './migrations.js';
export { STATE_ERRORS, STATE_ERROR_CODES, StateError, StateMigrationError, StateUnavailableError } from './errors.js';
export type { StateErrorCode } from './errors.js';
