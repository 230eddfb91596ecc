// Errors raised while analysing SQL text: a NUL byte followed by more text, an oversize query
// string, a statement the PostgreSQL parser rejects, or the parser not yet loaded, declared in
// SQL_ERRORS. The session reports them with their SQLSTATE and a clear message.

import { ProxyError, defineErrors, errorClass } from '../errors.js';
import type { ProxyErrorOptions, SqlstateOf } from '../errors.js';

/** SQL_ERRORS is the SQL module's error table (SQLSTATE, HTTP status, severity, hint per code). */
export const SQL_ERRORS = defineErrors({
  ERR_PROXY_SQL_NUL: {
    sqlstate: '08P01',
    http: 400,
    severity: 'ERROR',
    hint: 'PostgreSQL ignores everything after a NUL byte; send the statement without it',
  },
  ERR_PROXY_SQL_TOO_LARGE: { sqlstate: '54000', http: 413, severity: 'ERROR' },
  ERR_PROXY_SQL_SYNTAX: { sqlstate: '42601', http: 400, severity: 'ERROR' },
  ERR_PROXY_SQL_NOT_INITIALIZED: { sqlstate: '58000', http: 503, severity: 'ERROR' },
  ERR_PROXY_SQL_ANALYSIS: { sqlstate: '54001', variants: ['XX000'], http: 422, severity: 'ERROR' },
  ERR_PROXY_SQL_TOO_COMPLEX: {
    sqlstate: '54001',
    http: 422,
    severity: 'ERROR',
    hint: 'split the statement into smaller ones (fewer terms, values or nesting levels per statement)',
  },
});

/** SqlErrorCode is one code of SQL_ERRORS. */
export type SqlErrorCode = keyof typeof SQL_ERRORS;

/** SQL_ERROR_CODES lists every code of SQL_ERRORS. */
export const SQL_ERROR_CODES = Object.keys(SQL_ERRORS) as readonly SqlErrorCode[];

/** SqlError is the base class of the errors analyze() returns. */
export class SqlError extends ProxyError {
  declare readonly code: SqlErrorCode;

  constructor(code: SqlErrorCode, message: string, options: ProxyErrorOptions = {}) {
    super(code, message, options);
    this.name = 'SqlError';
  }
}

/** SqlNulError: the query string has text after a NUL byte, which PostgreSQL would silently drop (08P01). */
export class SqlNulError extends SqlError {
  declare readonly code: 'ERR_PROXY_SQL_NUL';
  /** offset is the byte offset of the first NUL. */
  readonly offset: number;

  constructor(offset: number) {
    super('ERR_PROXY_SQL_NUL', `portcullis: query string contains a NUL byte at offset ${offset} followed by more text; refused`);
    this.name = 'SqlNulError';
    this.offset = offset;
  }
}

/** SqlTooLargeError: the query string is larger than the configured cap, refused before parsing (54000). */
export class SqlTooLargeError extends SqlError {
  declare readonly code: 'ERR_PROXY_SQL_TOO_LARGE';
  /** bytes is the query string's UTF-8 size; limit is the cap. */
  readonly bytes: number;
  readonly limit: number;

  constructor(bytes: number, limit: number) {
    super('ERR_PROXY_SQL_TOO_LARGE', `portcullis: query string of ${bytes} bytes exceeds the limit of ${limit} bytes`);
    this.name = 'SqlTooLargeError';
    this.bytes = bytes;
    this.limit = limit;
  }
}

/** SqlSyntaxError: the PostgreSQL parser rejected the text (42601); position is 1-based in characters, 0 when unknown. */
export class SqlSyntaxError extends SqlError {
  declare readonly code: 'ERR_PROXY_SQL_SYNTAX';
  readonly position: number;

  constructor(parserMessage: string, position: number, cause?: unknown) {
    super('ERR_PROXY_SQL_SYNTAX', position > 0 ? `${parserMessage} (at character ${position})` : parserMessage, { cause });
    this.name = 'SqlSyntaxError';
    this.position = position;
  }
}

/** SqlNotInitializedError: analyze() was called before initSql() resolved; the statement is refused (58000 system_error). */
export const SqlNotInitializedError = errorClass(SqlError, 'ERR_PROXY_SQL_NOT_INITIALIZED', 'SqlNotInitializedError', () => [
  'portcullis: SQL parser not loaded; statement refused',
]);
/** SqlNotInitializedError is an instance of the class of the same name. */
export type SqlNotInitializedError = InstanceType<typeof SqlNotInitializedError>;

/** SqlAnalysisSqlstate is the SQLSTATE a SqlAnalysisError picks: 54001 (too deep to walk) or XX000 (a defect). */
export type SqlAnalysisSqlstate = SqlstateOf<(typeof SQL_ERRORS)['ERR_PROXY_SQL_ANALYSIS']>;

/**
 * SqlAnalysisError: the parser accepted the text but its facts could not be computed (a tree too
 * deep to walk: 54001, or a defect: XX000); the statement is refused, never passed on unanalysed.
 */
export const SqlAnalysisError = errorClass(
  SqlError,
  'ERR_PROXY_SQL_ANALYSIS',
  'SqlAnalysisError',
  (message: string, sqlstate: SqlAnalysisSqlstate, cause?: unknown) => [message, { sqlstate, cause }],
);
/** SqlAnalysisError is an instance of the class of the same name. */
export type SqlAnalysisError = InstanceType<typeof SqlAnalysisError>;

/** AnalysisBudget names the budget an analysis ran out of: its time or its memory. */
export type AnalysisBudget = 'time' | 'memory';

/**
 * SqlTooComplexError: analysing the statement ran out of its budget (limits.max_analysis_ms of
 * time, or the analysis worker's memory); it is refused, never passed on unanalysed (54001).
 */
export class SqlTooComplexError extends SqlError {
  declare readonly code: 'ERR_PROXY_SQL_TOO_COMPLEX';
  /** budget is what ran out; limit is its size (milliseconds, or MiB of heap). */
  readonly budget: AnalysisBudget;
  readonly limit: number;

  constructor(budget: AnalysisBudget, limit: number) {
    super(
      'ERR_PROXY_SQL_TOO_COMPLEX',
      budget === 'time'
        ? `portcullis: statement too complex to analyse within ${limit} ms; refused`
        : `portcullis: statement too complex to analyse within ${limit} MiB of memory; refused`,
    );
    this.name = 'SqlTooComplexError';
    this.budget = budget;
    this.limit = limit;
  }
}

/** AnySqlError is the union of the concrete SQL errors. */
export type AnySqlError = SqlNulError | SqlTooLargeError | SqlSyntaxError | SqlNotInitializedError | SqlAnalysisError | SqlTooComplexError;
