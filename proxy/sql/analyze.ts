// Entry of proxy/sql: a query string → AnalyzeResult. Checks the size cap and NUL bytes before
// the parser sees anything, parses with libpg-query (the real PostgreSQL 17 parser, loaded once
// by initSql), slices each statement's own text and hands each parse tree to facts.ts.

import { loadModule, parseSync } from 'libpg-query';
import { messageOf } from '../errors.js';
import { RecentMap } from '../recent/index.js';
import type { AnalyzeOptions, AnalyzeResult, CatalogSnapshot, StatementFacts } from './types.js';
import { statementFacts } from './facts.js';
import { SqlAnalysisError, SqlNotInitializedError, SqlNulError, SqlSyntaxError, SqlTooLargeError, type SqlError } from './errors.js';
import { deepFreeze, factsOf, type FactsOf } from './facts-cache.js';
import { learnTemplate, lex, recallTemplate, type Lexed } from './template.js';
import { asFields, asList, asNode, asNumber } from './tree.js';
import { AnalysisPool, type OffloadOptions } from './offload.js';

/** ANALYZE_DEFAULTS are the option values analyze() uses when a field is absent. */
export const ANALYZE_DEFAULTS: Readonly<{ maxBytes: number; searchPath: readonly string[] }> = Object.freeze({
  maxBytes: 1024 * 1024,
  searchPath: Object.freeze(['public']),
});

// The parser's WebAssembly module is process-wide in libpg-query; loading it is the only state
// here, and it never changes once loaded.
let loading: Promise<void> | undefined;
let loaded = false;

/** initSql loads the parser's WebAssembly module; idempotent, safe to call concurrently. */
export function initSql(): Promise<void> {
  loading ??= loadModule().then(
    () => {
      loaded = true;
    },
    (err: unknown) => {
      loading = undefined; // let a later call retry
      throw err;
    },
  );
  return loading;
}

/** analyze parses a query string and returns the facts of each statement, or why it is refused. */
export function analyze(sql: string, opts: AnalyzeOptions = {}): AnalyzeResult {
  const maxBytes = opts.maxBytes ?? ANALYZE_DEFAULTS.maxBytes;
  const searchPath = opts.searchPath ?? ANALYZE_DEFAULTS.searchPath;
  // Agents repeat statements (prepared statements, polling loops): analysis is the gateway's
  // largest per-statement cost (parse ~10 µs, facts ~15 µs for a small SELECT), so successful
  // analyses are memoised by text and options. Results are deeply frozen. Statements that differ
  // only in literals are still parsed but share their facts (facts-cache.ts).
  // An analysis with the catalog's view of names is the gate's second look at a statement that
  // reads views or system relations; the snapshot changes under it, so it is not memoised here.
  const key = memoKey(sql, maxBytes, searchPath, opts.catalog);
  const hit = recall(key);
  if (hit !== undefined) return hit;
  // a statement that differs from one analysed before only in its literals is not parsed (template.ts)
  const lexed = key !== undefined && loaded ? lex(sql) : undefined;
  const templateKey = lexed !== undefined && lexed.literals.length > 0 ? `${searchPath.join('\u0001')}\u0000${lexed.template}` : undefined;
  if (templateKey !== undefined && Buffer.byteLength(sql, 'utf8') <= maxBytes) {
    const facts = recallTemplate(templateKey, sql, lexed as Lexed);
    if (facts !== undefined) {
      const result: AnalyzeResult = { ok: true, statements: [facts] };
      if (admit(key as string, true)) remember(key as string, result);
      return result;
    }
  }
  const { result, shared, single } = analyzeUncached(sql, maxBytes, searchPath, opts.catalog);
  if (templateKey !== undefined && single !== undefined && single.shape !== undefined && result.ok) {
    const [facts] = result.statements;
    if (facts !== undefined) learnTemplate(templateKey, sql, lexed as Lexed, single.canonical, single.shape, facts.text);
  }
  if (key !== undefined && result.ok && loaded && admit(key, shared)) remember(key, result);
  return result;
}

function memoKey(sql: string, maxBytes: number, searchPath: readonly string[], catalog: CatalogSnapshot | undefined): string | undefined {
  return catalog === undefined && sql.length <= CACHE_MAX_SQL_CHARS
    ? `${maxBytes}\u0000${searchPath.join('\u0001')}\u0000${sql}`
    : undefined;
}

