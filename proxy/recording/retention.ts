// Retention: records older than the cutoff leave the store, and local segments holding only such
// records (already shipped) leave the disk. Only whole prefixes go: for each journal, [first
// remaining seq .. k] where k is its last record older than the cutoff. Each removal is first
// announced by a tombstone record appended to the current journal ({journal, from_seq, to_seq,
// last_hash, reason}) and shipped, then the rows are deleted, so the trail still verifies (the
// first remaining record links to last_hash) and the pruning itself is on the record. Tombstones
// inside a pruned range are carried forward (appended again), so what they cover stays covered.

import { readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Journal } from './journal.js';
import { listSegments, readSegment } from './segments.js';
import type { SegmentFile } from './segments.js';
import { createShipper, shippedThrough } from './shipper.js';
import type { ShipperStore } from './shipper.js';
import type { TombstoneBody } from './types.js';

/** PruneStore is what prune needs of the state store (a StateStore fits). */
export type PruneStore = ShipperStore & {
  transaction<T>(fn: (q: ShipperStore['query']) => Promise<T>): Promise<T>;
};

/** PruneOptions configure one prune. */
export type PruneOptions = {
  readonly store: PruneStore;
  /** dir is the journal directory (local segments are removed from it). */
  readonly dir: string;
  /** journal is the current journal: tombstones are appended to it, and its open segment is kept. */
  readonly journal: Journal;
  /** olderThanMs: records stamped before now - olderThanMs are removed. */
  readonly olderThanMs: number;
  /** now is the current time (default Date.now()). */
  readonly now?: number;
  /** reason goes into each tombstone (default `retention <days>d`). */
  readonly reason?: string;
};

/** PruneReport says what one prune removed. */
export type PruneReport = {
  /** tombstones are the ones appended (carried-forward ones included). */
  readonly tombstones: readonly TombstoneBody[];
  readonly deletedRecords: number;
  /** deletedSegments are the local segment file names removed. */
  readonly deletedSegments: readonly string[];
};

/** retentionReason is the default tombstone reason for a retention of ms milliseconds. */
export function retentionReason(ms: number): string {
  const days = ms / 86_400_000;
  return Number.isInteger(days) ? `retention ${days}d` : `retention ${ms}ms`;
}

/**
 * prune removes the records older than the cutoff from the store and the local segments holding
 * only such records. It ships first (so nothing unshipped is lost) and rejects when shipping or
 * the store fails (nothing is deleted then).
 */
export async function prune(options: PruneOptions): Promise<PruneReport> {
  const { store, dir, journal } = options;
  const cutoff = new Date((options.now ?? Date.now()) - options.olderThanMs).toISOString();
  const reason = options.reason ?? retentionReason(options.olderThanMs);
  const shipper = createShipper({ store, dir });
  const ship = async (): Promise<void> => {
    const r = await shipper.shipOnce();
    if (r.error !== undefined) throw new Error(`prune: shipping failed: ${r.error}`);
  };
  await ship();

  const ranges = await store.query(
    `SELECT journal, min(seq)::text, (max(seq) FILTER (WHERE at < $1::timestamptz))::text
     FROM portcullis.recording_records GROUP BY journal
     HAVING max(seq) FILTER (WHERE at < $1::timestamptz) IS NOT NULL ORDER BY journal`,
    [cutoff],
  );
  const tombstones: TombstoneBody[] = [];
  const deletions: { journal: string; to: number }[] = [];
  for (const [name, fromSeq, toSeq] of ranges.rows) {
    const j = name ?? '';
    const from = fromSeq ?? '0';
    const to = toSeq ?? '0';
    const last = await store.query('SELECT hash FROM portcullis.recording_records WHERE journal = $1 AND seq = $2::bigint', [j, to]);
    const carried = await store.query(
      `SELECT body::text FROM portcullis.recording_records WHERE journal = $1 AND seq <= $2::bigint AND kind = 'tombstone' ORDER BY seq`,
      [j, to],
    );
    for (const [body] of carried.rows) {
      const t = JSON.parse(body ?? '{}') as TombstoneBody;
      tombstones.push({ ...t, reason: `${t.reason} (carried forward)` });
    }
    tombstones.push({
      kind: 'tombstone',
      journal: j,
      from_seq: Number(from),
      to_seq: Number(to),
      last_hash: last.rows[0]?.[0] ?? '',
      reason,
    });
    deletions.push({ journal: j, to: Number(to) });
  }
  const merged = mergeTombstones(tombstones);
  if (merged.length > 0) {
    for (const t of merged) await journal.append(t, { sync: false });
    await journal.flush();
    await ship();
  }
  let deletedRecords = 0;
  await store.transaction(async (q) => {
    for (const d of deletions) {
      const r = await q(
        'WITH d AS (DELETE FROM portcullis.recording_records WHERE journal = $1 AND seq <= $2::bigint RETURNING 1) SELECT count(*)::text FROM d',
        [d.journal, String(d.to)],
      );
      deletedRecords += Number(r.rows[0]?.[0] ?? 0);
    }
  });
  const deletedSegments = await pruneSegments(store, dir, journal);
  return { tombstones: merged, deletedRecords, deletedSegments };
}

