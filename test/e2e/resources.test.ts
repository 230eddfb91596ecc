// End-to-end: what one session may hold (issue 11, Resources). Back-pressure is by bytes: a
// client that does not read makes the gateway stop reading the upstream once about
// limits.max_queued_bytes wait for it, whatever the number of rows; a row over
// limits.max_row_bytes fails its statement (54000) without being held, and the session goes on;
// an upstream that ends the session gives the client exactly one FATAL (PostgreSQL's own).
// Real PostgreSQL, the real query cycle, `pg` and a raw protocol client; memory is measured by
// the bytes the session's channels report (ChannelBytes), never by time.

import { connect } from 'node:net';
import type { Socket } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS_DEFAULTS } from '../../proxy/config/index.js';
import type { Decide, SessionContext } from '../../proxy/index.js';
import { runQueryCycle } from '../../proxy/session/index.js';
import { decodeBackend, encodeFrontend, FrameReader } from '../../proxy/wire/index.js';
import type { BackendMessage } from '../../proxy/wire/index.js';
import { useStack } from './helpers.js';

/** allowAll allows everything, masking customers.email (the streamed-row tests need one masked column). */
const allowAll: Decide = (input) => ({
  kind: 'allow',
  masks: input.statement.tables.read.includes('public.customers')
    ? [{ table: 'public.customers', column: 'email', kind: 'partial', keep: 4 }]
    : [],
});

const MiB = 1_048_576;
/** MAX_ROW is the row limit of this stack: above the 1 MiB rows of the back-pressure test, below 5 MiB. */
const MAX_ROW = 4 * MiB;
const QUEUED = LIMITS_DEFAULTS.maxQueuedBytes;

/** sessions are the contexts of the sessions served, by application_name (the introspection hook). */
const sessions = new Map<string, SessionContext>();
const stack = useStack({
  decide: allowAll,
  config: { limits: { ...LIMITS_DEFAULTS, maxRowBytes: MAX_ROW } },
  deps: {
    queryCycle: (ctx) => {
      sessions.set(ctx.connection.applicationName ?? '', ctx);
      return runQueryCycle(ctx);
    },
  },
});
let direct: pg.Client;

beforeAll(async () => {
  direct = new pg.Client(stack.current.superuserConfig());
  await direct.connect();
}, 60_000);

afterAll(async () => {
  await direct?.end().catch(() => undefined);
});

/** until polls a condition of the outside world (never asserts how long it took). */
async function until(check: () => Promise<boolean> | boolean): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('condition not met');
}

/** RawClient speaks the protocol by hand and can stop reading its socket. */
class RawClient {
  readonly socket: Socket;
  readonly #reader = new FrameReader({ maxFrameBytes: 8 * MiB, startup: false });
  readonly messages: BackendMessage[] = [];
  closed = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      for (const f of this.#reader.push(chunk)) this.messages.push(decodeBackend(f));
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
    });
  }

  static async open(app: string): Promise<RawClient> {
    const { host, port } = stack.current.gateway;
    const socket = connect({ host, port });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const raw = new RawClient(socket);
    const s = stack.current;
    socket.write(encodeFrontend({ kind: 'startup', user: 'agent', database: s.pg.database, applicationName: app }));
    await until(() => raw.messages.some((m) => m.kind === 'authenticationCleartextPassword'));
    socket.write(encodeFrontend({ kind: 'password', password: await s.mint('agent') }));
    await until(() => raw.messages.some((m) => m.kind === 'readyForQuery'));
    raw.messages.length = 0;
    return raw;
  }

  query(sql: string): void {
    this.socket.write(encodeFrontend({ kind: 'query', sql }));
  }
}

/** backendWait is the wait event of the upstream backend serving application `app`. */
async function backendWait(app: string): Promise<string | null> {
  const r = await direct.query<{ w: string | null }>('SELECT wait_event AS w FROM pg_stat_activity WHERE application_name = $1', [app]);
  return r.rows[0]?.w ?? null;
}

