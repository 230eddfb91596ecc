// The gateway's shared state store (config `state`): its password (inline, from the environment,
// or a file read for every login, so it rotates without a restart), the store's connection,
// opened and migrated at start (a store that cannot be reached or migrated is reported as
// state.failed and does not stop the gateway), and the login the recording's shipping thread uses.

import { readFile } from 'node:fs/promises';
import { resolveSecret, secretFromFile } from '../config/index.js';
import type { GatewayConfig } from '../config/index.js';
import type { GatewayEnv } from './gateway.js';
import type { GatewayEvent } from '../events.js';
import type { ShipperLogin } from '../recording/index.js';
import type { StateStore } from '../state/index.js';

/** StatePassword is the store's password as the gateway holds it: a value, or a file read for every login. */
type StatePassword = string | (() => Promise<string>) | undefined;

/** statePassword resolves `state.password*`; a password_env that is not set fails the start (its reason). */
export function statePassword(
  config: GatewayConfig,
  env: GatewayEnv,
): { ok: true; password: StatePassword } | { ok: false; reason: string } {
  const secret = config.state?.password;
  if (secret === undefined) return { ok: true, password: undefined };
  if (secret.kind === 'file') return { ok: true, password: () => readFile(secret.path, 'utf8').then(secretFromFile) };
  const value = resolveSecret(secret, env);
  if (value === undefined)
    return { ok: false, reason: `state.password_env: environment variable ${secret.kind === 'env' ? secret.name : ''} is not set` };
  return { ok: true, password: value };
}

/**
 * openState opens the store (migrated now; a failure is published, not thrown) and says how the
 * shipping thread logs in (the same login; a password file it reads itself). Both undefined
 * without `state`.
 */
export async function openState(
  config: GatewayConfig,
  password: StatePassword,
  events: { publish(e: GatewayEvent): void },
): Promise<{ readonly state: StateStore | undefined; readonly shipLogin: ShipperLogin | undefined }> {
  const c = config.state;
  if (c === undefined) return { state: undefined, shipLogin: undefined };
  const stateModule = await import('../state/index.js');
  const login = {
    host: c.host,
    port: c.port,
    database: c.database,
    user: c.user,
    connectTimeoutMs: c.connectTimeoutMs,
    ...(typeof password === 'string' ? { password } : {}),
  };
  const state = stateModule.createStateStore({ ...login, ...(typeof password === 'function' ? { passwordSource: password } : {}) });
  try {
    const report = await state.migrate();
    events.publish({ type: 'state.ready', version: report.version, applied: report.applied });
  } catch (e) {
    events.publish({
      type: 'state.failed',
      code: e instanceof stateModule.StateError ? e.code : 'ERR_PROXY_STATE_UNAVAILABLE',
      message: stateModule.describeStateError(e),
    });
  }
  const file = c.password?.kind === 'file' ? c.password.path : undefined;
  return { state, shipLogin: { ...login, ...(file !== undefined ? { passwordFile: file } : {}) } };
}
