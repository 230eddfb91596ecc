// Section `admin.console.oidc` of opa.config.yaml: how the web console signs people in with the
// identity provider (OIDC authorization code flow with PKCE, a public client). Its type, defaults
// and validator; the discovery document is read when the admin API starts (proxy/console/oidc.ts).

import { checkHttpUrl } from './identity.js';
import { deepFreeze } from './section.js';
import type { Section } from './section.js';

/** ConsoleOidcConfig is the console's OIDC client: its id at the provider, the provider (default: identity.issuer) and the scope asked for. */
export type ConsoleOidcConfig = {
  readonly clientId: string;
  /** issuer is the provider whose discovery document names the endpoints; absent: the gateway's `identity.issuer`. */
  readonly issuer?: string;
  readonly scope: string;
};

/** CONSOLE_OIDC_DEFAULTS are the defaults of `admin.console.oidc`. */
export const CONSOLE_OIDC_DEFAULTS = deepFreeze({ scope: 'openid' });

/** CONSOLE_KEYS are the keys of `admin.console` (`enabled` is read with the console's routes, `oidc` here). */
const CONSOLE_KEYS = ['enabled', 'oidc'];

/** validateConsoleOidc reads `admin.console.oidc` from the `admin` section; undefined when absent or invalid (errors recorded). */
export function validateConsoleOidc(admin: Section | undefined): ConsoleOidcConfig | undefined {
  const consoleSection = admin?.section('console', false);
  consoleSection?.only(CONSOLE_KEYS);
  const s = consoleSection?.section('oidc', false);
  if (s === undefined) return undefined;
  s.only(['client_id', 'issuer', 'scope']);
  const clientId = s.string('client_id', true);
  const issuer = s.string('issuer');
  const issuerOk =
    issuer === undefined || checkHttpUrl(s, 'issuer', issuer, ' (the console reads <issuer>/.well-known/openid-configuration)');
  const scope = s.string('scope') ?? CONSOLE_OIDC_DEFAULTS.scope;
  const scopeOk = scope.split(' ').includes('openid');
  if (!scopeOk) s.error('scope', `must include openid (the console signs in with OpenID Connect), got "${scope}"`);
  if (clientId === undefined || !issuerOk || !scopeOk) return undefined;
  return { clientId, ...(issuer !== undefined ? { issuer } : {}), scope };
}
