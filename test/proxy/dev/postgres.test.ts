// The throwaway PostgreSQL launcher against real binaries: roles authenticate over TCP with the
// method pg_hba names for them (SCRAM, md5, cleartext password), the schema runs, wrong
// passwords fail, and stop() closes the port and removes the temp dir.

import { existsSync } from 'node:fs';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startPostgres } from '../../../proxy/dev/index.js';
import type { PostgresHandle } from '../../../proxy/dev/index.js';
import { portOpen } from '../../helpers/ports.js';
import { usePostgres } from '../../helpers/postgres.js';

const SCHEMA = `
CREATE TABLE public.widgets (id serial PRIMARY KEY, name text NOT NULL);
INSERT INTO public.widgets (name) VALUES ('bolt'), ('nut');
`;

const users = [
  { name: 'scram_user', password: 's3cret-scram', auth: 'scram-sha-256' },
  { name: 'md5_user', password: 's3cret-md5', auth: 'md5' },
  { name: 'plain_user', password: "it's-plain", auth: 'password' },
] as const;

const pgRef = usePostgres({ schemaSql: SCHEMA, users });

async function query<T>(connectionString: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('startPostgres', () => {
  it.each(users.map((u) => ({ note: `${u.auth} user ${u.name} connects and reads the schema`, ...u })))('$note', async ({ name }) => {
    const rows = await query<{ who: string; names: string }>(
      pgRef.current.connectionString(name),
      "SELECT current_user AS who, string_agg(name, ',' ORDER BY id) AS names FROM public.widgets",
    );
    expect(rows).toEqual([{ who: name, names: 'bolt,nut' }]);
  });

  it.each(users.map((u) => ({ note: `pg_hba names ${u.auth} for ${u.name}`, ...u })))('$note', async ({ name, auth }) => {
    const rows = await query<{ auth_method: string; hash: string }>(
      pgRef.current.connectionString(),
      `SELECT r.auth_method, left(a.rolpassword, 3) AS hash FROM pg_hba_file_rules r, pg_authid a
        WHERE r.type = 'host' AND r.user_name = ARRAY['${name}'] AND a.rolname = '${name}'`,
    );
    // md5 only takes effect with an md5-hashed password (PostgreSQL upgrades md5 to SCRAM otherwise).
    expect(rows).toEqual([{ auth_method: auth, hash: auth === 'md5' ? 'md5' : 'SCR' }]);
  });

  it.each(users.map((u) => ({ note: `${u.auth} user ${u.name} with a wrong password is refused`, ...u })))('$note', async ({ name }) => {
    const url = new URL(pgRef.current.connectionString(name));
    url.password = 'wrong';
    await expect(query(url.toString(), 'SELECT 1')).rejects.toMatchObject({ code: '28P01' });
  });

  it('connects as the superuser with its generated password', async () => {
    const h = pgRef.current;
    expect(h.host).toBe('127.0.0.1');
    expect(h.database).toBe('portcullis');
    const rows = await query<{ su: boolean; enc: string }>(
      h.connectionString(),
      "SELECT current_setting('is_superuser') = 'on' AS su, current_setting('server_encoding') AS enc",
    );
    expect(rows).toEqual([{ su: true, enc: 'UTF8' }]);
  });

  it('rejects unknown users in connectionString', () => {
    expect(() => pgRef.current.connectionString('nobody')).toThrow(TypeError);
  });
});

describe('startPostgres lifecycle', () => {
  const started: PostgresHandle[] = [];
  afterAll(async () => {
    await Promise.all(started.map((h) => h.stop()));
  });

  it('stop() closes the port and removes the temp dir, and is idempotent', async () => {
    const h = await startPostgres();
    started.push(h);
    expect(await portOpen(h.port)).toBe(true);
    expect(existsSync(h.dataDir)).toBe(true);
    await h.stop();
    expect(await portOpen(h.port)).toBe(false);
    expect(existsSync(h.dataDir)).toBe(false);
    await h.stop();
  });

  it.each([
    {
      note: 'a bad schema fails the start with the server error',
      options: { schemaSql: 'CREATE TABLE (' },
      message: /could not be prepared: syntax error/,
    },
    { note: 'a bad binDir fails with the tool error', options: { binDir: '/nonexistent' }, message: /initdb could not be run/ },
  ])('$note', async ({ options, message }) => {
    await expect(startPostgres(options)).rejects.toMatchObject({
      code: 'ERR_PROXY_POSTGRES_LAUNCH',
      message: expect.stringMatching(message),
    });
  });

  it.each([
    { note: 'a user named like the superuser', options: { users: [{ name: 'postgres', password: 'x' }] } },
    { note: 'a user name that is not an identifier', options: { users: [{ name: 'bad name', password: 'x' }] } },
    { note: 'a database name that is not an identifier', options: { database: 'Bad-DB' } },
    { note: 'a port out of range', options: { port: 70000 } },
  ])('rejects $note', async ({ options }) => {
    await expect(startPostgres(options)).rejects.toThrow(TypeError);
  });
});
