// End-to-end tests of the startup phase: JWT login, TLS, loopback rules, upstream failures,
// cancel forwarding, token expiry, and the three upstream password methods, against a real
// PostgreSQL with the real `pg` client over real sockets on 127.0.0.1. The query cycle is a
// pass-through relay (passThroughQueryCycle): policies are not what these tests are about.

import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import pg from 'pg';
import type { ClientConfig } from 'pg';
import { describe, expect, it } from 'vitest';
import type { Decide } from '../../proxy/index.js';
import { UPSTREAM_USERS, passThroughQueryCycle, selfSignedCert, useStack } from './helpers.js';
import type { Stack } from './helpers.js';

const allowAll: Decide = () => ({ kind: 'allow' }) as ReturnType<Decide>;

type PgError = Error & { code?: string; severity?: string; detail?: string; hint?: string };

/** connectError connects and returns the error the connection fails with (undefined if it succeeds). */
async function connectError(config: ClientConfig): Promise<PgError | undefined> {
  const client = new pg.Client(config);
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    return err as PgError;
  }
  await client.end();
  return undefined;
}

/** withClient connects, runs fn and always ends the client. */
async function withClient<T>(config: ClientConfig, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(config);
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** backendsOf counts upstream backends whose application_name is `app` (as the superuser sees them). */
async function backendsOf(stack: Stack, app: string): Promise<number> {
  return withClient(stack.superuserConfig(), async (c) => {
    const res = await c.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1', [app]);
    return Number(res.rows[0]?.n);
  });
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** raw opens a plain socket to the gateway and collects what it answers. */
async function raw(port: number): Promise<{ socket: Socket; received: () => Buffer; closed: Promise<void> }> {
  const socket = connect({ host: '127.0.0.1', port });
  let data = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    data = Buffer.concat([data, chunk]);
  });
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, received: () => data, closed };
}

function untagged(code: number, body: Buffer = Buffer.alloc(0)): Buffer {
  const b = Buffer.alloc(8 + body.length);
  b.writeInt32BE(8 + body.length, 0);
  b.writeInt32BE(code, 4);
  body.copy(b, 8);
  return b;
}

function startupPacket(version: number, params: Record<string, string>): Buffer {
  const body = Buffer.from(
    `${Object.entries(params)
      .map(([k, v]) => `${k}\0${v}\0`)
      .join('')}\0`,
  );
  return untagged(version, body);
}

/** errorFields reads the fields of the first ErrorResponse in bytes. */
function errorFields(bytes: Buffer): Record<string, string> {
  const at = bytes.indexOf(0x45);
  const len = bytes.readInt32BE(at + 1);
  const out: Record<string, string> = {};
  let o = at + 5;
  while (o < at + 1 + len && bytes[o] !== 0) {
    const type = String.fromCharCode(bytes[o] as number);
    const end = bytes.indexOf(0, o + 1);
    out[type] = bytes.subarray(o + 1, end).toString('utf8');
    o = end + 1;
  }
  return out;
}

