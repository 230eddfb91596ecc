// End-to-end: a gateway refusal has the effect a failed statement has in PostgreSQL (issue 10 §3).
// An open transaction block becomes a failed one (COMMIT rolls back), the implicit transaction
// of an extended-protocol pipeline forwarded at a Flush rolls back at the Sync, and a pipeline
// too large to decide whole is refused whole; nothing before the refusal commits. Real
// PostgreSQL, the shipped policies, the `pg` client and a raw protocol client.

import { connect } from 'node:net';
import type { Socket } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBackend, encodeFrontend, FrameReader } from '../../proxy/wire/index.js';
import type { BackendMessage, FrontendMessageOut } from '../../proxy/wire/index.js';
import { compilePolicies, REPO_POLICIES, useStack } from './helpers.js';

const stack = useStack({ decide: await compilePolicies(REPO_POLICIES) });
let direct: pg.Client;
const clients: pg.Client[] = [];

beforeAll(async () => {
  direct = new pg.Client(stack.current.superuserConfig());
  await direct.connect();
}, 60_000);

afterAll(async () => {
  for (const c of clients) await c.end().catch(() => undefined);
  await direct?.end().catch(() => undefined);
});

const insert = (marker: string): string => `INSERT INTO public.audit_log (actor, action) VALUES ('abort-test', '${marker}')`;
/** DENIED is refused for a writer by the shipped policies (DELETE without WHERE). */
const DENIED = 'DELETE FROM public.orders';

async function markers(marker: string): Promise<number> {
  const r = await direct.query<{ n: string }>('SELECT count(*) AS n FROM public.audit_log WHERE action = $1', [marker]);
  return Number(r.rows[0]?.n);
}

async function writer(): Promise<pg.Client> {
  const client = new pg.Client(stack.current.clientConfig(await stack.current.mint('abort-writer', { roles: ['db:write'] })));
  await client.connect();
  clients.push(client);
  return client;
}

/** RawClient speaks the protocol by hand: batches with Flush, pipelines of any size. */
class RawClient {
  readonly #socket: Socket;
  readonly #reader = new FrameReader({ maxFrameBytes: 1 << 24, startup: false });
  readonly #messages: BackendMessage[] = [];
  #wake: (() => void) | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      for (const f of this.#reader.push(chunk)) this.#messages.push(decodeBackend(f));
      this.#wake?.();
    });
  }

  static async open(token: string): Promise<RawClient> {
    const { host, port } = stack.current.gateway;
    const socket = connect({ host, port });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const raw = new RawClient(socket);
    socket.write(encodeFrontend({ kind: 'startup', user: 'agent', database: stack.current.pg.database }));
    await raw.until((m) => m.kind === 'authenticationCleartextPassword');
    socket.write(encodeFrontend({ kind: 'password', password: token }));
    await raw.until((m) => m.kind === 'readyForQuery');
    return raw;
  }

  send(...msgs: FrontendMessageOut[]): void {
    this.#socket.write(Buffer.concat(msgs.map((m) => encodeFrontend(m))));
  }

  /** until waits for a message matching `done` and returns every message received up to it (consumed). */
  async until(done: (m: BackendMessage) => boolean): Promise<BackendMessage[]> {
    for (let i = 0; i < 1000; i++) {
      const at = this.#messages.findIndex(done);
      if (at >= 0) return this.#messages.splice(0, at + 1);
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        setTimeout(resolve, 20);
      });
    }
    throw new Error(`timed out; got ${this.#messages.map((m) => m.kind).join(',')}`);
  }

  close(): void {
    this.#socket.end(encodeFrontend({ kind: 'terminate' }));
  }
}

const statement = (sql: string): FrontendMessageOut[] => [{ kind: 'parse', query: sql }, { kind: 'bind' }, { kind: 'execute' }];
const errorCode = (msgs: readonly BackendMessage[]): string | undefined => {
  const e = msgs.find((m) => m.kind === 'errorResponse');
  return e?.kind === 'errorResponse' ? e.fields['C'] : undefined;
};
const status = (msgs: readonly BackendMessage[]): string | undefined => {
  const z = msgs.findLast((m) => m.kind === 'readyForQuery');
  return z?.kind === 'readyForQuery' ? z.status : undefined;
};

