// End-to-end tests of masking: result columns bound through RowDescription (aliases, `*`,
// subqueries), the extended protocol (including refused binary formats), COPY … TO STDOUT in
// text and CSV (through a minimal raw protocol client, since `pg` drops COPY data), and the
// denials for masked columns inside expressions or whole rows, with the shipped policies
// (data.json masks public.customers email and card_number, partial keep 4).

import { connect } from 'node:net';
import type { Socket } from 'node:net';
import pg from 'pg';
import type { DatabaseError } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBackend, encodeFrontend, FrameReader } from '../../proxy/wire/index.js';
import type { BackendMessage } from '../../proxy/wire/index.js';
import { useStack } from './helpers.js';

const stack = useStack();
const clients: pg.Client[] = [];

// a row whose card number has a tab and a backslash in its last four characters
const ODD_ID = 100;
const ODD_CARD = '12\t3\\4';

beforeAll(async () => {
  const direct = new pg.Client(stack.current.superuserConfig());
  await direct.connect();
  try {
    await direct.query('INSERT INTO public.customers (id, name, email, card_number) VALUES ($1, $2, $3, $4)', [
      ODD_ID,
      'Odd\tName',
      'odd@example.org',
      ODD_CARD,
    ]);
  } finally {
    await direct.end();
  }
});

afterAll(async () => {
  for (const c of clients) await c.end().catch(() => undefined);
});

async function connectAs(sub: string, roles: readonly string[]): Promise<pg.Client> {
  const token = await stack.current.mint(sub, { roles: [...roles] });
  const client = new pg.Client(stack.current.clientConfig(token));
  await client.connect();
  clients.push(client);
  return client;
}

async function failure(p: Promise<unknown>): Promise<DatabaseError> {
  try {
    await p;
  } catch (err) {
    return err as DatabaseError;
  }
  throw new Error('the query succeeded but was expected to fail');
}

/** RawSession is a minimal protocol client: enough to log in with a token and run simple queries, COPY included. */
type RawSession = { query(sql: string): Promise<BackendMessage[]>; close(): void };

async function rawSession(roles: readonly string[]): Promise<RawSession> {
  const s = stack.current;
  const token = await s.mint('raw-agent', { roles: [...roles] });
  const socket: Socket = connect({ host: s.gateway.host, port: s.gateway.port });
  const reader = new FrameReader({ maxFrameBytes: 1 << 24, startup: false });
  const queue: BackendMessage[] = [];
  let wake: (() => void) | undefined;
  let closed = false;
  socket.on('data', (chunk: Buffer) => {
    for (const f of reader.push(chunk)) queue.push(decodeBackend(f));
    wake?.();
  });
  socket.on('close', () => {
    closed = true;
    wake?.();
  });
  socket.on('error', () => undefined);
  const nextMessage = async (): Promise<BackendMessage> => {
    while (queue.length === 0) {
      if (closed) throw new Error('connection closed');
      await new Promise<void>((resolve) => (wake = resolve));
    }
    return queue.shift() as BackendMessage;
  };
  const untilReady = async (): Promise<BackendMessage[]> => {
    const out: BackendMessage[] = [];
    for (;;) {
      const m = await nextMessage();
      out.push(m);
      if (m.kind === 'authenticationCleartextPassword') socket.write(encodeFrontend({ kind: 'password', password: token }));
      if (m.kind === 'readyForQuery') return out;
    }
  };
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.write(encodeFrontend({ kind: 'startup', user: 'agent', database: s.pg.database }));
  const login = await untilReady();
  if (login.some((m) => m.kind === 'errorResponse')) throw new Error(`login failed: ${JSON.stringify(login)}`);
  return {
    async query(sql) {
      socket.write(encodeFrontend({ kind: 'query', sql }));
      return untilReady();
    },
    close() {
      socket.end(encodeFrontend({ kind: 'terminate' }));
    },
  };
}

/** copyText joins the CopyData payloads of a response. */
function copyText(messages: readonly BackendMessage[]): string {
  return messages.map((m) => (m.kind === 'copyData' ? m.data.toString('utf8') : '')).join('');
}

