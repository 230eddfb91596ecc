// The live event streams of GET /v1/events (server-sent events): every open stream receives each
// approval change of any gateway sharing the state store (one LISTEN per gateway, opened with the
// first stream and shared by all), an overview of the metrics once a second (one timer and one
// read for all streams), and a `: ping` comment every 15 seconds so proxies keep the connection.
// The streams are bounded (reserve() says no past maxStreams), a stream that stops reading is
// dropped rather than buffered without end, a stream ends when its token expires, and close()
// ends them all so the server's shutdown never waits on one.

import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { NO_FIGURES, overviewOf } from './overview.js';
import type { OverviewSample } from './overview.js';
import type { EventHubOptions, Overview } from './types.js';

/** EVENT_HUB_DEFAULTS are the bounds of the event streams. */
export const EVENT_HUB_DEFAULTS = Object.freeze({ maxStreams: 32, maxPerCaller: 4, heartbeatMs: 15_000, overviewMs: 1_000 });

/** MAX_BUFFERED_BYTES is how much a stream may leave unread before it is dropped (a client that stopped reading). */
const MAX_BUFFERED_BYTES = 256 * 1024;

/** StreamSlot is a reserved place for one stream: attach it to the response, or release it. */
export type StreamSlot = {
  /** attach starts the stream on a hijacked response: headers, the first overview at once, then the events. */
  attach(res: ServerResponse, options?: StreamOptions): Promise<void>;
  release(): void;
};

/**
 * StreamOptions: response headers to send, when the stream ends (the token's expiry), and whether
 * it receives `approval` and `resync` events (only a caller the audit policy lets read approval
 * requests: the events carry request ids and statuses).
 */
export type StreamOptions = { readonly headers?: OutgoingHttpHeaders; readonly until?: Date; readonly approvals?: boolean };

/** EventHub holds the open streams of one admin server. */
export type EventHub = {
  /**
   * reserve takes one of the maxStreams places for `caller` (who opens it: issuer and subject);
   * `gateway` when all are taken or the hub is closed, `caller` when the caller already holds
   * maxPerCaller of them (one caller cannot take every place).
   */
  reserve(caller: string): StreamSlot | 'gateway' | 'caller';
  /** streams is the number of open (or reserved) streams. */
  readonly streams: number;
  /** close ends every stream, stops the timers and the LISTEN. */
  close(): void;
};

type Stream = {
  readonly res: ServerResponse;
  readonly caller: string;
  readonly expiry: NodeJS.Timeout | undefined;
  readonly approvals: boolean;
};