describe('startup: login and JWT failures', () => {
  const stack = useStack({ decide: allowAll, relay: true, deps: { queryCycle: passThroughQueryCycle } });

  it('logs in with a valid token, relays ParameterStatus and hides the upstream BackendKeyData', async () => {
    const token = await stack.current.mint('agent-1');
    await withClient(stack.current.clientConfig(token, { application_name: 'login-ok' }), async (client) => {
      const res = await client.query('SELECT 1 AS one, pg_backend_pid() AS pid, current_user AS who');
      expect(res.rows[0]).toMatchObject({ one: 1, who: UPSTREAM_USERS['scram-sha-256'].name });
      const ours = (client as unknown as { processID: number }).processID;
      expect(ours).not.toBe(res.rows[0].pid);
      const version = await client.query('SHOW server_version');
      expect(version.rows[0].server_version).toMatch(/^\d+/);
    });
    await eventually(async () => (await backendsOf(stack.current, 'login-ok')) === 0);
  });

  const expiredPayload = (iss: string) => ({
    iss,
    aud: 'portcullis',
    sub: 'agent',
    iat: Math.floor(Date.now() / 1000) - 600,
    exp: Math.floor(Date.now() / 1000) - 300,
  });
  const cases: { note: string; token: (s: Stack) => Promise<string>; sqlstate: string; message: RegExp }[] = [
    { note: 'not a JWT', token: async () => 'hunter2', sqlstate: '28P01', message: /./ },
    { note: 'empty password', token: async () => '', sqlstate: '28P01', message: /./ },
    {
      note: 'alg none',
      token: async (s) => {
        const [, payload] = (await s.mint('agent')).split('.');
        return `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`;
      },
      sqlstate: '28000',
      message: /alg|algorithm/i,
    },
    {
      note: 'tampered payload (bad signature)',
      token: async (s) => {
        const [h, , sig] = (await s.mint('agent')).split('.');
        const payload = Buffer.from(
          JSON.stringify({ iss: s.issuer.issuer.issuer, aud: 'portcullis', sub: 'root', exp: Math.floor(Date.now() / 1000) + 60 }),
        ).toString('base64url');
        return `${h}.${payload}.${sig}`;
      },
      sqlstate: '28P01',
      message: /signature/i,
    },
    {
      note: 'unknown kid',
      token: (s) =>
        s.signAsIssuer(
          { iss: s.issuer.issuer.issuer, aud: 'portcullis', sub: 'a', exp: Math.floor(Date.now() / 1000) + 60 },
          { kid: 'nope' },
        ),
      sqlstate: '28000',
      message: /key|kid/i,
    },
    { note: 'expired', token: (s) => s.signAsIssuer(expiredPayload(s.issuer.issuer.issuer)), sqlstate: '28000', message: /expired/i },
    {
      note: 'not yet valid (nbf)',
      token: (s) => {
        const now = Math.floor(Date.now() / 1000);
        return s.signAsIssuer({ iss: s.issuer.issuer.issuer, aud: 'portcullis', sub: 'a', iat: now, nbf: now + 120, exp: now + 300 });
      },
      sqlstate: '28000',
      message: /not valid before/,
    },
    {
      note: 'wrong issuer',
      token: (s) => s.issuer.issuer.withIssuer('https://evil.example').mint({ sub: 'agent' }),
      sqlstate: '28000',
      message: /iss/i,
    },
    {
      note: 'wrong audience',
      token: (s) => s.signAsIssuer({ iss: s.issuer.issuer.issuer, aud: 'someone-else', sub: 'a', exp: Math.floor(Date.now() / 1000) + 60 }),
      sqlstate: '28000',
      message: /aud/i,
    },
    { note: 'lifetime above the maximum', token: (s) => s.mint('agent', {}, 7200), sqlstate: '28000', message: /maximum accepted/ },
    {
      note: 'missing sub',
      token: (s) => s.signAsIssuer({ iss: s.issuer.issuer.issuer, aud: 'portcullis', exp: Math.floor(Date.now() / 1000) + 60 }),
      sqlstate: '28000',
      message: /sub/,
    },
  ];

  it.each(cases)('refuses $note with FATAL $sqlstate and never reaches the upstream', async ({ token, sqlstate, message }) => {
    const s = stack.current;
    const before = s.relay?.accepted;
    const err = await connectError(s.clientConfig(await token(s)));
    expect(err).toBeDefined();
    expect(err?.severity).toBe('FATAL');
    expect(err?.code).toBe(sqlstate);
    expect(err?.message).toMatch(message);
    expect(s.relay?.accepted).toBe(before);
  });

  it('refuses a missing user name and an unsupported protocol version before asking for a password', async () => {
    for (const [version, params, code] of [
      [196608, { database: 'x' }, '28000'],
      [131072, { user: 'agent' }, '08P01'],
      [262144, { user: 'agent' }, '08P01'],
    ] as const) {
      const conn = await raw(stack.current.gateway.port);
      conn.socket.write(startupPacket(version, params));
      await conn.closed;
      expect(errorFields(conn.received())).toMatchObject({ S: 'FATAL', C: code });
    }
  });

  it.each<{ note: string; version: number; params: Record<string, string>; unrecognized: string[] }>([
    { note: '3.2 (what libpq 18 asks for)', version: 196610, params: { user: 'agent' }, unrecognized: [] },
    { note: '3.1', version: 196609, params: { user: 'agent' }, unrecognized: [] },
    {
      note: '3.0 with protocol options',
      version: 196608,
      params: { user: 'agent', '_pq_.compression': 'on', '_pq_.x': '1' },
      unrecognized: ['_pq_.compression', '_pq_.x'],
    },
  ])('negotiates $note down to 3.0 as PostgreSQL does, then asks for the password', async ({ version, params, unrecognized }) => {
    const conn = await raw(stack.current.gateway.port);
    conn.socket.write(startupPacket(version, params));
    await eventually(async () => conn.received().length > 0 && conn.received().includes(Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 3])));
    const got = conn.received();
    expect(got[0]).toBe(0x76); // 'v' NegotiateProtocolVersion
    const length = got.readInt32BE(1);
    const body = got.subarray(5, 1 + length);
    expect(body.readInt32BE(0)).toBe(0); // newest minor served: 3.0
    expect(body.readInt32BE(4)).toBe(unrecognized.length);
    expect(
      body
        .subarray(8)
        .toString('latin1')
        .split('\0')
        .filter((x) => x !== ''),
    ).toEqual(unrecognized);
    expect(got.subarray(1 + length, 1 + length + 9)).toEqual(Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 3])); // AuthenticationCleartextPassword
    conn.socket.destroy();
  });

  it('logs a 3.2 client in on 3.0 and serves it (raw protocol: no client here speaks 3.2)', async () => {
    const conn = await raw(stack.current.gateway.port);
    conn.socket.write(startupPacket(196610, { user: 'agent', database: stack.current.pg.database }));
    await eventually(async () => conn.received().includes(Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 3])));
    const token = await stack.current.mint('agent');
    const pw = Buffer.alloc(6 + Buffer.byteLength(token));
    pw[0] = 0x70;
    pw.writeInt32BE(pw.length - 1, 1);
    pw.write(token, 5);
    conn.socket.write(pw);
    // ReadyForQuery ('Z', length 5, idle)
    await eventually(async () => conn.received().includes(Buffer.from([0x5a, 0, 0, 0, 5, 0x49])));
    conn.socket.destroy();
  });

  it('answers a password too large to frame as a token too large (28P01), not as a message limit', async () => {
    const pw = await raw(stack.current.gateway.port);
    pw.socket.write(startupPacket(196608, { user: 'agent' }));
    await eventually(async () => pw.received().length >= 9);
    const msg = Buffer.alloc(5);
    msg[0] = 0x70; // 'p'
    msg.writeInt32BE(stack.current.config.limits.maxMessageBytes + 1, 1);
    pw.socket.write(msg);
    await pw.closed;
    const fields = errorFields(pw.received().subarray(9));
    expect(fields).toMatchObject({ S: 'FATAL', C: '28P01' });
    expect(fields['M']).toMatch(/the limit is 16384/);
  });

  it('refuses an oversize startup packet with 54000', async () => {
    const big = await raw(stack.current.gateway.port);
    const header = Buffer.alloc(8);
    header.writeInt32BE(20_000, 0);
    header.writeInt32BE(196608, 4);
    big.socket.write(header);
    await big.closed;
    expect(errorFields(big.received())).toMatchObject({ S: 'FATAL', C: '54000' });
  });

  it('answers GSSENCRequest and SSLRequest (no TLS configured) with N and carries on', async () => {
    const conn = await raw(stack.current.gateway.port);
    conn.socket.write(untagged(80877104));
    await eventually(async () => conn.received().length >= 1);
    conn.socket.write(untagged(80877103));
    await eventually(async () => conn.received().length >= 2);
    conn.socket.write(startupPacket(196608, { user: 'agent' }));
    await eventually(async () => conn.received().length >= 2 + 9);
    const got = conn.received();
    expect(got.subarray(0, 2).toString('latin1')).toBe('NN');
    // AuthenticationCleartextPassword: R, length 8, method 3
    expect([...got.subarray(2, 11)]).toEqual([0x52, 0, 0, 0, 8, 0, 0, 0, 3]);
    conn.socket.destroy();
  });

  it('refuses max_connections + 1 with 53300', async () => {
    const gw = await stack.current.startGateway({ limits: { ...stack.current.config.limits, maxConnections: 1 } });
    const token = await stack.current.mint('agent');
    await withClient({ ...stack.current.clientConfig(token), port: gw.port }, async () => {
      const err = await connectError({ ...stack.current.clientConfig(token), port: gw.port });
      expect(err?.code).toBe('53300');
    });
  });

  it('ends the upstream backend when the client leaves, and the client when the upstream backend dies', async () => {
    const s = stack.current;
    const token = await s.mint('agent');
    const client = new pg.Client(s.clientConfig(token, { application_name: 'killed' }));
    const errors: PgError[] = [];
    client.on('error', (e) => errors.push(e as PgError));
    await client.connect();
    const ended = new Promise<void>((resolve) => client.on('end', () => resolve()));
    await withClient(s.superuserConfig(), (su) =>
      su.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'killed'"),
    );
    await ended;
    expect(errors.map((e) => e.code)).toContain('57P01');
    await eventually(async () => s.gateway.sessions() === 0);
  });

  it('forwards a CancelRequest to the upstream (57014) and ignores a wrong key', async () => {
    const s = stack.current;
    const token = await s.mint('agent');
    await withClient(s.clientConfig(token), async (client) => {
      const { processID, secretKey } = client as unknown as { processID: number; secretKey: number };
      const sendCancel = async (pid: number, key: number): Promise<void> => {
        const body = Buffer.alloc(8);
        body.writeInt32BE(pid, 0);
        body.writeInt32BE(key, 4);
        const conn = await raw(s.gateway.port);
        conn.socket.write(untagged(80877102, body));
        await conn.closed;
      };
      // Settle each query's outcome at once, so a rejection that lands before we await it is
      // never reported as unhandled.
      const settle = (q: Promise<unknown>) =>
        q.then(
          (value) => ({ value }),
          (error: unknown) => ({ error }),
        );
      const sleeping = settle(client.query('SELECT pg_sleep(3) AS slept'));
      await new Promise((r) => setTimeout(r, 300));
      await sendCancel(processID, (secretKey + 1) | 0);
      expect(await sleeping).toMatchObject({ value: expect.anything() });
      const sleeping2 = settle(client.query('SELECT pg_sleep(10)'));
      await new Promise((r) => setTimeout(r, 300));
      await sendCancel(processID, secretKey);
      expect(await sleeping2).toMatchObject({ error: { code: '57014' } });
    });
  });
});

