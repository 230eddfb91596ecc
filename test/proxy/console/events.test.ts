// GET /v1/events on a real admin server on 127.0.0.1: the stream's headers and its first
// `overview` at once, overview rates from successive reads of the figures, `approval` events and
// `resync` from the approval feed (one feed for all streams), heartbeats, authentication, the bound
// on open streams, the rate limit counting the opening only, the token's expiry, a feed that cannot
// start, and shutdown ending every stream. The feed here is driven by the test; the real one (the
// state store's LISTEN, through real gateways) is in test/e2e/console.test.ts.

import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { AdminConsoleOptions } from '../../../proxy/admin/index.js';
import { overviewOf } from '../../../proxy/console/index.js';
import type { ApprovalChange, OverviewFigures } from '../../../proxy/console/index.js';
import { startAdminStack } from '../../helpers/admin.js';
import type { AdminStack } from '../../helpers/admin.js';
import { openSse, waitUntil } from '../../helpers/sse.js';

/** withStack runs fn against an admin server with these console options, and closes it. */
async function withStack(
  console: AdminConsoleOptions,
  fn: (stack: AdminStack) => Promise<void>,
  over: { rateLimit?: { max: number; timeWindowMs: number } } = {},
): Promise<void> {
  const stack = await startAdminStack({ console, ...over });
  try {
    await fn(stack);
  } finally {
    await stack.close();
  }
}

/** manualFeed is an approval feed the test drives: how many times it was opened and closed, and what it was given. */
function manualFeed() {
  const state = {
    opened: 0,
    closed: 0,
    change: undefined as ((c: ApprovalChange) => void) | undefined,
    lost: undefined as (() => void) | undefined,
  };
  const feed: NonNullable<AdminConsoleOptions['approvals']> = async (onChange, onLost) => {
    state.opened += 1;
    state.change = onChange;
    state.lost = onLost;
    return {
      close: () => {
        state.closed += 1;
      },
    };
  };
  return { state, feed };
}

const events = (stack: AdminStack): string => `${stack.server.url}/v1/events`;

describe('overviewOf', () => {
  const figures = (allow: number, deny: number, hold = 0, mask = 0): OverviewFigures => ({
    sessions: 3,
    statements: { allow, deny, hold, mask, refuse: 9 },
    pendingApprovals: 2,
  });
  it.each<{
    note: string;
    prev?: { f: OverviewFigures; at: number };
    cur: { f: OverviewFigures; at: number };
    want: Record<string, number>;
  }>([
    { note: 'no previous read: zeros', cur: { f: figures(10, 2), at: 1_000 }, want: { allow: 0, deny: 0, hold: 0, mask: 0 } },
    {
      note: 'one second apart',
      prev: { f: figures(10, 2), at: 1_000 },
      cur: { f: figures(15, 3, 1, 4), at: 2_000 },
      want: { allow: 5, deny: 1, hold: 1, mask: 4 },
    },
    {
      note: 'half a second apart',
      prev: { f: figures(10, 2), at: 1_000 },
      cur: { f: figures(11, 2), at: 1_500 },
      want: { allow: 2, deny: 0, hold: 0, mask: 0 },
    },
    {
      note: 'a counter reset reads as 0',
      prev: { f: figures(10, 2), at: 1_000 },
      cur: { f: figures(1, 0), at: 2_000 },
      want: { allow: 0, deny: 0, hold: 0, mask: 0 },
    },
    {
      note: 'the same instant',
      prev: { f: figures(10, 2), at: 1_000 },
      cur: { f: figures(20, 2), at: 1_000 },
      want: { allow: 0, deny: 0, hold: 0, mask: 0 },
    },
    {
      note: 'three thirds',
      prev: { f: figures(0, 0), at: 0 },
      cur: { f: figures(1, 0), at: 3_000 },
      want: { allow: 0.333, deny: 0, hold: 0, mask: 0 },
    },
  ])('$note', ({ prev, cur, want }) => {
    const o = overviewOf(prev === undefined ? undefined : { figures: prev.f, atMs: prev.at }, { figures: cur.f, atMs: cur.at });
    expect(o).toEqual({ sessions: 3, statements_per_second: want, pending_approvals: 2, at: new Date(cur.at).toISOString() });
  });
});

