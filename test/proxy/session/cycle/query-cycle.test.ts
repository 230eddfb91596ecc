// Unit tests of the query cycle's protocol state machine with in-memory channels: a scripted
// upstream that answers like PostgreSQL, the real SQL analyzer and a small decide function.
// Covers what e2e clients cannot easily send: Binds to refused or unknown statements, batches
// cut by Flush, our own Describe before a masked Execute, FunctionCall, Terminate.

import { beforeAll, describe, expect, it } from 'vitest';
import { decodeBackend, encodeBackend, encodeFrontend, FrameReader } from '../../../../proxy/wire/index.js';
import type { BackendMessage, FrontendMessageOut } from '../../../../proxy/wire/index.js';
import { initSql } from '../../../../proxy/sql/index.js';
import type { Decision, PolicyInput } from '../../../../proxy/decision/index.js';
import { runQueryCycle } from '../../../../proxy/session/cycle/query-cycle.js';
import type { SessionContext, SessionEnd } from '../../../../proxy/session/index.js';
import type { CatalogResolver } from '../../../../proxy/catalog/index.js';
import { FakeChannel } from '../../../helpers/fake-channel.js';
import type { UpstreamConnection } from '../../../../proxy/upstream/index.js';
import { createGate } from '../../../../proxy/gate/index.js';

/** messages decodes bytes the client received; tags lists the tag letters of recorded frames (either direction). */
function messages(bufs: readonly Buffer[]): BackendMessage[] {
  const reader = new FrameReader({ maxFrameBytes: 1 << 20, startup: false });
  return reader.push(Buffer.concat(bufs)).map((f) => decodeBackend(f));
}
function tags(bufs: readonly Buffer[]): string {
  const reader = new FrameReader({ maxFrameBytes: 1 << 20, startup: false });
  return reader
    .push(Buffer.concat(bufs))
    .map((f) => (f.kind === 'tagged' ? f.tag : '?'))
    .join('');
}

const CUSTOMERS = 16_400;

/**
 * fakePostgres answers frontend messages like PostgreSQL would for `SELECT email FROM customers`
 * style statements: Parse → '1', Bind → '2', Describe P → RowDescription (email, customers attnum 3),
 * Describe S → 't' + 'T', Execute → two DataRows + CommandComplete, Close → '3', Sync → 'Z',
 * Query → the same rows + 'Z'. A Parse of text containing "fail" answers ErrorResponse and skips to Sync.
 */
function fakePostgres(upstream: FakeChannel, queryStatus: 'I' | 'T' | 'E' = 'I'): void {
  const reader = new FrameReader({ maxFrameBytes: 1 << 20, startup: false });
  let skipping = false;
  const rowDescription = encodeBackend({
    kind: 'rowDescription',
    fields: [{ name: 'mail', tableOID: CUSTOMERS, columnAttr: 3, dataTypeOID: 25, dataTypeSize: -1, typeModifier: -1, format: 0 }],
  });
  const rows = [encodeBackend({ kind: 'dataRow', values: ['ada@example.com'] }), encodeBackend({ kind: 'dataRow', values: [null] })];
  upstream.onWrite = (bytes) => {
    for (const f of reader.push(bytes)) {
      if (f.kind !== 'tagged') continue;
      const out: Buffer[] = [];
      if (skipping && f.tag !== 'S') continue;
      switch (f.tag) {
        case 'P':
          // ABORT_SQL ('PORTCULLIS REFUSED') does not parse in PostgreSQL either
          if (f.payload.includes('fail') || f.payload.includes('PORTCULLIS')) {
            out.push(encodeBackend({ kind: 'errorResponse', severity: 'ERROR', code: '42P05', message: 'upstream refused' }));
            skipping = true;
          } else out.push(encodeBackend({ kind: 'parseComplete' }));
          break;
        case 'B':
          out.push(encodeBackend({ kind: 'bindComplete' }));
          break;
        case 'D':
          if (f.payload[0] === 0x53) out.push(Buffer.from([0x74, 0, 0, 0, 6, 0, 0]));
          out.push(rowDescription);
          break;
        case 'E':
          out.push(...rows, encodeBackend({ kind: 'commandComplete', tag: 'SELECT 2' }));
          break;
        case 'C':
          out.push(encodeBackend({ kind: 'closeComplete' }));
          break;
        case 'S':
          skipping = false;
          out.push(encodeBackend({ kind: 'readyForQuery', status: 'I' }));
          break;
        case 'Q':
          out.push(
            rowDescription,
            ...rows,
            encodeBackend({ kind: 'commandComplete', tag: 'SELECT 2' }),
            encodeBackend({ kind: 'readyForQuery', status: queryStatus }),
          );
          break;
        case 'X':
          break;
        default:
          break;
      }
      if (out.length > 0) queueMicrotask(() => upstream.feed(Buffer.concat(out)));
    }
  };
}

