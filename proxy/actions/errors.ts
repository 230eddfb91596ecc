// Errors raised while carrying out a decision: a masked column that would reach the client in a
// form that cannot be rewritten (inside an expression, a whole row, binary format, an unbound
// result column), and protocol requests the gateway refuses (fast-path calls, unknown prepared
// statements, unbounded batches), declared in ACTION_ERRORS and sent as ErrorResponse.

import { ProxyError, defineErrors, errorClass } from '../errors.js';
import type { ProxyErrorOptions } from '../errors.js';

/** ACTION_ERRORS is this folder's error table (SQLSTATE, HTTP status, severity, hint per code). */
export const ACTION_ERRORS = defineErrors({
  ERR_PROXY_MASKED_EXPRESSION: {
    sqlstate: '42501',
    http: 403,
    severity: 'ERROR',
    hint: 'select the masked column directly (it is returned masked) or leave it out',
  },
  ERR_PROXY_MASKED_BINARY: { sqlstate: '42501', http: 403, severity: 'ERROR', hint: 'request text result format for this column' },
  ERR_PROXY_MASK_UNBOUND: { sqlstate: '42501', http: 403, severity: 'ERROR' },
  ERR_PROXY_FUNCTION_CALL: { sqlstate: '0A000', http: 400, severity: 'ERROR', hint: 'call the function with a SELECT statement' },
  ERR_PROXY_UNKNOWN_STATEMENT: { sqlstate: '26000', http: 404, severity: 'ERROR' },
  ERR_PROXY_UNKNOWN_PORTAL: { sqlstate: '34000', http: 404, severity: 'ERROR' },
  ERR_PROXY_UNSUPPORTED: { sqlstate: '0A000', http: 400, severity: 'ERROR' },
  ERR_PROXY_BATCH_TOO_LARGE: {
    sqlstate: '54000',
    http: 413,
    severity: 'ERROR',
    hint: 'send Sync more often: the gateway decides a whole pipeline before any of it runs',
  },
  ERR_PROXY_ROW_TOO_LARGE: {
    sqlstate: '54000',
    http: 413,
    severity: 'ERROR',
    hint: 'select fewer or shorter columns (e.g. substr), or raise limits.max_row_bytes in the gateway configuration',
  },
  ERR_PROXY_UPSTREAM_CLOSED: { sqlstate: '08006', http: 502, severity: 'FATAL' },
  ERR_PROXY_TOO_MANY_PREPARED: {
    sqlstate: '54000',
    http: 413,
    severity: 'ERROR',
    hint: 'DEALLOCATE (or Close) prepared statements the session no longer needs',
  },
});

/** ActionErrorCode is one code of ACTION_ERRORS. */
export type ActionErrorCode = keyof typeof ACTION_ERRORS;

/** ACTION_ERROR_CODES lists every code of ACTION_ERRORS. */
export const ACTION_ERROR_CODES = Object.keys(ACTION_ERRORS) as readonly ActionErrorCode[];

/** RULE_MASKING is the rule id reported when masking forces a deny (not a rule of the policy). */
export const RULE_MASKING = 'portcullis.masking';

/** MASKING_DETAIL is the detail every masking refusal carries. */
const MASKING_DETAIL = `rule: ${RULE_MASKING}`;

/** ActionError is the base class of this folder's errors. */
export class ActionError extends ProxyError {
  declare readonly code: ActionErrorCode;

  constructor(code: ActionErrorCode, message: string, options: ProxyErrorOptions = {}) {
    super(code, message, options);
    this.name = 'ActionError';
  }
}

/** MaskedExpressionError: a masked column is used inside an expression or a whole row of a result (42501). */
export const MaskedExpressionError = errorClass(
  ActionError,
  'ERR_PROXY_MASKED_EXPRESSION',
  'MaskedExpressionError',
  (column: string, how: 'expression' | 'row') => [
    how === 'expression'
      ? `column ${column} is masked and cannot be returned inside an expression`
      : `column ${column} is masked and cannot be returned inside a whole-row value`,
    { detail: MASKING_DETAIL },
  ],
);
/** MaskedExpressionError is an instance of the class of the same name. */
export type MaskedExpressionError = InstanceType<typeof MaskedExpressionError>;

/** MaskedBinaryError: a masked column was requested in a binary format it cannot be masked in (42501). */
export const MaskedBinaryError = errorClass(ActionError, 'ERR_PROXY_MASKED_BINARY', 'MaskedBinaryError', (column: string) => [
  `column ${column} is masked and cannot be returned in binary format`,
  { detail: MASKING_DETAIL },
]);
/** MaskedBinaryError is an instance of the class of the same name. */
export type MaskedBinaryError = InstanceType<typeof MaskedBinaryError>;

/** MaskUnboundError: result columns could not be bound to source columns while masks apply (42501, fail closed). */
export const MaskUnboundError = errorClass(ActionError, 'ERR_PROXY_MASK_UNBOUND', 'MaskUnboundError', (why: string) => [
  `result columns cannot be checked against masked columns: ${why}`,
  { detail: MASKING_DETAIL },
]);
/** MaskUnboundError is an instance of the class of the same name. */
export type MaskUnboundError = InstanceType<typeof MaskUnboundError>;

