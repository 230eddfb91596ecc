// The verifier's key cache: loads the JWKS from its source (file, URL, or OIDC discovery),
// keeps the last good set, and re-loads it when a token names an unknown key, at most once per
// refresh interval, and when the set is older than its lifetime (the response's Cache-Control
// max-age, within [refresh interval, maximum age]; the maximum age for files), so a key removed
// at the issuer stops being trusted within that bound. Concurrent callers share one in-flight
// load; every fetch times out. A failed load keeps the cached keys; with no keys at all, callers
// get JwksUnavailable. Agents read what to do; where the keys come from and why a fetch failed
// go to the operator's log only (`jwks-load-failed`).

import { createLocalJWKSet, errors as joseErrors } from 'jose';
import type { JWSHeaderParameters, JSONWebKeySet } from 'jose';
import { JwksUnavailable, TokenKeyUnknown } from './errors.js';
import type { KeySource } from './identity-config.js';
import type { AuthEvent } from './types.js';

/** VerificationKey is a key jose verifies with. */
export type VerificationKey = Awaited<ReturnType<ReturnType<typeof createLocalJWKSet>>>;

/** KeyStoreOptions are the resolved settings and effects of a KeyStore. */
export type KeyStoreOptions = {
  readonly source: KeySource;
  readonly issuer: string;
  readonly refreshMinIntervalMs: number;
  /** maxAgeMs is the longest a loaded key set is trusted before it is loaded again. */
  readonly maxAgeMs: number;
  readonly fetchTimeoutMs: number;
  readonly now: () => number;
  readonly fetch: typeof fetch;
  readonly readFile: (path: string) => Promise<string>;
  readonly log: (event: AuthEvent) => void;
};

/** KeyStore yields the candidate keys for a token header. */
export type KeyStore = {
  /** keysFor resolves to one or more candidate keys, or rejects with an AuthError. */
  readonly keysFor: (header: JWSHeaderParameters) => Promise<readonly VerificationKey[]>;
  /** close aborts in-flight fetches. */
  readonly close: () => void;
};

/** Largest JWKS or discovery document accepted (bytes); keys sets are a few KiB. */
const MAX_DOCUMENT_BYTES = 1 << 20;
/** Key types we verify with; `oct` (shared secrets) is never used. */
const ASYMMETRIC_KTY = new Set(['RSA', 'EC', 'OKP']);
/** JWK members that carry private or secret key material; dropped from every key. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

type Loaded = {
  readonly keySet: ReturnType<typeof createLocalJWKSet>;
  readonly kids: ReadonlySet<string>;
  readonly count: number;
  /** staleAt is when the set must be loaded again (ms since the epoch). */
  readonly staleAt: number;
};

/** Fetched is a document and how long its server says it may be cached (seconds), when it says so. */
type Fetched = { readonly text: string; readonly maxAgeSeconds: number | undefined };

/** cacheMaxAge reads `max-age` from a Cache-Control header (`no-store` / `no-cache` count as 0). */
export function cacheMaxAge(header: string | null): number | undefined {
  if (header === null) return undefined;
  const directives = header
    .toLowerCase()
    .split(',')
    .map((d) => d.trim());
  if (directives.includes('no-store') || directives.includes('no-cache')) return 0;
  for (const d of directives) {
    const m = /^max-age\s*=\s*"?(\d+)"?$/.exec(d);
    if (m !== null) return Number(m[1]);
  }
  return undefined;
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    const code = cause !== null && typeof cause === 'object' && 'code' in cause ? String((cause as { code: unknown }).code) : undefined;
    if (err.name === 'TimeoutError') return 'timed out';
    return code !== undefined ? `${err.message} (${code})` : err.message;
  }
  return String(err);
}

