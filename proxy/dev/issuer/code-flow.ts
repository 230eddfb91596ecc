// The dev issuer's OIDC authorization code flow with PKCE (RFC 6749 §4.1, RFC 7636, S256 only):
// `/authorize` checks the request, shows the sign-in page (or takes `login_hint`) and redirects to
// the client with a single-use code; `/token` exchanges the code and its verifier for an ID token
// and an access token the gateway verifies. Public clients only (no secrets): the verifier is what
// binds the code to the browser that asked for it. Dev tooling, like the rest of the issuer.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorPage, signInPage } from './sign-in-page.js';
import type { DevIdentity, DevIssuer, OidcClient } from './types.js';

/** CODE_TTL_MS is how long an authorization code may be exchanged (RFC 6749 §4.1.2 recommends at most 10 minutes). */
export const CODE_TTL_MS = 60_000;
/** TOKEN_TTL_SECONDS is the lifetime of the tokens `/token` issues (the gateway's default max_token_lifetime is 1h). */
export const TOKEN_TTL_SECONDS = 900;
/** MAX_FORM_BYTES bounds a form body (`/authorize` POST, `/token`). */
const MAX_FORM_BYTES = 64 * 1024;
/** MAX_CODES bounds the outstanding codes (the oldest is dropped first): a page reloaded in a loop cannot grow the map. */
const MAX_CODES = 10_000;
/** USED_CODE_MEMORY_MS is how long a spent code is remembered, so a second use is refused as reused, not unknown. */
const USED_CODE_MEMORY_MS = 10 * 60_000;
/** S256_CHALLENGE is BASE64URL(SHA-256(verifier)): 32 bytes, 43 characters, no padding (RFC 7636 §4.2). */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
/** VERIFIER is RFC 7636 §4.1's code_verifier: 43 to 128 unreserved characters. */
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

/** CodeFlowOptions are the clients, the identities, and the issuer that signs (read at each use: it is rebound once served). */
export type CodeFlowOptions = {
  readonly clients: readonly OidcClient[];
  readonly identities: Readonly<Record<string, DevIdentity>>;
  readonly issuer: () => DevIssuer;
};

/** CodeFlow answers `/authorize` and `/token`. */
export type CodeFlow = {
  readonly authorize: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  readonly token: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  readonly registerClient: (client: OidcClient) => void;
};

type Grant = {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly challenge: string;
  readonly identity: DevIdentity;
  readonly nonce: string | undefined;
  readonly scope: string;
  readonly expiresAt: number;
};

/** Params reads form or query parameters; a parameter given twice reads as `duplicate` (RFC 6749 §3.1). */
type Params = { readonly get: (name: string) => string | undefined | { readonly duplicate: true } };

function paramsOf(search: URLSearchParams): Params {
  return {
    get: (name) => {
      const all = search.getAll(name);
      if (all.length > 1) return { duplicate: true };
      return all[0] === undefined || all[0] === '' ? undefined : all[0];
    },
  };
}

/** readForm reads an application/x-www-form-urlencoded body, or undefined when it is not one or is too large. */
async function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    req.resume();
    return undefined;
  }
  let text = '';
  for await (const chunk of req) {
    text += String(chunk);
    if (text.length > MAX_FORM_BYTES) return undefined;
  }
  return new URLSearchParams(text);
}

function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function originOf(uri: string): string | undefined {
  try {
    return new URL(uri).origin;
  } catch {
    return undefined;
  }
}

