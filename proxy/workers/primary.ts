// The supervisor of `serve` with `workers` > 1: it forks the worker processes (each runs `serve`
// again as a whole gateway; Node's cluster shares the listen and admin addresses between them,
// handing each new connection to the next worker), reports the gateway listening once every worker
// is, passes SIGHUP on, answers /metrics requests with every worker's metrics summed
// (proxy/metrics), spreads a policy reload made through one worker's admin API to the
// others, restarts a worker that dies, and on a stop signal has every worker drain and waits for them.

import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';
import { sumMetrics } from '../metrics/index.js';
import { WORKER_ENV, isMessage } from './messages.js';
import type { FromWorker, ToWorker, WorkerReady } from './messages.js';

/** SuperviseOptions configure superviseWorkers. */
export type SuperviseOptions = {
  /** count is how many workers to run (2 or more). */
  readonly count: number;
  /** exec and args start a worker: the CLI's script and `serve` with the same configuration. */
  readonly exec: string;
  readonly args: readonly string[];
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** untilStopped resolves on the stop signal (SIGINT/SIGTERM). */
  readonly untilStopped: () => Promise<void>;
  /** onReload registers the SIGHUP handler (absent: no reload signal). */
  readonly onReload?: (handler: () => void) => () => void;
  /** restartDelayMs is the wait before a dead worker's replacement is started (default 1 s, doubling while they keep dying within a minute). */
  readonly restartDelayMs?: number;
  /** metricsTimeoutMs bounds how long a /metrics request waits for the workers' answers (default 5 s; a silent worker is left out). */
  readonly metricsTimeoutMs?: number;
};

type Slot = { worker: Worker; ready: boolean; startedAt: number; delayMs: number };

/**
 * superviseWorkers runs the workers until the stop signal and returns the exit code: 0 after
 * every worker drained and exited, 1 when a worker could not start (the others are stopped).
 */