/** parseJwks turns a JWKS document into a key set of its usable public keys, or throws Error. */
export function parseJwks(text: string): JSONWebKeySet {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error('JWKS is not valid JSON');
  }
  if (doc === null || typeof doc !== 'object' || !Array.isArray((doc as { keys?: unknown }).keys)) {
    throw new Error('JWKS has no "keys" array');
  }
  const keys = [];
  for (const key of (doc as { keys: unknown[] }).keys) {
    if (key === null || typeof key !== 'object') continue;
    const jwk = { ...(key as Record<string, unknown>) };
    if (typeof jwk.kty !== 'string' || !ASYMMETRIC_KTY.has(jwk.kty)) continue;
    for (const member of PRIVATE_MEMBERS) delete jwk[member];
    keys.push(jwk as JSONWebKeySet['keys'][number]);
  }
  if (keys.length === 0) throw new Error('JWKS has no usable public (RSA, EC, OKP) keys');
  return { keys };
}

/** createKeyStore builds the cache for one key source; nothing is fetched until first use. */
export function createKeyStore(options: KeyStoreOptions): KeyStore {
  const closing = new AbortController();
  let loaded: Loaded | undefined;
  let lastAttemptAt: number | undefined;
  let lastError: string | undefined;
  let inFlight: Promise<void> | undefined;
  let jwksUri: string | undefined;
  const sourceName = options.source.kind === 'file' ? `file ${options.source.path}` : options.source.url;

  async function fetchText(url: string): Promise<Fetched> {
    const signal = AbortSignal.any([AbortSignal.timeout(options.fetchTimeoutMs), closing.signal]);
    const res = await options.fetch(url, { signal, headers: { accept: 'application/json' }, redirect: 'error' });
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw new Error(`HTTP ${res.status} from ${url}`);
    }
    const length = Number(res.headers.get('content-length') ?? '0');
    if (length > MAX_DOCUMENT_BYTES) {
      await res.body?.cancel().catch(() => undefined);
      throw new Error(`document from ${url} is larger than ${MAX_DOCUMENT_BYTES} bytes`);
    }
    const text = await res.text();
    if (text.length > MAX_DOCUMENT_BYTES) throw new Error(`document from ${url} is larger than ${MAX_DOCUMENT_BYTES} bytes`);
    return { text, maxAgeSeconds: cacheMaxAge(res.headers.get('cache-control')) };
  }

  async function discoverJwksUri(url: string): Promise<string> {
    let doc: unknown;
    try {
      doc = JSON.parse((await fetchText(url)).text);
    } catch (err) {
      if (err instanceof SyntaxError) throw new Error(`discovery document at ${url} is not valid JSON`);
      throw err;
    }
    const meta = (doc !== null && typeof doc === 'object' ? doc : {}) as { issuer?: unknown; jwks_uri?: unknown };
    if (meta.issuer !== options.issuer) {
      throw new Error(`discovery document at ${url} names issuer ${JSON.stringify(meta.issuer)}, not ${JSON.stringify(options.issuer)}`);
    }
    if (typeof meta.jwks_uri !== 'string' || !/^https?:\/\//.test(meta.jwks_uri)) {
      throw new Error(`discovery document at ${url} has no http(s) "jwks_uri"`);
    }
    return meta.jwks_uri;
  }

  async function loadText(): Promise<Fetched> {
    const source = options.source;
    switch (source.kind) {
      case 'file':
        return { text: await options.readFile(source.path), maxAgeSeconds: undefined };
      case 'url':
        return fetchText(source.url);
      case 'discovery': {
        jwksUri ??= await discoverJwksUri(source.url);
        try {
          return await fetchText(jwksUri);
        } catch (err) {
          jwksUri = undefined; // re-discover next time: the provider may have moved its keys
          throw err;
        }
      }
      default: {
        const never: never = source;
        throw new TypeError(`unknown key source ${JSON.stringify(never)}`);
      }
    }
  }

  /** refresh loads the key set once; concurrent callers share the same promise; never rejects. */
  function refresh(): Promise<void> {
    if (inFlight !== undefined) return inFlight;
    lastAttemptAt = options.now();
    inFlight = (async () => {
      try {
        const fetched = await loadText();
        const jwks = parseJwks(fetched.text);
        const keySet = createLocalJWKSet(jwks);
        const kids = new Set(jwks.keys.map((k) => k.kid).filter((k): k is string => typeof k === 'string'));
        const lifetime =
          fetched.maxAgeSeconds === undefined
            ? options.maxAgeMs
            : Math.min(options.maxAgeMs, Math.max(options.refreshMinIntervalMs, fetched.maxAgeSeconds * 1000));
        loaded = { keySet, kids, count: jwks.keys.length, staleAt: options.now() + lifetime };
        lastError = undefined;
        options.log({ kind: 'jwks-loaded', source: sourceName, keyCount: jwks.keys.length });
      } catch (err) {
        lastError = describe(err);
        options.log({ kind: 'jwks-load-failed', source: sourceName, reason: lastError, cachedKeyCount: loaded?.count ?? 0 });
      } finally {
        inFlight = undefined;
      }
    })();
    return inFlight;
  }

  function mayRefresh(): boolean {
    return lastAttemptAt === undefined || options.now() - lastAttemptAt >= options.refreshMinIntervalMs;
  }

  function nextRefreshAt(): Date {
    return new Date((lastAttemptAt ?? options.now()) + options.refreshMinIntervalMs);
  }

  async function match(set: Loaded, header: JWSHeaderParameters): Promise<readonly VerificationKey[] | undefined> {
    try {
      return [await set.keySet(header)];
    } catch (err) {
      if (err instanceof joseErrors.JWKSNoMatchingKey) return undefined;
      if (err instanceof joseErrors.JWKSMultipleMatchingKeys) {
        const keys: VerificationKey[] = [];
        for await (const key of err as unknown as AsyncIterable<VerificationKey>) keys.push(key);
        return keys.length > 0 ? keys : undefined;
      }
      if (err instanceof joseErrors.JWKSInvalid || err instanceof joseErrors.JWKInvalid || err instanceof joseErrors.JOSENotSupported) {
        throw new JwksUnavailable(
          `the issuer's key ${header.kid !== undefined ? `"${header.kid}" ` : ''}cannot be used: ${err.message}; ask the issuer's operator to publish a valid key`,
          { cause: err },
        );
      }
      throw err;
    }
  }

  function unknownKey(header: JWSHeaderParameters, refreshed: boolean): TokenKeyUnknown {
    const which =
      header.kid !== undefined ? `key id "${header.kid}"` : `a key for algorithm ${String(header.alg)} (the token has no "kid")`;
    const why = refreshed
      ? 'after re-fetching the key set'
      : `(the key set was re-fetched recently; next refresh allowed at ${nextRefreshAt().toISOString()})`;
    return new TokenKeyUnknown(`no ${which} in the JWKS of issuer ${options.issuer} ${why}; request a token signed with a current key`);
  }

  async function keysFor(header: JWSHeaderParameters): Promise<readonly VerificationKey[]> {
    if (closing.signal.aborted) throw new TypeError('token verifier is closed');
    if (loaded === undefined) {
      if (inFlight !== undefined || mayRefresh()) await refresh();
      if (loaded === undefined) {
        throw new JwksUnavailable(
          `cannot verify the token: the gateway has no signing keys of issuer ${options.issuer} yet; next attempt after ${nextRefreshAt().toISOString()}. Retry later, or ask the gateway's operator (the gateway log says why)`,
        );
      }
    } else if (options.now() >= loaded.staleAt && (inFlight !== undefined || mayRefresh())) {
      // the set outlived its lifetime: load it again before trusting it (a failed load keeps it)
      await refresh();
    }
    const first = await match(loaded, header);
    if (first !== undefined) return first;
    let refreshed = false;
    if (inFlight !== undefined || mayRefresh()) {
      await refresh();
      refreshed = true;
      const second = await match(loaded, header);
      if (second !== undefined) return second;
    } else {
      options.log({ kind: 'jwks-refresh-limited', kid: header.kid, nextRefreshAt: nextRefreshAt() });
    }
    throw unknownKey(header, refreshed);
  }

  return {
    keysFor,
    close: () => closing.abort(),
  };
}
