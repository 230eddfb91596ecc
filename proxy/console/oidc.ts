// The web console's OIDC settings, as `GET /console/config.json` serves them: the configured
// client (`admin.console.oidc`) joined with the endpoints its provider's discovery document names,
// read once when the admin API starts, with a bounded timeout. A provider that cannot be read, or
// names other endpoints than an authorization code flow needs, leaves the console with pasted
// tokens only (null) and tells the operator why (`console.oidc-unavailable`); it never stops the
// gateway. The browser side of the flow is assets/oidc.js.

import type { ConsoleOidc } from './types.js';

/** ConsoleOidcInput is what consoleOidc reads of the gateway's configuration (a GatewayConfig fits). */
export type ConsoleOidcInput = {
  readonly identity: { readonly issuer: string };
  readonly admin: {
    readonly console: { readonly oidc?: { readonly clientId: string; readonly issuer?: string; readonly scope: string } };
  };
};

/** ConsoleOidcEvent is what consoleOidc tells the operator (the admin API's log). */
export type ConsoleOidcEvent =
  | { readonly kind: 'console.oidc-ready'; readonly issuer: string; readonly client_id: string }
  | { readonly kind: 'console.oidc-unavailable'; readonly issuer: string; readonly reason: string };

/** ConsoleOidcDeps are consoleOidc's effects: how the discovery document is fetched, the log and the timeout. */
export type ConsoleOidcDeps = {
  /** fetchDiscovery returns the parsed discovery document at url (default: fetch, JSON, at most 1 MiB, no redirects). */
  readonly fetchDiscovery?: (url: string, signal: AbortSignal) => Promise<unknown>;
  readonly log?: (event: ConsoleOidcEvent) => void;
  /** timeoutMs bounds reading the discovery document (default 5000). */
  readonly timeoutMs?: number;
};

/** DISCOVERY_TIMEOUT_MS is how long consoleOidc waits for the discovery document by default. */
export const DISCOVERY_TIMEOUT_MS = 5_000;
/** Largest discovery document accepted (bytes); real ones are a few KiB. */
const MAX_DISCOVERY_BYTES = 1 << 20;

/** discoveryUrlOf is the OIDC discovery document URL for an issuer (OIDC Discovery §4). */
export function discoveryUrlOf(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
}

/** fetchJson is the default fetchDiscovery. */
async function fetchJson(url: string, signal: AbortSignal): Promise<unknown> {
  const res = await fetch(url, { signal, headers: { accept: 'application/json' }, redirect: 'error' });
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    throw new Error(`HTTP ${res.status} from ${url}`);
  }
  const text = await res.text();
  if (text.length > MAX_DISCOVERY_BYTES) throw new Error(`the document at ${url} is larger than ${MAX_DISCOVERY_BYTES} bytes`);
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`the document at ${url} is not valid JSON`);
  }
}

function httpUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const u = new URL(value);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

/** endpointsOf checks a discovery document for a code flow with S256 PKCE and returns its endpoints, or the problem. */
function endpointsOf(doc: unknown, issuer: string): { authorization: string; token: string } | string {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return 'the discovery document is not a JSON object';
  const d = doc as Record<string, unknown>;
  // OIDC Discovery §4.3: the document's issuer must be exactly the one asked about
  if (d.issuer !== issuer) return `the discovery document names issuer ${JSON.stringify(d.issuer)}, not ${JSON.stringify(issuer)}`;
  if (!httpUrl(d.authorization_endpoint)) return 'the discovery document has no http(s) authorization_endpoint';
  if (!httpUrl(d.token_endpoint)) return 'the discovery document has no http(s) token_endpoint';
  const list = (key: string): readonly unknown[] | undefined => (Array.isArray(d[key]) ? (d[key] as unknown[]) : undefined);
  if (list('response_types_supported')?.includes('code') === false) return 'the provider does not support response_type code';
  // absent means "not said" (many providers omit it); present without S256 means PKCE as the console does it will fail
  if (list('code_challenge_methods_supported')?.includes('S256') === false) return 'the provider does not support PKCE with S256';
  return { authorization: d.authorization_endpoint, token: d.token_endpoint };
}

/**
 * consoleOidc reads the provider's discovery document and returns the console's `oidc` settings,
 * or null when `admin.console.oidc` is not configured or the provider cannot be used (then the
 * operator's log says why). Never rejects.
 */
export async function consoleOidc(config: ConsoleOidcInput, adminUrl: string, deps: ConsoleOidcDeps = {}): Promise<ConsoleOidc | null> {
  const client = config.admin.console.oidc;
  if (client === undefined) return null;
  const issuer = client.issuer ?? config.identity.issuer;
  const log = deps.log ?? ((): void => undefined);
  const url = discoveryUrlOf(issuer);
  let doc: unknown;
  try {
    const signal = AbortSignal.timeout(deps.timeoutMs ?? DISCOVERY_TIMEOUT_MS);
    // the bound holds even for a fetchDiscovery that ignores the signal
    const timedOut = new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
    timedOut.catch(() => undefined);
    doc = await Promise.race([(deps.fetchDiscovery ?? fetchJson)(url, signal), timedOut]);
  } catch (err) {
    const reason = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError') ? 'timed out' : describe(err);
    log({ kind: 'console.oidc-unavailable', issuer, reason: `cannot read ${url}: ${reason}; the console offers pasted tokens only` });
    return null;
  }
  const endpoints = endpointsOf(doc, issuer);
  if (typeof endpoints === 'string') {
    log({ kind: 'console.oidc-unavailable', issuer, reason: `${endpoints} (${url}); the console offers pasted tokens only` });
    return null;
  }
  log({ kind: 'console.oidc-ready', issuer, client_id: client.clientId });
  return {
    issuer,
    authorization_endpoint: endpoints.authorization,
    token_endpoint: endpoints.token,
    client_id: client.clientId,
    scope: client.scope,
    redirect_uri: `${adminUrl.replace(/\/+$/, '')}/`,
  };
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: unknown }).cause;
  const code = cause !== null && typeof cause === 'object' && 'code' in cause ? String((cause as { code: unknown }).code) : undefined;
  return code !== undefined ? `${err.message} (${code})` : err.message;
}