describe('masking: rows (simple protocol)', () => {
  it.each([
    { note: 'a column selected directly', sql: 'SELECT email FROM public.customers WHERE id = 1', rows: [{ email: '***********.com' }] },
    {
      note: 'a column renamed by an alias',
      sql: 'SELECT name, email AS contact FROM customers WHERE id = 2',
      rows: [{ name: 'Alan Turing', contact: '************.com' }],
    },
    {
      note: 'SELECT *',
      sql: 'SELECT * FROM customers WHERE id = 1',
      rows: [{ id: 1, name: 'Ada Lovelace', email: '***********.com', card_number: '************1111', created_at: expect.any(Date) }],
    },
    {
      note: 'a subquery column',
      sql: 'SELECT e FROM (SELECT email AS e FROM customers WHERE id = 3) s',
      rows: [{ e: '*************.com' }],
    },
    {
      note: 't.* in a join',
      sql: 'SELECT c.*, o.amount FROM customers c JOIN orders o ON o.customer_id = c.id WHERE o.id = 5',
      rows: [expect.objectContaining({ email: '**************.com', card_number: null, amount: '78.25' })],
    },
    { note: 'a NULL stays NULL', sql: 'SELECT card_number FROM customers WHERE id = 4', rows: [{ card_number: null }] },
    {
      note: 'a value with a tab and a backslash',
      sql: `SELECT card_number FROM customers WHERE id = ${ODD_ID}`,
      rows: [{ card_number: '**\t3\\4' }],
    },
    { note: 'an unmasked table', sql: 'SELECT status FROM orders WHERE id = 1', rows: [{ status: 'paid' }] },
  ])('masks $note', async ({ sql, rows }) => {
    const client = await connectAs('masked', ['db:read']);
    expect((await client.query(sql)).rows).toEqual(rows);
  });

  it('does not mask for an identity with pii:read', async () => {
    const client = await connectAs('pii-reader', ['db:read', 'pii:read']);
    expect((await client.query('SELECT email AS e FROM customers WHERE id = 1')).rows).toEqual([{ e: 'ada@example.com' }]);
  });

  it.each([
    {
      note: 'inside a function',
      sql: 'SELECT upper(email) FROM customers',
      message:
        'column public.customers.email is masked and cannot be used inside a function, cast or other expression: select the column itself (the gateway masks it) and work on the masked value, or ask for the pii:read role',
    },
    {
      note: 'inside a concatenation',
      sql: "SELECT name || ':' || card_number AS x FROM customers",
      message:
        'column public.customers.card_number is masked and cannot be used inside a function, cast or other expression: select the column itself (the gateway masks it) and work on the masked value, or ask for the pii:read role',
    },
    {
      note: 'as a whole row',
      sql: 'SELECT row_to_json(c) FROM customers c',
      message: /^column public\.customers\.\w+ is masked and cannot be used inside a function, cast or other expression/,
    },
  ])('denies a masked column $note', async ({ sql, message }) => {
    const client = await connectAs('masked', ['db:read']);
    const err = await failure(client.query(sql));
    expect(err.code).toBe('42501');
    expect(err.message).toEqual(message instanceof RegExp ? expect.stringMatching(message) : message);
    // the shipped policy refuses the use (pii.masked_use) before the gateway's own output check (portcullis.masking)
    expect(err.detail).toBe('rule: pii.masked_use');
  });
});

describe('masking: rows (extended protocol)', () => {
  it.each([
    {
      note: 'unnamed statement',
      query: { text: 'SELECT email AS mail FROM customers WHERE id = $1', values: [1] },
      rows: [{ mail: '***********.com' }],
    },
    {
      note: 'named statement, twice',
      query: { name: 'mail-of', text: 'SELECT * FROM customers WHERE id = $1', values: [5] },
      rows: [expect.objectContaining({ email: '***************.com', card_number: '************0004' })],
    },
  ])('masks $note', async ({ query, rows }) => {
    const client = await connectAs('masked-ext', ['db:read']);
    expect((await client.query(query as pg.QueryConfig)).rows).toEqual(rows);
    expect((await client.query(query as pg.QueryConfig)).rows).toEqual(rows);
  });

  it('masks text columns in binary result format, as in text', async () => {
    const client = await connectAs('masked-bin', ['db:read']);
    // pg's QueryConfig type lacks `binary`, which pg honours (result format 1 in Bind)
    const binary = (text: string) => ({ text, values: [1], binary: true }) as pg.QueryConfig;
    const masked = await client.query(binary('SELECT email, card_number FROM customers WHERE id = $1'));
    expect(masked.rows.map((r) => ({ email: String(r.email), card: String(r.card_number) }))).toEqual([
      { email: '***********.com', card: '************1111' },
    ]);
    const star = await client.query(binary('SELECT * FROM customers WHERE id = $1'));
    expect(String(star.rows[0]?.email)).toBe('***********.com');
    // unmasked columns are binary as sent
    const ok = await client.query(binary('SELECT id FROM customers WHERE id = $1'));
    expect(ok.rows).toHaveLength(1);
  });

  it('refuses binary RETURNING of a masked column before the write runs', async () => {
    const client = await connectAs('masked-bin-writer', ['db:write']);
    const binary = (text: string) => ({ text, values: [1], binary: true }) as pg.QueryConfig;
    const err = await failure(client.query(binary('UPDATE customers SET name = name WHERE id = $1 RETURNING email')));
    expect(err.code).toBe('42501');
    expect(err.message).toBe('column public.customers.email is masked and cannot be returned in binary format');
  });
});

