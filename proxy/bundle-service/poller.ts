// The client side of OPA's bundle protocol (CONTROL-PLANE.md §1.1): poll a URL with the ETag of the
// active bundle, hand every new bundle to `activate`, and keep going whatever happens. Periodic
// polling waits a uniformly random delay in [min_delay, max_delay]; long polling asks the server to
// hold each request and polls again at once; failures back off exponentially from 100 ms to
// max_delay. Nothing throws out of the loop: problems go to the operator log (as events) and to a
// status in the shape of OPA's status API bundle entry (§1.5).

import { createHash } from 'node:crypto';
import { BundleServiceError } from './errors.js';
import { fetchBundle } from './fetch-bundle.js';
import { savePersisted } from './persist.js';
import type { BundleServiceEvent, BundleStatus, BundleStatusError } from './status.js';
import { displayUrl, statusOf } from './status.js';

/** POLLER_DEFAULTS are OPA's for bundles where OPA has one (delays, backoff), ours for the limits. */
export const POLLER_DEFAULTS = Object.freeze({
  minDelayMs: 60_000,
  maxDelayMs: 120_000,
  retryBaseMs: 100,
  /** sizeLimitBytes bounds one download (OPA bounds each file at 1 GiB; a policy bundle is far smaller). */
  sizeLimitBytes: 128 * 1024 * 1024,
  /** headerTimeoutMs is OPA's response_header_timeout_seconds (10), added to the wait when long polling. */
  headerTimeoutMs: 10_000,
  bodyTimeoutMs: 60_000,
});

/** ActivationResult is what activate may resolve to: the revision that is now active. */
export type ActivationResult = { readonly revision?: string } | undefined;

/** BundlePollerOptions configures startBundlePoller. */
export type BundlePollerOptions = {
  readonly url: string;
  /**
   * activate verifies, compiles and activates a bundle's bytes; it resolves once they are active
   * and rejects with an Error whose message is the reason they are not (the old policy stays).
   */
  readonly activate: (bytes: Uint8Array, info: { readonly etag: string | undefined }) => Promise<ActivationResult> | Promise<void>;
  readonly minDelayMs?: number;
  readonly maxDelayMs?: number;
  /** longPollingTimeoutMs turns long polling on (`Prefer: wait=N`, N in whole seconds). */
  readonly longPollingTimeoutMs?: number;
  readonly sizeLimitBytes?: number;
  readonly headerTimeoutMs?: number;
  readonly bodyTimeoutMs?: number;
  /** token returns the bearer token for each request (read again every time, so a rotated file is picked up). */
  readonly token?: () => string | undefined | Promise<string | undefined>;
  /** persistDir keeps the last bundle that activated there (see persist.ts). */
  readonly persistDir?: string;
  /** etag and revision describe a bundle already active (a persisted one): the first request sends the ETag. */
  readonly etag?: string;
  readonly revision?: string;
  /** name is the bundle's name in the status (default `portcullis`). */
  readonly name?: string;
  /** log receives what the operator should see; it may name the URL (without credentials), never a token. */
  readonly log?: (event: BundleServiceEvent) => void;
  /** random and now are the jitter source and the clock (tests pin them). */
  readonly random?: () => number;
  readonly now?: () => number;
};

/** BundlePoller is a running poller. */
export type BundlePoller = {
  /** status is the bundle's entry for OPA's status API, as of now. */
  status(): BundleStatus;
  /** lastSuccess is when the active bundle was last confirmed current (a 304 for its ETag, or its activation); undefined before. */
  readonly lastSuccess: number | undefined;
  /** staleSince is the instant since which nothing confirmed the active bundle: lastSuccess, or when polling started. */
  staleSince(): number;
  /** trigger polls now (ending a wait or a held long poll) and forgets a bundle that failed to activate, so it is tried again. */
  trigger(): void;
  /** stop ends polling at once (an in-flight request, long poll included, is aborted); resolves when the loop has ended. */
  stop(): Promise<void>;
};

type Interrupt = 'stop' | 'trigger';

