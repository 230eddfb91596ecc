// The HTTP sink in OPA's decision-log upload protocol: POST to the collector's URL with
// `Content-Type: application/json` and `Content-Encoding: gzip`, the body a gzipped JSON array of
// events, each chunk at most `uploadSizeLimitBytes` compressed. Chunks go when one is full or every
// minDelay..maxDelay; a failed upload (non-2xx, network) keeps its events at the head of the buffer
// and is retried with exponential backoff. The buffer is bounded in events: beyond it the oldest
// are dropped, counted and reported, never silently.

import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import { createDropCounter, createOpLog } from './report.js';
import type { OpLog } from './report.js';
import type { Sink } from './types.js';

const gzip = promisify(gzipCb);

/** HTTP_SINK_DEFAULTS are OPA's: 32 KiB chunks, uploads every 1–5 s, 10,000 buffered events. */
export const HTTP_SINK_DEFAULTS = Object.freeze({
  minDelayMs: 1_000,
  maxDelayMs: 5_000,
  uploadSizeLimitBytes: 32_768,
  bufferSizeLimitEvents: 10_000,
  retryBaseMs: 100,
  retryMaxMs: 60_000,
  requestTimeoutMs: 10_000,
  closeTimeoutMs: 5_000,
});

/** HttpSinkOptions configures one collector. */
export type HttpSinkOptions = {
  /** url is where chunks are POSTed (an OPA service's `<url>/logs`, or any collector speaking the protocol). */
  readonly url: string;
  /** headers are sent with every upload (e.g. `Authorization`), already resolved. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly minDelayMs?: number;
  readonly maxDelayMs?: number;
  /** uploadSizeLimitBytes bounds a chunk's compressed size (an event alone above it is dropped). */
  readonly uploadSizeLimitBytes?: number;
  /** bufferSizeLimitEvents bounds the events waiting (besides the chunk being uploaded); the oldest go first. */
  readonly bufferSizeLimitEvents?: number;
  /** retryBaseMs and retryMaxMs bound the backoff after failed uploads (doubling, with jitter). */
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
  /** requestTimeoutMs bounds one upload. */
  readonly requestTimeoutMs?: number;
  /** closeTimeoutMs is how long close() keeps trying to upload what is buffered before dropping it. */
  readonly closeTimeoutMs?: number;
  readonly log?: OpLog;
  /** name identifies the sink in stats and reports (default `service`). */
  readonly name?: string;
  /** random is the jitter source (tests pin it). */
  readonly random?: () => number;
};

/** Chunk is one upload: the gzipped array and how many events it holds. */
type Chunk = { readonly body: Buffer; readonly events: readonly string[] };

