// Public surface of proxy/auth: JWT → Principal verification against a JWKS (file, URL or OIDC
// discovery) with cached keys and rate-limited refresh (the dev token issuer lives in proxy/dev).
// Re-exports only.

export { createTokenVerifier, MAX_TOKEN_LENGTH } from './token-verifier.js';
export { validateIdentityConfig, FORBIDDEN_ALGORITHMS, SUPPORTED_ALGORITHMS } from './identity-config.js';
export {
  AUTH_ERRORS,
  AUTH_ERROR_CODES,
  AuthError,
  AuthConfigInvalid,
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
} from './errors.js';
export type { AnyAuthError, AuthErrorCode } from './errors.js';
export type {
  AuthEvent,
  IdentityConfig,
  IntrospectionConfig,
  Jwk,
  Jwks,
  JwksSourceConfig,
  Principal,
  TokenVerifier,
  VerifierDeps,
} from './types.js';
