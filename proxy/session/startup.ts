// The startup phase of one client connection, as PostgreSQL's postmaster/backend do it: answer
// SSLRequest (upgrade to TLS when configured) and GSSENCRequest ('N'), serve CancelRequest, read
// the StartupMessage, ask for a cleartext password (only over TLS or from loopback, unless the
// configuration allows it), verify that JWT, log in upstream with the gateway's own credentials,
// and greet the client with the upstream's ParameterStatus, our own BackendKeyData and
// ReadyForQuery. Then the SessionContext goes to the query cycle. The session ends when the
// token expires, and either side closing closes the other. Nothing reaches the upstream before
// the token verified; no error other than a ProxyError's own text reaches the client.

import { randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { SecureContext } from 'node:tls';
import type { Principal, TokenVerifier } from '../auth/index.js';
import { ProxyError, toErrorFields } from '../errors.js';
import { connectUpstream, sendCancel } from '../upstream/index.js';
import type { BackendKey, UpstreamLogin, UpstreamOptions } from '../upstream/index.js';
import { ProtocolViolationError, decodeFrontend, encodeBackend, encodeFrontend, readCleartextPassword } from '../wire/index.js';
import type { StartupMessage } from '../wire/index.js';
import { createSocketChannel } from './channel.js';
import { StartupError, sessionExpired } from './errors.js';
import type { SocketChannel } from './channel.js';
import type { CatalogResolver, ConnectionInfo, Decide, SessionContext, SessionLog, UpstreamConnection } from './types.js';

/** QueryCycle serves a logged-in session (proxy/session/query-cycle.ts runQueryCycle, or a test double). */
export type QueryCycle = (ctx: SessionContext) => Promise<void>;

/** SessionEnvironment is what every session of one gateway shares. */
export type SessionEnvironment = {
  /** tls is the server certificate's context; absent: SSLRequest is answered 'N'. */
  readonly tls?: SecureContext;
  /** allowPlaintextPassword accepts the token without TLS from non-loopback clients. */
  readonly allowPlaintextPassword: boolean;
  /** isLoopback tells whether a client address is local (injectable so tests can play a remote client). */
  readonly isLoopback: (address: string) => boolean;
  /** upstream is where and as whom to log in; application_name comes from the client. */
  readonly upstream: Omit<UpstreamOptions, 'applicationName'>;
  readonly verifier: TokenVerifier;
  /** decide returns the decision of the policy loaded right now (hot reload swaps it underneath). */
  readonly decide: Decide;
  readonly catalog: CatalogResolver;
  readonly limits: { readonly maxMessageBytes: number; readonly maxStatementBytes: number };
  readonly registry: SessionRegistry;
  readonly log: SessionLog;
  readonly now: () => number;
  readonly queryCycle: QueryCycle;
  /** startupTimeoutMs bounds the time from accept to ReadyForQuery (default 60 s, PostgreSQL's authentication_timeout). */
  readonly startupTimeoutMs?: number;
};

/** SessionHandle is a live session as the registry knows it (cancel forwarding, shutdown). */
export type SessionHandle = {
  readonly id: string;
  /** upstream is the upstream server and its BackendKeyData for this session. */
  readonly upstream: { readonly host: string; readonly port: number; readonly key: BackendKey };
  /** terminate sends the client a FATAL error and closes both sides. */
  terminate(error: ProxyError): void;
};

/** SessionRegistry maps the BackendKeyData we gave clients to their sessions. */
export type SessionRegistry = {
  /** register stores a session under a fresh client-facing key and returns that key. */
  register(handle: SessionHandle): BackendKey;
  /** unregister forgets the session holding the key. */
  unregister(key: BackendKey): void;
  /** lookup finds the session for a CancelRequest's key (processId and secret both must match). */
  lookup(key: BackendKey): SessionHandle | undefined;
  /** size is the number of logged-in sessions. */
  readonly size: number;
  /** terminateAll terminates every session with the error. */
  terminateAll(error: ProxyError): void;
};

/** createSessionRegistry returns an empty registry; keys are random and unique among live sessions. */
export function createSessionRegistry(): SessionRegistry {
  const byPid = new Map<number, { secret: number; handle: SessionHandle }>();
  return {
    register(handle) {
      let processId: number;
      do processId = randomInt(1, 0x7fffffff);
      while (byPid.has(processId));
      const secretKey = randomInt(0, 0x7fffffff) * (randomInt(0, 2) === 0 ? 1 : -1);
      byPid.set(processId, { secret: secretKey, handle });
      return { processId, secretKey };
    },
    unregister(key) {
      const entry = byPid.get(key.processId);
      if (entry !== undefined && entry.secret === key.secretKey) byPid.delete(key.processId);
    },
    lookup(key) {
      const entry = byPid.get(key.processId);
      if (entry === undefined) return undefined;
      const a = Buffer.alloc(4);
      const b = Buffer.alloc(4);
      a.writeInt32BE(entry.secret);
      b.writeInt32BE(key.secretKey | 0);
      return timingSafeEqual(a, b) ? entry.handle : undefined;
    },
    get size() {
      return byPid.size;
    },
    terminateAll(error) {
      for (const { handle } of [...byPid.values()]) handle.terminate(error);
    },
  };
}

/** isLoopbackAddress tells whether a socket's remote address is loopback (127.0.0.0/8, ::1, IPv4-mapped 127/8). */
export function isLoopbackAddress(address: string): boolean {
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIPv4(v4)) return v4.startsWith('127.');
  return isIPv6(address) && (address === '::1' || address === '0:0:0:0:0:0:0:1');
}

