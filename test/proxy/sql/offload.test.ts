// Analysis of long statements on worker threads (proxy/sql/offload.ts): the same facts and errors
// as analyze() on this thread, a time budget and a heap bound that refuse with
// SqlTooComplexError (54001) and replace the worker, deep nesting refused as a clear error, and
// analyzeBounded() keeping short statements synchronous. Real workers, real parser.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AnalysisPool,
  analyze,
  analyzeBounded,
  closeAnalysis,
  initSql,
  OFFLOAD_MIN_CHARS,
  SqlSyntaxError,
  SqlTooComplexError,
} from '../../../proxy/sql/index.js';
import type { AnalyzeResult } from '../../../proxy/sql/index.js';

/** orChain is `SELECT … WHERE a = 0 OR a = 1 …` of about `bytes` bytes. */
function orChain(bytes: number): string {
  const head = 'SELECT id, name FROM public.customers WHERE ';
  const terms: string[] = [];
  let len = head.length;
  for (let i = 0; len < bytes - 16; i++) {
    const t = `id = ${i}`;
    terms.push(t);
    len += t.length + 4;
  }
  return head + terms.join(' OR ');
}

/** plain drops class identity (results from a worker are rebuilt), keeping every field. */
function plain(r: AnalyzeResult): unknown {
  return r.ok
    ? JSON.parse(JSON.stringify(r))
    : { ok: false, name: r.error.name, code: r.error.code, sqlstate: r.error.sqlstate, message: r.error.message };
}

const pools: AnalysisPool[] = [];
function pool(options: ConstructorParameters<typeof AnalysisPool>[0] = {}): AnalysisPool {
  const p = new AnalysisPool({ size: 1, ...options });
  pools.push(p);
  return p;
}

beforeAll(() => initSql());
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
  await closeAnalysis();
});

describe('AnalysisPool', () => {
  it('analyses on a worker exactly as analyze() does here: facts, non-ASCII offsets, syntax errors', async () => {
    const p = pool();
    const inputs = [
      orChain(64 * 1024),
      `SELECT 'ünïcødé' AS u, ${'1, '.repeat(3000)}2; UPDATE public.orders SET status = 'paid' WHERE id = 1 RETURNING id`,
      `SELECT ${'a, '.repeat(3000)} FROM WHERE`,
      `SELECT ${'(SELECT '.repeat(300)}1${')'.repeat(300)} AS deep, ${'a, '.repeat(2000)} b FROM t`,
    ];
    for (const sql of inputs) expect(plain(await p.run(sql))).toEqual(plain(analyze(sql)));
    const bad = await p.run(inputs[2] as string);
    expect(!bad.ok && bad.error).toBeInstanceOf(SqlSyntaxError);
    expect(p.replaced).toBe(0);
  });

  it('refuses past the time budget with 54001, replaces the worker, and analyses the next statement', async () => {
    // a 1 MiB OR-chain takes well over a second to analyse; the budget is 20 ms
    const p = pool({ maxMs: 20 });
    const r = await p.run(orChain(1024 * 1024));
    expect(r.ok).toBe(false);
    const err = !r.ok ? r.error : undefined;
    expect(err).toBeInstanceOf(SqlTooComplexError);
    expect(err).toMatchObject({ code: 'ERR_PROXY_SQL_TOO_COMPLEX', sqlstate: '54001', budget: 'time', limit: 20 });
    expect(err?.message).toBe('portcullis: statement too complex to analyse within 20 ms; refused');
    expect(p.replaced).toBe(1);
    const next = await pool({ maxMs: 10_000 }).run('SELECT 1');
    expect(next.ok).toBe(true);
    // the same pool starts a fresh worker for the next statement
    const again = await p.run('SELECT 2');
    expect(again.ok).toBe(true);
  });

  it('refuses past the heap bound with 54001, replaces the worker, and analyses the next statement', async () => {
    const p = pool({ maxHeapMiB: 24 });
    const r = await p.run(orChain(1024 * 1024));
    expect(!r.ok && r.error).toMatchObject({ code: 'ERR_PROXY_SQL_TOO_COMPLEX', sqlstate: '54001', budget: 'memory', limit: 24 });
    expect(p.replaced).toBe(1);
    const next = await p.run('SELECT id FROM public.orders');
    expect(next.ok && next.statements[0]?.tables.read).toEqual(['public.orders']);
  });

  it('runs analyses one after another on one worker and refuses what is in flight at close', async () => {
    const p = pool();
    const results = await Promise.all([p.run('SELECT 1'), p.run('SELECT 2'), p.run('SELEC 3')]);
    expect(results.map((r) => r.ok)).toEqual([true, true, false]);
    expect(p.workers).toBe(1);
    const inFlight = p.run(orChain(1024 * 1024));
    expect(p.pending).toBe(1);
    await p.close();
    const r = await inFlight;
    expect(r.ok).toBe(false);
    expect(p.workers).toBe(0);
    expect(p.pending).toBe(0);
  });

  it('retires a worker after a long statement (the parser heap only grows) and after a failed analysis', async () => {
    const p = pool({ retireChars: 32 * 1024 });
    expect((await p.run('SELECT 1')).ok).toBe(true);
    expect(p.workers).toBe(1);
    expect((await p.run(orChain(40 * 1024))).ok).toBe(true);
    expect(p.workers).toBe(0);
    expect((await p.run(`SELECT 1${'+1'.repeat(60_000)}`)).ok).toBe(false);
    expect(p.workers).toBe(0);
    expect(p.replaced).toBe(0);
  });

  it('lets an idle worker exit', async () => {
    const p = pool({ idleMs: 1 });
    expect((await p.run('SELECT 1')).ok).toBe(true);
    await expect.poll(() => p.workers).toBe(0);
  });
});

