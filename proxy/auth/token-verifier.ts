// JWT → Principal. Checks the token's shape and algorithm before touching keys, verifies the
// signature and the registered claims with jose against keys from the KeyStore, then applies
// our own rules (subject, issued-in-the-future, maximum lifetime). Every failure becomes one
// AuthError with a message an agent can act on; nothing else escapes.

import { decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
import { duplicateKey } from './duplicate-keys.js';
import type { JWTPayload, JWSHeaderParameters } from 'jose';
import {
  AuthConfigInvalid,
  AuthError,
  JwksUnavailable,
  TokenAlgorithmForbidden,
  TokenAudienceInvalid,
  TokenClaimMissing,
  TokenExpired,
  TokenIssuerInvalid,
  TokenLifetimeExceeded,
  TokenMalformed,
  TokenNotYetValid,
  TokenSignatureInvalid,
} from './errors.js';
import { keySourceOf, validateIdentityConfig } from './identity-config.js';
import { createKeyStore } from './key-store.js';
import { createIntrospector } from './introspection.js';
import { IntrospectionUnavailable, TokenInactive } from './errors.js';
import type { VerificationKey } from './key-store.js';
import { RecentMap } from '../recent/index.js';
import type { IdentityConfig, Principal, TokenVerifier, VerifierDeps } from './types.js';

/** MAX_TOKEN_LENGTH is the largest token accepted (characters, which JWTs' base64url makes bytes); real JWTs are well under 8 KiB. */
export const MAX_TOKEN_LENGTH = 16 * 1024;
/** Default longest time a key set is trusted before it is loaded again (5 minutes). */
const DEFAULT_KEYS_MAX_AGE_SECONDS = 300;
/** Default time an introspection answer is reused at login. */
const DEFAULT_INTROSPECTION_CACHE_SECONDS = 30;
/** Default interval between live sessions' introspection re-checks. */
const DEFAULT_RECHECK_SECONDS = 60;
/** Default bound on each key fetch. */
const DEFAULT_FETCH_TIMEOUT_MS = 3000;
/**
 * VERIFIED_TOKENS bounds the tokens a verifier remembers as verified (an agent reconnecting with
 * its token is not verified again from scratch: about 130 µs of signature work each login).
 */
const VERIFIED_TOKENS = 1024;

/**
 * Verified is what a remembered token was verified with and to: the key (a token is taken from
 * memory only while the key set still holds that very key), the payload jose accepted, and the
 * frozen claims made from it (shared by the token's sessions).
 */
type Verified = { readonly key: VerificationKey; readonly payload: JWTPayload; claims?: Readonly<Record<string, unknown>> };

type Resolved = {
  readonly config: IdentityConfig;
  readonly audiences: readonly string[];
  readonly requiredClaims: readonly string[];
  readonly now: () => number;
};

function iso(seconds: number): string {
  const d = new Date(seconds * 1000);
  return Number.isNaN(d.getTime()) ? String(seconds) : d.toISOString();
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** checkHeader decodes the protected header and refuses forbidden or disallowed algorithms. */
function checkHeader(token: unknown, r: Resolved): JWSHeaderParameters {
  if (typeof token !== 'string' || token.length === 0) {
    throw new TokenMalformed(`no token given: the password must be a JWT issued by ${r.config.issuer}`);
  }
  if (token.length > MAX_TOKEN_LENGTH) {
    throw new TokenMalformed(`token is ${token.length} bytes; the limit is ${MAX_TOKEN_LENGTH}`);
  }
  const parts = token.split('.');
  if (parts.length === 5) throw new TokenMalformed('token is an encrypted JWT (JWE); only signed JWTs (JWS) are accepted');
  if (parts.length !== 3) throw new TokenMalformed('password is not a JWT: expected three base64url parts separated by "."');
  let header: JWSHeaderParameters;
  try {
    header = decodeProtectedHeader(token) as JWSHeaderParameters;
  } catch (err) {
    throw new TokenMalformed('password is not a JWT: its header is not base64url-encoded JSON', { cause: err });
  }
  for (const [part, segment] of [
    ['header', parts[0]],
    ['payload', parts[1]],
  ] as const) {
    const twice = duplicateKey(Buffer.from(segment ?? '', 'base64url').toString('utf8'));
    if (twice !== undefined) {
      throw new TokenMalformed(
        `token ${part} names ${JSON.stringify(twice)} twice; tokens with duplicate JSON members are refused (readers could disagree on its value)`,
      );
    }
  }
  const alg = header.alg;
  if (typeof alg !== 'string') throw new TokenMalformed('token header has no "alg"');
  const allowed = r.config.algorithms.join(', ');
  if (alg.toLowerCase() === 'none') {
    throw new TokenAlgorithmForbidden(`token algorithm "none" (unsigned) is never accepted; request a token signed with one of ${allowed}`);
  }
  if (/^HS\d+$/i.test(alg)) {
    throw new TokenAlgorithmForbidden(
      `token algorithm "${alg}" (HMAC) is not accepted: keys are asymmetric; request a token signed with one of ${allowed}`,
    );
  }
  if (!r.config.algorithms.includes(alg)) {
    throw new TokenAlgorithmForbidden(`token algorithm "${alg}" is not allowed; request a token signed with one of ${allowed}`);
  }
  if (header.kid !== undefined && typeof header.kid !== 'string') throw new TokenMalformed('token header "kid" is not a string');
  return header;
}

/**
 * checkIssuer refuses a token from another issuer before looking for its key, so the agent reads
 * "wrong issuer" rather than "unknown key" (the claim is unverified here: this only chooses the
 * message of a refusal; verification checks the issuer again).
 */
function checkIssuer(token: string, r: Resolved): void {
  let iss: unknown;
  try {
    iss = decodeJwt(token).iss;
  } catch {
    return; // jose's verification reports what is wrong with the payload
  }
  if (typeof iss === 'string' && iss !== r.config.issuer) {
    throw new TokenIssuerInvalid(`token issuer ${JSON.stringify(iss)} is not accepted; request a token from ${r.config.issuer}`);
  }
}

/** translate maps a jose (or unexpected) error to an AuthError; claims come from the verified payload. */
function translate(err: unknown, header: JWSHeaderParameters, r: Resolved): AuthError {
  if (err instanceof AuthError) return err;
  const nowS = Math.floor(r.now() / 1000);
  const skew = r.config.clockSkewSeconds;
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) {
    const key = header.kid !== undefined ? `key "${header.kid}"` : 'any key';
    return new TokenSignatureInvalid(
      `token signature does not verify with ${key} of issuer ${r.config.issuer}; the token was altered or signed by someone else; request a new token`,
      { cause: err },
    );
  }
  if (err instanceof joseErrors.JWTExpired) {
    const exp = err.payload.exp;
    return new TokenExpired(
      `token expired at ${typeof exp === 'number' ? iso(exp) : '?'} (now ${iso(nowS)}, clock skew ${skew}s); request a new token`,
      { cause: err },
    );
  }
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    const payload = err.payload;
    if (err.reason === 'missing' && err.claim === 'iss') {
      return new TokenIssuerInvalid(`token has no issuer ("iss"); request a token from ${r.config.issuer}`, { cause: err });
    }
    if (err.reason === 'missing' && err.claim === 'aud') {
      return new TokenAudienceInvalid(
        `token has no audience ("aud"); request a token for ${r.audiences.map((a) => JSON.stringify(a)).join(' or ')}`,
        { cause: err },
      );
    }
    if (err.reason === 'missing' || err.reason === 'invalid') {
      const what = err.reason === 'missing' ? 'is missing' : 'has the wrong type';
      return new TokenClaimMissing(
        err.claim,
        `token claim "${err.claim}" ${what} (${err.message}); the required claims are ${r.requiredClaims.join(', ')}; request a token that carries them`,
        { cause: err },
      );
    }
    switch (err.claim) {
      case 'iss':
        return new TokenIssuerInvalid(
          `token issuer ${JSON.stringify(payload.iss)} is not accepted; request a token from ${r.config.issuer}`,
          { cause: err },
        );
      case 'aud':
        return new TokenAudienceInvalid(
          `token audience ${JSON.stringify(payload.aud)} does not include ${r.audiences.map((a) => JSON.stringify(a)).join(' or ')}; request a token for this gateway's audience`,
          { cause: err },
        );
      case 'nbf': {
        const nbf = payload.nbf;
        return new TokenNotYetValid(
          `token is not valid before ${typeof nbf === 'number' ? iso(nbf) : '?'} (now ${iso(nowS)}, clock skew ${skew}s); retry then or check the client's clock`,
          { cause: err },
        );
      }
      default:
        return new TokenMalformed(`token claim "${err.claim}" is not accepted: ${err.message}`, { cause: err });
    }
  }
  if (err instanceof joseErrors.JOSEAlgNotAllowed) {
    return new TokenAlgorithmForbidden(
      `token algorithm "${String(header.alg)}" is not allowed; request a token signed with one of ${r.config.algorithms.join(', ')}`,
      { cause: err },
    );
  }
  if (err instanceof joseErrors.JWSInvalid || err instanceof joseErrors.JWTInvalid || err instanceof joseErrors.JOSENotSupported) {
    return new TokenMalformed(`token is not a valid signed JWT: ${err.message}`, { cause: err });
  }
  if (err instanceof joseErrors.JWKInvalid || err instanceof joseErrors.JWKSInvalid) {
    return new JwksUnavailable(`the issuer's key cannot be used: ${err.message}; ask the gateway's operator to check the key source`, {
      cause: err,
    });
  }
  // Fail closed on anything unforeseen, without exposing its text.
  return new TokenMalformed('token could not be verified', { cause: err });
}

