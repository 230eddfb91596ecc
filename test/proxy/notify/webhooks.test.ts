// Approval webhooks against real HTTP servers on 127.0.0.1: a delivery arrives signed with the
// documented headers and its signature verifies (and fails when tampered, under another secret or
// when stale); failures are retried with backoff (5xx, 408, 429, timeouts, a dead port) until
// delivered or given up, other 4xx are not retried; a target sees notifications in order even when
// the first needs retries; every target receives; notify() returns at once and never throws;
// close() is bounded; the log names targets without their query string and never the secret.

import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApprovalNotification } from '../../../proxy/approvals/index.js';
import { WEBHOOK_DEFAULTS, createWebhookNotifier, signWebhookPayload, verifyWebhookSignature } from '../../../proxy/notify/index.js';
import type { WebhookLogEvent, WebhookNotifierOptions } from '../../../proxy/notify/index.js';

const SECRET = 'whsec-test-secret-value';

type Received = { readonly path: string; readonly headers: IncomingHttpHeaders; readonly body: string };

/** Reply is what the test server does with the nth request: answer a status, or never answer. */
type Reply = number | 'hang';

type TestServer = { readonly url: string; readonly received: Received[]; close(): Promise<void> };

const servers: TestServer[] = [];
const notifiers: { close(): Promise<void> }[] = [];

