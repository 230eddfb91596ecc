// proxy/metrics on its own: each event moves exactly its metric, scrape-time figures are read
// from the sources, the status document's plugin states and OPA's "never" timestamps, and the
// readiness checks (a throwing probe, the one-second cache, a real refused TCP connect).

import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { GatewayEvent } from '../../../proxy/events.js';
import {
  NEVER,
  cachedCheck,
  createGatewayMetrics,
  createReadiness,
  gatewayStatus,
  policyCheck,
  staticPolicyStatus,
  tcpReachable,
} from '../../../proxy/metrics/index.js';
import type { GatewaySources, PolicyStatus } from '../../../proxy/metrics/index.js';
import type { StatementFacts } from '../../../proxy/sql/index.js';

const AT = new Date('2026-06-01T08:00:00.000Z');
const facts = {} as StatementFacts;
const ref = { session: 's1', subject: 'agent' };

function sources(over: Partial<GatewaySources> = {}, policy: Partial<PolicyStatus> = {}): GatewaySources {
  const base = staticPolicyStatus('rev-1', AT).status();
  return {
    policy: { status: () => ({ ...base, ...policy }) },
    connections: () => ({ unauthenticated: 2, authenticated: 5 }),
    sessions: () => 5,
    ...over,
  };
}

/** sample reads one sample's value from the exposition text (undefined when absent). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const allow = { kind: 'allow', masks: [] } as const;
const masked = { kind: 'allow', masks: [{ table: 'public.t', column: 'c', kind: 'redact' }] } as const;
const deny = { kind: 'deny', reason: 'no', rule: 'r', origin: 'policy', reasons: [] } as const;

describe('createGatewayMetrics', () => {
  it.each<{ note: string; events: GatewayEvent[]; series: string; want: number }>([
    {
      note: 'an allow',
      events: [{ type: 'statement.decided', ...ref, statement: facts, decision: allow, params: null, inTransaction: false, evalNs: 2e5 }],
      series: 'portcullis_statements_total{decision="allow"}',
      want: 1,
    },
    {
      note: 'an allow with masks',
      events: [{ type: 'statement.decided', ...ref, statement: facts, decision: masked, params: null, inTransaction: false }],
      series: 'portcullis_statements_total{decision="mask"}',
      want: 1,
    },
    {
      note: 'a policy denial counted once (its refusal names the rule)',
      events: [
        { type: 'statement.decided', ...ref, statement: facts, decision: deny, params: null, inTransaction: false },
        { type: 'statement.refused', ...ref, sqlstate: '42501', message: 'no', rule: 'r' },
      ],
      series: 'portcullis_statements_total{decision="deny"}',
      want: 1,
    },
    {
      note: 'a gateway refusal',
      events: [{ type: 'statement.refused', ...ref, sqlstate: '54000', message: 'too big' }],
      series: 'portcullis_statements_total{decision="refuse"}',
      want: 1,
    },
    {
      note: 'a decision time in seconds',
      events: [{ type: 'statement.decided', ...ref, statement: facts, decision: allow, params: null, inTransaction: false, evalNs: 2e5 }],
      series: 'portcullis_decision_duration_seconds_bucket{le="0.00025"}',
      want: 1,
    },
    {
      note: 'an upstream time in seconds',
      events: [{ type: 'statement.finished', ...ref, statement: facts, masks: [], tag: 'SELECT 1', durationMs: 30 }],
      series: 'portcullis_upstream_duration_seconds_sum',
      want: 0.03,
    },
    {
      note: 'an accepted connection',
      events: [{ type: 'connection.accepted', clientAddress: '127.0.0.1' }],
      series: 'portcullis_connections_accepted_total',
      want: 1,
    },
    {
      note: 'a refused login, by its code',
      events: [
        {
          type: 'login.refused',
          session: 's',
          clientAddress: '127.0.0.1',
          code: 'ERR_PROXY_TOKEN_EXPIRED',
          sqlstate: '28000',
          message: 'x',
        },
      ],
      series: 'portcullis_connections_rejected_total{reason="token_expired"}',
      want: 1,
    },
    {
      note: 'a connection over the limit',
      events: [{ type: 'connection.refused', reason: 'max_connections', clientAddress: '127.0.0.1' }],
      series: 'portcullis_connections_rejected_total{reason="max_connections"}',
      want: 1,
    },
  ])('$note', async ({ events, series, want }) => {
    const m = createGatewayMetrics(sources(), { defaultMetrics: false });
    for (const e of events) m.subscriber(e);
    expect(sample((await m.exposition()).body, series)).toBeCloseTo(want, 9);
  });

  it('figures reads the console overview from the same metrics the exposition shows', async () => {
    let live = 5;
    const m = createGatewayMetrics(sources({ sessions: () => live, pendingApprovals: () => 2 }), { defaultMetrics: false });
    const hold = { kind: 'hold', reason: 'r', rule: 'x', reasons: [] } as unknown as typeof deny;
    const decided = (decision: typeof allow | typeof masked | typeof deny) =>
      m.subscriber({ type: 'statement.decided', ...ref, statement: facts, decision, params: null, inTransaction: false });
    for (const d of [allow, allow, masked, deny, hold]) decided(d);
    expect(await m.figures()).toEqual({
      sessions: 5,
      statements: { allow: 2, mask: 1, deny: 1, hold: 1, refuse: 0 },
      pendingApprovals: 2,
    });
    live = 7;
    decided(allow);
    const body = (await m.exposition()).body;
    const figures = await m.figures();
    expect(figures.sessions).toBe(7);
    expect(figures.statements['allow']).toBe(sample(body, 'portcullis_statements_total{decision="allow"}'));
  });

  it('reads the scrape-time figures from the sources', async () => {
    const m = createGatewayMetrics(
      sources(
        {
          pendingApprovals: () => 3,
          journal: () => ({ records: 10, bytes: 1000, fsyncs: 4, failed: 'disk full', unshipped: 7 }),
          decisionLog: () => ({ events: 20, dropped: 6 }),
          upstreamIdle: () => 4,
        },
        { reloadFailures: 2, staleSeconds: 12.5 },
      ),
      { defaultMetrics: false },
    );
    const { body, contentType } = await m.exposition();
    expect(contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect({
      info: sample(body, 'portcullis_policy_info{revision="rev-1"}'),
      activated: sample(body, 'portcullis_policy_last_activation_timestamp_seconds'),
      failures: sample(body, 'portcullis_policy_reload_failures_total'),
      stale: sample(body, 'portcullis_policy_staleness_seconds'),
      pending: sample(body, 'portcullis_approvals_pending'),
      unshipped: sample(body, 'portcullis_recording_unshipped_records'),
      journalFailed: sample(body, 'portcullis_recording_journal_failed'),
      dropped: sample(body, 'portcullis_decision_log_dropped_total'),
      sessions: sample(body, 'portcullis_sessions_active'),
      loggingIn: sample(body, 'portcullis_connections_active{state="unauthenticated"}'),
      upstreamIdle: sample(body, 'portcullis_upstream_idle_connections'),
    }).toEqual({
      info: 1,
      activated: AT.getTime() / 1000,
      failures: 2,
      stale: 12.5,
      pending: 3,
      unshipped: 7,
      journalFailed: 1,
      dropped: 6,
      sessions: 5,
      loggingIn: 2,
      upstreamIdle: 4,
    });
    // a second scrape reads the counters again rather than adding them up
    expect(sample((await m.exposition()).body, 'portcullis_decision_log_dropped_total')).toBe(6);
  });

  it('leaves out the recording lag without a shipper, and keeps two registries apart', async () => {
    const a = createGatewayMetrics(
      sources({ journal: () => ({ records: 1, bytes: 1, fsyncs: 1, failed: undefined, unshipped: undefined }) }),
      {
        defaultMetrics: false,
      },
    );
    const b = createGatewayMetrics(sources(), { defaultMetrics: false });
    a.subscriber({ type: 'connection.accepted', clientAddress: '::1' });
    const body = (await a.exposition()).body;
    expect(body).not.toContain('portcullis_recording_unshipped_records');
    expect(sample(body, 'portcullis_recording_journal_failed')).toBe(0);
    expect(sample((await b.exposition()).body, 'portcullis_connections_accepted_total')).toBe(0);
  });
});

describe('gatewayStatus', () => {
  it.each<{ note: string; policy: Partial<PolicyStatus>; state: string }>([
    { note: 'an active, verified, fresh policy', policy: {}, state: 'OK' },
    { note: 'a failed reload', policy: { errors: ['signature of data.json does not match'] }, state: 'ERROR' },
    { note: 'a stale policy', policy: { stale: true, staleSeconds: 90 }, state: 'WARN' },
    { note: 'no policy yet', policy: { activatedAt: undefined }, state: 'NOT_READY' },
  ])('bundle plugin state for $note: $state', ({ policy, state }) => {
    const doc = gatewayStatus(sources({}, policy), { id: 'gw-1', version: '0.1.0' });
    expect(doc.plugins['bundle']?.state).toBe(state);
  });

  it('reports never as OPA does and no active revision before a policy is active', () => {
    const doc = gatewayStatus(
      sources({}, { activatedAt: undefined, lastSuccessfulDownload: undefined, lastSuccessfulRequest: undefined }),
      {
        id: 'gw-1',
        version: '0.1.0',
      },
    );
    expect(doc.bundles['portcullis']).toEqual({
      name: 'portcullis',
      last_successful_activation: NEVER,
      last_successful_download: NEVER,
      last_successful_request: NEVER,
      errors: [],
    });
    expect(doc.portcullis).toMatchObject({ approvals: null, journal: null, decision_logs: null, sessions: { active: 5 } });
  });

  it('names the first error as the bundle message', () => {
    const doc = gatewayStatus(sources({}, { errors: ['a', 'b'] }), { id: 'gw-1', version: '0.1.0' });
    expect(doc.bundles['portcullis']).toMatchObject({ code: 'bundle_error', message: 'a', errors: ['a', 'b'], active_revision: 'rev-1' });
  });
});

describe('readiness', () => {
  it('reports a probe that throws as failed, and ready only when every check passes', async () => {
    const readiness = createReadiness([
      policyCheck(staticPolicyStatus('rev-9', AT)),
      {
        name: 'boom',
        check: () => {
          throw new Error('secret path /var/run/x');
        },
      },
    ]);
    expect(await readiness()).toEqual({
      ready: false,
      checks: { policy: { ok: true, message: 'revision rev-9' }, boom: { ok: false, message: 'the check failed' } },
    });
  });

  it('caches a check for its ttl and shares it among callers', async () => {
    let runs = 0;
    let t = 0;
    const check = cachedCheck(
      async () => {
        runs++;
        return { ok: true };
      },
      1000,
      () => t,
    );
    await Promise.all([check(), check()]);
    t = 999;
    await check();
    expect(runs).toBe(1);
    t = 1000;
    await check();
    expect(runs).toBe(2);
  });

  it('tcpReachable says a closed port refuses, an open one answers', async () => {
    const server = createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    expect(await tcpReachable('127.0.0.1', port, 1000)).toBeUndefined();
    await new Promise((r) => server.close(r));
    expect(await tcpReachable('127.0.0.1', port, 1000)).toBe('connection refused');
  });
});
