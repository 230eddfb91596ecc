// The gateway's accept loop: a net.Server on config.listen handing each client socket to
// proxy/session's runSession, with the things all sessions share (TLS context, upstream
// settings, token verifier, the statement gate, catalog, cancel-key registry, event bus) and its
// place in the connection limits (admission.ts: connections logging in apart from authenticated
// ones). A failure on one connection never affects another; close() stops accepting, drains
// (running statements may finish within its grace) and ends every session, the idle pooled
// upstream connections (proxy/upstream-pool) and the catalog connection.
//
// Wiring (proxy/cli `portcullis serve`):
//   const gateway = await startGateway(config, { verifier: createTokenVerifier(toIdentityConfig(config)),
//     decide: (input) => decider.decide(input), events: bus });
//   … gateway.host / gateway.port …; on SIGTERM: await gateway.close({ graceMs: config.limits.shutdownGraceMs });

import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { createSecureContext } from 'node:tls';
import type { SecureContext } from 'node:tls';
import type { TokenVerifier } from '../auth/index.js';
import { createCatalog } from '../catalog/index.js';
import type { GatewayConfig } from '../config/index.js';
import { toErrorFields } from '../errors.js';
import { NO_EVENTS } from '../events.js';
import type { EventSink } from '../events.js';
import { createGate } from '../gate/index.js';
import type { ApprovalPort, Decide } from '../gate/index.js';
import type { Recorder } from '../recording/index.js';
import { IdentityBlockedError } from '../control/index.js';
import { hostname } from 'node:os';
import { isLoopbackAddress } from '../net/index.js';
import { runQueryCycle, runSession, shuttingDown, tooManyLogins } from '../session/index.js';
import type { Admission, DecideLogin, QueryCycle, SessionEnvironment, SessionHandle } from '../session/index.js';
import { connectUpstream } from '../upstream/index.js';
import { createUpstreamPool } from '../upstream-pool/index.js';
import type { UpstreamOptions } from '../upstream/index.js';
import { encodeBackend } from '../wire/index.js';
import { createAdmission } from './admission.js';
import { createSessionRegistry } from './registry.js';

/** GatewayDeps are the gateway's collaborators and effects (the CLI builds them; tests inject doubles). */
export type GatewayDeps = {
  /** verifier checks the JWT each client presents as its password. */
  readonly verifier: TokenVerifier;
  /** decide evaluates the current policy and never throws (createDecider with a policy getter gives hot reload). */
  readonly decide: Decide;
  /**
   * decideLogin evaluates the policy's login entrypoint for each connection (the database role its
   * session runs as, or a refusal); absent: no SET ROLE, sessions run as the upstream login role.
   */
  readonly decideLogin?: DecideLogin;
  /** approvals holds statements the policy wants approved (default: every hold is refused). */
  readonly approvals?: ApprovalPort;
  /** revision names the policy deciding right now (recorded on approval requests). */
  readonly revision?: () => string;
  /** recorder records every session and statement (write-ahead); absent: nothing is recorded. */
  readonly recorder?: Recorder;
  /** gatewayId names this gateway in recordings (default host:pid). */
  readonly gatewayId?: string;
  /** recordRowsBytes keeps each statement's rows in its recording, up to this many bytes (`recording.results: capped`). */
  readonly recordRowsBytes?: number;
  /** control is live control (blocked identities are refused at login; its sessions list is this gateway's registry). */
  readonly control?: {
    blocked(iss: string, sub: string): { readonly by: string; readonly reason: string; readonly until: string | null } | undefined;
  };
  /** events receives the gateway's typed events (default: dropped); subscribers log, record, count. */
  readonly events?: EventSink;
  /** now is the clock in ms since the epoch (default Date.now); token expiry uses it. */
  readonly now?: () => number;
  /**
   * upstreamPassword is the upstream password the caller resolved (required for `password_env` and
   * `password_file`: the data plane reads no environment and no files); a function is called for
   * every new upstream login, so a rotated password (`password_file`) is used without a restart.
   */
  readonly upstreamPassword?: string | (() => Promise<string>);
  /** tls is the PEM key and certificate of config.tls, read by the caller (required when config.tls is set: the data plane reads no files). */
  readonly tls?: { readonly key: string | Buffer; readonly cert: string | Buffer };
  /** maskHashKey is the HMAC key of `hash` masks the caller resolved (config `masking.hash_key_env` / `hash_key_file`). */
  readonly maskHashKey?: string;
  /** isLoopback decides which client addresses may send the token without TLS (default: 127/8, ::1). */
  readonly isLoopback?: (address: string) => boolean;
  /** queryCycle serves logged-in sessions (default proxy/session runQueryCycle; tests may pass a pass-through). */
  readonly queryCycle?: QueryCycle;
  /** startupTimeoutMs bounds accept → ReadyForQuery (default 60 s; config.limits.authentication_timeout bounds the client's part of it). */
  readonly startupTimeoutMs?: number;
};

