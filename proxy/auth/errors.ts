// The identity stage's errors: every reason a token (or the key source behind it) is refused,
// each a ProxyError with a stable ERR_PROXY_* code, severity FATAL and SQLSTATE 28P01 (the
// password itself is wrong: not a JWT, bad signature) or 28000 (a valid JWT not accepted here).
// Messages are written for the agent: what is wrong and what to do next.

import { ProxyError } from '../errors.js';

/** AUTH_ERROR_CODES lists every stable code an AuthError can carry (for docs/errors.md). */
export const AUTH_ERROR_CODES = [
  'ERR_PROXY_TOKEN_MALFORMED',
  'ERR_PROXY_TOKEN_ALGORITHM_FORBIDDEN',
  'ERR_PROXY_TOKEN_SIGNATURE_INVALID',
  'ERR_PROXY_TOKEN_KEY_UNKNOWN',
  'ERR_PROXY_TOKEN_EXPIRED',
  'ERR_PROXY_TOKEN_NOT_YET_VALID',
  'ERR_PROXY_TOKEN_ISSUER_INVALID',
  'ERR_PROXY_TOKEN_AUDIENCE_INVALID',
  'ERR_PROXY_TOKEN_LIFETIME_EXCEEDED',
  'ERR_PROXY_TOKEN_CLAIM_MISSING',
  'ERR_PROXY_JWKS_UNAVAILABLE',
  'ERR_PROXY_AUTH_CONFIG_INVALID',
  'ERR_PROXY_ISSUER_STATE_INVALID',
] as const;

/** AuthErrorCode is one of AUTH_ERROR_CODES. */
export type AuthErrorCode = (typeof AUTH_ERROR_CODES)[number];

/** SQLSTATE 28000 invalid_authorization_specification. */
const INVALID_AUTHORIZATION = '28000';
/** SQLSTATE 28P01 invalid_password: what PostgreSQL clients expect for a wrong password. */
const INVALID_PASSWORD = '28P01';

type Options = { readonly hint?: string; readonly detail?: string; readonly cause?: unknown };

/** AuthError is the base class of every identity error; FATAL, `code` stable, `message` for agents. */
export class AuthError extends ProxyError {
  declare readonly code: AuthErrorCode;
  constructor(code: AuthErrorCode, sqlstate: string, message: string, options: Options = {}) {
    super(code, sqlstate, message, { severity: 'FATAL', ...options });
    this.name = 'AuthError';
  }
}

/** TokenMalformed: the password is not a compact signed JWT (or is oversized / undecodable). */
export class TokenMalformed extends AuthError {
  constructor(message: string, options?: Options) {
    super('ERR_PROXY_TOKEN_MALFORMED', INVALID_PASSWORD, message, { hint: 'Pass a signed JWT (header.payload.signature) as the password.', ...options });
    this.name = 'TokenMalformed';
  }
}

/** TokenAlgorithmForbidden: the token's `alg` is `none`, HMAC, or not in the allowed list. */
export class TokenAlgorithmForbidden extends AuthError {
  constructor(message: string, options?: Options) {
    super('ERR_PROXY_TOKEN_ALGORITHM_FORBIDDEN', INVALID_AUTHORIZATION, message, options);
    this.name = 'TokenAlgorithmForbidden';
  }
}

/** TokenSignatureInvalid: the signature does not verify with the issuer's key. */
export class TokenSignatureInvalid extends AuthError {
  constructor(message: string, options?: Options) {
    super('ERR_PROXY_TOKEN_SIGNATURE_INVALID', INVALID_PASSWORD, message, options);
    this.name = 'TokenSignatureInvalid';
  }
}

/** TokenKeyUnknown: no key in the issuer's JWKS matches the token's `kid` (after a refresh). */
export class TokenKeyUnknown extends AuthError {
  constructor(message: string, options?: Options) {
    super('ERR_PROXY_TOKEN_KEY_UNKNOWN', INVALID_AUTHORIZATION, message, options);
    this.name = 'TokenKeyUnknown';
  }
}

/** TokenExpired: `exp` (plus clock skew) is in the past. */
export class TokenExpired extends AuthError {
  constructor(message: string, options?: Options) {
    super('ERR_PROXY_TOKEN_EXPIRED', INVALID_AUTHORIZATION, message, options);
    this.name = 'TokenExpired';
  }
}

/** TokenNotYetValid: `nbf` or `iat` (minus clock skew) is in the future. */
export class TokenNotYetValid extends AuthError {
  constructor(message: string, options?: Options) {
    super('ERR_PROXY_TOKEN_NOT_YET_VALID', INVALID_AUTHORIZATION, message, options);
    this.name = 'TokenNotYetValid';
  }
}

/** TokenIssuerInvalid: `iss` is not the configured issuer. */
export class TokenIssuerInvalid extends AuthError {
  constructor(message: string, options?: Options) {
    super('ERR_PROXY_TOKEN_ISSUER_INVALID', INVALID_AUTHORIZATION, message, options);
    this.name = 'TokenIssuerInvalid';
  }
}

/** TokenAudienceInvalid: `aud` names none of the configured audiences. */
export class TokenAudienceInvalid extends AuthError {
  constructor(message: string, options?: Options) {
    super('ERR_PROXY_TOKEN_AUDIENCE_INVALID', INVALID_AUTHORIZATION, message, options);
    this.name = 'TokenAudienceInvalid';
  }
}

/** TokenLifetimeExceeded: the token lives longer than the configured maximum. */
export class TokenLifetimeExceeded extends AuthError {
  constructor(message: string, options?: Options) {
    super('ERR_PROXY_TOKEN_LIFETIME_EXCEEDED', INVALID_AUTHORIZATION, message, options);
    this.name = 'TokenLifetimeExceeded';
  }
}

/** TokenClaimMissing: a required claim (`sub`, `exp`, or a configured one) is absent or mistyped. */
export class TokenClaimMissing extends AuthError {
  /** claim names the missing or invalid claim. */
  readonly claim: string;
  constructor(claim: string, message: string, options?: Options) {
    super('ERR_PROXY_TOKEN_CLAIM_MISSING', INVALID_AUTHORIZATION, message, options);
    this.name = 'TokenClaimMissing';
    this.claim = claim;
  }
}

/** JwksUnavailable: no verification key could be obtained (source down, invalid, or empty). */
export class JwksUnavailable extends AuthError {
  constructor(message: string, options?: Options) {
    super('ERR_PROXY_JWKS_UNAVAILABLE', INVALID_AUTHORIZATION, message, options);
    this.name = 'JwksUnavailable';
  }
}

/** AuthConfigInvalid: the IdentityConfig breaks a rule (lists every problem in `problems`). */
export class AuthConfigInvalid extends AuthError {
  /** problems lists each rule broken, one sentence each. */
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super('ERR_PROXY_AUTH_CONFIG_INVALID', INVALID_AUTHORIZATION, `invalid identity configuration: ${problems.join('; ')}`);
    this.name = 'AuthConfigInvalid';
    this.problems = problems;
  }
}

/** IssuerStateInvalid: a dev issuer state file cannot be imported. */
export class IssuerStateInvalid extends AuthError {
  constructor(message: string, options?: Options) {
    super('ERR_PROXY_ISSUER_STATE_INVALID', INVALID_AUTHORIZATION, message, options);
    this.name = 'IssuerStateInvalid';
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
  | AuthConfigInvalid
  | IssuerStateInvalid;
