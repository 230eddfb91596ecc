// The error tables themselves and the classes built on them: every row has a well-formed SQLSTATE
// (where it has one), an HTTP status in 400-599 and a severity or exit code; constructing every
// class yields its row's SQLSTATE, HTTP status, severity and hint; errorSpec finds every row.

import { describe, expect, it } from 'vitest';
import * as bundles from '../bundles/index.js';
import { InternalCompilerError } from '../engine/diagnostics/index.js';
import { PolicyEvalError, PolicyLoadError } from '../engine/runtime/index.js';
import * as actions from '../proxy/actions/index.js';
import * as approvals from '../proxy/approvals/index.js';
import * as bundleService from '../proxy/bundle-service/index.js';
import * as control from '../proxy/control/index.js';
import * as auth from '../proxy/auth/index.js';
import * as decision from '../proxy/decision/index.js';
import { ProxyError, ToolError, assertNever, errorSpec, httpStatusOf, messageOf, toErrorFields } from '../proxy/errors.js';
import * as recording from '../proxy/recording/index.js';
import * as resolve from '../proxy/resolve/index.js';
import * as session from '../proxy/session/index.js';
import * as sql from '../proxy/sql/index.js';
import * as state from '../proxy/state/index.js';
import * as upstream from '../proxy/upstream/index.js';
import * as wire from '../proxy/wire/index.js';
import { ERROR_ENTRIES, ERROR_TABLES, allowedSqlstates } from './helpers/error-tables.js';

const SQLSTATE = /^[0-9A-Z]{5}$/;

describe('error table rows', () => {
  it.each(ERROR_ENTRIES.map((e) => ({ note: e.code, ...e })))('$note is well formed', ({ part, spec }) => {
    expect(Number.isInteger(spec.http) && spec.http >= 400 && spec.http <= 599).toBe(true);
    for (const s of [spec.sqlstate, ...(spec.variants ?? [])]) if (s !== undefined) expect(s).toMatch(SQLSTATE);
    if (part === 'engine' || part === 'bundles') {
      expect(spec.sqlstate).toBeUndefined();
    } else if (part === 'tool' || part === 'bundle-service') {
      expect(spec.sqlstate).toBeUndefined();
      expect(Number.isInteger(spec.exit) && (spec.exit ?? 0) >= 1).toBe(true);
    } else {
      expect(spec.sqlstate).toMatch(SQLSTATE);
      expect(['ERROR', 'FATAL']).toContain(spec.severity);
    }
  });

  it.each(ERROR_ENTRIES.filter((e) => e.part !== 'engine' && e.part !== 'bundles').map((e) => ({ note: e.code, ...e })))(
    'errorSpec($note) is its table row',
    ({ code, spec }) => {
      expect(errorSpec(code)).toEqual(spec);
    },
  );
});

/** Made is one constructed error; `sqlstate`/`severity`/`hint` are set where the raise site chose them over the row's. */
type Made = {
  readonly note: string;
  readonly err: Error & { readonly code: string; readonly http: number };
  readonly sqlstate?: string;
  readonly severity?: 'ERROR' | 'FATAL';
  readonly hint?: string;
};