/** startBundlePoller starts polling at once and returns the handle that reports on it and stops it. */
export function startBundlePoller(options: BundlePollerOptions): BundlePoller {
  const o = { ...POLLER_DEFAULTS, ...definedOnly(options) };
  if (!(o.minDelayMs >= 0 && o.maxDelayMs >= o.minDelayMs)) throw new TypeError('bundle poller: need 0 <= minDelayMs <= maxDelayMs');
  const parsed = new URL(options.url);
  if (parsed.username !== '' || parsed.password !== '') throw new TypeError('bundle poller: the URL must not carry credentials');
  const url = parsed.href;
  const shown = displayUrl(url);
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const waitSeconds = o.longPollingTimeoutMs !== undefined ? Math.max(1, Math.round(o.longPollingTimeoutMs / 1000)) : undefined;
  const log = (e: BundleServiceEvent): void => {
    try {
      options.log?.(e);
    } catch {
      // a failing logger must not stop polling
    }
  };

  const startedAt = now();
  let active: { etag: string | undefined; sha256: string | undefined; revision: string | undefined } = {
    etag: options.etag,
    sha256: undefined,
    revision: options.revision,
  };
  /** failed is the last bundle that did not activate: not handed to activate again until it changes. */
  let failed: { etag: string | undefined; sha256: string } | undefined;
  let longPoll = waitSeconds !== undefined;
  let lastSuccess: number | undefined;
  const times = { request: 0, successfulRequest: 0, download: 0, activation: 0 };
  let httpCode: number | undefined;
  let size: number | undefined;
  let fetchError: BundleStatusError | undefined;
  let activationError: BundleStatusError | undefined;

  let interrupt: AbortController = new AbortController();
  let stopping = false;

  /** requestEtag is what If-None-Match names: the bundle that failed, so the server holds or 304s until a new one is published. */
  const requestEtag = (): string | undefined => failed?.etag ?? active.etag;

  /** pollOnce sends one request and handles its answer; it says how to wait before the next. */
  async function pollOnce(): Promise<Next> {
    const sent = requestEtag();
    const started = now();
    times.request = started;
    let token: string | undefined;
    let res: Awaited<ReturnType<typeof fetchBundle>>;
    try {
      try {
        token = await options.token?.();
      } catch (e) {
        throw new BundleServiceError('ERR_PROXY_BUNDLE_FETCH', `the bearer token could not be read: ${(e as Error).message}`, { cause: e });
      }
      res = await fetchBundle({
        url,
        ...(sent !== undefined ? { etag: sent } : {}),
        ...(longPoll && waitSeconds !== undefined ? { waitSeconds } : {}),
        ...(token !== undefined ? { token } : {}),
        sizeLimitBytes: o.sizeLimitBytes,
        headerTimeoutMs: o.headerTimeoutMs,
        bodyTimeoutMs: o.bodyTimeoutMs,
        signal: interrupt.signal,
      });
    } catch (e) {
      if (interrupt.signal.aborted) return 'now';
      const err =
        e instanceof BundleServiceError
          ? e
          : new BundleServiceError('ERR_PROXY_BUNDLE_FETCH', String((e as Error)?.message ?? e), { cause: e });
      httpCode = err.httpCode;
      fetchError = { code: err.code, message: err.message };
      log({
        type: 'bundle.fetch_failed',
        url: shown,
        code: err.code,
        message: err.message,
        ...(httpCode !== undefined ? { httpCode } : {}),
      });
      return 'backoff';
    }
    const answered = now();
    times.successfulRequest = answered;
    fetchError = undefined;
    if (res.kind === 'not-modified') {
      httpCode = 304;
      if (failed === undefined && active.etag !== undefined) lastSuccess = answered;
      log({ type: 'bundle.not_modified', url: shown, etag: sent });
      // a server that answers a long poll long before the wait is up does not hold requests: poll periodically for this round
      return longPoll && waitSeconds !== undefined && answered - started >= (waitSeconds * 1000) / 2 ? 'now' : 'periodic';
    }
    httpCode = 200;
    times.download = answered;
    size = res.bytes.byteLength;
    // long polling needs the server's say-so and an ETag to hold on (without one every answer would be a new 200)
    longPoll = waitSeconds !== undefined && res.longPoll && res.etag !== undefined;
    const sha256 = createHash('sha256').update(res.bytes).digest('hex');
    log({ type: 'bundle.downloaded', url: shown, etag: res.etag, bytes: size });
    const next: Next = longPoll ? 'now' : 'periodic';
    // the active bundle again (a new ETag for the same bytes, or a rollback after a failed one): nothing to activate, and current
    if (sha256 === active.sha256) {
      active = { ...active, etag: res.etag };
      failed = undefined;
      activationError = undefined;
      lastSuccess = answered;
      return next;
    }
    if (sha256 === failed?.sha256) {
      failed = { etag: res.etag, sha256 };
      return next;
    }
    let revision: string | undefined;
    try {
      revision = revisionOf(await options.activate(res.bytes, { etag: res.etag }));
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      failed = { etag: res.etag, sha256 };
      activationError = { code: 'ERR_PROXY_BUNDLE_ACTIVATION', message };
      log({ type: 'bundle.activation_failed', url: shown, etag: res.etag, message });
      return next;
    }
    const activatedAt = now();
    failed = undefined;
    activationError = undefined;
    active = { etag: res.etag, sha256, revision };
    times.activation = activatedAt;
    lastSuccess = activatedAt;
    log({ type: 'bundle.activated', url: shown, etag: res.etag, ...(revision !== undefined ? { revision } : {}) });
    if (options.persistDir !== undefined) {
      const dir = options.persistDir;
      await savePersisted(dir, {
        bytes: res.bytes,
        url,
        ...(res.etag !== undefined ? { etag: res.etag } : {}),
        ...(revision !== undefined ? { revision } : {}),
      }).catch((e: unknown) => log({ type: 'bundle.persist_failed', dir, message: (e as Error).message }));
    }
    return next;
  }

  /** sleep waits ms, ending early when interrupted. */
  function sleep(ms: number): Promise<void> {
    if (ms <= 0 || interrupt.signal.aborted) return Promise.resolve();
    const signal = interrupt.signal;
    return new Promise((done) => {
      const timer = setTimeout(finish, ms);
      timer.unref();
      signal.addEventListener('abort', finish, { once: true });
      function finish(): void {
        clearTimeout(timer);
        signal.removeEventListener('abort', finish);
        done();
      }
    });
  }

  async function loop(): Promise<void> {
    let failures = 0;
    while (!stopping) {
      let next: Next;
      try {
        next = await pollOnce();
      } catch (e) {
        // a bug of ours or of activate's caller: report it and keep polling rather than die silently
        fetchError = { code: 'ERR_PROXY_BUNDLE_FETCH', message: `unexpected: ${(e as Error)?.message ?? String(e)}` };
        next = 'backoff';
      }
      if (stopping) break;
      if (interrupt.signal.aborted) {
        interrupt = new AbortController();
        failures = 0;
        continue;
      }
      failures = next === 'backoff' ? failures + 1 : 0;
      await sleep(next === 'now' ? 0 : next === 'periodic' ? periodicDelay() : backoffDelay(failures));
      if (!stopping && interrupt.signal.aborted) interrupt = new AbortController();
    }
  }

  /** periodicDelay is uniformly random in [min_delay, max_delay] (OPA's jittered polling). */
  function periodicDelay(): number {
    return o.minDelayMs + random() * (o.maxDelayMs - o.minDelayMs);
  }

  /** backoffDelay doubles from retryBaseMs per consecutive failure, ±20% jitter, capped at max_delay. */
  function backoffDelay(failures: number): number {
    const base = o.retryBaseMs * 2 ** Math.min(failures - 1, 40);
    return Math.min(o.maxDelayMs, base * (0.8 + 0.4 * random()));
  }

  const done = loop();

  return {
    status: () =>
      statusOf({
        name: options.name ?? 'portcullis',
        revision: active.revision,
        times,
        httpCode,
        size,
        errors: [fetchError, activationError].filter((e): e is BundleStatusError => e !== undefined),
      }),
    get lastSuccess() {
      return lastSuccess;
    },
    staleSince: () => lastSuccess ?? startedAt,
    trigger() {
      if (stopping) return;
      failed = undefined;
      interrupt.abort('trigger' satisfies Interrupt);
    },
    async stop() {
      stopping = true;
      interrupt.abort('stop' satisfies Interrupt);
      await done;
    },
  };
}

/** Next is how the loop waits after a poll: not at all (long polling, a trigger), the periodic delay, or the error backoff. */
type Next = 'now' | 'periodic' | 'backoff';

/** revisionOf is the revision activate resolved to, if it gave one. */
function revisionOf(result: unknown): string | undefined {
  const revision = (result as { revision?: unknown } | undefined)?.revision;
  return typeof revision === 'string' ? revision : undefined;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
