// The local journal's contract (journal.ts implements it): how one is opened, what an append
// promises, and the journal's handle.

import type { RecordingUnavailableError } from './errors.js';
import type { ChainedRecord, RecordBody } from './types.js';

/** JournalOptions configure openJournal. */
export type JournalOptions = {
  /** dir holds the segments (created 0700 when missing). */
  readonly dir: string;
  /** id names the journal; default a random 12-hex id. An id with segments in dir continues after their last record. */
  readonly id?: string;
  /** segmentBytes is the size past which a new segment is started (default 16 MiB). */
  readonly segmentBytes?: number;
  /** fsync, when false, skips fdatasync (tests and throwaway gateways only; default true). */
  readonly fsync?: boolean;
  /** now is the clock records are stamped with (default the system clock). */
  readonly now?: () => Date;
  /** onCommit is called after each batch of records is written (the shipper's kick). */
  readonly onCommit?: () => void;
  /** datasync makes the file's data durable (default fdatasync(2)); tests replace it to order syncs. */
  readonly datasync?: (fd: number) => Promise<void>;
  /**
   * syncWithin (ms) bounds how long a written record may stay unsynced when nothing waits for its
   * sync (`sync: false` appends: outcomes, session ends, read-only queries' records): a sync starts
   * that long after such a write unless one starts sooner. Default: none (they wait for the next
   * sync something waits for).
   */
  readonly syncWithin?: number;
};

/**
 * AppendOptions: `sync: false` resolves once the line is written, not synced (it is synced with
 * the next group commit); `json` is the body's JSON text when the caller has it (it must be a
 * JSON text of the body: it is what is written and hashed), JSON.stringify(body) by default.
 */
export type AppendOptions = { readonly sync: boolean; readonly json?: string };

/** JournalStats count what a journal has done since it was opened. */
export type JournalStats = {
  readonly records: number;
  readonly bytes: number;
  readonly fsyncs: number;
  readonly writes: number;
  readonly segments: number;
};

/** Journal is an open journal. */
export type Journal = {
  /** id is the journal's name (the `journal` of its records). */
  readonly id: string;
  readonly dir: string;
  /** stats are live counters. */
  readonly stats: JournalStats;
  /** failed is the error that failed the journal (its cause names the file and the system error), once a write or sync failed. */
  readonly failed: RecordingUnavailableError | undefined;
  /** segment is the file name (in dir) of the segment being written, undefined before the first append. */
  readonly segment: string | undefined;
  /** append chains body as the next record and resolves with it once written and synced (or only written, `sync: false`). */
  append(body: RecordBody, opts?: AppendOptions): Promise<ChainedRecord>;
  /**
   * appendAhead chains body as the next record and resolves once it is written, with `synced`:
   * settled once the record is on disk (with the group's fdatasync), rejected with
   * RecordingUnavailableError when that fails. `json` is the body's text, as in AppendOptions.
   */
  appendAhead(body: RecordBody, json?: string): Promise<{ readonly record: ChainedRecord; readonly synced: Promise<void> }>;
  /**
   * notify chains body as the next record, as append and appendAhead do, and reports through
   * callbacks rather than promises (the recorder's path, a record per statement): `written` once
   * the record is written; then, when `synced` is given, `synced` once it is on disk. `failed` is
   * called instead when the journal cannot take, write or sync it (it may be called after
   * `written`, and more than once).
   */
  notify(body: RecordBody, json: string | undefined, callbacks: AppendCallbacks): void;
  /** flush resolves once every record appended so far is written and synced. */
  flush(): Promise<void>;
  /** close flushes and closes the segment; later appends reject with RecordingUnavailableError. */
  close(): Promise<void>;
};

/** AppendCallbacks are how Journal.notify reports (see there). */
export type AppendCallbacks = {
  readonly written: (record: ChainedRecord) => void;
  readonly synced?: () => void;
  readonly failed: (e: unknown) => void;
  /** lazy: `synced` need not come soon; the record waits for the next sync, however it starts (syncWithin at the latest). */
  readonly lazy?: boolean;
};
