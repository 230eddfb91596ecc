// Approval webhooks: a Notifier that POSTs each ApprovalNotification, signed, to every configured
// target. notify() only queues and returns; each target has its own lane that delivers one
// notification at a time, in the order notify() saw them (so a receiver sees a request's events
// in order), retrying failures with exponential backoff and full jitter. A 2xx answer is
// delivered; a network error, a timeout or any other status is retried, except a 4xx other than
// 408/429, which is given up at once. A full lane drops its oldest waiting notification.
//
// Each attempt is a POST of `JSON.stringify(notification)` with these headers:
//   content-type: application/json
//   user-agent: portcullis-webhook/1
//   x-portcullis-event: <notification.type>
//   x-portcullis-delivery: <notification.id>     (the same on every retry: deduplicate with it)
//   x-portcullis-timestamp: <unix seconds of this attempt>
//   x-portcullis-signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>
// (see signature.ts and docs/webhooks.md). Log events name the target by origin and path only:
// never its query string (which may hold a token), never the secret.

import type { ApprovalNotification, Notifier } from '../approvals/index.js';
import { signWebhookPayload } from './signature.js';

/** WebhookTarget is one receiver: its URL (http or https) and the secret deliveries to it are signed with. */
export type WebhookTarget = { readonly url: string; readonly secret: string };

/** WebhookLogEventType says what happened to a notification at a target: delivered, one attempt failed (it will be retried), or given up. */
export type WebhookLogEventType = 'webhook.delivered' | 'webhook.failed' | 'webhook.gave_up';

/** WebhookLogEvent is one line of the notifier's log. */
export type WebhookLogEvent = {
  readonly type: WebhookLogEventType;
  /** url is the target's origin and path (never its query string). */
  readonly url: string;
  /** attempt is the attempt this event is about (1-based; 0 when the notification was never attempted). */
  readonly attempt: number;
  /** status is the HTTP status the target answered, when it answered. */
  readonly status?: number;
  /** message says why an attempt failed or the notification was given up. */
  readonly message?: string;
  /** notification is the notification's id. */
  readonly notification: string;
};

/** WebhookFetch is the part of `fetch` the notifier uses (injectable for tests and proxies). */
export type WebhookFetch = (url: string, init: RequestInit) => Promise<Response>;

/** WebhookNotifierOptions configures createWebhookNotifier; every number has a default in WEBHOOK_DEFAULTS. */
export type WebhookNotifierOptions = {
  readonly targets: readonly WebhookTarget[];
  /** log receives what happened to each delivery; a log that throws loses that line, never the delivery. */
  readonly log?: (event: WebhookLogEvent) => void;
  /** timeoutMs bounds one attempt (connecting, sending, and the answer's status line and headers). */
  readonly timeoutMs?: number;
  /** maxAttempts is how many attempts a notification gets at one target before it is given up. */
  readonly maxAttempts?: number;
  /** baseDelayMs is the backoff before the second attempt; it doubles with each attempt (full jitter). */
  readonly baseDelayMs?: number;
  /** maxDelayMs caps the backoff. */
  readonly maxDelayMs?: number;
  /** maxQueue is how many notifications may wait at one target; beyond it the oldest waiting one is given up. */
  readonly maxQueue?: number;
  /** closeGraceMs is how long close() waits for deliveries in flight before aborting them. */
  readonly closeGraceMs?: number;
  /** fetch sends the requests (default the global fetch). */
  readonly fetch?: WebhookFetch;
  /** now is the clock in milliseconds, for the signature timestamp (default Date.now). */
  readonly now?: () => number;
  /** random returns a number in [0, 1) for the backoff jitter (default Math.random). */
  readonly random?: () => number;
};

/** WEBHOOK_DEFAULTS are the defaults of WebhookNotifierOptions. */
export const WEBHOOK_DEFAULTS = Object.freeze({
  timeoutMs: 5000,
  maxAttempts: 8,
  baseDelayMs: 500,
  maxDelayMs: 60_000,
  maxQueue: 1000,
  closeGraceMs: 2000,
});

/** WEBHOOK_USER_AGENT is the user-agent of every delivery. */
export const WEBHOOK_USER_AGENT = 'portcullis-webhook/1';