describe('masking: COPY TO STDOUT', () => {
  it.each([
    {
      note: 'text format of a whole table',
      sql: 'COPY customers (id, email, card_number) TO STDOUT',
      lines: ['1\t***********.com\t************1111', '4\t**************.com\t\\N', `${ODD_ID}\t***********.org\t**\\t3\\\\4`],
    },
    {
      note: 'COPY t TO (columns from the catalog)',
      sql: 'COPY customers TO STDOUT',
      lines: [
        expect.stringMatching(/^1\tAda Lovelace\t\*{11}\.com\t\*{12}1111\t2024-01-15/),
        expect.stringMatching(/^100\tOdd\\tName\t\*{11}\.org\t\*\*\\t3\\\\4\t/),
      ],
    },
    {
      note: 'CSV with a header from a query with *',
      sql: 'COPY (SELECT * FROM customers WHERE id IN (1, 4)) TO STDOUT WITH (FORMAT csv, HEADER)',
      lines: [
        'id,name,email,card_number,created_at',
        expect.stringMatching(/^1,Ada Lovelace,"\*{11}\.com","\*{12}1111",/),
        expect.stringMatching(/^4,Edsger Dijkstra,"\*{14}\.com",,/),
      ],
    },
    {
      note: 'CSV with another delimiter',
      sql: "COPY (SELECT id, card_number AS c FROM customers WHERE id IN (4, 100)) TO STDOUT WITH (FORMAT csv, DELIMITER ';')",
      lines: ['4;', `${ODD_ID};"**\t3\\4"`],
    },
  ])('masks $note', async ({ sql, lines }) => {
    const session = await rawSession(['db:read']);
    try {
      const messages = await session.query(sql);
      expect(messages.filter((m) => m.kind === 'errorResponse')).toEqual([]);
      expect(messages[0]?.kind).toBe('copyOutResponse');
      const got = copyText(messages).split('\n');
      expect(got[got.length - 1]).toBe('');
      for (const line of lines) expect(got).toContainEqual(line);
    } finally {
      session.close();
    }
  });

  it('denies binary COPY of a masked table before anything runs', async () => {
    const session = await rawSession(['db:read']);
    try {
      const messages = await session.query('COPY customers TO STDOUT (FORMAT binary)');
      expect(messages.map((m) => m.kind)).toEqual(['errorResponse', 'readyForQuery']);
      const err = messages[0] as Extract<BackendMessage, { kind: 'errorResponse' }>;
      expect(err.fields).toMatchObject({
        C: '42501',
        M: 'column public.customers.email is masked and cannot be returned in binary format',
      });
    } finally {
      session.close();
    }
  });

  it.each([
    "COPY customers TO STDOUT (NULL 'ada@example.com')",
    "COPY customers (email) TO STDOUT (FORMAT csv, NULL '4111111111111111')",
    "COPY (SELECT id, card_number AS c FROM customers WHERE id IN (4, 100)) TO STDOUT WITH (FORMAT csv, DELIMITER ';', NULL 'NIL')",
  ])('denies a NULL option on COPY of masked columns (an equality oracle): %s', async (sql) => {
    const session = await rawSession(['db:read']);
    try {
      const messages = await session.query(sql);
      expect(messages.map((m) => m.kind)).toEqual(['errorResponse', 'readyForQuery']);
      expect((messages[0] as Extract<BackendMessage, { kind: 'errorResponse' }>).fields).toMatchObject({ C: '42501' });
    } finally {
      session.close();
    }
  });

  it('allows a NULL option on COPY of a table without masks', async () => {
    const session = await rawSession(['db:read']);
    try {
      const messages = await session.query("COPY orders (id) TO STDOUT (NULL 'none')");
      expect(messages.some((m) => m.kind === 'copyData')).toBe(true);
    } finally {
      session.close();
    }
  });

  it('denies COPY of a query over a masked table whose columns are renamed by an alias list', async () => {
    const session = await rawSession(['db:read']);
    try {
      const messages = await session.query('COPY (SELECT e FROM public.customers AS u(i, n, e)) TO STDOUT');
      expect(messages.map((m) => m.kind)).toEqual(['errorResponse', 'readyForQuery']);
      expect((messages[0] as Extract<BackendMessage, { kind: 'errorResponse' }>).fields).toMatchObject({ C: '42501' });
    } finally {
      session.close();
    }
  });

  it('copies an unmasked table unchanged', async () => {
    const session = await rawSession(['db:read']);
    try {
      const messages = await session.query('COPY (SELECT id, status FROM orders ORDER BY id LIMIT 2) TO STDOUT');
      expect(copyText(messages)).toBe('1\tpaid\n2\tshipped\n');
    } finally {
      session.close();
    }
  });
});

