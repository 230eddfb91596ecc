// Shipping off the event loop: a Shipper (shipper.ts's interface) whose rounds run on a worker
// thread of their own (ship-worker.ts), with its own connection to the state store. Reading the
// segments back, building each INSERT and the store's round trips then cost the statements'
// thread nothing; what it does per group commit is at most one small message (kicks closer
// together than KICK_POST_GAP_MS are dropped: the worker's round gathers everything written by
// then, and its interval catches any later record).

import { startModuleWorker } from '../threads/index.js';
import type { Shipper, ShipperEvent, ShipResult } from './shipper.js';

/** ShipperLogin is how the worker logs in to the state store (the gateway's own store options, minus what cannot cross threads). */
export type ShipperLogin = {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly connectTimeoutMs: number;
  readonly password?: string;
  /** passwordFile is read for every login (a rotated `state.password_file`). */
  readonly passwordFile?: string;
};

/** ShipThreadData is the worker's workerData. */
export type ShipThreadData = { readonly dir: string; readonly login: ShipperLogin; readonly batchSize?: number };

/** ToShipThread and FromShipThread are the messages between the gateway and its shipping thread. */
export type ToShipThread =
  | { readonly type: 'once'; readonly id: number }
  | { readonly type: 'kick' }
  | { readonly type: 'start'; readonly intervalMs: number }
  | { readonly type: 'stop'; readonly id: number };
export type FromShipThread =
  | { readonly type: 'result'; readonly id: number; readonly result: ShipResult }
  | { readonly type: 'event'; readonly event: ShipperEvent }
  | { readonly type: 'stopped'; readonly id: number };

/** KICK_POST_GAP_MS is the least time between two kicks sent to the thread. */
const KICK_POST_GAP_MS = 20;

/** ShipThreadOptions configure startShipThread. */
export type ShipThreadOptions = ShipThreadData & { readonly onEvent?: (event: ShipperEvent) => void };

/** startShipThread starts the shipping thread and returns its Shipper. A thread that dies is reported as a failed round and started again at the next request. */
export function startShipThread(options: ShipThreadOptions): Shipper {
  const { onEvent, ...data } = options;
  let nextId = 0;
  const waiting = new Map<number, (m: FromShipThread) => void>();
  let interval: number | undefined;
  let lastKick = Number.NEGATIVE_INFINITY;
  let stopped = false; // stop() ran: kicks are dropped until start() or shipOnce() again

  const spawn = () => {
    const w = startModuleWorker(import.meta.url, './ship-worker', { workerData: data });
    w.unref();
    w.on('message', (m: FromShipThread) => {
      if (m.type === 'event') onEvent?.(m.event);
      else waiting.get(m.id)?.(m);
    });
    const lost = (why: string): void => {
      if (worker !== w) return; // a thread stop() ended
      worker = undefined;
      onEvent?.({ type: 'recording.ship_failed', message: `the shipping thread ${why}`, error: new Error(why) });
      for (const [id, settle] of waiting) settle({ type: 'result', id, result: { shipped: 0, error: `the shipping thread ${why}` } });
      waiting.clear();
    };
    w.on('error', (e) => lost(`failed: ${e.message}`));
    w.on('exit', (code) => lost(`exited (code ${code})`));
    if (interval !== undefined) w.postMessage({ type: 'start', intervalMs: interval } satisfies ToShipThread);
    return w;
  };
  let worker: ReturnType<typeof spawn> | undefined = spawn();
  const thread = () => {
    worker ??= spawn();
    return worker;
  };
  const ask = (to: ReturnType<typeof spawn>, make: (id: number) => ToShipThread): Promise<FromShipThread> =>
    new Promise((resolve) => {
      const id = ++nextId;
      waiting.set(id, (m) => {
        waiting.delete(id);
        resolve(m);
      });
      to.postMessage(make(id));
    });

  return {
    async shipOnce() {
      const m = await ask(thread(), (id) => ({ type: 'once', id }));
      return m.type === 'result' ? m.result : { shipped: 0 };
    },
    kick() {
      const now = performance.now();
      if (stopped || now - lastKick < KICK_POST_GAP_MS) return;
      lastKick = now;
      thread().postMessage({ type: 'kick' } satisfies ToShipThread);
    },
    start(intervalMs = 1000) {
      stopped = false;
      interval = intervalMs;
      thread().postMessage({ type: 'start', intervalMs } satisfies ToShipThread);
    },
    async stop() {
      stopped = true;
      interval = undefined;
      const w = worker;
      if (w === undefined) return;
      // the round in progress ends and the store connection closes; then the thread goes
      await ask(w, (id) => ({ type: 'stop', id }));
      if (worker === w) worker = undefined;
      await w.terminate();
    },
  };
}
