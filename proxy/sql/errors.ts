// Errors raised while analysing SQL text: a NUL byte followed by more text, an oversize query
// string, a statement the PostgreSQL parser rejects, or the parser not yet loaded. All extend
// ProxyError so the session reports them with their SQLSTATE and a clear message.

import { ProxyError } from '../errors.js';

/** SQL_ERROR_CODES lists the stable codes of this module (documented in docs/errors.md). */
export const SQL_ERROR_CODES = [
  'ERR_PROXY_SQL_NUL',
  'ERR_PROXY_SQL_TOO_LARGE',
  'ERR_PROXY_SQL_SYNTAX',
  'ERR_PROXY_SQL_NOT_INITIALIZED',
  'ERR_PROXY_SQL_ANALYSIS',
] as const;

/** SqlErrorCode is one entry of SQL_ERROR_CODES. */
export type SqlErrorCode = (typeof SQL_ERROR_CODES)[number];

/** SqlError is the base class of the errors analyze() returns. */
export class SqlError extends ProxyError {
  declare readonly code: SqlErrorCode;

  constructor(
    code: SqlErrorCode,
    sqlstate: string,
    message: string,
    options: { detail?: string; hint?: string; cause?: unknown } = {},
  ) {
    super(code, sqlstate, message, options);
    this.name = 'SqlError';
  }
}

/** SqlNulError: the query string has text after a NUL byte, which PostgreSQL would silently drop (08P01). */
export class SqlNulError extends SqlError {
  /** offset is the byte offset of the first NUL. */
  readonly offset: number;

  constructor(offset: number) {
    super(
      'ERR_PROXY_SQL_NUL',
      '08P01',
      `portcullis: query string contains a NUL byte at offset ${offset} followed by more text; refused`,
      { hint: 'PostgreSQL ignores everything after a NUL byte; send the statement without it' },
    );
    this.name = 'SqlNulError';
    this.offset = offset;
  }
}

/** SqlTooLargeError: the query string is larger than the configured cap, refused before parsing (54000). */
export class SqlTooLargeError extends SqlError {
  /** bytes is the query string's UTF-8 size; limit is the cap. */
  readonly bytes: number;
  readonly limit: number;

  constructor(bytes: number, limit: number) {
    super(
      'ERR_PROXY_SQL_TOO_LARGE',
      '54000',
      `portcullis: query string of ${bytes} bytes exceeds the limit of ${limit} bytes`,
    );
    this.name = 'SqlTooLargeError';
    this.bytes = bytes;
    this.limit = limit;
  }
}

/** SqlSyntaxError: the PostgreSQL parser rejected the text (42601); position is 1-based in characters, 0 when unknown. */
export class SqlSyntaxError extends SqlError {
  readonly position: number;

  constructor(parserMessage: string, position: number, cause?: unknown) {
    super(
      'ERR_PROXY_SQL_SYNTAX',
      '42601',
      position > 0 ? `${parserMessage} (at character ${position})` : parserMessage,
      { cause },
    );
    this.name = 'SqlSyntaxError';
    this.position = position;
  }
}

/** SqlNotInitializedError: analyze() was called before initSql() resolved; the statement is refused (58000 system_error). */
export class SqlNotInitializedError extends SqlError {
  constructor() {
    super('ERR_PROXY_SQL_NOT_INITIALIZED', '58000', 'portcullis: SQL parser not loaded; statement refused');
    this.name = 'SqlNotInitializedError';
  }
}

/**
 * SqlAnalysisError: the parser accepted the text but its facts could not be computed (a tree too
 * deep to walk: 54001, or a defect: XX000); the statement is refused, never passed on unanalysed.
 */
export class SqlAnalysisError extends SqlError {
  constructor(message: string, sqlstate: '54001' | 'XX000', cause?: unknown) {
    super('ERR_PROXY_SQL_ANALYSIS', sqlstate, message, { cause });
    this.name = 'SqlAnalysisError';
  }
}

/** AnySqlError is the union of the concrete SQL errors. */
export type AnySqlError = SqlNulError | SqlTooLargeError | SqlSyntaxError | SqlNotInitializedError | SqlAnalysisError;
