// Section `recording` of opa.config.yaml: where the session recording's journal lives (recording
// is on when `dir` is set), what of the results is kept, how long records are kept, and what happens
// when the journal cannot be written. Its type, defaults and validator.

import { deepFreeze } from './section.js';
import type { Section } from './section.js';

/** RecordingConfig says where and how sessions are recorded. */
export type RecordingConfig = {
  /** dir is the journal directory (relative paths: against the config file's directory). */
  readonly dir: string;
  /** results: `digest` keeps a SHA-256 of what the agent saw; `capped` keeps the rows too, up to resultsCapBytes per statement. */
  readonly results: 'digest' | 'capped';
  readonly resultsCapBytes: number;
  /** retentionMs: older records are pruned (whole ranges, leaving a tombstone in the chain). */
  readonly retentionMs: number;
  /** onFailure: `refuse` new statements when the journal cannot be written (the default), or `continue` unrecorded. */
  readonly onFailure: 'refuse' | 'continue';
  /** fsync each group commit (turn off only to measure). */
  readonly fsync: boolean;
  /**
   * sync: `writes` (the default) holds a statement that can change anything until its record is
   * synced, and syncs the other records within syncIntervalMs; `all` also holds a read-only
   * query's answers until its record is synced.
   */
  readonly sync: 'writes' | 'all';
  /** syncIntervalMs bounds how long a written record nothing waits for stays unsynced (the background group commit). */
  readonly syncIntervalMs: number;
  /** shipIntervalMs is how often the journal is shipped to the state store. */
  readonly shipIntervalMs: number;
};

/** RECORDING_DEFAULTS are the defaults of `recording` (dir has none: recording is off without it). */
export const RECORDING_DEFAULTS = deepFreeze({
  results: 'digest' as const,
  resultsCapBytes: 64 * 1024,
  retentionMs: 30 * 24 * 3_600_000,
  onFailure: 'refuse' as const,
  fsync: true,
  sync: 'writes' as const,
  syncIntervalMs: 10,
  shipIntervalMs: 1_000,
});

/** validateRecording reads the optional `recording` section; undefined when absent (nothing is recorded). */
export function validateRecording(root: Section): RecordingConfig | undefined {
  const s = root.section('recording', false);
  if (s === undefined) return undefined;
  s.only(['dir', 'results', 'results_cap', 'retention', 'on_failure', 'fsync', 'sync', 'sync_interval', 'ship_interval']);
  const dir = s.string('dir', true);
  const results = s.string('results');
  if (results !== undefined && results !== 'digest' && results !== 'capped')
    s.error('results', `must be digest or capped, got "${results}"`);
  const onFailure = s.string('on_failure');
  if (onFailure !== undefined && onFailure !== 'refuse' && onFailure !== 'continue')
    s.error('on_failure', `must be refuse or continue, got "${onFailure}"`);
  const sync = s.string('sync');
  if (sync !== undefined && sync !== 'writes' && sync !== 'all') s.error('sync', `must be writes or all, got "${sync}"`);
  const config: RecordingConfig | undefined =
    dir === undefined
      ? undefined
      : {
          dir,
          results: results === 'capped' ? 'capped' : RECORDING_DEFAULTS.results,
          resultsCapBytes: s.size('results_cap', 1024, 64 * 1024 * 1024) ?? RECORDING_DEFAULTS.resultsCapBytes,
          retentionMs: s.duration('retention', 60_000) ?? RECORDING_DEFAULTS.retentionMs,
          onFailure: onFailure === 'continue' ? 'continue' : RECORDING_DEFAULTS.onFailure,
          fsync: s.boolean('fsync') ?? RECORDING_DEFAULTS.fsync,
          sync: sync === 'all' ? 'all' : RECORDING_DEFAULTS.sync,
          syncIntervalMs: s.duration('sync_interval', 1, 10_000) ?? RECORDING_DEFAULTS.syncIntervalMs,
          shipIntervalMs: s.duration('ship_interval', 10) ?? RECORDING_DEFAULTS.shipIntervalMs,
        };
  return config;
}