function recall(key: string | undefined): AnalyzeResult | undefined {
  if (key === undefined) return undefined;
  return cache.get(key);
}

function remember(key: string, result: AnalyzeResult): void {
  if (!result.ok || !loaded) return;
  deepFreeze(result);
  cache.set(key, result);
  if (cache.size > CACHE_ENTRIES) cache.delete((cache.oldest() as [string, AnalyzeResult])[0]);
}

/**
 * OFFLOAD_MIN_CHARS is the length from which analyzeBounded() analyses a query string on a worker
 * thread. Below it (nearly every statement an agent sends) analysis stays on the calling thread,
 * with no hop between threads: typically well under a millisecond, and measured at most ~40 ms
 * for the most nested statements of this length (docs/config.md, "Analysis budget").
 */
export const OFFLOAD_MIN_CHARS = 4 * 1024;

// The pool of analysis workers is process-wide, like the parser; started on first use.
let pool: AnalysisPool | undefined;
let poolOptions: OffloadOptions = {};

/**
 * analyzeBounded is analyze() for the sessions: a short query string is analysed at once, a long
 * one on a worker thread (offload.ts), so it never stalls other sessions, within a time budget and
 * a bounded heap; past either it is refused with SqlTooComplexError (54001). The result is a
 * promise only for a long string.
 */
export function analyzeBounded(sql: string, opts: AnalyzeOptions = {}): AnalyzeResult | Promise<AnalyzeResult> {
  if (sql.length < OFFLOAD_MIN_CHARS) return analyze(sql, opts);
  // what analyze() refuses before parsing is refused here, without a trip to a worker
  const maxBytes = opts.maxBytes ?? ANALYZE_DEFAULTS.maxBytes;
  const bytes = Buffer.byteLength(sql, 'utf8');
  if (bytes > maxBytes) return fail(new SqlTooLargeError(bytes, maxBytes));
  if (!loaded) return fail(new SqlNotInitializedError());
  // a repeated long statement (up to CACHE_MAX_SQL_CHARS) is answered from the memo, here
  const key = memoKey(sql, maxBytes, opts.searchPath ?? ANALYZE_DEFAULTS.searchPath, opts.catalog);
  const hit = recall(key);
  if (hit !== undefined) return hit;
  pool ??= new AnalysisPool(poolOptions);
  const pending = pool.run(sql, opts);
  if (key === undefined) return pending;
  return pending.then((result) => {
    remember(key, result);
    return result;
  });
}

/** analysesInFlight counts the long statements being analysed on workers or waiting for one. */
export function analysesInFlight(): number {
  return pool?.pending ?? 0;
}

/**
 * configureAnalysis sets the budgets of analyzeBounded()'s workers (process-wide; the gateway
 * passes `limits.max_analysis_time`). Workers already running finish what they do and are replaced.
 */
export function configureAnalysis(options: OffloadOptions): void {
  poolOptions = { ...options };
  const old = pool;
  pool = undefined;
  void old?.close();
}

/** closeAnalysis terminates the analysis workers (the gateway's close); a later long statement starts them again. */
export async function closeAnalysis(): Promise<void> {
  const old = pool;
  pool = undefined;
  await old?.close();
}

// A string whose statements all took their facts from the facts cache is one of many that differ
// only in literals (`… WHERE id = 4711` from a loop): memoising each would churn the memo and the
// garbage collector for nothing. Such a string is memoised when it comes again.
const seenOnce = new Set<string>();
let seenOnceChars = 0;
/** SEEN_ONCE_MAX_CHARS bounds the texts remembered as seen once (forgotten all at once past it). */
const SEEN_ONCE_MAX_CHARS = 4 * 1024 * 1024;

function admit(key: string, shared: boolean): boolean {
  if (!shared || seenOnce.delete(key)) return true;
  if (seenOnceChars + key.length > SEEN_ONCE_MAX_CHARS) {
    seenOnce.clear();
    seenOnceChars = 0;
  }
  seenOnce.add(key);
  seenOnceChars += key.length;
  return false;
}

