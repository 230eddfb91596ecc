// Runs prepared Rego test cases under a per-case time limit, like `opa test --timeout`. The tests
// run as Wasm in this process, and a Wasm call cannot be interrupted from its own thread, so the
// cases run one at a time in a worker thread: a case that exceeds the limit is reported as an
// error (eval_cancel_error), the worker is terminated and a fresh one carries on with the next case.

import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../../threads/index.js';
import { skippedResult } from '../../../engine/index.js';
import type { PreparedRegoTests, RegoTestCase, RegoTestResult } from '../../../engine/index.js';
import type { WorkerData, WorkerReply, WorkerRequest } from './protocol.js';

/** RunCasesOptions configures runCases. */
export type RunCasesOptions = {
  /** dataJson is the data document as JSON text. */
  readonly dataJson: string;
  /** timeoutMs bounds each case (OPA's default is 5 s). */
  readonly timeoutMs: number;
  /** instrumented: the module was prepared with coverage or explain; results carry what they recorded. */
  readonly instrumented?: boolean;
};

/** TIMEOUT_CODE is the error code of a case stopped at the time limit (OPA reports a cancelled query so). */
export const TIMEOUT_CODE = 'eval_cancel_error';

type Live = { readonly worker: Worker; readonly replies: WorkerReply[]; wake?: () => void; failure?: string };

/** runCases runs every case of `prepared` (skipped ones reported as such) and returns results in case order. */
export async function runCases(prepared: PreparedRegoTests, opts: RunCasesOptions): Promise<RegoTestResult[]> {
  const results: RegoTestResult[] = [];
  const wasm = prepared.wasm;
  let live: Live | undefined;
  let loadError: string | undefined;
  try {
    for (const [index, test] of prepared.cases.entries()) {
      if (test.skipped) {
        results.push(skippedResult(test));
        continue;
      }
      if (wasm === undefined || loadError !== undefined) {
        results.push(errorResult(test, `cannot load the compiled tests: ${loadError ?? 'no module'}`, 'eval_internal_error'));
        continue;
      }
      if (live === undefined) {
        const started = await start({ wasm, dataJson: opts.dataJson, instrumented: opts.instrumented === true });
        if (typeof started === 'string') {
          loadError = started;
          results.push(errorResult(test, `cannot load the compiled tests: ${loadError}`, 'eval_internal_error'));
          continue;
        }
        live = started;
      }
      const reply = await runOne(live, { index, test }, opts.timeoutMs);
      if (reply.kind === 'result') {
        results.push({ ...test, ...reply.outcome, output: reply.output, ...(reply.recorded ? { recorded: reply.recorded } : {}) });
        continue;
      }
      const stopped = reply.kind === 'crash' || reply.kind === 'load-error' ? reply.message : 'unexpected reply';
      // Timed out or crashed: this worker is done; the next case gets a fresh one.
      await live.worker.terminate();
      live = undefined;
      results.push(
        reply.kind === 'timeout'
          ? { ...errorResult(test, `test timed out after ${formatMs(opts.timeoutMs)}`, TIMEOUT_CODE), durationMs: opts.timeoutMs }
          : errorResult(test, `the test worker stopped: ${stopped}`, 'eval_internal_error'),
      );
    }
  } finally {
    if (live !== undefined) await live.worker.terminate();
  }
  return results;
}

function errorResult(test: RegoTestCase, error: string, errorCode: string): RegoTestResult {
  return { ...test, passed: false, error, errorCode, output: [], durationMs: 0 };
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** start launches a worker and waits until it has loaded the module (or says why it could not). */
async function start(data: WorkerData): Promise<Live | string> {
  const live: Live = { worker: startWorker(data), replies: [] };
  live.worker.on('message', (m: WorkerReply) => {
    live.replies.push(m);
    live.wake?.();
  });
  live.worker.on('error', (err) => {
    live.failure = err.message;
    live.wake?.();
  });
  live.worker.on('exit', (code) => {
    live.failure ??= `exited with code ${code}`;
    live.wake?.();
  });
  const first = await next(live, undefined);
  if (first.kind === 'ready') return live;
  await live.worker.terminate();
  return first.kind === 'load-error' || first.kind === 'crash' ? first.message : 'unexpected reply';
}

type Awaited = WorkerReply | { readonly kind: 'timeout' } | { readonly kind: 'crash'; readonly message: string };

/** next resolves with the worker's next reply, its failure, or a timeout after `ms` (undefined: no limit). */
function next(live: Live, ms: number | undefined): Promise<Awaited> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const check = () => {
      const reply = live.replies.shift();
      const done = (v: Awaited) => {
        if (timer !== undefined) clearTimeout(timer);
        live.wake = undefined;
        resolve(v);
      };
      if (reply !== undefined) done(reply);
      else if (live.failure !== undefined) done({ kind: 'crash', message: live.failure });
    };
    live.wake = check;
    if (ms !== undefined) {
      timer = setTimeout(() => {
        live.wake = undefined;
        resolve({ kind: 'timeout' });
      }, ms);
    }
    check();
  });
}

async function runOne(live: Live, req: WorkerRequest, timeoutMs: number): Promise<Awaited> {
  live.worker.postMessage(req);
  return next(live, timeoutMs);
}

/** startWorker starts worker.ts (the .ts file under tsx, the .js file once compiled). */
function startWorker(workerData: WorkerData): Worker {
  return startModuleWorker(import.meta.url, './worker', { workerData });
}
