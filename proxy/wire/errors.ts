// Errors raised while framing and decoding the PostgreSQL wire protocol: a frame whose declared
// length is impossible or over the cap, a payload that does not match its message's grammar,
// or text that is not valid UTF-8, declared in WIRE_ERRORS. The session reports them and, for
// framing errors, closes the connection (the stream can no longer be cut into messages).

import { ProxyError, defineErrors } from '../errors.js';
import type { ProxyErrorOptions, ProxyErrorSeverity } from '../errors.js';

/** WIRE_ERRORS is the wire module's error table (SQLSTATE, HTTP status, severity per code). */
export const WIRE_ERRORS = defineErrors({
  ERR_PROXY_PROTOCOL: { sqlstate: '08P01', http: 400, severity: 'ERROR' },
  ERR_PROXY_FRAME_TOO_LARGE: { sqlstate: '54000', http: 413, severity: 'FATAL' },
  ERR_PROXY_INVALID_ENCODING: { sqlstate: '22021', http: 400, severity: 'ERROR' },
});

/** WireErrorCode is one code of WIRE_ERRORS. */
export type WireErrorCode = keyof typeof WIRE_ERRORS;

/** WIRE_ERROR_CODES lists every code of WIRE_ERRORS. */
export const WIRE_ERROR_CODES = Object.keys(WIRE_ERRORS) as readonly WireErrorCode[];

/** WireError is the base class of the errors proxy/wire raises. */
export class WireError extends ProxyError {
  declare readonly code: WireErrorCode;

  constructor(code: WireErrorCode, message: string, options: ProxyErrorOptions = {}) {
    super(code, message, options);
    this.name = 'WireError';
  }
}

/**
 * ProtocolViolationError: a frame or payload breaks the protocol (08P01 protocol_violation).
 * FATAL when the stream can no longer be framed (bad length, unknown startup code, unknown client
 * tag); ERROR for a single malformed payload, as PostgreSQL's "invalid message format".
 */
export class ProtocolViolationError extends WireError {
  declare readonly code: 'ERR_PROXY_PROTOCOL';
  constructor(message: string, options: { severity?: ProxyErrorSeverity; cause?: unknown } = {}) {
    super('ERR_PROXY_PROTOCOL', message, options);
    this.name = 'ProtocolViolationError';
  }
}

/** FrameTooLargeError: a frame declares more bytes than the configured cap (54000 program_limit_exceeded, FATAL). */
export class FrameTooLargeError extends WireError {
  declare readonly code: 'ERR_PROXY_FRAME_TOO_LARGE';
  /** declared is the frame's declared length; limit is the cap. */
  readonly declared: number;
  readonly limit: number;

  constructor(declared: number, limit: number) {
    super('ERR_PROXY_FRAME_TOO_LARGE', `portcullis: message of ${declared} bytes exceeds the limit of ${limit} bytes`);
    this.name = 'FrameTooLargeError';
    this.declared = declared;
    this.limit = limit;
  }
}

/** InvalidEncodingError: text in a client message is not valid UTF-8 (22021 character_not_in_repertoire). */
export class InvalidEncodingError extends WireError {
  declare readonly code: 'ERR_PROXY_INVALID_ENCODING';
  constructor(what: string) {
    super('ERR_PROXY_INVALID_ENCODING', `portcullis: invalid byte sequence for encoding "UTF8" in ${what}`);
    this.name = 'InvalidEncodingError';
  }
}

/** AnyWireError is the union of the concrete wire errors. */
export type AnyWireError = ProtocolViolationError | FrameTooLargeError | InvalidEncodingError;
