// The large-result section's client (test/bench/stream-client.ts): its framer hands on the same
// messages and counts the same rows wherever the stream is cut, and streamQuery reads a real
// PostgreSQL's answer (SCRAM login) to the end, counting rows and bytes, or rejects with the
// server's SQLSTATE.

import { describe, expect, it } from 'vitest';
import { usePostgres } from '../helpers/postgres.js';
import { backend } from '../helpers/wire-buffers.js';
import { RowSkippingFramer, streamQuery } from './stream-client.js';
import type { Endpoint } from './pgbench-tool.js';

const rows = [
  ['1', 'ada@example.com'],
  ['2', null],
  ['3', 'grace@example.com'],
  ['4', ''],
];
const stream = Buffer.concat([
  backend.rowDescription([{ name: 'id' }, { name: 'email' }]),
  ...rows.map((r) => backend.dataRow(r)),
  backend.commandComplete('SELECT 4'),
  backend.readyForQuery(),
]);
const rowBytes = rows.reduce((n, r) => n + backend.dataRow(r).length, 0);

/** feed pushes the stream cut at the given offsets and returns the tags handed on and the counters. */
function feed(keepRows: number, cuts: readonly number[]): { tags: string; rows: number; dataRowBytes: number; kept: Buffer[] } {
  const kept: Buffer[] = [];
  const framer = new RowSkippingFramer((f) => kept.push(f.raw), keepRows);
  let from = 0;
  for (const to of [...cuts, stream.length]) {
    framer.push(stream.subarray(from, to));
    from = to;
  }
  return {
    tags: kept.map((b) => String.fromCharCode(b[0] as number)).join(''),
    rows: framer.rows,
    dataRowBytes: framer.dataRowBytes,
    kept,
  };
}

describe('RowSkippingFramer', () => {
  const cases = [
    { note: 'keeps no rows', keepRows: 0, tags: 'TCZ' },
    { note: 'keeps the first row', keepRows: 1, tags: 'TDCZ' },
    { note: 'keeps every row when asked for more', keepRows: 10, tags: 'TDDDDCZ' },
  ];
  it.each(cases)('$note, wherever the stream is cut', ({ keepRows, tags }) => {
    const whole = feed(keepRows, []);
    expect(whole).toMatchObject({ tags, rows: rows.length, dataRowBytes: rowBytes });
    expect(whole.kept.map((b) => b.length).reduce((a, b) => a + b, 0)).toBe(
      stream.length - rowBytes + rows.slice(0, keepRows).reduce((n, r) => n + backend.dataRow(r).length, 0),
    );
    for (let cut = 1; cut < stream.length; cut++) expect(feed(keepRows, [cut])).toEqual(whole);
    const everyByte = Array.from({ length: stream.length - 1 }, (_, i) => i + 1);
    expect(feed(keepRows, everyByte)).toEqual(whole);
  });

  it('hands on the kept messages byte for byte', () => {
    const { kept } = feed(1, [3, 20, 21]);
    expect(kept[1]).toEqual(backend.dataRow(rows[0] as string[]));
    expect(kept[3]).toEqual(backend.readyForQuery());
  });

  it('refuses a length under 4', () => {
    const framer = new RowSkippingFramer(() => undefined);
    expect(() => framer.push(Buffer.from([0x44, 0, 0, 0, 3]))).toThrow("backend message 'D' declares length 3 (< 4)");
  });
});

const postgres = usePostgres({
  users: [
    { name: 'md5_user', password: 'md5-secret-Pw1', auth: 'md5' },
    { name: 'clear_user', password: 'clear-secret-Pw1', auth: 'password' },
  ],
});
const endpoint = (password?: string): Endpoint => {
  const pg = postgres.current;
  return { host: pg.host, port: pg.port, user: pg.superuser.name, password: password ?? pg.superuser.password, database: pg.database };
};

describe('streamQuery against PostgreSQL', () => {
  it('reads a result to the end, counting its rows and bytes', async () => {
    const r = await streamQuery(endpoint(), "SELECT g AS id, 'user' || g || '@example.com' AS email FROM generate_series(1, 20000) AS g");
    expect(r).toMatchObject({ rows: 20_000, columns: ['id', 'email'], firstRow: ['1', 'user1@example.com'], tag: 'SELECT 20000' });
    // each DataRow: header 5, column count 2, two values with int32 lengths
    const expected = Array.from({ length: 20_000 }, (_, i) => 5 + 2 + 4 + String(i + 1).length + 4 + `user${i + 1}@example.com`.length);
    expect(r.dataRowBytes).toBe(expected.reduce((a, b) => a + b, 0));
    // plus RowDescription, CommandComplete and ReadyForQuery
    expect(r.bytes).toBeGreaterThan(r.dataRowBytes);
    expect(r.bytes).toBeLessThan(r.dataRowBytes + 200);
    expect(r.seconds).toBeGreaterThan(0);
  });

  const failures = [
    {
      note: 'an error in the query',
      password: undefined,
      sql: 'SELECT * FROM no_such_table',
      error: /SQLSTATE 42P01: relation "no_such_table" does not exist/,
    },
    { note: 'a refused login', password: 'wrong', sql: 'SELECT 1', error: /SQLSTATE 28P01/ },
  ];
  it.each(failures)('rejects with the server’s SQLSTATE: $note', async ({ password, sql, error }) => {
    await expect(streamQuery(endpoint(password), sql)).rejects.toThrow(error);
  });

  const logins = [
    { note: 'SCRAM-SHA-256', user: undefined, password: undefined },
    { note: 'md5', user: 'md5_user', password: 'md5-secret-Pw1' },
    { note: 'cleartext password', user: 'clear_user', password: 'clear-secret-Pw1' },
  ];
  it.each(logins)('logs in with $note', async ({ user, password }) => {
    const r = await streamQuery({ ...endpoint(password), ...(user !== undefined ? { user } : {}) }, 'SELECT current_user AS who');
    expect(r.firstRow).toEqual([user ?? postgres.current.superuser.name]);
  });

  it('rejects when nothing listens', async () => {
    await expect(streamQuery({ ...endpoint(), port: 1 }, 'SELECT 1')).rejects.toThrow(/ECONNREFUSED/);
  });
});
