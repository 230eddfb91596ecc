// The shared state store against a real PostgreSQL: migrations create the portcullis schema and
// record their versions; three stores migrating one database at once apply each version exactly
// once; a second run is a no-op; a later migration applies alone; a failing one leaves nothing;
// an unreachable store, a refused login and a user who may not create the schema give clear
// errors; query() runs once migrated and close() ends the store.

import pg from 'pg';
import { describe, expect, it } from 'vitest';
import {
  MIGRATIONS,
  StateMigrationError,
  StateUnavailableError,
  createStateStore,
  describeStateError,
} from '../../../proxy/state/index.js';
import type { Migration, StateStore, StateStoreOptions } from '../../../proxy/state/index.js';
import { usePostgres } from '../../helpers/postgres.js';

const OWNER = { name: 'state_owner', password: 'owner-secret-pw' };
const OTHER = { name: 'state_other', password: 'other-secret-pw' };
/** ALL is every built-in migration version; LATEST the newest. */
const ALL = MIGRATIONS.map((m) => m.version);
const LATEST = ALL.length;

const pgRef = usePostgres({ users: [OWNER, OTHER], ownDatabases: ['st_one', 'st_race', 'st_more', 'st_bad', 'st_denied'] });

function options(database: string, user = OWNER): StateStoreOptions {
  const { host, port } = pgRef.current;
  return { host, port, database, user: user.name, password: user.password, connectTimeoutMs: 5000 };
}

async function rows<T>(database: string, sql: string): Promise<T[]> {
  const { host, port, superuser } = pgRef.current;
  const client = new pg.Client({ host, port, database, user: superuser.name, password: superuser.password });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

async function using<T>(store: StateStore, fn: (s: StateStore) => Promise<T>): Promise<T> {
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

describe('createStateStore migrations', () => {
  it('create the portcullis schema and record every version; a second run is a no-op', async () => {
    await using(createStateStore(options('st_one')), async (store) => {
      expect(await store.migrate()).toEqual({ applied: ALL, version: LATEST });
      expect(await store.migrate()).toEqual({ applied: [], version: LATEST });
      await store.ready();
    });
    const versions = await rows<{ version: number; name: string; applied_at: Date }>(
      'st_one',
      'SELECT version, name, applied_at FROM portcullis.portcullis_schema_migrations ORDER BY version',
    );
    expect(versions).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name, applied_at: expect.any(Date) })));
    const tables = await rows<{ tablename: string }>(
      'st_one',
      "SELECT tablename FROM pg_tables WHERE schemaname = 'portcullis' ORDER BY 1",
    );
    expect(tables.map((t) => t.tablename)).toEqual([
      'approval_events',
      'approval_requests',
      'control_events',
      'identity_blocks',
      'portcullis_schema_migrations',
      'recording_records',
    ]);
    const publicTables = await rows('st_one', "SELECT tablename FROM pg_tables WHERE schemaname = 'public'");
    expect(publicTables).toEqual([]);
    // a new store on a migrated database has nothing to do
    await using(createStateStore(options('st_one')), async (store) => {
      expect(await store.migrate()).toEqual({ applied: [], version: LATEST });
    });
  });

  it('apply each version exactly once when three stores migrate one database at once', async () => {
    const stores = [1, 2, 3].map(() => createStateStore(options('st_race')));
    try {
      const reports = await Promise.all(stores.map((s) => s.migrate()));
      expect(reports.flatMap((r) => r.applied)).toEqual(ALL);
      expect(reports.map((r) => r.version)).toEqual([LATEST, LATEST, LATEST]);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
    expect(await rows('st_race', 'SELECT version FROM portcullis.portcullis_schema_migrations ORDER BY 1')).toEqual(
      ALL.map((version) => ({ version })),
    );
  });

  it('apply a later migration alone, in order', async () => {
    const two: Migration = { version: LATEST + 1, name: 'two', sql: 'CREATE TABLE portcullis.two (x int)' };
    await using(createStateStore({ ...options('st_more'), migrations: [...MIGRATIONS] }), async (s) => {
      expect((await s.migrate()).applied).toEqual(ALL);
    });
    await using(createStateStore({ ...options('st_more'), migrations: [...MIGRATIONS, two] }), async (s) => {
      expect(await s.migrate()).toEqual({ applied: [LATEST + 1], version: LATEST + 1 });
    });
    expect(await rows('st_more', 'SELECT version FROM portcullis.portcullis_schema_migrations ORDER BY 1')).toEqual(
      [...ALL, LATEST + 1].map((version) => ({ version })),
    );
  });

  it('leave nothing behind when a migration fails (one transaction)', async () => {
    const bad: Migration = { version: LATEST + 1, name: 'broken', sql: 'CREATE TABLE portcullis.nope (x no_such_type)' };
    await using(createStateStore({ ...options('st_bad'), migrations: [...MIGRATIONS, bad] }), async (s) => {
      const err = await s.migrate().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StateMigrationError);
      expect((err as StateMigrationError).message).toMatch(
        /^state store schema could not be migrated: migration \d+ \(broken\) failed: .*no_such_type/,
      );
      // the connection is still usable and ready() tries again (and fails again)
      await expect(s.ready()).rejects.toBeInstanceOf(StateMigrationError);
    });
    expect(await rows('st_bad', "SELECT nspname FROM pg_namespace WHERE nspname = 'portcullis'")).toEqual([]);
  });

  it('refuse with ERR_PROXY_STATE_MIGRATION when the user may not create the schema', async () => {
    await using(createStateStore(options('st_denied', OTHER)), async (s) => {
      const err = await s.ready().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StateMigrationError);
      expect(err).toMatchObject({ code: 'ERR_PROXY_STATE_MIGRATION', sqlstate: '58000', severity: 'ERROR' });
      expect(describeStateError(err)).toMatch(/permission denied/);
    });
  });
});

