// docs/errors.md against the error tables, both ways (fastify's test/internals/errors.test.js
// does the same for its FST_ERR_* table): every code of every part's table has one row with the
// table's SQLSTATE, HTTP status and exit code, and every row names a code that exists.

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DIAGNOSTIC_CODES } from '../engine/diagnostics/index.js';
import { EVAL_ERROR_CODES } from '../engine/runtime/index.js';
import { ERROR_ENTRIES, sqlstateCell } from './helpers/error-tables.js';

const docs = readFileSync(resolve(dirname(fileURLToPath(import.meta.url)), '../docs/errors.md'), 'utf8');

/** DocRow is one row of a table in docs/errors.md whose first cell is a code in backticks. */
type DocRow = { readonly code: string; readonly line: number; readonly cells: ReadonlyMap<string, string> };

/** docRows reads every code row of every markdown table, its cells keyed by the table's header. */
function docRows(text: string): DocRow[] {
  const rows: DocRow[] = [];
  let header: string[] | undefined;
  text.split('\n').forEach((line, i) => {
    if (!line.startsWith('|')) {
      header = undefined;
      return;
    }
    const cells = line
      .slice(1, line.trimEnd().endsWith('|') ? line.trimEnd().length - 1 : undefined)
      .split(' | ')
      .map((c) => c.trim());
    if (header === undefined) {
      header = cells;
      return;
    }
    const code = /^`([^`]+)`$/.exec(cells[0] ?? '')?.[1];
    if (code === undefined) return;
    rows.push({ code, line: i + 1, cells: new Map(header.map((h, j) => [h, cells[j] ?? ''])) });
  });
  return rows;
}

const rows = docRows(docs);
const engineCodes = new Set<string>([...DIAGNOSTIC_CODES, ...EVAL_ERROR_CODES]);
const tableCodes = new Set(ERROR_ENTRIES.map((e) => e.code));

describe('docs/errors.md from the error tables', () => {
  it('has rows to check (the parser found the tables)', () => {
    expect(rows.length).toBeGreaterThan(ERROR_ENTRIES.length);
  });

  it('declares each code in one table only', () => {
    expect(tableCodes.size).toBe(ERROR_ENTRIES.length);
  });

  const entries = ERROR_ENTRIES.map((e) => ({ note: `${e.part}: ${e.code}`, ...e }));
  it.each(entries)('$note has one row showing its table values', ({ code, spec }) => {
    const mine = rows.filter((r) => r.code === code);
    expect(mine).toHaveLength(1);
    const row = mine[0] as DocRow;
    expect(row.cells.get('HTTP')).toBe(String(spec.http));
    if (spec.sqlstate !== undefined) expect(row.cells.get('SQLSTATE')).toBe(sqlstateCell(spec));
    else expect(row.cells.get('SQLSTATE') ?? '—').toBe('—');
    if (spec.exit !== undefined) expect(row.cells.get('exit')).toBe(String(spec.exit));
  });

  it.each(rows.map((r) => ({ note: `line ${r.line}: ${r.code}`, ...r })))('$note names a code that exists', ({ code }) => {
    expect(tableCodes.has(code) || engineCodes.has(code)).toBe(true);
  });

  it.each([...engineCodes].map((code) => ({ code })))('has a row for the engine code $code', ({ code }) => {
    expect(rows.filter((r) => r.code === code)).toHaveLength(1);
  });
});
