// The dev issuer's HTTP endpoint: OIDC discovery and the JWKS on a loopback address, so a gateway
// configured with `jwks.url` or `jwks.discovery` verifies the tokens the issuer mints.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DevIssuer, ServedIssuer, ServeIssuerOptions } from './types.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * serveIssuer serves `/.well-known/openid-configuration` and `/jwks.json` for the issuer on a
 * loopback address; with `issuerFromUrl` the served (and returned) issuer's `iss` is the URL.
 */
export async function serveIssuer(issuer: DevIssuer, options: ServeIssuerOptions = {}): Promise<ServedIssuer> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host)) throw new TypeError(`serveIssuer listens on loopback only, not ${host}`);
  let served = issuer;
  let base = '';
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    let body: unknown;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/.well-known/openid-configuration') {
      body = {
        issuer: served.issuer,
        jwks_uri: `${base}/jwks.json`,
        id_token_signing_alg_values_supported: [served.algorithm],
        response_types_supported: ['id_token'],
        subject_types_supported: ['public'],
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
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