describe('back-pressure by bytes', () => {
  it('a client that does not read holds the session to about max_queued_bytes each way; others keep working', async () => {
    const app = 'bp-slow';
    const slow = await RawClient.open(app);
    const rows = 200;
    slow.socket.pause();
    slow.query(`SELECT repeat('x', ${MiB}) FROM generate_series(1, ${rows})`);
    // PostgreSQL blocks writing to the gateway once the gateway stops reading it
    await until(async () => (await backendWait(app)) === 'ClientWrite');
    const ctx = sessions.get(app);
    if (ctx === undefined) throw new Error('session not captured');
    const row = MiB + 11; // DataRow: tag, length, column count, value length, value
    const chunk = 65_536; // one socket read
    // the client side: the bound, plus the one row written after the last check
    expect(ctx.client.bytes.peakUnsent).toBeLessThanOrEqual(QUEUED + row);
    // the upstream side: the bound, plus the row completed by the read that crossed it, plus that read's rest
    expect(ctx.upstream.bytes.peakUnread).toBeLessThanOrEqual(QUEUED + row + chunk);
    expect(ctx.upstream.bytes.peakUnread).toBeGreaterThan(0);

    // another session is served meanwhile
    const other = new pg.Client(stack.current.clientConfig(await stack.current.mint('agent')));
    await other.connect();
    expect((await other.query('SELECT 41 + 1 AS n')).rows).toEqual([{ n: 42 }]);
    await other.end();

    // reading again resumes the upstream; every row arrives
    slow.socket.resume();
    await until(() => slow.messages.some((m) => m.kind === 'readyForQuery'));
    expect(slow.messages.filter((m) => m.kind === 'dataRow')).toHaveLength(rows);
    expect(slow.messages.find((m) => m.kind === 'commandComplete')).toMatchObject({ tag: `SELECT ${rows}` });
    expect(ctx.client.bytes.peakUnsent).toBeLessThanOrEqual(QUEUED + row);
    slow.socket.end(encodeFrontend({ kind: 'terminate' }));
  }, 60_000);
});

describe('large rows are streamed where masking allows', () => {
  it('an unmasked row above max_queued_bytes goes to the client as it arrives: a client that does not read ties up the bound, not the row', async () => {
    const app = 'bp-stream';
    const slow = await RawClient.open(app);
    const size = 3 * MiB;
    slow.socket.pause();
    slow.query(`SELECT repeat('s', ${size}) AS v`);
    // PostgreSQL has sent the row (finished, or blocked writing it once the buffers between are full)
    await until(async () => {
      const r = await direct.query<{ state: string; w: string | null; q: string }>(
        'SELECT state, wait_event AS w, query AS q FROM pg_stat_activity WHERE application_name = $1',
        [app],
      );
      const row = r.rows[0];
      return row !== undefined && row.q.startsWith("SELECT repeat('s'") && (row.state === 'idle' || row.w === 'ClientWrite');
    });
    const ctx = sessions.get(app);
    if (ctx === undefined) throw new Error('session not captured');
    const slack = 256 * 1024; // socket reads in flight on either side
    expect(ctx.upstream.bytes.peakUnread).toBeLessThanOrEqual(QUEUED + slack);
    expect(ctx.client.bytes.peakUnsent).toBeLessThanOrEqual(QUEUED + slack);
    slow.socket.resume();
    await until(() => slow.messages.some((m) => m.kind === 'readyForQuery'));
    const row = slow.messages.find((m) => m.kind === 'dataRow');
    expect(row?.kind === 'dataRow' ? row.values[0]?.length : 0).toBe(size);
    expect(slow.messages.find((m) => m.kind === 'commandComplete')).toMatchObject({ tag: 'SELECT 1' });
    slow.socket.end(encodeFrontend({ kind: 'terminate' }));
  }, 60_000);

  it('a large row with a masked column is held whole (within max_row_bytes) and masked', async () => {
    await direct.query(`UPDATE customers SET email = repeat('e', ${2 * MiB}) || 'tail' WHERE id = 5`);
    const client = new pg.Client(stack.current.clientConfig(await stack.current.mint('agent')));
    await client.connect();
    try {
      for (const query of [
        'SELECT email FROM customers WHERE id = 5',
        { text: 'SELECT email FROM customers WHERE id = $1', values: [5] },
      ]) {
        const r = await client.query(query as string);
        const email = r.rows[0]?.email as string;
        expect(email).toHaveLength(2 * MiB + 4);
        expect(email.endsWith('*tail')).toBe(true);
        expect(email.includes('e')).toBe(false);
      }
    } finally {
      await client.end();
    }
  }, 60_000);
});

