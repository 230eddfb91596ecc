// Several gateway processes on one listen address (`workers` in opa.config.yaml): the supervisor
// `serve` becomes (primary.ts), a worker's side of its channel (worker.ts), what each worker's
// configuration changes (per-worker files) and how many `auto` is. The only door.

import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import type { GatewayConfig, WorkersConfig } from '../config/index.js';

export { superviseWorkers } from './primary.js';
export type { SuperviseOptions } from './primary.js';
export { joinAsWorker } from './worker.js';
export type { WorkerLink } from './worker.js';
export { WORKER_ENV } from './messages.js';

/**
 * workerLine marks an operational log line as worker `index`'s: a JSON line (the operational log's
 * own, pino) gets a `worker` field first, so it stays one JSON object for a log shipper; any other
 * line a `[worker N] ` prefix.
 */
export function workerLine(line: string, index: number): string {
  if (line.startsWith('{"')) return `{"worker":${index},${line.slice(1)}`;
  return `[worker ${index}] ${line}`;
}

/** workerCount is how many worker processes `workers` asks for on this machine (`auto`: one per core offered). */
export function workerCount(workers: WorkersConfig): number {
  return workers === 'auto' ? Math.max(1, availableParallelism()) : workers;
}

/**
 * forWorker is the configuration worker `index` runs: the same, but for files a process writes
 * alone (the decision log file, which each worker rotates: `decisions.jsonl` → `decisions.w2.jsonl`).
 * The recording's journals already have one file set per process (their ids differ).
 */
export function forWorker(config: GatewayConfig, index: number): GatewayConfig {
  const file = config.decisionLogs.file;
  if (file === undefined) return config;
  const ext = extname(file.path);
  const path = `${file.path.slice(0, file.path.length - ext.length)}.w${index}${ext}`;
  return { ...config, decisionLogs: { ...config.decisionLogs, file: { ...file, path } } };
}
