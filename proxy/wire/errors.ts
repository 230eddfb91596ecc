// Errors raised while framing and decoding the PostgreSQL wire protocol: a frame whose declared
// length is impossible or over the cap, a payload that does not match its message's grammar,
// or text that is not valid UTF-8. All extend ProxyError; the session reports them and, for
// framing errors, closes the connection (the stream can no longer be cut into messages).

import { ProxyError } from '../errors.js';
import type { ProxyErrorSeverity } from '../errors.js';

/** WIRE_ERROR_CODES lists the stable codes of this module (documented in docs/errors.md). */
export const WIRE_ERROR_CODES = ['ERR_PROXY_PROTOCOL', 'ERR_PROXY_FRAME_TOO_LARGE', 'ERR_PROXY_INVALID_ENCODING'] as const;

/** WireErrorCode is one entry of WIRE_ERROR_CODES. */
export type WireErrorCode = (typeof WIRE_ERROR_CODES)[number];

/** WireError is the base class of the errors proxy/wire raises. */
export class WireError extends ProxyError {
  declare readonly code: WireErrorCode;

  constructor(
    code: WireErrorCode,
    sqlstate: string,
    message: string,
    options: { severity?: ProxyErrorSeverity; detail?: string; hint?: string; cause?: unknown } = {},
  ) {
    super(code, sqlstate, message, options);
    this.name = 'WireError';
  }
}

/**
 * ProtocolViolationError: a frame or payload breaks the protocol (08P01 protocol_violation).
 * FATAL when the stream can no longer be framed (bad length, unknown startup code, unknown client
 * tag); ERROR for a single malformed payload, as PostgreSQL's "invalid message format".
 */
export class ProtocolViolationError extends WireError {
  constructor(message: string, options: { severity?: ProxyErrorSeverity; cause?: unknown } = {}) {
    super('ERR_PROXY_PROTOCOL', '08P01', message, options);
    this.name = 'ProtocolViolationError';
  }
}

/** FrameTooLargeError: a frame declares more bytes than the configured cap (54000 program_limit_exceeded, FATAL). */
export class FrameTooLargeError extends WireError {
  /** declared is the frame's declared length; limit is the cap. */
  readonly declared: number;
  readonly limit: number;

  constructor(declared: number, limit: number) {
    super('ERR_PROXY_FRAME_TOO_LARGE', '54000', `portcullis: message of ${declared} bytes exceeds the limit of ${limit} bytes`, {
      severity: 'FATAL',
    });
    this.name = 'FrameTooLargeError';
    this.declared = declared;
    this.limit = limit;
  }
}

/** InvalidEncodingError: text in a client message is not valid UTF-8 (22021 character_not_in_repertoire). */
export class InvalidEncodingError extends WireError {
  constructor(what: string) {
    super('ERR_PROXY_INVALID_ENCODING', '22021', `portcullis: invalid byte sequence for encoding "UTF8" in ${what}`);
    this.name = 'InvalidEncodingError';
  }
}

/** AnyWireError is the union of the concrete wire errors. */
export type AnyWireError = ProtocolViolationError | FrameTooLargeError | InvalidEncodingError;
