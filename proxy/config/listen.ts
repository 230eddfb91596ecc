// Section `listen` of opa.config.yaml: where the gateway accepts PostgreSQL clients.
// Its type, defaults and validator; composed by gateway-config.ts.

import { deepFreeze } from './section.js';
import type { Section } from './section.js';

/** ListenConfig is where the gateway accepts PostgreSQL clients. */
export type ListenConfig = { readonly host: string; readonly port: number };

/** LISTEN_DEFAULTS are the defaults of `listen` (loopback, PgBouncer's customary port). */
export const LISTEN_DEFAULTS = deepFreeze({ host: '127.0.0.1', port: 6432 });

/** validateListen reads the optional `listen` section. */
export function validateListen(root: Section): ListenConfig {
  const listen = root.section('listen', false);
  const config: ListenConfig = {
    host: listen?.string('host') ?? LISTEN_DEFAULTS.host,
    port: listen?.port('port') ?? LISTEN_DEFAULTS.port,
  };
  listen?.only(['host', 'port']);
  return config;
}