/** FunctionCallRefusedError: the legacy fast-path FunctionCall message is not supported (0A000). */
export const FunctionCallRefusedError = errorClass(ActionError, 'ERR_PROXY_FUNCTION_CALL', 'FunctionCallRefusedError', () => [
  'portcullis: the fast-path function call interface is not supported',
]);
/** FunctionCallRefusedError is an instance of the class of the same name. */
export type FunctionCallRefusedError = InstanceType<typeof FunctionCallRefusedError>;

/** UnknownStatementError: Bind/Describe names a prepared statement the gateway never accepted (26000). */
export const UnknownStatementError = errorClass(ActionError, 'ERR_PROXY_UNKNOWN_STATEMENT', 'UnknownStatementError', (name: string) => [
  name === '' ? 'unnamed prepared statement does not exist' : `prepared statement "${name}" does not exist or was refused by portcullis`,
]);
/** UnknownStatementError is an instance of the class of the same name. */
export type UnknownStatementError = InstanceType<typeof UnknownStatementError>;

/** UnknownPortalError: Describe/Execute names a portal the gateway never bound (34000; e.g. a SQL cursor). */
export const UnknownPortalError = errorClass(ActionError, 'ERR_PROXY_UNKNOWN_PORTAL', 'UnknownPortalError', (name: string) => [
  name === '' ? 'unnamed portal does not exist' : `portal "${name}" does not exist or was not bound through portcullis`,
]);
/** UnknownPortalError is an instance of the class of the same name. */
export type UnknownPortalError = InstanceType<typeof UnknownPortalError>;

/** UnsupportedRequestError: a protocol feature the gateway does not carry out (0A000), e.g. COPY FROM STDIN (extended protocol). */
export const UnsupportedRequestError = errorClass(
  ActionError,
  'ERR_PROXY_UNSUPPORTED',
  'UnsupportedRequestError',
  (what: string, hint?: string) => [`portcullis: ${what} is not supported`, hint !== undefined ? { hint } : {}],
);
/** UnsupportedRequestError is an instance of the class of the same name. */
export type UnsupportedRequestError = InstanceType<typeof UnsupportedRequestError>;

/** BatchTooLargeError: an extended-protocol pipeline grew past the limits before its Sync; none of it ran (54000). */
export const BatchTooLargeError = errorClass(
  ActionError,
  'ERR_PROXY_BATCH_TOO_LARGE',
  'BatchTooLargeError',
  (maxMessages: number, maxBytes: number) => [
    `portcullis: the pipeline holds more than ${maxMessages} messages or ${maxBytes} bytes before its Sync; none of it was run`,
  ],
);
/** BatchTooLargeError is an instance of the class of the same name. */
export type BatchTooLargeError = InstanceType<typeof BatchTooLargeError>;

/** RowTooLargeError: a result row (DataRow, or a COPY TO row) is over limits.max_row_bytes; it was skipped unread and the statement fails (54000). */
export const RowTooLargeError = errorClass(ActionError, 'ERR_PROXY_ROW_TOO_LARGE', 'RowTooLargeError', (bytes: number, limit: number) => [
  `portcullis: a result row of ${bytes} bytes exceeds the gateway's limit of ${limit} bytes (limits.max_row_bytes)`,
]);
/** RowTooLargeError is an instance of the class of the same name. */
export type RowTooLargeError = InstanceType<typeof RowTooLargeError>;

/** UpstreamClosedError: the upstream connection closed (08006, FATAL: the session ends). */
export const UpstreamClosedError = errorClass(ActionError, 'ERR_PROXY_UPSTREAM_CLOSED', 'UpstreamClosedError', () => [
  'portcullis: the upstream server closed the connection',
]);
/** UpstreamClosedError is an instance of the class of the same name. */
export type UpstreamClosedError = InstanceType<typeof UpstreamClosedError>;

/** AnyActionError is the union of this folder's concrete errors. */
export type AnyActionError =
  | MaskedExpressionError
  | MaskedBinaryError
  | MaskUnboundError
  | FunctionCallRefusedError
  | UnknownStatementError
  | UnknownPortalError
  | UnsupportedRequestError
  | BatchTooLargeError
  | RowTooLargeError
  | UpstreamClosedError;

/** MAX_PREPARED_STATEMENTS bounds the named prepared statements one session may hold (protocol-level and SQL PREPARE, each): the gateway keeps each one's facts. */
export const MAX_PREPARED_STATEMENTS = 10_000;

/** TooManyPreparedError: a session would hold more than MAX_PREPARED_STATEMENTS prepared statements (54000). */
export const TooManyPreparedError = errorClass(ActionError, 'ERR_PROXY_TOO_MANY_PREPARED', 'TooManyPreparedError', () => [
  `portcullis: a session may hold at most ${MAX_PREPARED_STATEMENTS} prepared statements`,
]);
/** TooManyPreparedError is an instance of the class of the same name. */
export type TooManyPreparedError = InstanceType<typeof TooManyPreparedError>;
