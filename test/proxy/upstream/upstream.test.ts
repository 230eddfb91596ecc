// proxy/upstream against a real PostgreSQL: login with each password method, the errors a
// client may see (no credentials in them), cancel forwarding, internal simple queries; and the
// SCRAM-SHA-256 client against the RFC 7677 test vector and malformed server messages.

import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usePostgres } from '../../helpers/postgres.js';
import {
  UpstreamAuthFailedError,
  UpstreamProtocolError,
  UpstreamQueryError,
  UpstreamUnavailableError,
  connectUpstream,
  createScramClient,
  md5Password,
  sendCancel,
  simpleQuery,
} from '../../../proxy/upstream/index.js';
import type { UpstreamLogin, UpstreamOptions } from '../../../proxy/upstream/index.js';
import type { PostgresUser } from '../../../proxy/dev/index.js';

const users: PostgresUser[] = [
  { name: 'u_scram', password: 'pw-scram', auth: 'scram-sha-256' },
  { name: 'u_md5', password: 'pw-md5', auth: 'md5' },
  { name: 'u_plain', password: 'pw-plain', auth: 'password' },
];

describe('SCRAM-SHA-256 client', () => {
  // RFC 7677 section 3
  const nonce = 'rOprNGfwEbeRWgbNEkqO';
  const serverFirst = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096';

  it('matches the RFC 7677 test vector', async () => {
    const scram = createScramClient('pencil', { nonce, user: 'user' });
    expect(scram.clientFirst).toBe('n,,n=user,r=rOprNGfwEbeRWgbNEkqO');
    expect(await scram.clientFinal(serverFirst)).toBe(
      'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
    );
    expect(() => scram.verifyServerFinal('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=')).not.toThrow();
  });

  const bad: { note: string; first: string; final?: string; error: new (...a: never[]) => Error }[] = [
    { note: 'a nonce that does not extend ours', first: 'r=other%x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096', error: UpstreamProtocolError },
    { note: 'a nonce equal to ours', first: `r=${nonce},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`, error: UpstreamProtocolError },
    { note: 'a missing salt', first: `r=${nonce}x,i=4096`, error: UpstreamProtocolError },
    { note: 'iteration count 0', first: `r=${nonce}x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=0`, error: UpstreamProtocolError },
    { note: 'a huge iteration count', first: `r=${nonce}x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=99999999999`, error: UpstreamProtocolError },
    { note: 'a server error', first: 'e=other-error', error: UpstreamAuthFailedError },
    {
      note: 'a wrong server signature',
      first: serverFirst,
      final: 'v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
      error: UpstreamProtocolError,
    },
    { note: 'no server signature', first: serverFirst, final: 'x=1', error: UpstreamProtocolError },
  ];
  it.each(bad)('refuses $note', async ({ first, final, error }) => {
    const scram = createScramClient('pencil', { nonce, user: 'user' });
    if (final === undefined) {
      await expect(scram.clientFinal(first)).rejects.toBeInstanceOf(error);
    } else {
      await scram.clientFinal(first);
      expect(() => scram.verifyServerFinal(final)).toThrow(error);
    }
  });

  it('computes the md5 response as PostgreSQL documents it', () => {
    // 'md5' + md5(md5("secret" + "alice") + salt) with salt 01 02 03 04, computed independently (Python hashlib)
    expect(md5Password('alice', 'secret', Buffer.from([1, 2, 3, 4]))).toBe('md598a0412b9c31436fc53776e863350083');
  });
});