/** createCodeFlow keeps the registered clients and the outstanding codes of one served issuer. */
export function createCodeFlow(options: CodeFlowOptions): CodeFlow {
  const clients = new Map<string, OidcClient>();
  const codes = new Map<string, Grant>();
  const spent = new Map<string, number>();
  const registerClient = (client: OidcClient): void => {
    if (typeof client.client_id !== 'string' || client.client_id.length === 0) throw new TypeError('client_id must be a non-empty string');
    for (const uri of client.redirect_uris) {
      // RFC 6749 §3.1.2: an absolute URI without a fragment
      if (originOf(uri) === undefined || uri.includes('#'))
        throw new TypeError(`redirect URI ${JSON.stringify(uri)} is not an absolute URL without a fragment`);
    }
    clients.set(client.client_id, { client_id: client.client_id, redirect_uris: [...client.redirect_uris] });
  };
  for (const client of options.clients) registerClient(client);

  /** allowedOrigin is the request's Origin when it is the origin of a registered redirect URI (CORS on /token). */
  const allowedOrigin = (req: IncomingMessage): string | undefined => {
    const origin = req.headers.origin;
    if (origin === undefined) return undefined;
    for (const c of clients.values()) if (c.redirect_uris.some((u) => originOf(u) === origin)) return origin;
    return undefined;
  };

  async function authorize(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let search: URLSearchParams | undefined;
    if (req.method === 'GET' || req.method === 'HEAD') search = new URL(req.url ?? '/', 'http://issuer.invalid').searchParams;
    else if (req.method === 'POST') search = await readForm(req);
    else {
      res.writeHead(405, { allow: 'GET, POST' }).end();
      return;
    }
    if (search === undefined) {
      errorPage(res, 400, 'The sign-in form must be sent as application/x-www-form-urlencoded (at most 64 KiB).');
      return;
    }
    const p = paramsOf(search);
    // Errors about the client or its redirect URI are shown here, never sent to an unverified URI (RFC 6749 §4.1.2.1).
    const clientId = p.get('client_id');
    if (typeof clientId !== 'string') {
      errorPage(res, 400, clientId === undefined ? 'The request names no client_id.' : 'client_id is given more than once.');
      return;
    }
    const client = clients.get(clientId);
    if (client === undefined) {
      errorPage(res, 400, `Unknown client ${JSON.stringify(clientId)}: it is not registered with this issuer.`);
      return;
    }
    const redirectUri = p.get('redirect_uri');
    if (typeof redirectUri !== 'string' || !client.redirect_uris.includes(redirectUri)) {
      errorPage(
        res,
        400,
        typeof redirectUri !== 'string'
          ? 'The request needs exactly one redirect_uri.'
          : `redirect_uri ${JSON.stringify(redirectUri)} is not registered for client ${JSON.stringify(clientId)}.`,
      );
      return;
    }
    const state = p.get('state');
    const back = (query: Record<string, string>): void => {
      const to = new URL(redirectUri);
      for (const [k, v] of Object.entries(query)) to.searchParams.set(k, v);
      if (typeof state === 'string') to.searchParams.set('state', state);
      to.searchParams.set('iss', options.issuer().issuer); // RFC 9207: the client can tell which issuer answered
      res.writeHead(302, { location: to.href, 'cache-control': 'no-store' }).end();
    };
    const fail = (error: string, description: string): void => back({ error, error_description: description });
    const problem = requestProblem(p, state);
    if (problem !== undefined) {
      fail(problem.error, problem.description);
      return;
    }
    const chosen = p.get(req.method === 'POST' ? 'identity' : 'login_hint');
    const identity = typeof chosen === 'string' ? options.identities[chosen] : undefined;
    if (identity === undefined) {
      if (p.get('prompt') === 'none') {
        fail('login_required', 'prompt=none, and no known identity was named (login_hint)');
        return;
      }
      const carried: Record<string, string> = {};
      for (const k of [
        'response_type',
        'client_id',
        'redirect_uri',
        'scope',
        'state',
        'code_challenge',
        'code_challenge_method',
        'nonce',
      ]) {
        const v = p.get(k);
        if (typeof v === 'string') carried[k] = v;
      }
      const notice = chosen === undefined ? undefined : `There is no identity named ${JSON.stringify(chosen)} here; choose one below.`;
      signInPage(res, {
        status: req.method === 'POST' ? 400 : 200,
        clientId,
        redirectOrigin: originOf(redirectUri) as string,
        carried,
        identities: options.identities,
        ...(notice !== undefined ? { notice } : {}),
      });
      return;
    }
    const now = Date.now();
    for (const [code, grant] of codes) if (grant.expiresAt <= now || codes.size >= MAX_CODES) codes.delete(code);
    const code = randomBytes(32).toString('base64url');
    const nonce = p.get('nonce');
    codes.set(code, {
      clientId,
      redirectUri,
      challenge: p.get('code_challenge') as string,
      identity,
      nonce: typeof nonce === 'string' ? nonce : undefined,
      scope: p.get('scope') as string,
      expiresAt: now + CODE_TTL_MS,
    });
    back({ code });
  }

  async function token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const origin = allowedOrigin(req);
    const cors: Record<string, string> =
      origin !== undefined ? { 'access-control-allow-origin': origin, vary: 'Origin' } : { vary: 'Origin' };
    const json = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      res
        .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', pragma: 'no-cache', ...cors, ...headers })
        .end(JSON.stringify(body));
    };
    const error = (status: number, code: string, description: string): void =>
      json(status, { error: code, error_description: description });
    if (req.method === 'OPTIONS') {
      res
        .writeHead(204, {
          ...cors,
          ...(origin !== undefined
            ? { 'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'content-type', 'access-control-max-age': '600' }
            : {}),
        })
        .end();
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST, OPTIONS' }).end();
      return;
    }
    const form = await readForm(req);
    if (form === undefined) {
      error(400, 'invalid_request', 'send the token request as application/x-www-form-urlencoded (at most 64 KiB)');
      return;
    }
    const p = paramsOf(form);
    const fields: Record<string, string> = {};
    for (const k of ['grant_type', 'client_id', 'code', 'redirect_uri', 'code_verifier']) {
      const v = p.get(k);
      if (typeof v === 'object') {
        error(400, 'invalid_request', `${k} is given more than once`);
        return;
      }
      if (v !== undefined) fields[k] = v;
    }
    const { grant_type: grantType, client_id: clientId, code, redirect_uri: redirectUri, code_verifier: verifier } = fields;
    if (grantType === undefined) return error(400, 'invalid_request', 'grant_type is missing');
    if (grantType !== 'authorization_code')
      return error(400, 'unsupported_grant_type', `grant_type ${JSON.stringify(grantType)} is not supported (authorization_code only)`);
    if (clientId === undefined) return error(400, 'invalid_request', 'client_id is missing (public clients name themselves)');
    if (!clients.has(clientId)) return error(401, 'invalid_client', `unknown client ${JSON.stringify(clientId)}`);
    if (code === undefined || redirectUri === undefined || verifier === undefined) {
      const missing = ['code', 'redirect_uri', 'code_verifier'].filter((k) => fields[k] === undefined);
      return error(400, 'invalid_request', `${missing.join(', ')} missing`);
    }
    if (!VERIFIER.test(verifier))
      return error(400, 'invalid_request', 'code_verifier must be 43 to 128 characters of [A-Za-z0-9-._~] (RFC 7636)');
    const now = Date.now();
    for (const [c, until] of spent) if (until <= now) spent.delete(c);
    const grant = codes.get(code);
    if (grant === undefined) return error(400, 'invalid_grant', spent.has(code) ? 'the code was already used' : 'unknown code');
    // A code is spent by its first presentation, right or wrong: a guessed verifier gets one try.
    codes.delete(code);
    spent.set(code, now + USED_CODE_MEMORY_MS);
    if (grant.expiresAt <= now) return error(400, 'invalid_grant', `the code expired (codes live ${CODE_TTL_MS / 1000} seconds)`);
    if (grant.clientId !== clientId) return error(400, 'invalid_grant', 'the code was issued to another client');
    if (grant.redirectUri !== redirectUri) return error(400, 'invalid_grant', 'redirect_uri differs from the one the code was issued for');
    if (!sameText(s256(verifier), grant.challenge)) return error(400, 'invalid_grant', 'code_verifier does not match the code_challenge');
    const issuer = options.issuer();
    const claims = grant.identity.claims ?? {};
    const accessToken = await issuer.mint({ sub: grant.identity.sub, claims, ttlSeconds: TOKEN_TTL_SECONDS });
    // The ID token names the client as an audience (OIDC Core §2) beside the gateway's, so the gateway accepts it as a bearer too.
    const idToken = await issuer.mint({
      sub: grant.identity.sub,
      claims: {
        ...claims,
        azp: clientId,
        auth_time: Math.floor(now / 1000),
        ...(grant.nonce !== undefined ? { nonce: grant.nonce } : {}),
      },
      audience: [...new Set([...issuer.audience, clientId])],
      ttlSeconds: TOKEN_TTL_SECONDS,
    });
    json(200, { access_token: accessToken, id_token: idToken, token_type: 'Bearer', expires_in: TOKEN_TTL_SECONDS, scope: grant.scope });
  }

  return { authorize, token, registerClient };
}

