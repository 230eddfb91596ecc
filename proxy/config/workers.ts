// Top-level key `workers` of opa.config.yaml: how many gateway processes `portcullis serve` runs
// on the one listen address (and admin address), each a whole gateway on the shared state store.
// Its type, default and validator.

import type { Section } from './section.js';

/** WorkersConfig is a number of worker processes, or `auto`: one per core the machine offers (os.availableParallelism). */
export type WorkersConfig = number | 'auto';

/** WORKERS_DEFAULT: one process, the gateway itself (no supervisor). */
export const WORKERS_DEFAULT: WorkersConfig = 1;

/** MAX_WORKERS bounds `workers`. */
export const MAX_WORKERS = 256;

/**
 * validateWorkers reads `workers`: an integer from 1 to MAX_WORKERS or `auto`. More than one
 * needs `state`: the workers share held statements, approvals, blocks and live control through
 * the state store, as separate gateways do (hasState says whether it is configured).
 */
export function validateWorkers(root: Section, hasState: boolean): WorkersConfig {
  const v = root.get('workers');
  if (v === undefined) return WORKERS_DEFAULT;
  const workers: WorkersConfig | undefined =
    v === 'auto' ? 'auto' : typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_WORKERS ? v : undefined;
  if (workers === undefined) {
    root.error('workers', `must be an integer from 1 to ${MAX_WORKERS} or auto, got ${JSON.stringify(v)}`);
    return WORKERS_DEFAULT;
  }
  if (workers !== 1 && !hasState)
    root.error(
      'workers',
      `${workers} needs \`state\`: the workers share held statements, approvals, blocks and live control through the state store (set state, or workers: 1)`,
    );
  return workers;
}
