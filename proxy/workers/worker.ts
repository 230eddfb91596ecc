// A `serve` worker's side of the supervisor's channel (primary.ts): it says when its gateway
// listens, stops when told or on SIGTERM (a worker whose supervisor is gone is ended by Node's
// cluster at once, as the supervisor's own end would end a single gateway), reloads on the
// supervisor's SIGHUP, tells it of policy reloads made through its admin API, hands over its
// metrics and asks for everyone's.

import cluster from 'node:cluster';
import { WORKER_ENV, isMessage } from './messages.js';
import type { FromWorker, ToWorker } from './messages.js';

/** WorkerLink is a worker's side of the channel. */
export type WorkerLink = {
  /** index is the worker's number (1 …). */
  readonly index: number;
  /** ready tells the supervisor the gateway listens. */
  ready(info: { readonly host: string; readonly port: number; readonly adminUrl?: string }): void;
  /**
   * untilStopped resolves when the worker must drain and exit: the supervisor says so or the
   * worker gets SIGTERM. SIGINT is left to the supervisor (a terminal's Ctrl-C reaches every
   * process of the group; the supervisor then stops each worker once).
   */
  untilStopped(): Promise<void>;
  /** onReload runs the handler on the supervisor's SIGHUP. */
  onReload(handler: () => void): () => void;
  /** onPolicyReload runs the handler when another worker's admin API reloaded the policy. */
  onPolicyReload(handler: () => void): () => void;
  /** policyReloaded asks the supervisor to reload the policy on the other workers. */
  policyReloaded(): void;
  /** provideMetrics answers the supervisor's collections with this worker's metrics (prom-client's JSON). */
  provideMetrics(local: () => Promise<readonly unknown[]>): void;
  /** clusterMetrics is every worker's metrics, summed, in the Prometheus text format. */
  clusterMetrics(): Promise<{ readonly contentType: string; readonly body: string }>;
  /** leave closes the channel once the gateway has stopped (an open channel would keep the process alive). */
  leave(): void;
};

/** CLUSTER_METRICS_TIMEOUT_MS bounds how long a worker waits for the supervisor's aggregated metrics. */
const CLUSTER_METRICS_TIMEOUT_MS = 10_000;

/** joinAsWorker is this process's link when the supervisor started it as a worker; undefined otherwise. */
export function joinAsWorker(env: Readonly<Record<string, string | undefined>>): WorkerLink | undefined {
  const raw = env[WORKER_ENV];
  const index = raw === undefined ? Number.NaN : Number(raw);
  // started by the supervisor's cluster.fork, not merely with an IPC channel (a test runner's fork has one)
  const channel = cluster.isWorker && process.send !== undefined ? process : undefined;
  if (!Number.isInteger(index) || index < 1 || channel === undefined) return undefined;
  const send = (m: FromWorker): void => {
    if (channel.connected) channel.send?.(m, undefined, {}, (e: Error | null) => e && undefined);
  };
  const handlers = { reload: new Set<() => void>(), policy: new Set<() => void>() };
  let provide: (() => Promise<readonly unknown[]>) | undefined;
  let nextAsk = 0;
  const asked = new Map<number, { resolve: (r: { contentType: string; body: string }) => void; reject: (e: Error) => void }>();
  let stop: (() => void) | undefined;
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });

  channel.on('message', (m: unknown) => {
    if (!isMessage<ToWorker>(m)) return;
    switch (m.type) {
      case 'portcullis:stop':
        stop?.();
        return;
      case 'portcullis:reload':
        for (const h of handlers.reload) h();
        return;
      case 'portcullis:reload-policy':
        for (const h of handlers.policy) h();
        return;
      case 'portcullis:metrics-collect': {
        const id = m.id;
        void (provide?.() ?? Promise.resolve([])).then(
          (metrics) => send({ type: 'portcullis:metrics-local', id, metrics }),
          () => send({ type: 'portcullis:metrics-local', id, metrics: [] }),
        );
        return;
      }
      case 'portcullis:metrics-result':
        asked.get(m.id)?.resolve({ contentType: m.contentType, body: m.body });
        asked.delete(m.id);
        return;
      case 'portcullis:metrics-failed':
        asked.get(m.id)?.reject(new Error(m.message));
        asked.delete(m.id);
        return;
    }
  });
  // the channel closed (leave(), or the supervisor gone, when Node's cluster ends the worker):
  // nothing will answer a metrics request any more
  channel.on('disconnect', () => {
    stop?.();
    for (const a of asked.values()) a.reject(new Error('the supervisor is gone'));
    asked.clear();
  });
  process.on('SIGINT', () => undefined);
  process.once('SIGTERM', () => {
    stop?.();
    // a second SIGTERM ends the worker at once, as it would a single gateway
    process.once('SIGTERM', () => process.exit(143));
  });

  const on = (set: Set<() => void>, handler: () => void): (() => void) => {
    set.add(handler);
    return () => set.delete(handler);
  };
  return {
    index,
    ready: (info) =>
      send({
        type: 'portcullis:ready',
        host: info.host,
        port: info.port,
        ...(info.adminUrl !== undefined ? { adminUrl: info.adminUrl } : {}),
      }),
    untilStopped: () => stopped,
    onReload: (handler) => on(handlers.reload, handler),
    onPolicyReload: (handler) => on(handlers.policy, handler),
    policyReloaded: () => send({ type: 'portcullis:policy-reloaded' }),
    provideMetrics: (local) => {
      provide = local;
    },
    leave: () => {
      // through the cluster's own disconnect: a bare process.disconnect() makes Node end a worker
      // at once with code 0, whatever exit code the command is about to set
      if (channel.connected) cluster.worker?.disconnect();
    },
    clusterMetrics: () =>
      new Promise((resolve, reject) => {
        if (!channel.connected) return reject(new Error('the supervisor is gone'));
        const id = ++nextAsk;
        const timer = setTimeout(() => {
          asked.delete(id);
          reject(new Error(`the supervisor did not answer within ${CLUSTER_METRICS_TIMEOUT_MS / 1000} s`));
        }, CLUSTER_METRICS_TIMEOUT_MS);
        asked.set(id, {
          resolve: (r) => {
            clearTimeout(timer);
            resolve(r);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
        send({ type: 'portcullis:metrics', id });
      }),
  };
}