const made: Made[] = [
  { note: 'TokenMalformed', err: new auth.TokenMalformed('m') },
  { note: 'TokenMalformed with its own hint', err: new auth.TokenMalformed('m', { hint: 'h' }), hint: 'h' },
  { note: 'TokenAlgorithmForbidden', err: new auth.TokenAlgorithmForbidden('m') },
  { note: 'TokenSignatureInvalid', err: new auth.TokenSignatureInvalid('m') },
  { note: 'TokenKeyUnknown', err: new auth.TokenKeyUnknown('m') },
  { note: 'TokenExpired', err: new auth.TokenExpired('m') },
  { note: 'TokenNotYetValid', err: new auth.TokenNotYetValid('m') },
  { note: 'TokenIssuerInvalid', err: new auth.TokenIssuerInvalid('m') },
  { note: 'TokenAudienceInvalid', err: new auth.TokenAudienceInvalid('m') },
  { note: 'TokenLifetimeExceeded', err: new auth.TokenLifetimeExceeded('m') },
  { note: 'TokenClaimMissing', err: new auth.TokenClaimMissing('sub', 'm') },
  { note: 'JwksUnavailable', err: new auth.JwksUnavailable('m') },
  { note: 'AuthConfigInvalid', err: new auth.AuthConfigInvalid(['m']) },
  { note: 'IssuerStateInvalid', err: new auth.IssuerStateInvalid('m') },
  { note: 'TokenInactive', err: new auth.TokenInactive('m') },
  { note: 'IntrospectionUnavailable', err: new auth.IntrospectionUnavailable('m') },
  { note: 'ProtocolViolationError', err: new wire.ProtocolViolationError('m') },
  { note: 'ProtocolViolationError, FATAL', err: new wire.ProtocolViolationError('m', { severity: 'FATAL' }), severity: 'FATAL' },
  { note: 'FrameTooLargeError', err: new wire.FrameTooLargeError(10, 5) },
  { note: 'InvalidEncodingError', err: new wire.InvalidEncodingError('a query') },
  { note: 'SqlNulError', err: new sql.SqlNulError(3) },
  { note: 'SqlTooLargeError', err: new sql.SqlTooLargeError(10, 5) },
  { note: 'SqlSyntaxError', err: new sql.SqlSyntaxError('syntax error', 4) },
  { note: 'SqlNotInitializedError', err: new sql.SqlNotInitializedError() },
  { note: 'SqlAnalysisError 54001', err: new sql.SqlAnalysisError('m', '54001'), sqlstate: '54001' },
  { note: 'SqlAnalysisError XX000', err: new sql.SqlAnalysisError('m', 'XX000'), sqlstate: 'XX000' },
  { note: 'SqlTooComplexError, time', err: new sql.SqlTooComplexError('time', 10_000) },
  { note: 'SqlTooComplexError, memory', err: new sql.SqlTooComplexError('memory', 512) },
  { note: 'TooManyPreparedError', err: new actions.TooManyPreparedError() },
  { note: 'CatalogUnavailableError', err: new resolve.CatalogUnavailableError('function f') },
  { note: 'CatalogTooDeepError', err: new resolve.CatalogTooDeepError(256) },
  { note: 'PolicyDeniedError', err: new decision.PolicyDeniedError('no', 'r1') },
  { note: 'ApprovalRequiredError', err: new decision.ApprovalRequiredError('ask', 'r2') },
  { note: 'PolicyEvaluationError', err: new decision.PolicyEvaluationError('broken', 'portcullis.policy_error') },
  { note: 'LoginDeniedError', err: new decision.LoginDeniedError('no database role', 'login.no_role') },
  { note: 'MaskedExpressionError', err: new actions.MaskedExpressionError('t.c', 'expression') },
  { note: 'MaskedBinaryError', err: new actions.MaskedBinaryError('t.c') },
  { note: 'MaskUnboundError', err: new actions.MaskUnboundError('why') },
  { note: 'FunctionCallRefusedError', err: new actions.FunctionCallRefusedError() },
  { note: 'UnknownStatementError', err: new actions.UnknownStatementError('s1') },
  { note: 'UnknownPortalError', err: new actions.UnknownPortalError('') },
  { note: 'UnsupportedRequestError', err: new actions.UnsupportedRequestError('COPY') },
  { note: 'UnsupportedRequestError with a hint', err: new actions.UnsupportedRequestError('COPY', 'h'), hint: 'h' },
  { note: 'BatchTooLargeError', err: new actions.BatchTooLargeError(10_000, 16_777_216) },
  { note: 'RowTooLargeError', err: new actions.RowTooLargeError(67_108_869, 67_108_864) },
  { note: 'UpstreamClosedError', err: new actions.UpstreamClosedError() },
  { note: 'StartupError TLS', err: new session.StartupError('ERR_PROXY_TLS_REQUIRED', '28000', 'm') },
  { note: 'StartupError invalid (28000)', err: new session.StartupError('ERR_PROXY_STARTUP_INVALID', '28000', 'm'), sqlstate: '28000' },
  { note: 'StartupError invalid (08P01)', err: new session.StartupError('ERR_PROXY_STARTUP_INVALID', '08P01', 'm'), sqlstate: '08P01' },
  { note: 'StartupError timeout, no SQLSTATE named', err: new session.StartupError('ERR_PROXY_STARTUP_TIMEOUT', 'm') },
  { note: 'tooManyConnections', err: session.tooManyConnections() },
  { note: 'tooManyLogins', err: session.tooManyLogins() },
  { note: 'crowdedOut', err: session.crowdedOut() },
  { note: 'StartupError authentication timeout', err: new session.StartupError('ERR_PROXY_AUTHENTICATION_TIMEOUT', 'm') },
  { note: 'StartupError message timeout', err: new session.StartupError('ERR_PROXY_MESSAGE_TIMEOUT', 'm') },
  { note: 'sessionExpired', err: session.sessionExpired() },
  { note: 'shuttingDown', err: session.shuttingDown() },
  { note: 'RelayDesyncError', err: new session.RelayDesyncError('m') },
  { note: 'UpstreamUnavailableError', err: new upstream.UpstreamUnavailableError('down') },
  { note: 'UpstreamAuthFailedError', err: new upstream.UpstreamAuthFailedError('no', { hint: 'ignored' }) },
  { note: 'UpstreamProtocolError', err: new upstream.UpstreamProtocolError('odd') },
  { note: 'UpstreamRoleError', err: new upstream.UpstreamRoleError({ cause: 'SQLSTATE 42704: role "x" does not exist' }) },
  { note: "UpstreamQueryError (upstream's 42P01)", err: new upstream.UpstreamQueryError('42P01', 'm'), sqlstate: '42P01' },
  { note: 'StateUnavailableError', err: new state.StateUnavailableError('down') },
  { note: 'StateMigrationError', err: new state.StateMigrationError('no privilege') },
  { note: 'ApprovalDeniedError', err: new approvals.ApprovalDeniedError('id', 'bob', 'no') },
  { note: 'ApprovalExpiredError', err: new approvals.ApprovalExpiredError('id', 1000) },
  { note: 'ApprovalWithdrawnError', err: new approvals.ApprovalWithdrawnError('id') },
  {
    note: 'ApprovalPendingError',
    err: new approvals.ApprovalPendingError('id', 'r', 't'),
    hint: 'once an approver has approved it (npx portcullis approvals approve id --reason "…"), send the same statement again; it runs once',
  },
  { note: 'ApprovalUnavailableError', err: new approvals.ApprovalUnavailableError('r', 'rule') },
  { note: 'ApprovalLimitError', err: new approvals.ApprovalLimitError(10) },
  { note: 'SessionTerminatedError', err: new control.SessionTerminatedError('alice', 'r'), severity: 'FATAL' },
  { note: 'IdentityBlockedError', err: new control.IdentityBlockedError('alice', 'r', null), severity: 'FATAL' },
  { note: 'RecordingUnavailableError', err: new recording.RecordingUnavailableError({ cause: new Error('ENOSPC /var/x') }) },
  { note: 'ToolError config', err: new ToolError('ERR_PROXY_CONFIG_INVALID', 'm') },
  { note: 'ToolError postgres', err: new ToolError('ERR_PROXY_POSTGRES_LAUNCH', 'm') },
  { note: 'ToolError demo state', err: new ToolError('ERR_PROXY_DEMO_STATE_MISSING', 'm') },
  ...Object.keys(bundleService.BUNDLE_SERVICE_ERRORS).map((code) => ({
    note: `BundleServiceError ${code}`,
    err: new bundleService.BundleServiceError(code as bundleService.BundleServiceErrorCode, 'm'),
  })),
  ...Object.entries(bundles).flatMap(([name, value]): Made[] =>
    typeof value === 'function' && value.prototype instanceof bundles.BundleError
      ? [{ note: name, err: new (value as new (message: string) => bundles.BundleError)('m') }]
      : [],
  ),
  { note: 'PolicyEvalError', err: new PolicyEvalError('m') },
  { note: 'PolicyLoadError', err: new PolicyLoadError('m') },
  { note: 'InternalCompilerError', err: new InternalCompilerError('m') },
];

