// The AuthError family: each class carries its own stable code from AUTH_ERROR_CODES, is FATAL,
// maps to 28P01 only where a client expects "wrong password", and reaches the client as exactly
// its message through toErrorFields.

import { describe, expect, it } from 'vitest';
import {
  AUTH_ERROR_CODES,
  AuthConfigInvalid,
  type AuthError,
  IntrospectionUnavailable,
  IssuerStateInvalid,
  JwksUnavailable,
  TokenAlgorithmForbidden,
  TokenAudienceInvalid,
  TokenClaimMissing,
  TokenExpired,
  TokenInactive,
  TokenIssuerInvalid,
  TokenKeyUnknown,
  TokenLifetimeExceeded,
  TokenMalformed,
  TokenNotYetValid,
  TokenSignatureInvalid,
} from '../../../proxy/auth/index.js';
import { ProxyError, toErrorFields } from '../../../proxy/errors.js';

const cases: Array<{ note: string; err: AuthError; sqlstate: string }> = [
  { note: 'TokenMalformed', err: new TokenMalformed('m'), sqlstate: '28P01' },
  { note: 'TokenAlgorithmForbidden', err: new TokenAlgorithmForbidden('m'), sqlstate: '28000' },
  { note: 'TokenSignatureInvalid', err: new TokenSignatureInvalid('m'), sqlstate: '28P01' },
  { note: 'TokenKeyUnknown', err: new TokenKeyUnknown('m'), sqlstate: '28000' },
  { note: 'TokenExpired', err: new TokenExpired('m'), sqlstate: '28000' },
  { note: 'TokenNotYetValid', err: new TokenNotYetValid('m'), sqlstate: '28000' },
  { note: 'TokenIssuerInvalid', err: new TokenIssuerInvalid('m'), sqlstate: '28000' },
  { note: 'TokenAudienceInvalid', err: new TokenAudienceInvalid('m'), sqlstate: '28000' },
  { note: 'TokenLifetimeExceeded', err: new TokenLifetimeExceeded('m'), sqlstate: '28000' },
  { note: 'TokenClaimMissing', err: new TokenClaimMissing('sub', 'm'), sqlstate: '28000' },
  { note: 'JwksUnavailable', err: new JwksUnavailable('m'), sqlstate: '28000' },
  { note: 'AuthConfigInvalid', err: new AuthConfigInvalid(['m']), sqlstate: '28000' },
  { note: 'IssuerStateInvalid', err: new IssuerStateInvalid('m'), sqlstate: '28000' },
  { note: 'TokenInactive', err: new TokenInactive('m'), sqlstate: '28000' },
  { note: 'IntrospectionUnavailable', err: new IntrospectionUnavailable('m'), sqlstate: '28000' },
];

describe('AuthError family', () => {
  it('has one class per code', () => {
    expect(cases.map((c) => c.err.code).sort()).toEqual([...AUTH_ERROR_CODES].sort());
  });

  it.each(cases)('$note is a FATAL ProxyError with its SQLSTATE', ({ err, sqlstate }) => {
    expect(err).toBeInstanceOf(ProxyError);
    expect(err.name).toBe(err.constructor.name);
    expect(toErrorFields(err)).toMatchObject({ severity: 'FATAL', code: sqlstate, message: err.message });
  });
});
