// Before initSql() has loaded the parser, analyze() refuses every statement (fail closed) and
// initSql() is idempotent. Its own file: vitest gives each file a fresh module graph.

import { describe, expect, it } from 'vitest';
import { analyze, initSql } from '../../../proxy/sql/index.js';

describe('initSql', () => {
  it('refuses before the parser is loaded, then accepts', async () => {
    const before = analyze('SELECT 1');
    expect(before.ok ? 'ok' : [before.error.code, before.error.sqlstate]).toEqual(['ERR_PROXY_SQL_NOT_INITIALIZED', '58000']);
    await Promise.all([initSql(), initSql()]);
    await initSql();
    const after = analyze('SELECT 1');
    expect(after.ok).toBe(true);
  });
});
