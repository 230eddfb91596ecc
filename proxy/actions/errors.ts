// Errors raised while carrying out a decision: a masked column that would reach the client in a
// form that cannot be rewritten (inside an expression, a whole row, binary format, an unbound
// result column), and protocol requests the gateway refuses (fast-path calls, unknown prepared
// statements, unbounded batches). All extend ProxyError; the session sends them as ErrorResponse.

import { ProxyError } from '../errors.js';

/** ACTION_ERROR_CODES lists the stable codes of this folder (documented in docs/errors.md). */
export const ACTION_ERROR_CODES = [
  'ERR_PROXY_MASKED_EXPRESSION',
  'ERR_PROXY_MASKED_BINARY',
  'ERR_PROXY_MASK_UNBOUND',
  'ERR_PROXY_FUNCTION_CALL',
  'ERR_PROXY_UNKNOWN_STATEMENT',
  'ERR_PROXY_UNKNOWN_PORTAL',
  'ERR_PROXY_UNSUPPORTED',
  'ERR_PROXY_UPSTREAM_CLOSED',
] as const;

/** ActionErrorCode is one of ACTION_ERROR_CODES. */
export type ActionErrorCode = (typeof ACTION_ERROR_CODES)[number];

/** RULE_MASKING is the rule id reported when masking forces a deny (not a rule of the policy). */
export const RULE_MASKING = 'portcullis.masking';

/** ActionError is the base class of this folder's errors. */
export class ActionError extends ProxyError {
  declare readonly code: ActionErrorCode;

  constructor(
    code: ActionErrorCode,
    sqlstate: string,
    message: string,
    options: { severity?: 'ERROR' | 'FATAL'; detail?: string; hint?: string; cause?: unknown } = {},
  ) {
    super(code, sqlstate, message, options);
    this.name = 'ActionError';
  }
}

/** MaskedExpressionError: a masked column is used inside an expression or a whole row of a result (42501). */
export class MaskedExpressionError extends ActionError {
  constructor(column: string, how: 'expression' | 'row') {
    super(
      'ERR_PROXY_MASKED_EXPRESSION',
      '42501',
      how === 'expression'
        ? `column ${column} is masked and cannot be returned inside an expression`
        : `column ${column} is masked and cannot be returned inside a whole-row value`,
      { detail: `rule: ${RULE_MASKING}`, hint: 'select the masked column directly (it is returned masked) or leave it out' },
    );
    this.name = 'MaskedExpressionError';
  }
}

/** MaskedBinaryError: a masked column was requested in a binary format it cannot be masked in (42501). */
export class MaskedBinaryError extends ActionError {
  constructor(column: string) {
    super('ERR_PROXY_MASKED_BINARY', '42501', `column ${column} is masked and cannot be returned in binary format`, {
      detail: `rule: ${RULE_MASKING}`,
      hint: 'request text result format for this column',
    });
    this.name = 'MaskedBinaryError';
  }
}

/** MaskUnboundError: result columns could not be bound to source columns while masks apply (42501, fail closed). */
export class MaskUnboundError extends ActionError {
  constructor(why: string) {
    super('ERR_PROXY_MASK_UNBOUND', '42501', `result columns cannot be checked against masked columns: ${why}`, {
      detail: `rule: ${RULE_MASKING}`,
    });
    this.name = 'MaskUnboundError';
  }
}

/** FunctionCallRefusedError: the legacy fast-path FunctionCall message is not supported (0A000). */
export class FunctionCallRefusedError extends ActionError {
  constructor() {
    super('ERR_PROXY_FUNCTION_CALL', '0A000', 'portcullis: the fast-path function call interface is not supported', {
      hint: 'call the function with a SELECT statement',
    });
    this.name = 'FunctionCallRefusedError';
  }
}

/** UnknownStatementError: Bind/Describe names a prepared statement the gateway never accepted (26000). */
export class UnknownStatementError extends ActionError {
  constructor(name: string) {
    super(
      'ERR_PROXY_UNKNOWN_STATEMENT',
      '26000',
      name === ''
        ? 'unnamed prepared statement does not exist'
        : `prepared statement "${name}" does not exist or was refused by portcullis`,
    );
    this.name = 'UnknownStatementError';
  }
}

/** UnknownPortalError: Describe/Execute names a portal the gateway never bound (34000; e.g. a SQL cursor). */
export class UnknownPortalError extends ActionError {
  constructor(name: string) {
    super(
      'ERR_PROXY_UNKNOWN_PORTAL',
      '34000',
      name === '' ? 'unnamed portal does not exist' : `portal "${name}" does not exist or was not bound through portcullis`,
    );
    this.name = 'UnknownPortalError';
  }
}

/** UnsupportedRequestError: a protocol feature the gateway does not carry out (0A000), e.g. COPY FROM STDIN through the extended protocol. */
export class UnsupportedRequestError extends ActionError {
  constructor(what: string, hint?: string) {
    super('ERR_PROXY_UNSUPPORTED', '0A000', `portcullis: ${what} is not supported`, hint !== undefined ? { hint } : {});
    this.name = 'UnsupportedRequestError';
  }
}

/** UpstreamClosedError: the upstream connection closed (08006, FATAL: the session ends). */
export class UpstreamClosedError extends ActionError {
  constructor() {
    super('ERR_PROXY_UPSTREAM_CLOSED', '08006', 'portcullis: the upstream server closed the connection', { severity: 'FATAL' });
    this.name = 'UpstreamClosedError';
  }
}

/** AnyActionError is the union of this folder's concrete errors. */
export type AnyActionError =
  | MaskedExpressionError
  | MaskedBinaryError
  | MaskUnboundError
  | FunctionCallRefusedError
  | UnknownStatementError
  | UnknownPortalError
  | UnsupportedRequestError
  | UpstreamClosedError;