/** decide allows SELECTs, masking public.customers.email, and denies everything else. */
const decide = (input: PolicyInput): Decision =>
  input.statement.kind === 'select'
    ? { kind: 'allow', masks: [{ table: 'public.customers', column: 'email', kind: 'redact' }] }
    : {
        kind: 'deny',
        reason: `no ${input.statement.kind}`,
        rule: 'test.only_select',
        origin: 'policy',
        reasons: [{ reason: `no ${input.statement.kind}`, rule: 'test.only_select' }],
      };

const catalog: CatalogResolver = {
  resolveColumn: async (oid, attnum) => (oid === CUSTOMERS && attnum === 3 ? { table: 'public.customers', column: 'email' } : undefined),
  columnsOf: async () => undefined,
  invalidate: () => undefined,
};

/** session runs a query cycle over fake channels; the client's frames are fed by `send`. */
function session(
  reuseUpstream?: boolean,
  queryStatus: 'I' | 'T' | 'E' = 'I',
): {
  client: FakeChannel;
  upstream: FakeChannel;
  send(...msgs: (FrontendMessageOut | Buffer)[]): void;
  done: Promise<void>;
  end: Promise<SessionEnd | undefined>;
} {
  const client = new FakeChannel();
  const upstream = new FakeChannel() as FakeChannel & UpstreamConnection;
  Object.assign(upstream, { backendKey: { processId: 1, secretKey: 2 }, parameters: new Map() });
  fakePostgres(upstream, queryStatus);
  const ctx: SessionContext = {
    id: 's1',
    client,
    upstream,
    principal: { subject: 'agent', issuer: 'test', audience: ['portcullis'], claims: { sub: 'agent' } } as never,
    connection: { database: 'db', user: 'agent', applicationName: '', clientAddress: '127.0.0.1', tls: false },
    startedAt: 0,
    gate: createGate({ decide, catalog, now: () => 0 }),
    catalog,
    limits: { maxStatementBytes: 4096 },
    events: { publish: () => undefined },
    ...(reuseUpstream !== undefined ? { reuseUpstream } : {}),
  };
  const end = runQueryCycle(ctx);
  return {
    client,
    upstream,
    send: (...msgs) => client.feed(Buffer.concat(msgs.map((m) => (Buffer.isBuffer(m) ? m : encodeFrontend(m))))),
    done: end.then(() => undefined),
    end,
  };
}

