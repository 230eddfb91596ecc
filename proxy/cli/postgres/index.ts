// Public API of the throwaway PostgreSQL launcher (used by the demo and by tests).
export { startPostgres, findPostgresBinaries } from './launcher.js';
export type { PostgresAuthMethod, PostgresHandle, PostgresUser, StartPostgresOptions } from './types.js';
export { PostgresLaunchError } from './errors.js';
