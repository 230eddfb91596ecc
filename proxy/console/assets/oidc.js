// The web console's sign-in with the identity provider: OIDC authorization code flow with PKCE
// (RFC 7636, S256) as a public client, in the browser, with nothing but Web Crypto. startSignIn
// keeps a fresh verifier, state and nonce in sessionStorage and goes to the provider;
// completeSignIn, on the page the provider sends back to, checks the state, exchanges the code and
// the verifier for tokens at the token endpoint, and returns the bearer token the admin API takes.
// `oidc` is the `oidc` member of /console/config.json. Every function takes the browser globals
// as an optional last argument (default: globalThis) so Node can test it; the page never passes it.

/** PENDING_KEY is the sessionStorage key of the sign-in this tab started (verifier, state, nonce). */
export const PENDING_KEY = 'portcullis.oidc.pending';

/** ANSWER_PARAMS are the query parameters the provider's answer adds to the redirect URI (removed once read). */
const ANSWER_PARAMS = ['code', 'state', 'iss', 'error', 'error_description', 'error_uri', 'session_state'];

/** base64url encodes bytes without padding (RFC 7636 Appendix A). */
function base64url(bytes) {
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** randomToken is 32 random bytes, base64url (43 characters): a code verifier, a state or a nonce. */
export function randomToken(env = globalThis) {
  const bytes = new Uint8Array(32);
  env.crypto.getRandomValues(bytes);
  return base64url(bytes);
}

/** challengeFor is the S256 code challenge of a verifier: BASE64URL(SHA-256(ASCII(verifier))). */
export async function challengeFor(verifier, env = globalThis) {
  const digest = await env.crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/** loginHint is the `login_hint` of the console's URL (`/?login_hint=alice` signs alice in at once), or undefined. */
export function loginHint(env = globalThis) {
  return new URL(env.location.href).searchParams.get('login_hint') || undefined;
}

function checkConfig(oidc) {
  const missing = ['issuer', 'authorization_endpoint', 'token_endpoint', 'client_id', 'redirect_uri'].filter(
    (k) => typeof oidc?.[k] !== 'string' || oidc[k] === '',
  );
  if (missing.length > 0) throw new Error(`sign-in with the identity provider is not configured (missing ${missing.join(', ')})`);
}

/** authorizationUrl is the provider's authorization endpoint with the request's parameters. */
export function authorizationUrl(oidc, { state, challenge, nonce, hint }) {
  const url = new URL(oidc.authorization_endpoint);
  const params = {
    response_type: 'code',
    client_id: oidc.client_id,
    redirect_uri: oidc.redirect_uri,
    scope: oidc.scope || 'openid',
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    nonce,
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  if (hint !== undefined) url.searchParams.set('login_hint', hint);
  return url.href;
}

/** startSignIn remembers a fresh verifier, state and nonce for this tab and goes to the provider's sign-in. */
export async function startSignIn(oidc, env = globalThis) {
  checkConfig(oidc);
  const verifier = randomToken(env);
  const state = randomToken(env);
  const nonce = randomToken(env);
  const challenge = await challengeFor(verifier, env);
  // the fragment (a deep link into the console) survives the round trip through the provider
  const hash = new URL(env.location.href).hash;
  env.sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state, nonce, hash }));
  env.location.assign(authorizationUrl(oidc, { state, challenge, nonce, hint: loginHint(env) }));
}

/** payloadOf decodes a JWT's claims (no verification: the gateway verifies; this only reads the nonce). */
function payloadOf(jwt) {
  const part = jwt.split('.')[1] ?? '';
  const binary = atob(
    part
      .replace(/-/g, '+')
      .replace(/_/g, '/')
      .padEnd(Math.ceil(part.length / 4) * 4, '='),
  );
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
}

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * completeSignIn finishes a sign-in when the page's URL carries the provider's answer (`?code=&state=`
 * or `?error=`): it removes the answer from the URL, checks the state, exchanges the code and returns
 * the bearer token (the ID token, or the access token when the provider gave no ID token and it is a
 * JWT). Resolves undefined when the URL carries no answer; rejects with an Error saying what failed.
 */
export async function completeSignIn(oidc, env = globalThis) {
  const url = new URL(env.location.href);
  const answer = new URLSearchParams(url.search);
  const code = answer.get('code');
  const error = answer.get('error');
  if (code === null && error === null) return undefined;
  // a reload must not present a spent code again, nor keep it in the history
  for (const k of ANSWER_PARAMS) url.searchParams.delete(k);
  const raw = env.sessionStorage.getItem(PENDING_KEY);
  env.sessionStorage.removeItem(PENDING_KEY);
  let pending;
  try {
    pending = raw === null ? undefined : JSON.parse(raw);
  } catch {
    pending = undefined;
  }
  if (typeof pending?.hash === 'string' && pending.hash !== '' && url.hash === '') url.hash = pending.hash;
  env.history.replaceState(env.history.state, '', url.pathname + url.search + url.hash);
  if (pending === undefined || typeof pending.verifier !== 'string')
    throw new Error(
      'sign-in failed: this tab has no sign-in in progress (it was completed already, or started in another tab); sign in again',
    );
  if (answer.get('state') !== pending.state)
    throw new Error('sign-in failed: the answer does not belong to the sign-in this tab started (state mismatch); sign in again');
  const iss = answer.get('iss');
  if (iss !== null && iss !== oidc.issuer) throw new Error(`sign-in failed: the answer comes from ${iss}, not ${oidc.issuer}`);
  if (error !== null) {
    const description = answer.get('error_description');
    throw new Error(`sign-in failed at the identity provider: ${error}${description ? ` (${description})` : ''}`);
  }
  checkConfig(oidc);
  const body = new URLSearchParams({
    grant_type: 'authorization_code',
    code,
    redirect_uri: oidc.redirect_uri,
    client_id: oidc.client_id,
    code_verifier: pending.verifier,
  });
  let res;
  try {
    res = await env.fetch(oidc.token_endpoint, { method: 'POST', body, headers: { accept: 'application/json' } });
  } catch (err) {
    throw new Error(`sign-in failed: the token endpoint ${oidc.token_endpoint} cannot be reached (${err?.message ?? err})`);
  }
  let doc;
  try {
    doc = await res.json();
  } catch {
    doc = undefined;
  }
  if (!res.ok) {
    const why = typeof doc?.error === 'string' ? `: ${doc.error}${doc.error_description ? ` (${doc.error_description})` : ''}` : '';
    throw new Error(`sign-in failed: the token endpoint answered ${res.status}${why}`);
  }
  if (typeof doc?.id_token === 'string' && JWT.test(doc.id_token)) {
    let claims;
    try {
      claims = payloadOf(doc.id_token);
    } catch {
      throw new Error('sign-in failed: the ID token cannot be read');
    }
    if (claims?.nonce !== pending.nonce) throw new Error('sign-in failed: the ID token was not issued for this sign-in (nonce mismatch)');
    return doc.id_token;
  }
  if (typeof doc?.access_token === 'string' && JWT.test(doc.access_token)) return doc.access_token;
  throw new Error('sign-in failed: the provider returned no token the gateway can verify (no ID token, and the access token is not a JWT)');
}