describe('createStateStore connections', () => {
  it('connects only when first used', async () => {
    const store = createStateStore({ ...options('st_one'), port: 1 });
    await store.close(); // never connected: nothing to fail
  });

  it('an unreachable store: ready() rejects with ERR_PROXY_STATE_UNAVAILABLE, and again on the next call', async () => {
    const store = createStateStore({ ...options('st_one'), host: '127.0.0.1', port: 1, connectTimeoutMs: 2000 });
    try {
      const err = await store.ready().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StateUnavailableError);
      expect(err).toMatchObject({ code: 'ERR_PROXY_STATE_UNAVAILABLE', sqlstate: '58000', http: 503 });
      expect((err as Error).message).toMatch(/^state store unavailable: cannot log in to 127\.0\.0\.1:1\/st_one: connection refused$/);
      await expect(store.query('SELECT 1')).rejects.toBeInstanceOf(StateUnavailableError);
    } finally {
      await store.close();
    }
  });

  it('a refused login names neither the user nor the password in its message (the log gets why)', async () => {
    const store = createStateStore({ ...options('st_one'), password: 'wrong-password' });
    try {
      const err = await store.ready().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StateUnavailableError);
      expect((err as Error).message).toBe(
        `state store unavailable: cannot log in to 127.0.0.1:${pgRef.current.port}/st_one: the store refused the gateway's login`,
      );
      expect((err as Error).message).not.toContain(OWNER.name);
      expect(describeStateError(err)).not.toContain('wrong-password');
      expect(describeStateError(err)).toMatch(/password authentication failed/);
    } finally {
      await store.close();
    }
  });

  it('query() runs once the schema is current; close() ends the store', async () => {
    const store = createStateStore(options('st_one'));
    const r = await store.query('SELECT count(*) FROM portcullis.approval_requests');
    expect(r.rows).toEqual([['0']]);
    await store.close();
    await expect(store.query('SELECT 1')).rejects.toThrow(/state store unavailable: the store is closed/);
  });
});