/** CloseOptions bound a drain: how long running statements may take to finish before their sessions are ended. */
export type CloseOptions = { readonly graceMs?: number };

/** Gateway is a running gateway. */
export type Gateway = {
  /** host and port the gateway listens on (port resolved when config.listen.port was 0). */
  readonly host: string;
  readonly port: number;
  /**
   * close stops accepting, lets running statements finish within `graceMs` (default 0: none),
   * terminates every session left (FATAL 57P01) and closes the catalog connection; idempotent.
   */
  close(options?: CloseOptions): Promise<void>;
  /** draining is true once close() was called. */
  draining(): boolean;
  /** sessions is the number of client connections open right now (logging in or logged in). */
  sessions(): number;
  /** connections counts the open connections by pool: logging in (unauthenticated) and authenticated. */
  connections(): { readonly unauthenticated: number; readonly authenticated: number };
  /** live lists the logged-in sessions (live control ends one, or those of a blocked identity). */
  live(): readonly SessionHandle[];
  /** upstreamIdle is the number of upstream connections kept idle for later sessions (0 without a pool). */
  upstreamIdle(): number;
};

/**
 * startGateway listens on config.listen and serves PostgreSQL clients. Rejects (before listening)
 * when config.tls or `password_env` is set but deps do not carry the PEM or the password; never afterwards.
 */
