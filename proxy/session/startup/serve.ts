// A logged-in session: greet the client with the upstream's ParameterStatus (as they stand after
// SET SESSION ROLE), our own BackendKeyData and ReadyForQuery, register the session (cancel keys,
// shutdown), end it when the token expires, close each side when the other closes, and run the
// query cycle. Publishes `session.opened` and `session.closed`.

import type { Principal } from '../../auth/index.js';
import { toErrorFields } from '../../errors.js';
import type { SessionEndReason } from '../../events.js';
import type { ConnectionInfo } from '../../gate/index.js';
import type { SocketChannel } from '../../net/index.js';
import type { BackendKey, UpstreamConnection, UpstreamLogin } from '../../upstream/index.js';
import { sendCancel } from '../../upstream/index.js';
import { encodeBackend, encodeFrontend } from '../../wire/index.js';
import { sessionExpired } from '../errors.js';
import type { HoldInterrupt, SessionActivity, SessionContext, SessionEnd } from '../types.js';
import type { ProxyError } from '../../errors.js';
import { destroySoon } from './connection.js';
import { watchToken } from './token-watch.js';
import type { ClientConnection } from './connection.js';
import type { SessionHandle } from './environment.js';

/** MAX_TIMER_MS is setTimeout's largest delay; longer waits re-arm. */
const MAX_TIMER_MS = 2_147_483_647;
/** UPSTREAM_CLOSE_GRACE_MS lets the query cycle relay the upstream's last words before the client is closed. */
const UPSTREAM_CLOSE_GRACE_MS = 500;

/** SessionStart is what startup settled before the greeting: the connection, the ParameterStatus values to send, the database role. */
export type SessionStart = {
  readonly connection: ConnectionInfo;
  /** parameters are the upstream's ParameterStatus values, including those reported by SET SESSION ROLE. */
  readonly parameters: ReadonlyMap<string, string>;
  /** role is the database role the upstream session was switched to (absent: the upstream login role). */
  readonly role?: string;
};