/** createEventHub returns the hub; nothing runs until the first stream. */
export function createEventHub(options: EventHubOptions = {}): EventHub {
  const maxStreams = options.maxStreams ?? EVENT_HUB_DEFAULTS.maxStreams;
  const maxPerCaller = options.maxPerCaller ?? EVENT_HUB_DEFAULTS.maxPerCaller;
  // places held (reserved or open) by each caller
  const held = new Map<string, number>();
  const hold = (caller: string, by: 1 | -1): void => {
    const n = (held.get(caller) ?? 0) + by;
    if (n <= 0) held.delete(caller);
    else held.set(caller, n);
  };
  const heartbeatMs = options.heartbeatMs ?? EVENT_HUB_DEFAULTS.heartbeatMs;
  const overviewMs = options.overviewMs ?? EVENT_HUB_DEFAULTS.overviewMs;
  const log = options.log ?? ((): void => undefined);
  const streams = new Set<Stream>();
  let reserved = 0;
  let closed = false;
  let feed: Promise<{ close(): void } | undefined> | undefined;
  let ticker: NodeJS.Timeout | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let previous: OverviewSample | undefined;
  let latest: { readonly overview: Overview; readonly atMs: number } | undefined;
  let reading: Promise<Overview> | undefined;

  const drop = (s: Stream): void => {
    if (!streams.delete(s)) return;
    hold(s.caller, -1);
    clearTimeout(s.expiry);
    if (!s.res.writableEnded) s.res.end();
    if (streams.size === 0 && reserved === 0) stopTimers();
  };
  const write = (s: Stream, text: string): void => {
    if (s.res.destroyed || s.res.writableEnded) return drop(s);
    s.res.write(text);
    if (s.res.writableLength > MAX_BUFFERED_BYTES) {
      log({ kind: 'console.stream-dropped', reason: 'the client stopped reading' });
      drop(s);
    }
  };
  const broadcast = (text: string, only?: (s: Stream) => boolean): void => {
    for (const s of [...streams]) if (only === undefined || only(s)) write(s, text);
  };
  const readsApprovals = (s: Stream): boolean => s.approvals;

  /** sample reads the figures once (concurrent callers share the read) and computes the overview against the previous read. */
  const sample = (): Promise<Overview> => {
    reading ??= (async () => {
      try {
        const figures = (await options.overview?.()) ?? NO_FIGURES;
        const current = { figures, atMs: Date.now() };
        const overview = overviewOf(previous, current);
        previous = current;
        latest = { overview, atMs: current.atMs };
        return overview;
      } finally {
        reading = undefined;
      }
    })();
    return reading;
  };
  const tick = (): void => {
    sample().then(
      (o) => broadcast(sse('overview', o)),
      (e: unknown) => log({ kind: 'console.overview-failed', error: messageOf(e) }),
    );
  };
  const startTimers = (): void => {
    ticker ??= setInterval(tick, overviewMs);
    heartbeat ??= setInterval(() => broadcast(': ping\n\n'), heartbeatMs);
  };
  const stopTimers = (): void => {
    clearInterval(ticker);
    clearInterval(heartbeat);
    ticker = undefined;
    heartbeat = undefined;
  };

  /** listening opens the one LISTEN of this hub on first use; a failure is logged and retried by the next stream. */
  const listening = (): Promise<unknown> => {
    if (options.approvals === undefined) return Promise.resolve();
    feed ??= options
      .approvals(
        (change) => broadcast(sse('approval', change), readsApprovals),
        // notifications sent while the LISTEN connection was down are lost: the console reloads its lists
        () => broadcast(sse('resync', {}), readsApprovals),
      )
      .catch((e: unknown) => {
        log({ kind: 'console.events-unavailable', error: messageOf(e) });
        feed = undefined;
        return undefined;
      });
    return feed;
  };

  const first = async (): Promise<Overview> =>
    latest !== undefined && Date.now() - latest.atMs < overviewMs
      ? latest.overview
      : sample().catch(() => overviewOf(undefined, { figures: NO_FIGURES, atMs: Date.now() }));

  return {
    reserve(caller) {
      if (closed || streams.size + reserved >= maxStreams) return 'gateway';
      if ((held.get(caller) ?? 0) >= maxPerCaller) return 'caller';
      reserved += 1;
      hold(caller, 1);
      let done = false;
      let attached = false;
      // the place passes from the reservation to the stream when attached; otherwise it is given back
      const release = (): void => {
        if (done) return;
        done = true;
        reserved -= 1;
        if (!attached) hold(caller, -1);
        if (streams.size === 0 && reserved === 0) stopTimers();
      };
      return {
        release,
        async attach(res, opts = {}) {
          startTimers();
          await listening();
          const overview = await first();
          if (closed || res.destroyed) {
            release();
            res.end();
            return;
          }
          attached = true;
          release();
          res.writeHead(200, {
            ...opts.headers,
            'content-type': 'text/event-stream; charset=utf-8',
            'cache-control': 'no-cache, no-store',
            'x-content-type-options': 'nosniff',
            'x-accel-buffering': 'no',
            // the socket closes with the stream: the server's shutdown never waits on an idle keep-alive
            connection: 'close',
          });
          const until = opts.until === undefined ? undefined : opts.until.getTime() - Date.now();
          const s: Stream = {
            res,
            caller,
            expiry: until === undefined ? undefined : setTimeout(() => drop(s), Math.max(0, Math.min(until, 2 ** 31 - 1))),
            approvals: opts.approvals === true,
          };
          streams.add(s);
          startTimers();
          res.on('close', () => drop(s));
          write(s, sse('overview', overview));
        },
      };
    },
    get streams() {
      return streams.size + reserved;
    },
    close() {
      closed = true;
      for (const s of [...streams]) drop(s);
      stopTimers();
      void feed?.then((l) => l?.close());
      feed = undefined;
    },
  };
}

/** sse frames one event (the data is one line of JSON). */
function sse(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