export async function startGateway(config: GatewayConfig, deps: GatewayDeps): Promise<Gateway> {
  const events = deps.events ?? NO_EVENTS;
  const now = deps.now ?? Date.now;
  const upstream: Omit<UpstreamOptions, 'applicationName'> = {
    host: config.upstream.host,
    port: config.upstream.port,
    user: config.upstream.user,
    database: config.upstream.database,
    connectTimeoutMs: config.upstream.connectTimeoutMs,
    maxFrameBytes: config.limits.maxRowBytes,
    maxQueuedBytes: config.limits.maxQueuedBytes,
    ...passwordOf(config, deps),
  };
  const catalog = createCatalog(() => connectUpstream({ ...upstream, applicationName: 'portcullis catalog' }), { events });
  const gate = createGate({
    decide: deps.decide,
    catalog,
    names: catalog,
    events,
    ...(deps.maskHashKey !== undefined ? { maskHashKey: deps.maskHashKey } : {}),
    now,
    ...(deps.approvals !== undefined ? { approvals: deps.approvals } : {}),
    ...(deps.revision !== undefined ? { revision: deps.revision } : {}),
    ...(deps.recorder !== undefined ? { recorder: deps.recorder } : {}),
  });
  const registry = createSessionRegistry();
  const { pool } = config.upstream;
  // upstream.pool.max_idle 0: no pool, every session opens (and closes) its own upstream connection
  const upstreamPool =
    pool.maxIdle > 0
      ? createUpstreamPool({ maxIdle: pool.maxIdle, idleTimeoutMs: pool.idleTimeoutMs, maxLifetimeMs: pool.maxLifetimeMs })
      : undefined;
  const tls = tlsContext(config, deps);
  const env: SessionEnvironment = {
    ...(tls !== undefined ? { tls } : {}),
    allowPlaintextPassword: config.allowPlaintextPassword,
    isLoopback: deps.isLoopback ?? isLoopbackAddress,
    upstream,
    verifier: deps.verifier,
    ...(deps.decideLogin !== undefined ? { decideLogin: deps.decideLogin } : {}),
    gate,
    catalog,
    limits: {
      maxMessageBytes: config.limits.maxMessageBytes,
      maxStatementBytes: config.limits.maxStatementBytes,
      maxQueuedBytes: config.limits.maxQueuedBytes,
      authenticationTimeoutMs: config.limits.authenticationTimeoutMs,
      messageTimeoutMs: config.limits.messageTimeoutMs,
    },
    registry,
    ...(upstreamPool !== undefined ? { upstreamPool } : {}),
    ...(deps.maskHashKey !== undefined ? { maskHashKey: deps.maskHashKey } : {}),
    ...(deps.control !== undefined
      ? {
          refuseLogin: (who: { readonly iss: string; readonly sub: string }) => {
            const b = deps.control?.blocked(who.iss, who.sub);
            return b === undefined ? undefined : new IdentityBlockedError(b.by, b.reason, b.until);
          },
        }
      : {}),
    ...(deps.recorder !== undefined
      ? {
          recording: {
            recorder: deps.recorder,
            gateway: deps.gatewayId ?? `${hostname()}:${process.pid}`,
            revision: deps.revision ?? (() => ''),
            ...(deps.recordRowsBytes !== undefined ? { rowsBytes: deps.recordRowsBytes } : {}),
          },
        }
      : {}),
    events,
    now,
    queryCycle: deps.queryCycle ?? runQueryCycle,
    ...(deps.startupTimeoutMs !== undefined ? { startupTimeoutMs: deps.startupTimeoutMs } : {}),
  };

  const admission = createAdmission(config.limits);
  const open = new Set<Socket>();
  let closing: Promise<void> | undefined;
  const server: Server = createServer({ noDelay: true }, (socket) => {
    socket.on('error', () => {}); // a reset on one connection is that connection's business
    if (closing !== undefined) {
      socket.destroy();
      return;
    }
    const clientAddress = socket.remoteAddress ?? '';
    const ticket = admission.admit(clientAddress, () => socket.destroy());
    if (ticket === undefined) {
      events.publish({ type: 'connection.refused', reason: 'max_unauthenticated', clientAddress });
      socket.end(encodeBackend({ kind: 'errorResponse', ...toErrorFields(tooManyLogins()) }));
      setTimeout(() => socket.destroy(), 1_000).unref();
      return;
    }
    open.add(socket);
    events.publish({ type: 'connection.accepted', clientAddress });
    socket.once('close', () => {
      open.delete(socket);
      ticket.release();
    });
    const place: Admission = {
      onCrowdedOut: (close) =>
        ticket.onCrowdedOut(() => {
          events.publish({ type: 'connection.refused', reason: 'crowded_out', clientAddress });
          close();
        }),
      presented: () => ticket.presented(),
      authenticate: () => {
        const ok = ticket.authenticate();
        if (!ok) events.publish({ type: 'connection.refused', reason: 'max_connections', clientAddress });
        return ok;
      },
    };
    runSession(socket, env, place).catch((err: unknown) => {
      // runSession never rejects; this is a last line of defence for our own bugs
      events.publish({ type: 'gateway.error', message: `session failed: ${String(err)}` });
      socket.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.listen.port, config.listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => events.publish({ type: 'gateway.error', message: String(err) }));
  const address = server.address() as AddressInfo;
  events.publish({ type: 'gateway.listening', host: address.address, port: address.port, tls: env.tls !== undefined });

  return {
    host: address.address,
    port: address.port,
    sessions: () => open.size,
    connections: () => ({ unauthenticated: admission.unauthenticated, authenticated: admission.authenticated }),
    live: () => registry.sessions(),
    upstreamIdle: () => upstreamPool?.idle ?? 0,
    draining: () => closing !== undefined,
    close(options: CloseOptions = {}): Promise<void> {
      closing ??= (async () => {
        // stop accepting: new connections are refused by the kernel from now on
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        // idle upstream connections close now; sessions ending from here on close theirs
        upstreamPool?.close();
        const graceMs = options.graceMs ?? 0;
        if (graceMs > 0) {
          // a drain: idle sessions end now, the others once their statement (or transaction) ends;
          // asked again at each tick for sessions whose login completes meanwhile
          const graceEnd = Date.now() + graceMs;
          while (registry.size > 0 && Date.now() < graceEnd) {
            registry.drainAll(shuttingDown());
            await new Promise((r) => setTimeout(r, 20));
          }
        }
        registry.terminateAll(shuttingDown());
        // sockets still in startup (or not letting go): give them a moment, then cut them off
        const deadline = Date.now() + 2_000;
        while (open.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        for (const socket of open) socket.destroy();
        catalog.close();
        await stopped;
      })();
      return closing;
    },
  };
}

/** passwordOf picks the upstream password: deps override (a value, or a function read at each login), else the inline config value. */
function passwordOf(config: GatewayConfig, deps: GatewayDeps): { password?: string } | { passwordSource: () => Promise<string> } {
  if (typeof deps.upstreamPassword === 'function') return { passwordSource: deps.upstreamPassword };
  if (deps.upstreamPassword !== undefined) return { password: deps.upstreamPassword };
  const source = config.upstream.password;
  if (source === undefined) return {};
  if (source.kind !== 'inline') {
    const what = source.kind === 'env' ? `password_env ${source.name}` : `password_file ${source.path}`;
    throw new TypeError(`startGateway: upstream ${what} must be resolved by the caller (deps.upstreamPassword)`);
  }
  return { password: source.value };
}

/** tlsContext builds the server certificate's context from deps.tls (the PEM contents; the data plane reads no files). */
function tlsContext(config: GatewayConfig, deps: GatewayDeps): SecureContext | undefined {
  if (deps.tls !== undefined) return createSecureContext({ key: deps.tls.key, cert: deps.tls.cert });
  if (config.tls !== undefined)
    throw new TypeError('startGateway: config.tls is set but deps.tls holds no PEM key and certificate (proxy/cli reads the files)');
  return undefined;
}