/** checkPayload applies the rules jose does not: subject type, future iat, maximum lifetime; `made` are the payload's frozen claims when already made. */
function checkPayload(payload: JWTPayload, r: Resolved, made?: Readonly<Record<string, unknown>>): Principal {
  const nowS = r.now() / 1000;
  const skew = r.config.clockSkewSeconds;
  if (typeof payload.sub !== 'string' || payload.sub.length === 0) {
    throw new TokenClaimMissing('sub', 'token claim "sub" must be a non-empty string naming the agent; request a token with a subject');
  }
  const exp = payload.exp;
  if (typeof exp !== 'number') throw new TokenClaimMissing('exp', 'token claim "exp" is missing; request a token with an expiry');
  const iat = payload.iat;
  if (iat !== undefined && (typeof iat !== 'number' || !Number.isFinite(iat))) {
    throw new TokenClaimMissing('iat', 'token claim "iat" must be a number of seconds since the epoch');
  }
  if (iat !== undefined && iat > nowS + skew) {
    throw new TokenNotYetValid(
      `token was issued in the future at ${iso(iat)} (now ${iso(Math.floor(nowS))}, clock skew ${skew}s); check the issuer's clock and request a new token`,
    );
  }
  const start = iat ?? (typeof payload.nbf === 'number' ? payload.nbf : nowS);
  const lifetime = exp - start;
  const max = r.config.maxTokenLifetimeSeconds;
  if (lifetime > max) {
    const from =
      iat !== undefined ? `issued at ${iso(iat)}` : typeof payload.nbf === 'number' ? `valid from ${iso(payload.nbf)}` : 'from now';
    throw new TokenLifetimeExceeded(
      `token lives ${Math.round(lifetime)}s (${from} until ${iso(exp)}); the maximum accepted is ${max}s; request a shorter-lived token`,
    );
  }
  const aud = payload.aud;
  const claims = made ?? (deepFreeze(structuredClone(payload)) as Readonly<Record<string, unknown>>);
  return {
    subject: payload.sub,
    issuer: String(payload.iss),
    audience: Object.freeze(typeof aud === 'string' ? [aud] : Array.isArray(aud) ? [...aud] : []),
    claims,
    ...(iat !== undefined ? { issuedAt: new Date(iat * 1000) } : {}),
    expiresAt: new Date(exp * 1000),
    ...(typeof payload.jti === 'string' ? { tokenId: payload.jti } : {}),
  };
}

