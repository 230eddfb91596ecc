// Errors raised by the JS side of the runtime: loading a module and evaluating a policy.
// In: abort messages and failures from Wasm. Out: PolicyEvalError (ERR_ENGINE_EVAL) and
// PolicyLoadError (ERR_ENGINE_LOAD), each with a stable `code` and the HTTP status of
// ENGINE_ERRORS; EVAL_ERROR_CODES lists OPA's evaluation codes a PolicyEvalError may carry.

import { ENGINE_ERRORS } from '../diagnostics/index.js';
import type { EngineHttpStatus } from '../diagnostics/index.js';

/** RuntimeErrorCode is the stable code of each runtime error class. */
export type RuntimeErrorCode = 'ERR_ENGINE_EVAL' | 'ERR_ENGINE_LOAD';

/** EVAL_ERROR_CODES lists OPA's evaluation error codes (the `regoCode` of a PolicyEvalError). */
export const EVAL_ERROR_CODES = ['eval_conflict_error', 'eval_type_error', 'eval_builtin_error', 'eval_internal_error'] as const;

/** EvalErrorCode is one of EVAL_ERROR_CODES. */
export type EvalErrorCode = (typeof EVAL_ERROR_CODES)[number];

/** PolicyEvalError is thrown when evaluation aborts (conflicts, strict builtin errors, traps, bad input). */
export class PolicyEvalError extends Error {
  readonly code = 'ERR_ENGINE_EVAL' as const;
  /** http is the admin API status of the code (ENGINE_ERRORS). */
  readonly http: EngineHttpStatus = ENGINE_ERRORS.ERR_ENGINE_EVAL.http;
  /** regoCode is OPA's error code from the abort message (`eval_conflict_error`, …), if it had one. */
  readonly regoCode: string | undefined;
  /** location is `file:row` from the abort message, if it had one. */
  readonly location: string | undefined;

  constructor(message: string, options?: { cause?: unknown; regoCode?: string; location?: string }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'PolicyEvalError';
    this.regoCode = options?.regoCode;
    this.location = options?.location;
  }
}

/** PolicyLoadError is thrown when a module cannot be loaded (not Wasm, wrong ABI, missing exports). */
export class PolicyLoadError extends Error {
  readonly code = 'ERR_ENGINE_LOAD' as const;
  /** http is the admin API status of the code (ENGINE_ERRORS). */
  readonly http: EngineHttpStatus = ENGINE_ERRORS.ERR_ENGINE_LOAD.http;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PolicyLoadError';
  }
}

/** AnyRuntimeError is any error raised by engine/runtime. */
export type AnyRuntimeError = PolicyEvalError | PolicyLoadError;

const WITH_LOCATION = /^(.+?):(\d+): ([a-z][a-z0-9_]*_error): ([\s\S]*)$/;
const WITHOUT_LOCATION = /^([a-z][a-z0-9_]*_error): ([\s\S]*)$/;

/** evalErrorFromAbort turns an abort message (`file:row: code: message` or `code: message`) into a PolicyEvalError. */
export function evalErrorFromAbort(message: string): PolicyEvalError {
  const withLoc = WITH_LOCATION.exec(message);
  if (withLoc) return new PolicyEvalError(message, { regoCode: withLoc[3] as string, location: `${withLoc[1]}:${withLoc[2]}` });
  const bare = WITHOUT_LOCATION.exec(message);
  if (bare) return new PolicyEvalError(message, { regoCode: bare[1] as string });
  return new PolicyEvalError(message);
}
