// Errors of the session recording (proxy/recording), declared in RECORDING_ERRORS. A journal that
// could not write or sync a record fails closed: the statement it was written for is not run.
// Where the journal lives and what the file system said go to the operator's log through `cause`;
// the agent sees only that the recording is unavailable.

import { ProxyError, defineErrors, errorClass } from '../errors.js';
import type { ProxyErrorOptions } from '../errors.js';

/** RECORDING_ERRORS is the recording's error table (SQLSTATE, HTTP status, severity, hint per code). */
export const RECORDING_ERRORS = defineErrors({
  ERR_PROXY_RECORDING_UNAVAILABLE: {
    sqlstate: '58030',
    http: 503,
    severity: 'ERROR',
    hint: "Retry later; the gateway operator should check the gateway's log and the recording journal's disk.",
  },
});

/** RecordingErrorCode is one code of RECORDING_ERRORS. */
export type RecordingErrorCode = keyof typeof RECORDING_ERRORS;

/** RECORDING_ERROR_CODES lists every code of RECORDING_ERRORS. */
export const RECORDING_ERROR_CODES = Object.keys(RECORDING_ERRORS) as readonly RecordingErrorCode[];

/** RecordingError is the base class of recording errors. */
export class RecordingError extends ProxyError {
  declare readonly code: RecordingErrorCode;
  constructor(code: RecordingErrorCode, message: string, options: ProxyErrorOptions = {}) {
    super(code, message, options);
    this.name = 'RecordingError';
  }
}

/**
 * RecordingUnavailableError: the journal could not write or sync a record (a full or failed disk,
 * a removed directory), so the statement was not run; every later append fails the same way. The
 * file system's error (with its path) is only the `cause`, for the operator's log.
 */
export const RecordingUnavailableError = errorClass(
  RecordingError,
  'ERR_PROXY_RECORDING_UNAVAILABLE',
  'RecordingUnavailableError',
  (options: { readonly cause?: unknown } = {}) => ['the session recording cannot be written, so the statement was not run', options],
);
/** RecordingUnavailableError is an instance of the class of the same name. */
export type RecordingUnavailableError = InstanceType<typeof RecordingUnavailableError>;

/**
 * RecordingWithheldError: a read-only query ran (it went upstream once its record was written),
 * but its record could not be synced, so its answers were withheld from the client.
 */
export const RecordingWithheldError = errorClass(
  RecordingError,
  'ERR_PROXY_RECORDING_UNAVAILABLE',
  'RecordingWithheldError',
  (options: { readonly cause?: unknown } = {}) => [
    'the session recording cannot be written, so the results of this read-only query were withheld',
    options,
  ],
);
/** RecordingWithheldError is an instance of the class of the same name. */
export type RecordingWithheldError = InstanceType<typeof RecordingWithheldError>;
