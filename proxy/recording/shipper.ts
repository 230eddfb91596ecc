// The shipper copies the local journals into the shared state store (portcullis.recording_records).
// Each round, for each journal in the directory, it asks the store how far that journal is
// already there (its highest seq, or the end of a tombstone covering it) and inserts the later
// records in batches, ON CONFLICT DO NOTHING, so a record is stored exactly once however often
// rounds run or gateways restart. Errors end the round and are reported through onEvent; the next
// round tries again. The shipper never deletes anything (retention.ts does, once shipped).

import { messageOf } from '../errors.js';
import { listSegments, readShippableFrom } from './segments.js';

/** KICK_GAP_MS is the least time between the end of a shipping round and a round asked for by a commit. */
const KICK_GAP_MS = 100;
import type { SegmentFile, ShippableRecord } from './segments.js';

/** ShipperStore is what the shipper needs of the state store (a StateStore fits). */
export type ShipperStore = {
  query(sql: string, params?: readonly (string | null)[]): Promise<{ readonly rows: readonly (readonly (string | null)[])[] }>;
};

/** ShipperEvent is what the shipper reports: records shipped, or a round that failed (retried next round). */
export type ShipperEvent =
  | { readonly type: 'recording.shipped'; readonly journal: string; readonly records: number; readonly through: number }
  | { readonly type: 'recording.ship_failed'; readonly message: string; readonly error: unknown };

/** ShipperOptions configure createShipper. */
export type ShipperOptions = {
  readonly store: ShipperStore;
  /** dir is the journal directory. */
  readonly dir: string;
  readonly onEvent?: (event: ShipperEvent) => void;
  /** batchSize is how many records one INSERT carries (default 500). */
  readonly batchSize?: number;
};

/** ShipResult says how many records a round shipped, and why it stopped early when it failed. */
export type ShipResult = { readonly shipped: number; readonly error?: string };

/** Shipper ships journals to the store, once (shipOnce) or periodically (start). */
export type Shipper = {
  /** shipOnce runs one round (after any round in progress); never rejects. */
  shipOnce(): Promise<ShipResult>;
  /** start ships every intervalMs (default 1000) until stop. */
  start(intervalMs?: number): void;
  /** kick asks for a round soon (e.g. right after a group commit); rounds asked for meanwhile coalesce. */
  kick(): void;
  /** stop ends periodic shipping and waits for the round in progress. */
  stop(): Promise<void>;
};

/** SHIP_BATCH_DEFAULT is the number of records per INSERT. */
export const SHIP_BATCH_DEFAULT = 500;

/** SHIPPED_THROUGH_SQL is how far a journal is in the store: its highest seq, or the end of a tombstone covering it. */
export const SHIPPED_THROUGH_SQL = `SELECT GREATEST(
  (SELECT max(seq) FROM portcullis.recording_records WHERE journal = $1),
  (SELECT max((body->>'to_seq')::bigint) FROM portcullis.recording_records WHERE kind = 'tombstone' AND body->>'journal' = $1)
)::text`;

/**
 * INSERT_RECORDS_SQL inserts records given column by column as arrays (insertParams), skipping any
 * already there. The bodies come as one JSON array, its elements in the records' order: they are
 * JSON texts already, so nothing escapes them for an array literal and the store reads no escapes
 * (a record's body is most of its bytes). The body goes into a `json` column, which, like
 * json_array_elements over a `json` value, keeps its text as written: the text the record's hash
 * covers.
 */
export const INSERT_RECORDS_SQL = `INSERT INTO portcullis.recording_records (journal, seq, at, prev, hash, kind, session, statement, body)
SELECT r.journal, r.seq, r.at, r.prev, r.hash, r.kind, r.session, r.statement, b.body
FROM unnest($1::text[], $2::bigint[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[], $8::integer[])
  WITH ORDINALITY AS r(journal, seq, at, prev, hash, kind, session, statement, n)
JOIN json_array_elements($9::json) WITH ORDINALITY AS b(body, n) USING (n)
ON CONFLICT DO NOTHING`;

/** insertParams are INSERT_RECORDS_SQL's parameters for a batch of records. */
export function insertParams(records: readonly ShippableRecord[]): string[] {
  const column = (f: (r: ShippableRecord) => string | number | null): string => pgArray(records.map(f));
  return [
    column((r) => r.journal),
    column((r) => r.seq),
    column((r) => r.at),
    column((r) => r.prev),
    column((r) => r.hash),
    column((r) => r.kind),
    column((r) => r.session),
    column((r) => r.statement),
    `[${records.map((r) => r.bodyJson).join(',')}]`,
  ];
}

