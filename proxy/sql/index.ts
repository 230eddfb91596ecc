// Public surface of proxy/sql: SQL text → StatementFacts with the real PostgreSQL parser
// (libpg-query). Call initSql() once at start-up, then analyze() synchronously per query string,
// or analyzeBounded() where a long one must not block the thread (sessions: offload.ts).

export {
  initSql,
  analyze,
  analyzeBounded,
  analysesInFlight,
  configureAnalysis,
  closeAnalysis,
  ANALYZE_DEFAULTS,
  OFFLOAD_MIN_CHARS,
} from './analyze.js';
export { AnalysisPool, OFFLOAD_DEFAULTS } from './offload.js';
export type { OffloadOptions } from './offload.js';
export { COLUMN_USES, STATEMENT_KINDS } from './types.js';
export type {
  AnalyzeOptions,
  AnalyzeResult,
  CatalogSnapshot,
  ColumnName,
  ColumnUse,
  ColumnUseKind,
  OutputColumn,
  OutputFacts,
  RoutineName,
  StatementFacts,
  StatementFlags,
  StatementKind,
  ViewDefinition,
} from './types.js';
export {
  SQL_ERRORS,
  SQL_ERROR_CODES,
  SqlAnalysisError,
  SqlError,
  SqlNotInitializedError,
  SqlNulError,
  SqlSyntaxError,
  SqlTooComplexError,
  SqlTooLargeError,
} from './errors.js';
export type { AnalysisBudget, AnySqlError, SqlErrorCode } from './errors.js';
export { readCopyStatement } from './copy-statement.js';
export type { CopyOptionValue, CopyStatement, CopyTarget } from './copy-statement.js';
