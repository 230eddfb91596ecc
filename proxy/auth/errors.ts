// The identity stage's errors: every reason a token (or the key source behind it) is refused,
// each FATAL with a stable ERR_PROXY_* code and SQLSTATE 28P01 (the password itself is wrong:
// not a JWT, bad signature) or 28000 (a valid JWT not accepted here), declared in AUTH_ERRORS.
// Messages are written for the agent: what is wrong and what to do next.

import { ProxyError, defineErrors, errorClass } from '../errors.js';
import type { ProxyErrorOptions } from '../errors.js';

/** AUTH_ERRORS is the identity stage's error table (SQLSTATE, HTTP status, severity, hint per code). */
export const AUTH_ERRORS = defineErrors({
  ERR_PROXY_TOKEN_MALFORMED: {
    sqlstate: '28P01',
    http: 401,
    severity: 'FATAL',
    hint: 'Pass a signed JWT (header.payload.signature) as the password.',
  },
  ERR_PROXY_TOKEN_ALGORITHM_FORBIDDEN: { sqlstate: '28000', http: 401, severity: 'FATAL' },
  ERR_PROXY_TOKEN_SIGNATURE_INVALID: { sqlstate: '28P01', http: 401, severity: 'FATAL' },
  ERR_PROXY_TOKEN_KEY_UNKNOWN: { sqlstate: '28000', http: 401, severity: 'FATAL' },
  ERR_PROXY_TOKEN_EXPIRED: { sqlstate: '28000', http: 401, severity: 'FATAL' },
  ERR_PROXY_TOKEN_NOT_YET_VALID: { sqlstate: '28000', http: 401, severity: 'FATAL' },
  ERR_PROXY_TOKEN_ISSUER_INVALID: { sqlstate: '28000', http: 401, severity: 'FATAL' },
  ERR_PROXY_TOKEN_AUDIENCE_INVALID: { sqlstate: '28000', http: 401, severity: 'FATAL' },
  ERR_PROXY_TOKEN_LIFETIME_EXCEEDED: { sqlstate: '28000', http: 401, severity: 'FATAL' },
  ERR_PROXY_TOKEN_CLAIM_MISSING: { sqlstate: '28000', http: 401, severity: 'FATAL' },
  ERR_PROXY_JWKS_UNAVAILABLE: { sqlstate: '28000', http: 503, severity: 'FATAL' },
  ERR_PROXY_TOKEN_INACTIVE: { sqlstate: '28000', http: 401, severity: 'FATAL', hint: 'Request a new token from the issuer.' },
  ERR_PROXY_INTROSPECTION_UNAVAILABLE: { sqlstate: '28000', http: 503, severity: 'FATAL', hint: 'Retry later.' },
  ERR_PROXY_AUTH_CONFIG_INVALID: { sqlstate: '28000', http: 422, severity: 'FATAL' },
  ERR_PROXY_ISSUER_STATE_INVALID: { sqlstate: '28000', http: 422, severity: 'FATAL' },
});

/** AuthErrorCode is one code of AUTH_ERRORS. */
export type AuthErrorCode = keyof typeof AUTH_ERRORS;

/** AUTH_ERROR_CODES lists every code of AUTH_ERRORS. */
export const AUTH_ERROR_CODES = Object.keys(AUTH_ERRORS) as readonly AuthErrorCode[];

type Options = { readonly hint?: string; readonly detail?: string; readonly cause?: unknown };

/** AuthError is the base class of every identity error; FATAL, `code` stable, `message` for agents. */
export class AuthError extends ProxyError {
  declare readonly code: AuthErrorCode;
  constructor(code: AuthErrorCode, message: string, options: ProxyErrorOptions = {}) {
    super(code, message, options);
    this.name = 'AuthError';
  }
}

/** authError makes the class of a code whose constructor is `(message, options?)`. */
function authError<C extends AuthErrorCode>(code: C, name: string) {
  return errorClass(AuthError, code, name, (message: string, options: Options = {}) => [message, options] as const);
}

/** TokenInactive: the issuer reports the token inactive (revoked, or its account disabled), at login or during a session. */
export const TokenInactive = authError('ERR_PROXY_TOKEN_INACTIVE', 'TokenInactive');
/** TokenInactive is an instance of the class of the same name. */
export type TokenInactive = InstanceType<typeof TokenInactive>;

/** IntrospectionUnavailable: the issuer's introspection endpoint did not answer, so a login cannot be confirmed (fail closed). */
export const IntrospectionUnavailable = authError('ERR_PROXY_INTROSPECTION_UNAVAILABLE', 'IntrospectionUnavailable');
/** IntrospectionUnavailable is an instance of the class of the same name. */
export type IntrospectionUnavailable = InstanceType<typeof IntrospectionUnavailable>;

/** TokenMalformed: the password is not a compact signed JWT (or is oversized / undecodable). */
export const TokenMalformed = authError('ERR_PROXY_TOKEN_MALFORMED', 'TokenMalformed');
/** TokenMalformed is an instance of the class of the same name. */
export type TokenMalformed = InstanceType<typeof TokenMalformed>;

