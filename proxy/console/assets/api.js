// The console's only way to the gateway: the admin API, with the signed-in person's bearer token.
// The console holds no power of its own: every answer and every refusal is the admin API's (and its
// policies'). The token lives in sessionStorage, so it ends with the tab and is not sent anywhere
// but this origin's /v1 routes.

const TOKEN_KEY = 'portcullis.token';

/** ApiError is an error answer of the admin API: its HTTP status, stable code, message and reasons. */
export class ApiError extends Error {
  constructor(status, code, message, reasons = []) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.reasons = reasons;
  }
}

/** token is the stored bearer token, or null when nobody is signed in. */
export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

/** setToken stores the bearer token (null removes it). */
export function setToken(value) {
  if (value === null) sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, value);
}

let onUnauthorized = () => undefined;

/** whenUnauthorized sets what happens on any 401 (the app returns to sign-in with the reason). */
export function whenUnauthorized(fn) {
  onUnauthorized = fn;
}

/**
 * api calls an admin API route and answers its JSON; an error answer throws ApiError (a 401 also
 * calls the whenUnauthorized handler). `bearer` overrides the stored token (sign-in checks a
 * pasted one before keeping it).
 */
export async function api(path, { method = 'GET', body, bearer = token(), signal } = {}) {
  const headers = { accept: 'application/json' };
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal, cache: 'no-store' });
  } catch (e) {
    if (e?.name === 'AbortError') throw e;
    throw new ApiError(0, 'ERR_CONSOLE_NETWORK', 'the gateway did not answer; check that it is running');
  }
  const json = await res.json().catch(() => undefined);
  if (res.ok) return json;
  const err = json?.error ?? json ?? {};
  const error = new ApiError(
    res.status,
    typeof err.code === 'string' ? err.code : `HTTP_${res.status}`,
    typeof err.message === 'string' ? err.message : `the gateway answered ${res.status}`,
    Array.isArray(err.reasons) ? err.reasons : [],
  );
  if (res.status === 401 && bearer === token()) onUnauthorized(error);
  throw error;
}

/** query builds a query string of the defined, non-empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
}

/**
 * openEvents reads GET /v1/events (server-sent events over fetch, since EventSource cannot send
 * the Authorization header) and calls `onEvent(name, data)` for each event, reconnecting after a
 * drop with a growing delay (1 s up to 15 s, reset once a stream delivers). `onState` hears
 * 'open', 'closed' (retrying) and 'stopped'. A 401 stops it (and signs out); close() stops it.
 */
export function openEvents(onEvent, onState = () => undefined) {
  const controller = new AbortController();
  let delay = 1000;
  let stopped = false;
  const run = async () => {
    while (!stopped) {
      try {
        const res = await fetch('/v1/events', {
          headers: { authorization: `Bearer ${token()}`, accept: 'text/event-stream' },
          signal: controller.signal,
          cache: 'no-store',
        });
        if (res.status === 401) {
          const json = await res.json().catch(() => ({}));
          stopped = true;
          onState('stopped');
          onUnauthorized(new ApiError(401, json?.error?.code ?? 'ERR_ADMIN_UNAUTHENTICATED', json?.error?.message ?? 'sign in again'));
          return;
        }
        if (!res.ok || res.body === null) throw new Error(`events answered ${res.status}`);
        onState('open');
        await readStream(res.body, (name, data) => {
          delay = 1000;
          onEvent(name, data);
        });
      } catch (e) {
        if (stopped || e?.name === 'AbortError') break;
      }
      if (stopped) break;
      onState('closed');
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 15_000);
    }
  };
  run();
  return {
    close() {
      stopped = true;
      controller.abort();
    },
  };
}

/** readStream parses an event stream: `event:` and `data:` lines up to a blank line; `:` lines are comments. */
async function readStream(body, dispatch) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let name = 'message';
  let data = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let nl = buffer.search(/\r?\n/);
    while (nl !== -1) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(buffer[nl] === '\r' ? nl + 2 : nl + 1);
      if (line === '') {
        if (data.length > 0) {
          let parsed;
          try {
            parsed = JSON.parse(data.join('\n'));
          } catch {
            parsed = undefined;
          }
          if (parsed !== undefined) dispatch(name, parsed);
        }
        name = 'message';
        data = [];
      } else if (!line.startsWith(':')) {
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        const val = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') name = val;
        else if (field === 'data') data.push(val);
      }
      nl = buffer.search(/\r?\n/);
    }
  }
}
