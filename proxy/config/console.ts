// Subsection `admin.console` of opa.config.yaml: whether the admin API's listener also serves the
// web console (at / and /console/; on by default, as the console holds no power of its own: every
// action goes through the admin API with the caller's token), and how the console signs people in
// with the identity provider (`oidc`: authorization code flow with PKCE, a public client; the
// discovery document is read when the admin API starts, proxy/console/oidc.ts). Types, defaults
// and validator.

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

/** ConsoleConfig is `admin.console`. */
export type ConsoleConfig = {
  /** enabled is false when `admin.console.enabled: false` turns the console off (its paths answer 404). */
  readonly enabled: boolean;
  /** oidc is the console's sign-in with the identity provider (`admin.console.oidc`); absent: pasted tokens only. */
  readonly oidc?: ConsoleOidcConfig;
};

/** CONSOLE_DEFAULTS are the defaults of `admin.console`. */
export const CONSOLE_DEFAULTS = deepFreeze({ enabled: true });

/** CONSOLE_OIDC_DEFAULTS are the defaults of `admin.console.oidc`. */
export const CONSOLE_OIDC_DEFAULTS = deepFreeze({ scope: 'openid' });

/** CONSOLE_KEYS are the keys `admin.console` may have. */
const CONSOLE_KEYS = ['enabled', 'oidc'] as const;

/** validateConsole reads the optional `admin.console` subsection of the `admin` section (itself optional). */
export function validateConsole(admin: Section | undefined): ConsoleConfig {
  const s = admin?.section('console', false);
  s?.only(CONSOLE_KEYS);
  const oidc = validateConsoleOidc(s);
  return { enabled: s?.boolean('enabled') ?? CONSOLE_DEFAULTS.enabled, ...(oidc !== undefined ? { oidc } : {}) };
}

/** validateConsoleOidc reads `admin.console.oidc`; undefined when absent or invalid (errors recorded). */
function validateConsoleOidc(consoleSection: Section | undefined): ConsoleOidcConfig | undefined {
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
