// Session pooling of upstream connections, as pgbouncer's session mode: a session's upstream
// connection, given back provably idle (its last ReadyForQuery 'I', nothing in flight, nothing
// unread), is reset with DISCARD ALL and kept for a later session of the same target; anything in
// doubt closes it. A session holds its connection through a lease: once given back, the lease
// reads nothing, writes nothing and reports itself closed, so nothing of the old session can
// reach the next one. Idle connections are used last-in first-out, closed after `idleTimeoutMs`
// idle, and never used again past `maxLifetimeMs` (rotated passwords, server-side changes).

import { connectUpstream } from '../upstream/index.js';
import type { UpstreamLogin, UpstreamOptions } from '../upstream/index.js';
import { encodeFrontend } from '../wire/index.js';
import type { Frame } from '../wire/index.js';
import { DISCARD_SQL, runInternal, setApplicationNameSql } from './reset.js';

/** UpstreamPoolOptions bound the pool (config `upstream.pool`). */
export type UpstreamPoolOptions = {
  /** maxIdle is the most idle connections kept (per target); at least 1 (0 means: build no pool). */
  readonly maxIdle: number;
  /** idleTimeoutMs closes a connection idle for longer. */
  readonly idleTimeoutMs: number;
  /** maxLifetimeMs: a connection older than this is never reused. */
  readonly maxLifetimeMs: number;
  /** resetTimeoutMs bounds DISCARD ALL and SET application_name (default 5 s). */
  readonly resetTimeoutMs?: number;
  /** connect opens a fresh connection (default connectUpstream; tests may count). */
  readonly connect?: (options: UpstreamOptions) => Promise<UpstreamLogin>;
  /** now is the clock in ms (default Date.now). */
  readonly now?: () => number;
};

/** PooledUpstream is a leased connection: an UpstreamLogin plus whether it served a session before. */
export type PooledUpstream = UpstreamLogin & { readonly reused: boolean };

/**
 * IdleUpstream is the query cycle's word that the session ended with its upstream idle: between
 * requests, last ReadyForQuery 'I'. `unread` is the read the session began and never consumed;
 * `parameters` are the ParameterStatus values the upstream last reported.
 */
export type IdleUpstream = {
  readonly unread: Promise<Frame | undefined> | undefined;
  readonly parameters: ReadonlyMap<string, string>;
};

/** UpstreamPool hands out upstream connections and takes clean ones back. */
export type UpstreamPool = {
  /** acquire leases a reset idle connection of this target (application_name set), else opens one; rejects as connectUpstream does. */
  acquire(options: UpstreamOptions, applicationName: string): Promise<PooledUpstream>;
  /**
   * release takes a lease back: with `idle` (and once `settled` settles: e.g. cancel requests sent
   * for the session) it is reset and kept, without it, or on any doubt, it is closed. Never throws.
   */
  release(lease: UpstreamLogin, idle: IdleUpstream | undefined, settled?: Promise<unknown>): void;
  /** idle is the number of idle connections kept right now. */
  readonly idle: number;
  /** close closes every idle connection; later releases close theirs. Idempotent. */
  close(): void;
};

type Conn = {
  readonly key: string;
  readonly login: UpstreamLogin;
  readonly createdAt: number;
  readonly parameters: Map<string, string>;
  lease: Lease | undefined;
  idleTimer: NodeJS.Timeout | undefined;
};

type Lease = PooledUpstream & { readonly conn: Conn; revoke(): void; closedUnderneath(): void };