/** noFileReader is the readFile of verifiers built without one: proxy/ reads no files, so a `jwks.file` source needs deps.readFile. */
function noFileReader(path: string): Promise<string> {
  return Promise.reject(new TypeError(`no readFile was given to read the JWKS file ${path} (the composition root passes one)`));
}

/**
 * createTokenVerifier validates the config (throwing AuthConfigInvalid listing every problem)
 * and returns a verifier whose `verify` resolves to a Principal or rejects with an AuthError.
 */
export function createTokenVerifier(config: IdentityConfig, deps: VerifierDeps = {}): TokenVerifier {
  const problems = validateIdentityConfig(config);
  if (problems.length > 0) throw new AuthConfigInvalid(problems);
  const now = deps.now ?? (() => Date.now());
  const audiences = typeof config.audience === 'string' ? [config.audience] : [...config.audience];
  const requiredClaims = [...new Set(['sub', 'exp', ...(config.requiredClaims ?? [])])];
  const r: Resolved = { config, audiences, requiredClaims, now };
  const store = createKeyStore({
    source: keySourceOf(config),
    issuer: config.issuer,
    refreshMinIntervalMs: config.refreshMinIntervalSeconds * 1000,
    maxAgeMs: (config.keysMaxAgeSeconds ?? DEFAULT_KEYS_MAX_AGE_SECONDS) * 1000,
    fetchTimeoutMs: deps.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS,
    now,
    fetch: deps.fetch ?? globalThis.fetch,
    readFile: deps.readFile ?? noFileReader,
    log: deps.log ?? (() => undefined),
  });
  const intro = config.introspection;
  const introspector =
    intro === undefined
      ? undefined
      : createIntrospector({
          url: intro.url,
          clientId: intro.clientId,
          clientSecret: intro.clientSecret,
          cacheMs: (intro.cacheSeconds ?? DEFAULT_INTROSPECTION_CACHE_SECONDS) * 1000,
          timeoutMs: deps.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS,
          now,
          fetch: deps.fetch ?? globalThis.fetch,
          log: deps.log ?? (() => undefined),
        });
  // the token each verified principal came with, for live re-checks (never exposed on the principal)
  const tokens = new WeakMap<Principal, string>();
  let closed = false;

  // tokens verified before, by the token's text (a bearer secret already held by its sessions)
  const verified = new RecentMap<string, Verified>();

  /**
   * stillValid tells whether a remembered payload passes jose's clock checks now (exp, nbf, with
   * the configured skew); the rest of what jose checked (signature, issuer, audience, algorithm,
   * required claims) is the token's and the configuration's, unchanged since.
   */
  function stillValid(payload: JWTPayload): boolean {
    const nowS = Math.floor(now() / 1000);
    const skew = config.clockSkewSeconds;
    if (typeof payload.exp !== 'number' || payload.exp <= nowS - skew) return false;
    return typeof payload.nbf !== 'number' || payload.nbf <= nowS + skew;
  }

  async function verifyWith(token: string, keys: readonly VerificationKey[], header: JWSHeaderParameters): Promise<Verified> {
    const known = verified.get(token);
    // anything else (another key set, a clock past exp) is verified afresh, with jose's own refusal
    if (known !== undefined && keys.includes(known.key) && stillValid(known.payload)) return known;
    let last: unknown;
    for (const key of keys) {
      try {
        const { payload } = await jwtVerify(token, key, {
          issuer: config.issuer,
          audience: audiences,
          algorithms: [...config.algorithms],
          clockTolerance: config.clockSkewSeconds,
          currentDate: new Date(now()),
          requiredClaims,
        });
        const made: Verified = { key, payload };
        verified.set(token, made);
        if (verified.size > VERIFIED_TOKENS) verified.delete((verified.oldest() as [string, Verified])[0]);
        return made;
      } catch (err) {
        // With several candidate keys (no kid), only a signature mismatch moves on to the next.
        if (!(err instanceof joseErrors.JWSSignatureVerificationFailed)) throw err;
        last = err;
      }
    }
    throw (
      last ??
      new TokenSignatureInvalid(`no key of issuer ${config.issuer} verifies the token (header ${JSON.stringify(header.kid ?? null)})`)
    );
  }

  async function verify(token: string): Promise<Principal> {
    if (closed) throw new TypeError('token verifier is closed');
    let header: JWSHeaderParameters | undefined;
    try {
      header = checkHeader(token, r);
      checkIssuer(token, r);
      const keys = await store.keysFor(header);
      const known = await verifyWith(token, keys, header);
      const principal = checkPayload(known.payload, r, known.claims);
      known.claims ??= principal.claims;
      if (introspector !== undefined) {
        const activity = await introspector.activity(token, principal.expiresAt.getTime());
        if (activity === 'inactive') {
          throw new TokenInactive(
            `the issuer ${config.issuer} reports this token inactive (revoked, or its account disabled); request a new token`,
          );
        }
        if (activity === 'unavailable') {
          throw new IntrospectionUnavailable(
            `the gateway could not confirm with the issuer ${config.issuer} that this token is still active; retry later`,
          );
        }
        tokens.set(principal, token);
      }
      return principal;
    } catch (err) {
      if (err instanceof TypeError && closed) throw err;
      throw translate(err, header ?? {}, r);
    }
  }

  const recheckSeconds = intro?.recheckSeconds ?? DEFAULT_RECHECK_SECONDS;
  return {
    verify,
    async recheck(principal) {
      const token = tokens.get(principal);
      if (introspector === undefined || token === undefined) return 'active';
      return introspector.activity(token, principal.expiresAt.getTime(), true);
    },
    ...(introspector !== undefined && recheckSeconds > 0 ? { recheckIntervalMs: recheckSeconds * 1000 } : {}),
    close: () => {
      closed = true;
      store.close();
      introspector?.close();
    },
  };
}
