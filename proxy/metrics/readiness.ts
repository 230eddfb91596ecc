// Readiness: the named checks behind the admin API's /readyz (as Kubernetes' /readyz?verbose lists
// them): a policy is active and verified, it is not stale, the gateway is not draining, the state
// store answers, the upstream PostgreSQL accepts connections. Checks that reach another server
// are bounded by a short timeout and their answers are cached for a second, so probes (one per
// kubelet, per load balancer, …) cannot hammer the upstream or the store.

import { connect } from 'node:net';
import type { PolicyStatusProvider, ReadinessCheck, ReadinessProbe, ReadinessReport } from './types.js';

/** PROBE_CACHE_MS is how long a remote check's answer is reused. */
export const PROBE_CACHE_MS = 1_000;

/** PROBE_TIMEOUT_MS bounds a remote check. */
export const PROBE_TIMEOUT_MS = 2_000;

/** createReadiness runs every probe (concurrently) and reports ready when all pass; a probe that throws fails with a generic message. */
export function createReadiness(probes: readonly ReadinessProbe[]): () => Promise<ReadinessReport> {
  return async () => {
    const results = await Promise.all(
      probes.map(async (p): Promise<readonly [string, ReadinessCheck]> => {
        try {
          return [p.name, await p.check()];
        } catch {
          return [p.name, { ok: false, message: 'the check failed' }];
        }
      }),
    );
    return { ready: results.every(([, r]) => r.ok), checks: Object.fromEntries(results) };
  };
}

/** cachedCheck reuses a check's answer for ttlMs, and shares one run among callers asking meanwhile. */
export function cachedCheck(
  check: () => Promise<ReadinessCheck>,
  ttlMs = PROBE_CACHE_MS,
  now: () => number = Date.now,
): () => Promise<ReadinessCheck> {
  let last: { readonly at: number; readonly answer: Promise<ReadinessCheck> } | undefined;
  return () => {
    const t = now();
    if (last !== undefined && t - last.at < ttlMs) return last.answer;
    const answer = check().catch((): ReadinessCheck => ({ ok: false, message: 'the check failed' }));
    last = { at: t, answer };
    return answer;
  };
}

/** policyCheck passes when a policy is active and, where signatures are required, verified. */
export function policyCheck(policy: PolicyStatusProvider): ReadinessProbe {
  return {
    name: 'policy',
    check: () => {
      const s = policy.status();
      if (s.activatedAt === undefined) return { ok: false, message: 'no policy is active' };
      if (!s.verified) return { ok: false, message: `the active policy (${s.revision}) is not verified` };
      return { ok: true, message: `revision ${s.revision}` };
    },
  };
}

/** stalenessCheck passes while the policy is not stale (policy.bundle.max_staleness). */
export function stalenessCheck(policy: PolicyStatusProvider): ReadinessProbe {
  return {
    name: 'staleness',
    check: () => {
      const s = policy.status();
      return s.stale ? { ok: false, message: `the policy source has not answered for ${Math.round(s.staleSeconds)} s` } : { ok: true };
    },
  };
}

/** drainingCheck fails once the gateway is shutting down, so load balancers stop sending new clients. */
export function drainingCheck(draining: () => boolean): ReadinessProbe {
  return { name: 'shutdown', check: () => (draining() ? { ok: false, message: 'the gateway is shutting down' } : { ok: true }) };
}

/** stateCheck passes when the state store answers `SELECT 1` within the timeout; `undefined` store: not configured (passes). */
export function stateCheck(store: { query(sql: string): Promise<unknown> } | undefined, timeoutMs = PROBE_TIMEOUT_MS): ReadinessProbe {
  if (store === undefined) return { name: 'state', check: () => ({ ok: true, message: 'not configured' }) };
  const run = cachedCheck(async () => {
    try {
      await withTimeout(store.query('SELECT 1'), timeoutMs);
      return { ok: true };
    } catch {
      return { ok: false, message: 'the state store cannot be reached' };
    }
  });
  return { name: 'state', check: run };
}

/**
 * upstreamCheck passes when the upstream accepts a TCP connection within the timeout. A connect
 * and close costs the server no backend process and no authentication (nothing is logged at the
 * default log level), unlike a login.
 */
export function upstreamCheck(host: string, port: number, timeoutMs = PROBE_TIMEOUT_MS): ReadinessProbe {
  const run = cachedCheck(async () => {
    const error = await tcpReachable(host, port, timeoutMs);
    return error === undefined ? { ok: true } : { ok: false, message: `the upstream ${host}:${port} cannot be reached (${error})` };
  });
  return { name: 'upstream', check: run };
}

/** tcpReachable connects to host:port and closes at once; it resolves undefined on success, else a short reason. */
export function tcpReachable(host: string, port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (reason: string | undefined): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(reason);
    };
    const timer = setTimeout(() => done(`no answer within ${timeoutMs} ms`), timeoutMs);
    socket.once('connect', () => done(undefined));
    socket.once('error', (e: NodeJS.ErrnoException) => done(e.code === 'ECONNREFUSED' ? 'connection refused' : (e.code ?? e.message)));
  });
}

/** withTimeout rejects when the promise does not settle within ms. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