function rowOf(code: string) {
  return ERROR_ENTRIES.find((e) => e.code === code)?.spec;
}

describe('constructing each error class', () => {
  it.each(made)('$note carries its table row', ({ err, sqlstate, severity, hint }) => {
    const spec = rowOf(err.code);
    expect(spec).toBeDefined();
    if (spec === undefined) return;
    expect(err.http).toBe(spec.http);
    expect(err.name).toBe(err.constructor.name);
    if (err instanceof ProxyError) {
      expect(err.sqlstate).toBe(sqlstate ?? spec.sqlstate);
      const allowed = allowedSqlstates(spec);
      if (allowed !== undefined) expect(allowed).toContain(err.sqlstate);
      expect(err.severity).toBe(severity ?? spec.severity);
      expect(err.hint).toBe(hint ?? spec.hint);
      expect(toErrorFields(err)).toMatchObject({ code: err.sqlstate, severity: err.severity, message: err.message });
    } else if (err instanceof ToolError || err instanceof bundleService.BundleServiceError) {
      expect(err.exit).toBe(spec.exit);
      expect('sqlstate' in err).toBe(false);
    }
  });

  it('covers every code of every table', () => {
    const covered = new Set(made.map((m) => m.err.code));
    expect(ERROR_ENTRIES.map((e) => e.code).filter((c) => !covered.has(c))).toEqual([]);
  });

  it('has a table for every part', () => {
    expect(Object.keys(ERROR_TABLES).sort()).toEqual(
      [
        'actions',
        'approvals',
        'auth',
        'bundle-service',
        'control',
        'bundles',
        'decision',
        'engine',
        'recording',
        'resolve',
        'session',
        'sql',
        'state',
        'tool',
        'upstream',
        'wire',
      ].sort(),
    );
  });
});