/** createUpstreamPool returns an empty pool. */
export function createUpstreamPool(options: UpstreamPoolOptions): UpstreamPool {
  const connect = options.connect ?? connectUpstream;
  const now = options.now ?? Date.now;
  const resetTimeoutMs = options.resetTimeoutMs ?? 5_000;
  /** idle connections per target, the most recently released last */
  const idle = new Map<string, Conn[]>();
  /** resetting counts connections being reset (they count against maxIdle) */
  let resetting = 0;
  let closed = false;

  const idleCount = (): number => {
    let n = 0;
    for (const list of idle.values()) n += list.length;
    return n;
  };
  const remove = (conn: Conn): void => {
    clearTimeout(conn.idleTimer);
    conn.idleTimer = undefined;
    const list = idle.get(conn.key);
    const at = list?.indexOf(conn) ?? -1;
    if (list !== undefined && at >= 0) list.splice(at, 1);
    if (list?.length === 0) idle.delete(conn.key);
  };
  const terminate = (conn: Conn): void => {
    remove(conn);
    const up = conn.login;
    if (up.closed) return;
    up.write(encodeFrontend({ kind: 'terminate' }));
    up.end();
    setTimeout(() => up.destroy(), 1_000).unref();
  };
  const expired = (conn: Conn): boolean => now() - conn.createdAt >= options.maxLifetimeMs;

  const wrap = (key: string, login: UpstreamLogin): Conn => {
    const conn: Conn = { key, login, createdAt: now(), parameters: new Map(login.parameters), lease: undefined, idleTimer: undefined };
    // one close listener per connection: the session holding it hears of it, the idle list forgets it
    login.onClose(() => {
      remove(conn);
      conn.lease?.closedUnderneath();
    });
    return conn;
  };

  const take = (key: string): Conn | undefined => {
    const list = idle.get(key);
    while (list !== undefined && list.length > 0) {
      const conn = list.pop() as Conn;
      clearTimeout(conn.idleTimer);
      conn.idleTimer = undefined;
      if (conn.login.closed || expired(conn)) {
        terminate(conn);
        continue;
      }
      if (list.length === 0) idle.delete(key);
      return conn;
    }
    return undefined;
  };

  return {
    async acquire(given, applicationName) {
      const key = keyOf(given);
      for (let conn = take(key); conn !== undefined; conn = take(key)) {
        // the name the connection reports is the last client's (RESET ALL went back to the first's): set this one's
        const ok =
          conn.parameters.get('application_name') === applicationName ||
          (await runInternal(conn.login, setApplicationNameSql(applicationName), conn.parameters, resetTimeoutMs));
        if (ok && !conn.login.closed) return lease(conn, true);
        // killed while idle, or refusing: the client never hears of it, it gets a fresh connection
        conn.login.destroy();
        remove(conn);
      }
      const login = await connect({ ...given, ...(applicationName !== '' ? { applicationName } : {}) });
      return lease(wrap(key, login), false);
    },

    release(given, state, settled) {
      const l = given as Partial<Lease>;
      const conn = l.conn;
      if (conn === undefined || conn.lease !== given) {
        // not one of ours, or released already: close what it is
        if (conn === undefined) given.destroy();
        return;
      }
      conn.lease?.revoke();
      conn.lease = undefined;
      if (state === undefined || closed || conn.login.closed || expired(conn) || idleCount() + resetting >= options.maxIdle) {
        terminate(conn);
        return;
      }
      for (const [name, value] of state.parameters) conn.parameters.set(name, value);
      resetting += 1;
      (async () => {
        let ok = false;
        try {
          await settled?.catch(() => undefined);
          ok = !closed && (await runInternal(conn.login, DISCARD_SQL, conn.parameters, resetTimeoutMs, state.unread));
        } finally {
          resetting -= 1;
        }
        if (!ok || closed || conn.login.closed) {
          conn.login.destroy();
          remove(conn);
          return;
        }
        const list = idle.get(conn.key) ?? [];
        list.push(conn);
        idle.set(conn.key, list);
        conn.idleTimer = setTimeout(() => terminate(conn), Math.min(options.idleTimeoutMs, conn.createdAt + options.maxLifetimeMs - now()));
        conn.idleTimer.unref();
      })().catch(() => {
        // our own bug: never a crash, never a connection kept in doubt
        conn.login.destroy();
        remove(conn);
      });
    },

    get idle() {
      return idleCount();
    },

    close() {
      closed = true;
      for (const list of [...idle.values()]) for (const conn of [...list]) terminate(conn);
    },
  };
}

/** keyOf names a target: where, as whom, and how its channel frames messages (a reused channel keeps its framing). */
function keyOf(o: UpstreamOptions): string {
  return JSON.stringify([o.host, o.port, o.database, o.user, o.maxFrameBytes, o.maxQueuedBytes, o.streamRowsAbove, o.parameters ?? null]);
}

/**
 * lease gives a session the connection: the channel as is while the lease holds, nothing once it
 * is revoked (reads end, writes are dropped, it reads as closed, its close listeners are dropped).
 */
function lease(conn: Conn, reused: boolean): Lease {
  const up = conn.login;
  let held = true;
  let listeners: (() => void)[] = [];
  const l: Lease = {
    conn,
    reused,
    authMethod: up.authMethod,
    backendKey: up.backendKey,
    parameters: new Map(conn.parameters),
    get closed() {
      return !held || up.closed;
    },
    next: () => (held ? up.next() : Promise.resolve(undefined)),
    write(bytes) {
      if (held) up.write(bytes);
    },
    get needsDrain() {
      return held && up.needsDrain;
    },
    whenWritable: () => (held ? up.whenWritable() : Promise.resolve()),
    get bytes() {
      return up.bytes;
    },
    end() {
      if (held) up.end();
    },
    destroy() {
      if (held) up.destroy();
    },
    onClose(listener) {
      if (!held || up.closed) queueMicrotask(listener);
      else listeners.push(listener);
    },
    revoke() {
      held = false;
      listeners = [];
    },
    closedUnderneath() {
      const called = listeners;
      listeners = [];
      for (const f of called) f();
    },
  };
  conn.lease = l;
  return l;
}
