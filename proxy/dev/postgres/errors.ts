// The launcher's one error: PostgreSQL could not be found, initialised, started or prepared.
// Raised only on the CLI/test side (the demo, `usePostgres`), never sent to a PostgreSQL client.

import { ToolError } from '../../errors.js';

/** PostgresLaunchError reports why a throwaway cluster could not be started (code ERR_PROXY_POSTGRES_LAUNCH). */
export class PostgresLaunchError extends ToolError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('ERR_PROXY_POSTGRES_LAUNCH', message, options);
    this.name = 'PostgresLaunchError';
  }
}
