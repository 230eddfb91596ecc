// The messages between runner.ts and worker.ts (structured-clone data only).

import type { InstrumentRecord, RegoTestCase, RegoTestOutcome } from '../../../engine/index.js';

/**
 * WorkerData is what a test worker starts with: the compiled test module, the data document as
 * JSON text, and whether the module is instrumented (then each result carries what it recorded).
 */
export type WorkerData = { readonly wasm: Uint8Array; readonly dataJson: string; readonly instrumented: boolean };

/** WorkerRequest asks the worker to run one case. */
export type WorkerRequest = { readonly index: number; readonly test: RegoTestCase };

/** WorkerReply is the worker's answer: loaded, could not load, or one case's outcome. */
export type WorkerReply =
  | { readonly kind: 'ready' }
  | { readonly kind: 'load-error'; readonly message: string }
  | {
      readonly kind: 'result';
      readonly index: number;
      readonly outcome: RegoTestOutcome;
      readonly output: readonly string[];
      readonly recorded?: InstrumentRecord;
    };