/** readyCount polls until the client has received `n` ReadyForQuery messages and returns what it got. */
async function readyCount(client: FakeChannel, n: number): Promise<BackendMessage[]> {
  for (let i = 0; i < 500; i++) {
    const msgs = messages(client.written);
    if (msgs.filter((m) => m.kind === 'readyForQuery').length >= n) return msgs;
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error(`client got ${tags(client.written)} without ${n} ReadyForQuery`);
}

const errorOf = (msgs: readonly BackendMessage[]) =>
  msgs
    .filter((m) => m.kind === 'errorResponse')
    .map((m) => (m.kind === 'errorResponse' ? { C: m.fields['C'], M: m.fields['M'], D: m.fields['D'] } : undefined));
const values = (msgs: readonly BackendMessage[]) =>
  msgs.flatMap((m) => (m.kind === 'dataRow' ? [m.values.map((v) => (v === null ? null : v.toString()))] : []));

beforeAll(async () => {
  await initSql();
});

describe('query cycle state machine', () => {
  it.each([
    {
      note: 'a masked extended query with Describe',
      batches: [
        [
          { kind: 'parse', query: 'SELECT email AS mail FROM customers' },
          { kind: 'bind' },
          { kind: 'describe', target: 'P' },
          { kind: 'execute' },
          { kind: 'sync' },
        ],
      ] as FrontendMessageOut[][],
      upstream: 'PBDES',
      client: '12TDDCZ',
      rows: [['****'], [null]],
      errors: [],
    },
    {
      note: 'a masked Execute without Describe: our own Describe, answered to us only',
      batches: [
        [{ kind: 'parse', query: 'SELECT email AS mail FROM customers' }, { kind: 'bind' }, { kind: 'execute' }, { kind: 'sync' }],
      ] as FrontendMessageOut[][],
      upstream: 'PBDES',
      client: '12DDCZ',
      rows: [['****'], [null]],
      errors: [],
    },
    {
      note: 'a denied Bind: nothing but Sync upstream, one error, then ReadyForQuery',
      batches: [
        [
          { kind: 'parse', query: 'DELETE FROM customers WHERE id = $1' },
          { kind: 'bind', values: [Buffer.from('1')] },
          { kind: 'execute' },
          { kind: 'sync' },
        ],
      ] as FrontendMessageOut[][],
      upstream: 'S',
      client: 'EZ',
      rows: [],
      errors: [{ C: '42501', M: 'no delete', D: 'rule: test.only_select' }],
    },
    {
      note: 'a Bind to a statement whose Parse was refused in an earlier batch',
      batches: [
        [{ kind: 'parse', name: 's1', query: 'SELEC 1' }, { kind: 'sync' }],
        [{ kind: 'bind', statement: 's1' }, { kind: 'execute' }, { kind: 'sync' }],
      ] as FrontendMessageOut[][],
      upstream: 'SS',
      client: 'EZEZ',
      rows: [],
      errors: [
        expect.objectContaining({ C: '42601' }),
        { C: '26000', M: 'prepared statement "s1" does not exist or was refused by portcullis', D: undefined },
      ],
    },
    {
      note: 'a Bind to a statement the upstream refused (not remembered)',
      batches: [
        [{ kind: 'parse', name: 's2', query: "SELECT 'fail'" }, { kind: 'sync' }],
        [{ kind: 'bind', statement: 's2' }, { kind: 'execute' }, { kind: 'sync' }],
      ] as FrontendMessageOut[][],
      upstream: 'PSS',
      client: 'EZEZ',
      rows: [],
      errors: [expect.objectContaining({ C: '42P05' }), expect.objectContaining({ C: '26000' })],
    },
    {
      note: 'a named statement reused across batches, then closed',
      batches: [
        [{ kind: 'parse', name: 'q', query: 'SELECT email FROM customers' }, { kind: 'sync' }],
        [
          { kind: 'bind', statement: 'q' },
          { kind: 'describe', target: 'P' },
          { kind: 'execute' },
          { kind: 'close', target: 'S', name: 'q' },
          { kind: 'sync' },
        ],
        [{ kind: 'bind', statement: 'q' }, { kind: 'execute' }, { kind: 'sync' }],
      ] as FrontendMessageOut[][],
      upstream: 'PSBDECSS',
      client: '1Z2TDDC3ZEZ',
      rows: [['****'], [null]],
      errors: [expect.objectContaining({ C: '26000' })],
    },
    {
      note: 'Describe of a statement passes through',
      batches: [
        [{ kind: 'parse', query: 'SELECT email FROM customers' }, { kind: 'describe', target: 'S' }, { kind: 'sync' }],
      ] as FrontendMessageOut[][],
      upstream: 'PDS',
      client: '1tTZ',
      rows: [],
      errors: [],
    },
    {
      note: 'an Execute of a portal never bound',
      batches: [[{ kind: 'execute', portal: 'cursor1' }, { kind: 'sync' }]] as FrontendMessageOut[][],
      upstream: 'S',
      client: 'EZ',
      rows: [],
      errors: [expect.objectContaining({ C: '34000' })],
    },
    {
      note: 'a simple query with masks',
      batches: [[{ kind: 'query', sql: 'SELECT email AS mail FROM customers' }]] as FrontendMessageOut[][],
      upstream: 'Q',
      client: 'TDDCZ',
      rows: [['****'], [null]],
      errors: [],
    },
    {
      note: 'a multi-statement simple query with one denied statement',
      batches: [[{ kind: 'query', sql: 'SELECT 1; DELETE FROM customers; SELECT 2' }]] as FrontendMessageOut[][],
      upstream: '',
      client: 'EZ',
      rows: [],
      errors: [{ C: '42501', M: 'no delete', D: 'rule: test.only_select' }],
    },
  ])('$note', async ({ batches, upstream: upstreamTags, client: clientTags, rows, errors }) => {
    const s = session();
    for (const [i, batch] of batches.entries()) {
      s.send(...batch);
      await readyCount(s.client, i + 1);
    }
    s.send({ kind: 'terminate' });
    await s.done;
    const msgs = messages(s.client.written);
    expect(tags(s.client.written)).toBe(clientTags);
    expect(tags(s.upstream.written)).toBe(`${upstreamTags}X`);
    expect(values(msgs)).toEqual(rows);
    expect(errorOf(msgs)).toEqual(errors);
    expect(s.client.closed && s.upstream.closed).toBe(true);
  });

  it('discards messages after a refusal in a Flush batch until Sync', async () => {
    const s = session();
    s.send({ kind: 'parse', query: 'DELETE FROM customers' }, { kind: 'bind' }, { kind: 'flush' });
    s.send({ kind: 'execute' }, { kind: 'sync' });
    await readyCount(s.client, 1);
    s.client.finish();
    await s.done;
    expect(tags(s.client.written)).toBe('EZ');
    expect(tags(s.upstream.written)).toBe('SX');
  });

  it('aborts what a Flush forwarded when the rest of the pipeline is refused: a failing Parse goes before the Sync', async () => {
    const s = session();
    s.send({ kind: 'parse', query: 'SELECT email FROM customers' }, { kind: 'bind' }, { kind: 'execute' }, { kind: 'flush' });
    for (let i = 0; i < 500 && !tags(s.client.written).includes('C'); i++) await new Promise((r) => setTimeout(r, 2));
    s.send({ kind: 'parse', query: 'DELETE FROM customers' }, { kind: 'bind' }, { kind: 'execute' }, { kind: 'sync' });
    await readyCount(s.client, 1);
    s.client.finish();
    await s.done;
    // the upstream's syntax error for the abort stays with the gateway: the client sees one error, the refusal
    expect(tags(s.client.written)).toBe('12DDCEZ');
    expect(errorOf(messages(s.client.written))).toEqual([{ C: '42501', M: 'no delete', D: 'rule: test.only_select' }]);
    expect(tags(s.upstream.written)).toBe('PBDEHPSX');
  });

  it('refuses FunctionCall with 0A000 and goes on', async () => {
    const s = session();
    // FunctionCall: oid 1, no argument formats, no arguments, text result
    s.send(Buffer.from([0x46, 0, 0, 0, 14, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]));
    await readyCount(s.client, 1);
    s.send({ kind: 'query', sql: 'SELECT 1' });
    await readyCount(s.client, 2);
    s.client.finish();
    await s.done;
    expect(errorOf(messages(s.client.written))).toEqual([
      { C: '0A000', M: 'portcullis: the fast-path function call interface is not supported', D: undefined },
    ]);
    expect(tags(s.upstream.written)).toBe('QX');
  });

  it.each([
    { note: 'Terminate at rest: left open for the owner', reuse: true, flush: false, bye: 'terminate', idle: true, upstream: 'Q' },
    { note: 'the client gone at rest: left open for the owner', reuse: true, flush: false, bye: 'finish', idle: true, upstream: 'Q' },
    { note: 'work forwarded at a Flush, no Sync: ended', reuse: true, flush: true, bye: 'terminate', idle: false, upstream: 'PBDEHX' },
    { note: 'at rest without reuseUpstream: ended', reuse: false, flush: false, bye: 'terminate', idle: false, upstream: 'QX' },
    // the upstream's own word on the transaction decides, whatever the statements looked like
    { note: 'in a transaction block (T): ended', reuse: true, flush: false, bye: 'terminate', idle: false, upstream: 'QX', status: 'T' },
    { note: 'in a failed transaction (E): ended', reuse: true, flush: false, bye: 'finish', idle: false, upstream: 'QX', status: 'E' },
  ] as const)('$note', async ({ reuse, flush, bye, idle, upstream, ...rest }) => {
    const s = session(reuse, 'status' in rest ? rest.status : 'I');
    if (flush) {
      s.send({ kind: 'parse', query: 'SELECT email FROM customers' }, { kind: 'bind' }, { kind: 'execute' }, { kind: 'flush' });
      for (let i = 0; i < 500 && !tags(s.client.written).includes('C'); i++) await new Promise((r) => setTimeout(r, 2));
    } else {
      s.send({ kind: 'query', sql: 'SELECT 1' });
      await readyCount(s.client, 1);
      // a parameter change between requests reaches the client and the session's end
      s.upstream.feed(encodeBackend({ kind: 'parameterStatus', name: 'TimeZone', value: 'UTC' }));
      for (let i = 0; i < 500 && !tags(s.client.written).endsWith('S'); i++) await new Promise((r) => setTimeout(r, 2));
    }
    if (bye === 'terminate') s.send({ kind: 'terminate' });
    else s.client.finish();
    const end = await s.end;
    expect(tags(s.upstream.written)).toBe(upstream);
    expect(s.upstream.closed).toBe(!idle);
    expect(end?.idleUpstream !== undefined).toBe(idle);
    if (idle) expect(end?.idleUpstream?.reported).toEqual(new Map([['TimeZone', 'UTC']]));
  });

  it('reports a closed upstream and ends the session', async () => {
    const s = session();
    s.upstream.finish();
    await s.done;
    expect(errorOf(messages(s.client.written))).toEqual([expect.objectContaining({ C: '08006' })]);
    expect(s.client.closed).toBe(true);
  });
});