/** serve runs a logged-in session to its end; `up` is the upstream logged in (and switched to its role) for it. */
export async function serve(conn: ClientConnection, principal: Principal, up: UpstreamLogin, start: SessionStart): Promise<void> {
  const { env, id } = conn;
  const c = conn.channel;
  const { connection } = start;
  let endedBy: SessionEndReason | undefined;
  let expiryTimer: NodeJS.Timeout | undefined;
  let graceTimer: NodeJS.Timeout | undefined;
  const recording = env.recording;
  if (recording !== undefined) {
    // the session is on record before it may run anything; a recording that cannot be written refuses it
    try {
      await recording.recorder.sessionStart({
        kind: 'session.start',
        session: id,
        identity: { sub: principal.subject, iss: principal.issuer, claims: principal.claims },
        connection: {
          database: connection.database,
          user: connection.user,
          application_name: connection.applicationName,
          client_address: connection.clientAddress,
          tls: connection.tls,
        },
        role: start.role ?? null,
        gateway: recording.gateway,
        policy_revision: recording.revision(),
      });
    } catch (e) {
      c.write(encodeBackend({ kind: 'errorResponse', ...toErrorFields(e), severity: 'FATAL' }));
      c.end();
      destroySoon(c);
      terminateUpstream(up);
      return;
    }
  }
  const interrupt = createHoldInterrupt();
  // idle until its first statement; a drain asked for meanwhile ends the session when it is idle
  let draining: ProxyError | undefined;
  const activity: SessionActivity = {
    idle: true,
    wentIdle: () => {
      if (draining !== undefined) handle.terminate(draining, 'shutdown');
    },
  };
  // cancel requests forwarded for this session: its upstream serves no other session until they are done
  const cancels = new Set<Promise<void>>();
  let ended = false;
  const handle: SessionHandle = {
    id,
    identity: { iss: principal.issuer, sub: principal.subject },
    cancelHold: () => interrupt.fire(),
    upstream: { host: env.upstream.host, port: env.upstream.port, key: up.backendKey },
    cancelUpstream(timeoutMs) {
      // a cancel key looked up just before the session ended must not reach the connection's next session
      if (ended) return Promise.resolve();
      const sent = sendCancel(env.upstream.host, env.upstream.port, up.backendKey, timeoutMs);
      const done = sent.then(
        () => undefined,
        () => undefined,
      );
      cancels.add(done);
      void done.then(() => cancels.delete(done));
      return sent;
    },
    terminate(error, reason) {
      endedBy ??= reason;
      c.write(encodeBackend({ kind: 'errorResponse', ...toErrorFields(error), severity: 'FATAL' }));
      c.end();
      destroySoon(c);
      terminateUpstream(up);
    },
    drain(error) {
      if (draining !== undefined) return;
      draining = error;
      if (activity.idle) handle.terminate(error, 'shutdown');
    },
  };
  const ourKey: BackendKey = env.registry.register(handle);
  // a message left unfinished past limits.message_timeout ends the session as any other ending does
  conn.terminate = (error) => handle.terminate(error, 'message_timeout');

  // either side closing closes the other
  c.socket.once('close', () => {
    // a statement held for approval is withdrawn when its client goes
    interrupt.gone();
    // a session at rest ends through its query cycle, which may leave the upstream clean for reuse
    if (!activity.idle) terminateUpstream(up);
  });
  up.onClose(() => {
    graceTimer = setTimeout(() => {
      c.end();
      destroySoon(c);
    }, UPSTREAM_CLOSE_GRACE_MS);
    graceTimer.unref();
  });

  const armExpiry = (): void => {
    const left = principal.expiresAt.getTime() - env.now();
    if (left <= 0) {
      handle.terminate(sessionExpired(), 'expired');
      return;
    }
    expiryTimer = setTimeout(armExpiry, Math.min(left, MAX_TIMER_MS));
  };

  c.write(
    Buffer.concat([
      encodeBackend({ kind: 'authenticationOk' }),
      ...[...start.parameters].map(([name, value]) => encodeBackend({ kind: 'parameterStatus', name, value })),
      encodeBackend({ kind: 'backendKeyData', ...ourKey }),
      encodeBackend({ kind: 'readyForQuery', status: 'I' }),
    ]),
  );
  conn.markLoggedIn();
  armExpiry();
  const stopWatch = watchToken(env.verifier, principal, (error) => handle.terminate(error, 'revoked'));
  const startedAt = env.now();
  const subject = principal.subject;
  env.events.publish({
    type: 'session.opened',
    session: id,
    subject,
    issuer: principal.issuer,
    ...connection,
    ...(start.role !== undefined ? { role: start.role } : {}),
  });
  const ctx: SessionContext = {
    id,
    client: c,
    upstream: paced(up, c, start.parameters),
    principal,
    connection,
    startedAt,
    gate: env.gate,
    catalog: env.catalog,
    limits: { maxStatementBytes: env.limits.maxStatementBytes },
    ...(env.maskHashKey !== undefined ? { maskHashKey: env.maskHashKey } : {}),
    ...(recording !== undefined ? { recorder: recording.recorder } : {}),
    ...(recording?.rowsBytes !== undefined ? { recordRowsBytes: recording.rowsBytes } : {}),
    events: env.events,
    interrupt,
    activity,
    ...(env.upstreamPool !== undefined ? { reuseUpstream: true } : {}),
  };
  let end: SessionEnd | undefined;
  try {
    end = await env.queryCycle(ctx);
  } finally {
    clearTimeout(expiryTimer);
    clearTimeout(graceTimer);
    stopWatch();
    env.registry.unregister(ourKey);
    ended = true;
    c.end();
    destroySoon(c);
    const pool = env.upstreamPool;
    const idle = endedBy === undefined ? end?.idleUpstream : undefined;
    if (pool !== undefined) {
      // at rest and not ended by the gateway: the pool resets and keeps it, once this session's cancels are done
      const kept = idle !== undefined ? { unread: idle.unread, parameters: new Map([...start.parameters, ...idle.reported]) } : undefined;
      pool.release(up, kept, Promise.all(cancels));
    } else {
      terminateUpstream(up);
    }
    env.events.publish({
      type: 'session.closed',
      session: id,
      subject,
      reason: endedBy ?? end?.reason ?? 'client',
      durationMs: env.now() - startedAt,
      statements: end?.statements ?? 0,
    });
    recording?.recorder.sessionEnd({
      kind: 'session.end',
      session: id,
      reason: endedBy ?? end?.reason ?? 'client',
      statements: end?.statements ?? 0,
      rows: end?.rows ?? 0,
      duration_ms: env.now() - startedAt,
    });
  }
}

/** createHoldInterrupt is the session's HoldInterrupt: one wait at a time, aborted by a cancel or for good by a disconnect. */
export function createHoldInterrupt(): HoldInterrupt {
  let current: AbortController | undefined;
  let isGone = false;
  return {
    arm() {
      current = new AbortController();
      if (isGone) current.abort();
      return current.signal;
    },
    disarm() {
      current = undefined;
    },
    fire() {
      if (current === undefined || current.signal.aborted) return false;
      current.abort();
      return true;
    },
    gone() {
      isGone = true;
      current?.abort();
    },
  };
}

/** terminateUpstream says goodbye to the upstream (Terminate, then close) unless it is already closed. */
export function terminateUpstream(up: UpstreamLogin): void {
  if (up.closed) return;
  up.write(encodeFrontend({ kind: 'terminate' }));
  up.end();
  setTimeout(() => up.destroy(), 5_000).unref();
}

/**
 * paced returns the upstream channel whose next() waits while more than limits.max_queued_bytes
 * wait to be sent to the client (end-to-end backpressure by bytes: the upstream socket, no longer
 * read, fills its own queue to the same bound and is paused).
 */
function paced(up: UpstreamLogin, client: SocketChannel, parameters: ReadonlyMap<string, string>): UpstreamConnection {
  return {
    backendKey: up.backendKey,
    parameters,
    get closed() {
      return up.closed;
    },
    next() {
      // the common case (the client keeps up) without an extra await per frame
      if (!client.needsDrain) return up.next();
      return client.whenWritable().then(() => up.next());
    },
    write: (bytes) => up.write(bytes),
    get needsDrain() {
      return up.needsDrain;
    },
    whenWritable: () => up.whenWritable(),
    get bytes() {
      return up.bytes;
    },
    end: () => up.end(),
  };
}