/**
 * mergeTombstones joins the tombstones of one journal whose ranges touch or overlap into one (the
 * hash of the one reaching furthest, the newest reason), so carried-forward tombstones do not pile
 * up prune after prune: a journal keeps at most one tombstone per gap, whatever the retention's age.
 */
export function mergeTombstones(list: readonly TombstoneBody[]): TombstoneBody[] {
  const byJournal = new Map<string, TombstoneBody[]>();
  for (const t of list) {
    const mine = byJournal.get(t.journal);
    if (mine === undefined) byJournal.set(t.journal, [t]);
    else mine.push(t);
  }
  const out: TombstoneBody[] = [];
  for (const ts of byJournal.values()) {
    const sorted = [...ts].sort((a, b) => a.from_seq - b.from_seq || a.to_seq - b.to_seq);
    let cur = sorted[0] as TombstoneBody;
    for (const t of sorted.slice(1)) {
      if (t.from_seq > cur.to_seq + 1) {
        out.push(cur);
        cur = t;
        continue;
      }
      const further = t.to_seq > cur.to_seq ? t : cur;
      const newest = t.reason.endsWith('(carried forward)') ? cur : t;
      cur = { ...cur, to_seq: further.to_seq, last_hash: further.last_hash, reason: newest.reason };
    }
    out.push(cur);
  }
  return out;
}

/** pruneSegments removes local segments whose records the store no longer needs (all at or below how far the store covers the journal). */
async function pruneSegments(store: ShipperStore, dir: string, journal: Journal): Promise<string[]> {
  const byJournal = new Map<string, SegmentFile[]>();
  for (const seg of await listSegments(dir)) byJournal.set(seg.journal, [...(byJournal.get(seg.journal) ?? []), seg]);
  const deleted: string[] = [];
  for (const [j, segs] of byJournal) {
    // pruned through: the highest seq a tombstone covers (rows still in the store are kept locally too)
    const covered = await store.query(
      `SELECT max((body->>'to_seq')::bigint)::text FROM portcullis.recording_records WHERE kind = 'tombstone' AND body->>'journal' = $1`,
      [j],
    );
    const through = Number(covered.rows[0]?.[0] ?? 0);
    if (through === 0 || (await shippedThrough(store, j)) < through) continue;
    for (let i = 0; i < segs.length; i++) {
      const seg = segs[i] as SegmentFile;
      if (j === journal.id && seg.name === journal.segment) continue;
      const next = segs[i + 1];
      const lastSeq = next !== undefined ? next.firstSeq - 1 : ((await readSegment(dir, seg.name)).at(-1)?.seq ?? Number.POSITIVE_INFINITY);
      if (lastSeq > through) continue;
      await unlink(join(dir, seg.name)).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT') throw e;
      });
      deleted.push(seg.name);
    }
  }
  // a directory listing after the fact keeps the report honest when another prune raced this one
  const left = new Set(await readdir(dir));
  return deleted.filter((n) => !left.has(n));
}
