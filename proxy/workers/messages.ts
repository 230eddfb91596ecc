// The messages a `serve` supervisor and its worker processes exchange over the cluster's IPC
// channel, and a guard that tells ours from anything else on it (prom-client's own, Node's).

/** WorkerReady: a worker's gateway is listening (on the shared addresses). */
export type WorkerReady = { readonly type: 'portcullis:ready'; readonly host: string; readonly port: number; readonly adminUrl?: string };

/** FromWorker is what a worker sends its supervisor. */
export type FromWorker =
  | WorkerReady
  /** the policy was reloaded through the admin API: reload it on the other workers too */
  | { readonly type: 'portcullis:policy-reloaded' }
  /** a /metrics request: every worker's metrics, aggregated, answered with metrics-result */
  | { readonly type: 'portcullis:metrics'; readonly id: number }
  /** a worker's own metrics (prom-client's JSON), for a metrics-collect */
  | { readonly type: 'portcullis:metrics-local'; readonly id: number; readonly metrics: readonly unknown[] };

/** ToWorker is what a supervisor sends a worker. */
export type ToWorker =
  /** drain and exit (the supervisor was told to stop) */
  | { readonly type: 'portcullis:stop' }
  /** SIGHUP: re-read the configuration and reload the policy */
  | { readonly type: 'portcullis:reload' }
  /** reload the policy (another worker's admin API did) */
  | { readonly type: 'portcullis:reload-policy' }
  /** send your metrics (metrics-local) */
  | { readonly type: 'portcullis:metrics-collect'; readonly id: number }
  /** the aggregated metrics a worker asked for */
  | { readonly type: 'portcullis:metrics-result'; readonly id: number; readonly contentType: string; readonly body: string }
  | { readonly type: 'portcullis:metrics-failed'; readonly id: number; readonly message: string };

/** isMessage tells one of ours (by its `portcullis:` type) from anything else on the channel. */
export function isMessage<T extends { readonly type: string }>(m: unknown): m is T {
  return (
    typeof m === 'object' &&
    m !== null &&
    typeof (m as { type?: unknown }).type === 'string' &&
    (m as { type: string }).type.startsWith('portcullis:')
  );
}

/** WORKER_ENV is the environment variable that makes a `serve` process a worker (its index, from 1). */
export const WORKER_ENV = 'PORTCULLIS_WORKER';