export async function superviseWorkers(o: SuperviseOptions): Promise<number> {
  const baseDelay = o.restartDelayMs ?? 1_000;
  const metricsTimeout = o.metricsTimeoutMs ?? 5_000;
  cluster.setupPrimary({ exec: o.exec, args: [...o.args], silent: false });
  const slots = new Map<number, Slot>(); // by worker index (1 … count)
  let stopping = false;
  let started = false;
  /** settleStart ends the start: every worker serving (with the first's addresses), or why not. */
  let settleStart: ((r: { ok: true; info: WorkerReady } | { ok: false; reason: string }) => void) | undefined;
  let nextCollect = 0;
  const collections = new Map<number, { pending: Set<number>; got: (readonly unknown[])[]; done: () => void }>();

  const send = (w: Worker, m: ToWorker): void => {
    if (w.isConnected()) w.send(m, (e: Error | null) => e && undefined);
  };
  const live = (): Worker[] => [...slots.values()].map((s) => s.worker).filter((w) => w.isConnected());

  /** collect gathers every live worker's metrics and sums them (a silent worker is left out after metricsTimeout). */
  const collect = async (): Promise<{ contentType: string; body: string }> => {
    const id = ++nextCollect;
    const workers = live();
    const got: (readonly unknown[])[] = [];
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, metricsTimeout);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      collections.set(id, { pending: new Set(workers.map((w) => w.id)), got, done });
      if (workers.length === 0) done();
      for (const w of workers) send(w, { type: 'portcullis:metrics-collect', id });
    });
    collections.delete(id);
    return sumMetrics(got);
  };

  const onMessage = (index: number, w: Worker, m: unknown): void => {
    if (!isMessage<FromWorker>(m)) return;
    switch (m.type) {
      case 'portcullis:ready': {
        const slot = slots.get(index);
        if (slot === undefined || slot.worker !== w) return;
        slot.ready = true;
        if (started) o.stderr(`portcullis: worker ${index} (pid ${w.process.pid}) is serving again\n`);
        else if ([...slots.values()].every((s) => s.ready)) {
          started = true;
          settleStart?.({ ok: true, info: m });
        }
        return;
      }
      case 'portcullis:policy-reloaded':
        for (const other of live()) if (other !== w) send(other, { type: 'portcullis:reload-policy' });
        return;
      case 'portcullis:metrics':
        collect().then(
          (r) => send(w, { type: 'portcullis:metrics-result', id: m.id, ...r }),
          (e: unknown) => send(w, { type: 'portcullis:metrics-failed', id: m.id, message: e instanceof Error ? e.message : String(e) }),
        );
        return;
      case 'portcullis:metrics-local': {
        const c = collections.get(m.id);
        if (c === undefined || !c.pending.delete(w.id)) return;
        c.got.push(m.metrics);
        if (c.pending.size === 0) c.done();
        return;
      }
    }
  };

  const fork = (index: number, delayMs: number): void => {
    const worker = cluster.fork({ [WORKER_ENV]: String(index) });
    const slot: Slot = { worker, ready: false, startedAt: Date.now(), delayMs };
    slots.set(index, slot);
    worker.on('message', (m: unknown) => onMessage(index, worker, m));
    worker.on('exit', (code, signal) => {
      if (slots.get(index) !== slot) return;
      for (const c of collections.values()) if (c.pending.delete(worker.id) && c.pending.size === 0) c.done();
      if (stopping) return;
      const how = signal !== null ? `signal ${signal}` : `code ${code}`;
      if (!started) {
        settleStart?.({ ok: false, reason: `worker ${index} (pid ${worker.process.pid}) exited before it was serving (${how})` });
        return;
      }
      // one that kept running a minute starts over at the base delay; one that dies at once waits longer each time
      const next = Date.now() - slot.startedAt > 60_000 ? baseDelay : Math.min(slot.delayMs * 2, 30_000);
      o.stderr(`portcullis: worker ${index} (pid ${worker.process.pid}) exited (${how}); restarting it in ${next / 1000} s\n`);
      const timer = setTimeout(() => {
        if (!stopping) fork(index, next);
      }, next);
      timer.unref();
    });
  };

  /** stopAll asks every worker to drain and waits until all have exited. */
  const stopAll = async (): Promise<void> => {
    stopping = true;
    const exits = [...slots.values()].map(
      (s) =>
        new Promise<void>((resolve) => {
          if (s.worker.isDead()) return resolve();
          s.worker.once('exit', () => resolve());
          send(s.worker, { type: 'portcullis:stop' });
        }),
    );
    await Promise.all(exits);
  };
  // a supervisor that ends at once (a second stop signal) takes its workers with it
  const killAll = (): void => {
    for (const s of slots.values()) if (!s.worker.isDead()) s.worker.process.kill('SIGKILL');
  };
  process.on('exit', killAll);

  try {
    const startResult = await new Promise<{ ok: true; info: WorkerReady } | { ok: false; reason: string }>((resolve) => {
      settleStart = resolve;
      void o.untilStopped().then(() => resolve({ ok: false, reason: 'stopped while starting' }));
      for (let i = 1; i <= o.count; i++) fork(i, baseDelay);
    });
    if (!startResult.ok) {
      o.stderr(`portcullis: ${startResult.reason}; stopping the other workers\n`);
      await stopAll();
      return startResult.reason === 'stopped while starting' ? 0 : 1;
    }
    const { info } = startResult;
    o.stdout(`portcullis: gateway listening on ${info.host}:${info.port} (${o.count} workers)\n`);
    if (info.adminUrl !== undefined) o.stderr(`portcullis: admin API on ${info.adminUrl} (every worker answers; /metrics sums them)\n`);
    const offReload = o.onReload?.(() => {
      for (const w of live()) send(w, { type: 'portcullis:reload' });
    });
    await o.untilStopped();
    offReload?.();
    o.stderr(`portcullis: stopping ${o.count} workers (each drains its sessions)\n`);
    await stopAll();
    return 0;
  } finally {
    process.off('exit', killAll);
  }
}