describe('masking: FROM alias column lists', () => {
  it.each([
    // no WHERE: which column `i` is, only the table says, so a filter on it counts as a use of every masked column
    { note: 'plain', sql: 'SELECT e FROM public.customers AS u(i, n, e)', column: 'e' },
    { note: 'all columns', sql: 'SELECT * FROM public.customers AS u(i, n, e, c)', column: 'e' },
  ])('masks a renamed column: $note', async ({ sql, column }) => {
    const client = await connectAs('alias-reader', ['db:read']);
    const r = await client.query(sql);
    expect(r.rows.map((row: Record<string, unknown>) => row[column])).toContain('***********.com');
    expect(JSON.stringify(r.rows)).not.toContain('ada@example.com');
  });

  it.each([
    'SELECT upper(e) FROM public.customers AS u(i, n, e)',
    "SELECT e || '' FROM public.customers AS u(i, n, e)",
    'SELECT x FROM (SELECT lower(e) AS x FROM public.customers u(i, n, e)) s',
  ])('refuses a renamed masked column inside an expression: %s', async (sql) => {
    const client = await connectAs('alias-reader', ['db:read']);
    const err = await failure(client.query(sql));
    expect(err.code).toBe('42501');
    // the shipped policy refuses the use itself (pii.masked_use) before the gateway's own check
    expect(err.message).toMatch(/is masked and cannot be used inside a function, cast or other expression/);
    expect(err.detail).toBe('rule: pii.masked_use');
  });
});

describe('masking: upstream error texts', () => {
  // PostgreSQL quotes the offending value in these errors; for a statement over a masked table the
  // client gets the SQLSTATE with a generic message, and the operator's events keep the original
  it.each([
    // (casts of the masked columns themselves never get this far: the shipped policy refuses them, pii.masked_use)
    { note: 'a cast in WHERE', sql: 'SELECT id FROM public.customers WHERE name::int = 1', code: '22P02' },
    { note: 'a cast to date', sql: 'SELECT id FROM public.customers WHERE name::date IS NULL', code: '22007' },
    { note: 'a cast in ORDER BY', sql: 'SELECT id FROM public.customers ORDER BY name::int', code: '22P02' },
    { note: 'a cast in HAVING', sql: 'SELECT count(*) FROM public.customers HAVING max(name)::int > 0', code: '22P02' },
  ])('withholds the message of $note ($code), simple and extended', async ({ sql, code }) => {
    const client = await connectAs('error-reader', ['db:read']);
    for (const query of [client.query(sql), client.query({ text: sql, values: [] })]) {
      const err = await failure(query);
      expect(err.code).toBe(code);
      expect(err.message).toMatch(/withheld because the statement touches masked columns/);
      expect(`${err.message} ${err.detail ?? ''} ${err.hint ?? ''} ${err.where ?? ''}`).not.toMatch(/Lovelace|Turing|Hopper|Odd/);
    }
    const withheld = stack.current.events.filter((e) => e.type === 'statement.withheld' && e.subject === 'error-reader');
    expect(withheld.length).toBeGreaterThanOrEqual(2);
    expect(withheld.at(-1)).toMatchObject({ sqlstate: code, message: expect.stringMatching(/invalid input syntax|out of range|invalid/) });
  });

  it('keeps upstream errors as they are for an identity that sees the columns, and for statements without masks', async () => {
    const pii = await connectAs('error-pii', ['db:read', 'pii:read']);
    const err = await failure(pii.query('SELECT id FROM public.customers WHERE email::int = 1'));
    expect(err.code).toBe('22P02');
    expect(err.message).toMatch(/invalid input syntax for type integer/);
    const reader = await connectAs('error-reader-2', ['db:read']);
    const other = await failure(reader.query('SELECT id FROM public.orders WHERE status::int = 1'));
    expect(other.message).toMatch(/invalid input syntax for type integer/);
  });
});
