// End-to-end tests of connection admission and the startup and message timeouts (issue 11,
// "Robustness"): idle sockets that never log in hold places among the connections logging in
// only (limits.max_unauthenticated, per address limits.max_unauthenticated_per_address), never
// an agent's place; limits.authentication_timeout closes a silent connection;
// limits.message_timeout closes a connection that begins a message and does not finish it, before
// or after login, while a session idle between messages stays open. Real PostgreSQL, real
// sockets on loopback (127.0.0.2… are loopback addresses on Linux), the `pg` client; the query
// cycle is a pass-through relay, policies are not what these tests are about.

import { connect } from 'node:net';
import type { Socket } from 'node:net';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../proxy/config/index.js';
import type { Decide, Gateway, GatewayEvent } from '../../proxy/index.js';
import { passThroughQueryCycle, useStack } from './helpers.js';

const allowAll: Decide = () => ({ kind: 'allow' }) as ReturnType<Decide>;
const stack = useStack({ decide: allowAll, deps: { queryCycle: passThroughQueryCycle } });

/** gatewayWith starts one more gateway on the stack with these limits over the defaults. */
function gatewayWith(
  limits: Partial<GatewayConfig['limits']>,
  deps?: Parameters<(typeof stack)['current']['startGateway']>[1],
): Promise<Gateway> {
  const s = stack.current;
  return s.startGateway({ limits: { ...s.config.limits, ...limits } }, deps);
}

/** Raw is a plain socket to the gateway that keeps what it receives. */
type Raw = { readonly socket: Socket; received(): Buffer; readonly closed: Promise<void>; isClosed(): boolean };

