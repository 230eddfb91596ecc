// The shared state store: one PostgreSQL connection (made with the gateway's own protocol client,
// proxy/upstream), opened lazily on first use and again after it was lost, with calls serialized
// on it. ready() brings the schema up to date once (migrate() each time it is called): under a
// transaction-scoped advisory lock, the missing migrations run in order and are recorded, so
// several gateways migrating one store at once apply each version exactly once. A store that
// cannot be reached rejects with StateUnavailableError; nothing here is cached that another
// gateway would need.

import { messageOf } from '../errors.js';
import { UpstreamAuthFailedError, UpstreamError, UpstreamQueryError, connectUpstream, paramQuery, simpleQuery } from '../upstream/index.js';
import { decodeBackend } from '../wire/index.js';
import type { SimpleQueryResult, UpstreamLogin } from '../upstream/index.js';
import { StateError, StateMigrationError, StateUnavailableError } from './errors.js';
import { BOOTSTRAP_SQL, MIGRATIONS, MIGRATIONS_TABLE, MIGRATION_LOCK_KEY, STATE_SCHEMA } from './migrations.js';
import type { Migration } from './migrations.js';

/** StateStoreOptions says where the store is and as whom to log in (from GatewayConfig.state, the secret resolved). */
export type StateStoreOptions = {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  /** password is the store role's password; absent when the store trusts the gateway. */
  readonly password?: string;
  /** passwordSource, when set, is read for every login instead of `password` (a rotated `password_file`). */
  readonly passwordSource?: () => Promise<string>;
  /** connectTimeoutMs bounds connecting and logging in. */
  readonly connectTimeoutMs: number;
  /** migrations replace the built-in MIGRATIONS (tests only). */
  readonly migrations?: readonly Migration[];
};

/** MigrationReport says what one migrate() did: the versions it applied (empty when the schema was current) and the version now. */
export type MigrationReport = { readonly applied: readonly number[]; readonly version: number };

/** StateStore is a handle on the shared state store. */
export type StateStore = {
  /** ready resolves once the schema is current (migrating it on the first call); rejects with a StateError, and a later call tries again. */
  ready(): Promise<void>;
  /** migrate applies the missing migrations now and says which. */
  migrate(): Promise<MigrationReport>;
  /**
   * query runs SQL (simple protocol, text results) once the schema is current; rejects with a
   * StateError when the store cannot be reached or migrated, with an UpstreamQueryError (the
   * store's SQLSTATE; the connection stays usable) when the statement itself failed.
   */
  query(sql: string, params?: readonly (string | null)[]): Promise<SimpleQueryResult>;
  /**
   * transaction runs fn inside BEGIN … COMMIT on the store's connection (nothing else runs on it
   * meanwhile); a rejection of fn rolls back and rejects with it.
   */
  transaction<T>(fn: (q: StateQuery) => Promise<T>): Promise<T>;
  /**
   * listen subscribes to a NOTIFY channel on a connection of its own, kept open (reconnected with
   * backoff after a loss; `onReconnect` then runs, since notifications sent meanwhile are lost).
   * Resolves once LISTEN is in effect; rejects with a StateError when the store cannot be reached.
   */
  listen(channel: string, onPayload: (payload: string) => void, onReconnect?: () => void): Promise<StateListener>;
  /** close ends the connection; later calls reject with StateUnavailableError. */
  close(): Promise<void>;
};

/** StateQuery runs one statement with `$n` parameters inside a transaction. */
export type StateQuery = (sql: string, params?: readonly (string | null)[]) => Promise<SimpleQueryResult>;

/** StateListener is a LISTEN subscription; close() ends it. */
export type StateListener = { close(): void };

