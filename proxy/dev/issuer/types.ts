// Types of the dev JWT issuer (the demo's and the tests' local signing authority): what
// createDevIssuer takes, the issuer it returns, and the loopback HTTP endpoint serveIssuer runs.

import type { Jwks } from '../../auth/index.js';

/** DevIssuerOptions configure a local token issuer for the demo and tests. */
export type DevIssuerOptions = {
  /** issuer is the `iss` of minted tokens. */
  readonly issuer: string;
  /** audience is the `aud` of minted tokens. */
  readonly audience: string | readonly string[];
  /** algorithm signs tokens (only ES256 for now). */
  readonly algorithm?: 'ES256';
};

/** MintRequest describes one token to mint. */
export type MintRequest = {
  /** sub is the subject (the agent's name). */
  readonly sub: string;
  /** claims are extra claims; they cannot override iss, sub, aud, iat, exp. */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** ttlSeconds is the lifetime (default 900). */
  readonly ttlSeconds?: number;
  /** audience replaces the issuer's `aud` for this token (an ID token names the client as well as the gateway). */
  readonly audience?: readonly string[];
};

/** DevIssuer is a local signing authority: one key pair, its JWKS, and a mint function. */
export type DevIssuer = {
  /** issuer is the `iss` of minted tokens. */
  readonly issuer: string;
  /** audience is the `aud` of minted tokens. */
  readonly audience: readonly string[];
  /** algorithm is the signing algorithm. */
  readonly algorithm: 'ES256';
  /** kid is the key id (the key's RFC 7638 thumbprint). */
  readonly kid: string;
  /** mint signs a token for the request; `now` defaults to the wall clock. */
  readonly mint: (request: MintRequest, now?: Date) => Promise<string>;
  /** jwks returns the public key set that verifies minted tokens. */
  readonly jwks: () => Jwks;
  /** exportState serializes the issuer (including its private key) as JSON for a state file. */
  readonly exportState: () => string;
  /** withIssuer returns the same key pair minting with another `iss`. */
  readonly withIssuer: (issuer: string) => DevIssuer;
};

/** ServeIssuerOptions say where the issuer's HTTP endpoints listen (loopback only). */
export type ServeIssuerOptions = {
  /** host must be a loopback address (default 127.0.0.1). */
  readonly host?: string;
  /** port to bind; 0 picks a free one (default 0). */
  readonly port?: number;
  /** issuerFromUrl rebinds the issuer's `iss` to the served URL, so discovery works on port 0. */
  readonly issuerFromUrl?: boolean;
  /** introspection serves `POST /introspect` (RFC 7662) for clients presenting these credentials (HTTP Basic). */
  readonly introspection?: { readonly clientId: string; readonly clientSecret: string };
  /** clients may use the authorization code flow (`/authorize`, `/token`); more can be added with ServedIssuer.registerClient. */
  readonly clients?: readonly OidcClient[];
  /** identities are who the sign-in page offers, by name (the name is also the `login_hint` that skips the page). */
  readonly identities?: Readonly<Record<string, DevIdentity>>;
};

/** OidcClient is a public client (no secret; PKCE instead) of the authorization code flow and its exact redirect URIs. */
export type OidcClient = { readonly client_id: string; readonly redirect_uris: readonly string[] };

/** DevIdentity is one identity the sign-in page offers: the subject and the claims its tokens carry. */
export type DevIdentity = { readonly sub: string; readonly claims?: Readonly<Record<string, unknown>> };

/** Revocation names what the issuer no longer vouches for: every token of a subject, or one token by `jti`. */
export type Revocation = { readonly sub: string } | { readonly jti: string };

/** ServedIssuer is a running issuer endpoint. */
export type ServedIssuer = {
  /** url is the base URL (http://127.0.0.1:port), without trailing slash. */
  readonly url: string;
  /** jwksUrl is `${url}/jwks.json`. */
  readonly jwksUrl: string;
  /** issuer is the issuer being served (rebound to `url` when issuerFromUrl was set). */
  readonly issuer: DevIssuer;
  /** introspectionUrl is `${url}/introspect` (answers only when ServeIssuerOptions.introspection was given). */
  readonly introspectionUrl: string;
  /** authorizationUrl is `${url}/authorize` (the code flow's sign-in page). */
  readonly authorizationUrl: string;
  /** tokenUrl is `${url}/token` (codes exchanged for tokens). */
  readonly tokenUrl: string;
  /** registerClient adds (or replaces) a client of the code flow, e.g. once the redirect URI's port is known. */
  readonly registerClient: (client: OidcClient) => void;
  /** revoke makes introspection report matching tokens inactive from now on (the service account was revoked). */
  readonly revoke: (what: Revocation) => void;
  /** close stops the server and resolves once it is closed. */
  readonly close: () => Promise<void>;
};