afterEach(async () => {
  await Promise.all(notifiers.splice(0).map((n) => n.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** startServer listens on 127.0.0.1:0 and answers each request as reply(index) says. */
async function startServer(reply: (index: number, received: Received) => Reply = () => 200): Promise<TestServer> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(r);
      const answer = reply(received.length - 1, r);
      if (answer === 'hang') return;
      res.writeHead(answer, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const s: TestServer = {
    url: `http://127.0.0.1:${port}/hooks/approvals`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(s);
  return s;
}

/** deadUrl is a URL on a loopback port nothing listens on (a server was there a moment ago). */
async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/gone`;
}

function notification(id: string, type: ApprovalNotification['type'] = 'approval.requested'): ApprovalNotification {
  return {
    id,
    type,
    at: '2026-12-07T05:00:00Z',
    request: {
      id: `req-${id}`,
      status: 'pending',
      mode: 'hold',
      requester: { sub: 'agent-7', iss: 'https://issuer.test', claims: {} },
      session: 's-1',
      database: 'app',
      statements: [
        {
          text: 'delete from orders where id = $1',
          params: ['42'],
          fingerprint: 'f1',
          kind: 'delete',
          tables: { read: [], written: ['public.orders'] },
        },
      ],
      reasons: [{ reason: 'deletes need a human', rule: 'approval.delete' }],
      min_approvals: 1,
      policy_revision: 'rev-1',
      created_at: '2026-12-07T05:00:00Z',
      expires_at: '2026-12-07T06:00:00Z',
      resolved_at: null,
      executed_at: null,
      events: [],
    },
  };
}

/** notifier creates a notifier with fast test timings and a log kept in `events`. */
function notifier(options: Partial<WebhookNotifierOptions> & Pick<WebhookNotifierOptions, 'targets'>) {
  const events: WebhookLogEvent[] = [];
  const n = createWebhookNotifier({
    timeoutMs: 1000,
    baseDelayMs: 5,
    maxDelayMs: 20,
    closeGraceMs: 300,
    log: (e) => events.push(e),
    ...options,
  });
  notifiers.push(n);
  return { n, events };
}

/** until resolves once pred holds (polled), or fails the test after timeoutMs. */
async function until(pred: () => boolean, timeoutMs = 4000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const ended = (events: readonly WebhookLogEvent[]) => events.filter((e) => e.type !== 'webhook.failed');

describe('createWebhookNotifier', () => {
  it('delivers a signed notification with the documented headers', async () => {
    const server = await startServer();
    const { n, events } = notifier({ targets: [{ url: server.url, secret: SECRET }] });
    const event = notification('n-1', 'approval.approved');
    n.notify(event);
    await until(() => ended(events).length === 1);

    expect(events).toEqual([{ type: 'webhook.delivered', url: server.url, attempt: 1, status: 200, notification: 'n-1' }]);
    expect(server.received).toHaveLength(1);
    const [got] = server.received as [Received];
    expect(got.path).toBe('/hooks/approvals');
    expect(got.body).toBe(JSON.stringify(event));
    expect(got.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': 'portcullis-webhook/1',
      'x-portcullis-event': 'approval.approved',
      'x-portcullis-delivery': 'n-1',
    });
    const timestamp = Number(got.headers['x-portcullis-timestamp']);
    expect(Math.abs(timestamp - Date.now() / 1000)).toBeLessThan(5);
    expect(got.headers['x-portcullis-signature']).toBe(signWebhookPayload({ secret: SECRET, timestamp, body: got.body }));
    expect(
      verifyWebhookSignature({
        secret: SECRET,
        timestamp: got.headers['x-portcullis-timestamp'] as string,
        body: got.body,
        signature: got.headers['x-portcullis-signature'] as string,
      }),
    ).toBe(true);
  });

  it.each([
    { note: '500 then 500 then 200: delivered on the third attempt', replies: [500, 500, 200], requests: 3, last: 'webhook.delivered' },
    { note: '503 then 200', replies: [503, 200], requests: 2, last: 'webhook.delivered' },
    { note: '408 is retried', replies: [408, 408, 408], requests: 3, last: 'webhook.gave_up' },
    { note: '429 is retried', replies: [429, 200], requests: 2, last: 'webhook.delivered' },
    { note: '500 every time: given up after maxAttempts', replies: [500, 500, 500], requests: 3, last: 'webhook.gave_up' },
    { note: '400 is given up without a retry', replies: [400], requests: 1, last: 'webhook.gave_up' },
    { note: '404 is given up without a retry', replies: [404], requests: 1, last: 'webhook.gave_up' },
    { note: '302 is not followed and is retried', replies: [302, 200], requests: 2, last: 'webhook.delivered' },
  ])('$note', async ({ replies, requests, last }) => {
    const server = await startServer((i) => replies[i] ?? 599);
    const { n, events } = notifier({ targets: [{ url: server.url, secret: SECRET }], maxAttempts: 3 });
    n.notify(notification('n-retry'));
    await until(() => ended(events).length === 1);
    await new Promise((r) => setTimeout(r, 30)); // no late retry after the end
    expect(server.received).toHaveLength(requests);
    expect(new Set(server.received.map((r) => r.headers['x-portcullis-delivery']))).toEqual(new Set(['n-retry']));
    expect(events.map((e) => e.type)).toEqual([...Array(requests - 1).fill('webhook.failed'), last]);
    expect(events.map((e) => e.attempt)).toEqual(Array.from({ length: requests }, (_, i) => i + 1));
    expect(events.map((e) => e.status)).toEqual(replies.slice(0, requests));
    for (const r of server.received) {
      const ok = verifyWebhookSignature({
        secret: SECRET,
        timestamp: r.headers['x-portcullis-timestamp'] as string,
        body: r.body,
        signature: r.headers['x-portcullis-signature'] as string,
      });
      expect(ok).toBe(true);
    }
  });

  it('retries an attempt the target does not answer in time', async () => {
    const server = await startServer((i) => (i === 0 ? 'hang' : 200));
    const { n, events } = notifier({ targets: [{ url: server.url, secret: SECRET }], timeoutMs: 150 });
    n.notify(notification('n-slow'));
    await until(() => ended(events).length === 1);
    expect(events).toEqual([
      { type: 'webhook.failed', url: server.url, attempt: 1, message: 'no answer within 150 ms', notification: 'n-slow' },
      { type: 'webhook.delivered', url: server.url, attempt: 2, status: 200, notification: 'n-slow' },
    ]);
    expect(server.received).toHaveLength(2);
  });

  it('retries a dead port, then gives up; notify() returns at once and close() resolves', async () => {
    const url = await deadUrl();
    const { n, events } = notifier({ targets: [{ url, secret: SECRET }], maxAttempts: 3 });
    const started = performance.now();
    expect(n.notify(notification('n-dead'))).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(50);
    expect(events).toEqual([]); // nothing was awaited inside notify()
    await until(() => ended(events).length === 1);
    expect(events.map((e) => [e.type, e.attempt])).toEqual([
      ['webhook.failed', 1],
      ['webhook.failed', 2],
      ['webhook.gave_up', 3],
    ]);
    expect(events[0]?.message).toBe('network error: ECONNREFUSED');
    expect(events[2]?.message).toBe('network error: ECONNREFUSED; gave up after 3 attempts');
    await expect(n.close()).resolves.toBeUndefined();
  });

  it('keeps the order of notifications at a target even when the first needs retries', async () => {
    const server = await startServer((i) => (i < 2 ? 500 : 200));
    const { n, events } = notifier({ targets: [{ url: server.url, secret: SECRET }] });
    for (const id of ['n-a', 'n-b', 'n-c', 'n-d']) n.notify(notification(id));
    await until(() => ended(events).length === 4);
    expect(server.received.map((r) => r.headers['x-portcullis-delivery'])).toEqual(['n-a', 'n-a', 'n-a', 'n-b', 'n-c', 'n-d']);
    expect(ended(events).map((e) => [e.type, e.notification])).toEqual([
      ['webhook.delivered', 'n-a'],
      ['webhook.delivered', 'n-b'],
      ['webhook.delivered', 'n-c'],
      ['webhook.delivered', 'n-d'],
    ]);
  });

  it('delivers to every target, each signed with its own secret, a failing one holding up no other', async () => {
    const one = await startServer();
    const two = await startServer();
    const dead = await deadUrl();
    const targets = [
      { url: one.url, secret: 'secret-one' },
      { url: dead, secret: 'secret-dead' },
      { url: two.url, secret: 'secret-two' },
    ];
    const { n, events } = notifier({ targets, maxAttempts: 2 });
    n.notify(notification('n-fan', 'approval.denied'));
    await until(() => ended(events).length === 3);
    for (const [server, secret, other] of [
      [one, 'secret-one', 'secret-two'],
      [two, 'secret-two', 'secret-one'],
    ] as const) {
      expect(server.received).toHaveLength(1);
      const [r] = server.received as [Received];
      const input = {
        timestamp: r.headers['x-portcullis-timestamp'] as string,
        body: r.body,
        signature: r.headers['x-portcullis-signature'] as string,
      };
      expect(verifyWebhookSignature({ ...input, secret })).toBe(true);
      expect(verifyWebhookSignature({ ...input, secret: other })).toBe(false);
    }
    expect(
      ended(events)
        .map((e) => [e.url, e.type])
        .sort(),
    ).toEqual(
      [
        [one.url, 'webhook.delivered'],
        [two.url, 'webhook.delivered'],
        [dead, 'webhook.gave_up'],
      ].sort(),
    );
  });

  it('logs targets by origin and path only, and never the secret', async () => {
    const failing = await startServer(() => 500);
    const dead = await deadUrl();
    const targets = [
      { url: `${failing.url}?token=query-token-value&x=1`, secret: SECRET },
      { url: `${dead}?token=query-token-value`, secret: SECRET },
    ];
    const { n, events } = notifier({ targets, maxAttempts: 2 });
    n.notify(notification('n-log'));
    await until(() => ended(events).length === 2);
    await n.close();
    n.notify(notification('n-after-close'));
    const text = JSON.stringify(events);
    expect(text).not.toContain('query-token-value');
    expect(text).not.toContain('token=');
    expect(text).not.toContain(SECRET);
    expect(new Set(events.map((e) => e.url))).toEqual(new Set([failing.url, dead]));
    expect(failing.received[0]?.path).toBe('/hooks/approvals?token=query-token-value&x=1'); // the target still gets its query
  });

  it('close() stops retrying, aborts what is still in flight after the grace period, and refuses later notifications', async () => {
    const server = await startServer(() => 'hang');
    const { n, events } = notifier({ targets: [{ url: server.url, secret: SECRET }], timeoutMs: 10_000, closeGraceMs: 200 });
    n.notify(notification('n-flight'));
    n.notify(notification('n-waiting'));
    await until(() => server.received.length === 1);
    const started = performance.now();
    await n.close();
    expect(performance.now() - started).toBeLessThan(1000);
    n.notify(notification('n-late'));
    expect(events.map((e) => [e.type, e.notification, e.attempt])).toEqual([
      ['webhook.gave_up', 'n-waiting', 0],
      ['webhook.gave_up', 'n-flight', 1],
      ['webhook.gave_up', 'n-late', 0],
    ]);
    expect(events[1]?.message).toBe('aborted: the notifier closed');
    await new Promise((r) => setTimeout(r, 30));
    expect(server.received).toHaveLength(1);
  });

  it('close() wakes a notification waiting for its next attempt and gives it up', async () => {
    const server = await startServer(() => 500);
    const { n, events } = notifier({
      targets: [{ url: server.url, secret: SECRET }],
      baseDelayMs: 5000,
      maxDelayMs: 5000,
      random: () => 1,
    });
    n.notify(notification('n-backoff'));
    await until(() => events.length === 1);
    const started = performance.now();
    await n.close();
    expect(performance.now() - started).toBeLessThan(500);
    expect(events.map((e) => [e.type, e.attempt])).toEqual([
      ['webhook.failed', 1],
      ['webhook.gave_up', 1],
    ]);
    expect(server.received).toHaveLength(1);
  });

  it('drops the oldest waiting notification when a target has maxQueue waiting', async () => {
    const server = await startServer((i) => (i === 0 ? 'hang' : 200));
    const { n, events } = notifier({ targets: [{ url: server.url, secret: SECRET }], timeoutMs: 200, maxQueue: 2 });
    for (const id of ['q-1', 'q-2', 'q-3', 'q-4']) n.notify(notification(id));
    expect(events).toEqual([
      {
        type: 'webhook.gave_up',
        url: server.url,
        attempt: 0,
        notification: 'q-2',
        message: 'dropped: more than 2 notifications were waiting for this target',
        status: undefined,
      },
    ]);
    await until(() => ended(events).length === 4);
    expect(server.received.map((r) => r.headers['x-portcullis-delivery'])).toEqual(['q-1', 'q-1', 'q-3', 'q-4']);
  });

  it('never throws into the caller: a throwing log, a throwing fetch, an unserializable notification', async () => {
    const seen: WebhookLogEvent[] = [];
    const n = createWebhookNotifier({
      targets: [{ url: 'http://127.0.0.1:9/x', secret: SECRET }],
      maxAttempts: 2,
      baseDelayMs: 1,
      fetch: () => {
        throw new Error('boom');
      },
      log: (e) => {
        seen.push(e);
        throw new Error('log is broken');
      },
    });
    notifiers.push(n);
    expect(() => n.notify(notification('n-boom'))).not.toThrow();
    const bad = { ...notification('n-bigint'), extra: 1n } as unknown as ApprovalNotification;
    expect(() => n.notify(bad)).not.toThrow();
    expect(() => n.notify(null as unknown as ApprovalNotification)).not.toThrow();
    await until(() => seen.filter((e) => e.type === 'webhook.gave_up').length === 2);
    expect(seen.map((e) => [e.type, e.notification, e.message])).toEqual([
      ['webhook.gave_up', 'n-bigint', 'the notification could not be serialized'],
      ['webhook.failed', 'n-boom', 'network error: boom'],
      ['webhook.gave_up', 'n-boom', 'network error: boom; gave up after 2 attempts'],
    ]);
  });

  it.each([
    { note: 'a relative URL', url: '/hooks?token=abc', message: 'webhook target 0 has an invalid URL' },
    { note: 'a non-http URL', url: 'ftp://example.test/x?token=abc', message: 'webhook target 0 must be an http or https URL (got ftp:)' },
    { note: 'an empty secret', url: 'https://example.test/x?token=abc', secret: '', message: 'webhook target 0 has no secret' },
  ])('refuses $note with a TypeError that names neither the query nor the secret', ({ url, secret = SECRET, message }) => {
    expect(() => createWebhookNotifier({ targets: [{ url, secret }] })).toThrow(new TypeError(message));
  });

  it('has the documented defaults', () => {
    expect(WEBHOOK_DEFAULTS).toEqual({
      timeoutMs: 5000,
      maxAttempts: 8,
      baseDelayMs: 500,
      maxDelayMs: 60_000,
      maxQueue: 1000,
      closeGraceMs: 2000,
    });
  });
});

describe('verifyWebhookSignature', () => {
  const now = () => 1_800_000_000_000;
  const timestamp = 1_800_000_000;
  const body = JSON.stringify(notification('n-verify'));
  const signature = signWebhookPayload({ secret: SECRET, timestamp, body });

  it.each([
    { note: 'the genuine delivery', input: {}, ok: true },
    { note: 'the timestamp as a number', input: { timestamp }, ok: true },
    { note: 'the body as bytes', input: { body: Buffer.from(body) }, ok: true },
    { note: 'a timestamp 300 s old (at the tolerance)', input: { now: () => (timestamp + 300) * 1000 }, ok: true },
    { note: 'a tampered body', input: { body: body.replace('n-verify', 'n-verifz') }, ok: false },
    { note: 'a wrong secret', input: { secret: 'another-secret' }, ok: false },
    { note: 'a stale timestamp', input: { now: () => (timestamp + 301) * 1000 }, ok: false },
    { note: 'a timestamp from the future', input: { now: () => (timestamp - 301) * 1000 }, ok: false },
    { note: 'a narrower tolerance', input: { now: () => (timestamp + 60) * 1000, toleranceSeconds: 30 }, ok: false },
    { note: 'a timestamp other than the signed one', input: { timestamp: String(timestamp + 1) }, ok: false },
    { note: 'a malformed timestamp', input: { timestamp: '1800000000.5' }, ok: false },
    { note: 'a missing timestamp', input: { timestamp: undefined }, ok: false },
    { note: 'a missing signature', input: { signature: undefined }, ok: false },
    { note: 'another algorithm', input: { signature: signature.replace('sha256=', 'sha1=') }, ok: false },
    { note: 'a truncated signature', input: { signature: signature.slice(0, -2) }, ok: false },
    { note: 'an empty secret', input: { secret: '' }, ok: false },
  ])('$note: $ok', ({ input, ok }) => {
    expect(verifyWebhookSignature({ secret: SECRET, timestamp: String(timestamp), body, signature, now, ...input })).toBe(ok);
  });
});
