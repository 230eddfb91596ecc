// The worker thread that compiles policy directories for a reload (source.ts): Rego compilation
// takes a CPU for a good part of a second, which on the event loop would hold every statement.
// One job per worker: { paths, entrypoints } in, { ok, bundle } or { ok: false, reasons } out.

import { parentPort } from 'node:worker_threads';
import { compilePaths } from './paths.js';

parentPort?.once('message', (job: { paths: string[]; entrypoints: string[] }) => {
  compilePaths(job.paths, job.entrypoints).then(
    (result) => parentPort?.postMessage(result),
    (e: unknown) => parentPort?.postMessage({ ok: false, reasons: [`policy: ${e instanceof Error ? e.message : String(e)}`] }),
  );
});