/** CACHE_ENTRIES bounds the memo of analysed statements (least recently used goes first). */
const CACHE_ENTRIES = 2048;
/** CACHE_MAX_SQL_CHARS keeps large statements out of the memo. */
const CACHE_MAX_SQL_CHARS = 16 * 1024;
const cache = new RecentMap<string, AnalyzeResult>();

/** Analysis is a result, whether every statement's facts came from the facts cache, and for a single statement what its facts were made of. */
type Analysis = { readonly result: AnalyzeResult; readonly shared: boolean; readonly single?: FactsOf };

function analyzeUncached(sql: string, maxBytes: number, searchPath: readonly string[], catalog: CatalogSnapshot | undefined): Analysis {
  // Size first: nothing below may run over unbounded input (parsing is synchronous).
  const bytes = Buffer.byteLength(sql, 'utf8');
  if (bytes > maxBytes) return refused(new SqlTooLargeError(bytes, maxBytes));
  // PostgreSQL reads a Query message's string up to the first NUL; anything after it would be
  // silently dropped upstream, so a string with more text after a NUL is refused outright.
  const nul = sql.indexOf('\u0000');
  if (nul >= 0) {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what this looks past
    if (/[^\u0000]/.test(sql.slice(nul))) return refused(new SqlNulError(Buffer.byteLength(sql.slice(0, nul), 'utf8')));
    sql = sql.slice(0, nul);
  }
  if (!loaded) return refused(new SqlNotInitializedError());
  if (sql.trim() === '') return { result: { ok: true, statements: [] }, shared: false };

  let tree: unknown;
  try {
    tree = parseSync(sql);
  } catch (err) {
    return refused(syntaxError(err));
  }
  try {
    // Statement locations are byte offsets; for ASCII text (one byte per character, the common
    // case) they are character offsets too, and the text is sliced without encoding it.
    const ascii = nul < 0 && bytes === sql.length;
    const buf = ascii ? undefined : Buffer.from(sql, 'utf8');
    const statements: StatementFacts[] = [];
    let shared = true;
    let last: FactsOf | undefined;
    for (const raw of asList(asFields(tree)?.['stmts'])) {
      const r = asFields(raw);
      const node = asNode(r?.['stmt']);
      if (r === undefined || node === undefined) {
        return refused(new SqlAnalysisError('portcullis: unexpected parse tree; statement refused', 'XX000'));
      }
      const start = asNumber(r['stmt_location']) ?? 0;
      const len = asNumber(r['stmt_len']) ?? 0; // 0: to the end of the string
      const end = len > 0 ? start + len : undefined;
      const text = (buf === undefined ? sql.slice(start, end) : buf.subarray(start, end ?? buf.length).toString('utf8')).trim();
      if (catalog !== undefined) {
        statements.push(statementFacts(node, text, searchPath[0] ?? '', catalog));
        shared = false;
        continue;
      }
      const f = factsOf(r['stmt'], node, text, searchPath[0] ?? '');
      statements.push(f.facts);
      shared &&= f.shared;
      last = f;
    }
    const single = statements.length === 1 ? last : undefined;
    return { result: { ok: true, statements }, shared: shared && statements.length > 0, ...(single !== undefined ? { single } : {}) };
  } catch (err) {
    if (err instanceof RangeError) {
      return refused(new SqlAnalysisError('portcullis: statement too complex to analyse; refused', '54001', err));
    }
    return refused(new SqlAnalysisError('portcullis: could not analyse statement; refused', 'XX000', err));
  }
}

function fail(error: SqlError): AnalyzeResult {
  return { ok: false, error };
}

function refused(error: SqlError): Analysis {
  return { result: fail(error), shared: false };
}

// The parser's error → SqlSyntaxError. libpg-query's cursorPosition is PostgreSQL's 1-based
// character position minus one; report it as PostgreSQL would.
function syntaxError(err: unknown): SqlError {
  const details = asFields(asFields(err)?.['sqlDetails']);
  const message = messageOf(err);
  if (details === undefined) {
    if (err instanceof RangeError || /stack|memory/i.test(message)) {
      return new SqlAnalysisError('portcullis: statement too complex to parse; refused', '54001', err);
    }
    return new SqlSyntaxError(message, 0, err);
  }
  const cursor = asNumber(details['cursorPosition']) ?? 0;
  const position = cursor >= 0 ? cursor + 1 : 0;
  return new SqlSyntaxError(message, position, err);
}
