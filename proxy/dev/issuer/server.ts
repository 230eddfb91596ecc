// The dev issuer's HTTP endpoint: OIDC discovery and the JWKS on a loopback address, so a gateway
// configured with `jwks.url` or `jwks.discovery` verifies the tokens the issuer mints; the
// authorization code flow with PKCE (code-flow.ts), so a browser signs in to the web console; and,
// when asked, token introspection (RFC 7662) with revocation, so "revoke the account at the IdP and
// the gateway refuses it" can be shown and tested without an external identity provider.

import { timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { createCodeFlow } from './code-flow.js';
import type { DevIssuer, Revocation, ServedIssuer, ServeIssuerOptions } from './types.js';

/** MAX_FORM_BYTES bounds an introspection request body. */
const MAX_FORM_BYTES = 64 * 1024;

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * serveIssuer serves `/.well-known/openid-configuration`, `/jwks.json`, `/authorize` and `/token` for the issuer on a
 * loopback address; with `issuerFromUrl` the served (and returned) issuer's `iss` is the URL.
 */
export async function serveIssuer(issuer: DevIssuer, options: ServeIssuerOptions = {}): Promise<ServedIssuer> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host)) throw new TypeError(`serveIssuer listens on loopback only, not ${host}`);
  let served = issuer;
  let base = '';
  const revokedSubjects = new Set<string>();
  const revokedIds = new Set<string>();
  const flow = createCodeFlow({ clients: options.clients ?? [], identities: options.identities ?? {}, issuer: () => served });
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    let body: unknown;
    if (path === '/authorize' || path === '/token') {
      // a failure inside the flow is an issuer bug: answer 500 rather than leave the browser waiting
      (path === '/authorize' ? flow.authorize(req, res) : flow.token(req, res)).catch(() => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"error":"server_error"}');
      });
      return;
    }
    if (path === '/introspect' && options.introspection !== undefined) {
      void introspect(
        req,
        res,
        options.introspection,
        served,
        (sub, jti) => revokedSubjects.has(sub) || (jti !== undefined && revokedIds.has(jti)),
      );
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/.well-known/openid-configuration') {
      body = {
        issuer: served.issuer,
        jwks_uri: `${base}/jwks.json`,
        id_token_signing_alg_values_supported: [served.algorithm],
        authorization_endpoint: `${base}/authorize`,
        token_endpoint: `${base}/token`,
        response_types_supported: ['code'],
        grant_types_supported: ['authorization_code'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['none'],
        scopes_supported: ['openid'],
        subject_types_supported: ['public'],
        ...(options.introspection !== undefined ? { introspection_endpoint: `${base}/introspect` } : {}),
      };
    } else if (path === '/jwks.json') {
      body = served.jwks();
    } else {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    const text = JSON.stringify(body);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'max-age=60' });
    res.end(req.method === 'HEAD' ? undefined : text);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  base = `http://${hostPart}:${address.port}`;
  if (options.issuerFromUrl === true) served = issuer.withIssuer(base);
  return {
    url: base,
    jwksUrl: `${base}/jwks.json`,
    issuer: served,
    introspectionUrl: `${base}/introspect`,
    authorizationUrl: `${base}/authorize`,
    tokenUrl: `${base}/token`,
    registerClient: flow.registerClient,
    revoke: (what: Revocation) => {
      if ('sub' in what) revokedSubjects.add(what.sub);
      else revokedIds.add(what.jti);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** introspect answers RFC 7662: HTTP Basic client credentials, a form with `token`; `{active}` plus the token's claims when active. */
async function introspect(
  req: IncomingMessage,
  res: ServerResponse,
  client: { readonly clientId: string; readonly clientSecret: string },
  issuer: DevIssuer,
  revoked: (sub: string, jti: string | undefined) => boolean,
): Promise<void> {
  const json = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers }).end(JSON.stringify(body));
  };
  if (req.method !== 'POST') {
    res.writeHead(405, { allow: 'POST' }).end();
    return;
  }
  const expected = Buffer.from(
    `Basic ${Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString('base64')}`,
  );
  const given = Buffer.from(req.headers.authorization ?? '');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    json(401, { error: 'invalid_client' }, { 'www-authenticate': 'Basic realm="introspection"' });
    return;
  }
  let text = '';
  for await (const chunk of req) {
    text += String(chunk);
    if (text.length > MAX_FORM_BYTES) {
      json(413, { error: 'invalid_request' });
      return;
    }
  }
  const token = new URLSearchParams(text).get('token');
  if (token === null) {
    json(400, { error: 'invalid_request' });
    return;
  }
  try {
    const { payload } = await jwtVerify(token, createLocalJWKSet({ keys: [...issuer.jwks().keys] as never }), {
      issuer: issuer.issuer,
      audience: [...issuer.audience],
    });
    if (typeof payload.sub !== 'string' || revoked(payload.sub, payload.jti)) {
      json(200, { active: false });
      return;
    }
    json(200, { ...payload, active: true, token_type: 'Bearer', client_id: client.clientId });
  } catch {
    json(200, { active: false });
  }
}