describe('limits.max_row_bytes', () => {
  it('a row over the limit fails its statement with 54000 naming the key; the session goes on', async () => {
    const client = new pg.Client(stack.current.clientConfig(await stack.current.mint('agent')));
    await client.connect();
    try {
      const big = 5 * MiB;
      // rows before and after the big one: the result is refused whole, never partly
      const sql = `SELECT CASE WHEN i = 2 THEN repeat('y', ${big}) ELSE 'small' END AS v FROM generate_series(1, 3) AS i`;
      await expect(client.query(sql)).rejects.toMatchObject({
        code: '54000',
        message: expect.stringMatching(
          /^portcullis: a result row of \d+ bytes exceeds the gateway's limit of 4194304 bytes \(limits\.max_row_bytes\)$/,
        ),
      });
      expect((await client.query('SELECT 1 AS n')).rows).toEqual([{ n: 1 }]);
      // extended protocol (parameters)
      await expect(client.query('SELECT repeat($1::text, $2::int) AS v', ['z', big])).rejects.toMatchObject({ code: '54000' });
      expect((await client.query('SELECT $1::int AS n', [2])).rows).toEqual([{ n: 2 }]);
      // a row just under the limit passes
      const ok = await client.query(`SELECT length(repeat('w', ${3 * MiB})) AS n, repeat('w', ${3 * MiB}) AS v`);
      expect(ok.rows[0]?.v).toHaveLength(3 * MiB);
    } finally {
      await client.end();
    }
  });

  it('COPY TO STDOUT: a row over the limit fails the COPY with 54000; the session goes on', async () => {
    const raw = await RawClient.open('bp-copy');
    raw.query(`COPY (SELECT 'small' UNION ALL SELECT repeat('y', ${5 * MiB})) TO STDOUT`);
    await until(() => raw.messages.some((m) => m.kind === 'readyForQuery'));
    const kinds = raw.messages.map((m) => m.kind);
    expect(kinds).toEqual(['copyOutResponse', 'copyData', 'errorResponse', 'readyForQuery']);
    expect(raw.messages[2]).toMatchObject({ fields: { C: '54000' } });
    raw.messages.length = 0;
    raw.query('SELECT 1');
    await until(() => raw.messages.some((m) => m.kind === 'readyForQuery'));
    expect(raw.messages.map((m) => m.kind)).toEqual(['rowDescription', 'dataRow', 'commandComplete', 'readyForQuery']);
    raw.socket.end(encodeFrontend({ kind: 'terminate' }));
  });

  it('inside a transaction block the refusal fails the block, as a failed statement does', async () => {
    const client = new pg.Client(stack.current.clientConfig(await stack.current.mint('agent')));
    await client.connect();
    try {
      await client.query('BEGIN');
      await expect(client.query(`SELECT repeat('y', ${5 * MiB})`)).rejects.toMatchObject({ code: '54000' });
      await expect(client.query('SELECT 1')).rejects.toMatchObject({ code: '25P02' });
      await client.query('ROLLBACK');
      expect((await client.query('SELECT 3 AS n')).rows).toEqual([{ n: 3 }]);
    } finally {
      await client.end();
    }
  });
});

describe('the upstream ends the session', () => {
  it('pg_terminate_backend: the client gets exactly one FATAL, PostgreSQL 57P01', async () => {
    const app = 'bp-killed';
    const raw = await RawClient.open(app);
    await direct.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [app]);
    await until(() => raw.closed);
    const errors = raw.messages.filter((m) => m.kind === 'errorResponse');
    expect(errors.map((e) => (e.kind === 'errorResponse' ? [e.fields['V'], e.fields['C']] : []))).toEqual([['FATAL', '57P01']]);
  });

  it('during a query: still exactly one FATAL', async () => {
    const app = 'bp-killed-busy';
    const raw = await RawClient.open(app);
    raw.query('SELECT pg_sleep(30)');
    await until(async () => (await backendWait(app)) === 'PgSleep');
    await direct.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [app]);
    await until(() => raw.closed);
    const errors = raw.messages.filter((m) => m.kind === 'errorResponse');
    expect(errors.map((e) => (e.kind === 'errorResponse' ? [e.fields['V'], e.fields['C']] : []))).toEqual([['FATAL', '57P01']]);
  });
});
