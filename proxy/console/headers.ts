// The headers of every console answer: a Content-Security-Policy that allows only the gateway's
// own scripts, styles and connections (and, when the console signs in with OIDC, the issuer for
// the token request and the sign-in redirect), no framing, no referrer, no MIME sniffing, and
// revalidation on every load so a gateway upgrade is never hidden by a cached asset.

import type { ConsoleOidc } from './types.js';

/** consoleCsp is the Content-Security-Policy of console answers; `oidc` adds the issuer's origins. */
export function consoleCsp(oidc: ConsoleOidc | null): string {
  const issuer = oidc === null ? [] : originsOf([oidc.issuer, oidc.authorization_endpoint, oidc.token_endpoint]);
  const self = ["'self'", ...issuer].join(' ');
  return [
    "default-src 'self'",
    "img-src 'self' data:",
    "style-src 'self'",
    "script-src 'self'",
    `connect-src ${self}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
    `form-action ${self}`,
  ].join('; ');
}

/** consoleHeaders are the headers of every console answer. */
export function consoleHeaders(oidc: ConsoleOidc | null): Record<string, string> {
  return {
    'content-security-policy': consoleCsp(oidc),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-cache',
  };
}

/** originsOf lists the distinct origins of URLs (an unparsable URL adds nothing). */
function originsOf(urls: readonly string[]): string[] {
  const out = new Set<string>();
  for (const u of urls) {
    try {
      const origin = new URL(u).origin;
      if (origin !== 'null') out.add(origin);
    } catch {
      // config validation checked these; a bad one simply widens nothing
    }
  }
  return [...out];
}