describe('deep nesting fails closed with a clear error, on either thread', () => {
  const shapes: [string, string, string][] = [
    ['nested parentheses', `SELECT ${'('.repeat(200_000)}1${')'.repeat(200_000)}`, '42601'],
    ['nested scalar subqueries', `SELECT ${'(SELECT '.repeat(20_000)}1${')'.repeat(20_000)}`, '42601'],
    ['a left-deep sum', `SELECT 1${'+1'.repeat(300_000)}`, '54001'],
    ['nested arrays', `SELECT ${'ARRAY['.repeat(4000)}1${']'.repeat(4000)}`, '54001'],
    ['a long UNION ALL', `SELECT 1${' UNION ALL SELECT 1'.repeat(30_000)}`, '54001'],
  ];
  it.each(shapes)('%s', async (_, sql, sqlstate) => {
    const r = await analyzeBounded(sql);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.sqlstate).toBe(sqlstate);
    // the same refusal as here (the message may say parse or analyse: the threads' stacks differ a little)
    const here = analyze(sql);
    expect(!here.ok && [here.error.code, here.error.sqlstate]).toEqual(!r.ok && [r.error.code, r.error.sqlstate]);
  });
});

describe('analyzeBounded', () => {
  it('answers a short statement at once (no promise), a long one from a worker', async () => {
    const short = analyzeBounded('SELECT 1');
    expect(short).not.toBeInstanceOf(Promise);
    const sql = orChain(OFFLOAD_MIN_CHARS + 100);
    const long = analyzeBounded(sql);
    expect(long).toBeInstanceOf(Promise);
    expect(plain(await long)).toEqual(plain(analyze(sql)));
    // remembered: the same long statement again is answered at once
    expect(analyzeBounded(sql)).not.toBeInstanceOf(Promise);
  });

  it('refuses an oversize statement at once, before any worker', () => {
    const r = analyzeBounded(orChain(20_000), { maxBytes: 10_000 });
    expect(r).not.toBeInstanceOf(Promise);
    expect(!(r instanceof Promise) && !r.ok && r.error.code).toBe('ERR_PROXY_SQL_TOO_LARGE');
  });
});
