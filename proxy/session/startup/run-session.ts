// The life of one client connection, as PostgreSQL's postmaster/backend lead it: negotiate the
// untagged start (TLS, GSS, cancel), log in (the JWT as the password), ask the policy's login
// entrypoint for the session's database role (when it has one), log in upstream with the
// gateway's own credentials (or take a reset connection from the pool, proxy/upstream-pool) and
// `SET SESSION ROLE` to that role, then serve the session. The session ends when the token expires,
// and either side closing closes the other. No error other than a ProxyError's own text
// reaches the client; refusals are published as `login.refused` / `upstream.failed`. The
// connection counts among those logging in (admission) until the token verified and the login
// policy answered, within limits.authentication_timeout; then among max_connections.

import type { Socket } from 'node:net';
import type { Principal } from '../../auth/index.js';
import { LoginDeniedError, buildConnectionInput } from '../../decision/index.js';
import { ProxyError, toErrorFields } from '../../errors.js';
import type { ConnectionInfo } from '../../gate/index.js';
import { UpstreamAuthFailedError, UpstreamError, connectUpstream, setSessionRole } from '../../upstream/index.js';
import type { StartupMessage } from '../../wire/index.js';
import { StartupError, authenticationTimeout, crowdedOut, tooManyConnections } from '../errors.js';
import { ClientConnection } from './connection.js';
import type { Admission, SessionEnvironment } from './environment.js';
import { login } from './login.js';
import { negotiate } from './negotiate.js';
import { serve } from './serve.js';

const DEFAULT_STARTUP_TIMEOUT_MS = 60_000;

/**
 * runSession serves one client connection from its first byte to its close. It never rejects:
 * every failure becomes a FATAL ErrorResponse (ProxyError text only) and a closed connection.
 * `admission` is the connection's place in the gateway's limits (default: not counted).
 */
export async function runSession(socket: Socket, env: SessionEnvironment, admission?: Admission): Promise<void> {
  socket.setNoDelay(true);
  socket.setKeepAlive(true, 60_000);
  const conn = new ClientConnection(socket, env, admission);
  conn.admission.onCrowdedOut(() => conn.fail(crowdedOut()));
  if (env.limits.authenticationTimeoutMs !== undefined) {
    conn.authenticationTimer = setTimeout(() => {
      if (conn.aborted) return;
      const err = authenticationTimeout();
      publishRefusal(conn, err);
      conn.fail(err);
    }, env.limits.authenticationTimeoutMs);
  }
  conn.startupTimer = setTimeout(() => {
    if (conn.loggedIn) return;
    conn.fail(
      new StartupError('ERR_PROXY_STARTUP_TIMEOUT', '08006', 'portcullis: timeout during startup (no login within the allowed time)'),
    );
  }, env.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS);

  try {
    const message = await negotiate(conn);
    if (message === undefined || conn.aborted) return;
    const principal = await login(conn, message);
    if (principal === undefined || conn.aborted) return;
    // a blocked identity is refused however valid its token (live control)
    const blocked = env.refuseLogin?.({ iss: principal.issuer, sub: principal.subject });
    if (blocked !== undefined) {
      publishRefusal(conn, blocked);
      conn.fail(blocked);
      return;
    }
    const connection = connectionInfo(conn, message);
    // the policy decides the database role before any upstream connection is spent on the client
    const role = await decideRole(conn, principal, connection);
    if (conn.aborted) return;
    clearTimeout(conn.authenticationTimer);
    if (!conn.admission.authenticate()) {
      conn.fail(tooManyConnections());
      return;
    }
    // credentials come from the configuration only; the client's user/database are informational
    const { applicationName } = connection;
    // a row larger than the queue bound is streamed to the client rather than held whole (the relay
    // holds it after all when its result set has masked columns)
    const target = { ...env.upstream, streamRowsAbove: env.limits.maxQueuedBytes };
    // a pooled connection was reset (DISCARD ALL) and given this client's application_name
    const up =
      env.upstreamPool !== undefined
        ? await env.upstreamPool.acquire(target, applicationName)
        : await connectUpstream({ ...target, ...(applicationName !== '' ? { applicationName } : {}) });
    conn.upstream = up;
    if (conn.aborted || conn.channel.closed) {
      up.destroy();
      return;
    }
    // once, before the client is greeted: PostgreSQL enforces the role's GRANTs from the first statement
    const reported = role !== undefined ? await setSessionRole(up, role) : new Map<string, string>();
    if (conn.aborted || conn.channel.closed) {
      up.destroy();
      return;
    }
    const parameters = new Map([...up.parameters, ...reported]);
    await serve(conn, principal, up, { connection, parameters, ...(role !== undefined ? { role } : {}) });
  } catch (err) {
    publishRefusal(conn, err);
    conn.fail(err);
  } finally {
    clearTimeout(conn.startupTimer);
    clearTimeout(conn.authenticationTimer);
  }
}

/** connectionInfo is the client connection as the policy sees it (input.connection). */
function connectionInfo(conn: ClientConnection, message: StartupMessage): ConnectionInfo {
  // frozen: it never changes in a session, so every statement's input shares one copy of it (proxy/decision)
  return Object.freeze({
    database: conn.env.upstream.database,
    user: message.parameters.get('user') ?? '',
    applicationName: message.parameters.get('application_name') ?? '',
    clientAddress: conn.clientAddress,
    tls: conn.tls,
  });
}

/**
 * decideRole asks the policy's login entrypoint for the session's database role; undefined when
 * the gateway has no login policy. A refusal (or a policy that cannot decide) throws LoginDeniedError.
 */
async function decideRole(conn: ClientConnection, principal: Principal, connection: ConnectionInfo): Promise<string | undefined> {
  const { decideLogin, now } = conn.env;
  if (decideLogin === undefined) return undefined;
  const decision = await decideLogin(buildConnectionInput({ claims: principal.claims, connection, nowMs: now() }));
  if (decision === undefined) return undefined;
  if (decision.kind === 'deny') throw new LoginDeniedError(decision.reason, decision.rule);
  return decision.role;
}

/** publishRefusal tells subscribers why a connection did not get a session: an upstream failure (with its cause) or a refused login. */
function publishRefusal(conn: ClientConnection, err: unknown): void {
  if (!(err instanceof ProxyError)) return;
  const { events } = conn.env;
  if (err instanceof UpstreamError) {
    const cause = err.cause instanceof Error ? err.cause.message : typeof err.cause === 'string' ? err.cause : undefined;
    // the operator reads why; the client read only that the login was refused
    const what =
      err instanceof UpstreamAuthFailedError
        ? `upstream database refused the gateway's login: ${err.reason}${err.upstreamMessage !== undefined && err.upstreamMessage !== '' ? ` (${err.upstreamMessage})` : ''}`
        : err.message;
    events.publish({
      type: 'upstream.failed',
      session: conn.id,
      purpose: 'session',
      code: err.code,
      message: cause !== undefined ? `${what} (${cause})` : what,
    });
  }
  const f = toErrorFields(err);
  events.publish({
    type: 'login.refused',
    session: conn.id,
    clientAddress: conn.clientAddress,
    code: err.code,
    sqlstate: f.code,
    message: f.message,
  });
}