describe('connectUpstream against PostgreSQL', () => {
  const pg = usePostgres({ users });
  const opened: UpstreamLogin[] = [];
  const options = (user: string, password: string | undefined): UpstreamOptions => ({
    host: pg.current.host,
    port: pg.current.port,
    database: pg.current.database,
    user,
    ...(password !== undefined ? { password } : {}),
    applicationName: 'upstream-test',
    connectTimeoutMs: 5_000,
  });
  const login = async (o: UpstreamOptions): Promise<UpstreamLogin> => {
    const conn = await connectUpstream(o);
    opened.push(conn);
    return conn;
  };
  afterAll(() => {
    for (const c of opened) c.destroy();
  });

  it.each(users.map((u) => ({ note: u.auth ?? '', user: u })))('logs in with $note', async ({ user }) => {
    const conn = await login(options(user.name, user.password));
    expect(conn.authMethod).toBe(user.auth);
    expect(conn.parameters.get('server_version')).toMatch(/^\d+/);
    expect(conn.parameters.get('application_name')).toBe('upstream-test');
    expect(conn.backendKey.processId).toBeGreaterThan(0);
    const res = await simpleQuery(conn, 'SELECT current_user, 1 + 1');
    expect(res.rows).toEqual([[user.name, '2']]);
    expect(res.tag).toBe('SELECT 1');
  });

  const failures: { note: string; user: string; password: string | undefined; error: new (...a: never[]) => Error; message: RegExp }[] = [
    {
      note: 'wrong SCRAM password',
      user: 'u_scram',
      password: 'nope-1',
      error: UpstreamAuthFailedError,
      message: /invalid password \(SQLSTATE 28P01\)/,
    },
    { note: 'wrong md5 password', user: 'u_md5', password: 'nope-2', error: UpstreamAuthFailedError, message: /SQLSTATE 28P01/ },
    { note: 'wrong cleartext password', user: 'u_plain', password: 'nope-3', error: UpstreamAuthFailedError, message: /SQLSTATE 28P01/ },
    {
      note: 'no password configured',
      user: 'u_scram',
      password: undefined,
      error: UpstreamAuthFailedError,
      message: /no password is configured/,
    },
  ];
  it.each(failures)('refuses $note without leaking the credentials', async ({ user, password, error, message }) => {
    const err = (await connectUpstream(options(user, password)).then(
      (c) => {
        opened.push(c);
        return undefined;
      },
      (e: unknown) => e,
    )) as Error;
    expect(err).toBeInstanceOf(error);
    expect((err as UpstreamAuthFailedError).sqlstate).toBe('08006');
    expect((err as UpstreamAuthFailedError).severity).toBe('FATAL');
    // why goes to the operator (reason); the client's message says only that the login was refused
    expect((err as UpstreamAuthFailedError).reason).toMatch(message);
    expect(err.message).toBe("upstream database refused the gateway's login (the gateway's log says why)");
    expect(err.message).not.toContain(user);
    if (password !== undefined) expect(err.message).not.toContain(password);
  });

  it('reports a closed port as unavailable', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((r) => probe.close(() => r()));
    const err = await connectUpstream({ ...options('u_scram', 'pw-scram'), port }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamUnavailableError);
    expect((err as Error).message).toBe('upstream database unavailable: connection refused');
  });

  describe('a server that never answers', () => {
    let silent: Server;
    const held: Socket[] = [];
    beforeAll(async () => {
      silent = createServer((s) => held.push(s));
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    });
    afterAll(async () => {
      for (const s of held) s.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    });
    it('times out the login', async () => {
      const { port } = silent.address() as AddressInfo;
      const err = await connectUpstream({ ...options('u_scram', 'pw-scram'), port, connectTimeoutMs: 300 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UpstreamUnavailableError);
      expect((err as Error).message).toMatch(/timed out after 300 ms/);
    });
  });

  it('keeps a connection usable after a failed internal query', async () => {
    const conn = await login(options('u_scram', 'pw-scram'));
    const err = await simpleQuery(conn, 'SELECT * FROM no_such_table').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamQueryError);
    expect((err as UpstreamQueryError).sqlstate).toBe('42P01');
    expect((await simpleQuery(conn, 'SELECT 3')).rows).toEqual([['3']]);
  });

  it('cancels a running query with sendCancel', async () => {
    const conn = await login(options('u_scram', 'pw-scram'));
    const sleeping = simpleQuery(conn, 'SELECT pg_sleep(10)').catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 200));
    await sendCancel(pg.current.host, pg.current.port, conn.backendKey);
    const err = await sleeping;
    expect(err).toBeInstanceOf(UpstreamQueryError);
    expect((err as UpstreamQueryError).sqlstate).toBe('57014');
  });
});
