// One request of OPA's bundle protocol (docs: management-bundles; CONTROL-PLANE.md §1.1): a GET
// with `If-None-Match` and `Prefer: modes=snapshot[;wait=N]`, answered 200 with a gzipped tarball,
// or 304 when the ETag still matches (a long-polling server holds the request up to N seconds
// first). The body is read with a byte bound; every failure is a BundleServiceError whose message
// names no URL or token (it goes to the status API), with the HTTP status when there was one.

import { BundleServiceError } from './errors.js';

/** BUNDLE_CONTENT_TYPE is the media type a server answers with to say it supports long polling. */
export const BUNDLE_CONTENT_TYPE = 'application/vnd.openpolicyagent.bundles';

/** FetchBundleRequest is one conditional GET. */
export type FetchBundleRequest = {
  readonly url: string;
  /** etag is sent as If-None-Match (none on the first request). */
  readonly etag?: string;
  /** waitSeconds asks the server to hold the request (long polling); absent for periodic polling. */
  readonly waitSeconds?: number;
  /** token is sent as `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** sizeLimitBytes bounds the response body; a larger one is refused before it is all read. */
  readonly sizeLimitBytes: number;
  /** headerTimeoutMs bounds the wait for the response's headers (on top of waitSeconds when long polling). */
  readonly headerTimeoutMs: number;
  /** bodyTimeoutMs bounds reading the body once the headers came. */
  readonly bodyTimeoutMs: number;
  /** signal aborts the request (the poller stopping or being triggered); the promise then rejects with signal.reason. */
  readonly signal: AbortSignal;
};

/** FetchBundleResult is a new bundle (200) or the confirmation that the one named by the ETag is current (304). */
export type FetchBundleResult =
  | {
      readonly kind: 'modified';
      readonly bytes: Uint8Array;
      readonly etag: string | undefined;
      /** longPoll tells whether the server answered with OPA's bundle media type (it supports long polling). */
      readonly longPoll: boolean;
    }
  | { readonly kind: 'not-modified' };

/** fetchBundle sends one conditional GET and reads the answer; rejects with a BundleServiceError (or signal.reason when aborted). */
export async function fetchBundle(req: FetchBundleRequest): Promise<FetchBundleResult> {
  const ac = new AbortController();
  let timedOut: string | undefined;
  const onAbort = (): void => ac.abort(req.signal.reason);
  if (req.signal.aborted) throw req.signal.reason;
  req.signal.addEventListener('abort', onAbort, { once: true });
  const headerMs = req.headerTimeoutMs + (req.waitSeconds ?? 0) * 1000;
  let timer = setTimeout(() => {
    timedOut = `the server sent no answer within ${seconds(headerMs)}`;
    ac.abort();
  }, headerMs);
  const headers: Record<string, string> = {
    // snapshot only: Portcullis does not apply delta bundles, so it does not offer to take them
    prefer: req.waitSeconds !== undefined ? `modes=snapshot;wait=${req.waitSeconds}` : 'modes=snapshot',
    accept: `${BUNDLE_CONTENT_TYPE}, application/gzip, application/octet-stream`,
    // the tarball is gzipped already; a compressed transfer would be undone by fetch and hand over a bare tar
    'accept-encoding': 'identity',
  };
  if (req.etag !== undefined) headers['if-none-match'] = req.etag;
  if (req.token !== undefined) headers.authorization = `Bearer ${req.token}`;
  try {
    let res: Response;
    try {
      res = await fetch(req.url, { headers, signal: ac.signal, redirect: 'follow' });
    } catch (e) {
      throw failure(e, req.signal, timedOut, 'request failed');
    }
    if (res.status === 304) {
      await res.body?.cancel();
      return { kind: 'not-modified' };
    }
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new BundleServiceError('ERR_PROXY_BUNDLE_FETCH', `the server replied ${res.status} ${res.statusText}`.trim(), {
        httpCode: res.status,
      });
    }
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = `the bundle was not received within ${seconds(req.bodyTimeoutMs)}`;
      ac.abort();
    }, req.bodyTimeoutMs);
    const bytes = await readBounded(res, req.sizeLimitBytes, ac).catch((e: unknown) => {
      throw failure(e, req.signal, timedOut, 'reading the bundle failed');
    });
    if (bytes.byteLength === 0) throw new BundleServiceError('ERR_PROXY_BUNDLE_FETCH', 'the server replied 200 with an empty body');
    const type = (res.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
    return { kind: 'modified', bytes, etag: res.headers.get('etag') ?? undefined, longPoll: type === BUNDLE_CONTENT_TYPE };
  } finally {
    clearTimeout(timer);
    req.signal.removeEventListener('abort', onAbort);
  }
}

/** readBounded reads the body, refusing it (and aborting the transfer) once it passes limit bytes. */
async function readBounded(res: Response, limit: number, ac: AbortController): Promise<Uint8Array> {
  const tooLarge = (): BundleServiceError => {
    ac.abort();
    return new BundleServiceError('ERR_PROXY_BUNDLE_TOO_LARGE', `the bundle is larger than the size limit of ${limit} bytes`);
  };
  const declared = Number(res.headers.get('content-length') ?? Number.NaN);
  if (declared > limit) {
    await res.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (res.body === null) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}

/** failure turns what fetch threw into a BundleServiceError (the stop/trigger reason passes through untouched). */
function failure(e: unknown, stop: AbortSignal, timedOut: string | undefined, what: string): unknown {
  if (stop.aborted) return stop.reason;
  if (e instanceof BundleServiceError) return e;
  if (timedOut !== undefined) return new BundleServiceError('ERR_PROXY_BUNDLE_FETCH', `${what}: ${timedOut}`);
  // undici says `fetch failed` and keeps the reason (ECONNREFUSED, a TLS error) in cause
  const cause = e instanceof Error && e.cause instanceof Error ? e.cause : e;
  const code = (cause as { code?: unknown } | undefined)?.code;
  const text = cause instanceof Error ? cause.message : String(cause);
  return new BundleServiceError(
    'ERR_PROXY_BUNDLE_FETCH',
    `${what}: ${typeof code === 'string' && !text.includes(code) ? `${code} ` : ''}${text}`,
    {
      cause: e,
    },
  );
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
