// Conformance worker thread: loads the engine and the official OPA Wasm SDK once, then runs each
// CorpusCase it is sent (WorkerRequest) and posts its Outcome back (WorkerMessage). If the engine
// cannot be loaded, every case fails with that reason instead of the worker dying.

import { parentPort } from 'node:worker_threads';
import { runCase } from './run-case.js';
import type { EngineDeps, Outcome } from './run-case.js';
import type { CorpusCase } from './corpus.js';
import type { WorkerMessage, WorkerRequest } from './pool.js';

async function loadDeps(): Promise<EngineDeps | string> {
  try {
    const engine = await import('../../engine/index.js');
    const sdk = await import('@open-policy-agent/opa-wasm');
    return {
      buildQueryModule: engine.buildQueryModule as unknown as EngineDeps['buildQueryModule'],
      compile: engine.compile as unknown as EngineDeps['compile'],
      formatDiagnostic: engine.formatDiagnostic as unknown as EngineDeps['formatDiagnostic'],
      loadPolicy: (wasm) => sdk.loadPolicy(wasm, undefined, engine.sdkHostBuiltins()),
      isNativeBuiltin: engine.isNativeBuiltin,
    };
  } catch (e) {
    return `engine failed to load: ${e instanceof Error ? e.message : String(e)}`;
  }
}

const port = parentPort;
if (port) {
  const deps = await loadDeps();
  port.on('message', (req: WorkerRequest<CorpusCase>) => {
    const done = (outcome: Outcome) => port.postMessage({ type: 'result', id: req.id, result: outcome } satisfies WorkerMessage<Outcome>);
    if (typeof deps === 'string') return done({ status: 'fail', reason: deps.slice(0, 200) });
    void runCase(req.item, deps).then(done);
  });
  port.postMessage({ type: 'ready' } satisfies WorkerMessage<Outcome>);
}