describe('a refusal aborts the transaction it is part of', () => {
  it('simple protocol: a denial inside BEGIN fails the block, and COMMIT rolls back', async () => {
    const client = await writer();
    await client.query('BEGIN');
    await client.query(insert('simple-block'));
    await expect(client.query(DENIED)).rejects.toMatchObject({ code: '42501' });
    await expect(client.query('SELECT 1')).rejects.toMatchObject({ code: '25P02' }); // current transaction is aborted
    expect((await client.query('COMMIT')).command).toBe('ROLLBACK');
    expect(await markers('simple-block')).toBe(0);
    // the session goes on, outside any transaction
    await client.query(insert('simple-after'));
    expect(await markers('simple-after')).toBe(1);
  });

  it('extended protocol: a denied Bind inside BEGIN fails the block', async () => {
    const client = await writer();
    await client.query('BEGIN');
    await client.query({ text: 'INSERT INTO public.audit_log (actor, action) VALUES ($1, $2)', values: ['abort-test', 'ext-block'] });
    await expect(client.query({ text: 'DELETE FROM public.orders WHERE status = $1 OR true', values: ['x'] })).rejects.toMatchObject({
      code: '42501',
    });
    expect((await client.query('COMMIT')).command).toBe('ROLLBACK');
    expect(await markers('ext-block')).toBe(0);
  });

  it('a refusal outside any transaction leaves the session idle and commits what came before', async () => {
    const client = await writer();
    await client.query(insert('autocommit-before'));
    await expect(client.query(DENIED)).rejects.toMatchObject({ code: '42501' });
    expect(await markers('autocommit-before')).toBe(1);
    expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('[INSERT, Flush] then [DELETE, Sync]: the flushed INSERT rolls back with the refused pipeline', async () => {
    const raw = await RawClient.open(await stack.current.mint('abort-raw', { roles: ['db:write'] }));
    try {
      raw.send(...statement(insert('flushed')), { kind: 'flush' });
      const first = await raw.until((m) => m.kind === 'commandComplete');
      expect(first.map((m) => m.kind)).toEqual(['parseComplete', 'bindComplete', 'commandComplete']);
      raw.send(...statement(DENIED), { kind: 'sync' });
      const second = await raw.until((m) => m.kind === 'readyForQuery');
      expect(errorCode(second)).toBe('42501');
      expect(second.filter((m) => m.kind === 'errorResponse')).toHaveLength(1); // the gateway's abort stays with the gateway
      expect(status(second)).toBe('I');
      expect(await markers('flushed')).toBe(0);
      // the session goes on
      raw.send(...statement(insert('flushed-after')), { kind: 'sync' });
      expect(status(await raw.until((m) => m.kind === 'readyForQuery'))).toBe('I');
      expect(await markers('flushed-after')).toBe(1);
    } finally {
      raw.close();
    }
  });

  it('400 INSERTs and a denied DELETE under one Sync: none of it runs', async () => {
    const raw = await RawClient.open(await stack.current.mint('abort-raw', { roles: ['db:write'] }));
    try {
      const msgs = Array.from({ length: 400 }, () => statement(insert('pipelined'))).flat();
      raw.send(...msgs, ...statement(DENIED), { kind: 'sync' });
      const answer = await raw.until((m) => m.kind === 'readyForQuery');
      expect(errorCode(answer)).toBe('42501');
      expect(answer.some((m) => m.kind === 'commandComplete')).toBe(false);
      expect(await markers('pipelined')).toBe(0);
    } finally {
      raw.close();
    }
  });

  it('a pipeline past the limits is refused whole with a clear error, and none of it runs', async () => {
    const raw = await RawClient.open(await stack.current.mint('abort-raw', { roles: ['db:write'] }));
    try {
      const msgs = Array.from({ length: 3400 }, () => statement(insert('too-many'))).flat();
      raw.send(...msgs, { kind: 'sync' });
      const answer = await raw.until((m) => m.kind === 'readyForQuery');
      expect(errorCode(answer)).toBe('54000');
      const e = answer.find((m) => m.kind === 'errorResponse');
      expect(e?.kind === 'errorResponse' ? e.fields['M'] : '').toMatch(/none of it was run/);
      expect(await markers('too-many')).toBe(0);
      raw.send(...statement('SELECT 1'), { kind: 'sync' });
      expect(status(await raw.until((m) => m.kind === 'readyForQuery'))).toBe('I');
    } finally {
      raw.close();
    }
  });
});