describe('ProxyError against its table', () => {
  it('refuses a SQLSTATE the row does not allow', () => {
    expect(() => new ProxyError('ERR_PROXY_TOKEN_EXPIRED', 'm', { sqlstate: '28P01' })).toThrow(TypeError);
    expect(() => new session.StartupError('ERR_PROXY_TLS_REQUIRED', '08P01', 'm')).toThrow(TypeError);
  });

  it('refuses a code no table declares', () => {
    expect(() => new ProxyError('ERR_PROXY_NOT_A_CODE', 'm')).toThrow(TypeError);
  });

  it('the command-line errors carry no SQLSTATE and exit as their row says', () => {
    const e = new ToolError('ERR_PROXY_POSTGRES_LAUNCH', 'could not start');
    expect(e).toMatchObject({ code: 'ERR_PROXY_POSTGRES_LAUNCH', http: 503, exit: 1, message: 'could not start' });
    expect('sqlstate' in e).toBe(false);
  });

  it('sends an internal error for anything that is not a ProxyError, ToolError included', () => {
    expect(toErrorFields(new ToolError('ERR_PROXY_CONFIG_INVALID', 'secret path'))).toEqual({
      severity: 'ERROR',
      code: 'XX000',
      message: 'portcullis: internal error',
    });
  });
});

describe('helpers', () => {
  it.each([
    { note: 'a ProxyError', value: new auth.TokenExpired('m'), http: 401 },
    { note: 'a ToolError', value: new ToolError('ERR_PROXY_CONFIG_INVALID', 'm'), http: 422 },
    { note: 'a BundleError', value: new bundles.BundlePathNotFound('m'), http: 404 },
    { note: 'an engine error', value: new PolicyLoadError('m'), http: 422 },
    { note: 'a plain Error', value: new TypeError('m'), http: 500 },
    { note: 'an Error with a bogus http', value: Object.assign(new Error('m'), { http: 200 }), http: 500 },
    { note: 'a string', value: 'm', http: 500 },
  ])('httpStatusOf($note) is $http', ({ value, http }) => {
    expect(httpStatusOf(value)).toBe(http);
  });

  it.each([
    { note: 'an Error', value: new RangeError('too deep'), text: 'too deep' },
    { note: 'a string', value: 'aborted', text: 'aborted' },
    { note: 'a number', value: 42, text: '42' },
    { note: 'undefined', value: undefined, text: 'undefined' },
  ])('messageOf($note)', ({ value, text }) => {
    expect(messageOf(value)).toBe(text);
  });

  it('assertNever throws a TypeError naming the value', () => {
    expect(() => assertNever('x' as never, 'encodeBackend: unknown message kind')).toThrow(
      new TypeError('encodeBackend: unknown message kind "x"'),
    );
  });
});