describe('GET /v1/events', () => {
  it('answers a stream whose first event, at once, is an overview of the figures', async () => {
    await withStack(
      { overviewMs: 60_000, overview: () => ({ sessions: 4, statements: { allow: 7 }, pendingApprovals: 1 }) },
      async (stack) => {
        const started = Date.now();
        const s = await openSse(events(stack), await stack.token());
        try {
          expect(s.status).toBe(200);
          expect(s.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
          expect(s.headers.get('cache-control')).toBe('no-cache, no-store');
          expect(s.headers.get('x-ratelimit-limit')).toBe('120');
          const first = await s.next(() => true, 2_000);
          expect(Date.now() - started).toBeLessThan(2_000);
          expect(first).toEqual({
            event: 'overview',
            data: {
              sessions: 4,
              statements_per_second: { allow: 0, deny: 0, hold: 0, mask: 0 },
              pending_approvals: 1,
              at: expect.any(String),
            },
          });
          expect(Date.parse(first.data.at)).toBeGreaterThanOrEqual(started - 1);
        } finally {
          s.close();
        }
      },
    );
  });

  it('sends an overview each interval, with rates from successive reads of the counters', async () => {
    let allow = 0;
    // 20 statements between reads 100 ms apart: about 200 per second
    const overview = async () => {
      allow += 20;
      return { sessions: 1, statements: { allow, deny: 0 }, pendingApprovals: 0 };
    };
    await withStack({ overviewMs: 100, overview }, async (stack) => {
      const s = await openSse(events(stack), await stack.token());
      try {
        await waitUntil(() => s.events.filter((e) => e.event === 'overview').length >= 4, 5_000, 'four overviews');
        const later = s.events.filter((e) => e.event === 'overview').slice(2);
        for (const o of later) {
          expect(o.data.statements_per_second.allow).toBeGreaterThan(50);
          expect(o.data.statements_per_second.allow).toBeLessThan(400);
          expect(o.data.statements_per_second.deny).toBe(0);
        }
      } finally {
        s.close();
      }
    });
  });

  it('relays approval changes and resyncs from one feed to every stream allowed to read approval requests, and to no other', async () => {
    const { state, feed } = manualFeed();
    await withStack({ approvals: feed, overviewMs: 60_000 }, async (stack) => {
      // an approver (the default token), an auditor, and an agent whose token reads data only
      const a = await openSse(events(stack), await stack.token());
      const b = await openSse(events(stack), await stack.token('carol', { roles: ['audit:read'] }));
      const agent = await openSse(events(stack), await stack.token('agent-7', { roles: ['db:read'] }));
      try {
        for (const s of [a, b, agent]) await s.next((e) => e.event === 'overview');
        expect(state.opened).toBe(1);
        const changes: ApprovalChange[] = [
          { id: 'req-1', status: 'pending', kind: 'created' },
          { id: 'req-1', status: 'approved', kind: 'approved' },
          { id: 'req-2', status: 'withdrawn', kind: 'cancelled' },
        ];
        for (const c of changes) state.change?.(c);
        state.lost?.();
        for (const s of [a, b]) {
          await s.next((e) => e.event === 'resync');
          expect(s.events.filter((e) => e.event === 'approval').map((e) => e.data)).toEqual(changes);
          expect(s.events.find((e) => e.event === 'resync')?.data).toEqual({});
        }
        // the agent's stream is open and keeps its overviews, but no request id or status reaches it
        await new Promise((r) => setTimeout(r, 100));
        expect(agent.events.map((e) => e.event)).toEqual(['overview']);
      } finally {
        a.close();
        b.close();
        agent.close();
      }
    });
    expect(state.closed).toBe(1);
  });

  it('sends a ping comment each heartbeat', async () => {
    await withStack({ heartbeatMs: 50, overviewMs: 60_000 }, async (stack) => {
      const s = await openSse(events(stack), await stack.token());
      try {
        await waitUntil(() => s.comments.filter((c) => c === 'ping').length >= 2, 3_000, 'two pings');
      } finally {
        s.close();
      }
    });
  });

  it.each<{ note: string; header?: string }>([{ note: 'no token' }, { note: 'a refused token', header: 'Bearer not.a.token' }])(
    'refuses $note with the 401 error body',
    async ({ header }) => {
      await withStack({}, async (stack) => {
        const res = await fetch(events(stack), { headers: header !== undefined ? { authorization: header } : {} });
        expect(res.status).toBe(401);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('ERR_ADMIN_UNAUTHENTICATED');
      });
    },
  );

  it('bounds the open streams: past the bound 429 ERR_ADMIN_RATE_LIMITED, and a closed stream frees its place', async () => {
    await withStack({ maxStreams: 3, maxPerCaller: 3, overviewMs: 60_000 }, async (stack) => {
      const token = await stack.token();
      const open = await Promise.all([0, 1, 2].map(() => openSse(events(stack), token)));
      try {
        expect(open.map((s) => s.status)).toEqual([200, 200, 200]);
        const refused = await openSse(events(stack), token);
        expect(refused.status).toBe(429);
        expect(refused.headers.get('retry-after')).toBe('5');
        expect(refused.events[0]?.data.error).toEqual({
          code: 'ERR_ADMIN_RATE_LIMITED',
          message: 'too many open event streams on this gateway; retry later',
        });
        open[0]?.close();
        let again = await openSse(events(stack), token);
        for (let i = 0; again.status !== 200 && i < 100; i++) {
          await new Promise((r) => setTimeout(r, 20));
          again = await openSse(events(stack), token);
        }
        expect(again.status).toBe(200);
        again.close();
      } finally {
        for (const s of open) s.close();
      }
    });
  });

  it('admits 32 streams by default, 4 to one caller, and refuses the 33rd', async () => {
    await withStack(
      { overviewMs: 60_000 },
      async (stack) => {
        const tokens = await Promise.all(Array.from({ length: 8 }, (_, i) => stack.token(`watcher-${i}`)));
        const open = await Promise.all(Array.from({ length: 32 }, (_, i) => openSse(events(stack), tokens[i % 8] as string)));
        try {
          expect(open.every((s) => s.status === 200)).toBe(true);
          expect((await openSse(events(stack), await stack.token('latecomer'))).status).toBe(429);
        } finally {
          for (const s of open) s.close();
        }
        // one caller cannot take every place: the fifth stream of one subject is refused, another subject's is not
        const mine = await Promise.all(Array.from({ length: 4 }, () => openSse(events(stack), tokens[0] as string)));
        try {
          expect(mine.map((s) => s.status)).toEqual([200, 200, 200, 200]);
          const fifth = await openSse(events(stack), tokens[0] as string);
          expect(fifth.status).toBe(429);
          expect(fifth.events[0]?.data.error).toEqual({
            code: 'ERR_ADMIN_RATE_LIMITED',
            message: 'you have too many open event streams; close one (another tab) and retry',
          });
          const other = await openSse(events(stack), tokens[1] as string);
          expect(other.status).toBe(200);
          other.close();
        } finally {
          for (const s of mine) s.close();
        }
      },
      { rateLimit: { max: 1000, timeWindowMs: 60_000 } },
    );
  });

  it('counts the opening of a stream against the rate limit, not its events', async () => {
    await withStack(
      { overviewMs: 20 },
      async (stack) => {
        const token = await stack.token();
        const s = await openSse(events(stack), token);
        try {
          await waitUntil(() => s.events.length >= 5, 3_000, 'five events');
          // one request was spent opening the stream: two more are allowed, then 429
          const statuses: number[] = [];
          for (let i = 0; i < 3; i++)
            statuses.push((await fetch(`${stack.server.url}/v1/whoami`, { headers: { authorization: `Bearer ${token}` } })).status);
          expect(statuses).toEqual([200, 200, 429]);
        } finally {
          s.close();
        }
      },
      { rateLimit: { max: 3, timeWindowMs: 60_000 } },
    );
  });

  it('ends the stream when the token expires', async () => {
    await withStack({ overviewMs: 60_000 }, async (stack) => {
      const token = await stack.issuer.issuer.mint({ sub: 'alice', claims: { role: 'approver' }, ttlSeconds: 2 });
      const s = await openSse(events(stack), token);
      await s.next((e) => e.event === 'overview');
      expect(s.isEnded()).toBe(false);
      await Promise.race([
        s.ended,
        new Promise((_, reject) => setTimeout(() => reject(new Error('the stream outlived its token')), 5_000)),
      ]);
      expect(s.isEnded()).toBe(true);
    });
  });

  it('opens the stream without approval events when the feed cannot start, and tries again with the next stream', async () => {
    let attempts = 0;
    const logged: { kind: string }[] = [];
    const stack = await startAdminStack({
      console: {
        overviewMs: 60_000,
        approvals: async () => {
          attempts += 1;
          throw new Error('the state store is unreachable');
        },
      },
      log: (e) => logged.push(e),
    });
    try {
      const token = await stack.token();
      for (let i = 1; i <= 2; i++) {
        const s = await openSse(events(stack), token);
        expect(s.status).toBe(200);
        await s.next((e) => e.event === 'overview');
        s.close();
        expect(attempts).toBe(i);
      }
      expect(logged.filter((e) => e.kind === 'console.events-unavailable')).toHaveLength(2);
    } finally {
      await stack.close();
    }
  });

  it('ends every stream when the server closes, and close() does not wait on them', async () => {
    const { state, feed } = manualFeed();
    const stack = await startAdminStack({ console: { approvals: feed, overviewMs: 60_000, heartbeatMs: 60_000 } });
    const token = await stack.token();
    const open = await Promise.all([0, 1, 2].map(() => openSse(events(stack), token)));
    await Promise.all(open.map((s) => s.next((e) => e.event === 'overview')));
    const started = Date.now();
    await stack.close();
    expect(Date.now() - started).toBeLessThan(3_000);
    await Promise.all(open.map((s) => s.ended));
    expect(open.every((s) => s.isEnded())).toBe(true);
    expect(state.closed).toBe(1);
  });

  it('closes promptly with a connection that never sent a request (a browser pre-connecting)', async () => {
    const stack = await startAdminStack({ console: { overviewMs: 60_000 } });
    const url = new URL(stack.server.url);
    const idle = connect(Number(url.port), url.hostname);
    await new Promise<void>((resolve) => idle.once('connect', () => resolve()));
    const closed = new Promise<void>((resolve) => idle.once('close', () => resolve()));
    const started = Date.now();
    await stack.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    await closed;
  });
});
