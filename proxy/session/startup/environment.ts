// What every session of one gateway shares (the environment the server hands each connection)
// and the ports the startup phase uses: the login decision (the session's database role), the
// session registry (cancel keys, shutdown) and the query cycle that serves a logged-in session.

import type { Recorder } from '../../recording/index.js';
import type { SecureContext } from 'node:tls';
import type { TokenVerifier } from '../../auth/index.js';
import type { CatalogResolver } from '../../catalog/index.js';
import type { ConnectionPolicyInput, LoginDecision } from '../../decision/index.js';
import type { ProxyError } from '../../errors.js';
import type { EventSink } from '../../events.js';
import type { Gate } from '../../gate/index.js';
import type { BackendKey, UpstreamOptions } from '../../upstream/index.js';
import type { UpstreamPool } from '../../upstream-pool/index.js';
import type { QueryCycle } from '../types.js';

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
  /**
   * decideLogin evaluates the policy's login entrypoint once per connection (the database role the
   * session runs as, or a refusal); absent: the policy has none, and sessions run as the upstream
   * login role, as configured.
   */
  readonly decideLogin?: DecideLogin;
  /** gate decides every statement of every session (the policy loaded right now). */
  readonly gate: Gate;
  readonly catalog: CatalogResolver;
  /**
   * limits: the largest message and statement; maxQueuedBytes bounds each direction's queue
   * (limits.max_queued_bytes); authenticationTimeoutMs bounds accept → token verified and the login
   * policy's answer; messageTimeoutMs bounds a message's first byte → its last, before and after
   * login (absent: no bound).
   */
  readonly limits: {
    readonly maxMessageBytes: number;
    readonly maxStatementBytes: number;
    readonly maxQueuedBytes: number;
    readonly authenticationTimeoutMs?: number;
    readonly messageTimeoutMs?: number;
  };
  /** maskHashKey makes `hash` masks an HMAC (config `masking.hash_key_*`). */
  readonly maskHashKey?: string;
  /** refuseLogin, when set, names why an identity may not log in right now (live control blocked it); undefined lets it in. */
  readonly refuseLogin?: (identity: { readonly iss: string; readonly sub: string }) => ProxyError | undefined;
  /** recording, when set, records every session's start, statements' outcomes and end (the gate records the statements). */
  readonly recording?: {
    readonly recorder: Recorder;
    readonly gateway: string;
    readonly revision: () => string;
    /** rowsBytes keeps the rows each statement returned, up to this many bytes (`recording.results: capped`). */
    readonly rowsBytes?: number;
  };
  readonly registry: SessionRegistry;
  /** upstreamPool, when set, lends sessions reset upstream connections and takes clean ones back (config `upstream.pool`); absent: one connection per session. */
  readonly upstreamPool?: UpstreamPool;
  readonly events: EventSink;
  /** now is the clock in ms since the epoch (token expiry). */
  readonly now: () => number;
  readonly queryCycle: QueryCycle;
  /** startupTimeoutMs bounds the time from accept to ReadyForQuery (default 60 s, PostgreSQL's authentication_timeout). */
  readonly startupTimeoutMs?: number;
};

/**
 * Admission is one connection's place in the gateway's connection limits (proxy/server keeps the
 * counts): among the connections logging in until it authenticates, then among max_connections.
 * The place is freed when the socket closes.
 */
export type Admission = {
  /** onCrowdedOut sets how the connection is closed if a newer one takes its place while it logs in. */
  onCrowdedOut(close: () => void): void;
  /** presented records that the client sent its password (or cancel key): from now on it is not crowded out. */
  presented(): void;
  /** authenticate moves the connection among the authenticated ones; false when max_connections are taken. */
  authenticate(): boolean;
};

/** DecideLogin asks the login entrypoint; it never throws (it fails closed with a deny); undefined when the active policy has none (the session runs as the upstream login role). */
export type DecideLogin = (input: ConnectionPolicyInput) => LoginDecision | undefined | Promise<LoginDecision | undefined>;

/** SessionHandle is a live session as the registry knows it (cancel forwarding, shutdown). */
export type SessionHandle = {
  readonly id: string;
  /** identity is whose session it is (the token's `iss` and `sub`). */
  readonly identity: { readonly iss: string; readonly sub: string };
  /** upstream is the upstream server and its BackendKeyData for this session. */
  readonly upstream: { readonly host: string; readonly port: number; readonly key: BackendKey };
  /** terminate sends the client a FATAL error and closes both sides; `reason` is recorded as the session's end. */
  terminate(error: ProxyError, reason: 'expired' | 'revoked' | 'shutdown' | 'message_timeout' | 'terminated' | 'blocked'): void;
  /**
   * cancelUpstream forwards a cancel request to the session's upstream backend (resolves once
   * PostgreSQL closed the cancel connection); nothing once the session ended, so a key looked up
   * just before the end never reaches the next session on a reused connection.
   */
  cancelUpstream(timeoutMs: number): Promise<void>;
  /** cancelHold withdraws the statement the session holds for approval; false when none is held. */
  cancelHold(): boolean;
  /** drain terminates the session (reason `shutdown`) now if it is idle, else once its statement (or transaction) ends; idempotent. */
  drain(error: ProxyError): void;
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
  /** drainAll asks every session to end with the error once idle (SessionHandle.drain). */
  drainAll(error: ProxyError): void;
  /** sessions lists the live sessions (live control: terminate one, or every session of a blocked identity). */
  sessions(): readonly SessionHandle[];
};
