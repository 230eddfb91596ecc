// `policy.bundle` given as a mapping: a bundle fetched over OPA's bundle protocol (proxy/bundle-service)
// instead of a local tar.gz path. Its type, OPA's defaults (polling every 60-120 s) and validator;
// the bearer token is only named here (env or file) and read by whoever builds the poller.

import { formatDuration } from './durations.js';
import { checkHttpUrl } from './identity.js';
import { deepFreeze, show } from './section.js';
import type { Section } from './section.js';
import type { SecretSource } from './secrets.js';

/** OnStale is what the gateway does once its bundle is older than max_staleness: log, refuse writes, refuse everything. */
export type OnStale = 'warn' | 'deny_writes' | 'deny_all';

/** RemoteBundleSource is a policy bundle polled from a URL (any OPA bundle server, an object store, `portcullis bundle serve`). */
export type RemoteBundleSource = {
  readonly kind: 'remote';
  readonly url: string;
  readonly polling: {
    readonly minDelayMs: number;
    readonly maxDelayMs: number;
    /** longPollingTimeoutMs turns long polling on: the server holds each request up to this long. */
    readonly longPollingTimeoutMs?: number;
  };
  /** persistDir keeps the last bundle that activated, for a restart while the server is down. */
  readonly persistDir?: string;
  /** bearer is sent as `Authorization: Bearer …`, read from an environment variable or a file for every request. */
  readonly bearer?: Extract<SecretSource, { kind: 'env' | 'file' }>;
  /** maxStalenessMs is how long the active bundle may go unconfirmed by the server before `onStale` applies; none: never stale. */
  readonly maxStalenessMs?: number;
  readonly onStale: OnStale;
  /** sizeLimitBytes bounds one download. */
  readonly sizeLimitBytes: number;
};

/** BUNDLE_SOURCE_DEFAULTS are OPA's polling delays, and ours for the rest. */
export const BUNDLE_SOURCE_DEFAULTS = deepFreeze({
  polling: { minDelayMs: 60_000, maxDelayMs: 120_000 },
  onStale: 'warn' as OnStale,
  sizeLimitBytes: 128 * 1024 * 1024,
});

/** LONG_POLL_MAX_MS stays under the 300 s after which Node's HTTP client gives up waiting for an answer's headers. */
const LONG_POLL_MAX_MS = 240_000;

/** validateBundleSource reads the mapping under `policy.bundle`; undefined when it is unusable (errors recorded). */
export function validateBundleSource(policy: Section): RemoteBundleSource | undefined {
  const s = policy.section('bundle', true);
  if (s === undefined) return undefined;
  s.only(['url', 'polling', 'persist_dir', 'credentials', 'max_staleness', 'on_stale', 'size_limit_bytes']);
  const d = BUNDLE_SOURCE_DEFAULTS;
  const url = s.string('url', true);
  let urlOk = url !== undefined && checkHttpUrl(s, 'url', url);
  if (url !== undefined && urlOk && (new URL(url).username !== '' || new URL(url).password !== '')) {
    s.error('url', `${show(url)} carries credentials; give a token in credentials.bearer instead`);
    urlOk = false;
  }

  const p = s.section('polling', false);
  p?.only(['min_delay', 'max_delay', 'long_polling_timeout']);
  const minDelayMs = p?.duration('min_delay', 100) ?? d.polling.minDelayMs;
  const maxDelayMs = p?.duration('max_delay', 100) ?? Math.max(d.polling.maxDelayMs, minDelayMs);
  let ok = true;
  if (maxDelayMs < minDelayMs) {
    p?.error('max_delay', 'must not be shorter than min_delay');
    ok = false;
  }
  const longPollingTimeoutMs = p?.duration('long_polling_timeout', 1000, LONG_POLL_MAX_MS);

  const c = s.section('credentials', false);
  c?.only(['bearer']);
  const b = c?.section('bearer', true);
  b?.only(['token_env', 'token_file']);
  const tokenEnv = b?.string('token_env');
  const tokenFile = b?.string('token_file');
  if (b !== undefined && (tokenEnv === undefined) === (tokenFile === undefined)) {
    b.error('', 'set exactly one of token_env (an environment variable) or token_file (a file holding the token)');
    ok = false;
  }
  const bearer =
    tokenEnv !== undefined
      ? ({ kind: 'env', name: tokenEnv } as const)
      : tokenFile !== undefined
        ? ({ kind: 'file', path: tokenFile } as const)
        : undefined;

  const maxStalenessMs = s.duration('max_staleness', 1000);
  const onStale = s.oneOf('on_stale', ['warn', 'deny_writes', 'deny_all'] as const);
  if (onStale !== undefined && maxStalenessMs === undefined && s.get('max_staleness') === undefined) {
    s.error('on_stale', 'needs max_staleness (how old the bundle may get before it applies)');
    ok = false;
  }
  // a healthy poller confirms its bundle at least every max_delay (or long-poll timeout): a bound below would flap
  const healthyMs = Math.max(maxDelayMs, longPollingTimeoutMs ?? 0);
  if (maxStalenessMs !== undefined && maxStalenessMs <= healthyMs) {
    const bound = longPollingTimeoutMs !== undefined && longPollingTimeoutMs > maxDelayMs ? 'long_polling_timeout' : 'max_delay';
    s.error(
      'max_staleness',
      `must be longer than polling.${bound} (${formatDuration(healthyMs)}), or a healthy poller would count as stale`,
    );
    ok = false;
  }
  const persistDir = s.string('persist_dir');
  const sizeLimitBytes = s.size('size_limit_bytes', 1024, 1024 * 1024 * 1024) ?? d.sizeLimitBytes;
  if (url === undefined || !urlOk || !ok) return undefined;
  return {
    kind: 'remote',
    url,
    polling: { minDelayMs, maxDelayMs, ...(longPollingTimeoutMs !== undefined ? { longPollingTimeoutMs } : {}) },
    ...(persistDir !== undefined ? { persistDir } : {}),
    ...(bearer !== undefined ? { bearer } : {}),
    ...(maxStalenessMs !== undefined ? { maxStalenessMs } : {}),
    onStale: onStale ?? d.onStale,
    sizeLimitBytes,
  };
}
