// Section `state` of opa.config.yaml: the url form and the host form (exactly one), the password
// sources, and every error with its path-addressed message; loadConfigFile resolves its
// password_env and password_file like the upstream's.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../../proxy/config/index.js';
import { loadConfigFile } from '../../../proxy/cli/config-file.js';

const minimal = {
  upstream: { database: 'app', user: 'gw' },
  identity: { issuer: 'https://idp.example', audience: 'portcullis', jwks: { url: 'https://idp.example/jwks' } },
  policy: { paths: ['policies'] },
};

const withState = (state: unknown): unknown => ({ ...minimal, state });

describe('state: accepted', () => {
  it('is absent by default', () => {
    const r = validateConfig(minimal);
    expect(r.ok && r.config.state).toBeUndefined();
  });

  it.each([
    {
      note: 'a url with everything',
      state: { url: 'postgres://gw:s%40cret@db.internal:6543/portcullis_state' },
      want: {
        host: 'db.internal',
        port: 6543,
        database: 'portcullis_state',
        user: 'gw',
        password: { kind: 'inline', value: 's@cret' },
        connectTimeoutMs: 10_000,
      },
    },
    {
      note: 'a postgresql:// url without password or port, password from env',
      state: { url: 'postgresql://gw@db/st', password_env: 'PGPW', connect_timeout: '2s' },
      want: { host: 'db', port: 5432, database: 'st', user: 'gw', password: { kind: 'env', name: 'PGPW' }, connectTimeoutMs: 2000 },
    },
    {
      note: 'an IPv6 url',
      state: { url: 'postgres://gw@[::1]:5433/st' },
      want: { host: '::1', port: 5433, database: 'st', user: 'gw', connectTimeoutMs: 10_000 },
    },
    {
      note: 'the host form with defaults',
      state: { database: 'st', user: 'gw' },
      want: { host: '127.0.0.1', port: 5432, database: 'st', user: 'gw', connectTimeoutMs: 10_000 },
    },
    {
      note: 'the host form with a password file',
      state: { host: 'db', port: 15432, database: 'st', user: 'gw', password_file: 'pw.txt' },
      want: { host: 'db', port: 15432, database: 'st', user: 'gw', password: { kind: 'file', path: 'pw.txt' }, connectTimeoutMs: 10_000 },
    },
    {
      note: 'the host form with an inline password',
      state: { database: 'st', user: 'gw', password: 'pw' },
      want: {
        host: '127.0.0.1',
        port: 5432,
        database: 'st',
        user: 'gw',
        password: { kind: 'inline', value: 'pw' },
        connectTimeoutMs: 10_000,
      },
    },
  ])('$note', ({ state, want }) => {
    const r = validateConfig(withState(state));
    expect(r.ok ? r.config.state : r.errors).toEqual(want);
  });
});

describe('state: refused', () => {
  it.each([
    { note: 'not a mapping', state: 'postgres://x', error: 'state: must be a mapping, got string "postgres://x"' },
    { note: 'empty', state: {}, error: 'state: set url, or database and user (with host and port)' },
    {
      note: 'an unknown key',
      state: { url: 'postgres://gw@db/st', sslmode: 'require' },
      error:
        'state.sslmode: unknown key (expected one of url, host, port, database, user, password, password_env, password_file, connect_timeout)',
    },
    {
      note: 'url and host form',
      state: { url: 'postgres://gw@db/st', host: 'db', user: 'gw' },
      error: 'state: set url or host, port, database, user, not both (url given with host, user)',
    },
    { note: 'no database', state: { host: 'db', user: 'gw' }, error: 'state.database: is required (or set url)' },
    { note: 'no user', state: { database: 'st' }, error: 'state.user: is required (or set url)' },
    {
      note: 'a bad port',
      state: { database: 'st', user: 'gw', port: 0 },
      error: 'state.port: must be an integer from 1 to 65535, got number 0',
    },
    {
      note: 'an unparsable url',
      state: { url: 'not a url' },
      error: 'state.url: must be a postgres://user@host:port/database URL, got string "not a url"',
    },
    {
      note: 'another scheme',
      state: { url: 'mysql://gw@db/st' },
      error: 'state.url: must start with postgres:// or postgresql://, got "mysql:"',
    },
    {
      note: 'a url without database',
      state: { url: 'postgres://gw@db' },
      error: 'state.url: must name a database (postgres://user@host:port/database)',
    },
    {
      note: 'a url without user',
      state: { url: 'postgres://db/st' },
      error: 'state.url: must name a user (postgres://user@host:port/database)',
    },
    {
      note: 'a url with query parameters',
      state: { url: 'postgres://gw@db/st?sslmode=require' },
      error: 'state.url: must not have query parameters or a fragment (set connect_timeout and the password as keys of state)',
    },
    {
      note: 'two passwords',
      state: { database: 'st', user: 'gw', password: 'a', password_env: 'B' },
      error: "state: set one of password, password_env, password_file or the url's password, not several",
    },
    {
      note: "the url's password and a file",
      state: { url: 'postgres://gw:a@db/st', password_file: 'pw' },
      error: "state: set one of password, password_env, password_file or the url's password, not several",
    },
    {
      note: 'a zero timeout',
      state: { database: 'st', user: 'gw', connect_timeout: 0 },
      error: 'state.connect_timeout: 0 is out of range (1ms to unbounded)',
    },
  ])('$note', ({ state, error }) => {
    const r = validateConfig(withState(state));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors).toContain(error);
  });
});

describe('state: loadConfigFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-state-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (state: string): string => {
    const path = join(dir, 'opa.config.yaml');
    writeFileSync(
      path,
      `upstream: {database: app, user: gw}\nidentity: {issuer: "https://idp.example", audience: portcullis, jwks: {url: "https://idp.example/jwks"}}\npolicy: {paths: [policies]}\nstate: ${state}\n`,
    );
    return path;
  };

  it('resolves password_env now', () => {
    const r = loadConfigFile(write('{database: st, user: gw, password_env: STATE_PW}'), { STATE_PW: 'pw' });
    expect(r.ok && r.config.state?.password).toEqual({ kind: 'inline', value: 'pw' });
  });

  it('refuses an unset password_env', () => {
    const r = loadConfigFile(write('{database: st, user: gw, password_env: STATE_PW}'), {});
    expect(r.ok ? [] : r.errors).toEqual([`${join(dir, 'opa.config.yaml')}: state.password_env: environment variable STATE_PW is not set`]);
  });

  it('keeps password_file a file, relative to the config', () => {
    const r = loadConfigFile(write('{database: st, user: gw, password_file: pw.txt}'), {});
    expect(r.ok && r.config.state?.password).toEqual({ kind: 'file', path: join(dir, 'pw.txt') });
  });
});