/** pgArray writes a PostgreSQL array literal of texts (numbers as their text; null as NULL). */
function pgArray(values: readonly (string | number | null)[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) out += ',';
    if (v === null || v === undefined) out += 'NULL';
    else if (typeof v === 'number') out += String(v);
    else out += `"${v.replace(/["\\]/g, '\\$&')}"`;
  }
  return `${out}}`;
}

/** shippedThrough is the highest seq of `journal` the store has (or covers by a tombstone); 0 for none. */
export async function shippedThrough(store: ShipperStore, journal: string): Promise<number> {
  const r = await store.query(SHIPPED_THROUGH_SQL, [journal]);
  const v = r.rows[0]?.[0];
  return v === null || v === undefined ? 0 : Number(v);
}

/** createShipper returns a shipper for the journals in dir. */
export function createShipper(options: ShipperOptions): Shipper {
  const { store, dir } = options;
  const batchSize = options.batchSize ?? SHIP_BATCH_DEFAULT;
  const emit = (e: ShipperEvent): void => {
    try {
      options.onEvent?.(e);
    } catch {
      // a listener's error is not the shipper's
    }
  };
  let tail: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let kicked: Promise<ShipResult> | undefined;
  /** known remembers, per journal, the seq the store has through (asked once) and how far each segment was read. */
  const known = new Map<string, { through: number; offsets: Map<string, number> }>();

  const shipJournal = async (journal: string, segments: readonly SegmentFile[]): Promise<number> => {
    let state = known.get(journal);
    if (state === undefined) {
      state = { through: await shippedThrough(store, journal), offsets: new Map() };
      known.set(journal, state);
    }
    let through = state.through;
    let shipped = 0;
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i] as SegmentFile;
      const next = segments[i + 1];
      if (next !== undefined && next.firstSeq - 1 <= through) continue; // fully shipped
      let records: ShippableRecord[];
      try {
        // only what was appended since the last read of this segment
        const read = await readShippableFrom(dir, seg.name, state.offsets.get(seg.name) ?? 0);
        state.offsets.set(seg.name, read.offset);
        records = read.records.filter((r) => r.seq > through);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue; // removed by retention meanwhile
        known.delete(journal);
        throw e;
      }
      for (let j = 0; j < records.length; j += batchSize) {
        const batch = records.slice(j, j + batchSize);
        try {
          await store.query(INSERT_RECORDS_SQL, insertParams(batch));
        } catch (e) {
          // start over from what the store has on the next round
          known.delete(journal);
          throw e;
        }
        shipped += batch.length;
        through = (batch.at(-1) as ShippableRecord).seq;
        state.through = through;
      }
    }
    if (shipped > 0) emit({ type: 'recording.shipped', journal, records: shipped, through });
    return shipped;
  };

  const round = async (): Promise<ShipResult> => {
    let shipped = 0;
    try {
      const byJournal = new Map<string, SegmentFile[]>();
      for (const seg of await listSegments(dir)) {
        const list = byJournal.get(seg.journal) ?? [];
        list.push(seg);
        byJournal.set(seg.journal, list);
      }
      for (const [journal, segments] of byJournal) shipped += await shipJournal(journal, segments);
      return { shipped };
    } catch (e) {
      const message = messageOf(e);
      emit({ type: 'recording.ship_failed', message, error: e });
      return { shipped, error: message };
    }
  };

  const shipOnce = (): Promise<ShipResult> => {
    const result = tail.then(round, round);
    tail = result;
    return result;
  };

  // at most one round runs and one waits: kicks meanwhile coalesce into the waiting one, which
  // starts KICK_GAP_MS after the running one ended (the journal, not the store, is what is durable)
  const kick = (): void => {
    if (kicked !== undefined) return;
    kicked = tail
      .then(() => new Promise<void>((r) => setTimeout(r, KICK_GAP_MS).unref()))
      .then(() => {
        kicked = undefined;
        return shipOnce();
      });
  };

  return {
    shipOnce,
    start(intervalMs = 1000) {
      if (timer !== undefined) return;
      timer = setInterval(kick, intervalMs);
      timer.unref();
    },
    kick,
    async stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      await kicked;
      await tail;
    },
  };
}