describe('startup: TLS and plaintext rules', () => {
  const { key, cert } = selfSignedCert();
  const stack = useStack({ decide: allowAll, deps: { queryCycle: passThroughQueryCycle, tls: { key, cert } } });

  it('makes a valid self-signed certificate', () => {
    const x = new X509Certificate(cert);
    expect(x.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x.verify(x.publicKey)).toBe(true);
  });

  const cases: { note: string; remote: boolean; ssl: ClientConfig['ssl']; allowPlaintext: boolean; expect: string | null; tls: boolean }[] =
    [
      {
        note: 'TLS with a verified certificate (verify-full)',
        remote: true,
        ssl: { ca: cert, servername: 'localhost' },
        allowPlaintext: false,
        expect: null,
        tls: true,
      },
      {
        note: 'TLS without verification (sslmode=require)',
        remote: true,
        ssl: { rejectUnauthorized: false },
        allowPlaintext: false,
        expect: null,
        tls: true,
      },
      { note: 'plaintext from loopback', remote: false, ssl: false, allowPlaintext: false, expect: null, tls: false },
      { note: 'plaintext from a remote address', remote: true, ssl: false, allowPlaintext: false, expect: '28000', tls: false },
      { note: 'plaintext from a remote address when allowed', remote: true, ssl: false, allowPlaintext: true, expect: null, tls: false },
    ];

  it.each(cases)('$note', async ({ remote, ssl, allowPlaintext, expect: code, tls }) => {
    const s = stack.current;
    const gw = await s.startGateway({ allowPlaintextPassword: allowPlaintext }, { isLoopback: () => !remote });
    const config = { ...s.clientConfig(await s.mint('agent')), port: gw.port, ssl };
    if (code !== null) {
      const err = await connectError(config);
      expect(err).toMatchObject({ code, severity: 'FATAL', message: 'password authentication requires TLS' });
    } else {
      await withClient(config, async (client) => {
        const res = await client.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
        expect(res.rows).toHaveLength(1); // the upstream link itself is plaintext on loopback
        const encrypted = (client as unknown as { connection: { stream: { encrypted?: boolean } } }).connection.stream.encrypted === true;
        expect(encrypted).toBe(tls);
      });
    }
    await gw.close();
  });

  it('drops a connection that sends bytes after SSLRequest before the handshake', async () => {
    const conn = await raw(stack.current.gateway.port);
    conn.socket.write(Buffer.concat([untagged(80877103), startupPacket(196608, { user: 'agent' })]));
    await conn.closed;
    expect(conn.received().length).toBe(0);
  });
});

