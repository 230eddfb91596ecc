// The door's entry point: startAdminServer loads fastify and the server module only when a
// server starts, so importing proxy/admin for its constants and types (the CLI's default URL)
// stays light.

import type { AdminServer, AdminServerOptions } from './types.js';

/** startAdminServer starts the admin API on options.listen and resolves once it accepts connections. */
export async function startAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  const { listenAdminServer } = await import('./server.js');
  return listenAdminServer(options);
}