const DEFAULT_STARTUP_TIMEOUT_MS = 60_000;
/** MAX_TIMER_MS is setTimeout's largest delay; longer waits re-arm. */
const MAX_TIMER_MS = 2_147_483_647;
/** UPSTREAM_CLOSE_GRACE_MS lets the query cycle relay the upstream's last words before the client is closed. */
const UPSTREAM_CLOSE_GRACE_MS = 500;

/**
 * runSession serves one client connection from its first byte to its close. It never rejects:
 * every failure becomes a FATAL ErrorResponse (ProxyError text only) and a closed connection.
 */
export async function runSession(socket: Socket, env: SessionEnvironment): Promise<void> {
  const id = randomUUID();
  const clientAddress = socket.remoteAddress ?? '';
  socket.setNoDelay(true);
  socket.setKeepAlive(true, 60_000);
  let client = createSocketChannel(socket, { maxFrameBytes: env.limits.maxMessageBytes, startup: true });
  let tls = false;
  let upstream: UpstreamLogin | undefined;
  let loggedIn = false;
  let aborted = false;
  const startupTimer = setTimeout(() => {
    if (loggedIn) return;
    fail(new StartupError('ERR_PROXY_STARTUP_TIMEOUT', '08006', 'portcullis: timeout during startup (no login within the allowed time)'));
  }, env.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS);

  /** fail reports the error to the client (when still open) and closes everything. */
  const fail = (err: unknown): void => {
    aborted = true;
    const fields = toErrorFields(err);
    if (!(err instanceof ProxyError)) env.log({ type: 'session_internal_error', session: id, error: String(err) });
    try {
      client.write(encodeBackend({ kind: 'errorResponse', ...fields, severity: 'FATAL' }));
    } catch {
      // the encoder only throws for our own bugs; the connection closes anyway
    }
    client.end();
    destroySoon(client);
    upstream?.destroy();
  };

  try {
    const startup = await negotiate();
    if (startup === undefined || aborted) return;
    const { message, principal } = startup;

    const applicationName = message.parameters.get('application_name') ?? '';
    // credentials come from the configuration only; the client's user/database are informational
    upstream = await connectUpstream({ ...env.upstream, ...(applicationName !== '' ? { applicationName } : {}) });
    if (aborted || client.closed) {
      upstream.destroy();
      return;
    }
    await serve(message, principal, upstream, applicationName);
  } catch (err) {
    if (err instanceof ProxyError) env.log({ type: 'session_refused', session: id, code: err.code, message: err.message, clientAddress });
    fail(err);
  } finally {
    clearTimeout(startupTimer);
  }

  /** negotiate runs the untagged phase and the password exchange; undefined when the client left (or sent a CancelRequest). */
  async function negotiate(): Promise<{ message: StartupMessage; principal: Principal } | undefined> {
    for (;;) {
      const frame = await client.next();
      if (frame === undefined) return undefined;
      const msg = decodeFrontend(frame);
      switch (msg.kind) {
        case 'sslRequest': {
          if (tls) throw new ProtocolViolationError('portcullis: SSLRequest received on an encrypted connection', { severity: 'FATAL' });
          if (env.tls === undefined) {
            client.write(encodeBackend({ kind: 'sslResponse', answer: 'N' }));
            client.expectStartup();
            continue;
          }
          const rest = client.detach();
          // bytes sent before the handshake would be trusted as if encrypted (CVE-2021-23214)
          if (rest.length > 0) {
            socket.destroy();
            return undefined;
          }
          socket.write(encodeBackend({ kind: 'sslResponse', answer: 'S' }));
          const secure = new TLSSocket(socket, { isServer: true, secureContext: env.tls });
          secure.on('error', () => secure.destroy());
          client = createSocketChannel(secure, { maxFrameBytes: env.limits.maxMessageBytes, startup: true });
          tls = true;
          continue;
        }
        case 'gssEncRequest':
          client.write(encodeBackend({ kind: 'sslResponse', answer: 'N' }));
          client.expectStartup();
          continue;
        case 'cancelRequest': {
          const handle = env.registry.lookup({ processId: msg.processId, secretKey: msg.secretKey });
          env.log({ type: 'cancel_request', matched: handle !== undefined, ...(handle !== undefined ? { session: handle.id } : {}) });
          if (handle !== undefined) {
            await sendCancel(handle.upstream.host, handle.upstream.port, handle.upstream.key, env.upstream.connectTimeoutMs).catch((err: unknown) =>
              env.log({ type: 'cancel_failed', session: handle.id, error: String(err) }),
            );
          }
          client.end();
          destroySoon(client);
          return undefined;
        }
        case 'startup':
          return login(msg);
        default:
          throw new ProtocolViolationError(`portcullis: unexpected message "${msg.kind}" before startup`, { severity: 'FATAL' });
      }
    }
  }

  /** login checks the startup packet, asks for the token and verifies it. */
  async function login(message: StartupMessage): Promise<{ message: StartupMessage; principal: Principal } | undefined> {
    if (message.minorVersion !== 0) {
      throw new StartupError(
        'ERR_PROXY_STARTUP_INVALID',
        '08P01',
        `portcullis: unsupported frontend protocol ${message.majorVersion}.${message.minorVersion}: server supports 3.0 to 3.0`,
      );
    }
    if ((message.parameters.get('user') ?? '') === '') {
      throw new StartupError('ERR_PROXY_STARTUP_INVALID', '28000', 'no PostgreSQL user name specified in startup packet');
    }
    if (message.parameters.has('replication') && message.parameters.get('replication') !== 'false') {
      throw new StartupError('ERR_PROXY_STARTUP_INVALID', '28000', 'portcullis: replication connections are not supported');
    }
    if (!tls && !env.allowPlaintextPassword && !env.isLoopback(clientAddress)) {
      throw new StartupError('ERR_PROXY_TLS_REQUIRED', '28000', 'password authentication requires TLS', {
        hint: 'Connect with sslmode=require (or verify-full).',
      });
    }
    client.expectTagged();
    client.write(encodeBackend({ kind: 'authenticationCleartextPassword' }));
    const frame = await client.next();
    if (frame === undefined) return undefined;
    const msg = decodeFrontend(frame);
    // psql asks for the password only after the server requested one: it leaves, then reconnects
    if (msg.kind === 'terminate') {
      client.end();
      return undefined;
    }
    if (msg.kind !== 'password') {
      throw new ProtocolViolationError(`portcullis: expected a password message, got "${msg.kind}"`, { severity: 'FATAL' });
    }
    const token = readCleartextPassword(msg);
    const principal = await env.verifier.verify(token);
    return { message, principal };
  }

  /** serve greets the client, registers the session, arms the expiry timer and runs the query cycle. */
  async function serve(message: StartupMessage, principal: Principal, up: UpstreamLogin, applicationName: string): Promise<void> {
    const connection: ConnectionInfo = {
      database: env.upstream.database,
      user: message.parameters.get('user') ?? '',
      applicationName,
      clientAddress,
      tls,
    };
    let ourKey: BackendKey | undefined;
    let expiryTimer: NodeJS.Timeout | undefined;
    let graceTimer: NodeJS.Timeout | undefined;
    const c = client;
    const handle: SessionHandle = {
      id,
      upstream: { host: env.upstream.host, port: env.upstream.port, key: up.backendKey },
      terminate(error) {
        c.write(encodeBackend({ kind: 'errorResponse', ...toErrorFields(error), severity: 'FATAL' }));
        c.end();
        destroySoon(c);
        terminateUpstream(up);
      },
    };
    ourKey = env.registry.register(handle);

    // either side closing closes the other
    c.socket.once('close', () => terminateUpstream(up));
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
        env.log({ type: 'session_expired', session: id, subject: principal.subject });
        handle.terminate(sessionExpired());
        return;
      }
      expiryTimer = setTimeout(armExpiry, Math.min(left, MAX_TIMER_MS));
    };

    c.write(
      Buffer.concat([
        encodeBackend({ kind: 'authenticationOk' }),
        ...[...up.parameters].map(([name, value]) => encodeBackend({ kind: 'parameterStatus', name, value })),
        encodeBackend({ kind: 'backendKeyData', ...ourKey }),
        encodeBackend({ kind: 'readyForQuery', status: 'I' }),
      ]),
    );
    loggedIn = true;
    clearTimeout(startupTimer);
    armExpiry();
    const startedAt = env.now();
    env.log({ type: 'session_start', session: id, subject: principal.subject, clientAddress, tls, applicationName });
    const ctx: SessionContext = {
      id,
      client: c,
      upstream: paced(up, c),
      principal,
      connection,
      startedAt,
      decide: env.decide,
      catalog: env.catalog,
      limits: { maxStatementBytes: env.limits.maxStatementBytes },
      log: env.log,
      now: env.now,
    };
    try {
      await env.queryCycle(ctx);
    } finally {
      clearTimeout(expiryTimer);
      clearTimeout(graceTimer);
      env.registry.unregister(ourKey);
      c.end();
      destroySoon(c);
      terminateUpstream(up);
      env.log({ type: 'session_end', session: id, subject: principal.subject, durationMs: env.now() - startedAt });
    }
  }
}

/** terminateUpstream says goodbye to the upstream (Terminate, then close) unless it is already closed. */
function terminateUpstream(up: UpstreamLogin): void {
  if (up.closed) return;
  up.write(encodeFrontend({ kind: 'terminate' }));
  up.end();
  setTimeout(() => up.destroy(), 5_000).unref();
}

/** destroySoon destroys a channel that has not closed a while after end() (a peer that never closes its side). */
function destroySoon(channel: SocketChannel): void {
  setTimeout(() => channel.destroy(), 5_000).unref();
}

/** paced returns the upstream channel whose next() waits while the client's write buffer is full (end-to-end backpressure). */
function paced(up: UpstreamLogin, client: SocketChannel): UpstreamConnection {
  return {
    backendKey: up.backendKey,
    parameters: up.parameters,
    get closed() {
      return up.closed;
    },
    next() {
      // the common case (the client keeps up) without an extra await per frame
      if (!client.socket.writableNeedDrain) return up.next();
      return client.whenWritable().then(() => up.next());
    },
    write: (bytes) => up.write(bytes),
    end: () => up.end(),
  };
}
