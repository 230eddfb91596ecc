// Types of the identity stage: the verifier's configuration (mapped from opa.config.yaml by
// proxy/config/), its injectable dependencies, the Principal it produces from a JWT, and the
// events it reports. Plain readonly data; no behaviour lives here.

/** JwksSourceConfig says where the verification keys come from; exactly one of the three. */
export type JwksSourceConfig = {
  /** file is a path to a JWKS JSON file, read at start and re-read on an unknown `kid`. */
  readonly file?: string;
  /** url is an http(s) URL serving a JWKS. */
  readonly url?: string;
  /** discovery fetches `${issuer}/.well-known/openid-configuration` and follows `jwks_uri`. */
  readonly discovery?: boolean;
};

/** IdentityConfig configures token verification; see validateIdentityConfig for its rules. */
export type IdentityConfig = {
  /** issuer is the exact `iss` accepted (and the OIDC discovery base). */
  readonly issuer: string;
  /** audience is the accepted `aud` value(s); a token must name at least one. */
  readonly audience: string | readonly string[];
  /** jwks selects the key source; absent means OIDC discovery. */
  readonly jwks?: JwksSourceConfig;
  /** algorithms allowed, e.g. ['RS256', 'ES256', 'EdDSA']; `none` and HMAC (HS*) are refused. */
  readonly algorithms: readonly string[];
  /** clockSkewSeconds is the tolerance applied to `exp`, `nbf` and `iat`. */
  readonly clockSkewSeconds: number;
  /** maxTokenLifetimeSeconds bounds `exp - iat` (or `exp - max(nbf, now)` without `iat`). */
  readonly maxTokenLifetimeSeconds: number;
  /** refreshMinIntervalSeconds rate-limits JWKS re-fetches triggered by an unknown `kid`. */
  readonly refreshMinIntervalSeconds: number;
  /** introspection asks the issuer (RFC 7662) whether each token is still active: at login, and again every `recheckSeconds` for live sessions. */
  readonly introspection?: IntrospectionConfig;
  /** keysMaxAgeSeconds bounds how long a key set is trusted before it is loaded again, whatever the server's Cache-Control says (default 300). */
  readonly keysMaxAgeSeconds?: number;
  /** requiredClaims must be present in addition to `sub` and `exp` (always required). */
  readonly requiredClaims?: readonly string[];
};

/** AuthEvent is what the verifier reports through the injected `log` function. */
export type AuthEvent =
  | { readonly kind: 'jwks-loaded'; readonly source: string; readonly keyCount: number }
  | { readonly kind: 'jwks-load-failed'; readonly source: string; readonly reason: string; readonly cachedKeyCount: number }
  | { readonly kind: 'jwks-refresh-limited'; readonly kid: string | undefined; readonly nextRefreshAt: Date }
  | { readonly kind: 'introspection-failed'; readonly reason: string };

/** VerifierDeps are the verifier's injectable effects (clock, network, file system, logging). */
export type VerifierDeps = {
  /** now returns the current time in milliseconds since the epoch (default Date.now). */
  readonly now?: () => number;
  /** fetch is used for JWKS URLs and discovery (default globalThis.fetch). */
  readonly fetch?: typeof fetch;
  /** readFile reads a JWKS file as UTF-8; required for a `jwks.file` source (proxy/cli passes node:fs's; the data plane reads no files). */
  readonly readFile?: (path: string) => Promise<string>;
  /** log receives AuthEvents (default: dropped). */
  readonly log?: (event: AuthEvent) => void;
  /** fetchTimeoutMs bounds every HTTP request for keys (default 3000). */
  readonly fetchTimeoutMs?: number;
};

/** Principal is a verified identity: who the token names and all its verified claims. */
export type Principal = {
  /** subject is the `sub` claim. */
  readonly subject: string;
  /** issuer is the `iss` claim (equal to the configured issuer). */
  readonly issuer: string;
  /** audience is the `aud` claim as a list. */
  readonly audience: readonly string[];
  /** claims are all verified claims, frozen; the policy input's `identity`. */
  readonly claims: Readonly<Record<string, unknown>>;
  /** issuedAt is `iat`, when present. */
  readonly issuedAt?: Date;
  /** expiresAt is `exp`; the session must end then. */
  readonly expiresAt: Date;
  /** tokenId is `jti`, when present. */
  readonly tokenId?: string;
};

/** IntrospectionConfig is where and as whom the gateway asks the issuer about tokens. */
export type IntrospectionConfig = {
  /** url is the introspection endpoint (https; http only on loopback). */
  readonly url: string;
  readonly clientId: string;
  /** clientSecret is read for every request (deps may read a file or the environment). */
  readonly clientSecret: () => Promise<string>;
  /** cacheSeconds is how long an answer is reused at login (default 30). */
  readonly cacheSeconds?: number;
  /** recheckSeconds is how often a live session's token is asked about again (default 60; 0: never). */
  readonly recheckSeconds?: number;
};

/** TokenVerifier turns a JWT into a Principal or rejects with an AuthError; never anything else. */
export type TokenVerifier = {
  /** verify checks the token and resolves to its Principal, or rejects with an AuthError. */
  readonly verify: (token: string) => Promise<Principal>;
  /**
   * recheck asks the issuer again whether a verified principal's token is still active (token
   * introspection); `active` when introspection is not configured. `unavailable` when the issuer
   * did not answer (the caller keeps the session and asks again later).
   */
  readonly recheck: (principal: Principal) => Promise<'active' | 'inactive' | 'unavailable'>;
  /** recheckIntervalMs is how often live sessions should recheck (undefined: never). */
  readonly recheckIntervalMs?: number;
  /** close aborts any in-flight key fetch; verify then rejects with TypeError. */
  readonly close: () => void;
};

/** Jwk is a JSON Web Key as found in a JWKS (public members only are used). */
export type Jwk = {
  readonly kty: string;
  readonly kid?: string;
  readonly alg?: string;
  readonly use?: string;
  readonly [member: string]: unknown;
};

/** Jwks is a JSON Web Key Set. */
export type Jwks = { readonly keys: readonly Jwk[] };
