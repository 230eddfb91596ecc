// The gateway's recording, wired from `recording` of the config (docs/recording.md): the journal
// in `recording.dir`, the recorder the data plane records through, and, with a state store, the
// shipper (what an earlier run left unshipped goes first) and the hourly retention.

import type { GatewayConfig } from '../config/index.js';
import type { GatewayEvent } from '../events.js';

/** RETENTION_INTERVAL_MS is how often old records are pruned (`recording.retention`). */
const RETENTION_INTERVAL_MS = 3_600_000;

/** startRecording opens the journal, the shipper and the retention timer when `recording` is configured. */
export async function startRecording(
  config: GatewayConfig,
  state: import('../state/index.js').StateStore | undefined,
  events: { publish(e: GatewayEvent): void },
): Promise<
  | { readonly ok: true; readonly recorder: import('../recording/index.js').Recorder | undefined; close(): Promise<void> }
  | { readonly ok: false; readonly reason: string }
> {
  const rc = config.recording;
  if (rc === undefined) return { ok: true, recorder: undefined, close: async () => {} };
  const rec = await import('../recording/index.js');
  const problem = (message: string): void => events.publish({ type: 'recording.problem', message });
  let shipper: import('../recording/index.js').Shipper | undefined;
  let journal: import('../recording/index.js').Journal;
  try {
    journal = await rec.openJournal({ dir: rc.dir, fsync: rc.fsync, onCommit: () => shipper?.kick() });
  } catch (e) {
    return { ok: false, reason: `recording.dir: ${rc.dir} cannot be used for the journal (${e instanceof Error ? e.message : String(e)})` };
  }
  if (state !== undefined) {
    shipper = rec.createShipper({
      store: state,
      dir: rc.dir,
      onEvent: (e) =>
        e.type === 'recording.shipped'
          ? events.publish({ type: 'recording.shipped', journal: e.journal, records: e.records, through: e.through })
          : problem(`shipping to the state store failed: ${e.message}`),
    });
    // what an earlier run left unshipped (a crash) goes first
    await shipper.shipOnce();
    shipper.start(rc.shipIntervalMs);
  }
  const prune = (): void => {
    if (state === undefined) return;
    void rec
      .prune({ store: state, dir: rc.dir, journal, olderThanMs: rc.retentionMs, reason: rec.retentionReason(rc.retentionMs) })
      .catch((e: unknown) => problem(`pruning old records failed: ${e instanceof Error ? e.message : String(e)}`));
  };
  const timer = setInterval(prune, RETENTION_INTERVAL_MS);
  timer.unref();
  const recorder = rec.createJournalRecorder({ journal, onFailure: rc.onFailure, onProblem: problem });
  return {
    ok: true,
    recorder,
    async close() {
      clearInterval(timer);
      await journal.flush().catch(() => undefined);
      await shipper?.stop();
      await journal.close().catch(() => undefined);
    },
  };
}