describe('startup: upstream password methods', () => {
  const stack = useStack({ decide: allowAll, deps: { queryCycle: passThroughQueryCycle } });

  it.each(Object.values(UPSTREAM_USERS).map((u) => ({ note: u.auth ?? '', user: u })))('logs in upstream with $note', async ({ user }) => {
    const s = stack.current;
    const gw = await s.startGateway({
      upstream: { ...s.config.upstream, user: user.name, password: { kind: 'inline', value: user.password } },
    });
    await withClient({ ...s.clientConfig(await s.mint('agent')), port: gw.port }, async (client) => {
      const res = await client.query('SELECT current_user AS who');
      expect(res.rows[0].who).toBe(user.name);
    });
    await gw.close();
  });

  it('reads a password file for every new upstream login: a rotated password needs no restart', async () => {
    const s = stack.current;
    const user = UPSTREAM_USERS['scram-sha-256'];
    const dir = mkdtempSync(join(tmpdir(), 'portcullis-pw-'));
    const file = join(dir, 'password');
    writeFileSync(file, `${user.password}\n`);
    const superuser = new pg.Client(s.superuserConfig());
    await superuser.connect();
    const gw = await s.startGateway(
      { upstream: { ...s.config.upstream, user: user.name, password: { kind: 'file', path: file } } },
      { upstreamPassword: () => readFile(file, 'utf8').then((t) => t.replace(/\r?\n$/, '')) },
    );
    try {
      const config = async () => ({ ...s.clientConfig(await s.mint('agent')), port: gw.port });
      expect(await connectError(await config())).toBeUndefined();
      // the operator rotates the password: the database first, then the file
      const rotated = 'rotated-Pw-42';
      await superuser.query(`ALTER ROLE ${user.name} PASSWORD '${rotated}'`);
      expect(await connectError(await config())).toMatchObject({ code: '08006' });
      writeFileSync(file, `${rotated}\n`);
      expect(await connectError(await config())).toBeUndefined();
      // an unreadable file fails closed
      rmSync(file);
      expect(await connectError(await config())).toMatchObject({ code: '08006' });
    } finally {
      await superuser.query(`ALTER ROLE ${user.name} PASSWORD '${user.password}'`);
      await superuser.end();
      await gw.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a wrong upstream password as 08006 without leaking the credentials', async () => {
    const s = stack.current;
    const user = UPSTREAM_USERS['scram-sha-256'];
    const gw = await s.startGateway({
      upstream: { ...s.config.upstream, user: user.name, password: { kind: 'inline', value: 'wrong-password-xyz' } },
    });
    const err = await connectError({ ...s.clientConfig(await s.mint('agent')), port: gw.port });
    expect(err).toMatchObject({ code: '08006', severity: 'FATAL' });
    expect(err?.message).toMatch(/refused the gateway's login/);
    expect(`${err?.message} ${err?.detail ?? ''} ${err?.hint ?? ''}`).not.toMatch(/invalid password|28P01|password authentication/);
    expect(err?.message).not.toContain(user.name);
    expect(err?.message).not.toContain('wrong-password-xyz');
    // the operator's log has the cause
    const failed = s.events.filter((e) => e.type === 'upstream.failed').at(-1);
    expect(failed).toMatchObject({ message: expect.stringMatching(/invalid password/) });
    await gw.close();
  });
});

describe('startup: upstream down and restarted, token expiry, shutdown', () => {
  const stack = useStack({ decide: allowAll, deps: { queryCycle: passThroughQueryCycle } });

  it('closes the session when the token expires', async () => {
    const s = stack.current;
    const token = await s.mint('short-lived', {}, 2);
    const client = new pg.Client(s.clientConfig(token, { application_name: 'expiring' }));
    const errors: PgError[] = [];
    client.on('error', (e) => errors.push(e as PgError));
    await client.connect();
    const ended = new Promise<void>((resolve) => client.on('end', () => resolve()));
    await client.query('SELECT 1');
    await ended;
    expect(errors[0]).toMatchObject({ code: '28000', severity: 'FATAL', message: 'token expired; reconnect with a fresh token' });
    await eventually(async () => (await backendsOf(s, 'expiring')) === 0);
  });

  it('terminates open sessions with 57P01 when the gateway closes', async () => {
    const s = stack.current;
    const gw = await s.startGateway();
    const client = new pg.Client({ ...s.clientConfig(await s.mint('agent')), port: gw.port });
    const errors: PgError[] = [];
    client.on('error', (e) => errors.push(e as PgError));
    await client.connect();
    expect(gw.sessions()).toBe(1);
    await gw.close();
    expect(gw.sessions()).toBe(0);
    await eventually(async () => errors.length > 0);
    expect(errors[0]).toMatchObject({ code: '57P01', severity: 'FATAL' });
  });

  it('reports an unavailable upstream clearly, then serves new sessions once it is back', async () => {
    const s = stack.current;
    await s.stopPostgres();
    const err = await connectError(s.clientConfig(await s.mint('agent')));
    expect(err).toMatchObject({ code: '08006', severity: 'FATAL', message: 'upstream database unavailable: connection refused' });
    await s.restartPostgres();
    await withClient(s.clientConfig(await s.mint('agent')), async (client) => {
      expect((await client.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
    });
  });
});

describe('startup: with the real query cycle and the shipped policies', () => {
  const stack = useStack();

  it('hands the logged-in session to runQueryCycle (allowed read, denied write)', async () => {
    const token = await stack.current.mint('reader', { roles: ['db:read'] });
    await withClient(stack.current.clientConfig(token), async (client) => {
      expect((await client.query('SELECT count(*)::int AS n FROM public.orders')).rows).toEqual([{ n: 6 }]);
      await expect(client.query('DELETE FROM public.orders')).rejects.toMatchObject({ code: '42501' });
    });
  });
});
