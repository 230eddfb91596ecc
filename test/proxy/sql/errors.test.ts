// Refusals: NUL bytes, oversize strings (before parsing), syntax errors, trees too deep to walk.
// Each comes back as a value with a stable code and SQLSTATE, never as a throw, and reaches a
// client through toErrorFields with its clear message.

import { beforeAll, describe, expect, it } from 'vitest';
import { toErrorFields } from '../../../proxy/errors.js';
import { analyze, initSql, SqlError, SqlSyntaxError, SQL_ERROR_CODES } from '../../../proxy/sql/index.js';

beforeAll(async () => {
  await initSql();
});

describe('refused query strings', () => {
  const cases: ReadonlyArray<{ note: string; sql: string; maxBytes?: number; code: string; sqlstate: string; message: RegExp }> = [
    {
      note: 'text after a NUL',
      sql: 'SELECT 1\u0000; DROP TABLE t',
      code: 'ERR_PROXY_SQL_NUL',
      sqlstate: '08P01',
      message: /NUL byte at offset 8/,
    },
    { note: 'NUL then NULs then text', sql: 'SELECT 1\u0000\u0000x', code: 'ERR_PROXY_SQL_NUL', sqlstate: '08P01', message: /NUL byte/ },
    { note: 'NUL offset counted in bytes', sql: "SELECT 'é'\u0000x", code: 'ERR_PROXY_SQL_NUL', sqlstate: '08P01', message: /offset 11/ },
    {
      note: 'over maxBytes',
      sql: 'SELECT 1234567890',
      maxBytes: 10,
      code: 'ERR_PROXY_SQL_TOO_LARGE',
      sqlstate: '54000',
      message: /17 bytes exceeds the limit of 10 bytes/,
    },
    {
      note: 'maxBytes counts UTF-8 bytes',
      sql: "SELECT 'éééé'",
      maxBytes: 14,
      code: 'ERR_PROXY_SQL_TOO_LARGE',
      sqlstate: '54000',
      message: /17 bytes/,
    },
    {
      note: 'syntax error with position',
      sql: 'SELECT * FORM t',
      code: 'ERR_PROXY_SQL_SYNTAX',
      sqlstate: '42601',
      message: /^syntax error at or near "FORM" \(at character 10\)$/,
    },
    {
      note: 'position counted in characters',
      sql: "SELECT 'ééé' FROM WHERE",
      code: 'ERR_PROXY_SQL_SYNTAX',
      sqlstate: '42601',
      message: /"WHERE" \(at character 19\)/,
    },
    {
      note: 'end of input',
      sql: 'SELECT 1 FROM',
      code: 'ERR_PROXY_SQL_SYNTAX',
      sqlstate: '42601',
      message: /syntax error at end of input/,
    },
    {
      note: 'unterminated string',
      sql: "SELECT 'abc",
      code: 'ERR_PROXY_SQL_SYNTAX',
      sqlstate: '42601',
      message: /unterminated quoted string/,
    },
    {
      note: 'one bad statement refuses the whole string',
      sql: 'SELECT 1; DELETE t; SELECT 2',
      code: 'ERR_PROXY_SQL_SYNTAX',
      sqlstate: '42601',
      message: /syntax error/,
    },
    {
      note: "backslash-quote is not an escape (b'… starts a bit string)",
      sql: "SELECT 'a\\'b'",
      code: 'ERR_PROXY_SQL_SYNTAX',
      sqlstate: '42601',
      message: /^unterminated bit string literal/,
    },
    {
      note: 'nesting too deep for the parser',
      sql: `SELECT ${'('.repeat(20000)}1${')'.repeat(20000)}`,
      code: 'ERR_PROXY_SQL_SYNTAX',
      sqlstate: '42601',
      message: /memory exhausted|stack depth/,
    },
  ];

  it.each(cases)('$note', ({ sql, maxBytes, code, sqlstate, message }) => {
    const r = analyze(sql, maxBytes !== undefined ? { maxBytes } : {});
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toBeInstanceOf(SqlError);
    expect(r.error.code).toBe(code);
    expect(r.error.sqlstate).toBe(sqlstate);
    expect(r.error.message).toMatch(message);
    expect(SQL_ERROR_CODES).toContain(r.error.code);
    const fields = toErrorFields(r.error);
    expect(fields.code).toBe(sqlstate);
    expect(fields.message).toBe(r.error.message);
    expect(JSON.stringify(fields)).not.toMatch(/\bat .*\.(ts|js):\d+/); // no stack trace
  });

  it('reports the syntax position as a number', () => {
    const r = analyze('SELECT * FORM t');
    expect(!r.ok && r.error instanceof SqlSyntaxError ? r.error.position : -1).toBe(10);
  });
});

describe('accepted edge cases', () => {
  const cases = [
    { note: 'trailing NULs are cut', sql: 'SELECT 1\u0000\u0000', texts: ['SELECT 1'] },
    { note: 'a lone NUL is an empty query', sql: '\u0000', texts: [] },
    { note: 'exactly maxBytes', sql: 'SELECT 1', maxBytes: 8, texts: ['SELECT 1'] },
    {
      note: 'a long left-deep expression',
      sql: `SELECT ${Array.from({ length: 3000 }, (_, i) => `a${i}`).join(' + ')} FROM t`,
      texts: null,
    },
  ];
  it.each(cases)('$note', ({ sql, maxBytes, texts }) => {
    const r = analyze(sql, maxBytes !== undefined ? { maxBytes } : {});
    expect(r.ok).toBe(true);
    if (r.ok && texts !== null) expect(r.statements.map((s) => s.text)).toEqual(texts);
  });

  it('refuses an oversize string before parsing it (no parse of 2 MiB of garbage)', () => {
    const r = analyze(`SELECT ${'('.repeat(2 * 1024 * 1024)}`);
    expect(r.ok ? 'ok' : r.error.code).toBe('ERR_PROXY_SQL_TOO_LARGE');
  });

  it('keeps working after refusals', () => {
    analyze('SELECT * FORM t');
    analyze(`SELECT ${'('.repeat(20000)}1${')'.repeat(20000)}`);
    const r = analyze('SELECT 1');
    expect(r.ok && r.statements[0]?.kind).toBe('select');
  });
});