/** raw opens a socket from `localAddress` (a loopback address) and resolves once connected. */
async function raw(port: number, localAddress = '127.0.0.1'): Promise<Raw> {
  const socket = connect({ host: '127.0.0.1', port, localAddress });
  let data = Buffer.alloc(0);
  let closed = false;
  socket.on('data', (chunk: Buffer) => {
    data = Buffer.concat([data, chunk]);
  });
  socket.on('error', () => {});
  const whenClosed = new Promise<void>((resolve) =>
    socket.on('close', () => {
      closed = true;
      resolve();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  return { socket, received: () => data, closed: whenClosed, isClosed: () => closed };
}

async function eventually(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

function startupPacket(params: Record<string, string>): Buffer {
  const body = Buffer.from(
    `${Object.entries(params)
      .map(([k, v]) => `${k}\0${v}\0`)
      .join('')}\0`,
  );
  const b = Buffer.alloc(8 + body.length);
  b.writeInt32BE(8 + body.length, 0);
  b.writeInt32BE(196608, 4);
  body.copy(b, 8);
  return b;
}

function tagged(tag: string, body: Buffer): Buffer {
  const b = Buffer.alloc(5 + body.length);
  b.write(tag, 0, 'latin1');
  b.writeInt32BE(4 + body.length, 1);
  body.copy(b, 5);
  return b;
}

/** errorFields reads the fields of the first ErrorResponse in bytes (undefined when there is none). */
function errorFields(bytes: Buffer): Record<string, string> | undefined {
  // walk the messages: an 'E' inside another message's body is not an ErrorResponse
  let at = 0;
  while (at + 5 <= bytes.length) {
    const len = bytes.readInt32BE(at + 1);
    if (bytes[at] === 0x45) {
      const out: Record<string, string> = {};
      let o = at + 5;
      while (o < at + 1 + len && bytes[o] !== 0) {
        const end = bytes.indexOf(0, o + 1);
        out[String.fromCharCode(bytes[o] as number)] = bytes.subarray(o + 1, end).toString('utf8');
        o = end + 1;
      }
      return out;
    }
    at += 1 + len;
  }
  return undefined;
}

/** rawLogin logs in over a raw socket with the token and resolves once ReadyForQuery arrived. */
async function rawLogin(port: number, token: string): Promise<Raw> {
  const conn = await raw(port);
  conn.socket.write(startupPacket({ user: 'agent', database: stack.current.pg.database }));
  await eventually(() => conn.received().length >= 9);
  conn.socket.write(tagged('p', Buffer.from(`${token}\0`)));
  // ReadyForQuery: 'Z', length 5, status
  await eventually(() =>
    conn
      .received()
      .subarray(-6, -1)
      .equals(Buffer.from([0x5a, 0, 0, 0, 5])),
  );
  return conn;
}

/** loginAndQuery logs in with `pg` and runs SELECT 1. */
async function loginAndQuery(port: number): Promise<number> {
  const s = stack.current;
  const client = new pg.Client({ ...s.clientConfig(await s.mint('agent')), port });
  client.on('error', () => {});
  await client.connect();
  try {
    const res = await client.query<{ one: number }>('SELECT 1 AS one');
    return res.rows[0]?.one as number;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** openIdle opens n idle sockets from the addresses in turn. */
async function openIdle(port: number, n: number, addresses: readonly string[]): Promise<Raw[]> {
  const out: Raw[] = [];
  for (let i = 0; i < n; i += 50) {
    const batch = Array.from({ length: Math.min(50, n - i) }, (_, j) => raw(port, addresses[(i + j) % addresses.length]));
    out.push(...(await Promise.all(batch)));
  }
  return out;
}

function eventsSince(from: number): GatewayEvent[] {
  return stack.current.events.slice(from);
}

describe('admission: connections logging in have their own limits', () => {
  it('1,000 idle unauthenticated sockets from the agent’s own address do not stop the agent from logging in', async () => {
    const gw = await gatewayWith({});
    const idle = await openIdle(gw.port, 1_000, ['127.0.0.1']);
    // each arrival beyond the address's 16 places crowded out that address's oldest
    await eventually(() => idle.filter((c) => c.isClosed()).length === 1_000 - 16);
    expect(gw.connections()).toEqual({ unauthenticated: 16, authenticated: 0 });
    const crowded = idle.find((c) => c.isClosed()) as Raw;
    expect(errorFields(crowded.received())).toMatchObject({ S: 'FATAL', C: '53300' });
    expect(await loginAndQuery(gw.port)).toBe(1);
    for (const c of idle) c.socket.destroy();
  });

  it('1,000 idle sockets from 100 other addresses fill the pool, and the agent still logs in', async () => {
    const gw = await gatewayWith({});
    const addresses = Array.from({ length: 100 }, (_, i) => `127.0.1.${i + 1}`);
    const idle = await openIdle(gw.port, 1_000, addresses);
    await eventually(() => idle.filter((c) => c.isClosed()).length === 1_000 - 64);
    expect(gw.connections().unauthenticated).toBe(64);
    expect(await loginAndQuery(gw.port)).toBe(1);
    for (const c of idle) c.socket.destroy();
  });

  it('keeps authenticated sessions apart: a full pool of idle sockets takes no session place, and max_connections still holds', async () => {
    const gw = await gatewayWith({ maxConnections: 1, maxUnauthenticated: 4, maxUnauthenticatedPerAddress: 4 });
    const idle = await openIdle(gw.port, 4, ['127.0.0.2']);
    const s = stack.current;
    const first = new pg.Client({ ...s.clientConfig(await s.mint('agent')), port: gw.port });
    await first.connect();
    try {
      expect(gw.connections()).toEqual({ unauthenticated: 4 - 1, authenticated: 1 });
      const second = new pg.Client({ ...s.clientConfig(await s.mint('agent')), port: gw.port });
      second.on('error', () => {});
      await expect(second.connect()).rejects.toMatchObject({ code: '53300', message: 'sorry, too many clients already' });
    } finally {
      await first.end();
    }
    for (const c of idle) c.socket.destroy();
  });

  it('never crowds out a connection whose password is being verified: the newcomer is refused instead', async () => {
    const s = stack.current;
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const verifier = {
      ...s.verifier,
      verify: async (token: string) => {
        await held;
        return s.verifier.verify(token);
      },
    };
    const gw = await gatewayWith({ maxUnauthenticated: 2, maxUnauthenticatedPerAddress: 1 }, { verifier });
    const from = s.events.length;
    const agent = new pg.Client({ ...s.clientConfig(await s.mint('agent')), port: gw.port });
    const connecting = agent.connect();
    await eventually(() => gw.connections().unauthenticated === 1);
    // the password is sent at once after the server asks for it; give it the round trip
    await new Promise((r) => setTimeout(r, 100));
    const late = await raw(gw.port);
    await late.closed;
    expect(errorFields(late.received())).toMatchObject({ S: 'FATAL', C: '53300', M: 'sorry, too many clients logging in already' });
    release();
    await connecting;
    expect((await agent.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await agent.end();
    expect(eventsSince(from).filter((e) => e.type === 'connection.refused')).toEqual([
      { type: 'connection.refused', reason: 'max_unauthenticated', clientAddress: '127.0.0.1' },
    ]);
  });
});

describe('timeouts: authentication and unfinished messages', () => {
  it('closes a silent connection after authentication_timeout with FATAL 08006, and one that never sends its password', async () => {
    const gw = await gatewayWith({ authenticationTimeoutMs: 200 });
    const silent = await raw(gw.port);
    const noPassword = await raw(gw.port);
    noPassword.socket.write(startupPacket({ user: 'agent' }));
    await Promise.all([silent.closed, noPassword.closed]);
    for (const c of [silent, noPassword]) {
      expect(errorFields(c.received())).toMatchObject({ S: 'FATAL', C: '08006', M: 'canceling authentication due to timeout' });
    }
    await eventually(() => gw.connections().unauthenticated === 0);
    expect(stack.current.events.some((e) => e.type === 'login.refused' && e.code === 'ERR_PROXY_AUTHENTICATION_TIMEOUT')).toBe(true);
  });

  it('does not apply authentication_timeout to a logged-in session', async () => {
    const gw = await gatewayWith({ authenticationTimeoutMs: 200 });
    const conn = await rawLogin(gw.port, await stack.current.mint('agent'));
    await new Promise((r) => setTimeout(r, 400));
    expect(conn.isClosed()).toBe(false);
    conn.socket.destroy();
  });

  it('closes a connection sending its startup packet a byte at a time after message_timeout', async () => {
    const gw = await gatewayWith({ messageTimeoutMs: 200 });
    const conn = await raw(gw.port);
    const packet = startupPacket({ user: 'agent' });
    let i = 0;
    const drip = setInterval(() => {
      if (i < packet.length - 1) conn.socket.write(packet.subarray(i, ++i));
    }, 50);
    await conn.closed;
    clearInterval(drip);
    expect(errorFields(conn.received())).toMatchObject({ S: 'FATAL', C: '08006' });
    expect(errorFields(conn.received())?.['M']).toMatch(/a message was begun and not completed within 200 ms/);
  });

  it('closes a session whose client sends a partial message a byte at a time after login (session.closed: message_timeout)', async () => {
    const s = stack.current;
    const gw = await gatewayWith({ messageTimeoutMs: 300 });
    const from = s.events.length;
    const conn = await rawLogin(gw.port, await s.mint('agent'));
    const before = conn.received().length;
    const query = tagged('Q', Buffer.from('SELECT 1\0'));
    let i = 0;
    const drip = setInterval(() => {
      if (i < query.length - 1) conn.socket.write(query.subarray(i, ++i));
    }, 100);
    await conn.closed;
    clearInterval(drip);
    expect(errorFields(conn.received().subarray(before))).toMatchObject({ S: 'FATAL', C: '08006' });
    await eventually(() => eventsSince(from).some((e) => e.type === 'session.closed'));
    expect(eventsSince(from).find((e) => e.type === 'session.closed')).toMatchObject({ reason: 'message_timeout' });
    await eventually(() => gw.connections().authenticated === 0);
  });

  it('leaves a session idle between messages open, and serves a message sent in pieces within the timeout', async () => {
    const gw = await gatewayWith({ messageTimeoutMs: 200 });
    const s = stack.current;
    const client = new pg.Client({ ...s.clientConfig(await s.mint('agent')), port: gw.port });
    await client.connect();
    await new Promise((r) => setTimeout(r, 500));
    expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await client.end();

    const conn = await rawLogin(gw.port, await s.mint('agent'));
    const query = tagged('Q', Buffer.from('SELECT 2\0'));
    for (const piece of [query.subarray(0, 3), query.subarray(3, 9), query.subarray(9)]) {
      conn.socket.write(piece);
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 400));
    // CommandComplete "SELECT 1" arrived and the connection is open past the timeout
    expect(conn.received().includes(Buffer.from('SELECT 1\0'))).toBe(true);
    expect(conn.isClosed()).toBe(false);
    conn.socket.destroy();
  });
});