/** createHttpSink returns a sink uploading to `options.url` in OPA's decision-log protocol. */
export function createHttpSink(options: HttpSinkOptions): Sink {
  const o = { ...HTTP_SINK_DEFAULTS, ...definedOnly(options), url: options.url };
  const name = options.name ?? 'service';
  const limit = o.uploadSizeLimitBytes;
  if (!(o.minDelayMs >= 0 && o.maxDelayMs >= o.minDelayMs)) throw new TypeError('http sink: need 0 <= minDelayMs <= maxDelayMs');
  if (!(limit >= 64) || !(o.bufferSizeLimitEvents >= 1))
    throw new TypeError('http sink: uploadSizeLimitBytes >= 64 and bufferSizeLimitEvents >= 1');
  const random = options.random ?? Math.random;
  const ops = createOpLog(options.log);
  const drops = createDropCounter(name, ops.emit);
  const headers = {
    ...options.headers,
    'content-type': 'application/json',
    'content-encoding': 'gzip',
  };

  let queue: string[] = [];
  let queueBytes = 0;
  let inflight: readonly string[] = [];
  /** soft is the uncompressed size a chunk is expected to reach under the limit; it adapts (OPA's scale-up/down). */
  let soft = limit * 4;
  let timer: NodeJS.Timeout | undefined;
  let busy = false;
  let backingOff = false;
  let failedAttempts = 0;
  let hurry = false;
  let closed = false;
  let written = 0;
  let failures = 0;
  let waiters: (() => void)[] = [];
  const abort = new AbortController();

  function schedule(ms: number): void {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      void cycle();
    }, ms);
    timer.unref();
  }

  function periodic(): number {
    return o.minDelayMs + Math.floor(random() * (o.maxDelayMs - o.minDelayMs));
  }

  function settle(): void {
    if (queue.length > 0 || inflight.length > 0 || busy) return;
    hurry = false;
    const ws = waiters;
    waiters = [];
    for (const w of ws) w();
  }

  function take(n: number): string[] {
    const out = queue.slice(0, n);
    queue = queue.slice(n);
    for (const e of out) queueBytes -= e.length + 1;
    return out;
  }

  function putBack(events: readonly string[]): void {
    queue = [...events, ...queue];
    for (const e of events) queueBytes += e.length + 1;
    const over = queue.length - o.bufferSizeLimitEvents;
    if (over > 0) {
      take(over);
      drops.drop('buffer_full', over);
    }
  }

  /** nextChunk takes the events of the next chunk off the queue (dropping any event too large alone), or undefined when none are left. */
  async function nextChunk(): Promise<Chunk | undefined> {
    while (queue.length > 0) {
      let n = countWithin(soft);
      for (;;) {
        const body = await gzip(`[${queue.slice(0, n).join(',')}]`);
        if (body.length > limit) {
          if (n === 1) break;
          n = Math.max(1, Math.floor(n / 2));
          soft = Math.max(limit, Math.floor(soft / 2));
          continue;
        }
        if (body.length < limit * 0.9 && n < queue.length && soft < limit * 256) {
          soft *= 2;
          const more = countWithin(soft);
          if (more > n) {
            const bigger = await gzip(`[${queue.slice(0, more).join(',')}]`);
            if (bigger.length <= limit) return { body: bigger, events: take(more) };
          }
        }
        return { body, events: take(n) };
      }
      const [lost] = take(1);
      drops.drop('too_large', 1, `an event of ${lost?.length ?? 0} bytes does not fit in a ${limit}-byte chunk compressed`);
    }
    return undefined;
  }

  /** countWithin is how many queued events fit in `bytes` of JSON array (at least one). */
  function countWithin(bytes: number): number {
    let total = 2;
    let n = 0;
    while (n < queue.length && total + (queue[n] as string).length + 1 <= bytes) total += (queue[n++] as string).length + 1;
    return Math.max(1, n);
  }

  async function post(body: Buffer): Promise<{ ok: true } | { ok: false; status?: number; message: string }> {
    try {
      const res = await fetch(o.url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.any([abort.signal, AbortSignal.timeout(o.requestTimeoutMs)]),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.status >= 200 && res.status < 300) return { ok: true };
      return { ok: false, status: res.status, message: `collector answered ${res.status}` };
    } catch (err) {
      const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
      return { ok: false, message: `${err instanceof Error ? err.message : String(err)}${cause}` };
    }
  }

  /** cycle uploads one chunk and schedules what comes next. */
  async function cycle(): Promise<void> {
    if (busy) return;
    busy = true;
    backingOff = false;
    let chunk: Chunk | undefined;
    try {
      chunk = await nextChunk();
    } catch (err) {
      drops.drop('write_failed', queue.length, err instanceof Error ? err.message : String(err));
      take(queue.length);
    }
    if (chunk === undefined) {
      busy = false;
      drops.report();
      settle();
      return;
    }
    inflight = chunk.events;
    const answer = await post(chunk.body);
    inflight = [];
    busy = false;
    if (abort.signal.aborted) return; // closed meanwhile: close() counted these events as dropped
    if (answer.ok) {
      written += chunk.events.length;
      if (failedAttempts > 0) ops.emit({ type: 'decision_log.upload_recovered', sink: name, url: o.url, attempts: failedAttempts });
      failedAttempts = 0;
      if (queue.length === 0) {
        drops.report();
        settle();
      } else if (hurry || closed || queueBytes >= soft) schedule(0);
      else schedule(periodic());
      return;
    }
    failures++;
    failedAttempts++;
    putBack(chunk.events);
    const ceiling = Math.min(o.retryMaxMs, o.retryBaseMs * 2 ** Math.min(failedAttempts - 1, 30));
    const retryInMs = Math.round(ceiling / 2 + random() * (ceiling / 2));
    ops.emit({
      type: 'decision_log.upload_failed',
      sink: name,
      url: o.url,
      attempt: failedAttempts,
      ...(answer.status !== undefined ? { status: answer.status } : {}),
      message: answer.message,
      retryInMs,
      events: chunk.events.length,
    });
    drops.report();
    backingOff = true;
    schedule(retryInMs);
  }

  function buffered(): number {
    return queue.length + inflight.length;
  }

  async function flush(): Promise<void> {
    if (buffered() === 0 && !busy) {
      drops.report();
      return;
    }
    const done = new Promise<void>((resolve) => waiters.push(resolve));
    hurry = true;
    if (!busy && !backingOff) schedule(0);
    await done;
  }

  return {
    name,
    write(line) {
      if (closed) {
        drops.drop('closed', 1);
        return;
      }
      if (queue.length >= o.bufferSizeLimitEvents) {
        take(1);
        drops.drop('buffer_full', 1);
      }
      queue.push(line);
      queueBytes += line.length + 1;
      if (busy || backingOff) return;
      if (queueBytes >= soft) schedule(0);
      else if (timer === undefined) schedule(periodic());
    },
    flush,
    async close() {
      if (closed) return;
      closed = true;
      let timeout: NodeJS.Timeout | undefined;
      await Promise.race([flush(), new Promise<void>((resolve) => (timeout = setTimeout(resolve, o.closeTimeoutMs)))]);
      clearTimeout(timeout);
      abort.abort();
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      const left = buffered();
      if (left > 0) drops.drop('closed', left, `the collector did not take ${left} buffered events before close`);
      queue = [];
      queueBytes = 0;
      inflight = [];
      drops.report();
      const ws = waiters;
      waiters = [];
      for (const w of ws) w();
    },
    stats: () => ({ written, dropped: drops.total(), buffered: buffered(), failures }),
    listen: ops.listen,
  };
}

/** definedOnly drops the keys whose value is undefined (so they do not hide the defaults). */
function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