/** createStateStore returns a store; it connects on first use, not now. */
export function createStateStore(options: StateStoreOptions): StateStore {
  const migrations = options.migrations ?? MIGRATIONS;
  checkMigrations(migrations);
  let conn: UpstreamLogin | undefined;
  let tail: Promise<unknown> = Promise.resolve();
  let readying: Promise<void> | undefined;
  let closed = false;

  const connection = async (): Promise<UpstreamLogin> => {
    if (conn !== undefined && !conn.closed) return conn;
    conn = undefined;
    conn = await logIn(options, 'portcullis-state');
    return conn;
  };

  /** serial runs fn on the connection after every earlier call; a lost connection is dropped for the next. */
  const serial = <T>(fn: (c: UpstreamLogin) => Promise<T>): Promise<T> => {
    const run = async (): Promise<T> => {
      if (closed) throw new StateUnavailableError('the store is closed');
      const c = await connection();
      try {
        return await fn(c);
      } catch (e) {
        if (!(e instanceof UpstreamQueryError) && !(e instanceof StateError)) {
          c.destroy();
          if (conn === c) conn = undefined;
          throw unavailable(e, 'the connection was lost');
        }
        throw e;
      }
    };
    const result = tail.then(run, run);
    tail = result.catch(() => undefined);
    return result;
  };

  const migrate = async (): Promise<MigrationReport> => {
    const report = await serial((c) => runMigrations(c, migrations));
    readying ??= Promise.resolve();
    return report;
  };

  const ready = (): Promise<void> => {
    readying ??= migrate().then(
      () => undefined,
      (e: unknown) => {
        readying = undefined;
        throw e;
      },
    );
    return readying;
  };

  return {
    ready,
    migrate,
    async query(sql, params) {
      await ready();
      return serial((c) => (params === undefined ? simpleQuery(c, sql) : paramQuery(c, sql, params)));
    },
    async transaction(fn) {
      await ready();
      return serial(async (c) => {
        await simpleQuery(c, 'BEGIN');
        try {
          const result = await fn((sql, params) => (params === undefined ? simpleQuery(c, sql) : paramQuery(c, sql, params)));
          await simpleQuery(c, 'COMMIT');
          return result;
        } catch (e) {
          if (!c.closed) await simpleQuery(c, 'ROLLBACK').catch(() => undefined);
          throw e;
        }
      });
    },
    async listen(channel, onPayload, onReconnect) {
      await ready();
      return startListener(options, channel, onPayload, onReconnect ?? (() => {}), () => closed);
    },
    async close() {
      if (closed) return;
      closed = true;
      await tail;
      conn?.end();
      conn = undefined;
    },
  };
}

/** LISTEN_BACKOFF_MS bounds the delay between attempts to re-open a lost LISTEN connection. */
const LISTEN_BACKOFF_MS = { min: 100, max: 5_000 } as const;

/** startListener opens the LISTEN connection (rejecting when it cannot) and keeps it open until closed. */
async function startListener(
  options: StateStoreOptions,
  channel: string,
  onPayload: (payload: string) => void,
  onReconnect: () => void,
  storeClosed: () => boolean,
): Promise<StateListener> {
  let stopped = false;
  let current: UpstreamLogin | undefined;
  const open = async (): Promise<UpstreamLogin> => {
    const c = await logIn(options, 'portcullis-listen');
    try {
      await simpleQuery(c, `LISTEN ${quoteIdent(channel)}`);
    } catch (e) {
      c.destroy();
      throw unavailable(e, 'cannot LISTEN');
    }
    return c;
  };
  const pump = async (c: UpstreamLogin): Promise<void> => {
    for (;;) {
      const frame = await c.next().catch(() => undefined);
      if (frame === undefined) return;
      if (frame.kind !== 'tagged') continue;
      try {
        const msg = decodeBackend(frame);
        if (msg.kind === 'notification' && msg.channel === channel) onPayload(msg.payload);
      } catch {
        // an undecodable frame: the connection is dropped and re-opened
        c.destroy();
        return;
      }
    }
  };
  const run = async (first: UpstreamLogin): Promise<void> => {
    let c: UpstreamLogin | undefined = first;
    let delay: number = LISTEN_BACKOFF_MS.min;
    while (!stopped && !storeClosed()) {
      if (c === undefined) {
        await new Promise((r) => setTimeout(r, delay).unref());
        if (stopped || storeClosed()) return;
        try {
          c = await open();
          delay = LISTEN_BACKOFF_MS.min;
          current = c;
          onReconnect();
        } catch {
          delay = Math.min(delay * 2, LISTEN_BACKOFF_MS.max);
          continue;
        }
      }
      await pump(c);
      c = undefined;
      current = undefined;
    }
  };
  current = await open();
  void run(current);
  return {
    close() {
      stopped = true;
      current?.destroy();
      current = undefined;
    },
  };
}

