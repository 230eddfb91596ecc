// Test helper for GET /v1/events: opens a server-sent event stream with fetch (as the console does:
// EventSource cannot send the Authorization header), parses it as it arrives into events and
// comments, and waits for what a test expects.

/** SseEvent is one parsed event (its data parsed as JSON). */
// biome-ignore lint/suspicious/noExplicitAny: tests read the documented JSON shapes
export type SseEvent = { readonly event: string; readonly data: any };

/** SseStream is an open stream: what arrived so far, whether it ended, and how to stop it. */
export type SseStream = {
  readonly status: number;
  readonly headers: Headers;
  readonly events: SseEvent[];
  readonly comments: string[];
  /** ended resolves when the server ends the stream (or close() aborts it). */
  readonly ended: Promise<void>;
  readonly isEnded: () => boolean;
  /** next waits for the first event (from `from` on) that matches, and returns it. */
  next(match: (e: SseEvent) => boolean, timeoutMs?: number, from?: number): Promise<SseEvent>;
  close(): void;
};

/** openSse opens url with the token; a non-200 answer comes back with its body as an `error` event and ended. */
export async function openSse(url: string, token: string | undefined): Promise<SseStream> {
  const abort = new AbortController();
  const res = await fetch(url, { headers: token !== undefined ? { authorization: `Bearer ${token}` } : {}, signal: abort.signal });
  const events: SseEvent[] = [];
  const comments: string[] = [];
  let done = false;
  if (res.status !== 200) {
    events.push({ event: 'error', data: await res.json() });
    done = true;
  }
  const ended =
    res.status !== 200
      ? Promise.resolve()
      : (async () => {
          const reader = (res.body as ReadableStream<Uint8Array>).getReader();
          const decoder = new TextDecoder();
          let buffer = '';
          try {
            for (;;) {
              const { value, done: finished } = await reader.read();
              if (finished) break;
              buffer += decoder.decode(value, { stream: true });
              let cut = buffer.indexOf('\n\n');
              while (cut >= 0) {
                const block = buffer.slice(0, cut);
                buffer = buffer.slice(cut + 2);
                cut = buffer.indexOf('\n\n');
                let event = 'message';
                const data: string[] = [];
                for (const line of block.split('\n')) {
                  if (line.startsWith(':')) comments.push(line.slice(1).trim());
                  else if (line.startsWith('event: ')) event = line.slice(7);
                  else if (line.startsWith('data: ')) data.push(line.slice(6));
                }
                if (data.length > 0) events.push({ event, data: JSON.parse(data.join('\n')) });
              }
            }
          } catch {
            // aborted by close()
          } finally {
            done = true;
          }
        })();
  return {
    status: res.status,
    headers: res.headers,
    events,
    comments,
    ended,
    isEnded: () => done,
    async next(match, timeoutMs = 5_000, from = 0) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.slice(from).find(match);
        if (found !== undefined) return found;
        if (done || Date.now() > deadline) {
          throw new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(events.slice(-10))}`);
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close: () => abort.abort(),
  };
}

/** waitUntil polls a condition until it holds (or throws after timeoutMs). */
export async function waitUntil(cond: () => boolean, timeoutMs = 5_000, what = 'the condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`${what} did not hold within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