/** TokenAlgorithmForbidden: the token's `alg` is `none`, HMAC, or not in the allowed list. */
export const TokenAlgorithmForbidden = authError('ERR_PROXY_TOKEN_ALGORITHM_FORBIDDEN', 'TokenAlgorithmForbidden');
/** TokenAlgorithmForbidden is an instance of the class of the same name. */
export type TokenAlgorithmForbidden = InstanceType<typeof TokenAlgorithmForbidden>;

/** TokenSignatureInvalid: the signature does not verify with the issuer's key. */
export const TokenSignatureInvalid = authError('ERR_PROXY_TOKEN_SIGNATURE_INVALID', 'TokenSignatureInvalid');
/** TokenSignatureInvalid is an instance of the class of the same name. */
export type TokenSignatureInvalid = InstanceType<typeof TokenSignatureInvalid>;

/** TokenKeyUnknown: no key in the issuer's JWKS matches the token's `kid` (after a refresh). */
export const TokenKeyUnknown = authError('ERR_PROXY_TOKEN_KEY_UNKNOWN', 'TokenKeyUnknown');
/** TokenKeyUnknown is an instance of the class of the same name. */
export type TokenKeyUnknown = InstanceType<typeof TokenKeyUnknown>;

/** TokenExpired: `exp` (plus clock skew) is in the past. */
export const TokenExpired = authError('ERR_PROXY_TOKEN_EXPIRED', 'TokenExpired');
/** TokenExpired is an instance of the class of the same name. */
export type TokenExpired = InstanceType<typeof TokenExpired>;

/** TokenNotYetValid: `nbf` or `iat` (minus clock skew) is in the future. */
export const TokenNotYetValid = authError('ERR_PROXY_TOKEN_NOT_YET_VALID', 'TokenNotYetValid');
/** TokenNotYetValid is an instance of the class of the same name. */
export type TokenNotYetValid = InstanceType<typeof TokenNotYetValid>;

/** TokenIssuerInvalid: `iss` is not the configured issuer. */
export const TokenIssuerInvalid = authError('ERR_PROXY_TOKEN_ISSUER_INVALID', 'TokenIssuerInvalid');
/** TokenIssuerInvalid is an instance of the class of the same name. */
export type TokenIssuerInvalid = InstanceType<typeof TokenIssuerInvalid>;

/** TokenAudienceInvalid: `aud` names none of the configured audiences. */
export const TokenAudienceInvalid = authError('ERR_PROXY_TOKEN_AUDIENCE_INVALID', 'TokenAudienceInvalid');
/** TokenAudienceInvalid is an instance of the class of the same name. */
export type TokenAudienceInvalid = InstanceType<typeof TokenAudienceInvalid>;

/** TokenLifetimeExceeded: the token lives longer than the configured maximum. */
export const TokenLifetimeExceeded = authError('ERR_PROXY_TOKEN_LIFETIME_EXCEEDED', 'TokenLifetimeExceeded');
/** TokenLifetimeExceeded is an instance of the class of the same name. */
export type TokenLifetimeExceeded = InstanceType<typeof TokenLifetimeExceeded>;

/** JwksUnavailable: no verification key could be obtained (source down, invalid, or empty). */
export const JwksUnavailable = authError('ERR_PROXY_JWKS_UNAVAILABLE', 'JwksUnavailable');
/** JwksUnavailable is an instance of the class of the same name. */
export type JwksUnavailable = InstanceType<typeof JwksUnavailable>;

/** IssuerStateInvalid: a dev issuer state file cannot be imported. */
export const IssuerStateInvalid = authError('ERR_PROXY_ISSUER_STATE_INVALID', 'IssuerStateInvalid');
/** IssuerStateInvalid is an instance of the class of the same name. */
export type IssuerStateInvalid = InstanceType<typeof IssuerStateInvalid>;

/** TokenClaimMissing: a required claim (`sub`, `exp`, or a configured one) is absent or mistyped. */
export class TokenClaimMissing extends AuthError {
  declare readonly code: 'ERR_PROXY_TOKEN_CLAIM_MISSING';
  /** claim names the missing or invalid claim. */
  readonly claim: string;
  constructor(claim: string, message: string, options?: Options) {
    super('ERR_PROXY_TOKEN_CLAIM_MISSING', message, options);
    this.name = 'TokenClaimMissing';
    this.claim = claim;
  }
}

/** AuthConfigInvalid: the IdentityConfig breaks a rule (lists every problem in `problems`). */
export class AuthConfigInvalid extends AuthError {
  declare readonly code: 'ERR_PROXY_AUTH_CONFIG_INVALID';
  /** problems lists each rule broken, one sentence each. */
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super('ERR_PROXY_AUTH_CONFIG_INVALID', `invalid identity configuration: ${problems.join('; ')}`);
    this.name = 'AuthConfigInvalid';
    this.problems = problems;
  }
}

/** AnyAuthError is the closed union of identity errors. */
export type AnyAuthError =
  | TokenMalformed
  | TokenAlgorithmForbidden
  | TokenSignatureInvalid
  | TokenKeyUnknown
  | TokenExpired
  | TokenNotYetValid
  | TokenIssuerInvalid
  | TokenAudienceInvalid
  | TokenLifetimeExceeded
  | TokenClaimMissing
  | JwksUnavailable
  | TokenInactive
  | IntrospectionUnavailable
  | AuthConfigInvalid
  | IssuerStateInvalid;
