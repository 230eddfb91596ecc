// Conformance worker thread: loads the engine and the host it was started for (workerData
// `{ host }`: our loader by default, or the official OPA Wasm SDK) once, then runs each
// CorpusCase it is sent (WorkerRequest) and posts its Outcome back (WorkerMessage). If the engine
// cannot be loaded, every case fails with that reason instead of the worker dying.

import { parentPort, workerData } from 'node:worker_threads';
import { runCase } from './run-case.js';
import type { EngineDeps, HostName, Outcome, PolicyLike } from './run-case.js';
import type { CorpusCase } from './corpus.js';
import type { WorkerMessage, WorkerRequest } from './pool.js';
import type { PolicyInstance } from '../../engine/index.js';

/** loaderPolicyLike presents our loader's instance through the harness's JSON-bytes calls (numbers stay exact). */
function loaderPolicyLike(p: PolicyInstance): PolicyLike {
  return {
    setData: (data) => p.setDataRaw(new Uint8Array(data)),
    evaluate: (input, entrypoint) =>
      JSON.parse(p.evaluateRaw(input === undefined ? undefined : new Uint8Array(input), entrypoint)) as unknown,
  };
}

async function loadDeps(host: HostName): Promise<EngineDeps | string> {
  try {
    const engine = await import('../../engine/index.js');
    const sdk = await import('@open-policy-agent/opa-wasm');
    const loadPolicy: EngineDeps['loadPolicy'] =
      host === 'sdk'
        ? (wasm) => sdk.loadPolicy(wasm, undefined, engine.sdkHostBuiltins())
        : async (wasm) => loaderPolicyLike(await engine.loadPolicy(wasm));
    return {
      buildQueryModule: engine.buildQueryModule as unknown as EngineDeps['buildQueryModule'],
      compile: engine.compile as unknown as EngineDeps['compile'],
      formatDiagnostic: engine.formatDiagnostic as unknown as EngineDeps['formatDiagnostic'],
      loadPolicy,
      isNativeBuiltin: engine.isNativeBuiltin,
    };
  } catch (e) {
    return `engine failed to load: ${e instanceof Error ? e.message : String(e)}`;
  }
}

const port = parentPort;
if (port) {
  const host: HostName = (workerData as { host?: HostName } | undefined)?.host ?? 'loader';
  const deps = await loadDeps(host);
  port.on('message', (req: WorkerRequest<CorpusCase>) => {
    const done = (outcome: Outcome) => port.postMessage({ type: 'result', id: req.id, result: outcome } satisfies WorkerMessage<Outcome>);
    if (typeof deps === 'string') return done({ status: 'fail', reason: deps.slice(0, 200) });
    void runCase(req.item, deps).then(done);
  });
  port.postMessage({ type: 'ready' } satisfies WorkerMessage<Outcome>);
}