/** quoteIdent quotes an SQL identifier. */
function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** logIn opens a connection to the store (a StateError when it cannot). */
async function logIn(options: StateStoreOptions, applicationName: string): Promise<UpstreamLogin> {
  try {
    return await connectUpstream({
      host: options.host,
      port: options.port,
      database: options.database,
      user: options.user,
      ...(options.password !== undefined ? { password: options.password } : {}),
      ...(options.passwordSource !== undefined ? { passwordSource: options.passwordSource } : {}),
      connectTimeoutMs: options.connectTimeoutMs,
      applicationName,
    });
  } catch (e) {
    throw unavailable(e, `cannot log in to ${options.host}:${options.port}/${options.database}`);
  }
}

/** runMigrations applies the missing migrations in one transaction holding the migration lock. */
async function runMigrations(c: UpstreamLogin, migrations: readonly Migration[]): Promise<MigrationReport> {
  await simpleQuery(c, 'BEGIN');
  try {
    await simpleQuery(c, `SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    // CREATE SCHEMA checks the CREATE privilege even IF NOT EXISTS: skip it once the schema is there
    const present = await simpleQuery(c, `SELECT to_regclass('${MIGRATIONS_TABLE}') IS NOT NULL`);
    if (present.rows[0]?.[0] !== 't') await simpleQuery(c, BOOTSTRAP_SQL);
    const done = new Set((await simpleQuery(c, `SELECT version FROM ${MIGRATIONS_TABLE}`)).rows.map((r) => Number(r[0])));
    const applied: number[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      try {
        await simpleQuery(c, m.sql);
      } catch (e) {
        if (e instanceof UpstreamQueryError)
          throw new StateMigrationError(`migration ${m.version} (${m.name}) failed: ${e.message}`, { cause: e });
        throw e;
      }
      await simpleQuery(c, `INSERT INTO ${MIGRATIONS_TABLE} (version, name) VALUES (${m.version}, ${literal(m.name)})`);
      applied.push(m.version);
    }
    await simpleQuery(c, 'COMMIT');
    return { applied, version: Math.max(0, ...done, ...applied) };
  } catch (e) {
    if (!c.closed) await simpleQuery(c, 'ROLLBACK').catch(() => undefined);
    if (e instanceof UpstreamQueryError) throw new StateMigrationError(`${e.message} (schema ${STATE_SCHEMA})`, { cause: e });
    throw e;
  }
}

/** checkMigrations refuses a list whose versions are not 1, 2, 3, … in order (a programming error). */
function checkMigrations(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new TypeError(`state migrations must be numbered 1, 2, 3, … in order; #${i} is ${m.version}`);
  });
}

/** literal quotes a string as an SQL literal. */
function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** unavailable wraps a connection failure; the reason names neither the user nor the password. */
function unavailable(e: unknown, what: string): StateError {
  if (e instanceof StateError) return e;
  if (e instanceof UpstreamAuthFailedError)
    return new StateUnavailableError(`${what}: the store refused the gateway's login`, { cause: e });
  if (e instanceof UpstreamError)
    return new StateUnavailableError(`${what}: ${e.message.replace(/^upstream database unavailable: /, '')}`, { cause: e });
  return new StateUnavailableError(`${what}: ${messageOf(e)}`, { cause: e });
}

/** describeStateError is a state error for the operator's log: its message and, where the store said more, why (never the password). */
export function describeStateError(e: unknown): string {
  const cause = e instanceof Error ? e.cause : undefined;
  if (cause instanceof UpstreamAuthFailedError)
    return `${messageOf(e)} (${cause.reason}${cause.upstreamMessage !== undefined ? `: ${cause.upstreamMessage}` : ''})`;
  if (cause instanceof UpstreamQueryError && !messageOf(e).includes(cause.message)) return `${messageOf(e)} (${cause.message})`;
  return messageOf(e);
}