/** ABORT_SETTLE_MS is how long close() waits, after aborting, for the aborted deliveries to log their end. */
const ABORT_SETTLE_MS = 100;

type Delivery = { readonly id: string; readonly type: string; readonly body: string };

type Lane = {
  readonly url: string;
  readonly safeUrl: string;
  readonly secret: string;
  readonly queue: Delivery[];
  busy: boolean;
  idle: Promise<void>;
};

type Outcome =
  | { readonly ok: true; readonly status: number }
  | { readonly ok: false; readonly retry: boolean; readonly status?: number; readonly message: string; readonly aborted?: boolean };

/**
 * createWebhookNotifier returns a Notifier delivering to every target. Throws TypeError when a
 * target's URL is not an http(s) URL or its secret is empty, or when a number option is invalid
 * (mistakes of the caller, reported without the URL's query string or the secret).
 */
export function createWebhookNotifier(options: WebhookNotifierOptions): Notifier {
  const timeoutMs = positive('timeoutMs', options.timeoutMs ?? WEBHOOK_DEFAULTS.timeoutMs);
  const maxAttempts = Math.floor(positive('maxAttempts', options.maxAttempts ?? WEBHOOK_DEFAULTS.maxAttempts));
  const baseDelayMs = nonNegative('baseDelayMs', options.baseDelayMs ?? WEBHOOK_DEFAULTS.baseDelayMs);
  const maxDelayMs = nonNegative('maxDelayMs', options.maxDelayMs ?? WEBHOOK_DEFAULTS.maxDelayMs);
  const maxQueue = Math.floor(positive('maxQueue', options.maxQueue ?? WEBHOOK_DEFAULTS.maxQueue));
  const closeGraceMs = nonNegative('closeGraceMs', options.closeGraceMs ?? WEBHOOK_DEFAULTS.closeGraceMs);
  const send: WebhookFetch = options.fetch ?? ((url, init) => fetch(url, init));
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const lanes = options.targets.map(laneOf);
  const aborts = new AbortController();
  const sleepers = new Set<() => void>();
  let closed = false;
  let closing: Promise<void> | undefined;

  const log = (event: WebhookLogEvent): void => {
    try {
      options.log?.(event);
    } catch {
      // A failing log loses this line, never the delivery.
    }
  };

  const redact = (lane: Lane, message: string): string => message.split(lane.url).join(lane.safeUrl).split(lane.secret).join('[redacted]');

  const giveUp = (lane: Lane, d: Delivery, attempt: number, message: string, status?: number): void =>
    log({ type: 'webhook.gave_up', url: lane.safeUrl, attempt, notification: d.id, message: redact(lane, message), status });

  /** sleep waits ms, or less when close() wakes every sleeper. */
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      timer.unref?.();
      sleepers.add(wake);
    });

  const backoff = (attempt: number): number => {
    const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
    return Math.floor(random() * ceiling);
  };

  const attemptOnce = async (lane: Lane, d: Delivery): Promise<Outcome> => {
    const timestamp = Math.floor(now() / 1000);
    const headers = {
      'content-type': 'application/json',
      'user-agent': WEBHOOK_USER_AGENT,
      'x-portcullis-event': d.type,
      'x-portcullis-delivery': d.id,
      'x-portcullis-timestamp': String(timestamp),
      'x-portcullis-signature': signWebhookPayload({ secret: lane.secret, timestamp, body: d.body }),
    };
    try {
      const signal = AbortSignal.any([AbortSignal.timeout(timeoutMs), aborts.signal]);
      const res = await send(lane.url, { method: 'POST', headers, body: d.body, signal, redirect: 'manual' });
      await res.body?.cancel().catch(() => {});
      if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
      const retry = !(res.status >= 400 && res.status < 500) || res.status === 408 || res.status === 429;
      return { ok: false, retry, status: res.status, message: `the target answered HTTP ${res.status}` };
    } catch (err) {
      if (aborts.signal.aborted) return { ok: false, retry: false, message: 'aborted: the notifier closed', aborted: true };
      return { ok: false, retry: true, message: failureOf(err, timeoutMs) };
    }
  };

  const deliver = async (lane: Lane, d: Delivery): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      const outcome = await attemptOnce(lane, d);
      if (outcome.ok) {
        log({ type: 'webhook.delivered', url: lane.safeUrl, attempt, status: outcome.status, notification: d.id });
        return;
      }
      const { status, message } = outcome;
      if (outcome.aborted) return giveUp(lane, d, attempt, message);
      if (!outcome.retry) return giveUp(lane, d, attempt, `${message}; not retried`, status);
      if (attempt >= maxAttempts) return giveUp(lane, d, attempt, `${message}; gave up after ${attempt} attempts`, status);
      if (closed) return giveUp(lane, d, attempt, `${message}; the notifier closed`, status);
      log({ type: 'webhook.failed', url: lane.safeUrl, attempt, status, message: redact(lane, message), notification: d.id });
      await sleep(backoff(attempt));
      if (closed) return giveUp(lane, d, attempt, `${message}; the notifier closed before the next attempt`, status);
    }
  };

  const drain = async (lane: Lane): Promise<void> => {
    try {
      for (let d = lane.queue.shift(); d !== undefined && !closed; d = lane.queue.shift()) await deliver(lane, d);
    } finally {
      lane.busy = false;
    }
  };

  const enqueue = (lane: Lane, d: Delivery): void => {
    if (lane.queue.length >= maxQueue) {
      const dropped = lane.queue.shift();
      if (dropped !== undefined) giveUp(lane, dropped, 0, `dropped: more than ${maxQueue} notifications were waiting for this target`);
    }
    lane.queue.push(d);
    if (!lane.busy) {
      lane.busy = true;
      lane.idle = drain(lane);
    }
  };

  return {
    notify(event: ApprovalNotification): void {
      try {
        const id = String(event.id);
        if (closed) {
          for (const lane of lanes) giveUp(lane, { id, type: event.type, body: '' }, 0, 'the notifier is closed');
          return;
        }
        let body: string;
        try {
          body = JSON.stringify(event);
        } catch {
          for (const lane of lanes) giveUp(lane, { id, type: event.type, body: '' }, 0, 'the notification could not be serialized');
          return;
        }
        for (const lane of lanes) enqueue(lane, { id, type: String(event.type), body });
      } catch {
        // notify never throws into the caller.
      }
    },

    close(): Promise<void> {
      closing ??= (async () => {
        closed = true;
        for (const lane of lanes) {
          for (const d of lane.queue.splice(0)) giveUp(lane, d, 0, 'the notifier closed before this notification was sent');
        }
        for (const wake of [...sleepers]) wake();
        let timer: NodeJS.Timeout | undefined;
        const grace = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, closeGraceMs);
        });
        await Promise.race([Promise.all(lanes.map((lane) => lane.idle)), grace]);
        clearTimeout(timer);
        aborts.abort();
        // An aborted fetch settles at once; a fetch that ignores its signal is not waited for long.
        const settle = new Promise<void>((resolve) => setTimeout(resolve, ABORT_SETTLE_MS).unref());
        await Promise.race([Promise.all(lanes.map((lane) => lane.idle)), settle]);
      })();
      return closing;
    },
  };
}

/** laneOf checks a target and makes its (empty) lane. */
function laneOf(target: WebhookTarget, index: number): Lane {
  let parsed: URL;
  try {
    parsed = new URL(target.url);
  } catch {
    throw new TypeError(`webhook target ${index} has an invalid URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(`webhook target ${index} must be an http or https URL (got ${parsed.protocol})`);
  }
  if (typeof target.secret !== 'string' || target.secret === '') throw new TypeError(`webhook target ${index} has no secret`);
  return {
    url: target.url,
    safeUrl: `${parsed.origin}${parsed.pathname}`,
    secret: target.secret,
    queue: [],
    busy: false,
    idle: Promise.resolve(),
  };
}

/** failureOf says in a short line why an attempt failed without an answer (a timeout, or the network error's code). */
function failureOf(err: unknown, timeoutMs: number): string {
  const e = err as { name?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } } | null;
  if (e?.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const cause = e?.cause;
  const detail = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : e?.message;
  return `network error: ${typeof detail === 'string' && detail !== '' ? detail : 'unknown'}`;
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new TypeError(`webhook option ${name} must be a positive number`);
  return value;
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new TypeError(`webhook option ${name} must be a non-negative number`);
  return value;
}
