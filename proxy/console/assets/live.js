// The one live stream of the signed-in console: a single GET /v1/events shared by every page.
// Pages subscribe to an event name while they are shown; the last `overview` is kept so the
// overview page has figures at once.

import { openEvents } from './api.js';

const listeners = new Map();
let stream;
let lastOverview;
let state = 'stopped';

/** startLive opens the stream (once); stopLive closes it (on sign-out). */
export function startLive() {
  if (stream !== undefined) return;
  stream = openEvents(
    (name, data) => {
      if (name === 'overview') lastOverview = data;
      for (const fn of listeners.get(name) ?? []) fn(data);
    },
    (s) => {
      state = s;
      for (const fn of listeners.get('state') ?? []) fn(s);
    },
  );
}

export function stopLive() {
  stream?.close();
  stream = undefined;
  lastOverview = undefined;
  state = 'stopped';
}

/** subscribe calls fn for each event of that name (`state` for the stream's own state) until the answered function is called. */
export function subscribe(name, fn) {
  if (!listeners.has(name)) listeners.set(name, new Set());
  listeners.get(name).add(fn);
  return () => listeners.get(name)?.delete(fn);
}

/** latestOverview is the last `overview` event's data, if one came. */
export function latestOverview() {
  return lastOverview;
}

/** liveState is 'open', 'closed' (reconnecting) or 'stopped'. */
export function liveState() {
  return state;
}

/** POLL_MS is how often a live page refetches while the stream is down (a gateway without it, or a reconnect). */
const POLL_MS = 10_000;

/** pollWhileDown calls fn every POLL_MS while the stream is not open, so a page stays current without it; answers the stop function. */
export function pollWhileDown(fn) {
  const timer = setInterval(() => {
    if (state !== 'open') fn();
  }, POLL_MS);
  return () => clearInterval(timer);
}