/** requestProblem checks an authorization request once its client and redirect URI are known good (errors go back to the client). */
function requestProblem(p: Params, state: ReturnType<Params['get']>): { error: string; description: string } | undefined {
  const invalid = (description: string) => ({ error: 'invalid_request', description });
  for (const k of ['response_type', 'scope', 'code_challenge', 'code_challenge_method', 'nonce', 'login_hint', 'identity', 'prompt']) {
    if (typeof p.get(k) === 'object') return invalid(`${k} is given more than once`);
  }
  if (typeof state === 'object') return invalid('state is given more than once');
  if (state === undefined) return invalid('state is required (it ties the answer to the request the client made)');
  const responseType = p.get('response_type');
  if (responseType === undefined) return invalid('response_type is missing');
  if (responseType !== 'code')
    return {
      error: 'unsupported_response_type',
      description: `response_type ${JSON.stringify(responseType)} is not supported (code only)`,
    };
  const scope = p.get('scope');
  if (typeof scope !== 'string' || !scope.split(' ').includes('openid'))
    return { error: 'invalid_scope', description: 'scope must include openid' };
  const method = p.get('code_challenge_method');
  if (method !== 'S256')
    return invalid(
      method === undefined
        ? 'code_challenge_method is missing: it must be S256 (the default, plain, is refused)'
        : `code_challenge_method ${JSON.stringify(method)} is not supported: it must be S256 (plain is refused)`,
    );
  const challenge = p.get('code_challenge');
  if (challenge === undefined) return invalid('code_challenge is required (PKCE, RFC 7636)');
  if (typeof challenge !== 'string' || !S256_CHALLENGE.test(challenge))
    return invalid('code_challenge must be BASE64URL(SHA-256(code_verifier)): 43 characters of [A-Za-z0-9_-]');
  return undefined;
}
