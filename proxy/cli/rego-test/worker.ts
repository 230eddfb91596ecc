// The worker thread that runs Rego test cases for runner.ts: loads the compiled test module once
// (workerData: wasm bytes, data as JSON text), then answers each `{ index, test }` message with
// the case's outcome and what it printed. A runaway case is stopped by terminating this thread.

import { parentPort, workerData } from 'node:worker_threads';
import { createInstrumentRecorder, loadPolicy, runRegoTestCase } from '../../../engine/index.js';
import type { RegoTestCase } from '../../../engine/index.js';
import type { WorkerData, WorkerReply, WorkerRequest } from './protocol.js';

const port = parentPort;
if (port === null) throw new Error('rego-test worker started outside a worker thread');
const init = workerData as WorkerData;
let printed: string[] = [];
const recorder = createInstrumentRecorder();

loadPolicy(init.wasm, { onPrint: (line) => printed.push(line), hostBuiltins: recorder.hostBuiltins })
  .then((policy) => {
    policy.setDataRaw(init.dataJson);
    port.on('message', (msg: WorkerRequest) => {
      printed = [];
      const outcome = runRegoTestCase(policy, msg.test as RegoTestCase);
      const recorded = recorder.take();
      const reply: WorkerReply = { kind: 'result', index: msg.index, outcome, output: printed, ...(init.instrumented ? { recorded } : {}) };
      port.postMessage(reply);
    });
    port.postMessage({ kind: 'ready' } satisfies WorkerReply);
  })
  .catch((err: unknown) => {
    port.postMessage({ kind: 'load-error', message: err instanceof Error ? err.message : String(err) } satisfies WorkerReply);
  });
