// OAuth 2.0 token introspection (RFC 7662): asks the issuer whether a token is still active, so
// a service account revoked at the identity provider is refused before its token expires. One
// POST per token (form `token=…&token_type_hint=access_token`, HTTP Basic client credentials),
// answers cached by the token's SHA-256 for a bounded time (never past the token's expiry), at
// most MAX_CACHE_ENTRIES of them. Every request times out. An endpoint that cannot answer is
// reported as `unavailable`: the caller decides (a login fails closed; a live session is kept and
// checked again).

import { createHash } from 'node:crypto';
import type { AuthEvent } from './types.js';

/** IntrospectionOptions configure an introspector. */
export type IntrospectionOptions = {
  /** url is the introspection endpoint (https, or http on loopback). */
  readonly url: string;
  readonly clientId: string;
  /** clientSecret is read for each request (a rotated secret file needs no restart). */
  readonly clientSecret: () => Promise<string>;
  /** cacheMs is how long an answer is reused (also bounded by the token's expiry). */
  readonly cacheMs: number;
  readonly timeoutMs: number;
  readonly now: () => number;
  readonly fetch: typeof fetch;
  readonly log: (event: AuthEvent) => void;
};

/** Activity is the issuer's answer: active, inactive (revoked, expired or unknown there), or unavailable (no answer). */
export type Activity = 'active' | 'inactive' | 'unavailable';

/** Introspector asks the issuer about tokens. */
export type Introspector = {
  /** activity answers for a token expiring at `expiresAtMs`; `fresh` skips the cache (live re-checks). */
  activity(token: string, expiresAtMs: number, fresh?: boolean): Promise<Activity>;
  close(): void;
};

/** MAX_CACHE_ENTRIES bounds the answers kept (the oldest go first). */
export const MAX_CACHE_ENTRIES = 10_000;
/** MAX_RESPONSE_BYTES bounds an introspection response. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/** createIntrospector binds an endpoint and its client credentials. */
export function createIntrospector(options: IntrospectionOptions): Introspector {
  const closing = new AbortController();
  const cache = new Map<string, { readonly activity: 'active' | 'inactive'; readonly until: number }>();

  async function ask(token: string): Promise<Activity> {
    let secret: string;
    try {
      secret = await options.clientSecret();
    } catch (err) {
      options.log({ kind: 'introspection-failed', reason: `the client secret could not be read: ${describe(err)}` });
      return 'unavailable';
    }
    const basic = Buffer.from(`${encodeURIComponent(options.clientId)}:${encodeURIComponent(secret)}`).toString('base64');
    try {
      const res = await options.fetch(options.url, {
        method: 'POST',
        signal: AbortSignal.any([AbortSignal.timeout(options.timeoutMs), closing.signal]),
        redirect: 'error',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`HTTP ${res.status} from ${options.url}`);
      if (text.length > MAX_RESPONSE_BYTES) throw new Error(`response from ${options.url} is larger than ${MAX_RESPONSE_BYTES} bytes`);
      const body = JSON.parse(text) as unknown;
      const active = typeof body === 'object' && body !== null ? (body as { active?: unknown }).active : undefined;
      if (typeof active !== 'boolean') throw new Error(`response from ${options.url} has no boolean "active"`);
      return active ? 'active' : 'inactive';
    } catch (err) {
      options.log({ kind: 'introspection-failed', reason: describe(err) });
      return 'unavailable';
    }
  }

  return {
    async activity(token, expiresAtMs, fresh = false) {
      const key = createHash('sha256').update(token).digest('base64url');
      const now = options.now();
      const hit = cache.get(key);
      if (!fresh && hit !== undefined && hit.until > now) return hit.activity;
      const answer = await ask(token);
      if (answer !== 'unavailable') {
        cache.delete(key);
        cache.set(key, { activity: answer, until: Math.min(now + options.cacheMs, expiresAtMs) });
        while (cache.size > MAX_CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
      }
      return answer;
    },
    close: () => closing.abort(),
  };
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError') return 'timed out';
    const cause = (err as { cause?: { code?: unknown } }).cause;
    return cause !== undefined && cause !== null && typeof cause.code === 'string' ? `${err.message} (${cause.code})` : err.message;
  }
  return String(err);
}
