// A small worker_threads pool with a per-item timeout: items in, one result per item out (in
// input order). A worker that hangs past the timeout is terminated and replaced; one that dies
// mid-item is replaced; both turn into results via callbacks, so no item can stop the run.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/** WorkerRequest is what the pool posts to a worker. */
export type WorkerRequest<T> = { readonly id: number; readonly item: T };

/** WorkerMessage is what a worker posts back: once `ready` after start-up, then one `result` per request. */
export type WorkerMessage<R> = { readonly type: 'ready' } | { readonly type: 'result'; readonly id: number; readonly result: R };

/** PoolOptions configures runPool. */
export type PoolOptions<T, R> = {
  readonly workerUrl: URL;
  readonly size: number;
  readonly timeoutMs: number;
  /** startupMs bounds a worker's start-up (module loading) before its first `ready` message. */
  readonly startupMs?: number;
  readonly onTimeout: (item: T) => R;
  readonly onCrash: (item: T, reason: string) => R;
  readonly onResult?: (index: number, result: R) => void;
  /** workerData is handed to every worker (node:worker_threads `workerData`). */
  readonly workerData?: unknown;
};

/**
 * tsxWorker starts a worker running a TypeScript file. On Node 20, `execArgv: ['--import', 'tsx']`
 * does not reach worker threads (measured: "Unknown file extension .ts"), so a tiny eval'd
 * bootstrap registers tsx's ESM hooks inside the worker and then imports the file.
 */
export function tsxWorker(file: URL, workerData?: unknown): Worker {
  const cjs = createRequire(import.meta.url).resolve('tsx/esm/api');
  const mjs = cjs.replace(/\.cjs$/, '.mjs');
  const api = existsSync(mjs) ? pathToFileURL(mjs).href : 'tsx/esm/api';
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(file.href)}); });`;
  return new Worker(code, { eval: true, workerData });
}

type Slot = {
  worker: Worker;
  current?: { id: number; timer: NodeJS.Timeout };
  startTimer?: NodeJS.Timeout;
  retired: boolean;
  ready: boolean;
};

/** runPool runs every item on `size` workers and resolves with the results in item order. */
export function runPool<T, R>(items: readonly T[], opts: PoolOptions<T, R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  let done = 0;
  let startupFailures = 0;
  const slots = new Set<Slot>();
  return new Promise<R[]>((resolve, reject) => {
    let settled = false;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      for (const s of slots) retire(s);
      if (err) reject(err);
      else resolve(results);
    };
    const record = (id: number, r: R) => {
      results[id] = r;
      done++;
      opts.onResult?.(id, r);
      if (done === items.length) finish();
    };
    const retire = (s: Slot) => {
      if (s.retired) return;
      s.retired = true;
      if (s.current) clearTimeout(s.current.timer);
      if (s.startTimer) clearTimeout(s.startTimer);
      slots.delete(s);
      void s.worker.terminate();
    };
    const dispatch = (s: Slot) => {
      if (s.retired || settled) return;
      if (next >= items.length) return retire(s);
      const id = next++;
      const timer = setTimeout(() => {
        if (s.current?.id !== id) return;
        s.current = undefined;
        retire(s);
        record(id, opts.onTimeout(items[id] as T));
        spawn();
      }, opts.timeoutMs);
      s.current = { id, timer };
      s.worker.postMessage({ id, item: items[id] as T } satisfies WorkerRequest<T>);
    };
    const died = (s: Slot, reason: string) => {
      if (s.retired) return;
      const cur = s.current;
      s.current = undefined;
      const wasReady = s.ready;
      retire(s);
      if (cur) record(cur.id, opts.onCrash(items[cur.id] as T, reason));
      if (!wasReady && ++startupFailures > 3) return finish(new Error(`workers keep failing to start: ${reason}`));
      spawn();
    };
    const spawn = () => {
      if (settled || next >= items.length) return;
      const worker = opts.workerUrl.pathname.endsWith('.ts')
        ? tsxWorker(opts.workerUrl, opts.workerData)
        : new Worker(opts.workerUrl, { workerData: opts.workerData });
      const s: Slot = { worker, retired: false, ready: false };
      slots.add(s);
      s.startTimer = setTimeout(() => died(s, 'worker start-up timed out'), opts.startupMs ?? 60_000);
      worker.on('message', (m: WorkerMessage<R>) => {
        if (s.retired) return;
        if (m.type === 'ready') {
          s.ready = true;
          startupFailures = 0;
          if (s.startTimer) clearTimeout(s.startTimer);
          return dispatch(s);
        }
        if (s.current?.id !== m.id) return;
        clearTimeout(s.current.timer);
        s.current = undefined;
        record(m.id, m.result);
        dispatch(s);
      });
      worker.on('error', (e: unknown) => died(s, `worker error: ${e instanceof Error ? e.message : String(e)}`));
      worker.on('exit', (code) => died(s, `worker exited with code ${code}`));
    };
    if (items.length === 0) return finish();
    for (let i = 0; i < Math.max(1, Math.min(opts.size, items.length)); i++) spawn();
  });
}
