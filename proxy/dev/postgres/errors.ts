// The launcher's one error: PostgreSQL could not be found, initialised, started or prepared.
// Raised only on the CLI/test side (the demo, `usePostgres`), never sent to a PostgreSQL client.

import { ProxyError } from '../../errors.js';

/** PostgresLaunchError reports why a throwaway cluster could not be started (code ERR_PROXY_POSTGRES_LAUNCH, SQLSTATE 58000). */
export class PostgresLaunchError extends ProxyError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('ERR_PROXY_POSTGRES_LAUNCH', '58000', message, { severity: 'FATAL', ...options });
    this.name = 'PostgresLaunchError';
  }
}
