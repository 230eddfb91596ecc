// Robustness over ../shared/pg-regress-sql: ~12.6k statements split out of PostgreSQL 17's own
// regression tests. Every statement the real parser accepts must yield facts (no exception, no
// refusal, no statement dropped); every one it rejects must come back as a refusal value.

import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyze, initSql, STATEMENT_KINDS, type StatementFacts } from '../../../proxy/sql/index.js';
import { hasShared, sharedPath } from '../../helpers/shared.js';

const CORPUS = sharedPath('pg-regress-sql', 'regress-statements.json');

type CorpusEntry = { file: string; line: number; sql: string; lpqOk: boolean; lpqStmts: number };

describe.runIf(hasShared(CORPUS))('pg-regress-sql corpus', () => {
  let entries: CorpusEntry[] = [];

  beforeAll(async () => {
    await initSql();
    const parsed = JSON.parse(readFileSync(CORPUS, 'utf8')) as { statements?: CorpusEntry[] };
    entries = parsed.statements ?? [];
  });

  it('has the expected shape', () => {
    expect(entries.length).toBeGreaterThan(12000);
    expect(entries[0]).toMatchObject({ sql: expect.any(String), lpqOk: expect.any(Boolean) });
  });

  it('yields facts for every statement the parser accepts, and refusals for the rest', () => {
    const problems: string[] = [];
    let accepted = 0;
    let statements = 0;
    let refused = 0;
    const kinds = new Set<string>(STATEMENT_KINDS);
    for (const e of entries) {
      const where = `${e.file}:${e.line}`;
      let r: ReturnType<typeof analyze>;
      try {
        r = analyze(e.sql);
      } catch (err) {
        problems.push(`${where}: threw ${String(err)}`);
        continue;
      }
      if (!r.ok) {
        refused++;
        if (e.lpqOk) problems.push(`${where}: refused ${r.error.code} ${r.error.message}`);
        continue;
      }
      accepted++;
      statements += r.statements.length;
      if (!e.lpqOk) problems.push(`${where}: accepted although the reference parser rejected it`);
      if (r.statements.length !== e.lpqStmts) problems.push(`${where}: ${r.statements.length} statements, expected ${e.lpqStmts}`);
      for (const s of r.statements as StatementFacts[]) {
        if (!kinds.has(s.kind)) problems.push(`${where}: unknown kind ${s.kind}`);
        if (s.command === '' || !/^[0-9a-f]{64}$/.test(s.fingerprint)) problems.push(`${where}: missing command or fingerprint`);
        if (JSON.stringify(JSON.parse(JSON.stringify(s))) !== JSON.stringify(s)) problems.push(`${where}: facts not plain JSON`);
      }
    }
    // The accept count is part of the report: how much real PostgreSQL syntax is covered.
    console.log(`pg-regress-sql: ${accepted} of ${entries.length} query strings accepted (${statements} statements), ${refused} refused`);
    expect(problems.slice(0, 20)).toEqual([]);
    expect(accepted).toBe(entries.filter((e) => e.lpqOk).length);
  });
});
