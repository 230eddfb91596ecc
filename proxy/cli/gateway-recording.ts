// The gateway's recording, wired from `recording` of the config (docs/recording.md): the journal
// in `recording.dir`, the recorder the data plane records through, and, with a state store, the
// shipper (what an earlier run left unshipped goes first) and the hourly retention.

import type { GatewayConfig } from '../config/index.js';
import type { GatewayEvent } from '../events.js';
import type { JournalStatus } from '../metrics/index.js';

/** RETENTION_INTERVAL_MS is how often old records are pruned (`recording.retention`). */
const RETENTION_INTERVAL_MS = 3_600_000;

/** startRecording opens the journal, the shipper and the retention timer when `recording` is configured. */
export async function startRecording(
  config: GatewayConfig,
  state: import('../state/index.js').StateStore | undefined,
  events: { publish(e: GatewayEvent): void },
  shipLogin?: import('../recording/index.js').ShipperLogin,
): Promise<
  | {
      readonly ok: true;
      readonly recorder: import('../recording/index.js').Recorder | undefined;
      /** status is the journal's state (absent without `recording`). */
      readonly status?: () => JournalStatus;
      close(): Promise<void>;
    }
  | { readonly ok: false; readonly reason: string }
> {
  const rc = config.recording;
  if (rc === undefined) return { ok: true, recorder: undefined, close: async () => {} };
  const rec = await import('../recording/index.js');
  const problem = (message: string): void => events.publish({ type: 'recording.problem', message });
  let shipper: import('../recording/index.js').Shipper | undefined;
  let journal: import('../recording/index.js').Journal;
  // how far the store has this run's journal (the shipper reports each round)
  let shippedThrough = 0;
  try {
    journal = await rec.openJournal({ dir: rc.dir, fsync: rc.fsync, syncWithin: rc.syncIntervalMs, onCommit: () => shipper?.kick() });
  } catch (e) {
    return { ok: false, reason: `recording.dir: ${rc.dir} cannot be used for the journal (${e instanceof Error ? e.message : String(e)})` };
  }
  if (state !== undefined) {
    const onEvent = (e: import('../recording/index.js').ShipperEvent): void => {
      if (e.type !== 'recording.shipped') return problem(`shipping to the state store failed: ${e.message}`);
      if (e.journal === journal.id) shippedThrough = Math.max(shippedThrough, e.through);
      events.publish({ type: 'recording.shipped', journal: e.journal, records: e.records, through: e.through });
    };
    // on a thread of its own when the store's login can go there (reading back and inserting never
    // take the statements' event loop); on the event loop otherwise
    shipper =
      shipLogin !== undefined
        ? rec.startShipThread({ dir: rc.dir, login: shipLogin, onEvent })
        : rec.createShipper({ store: state, dir: rc.dir, onEvent });
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
  const recorder = rec.createJournalRecorder({ journal, onFailure: rc.onFailure, onProblem: problem, syncReads: rc.sync === 'all' });
  const withShipper = shipper !== undefined;
  return {
    ok: true,
    recorder,
    status: () => ({
      records: journal.stats.records,
      bytes: journal.stats.bytes,
      fsyncs: journal.stats.fsyncs,
      failed: journal.failed?.message,
      // a journal's seq counts its records from 1, so the records past `through` are the unshipped ones
      unshipped: withShipper ? Math.max(0, journal.stats.records - shippedThrough) : undefined,
    }),
    async close() {
      clearInterval(timer);
      await journal.flush().catch(() => undefined);
      await shipper?.stop();
      await journal.close().catch(() => undefined);
    },
  };
}
