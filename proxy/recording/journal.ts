// The local journal: records are chained (chain.ts's hash, taken as each line is encoded: lines.ts)
// in the order they are appended and written as JSON lines to segment files (segments.ts) in one
// directory. Appends made in the same tick go out together as one write; an fdatasync starts as
// soon as written records wait for one (up to two in flight), each covering everything written
// before it began (group commit), and writing never waits for a sync. Records nobody waits to see
// synced are synced within `syncWithin` of their write (a background group commit).
// Each append resolves once its line is on disk (or, with `sync: false`, once written;
// appendAhead: once written, with a promise for the sync). A failed write or sync fails the
// journal for good: every pending and later append rejects with RecordingUnavailableError.

import { randomBytes } from 'node:crypto';
import { fdatasync, writeSync } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { LineBuffer, appendLine } from './lines.js';
import { SEGMENT_PATTERN, ZERO_AHEAD, listSegments, readSegment, segmentName, syncDir } from './segments.js';
import type { SegmentFile } from './segments.js';
import { RecordingUnavailableError } from './errors.js';
import type { ChainedRecord, RecordBody } from './types.js';
import type { Journal, JournalOptions } from './journal-types.js';

export type { AppendCallbacks, AppendOptions, Journal, JournalOptions, JournalStats } from './journal-types.js';

/** SEGMENT_BYTES_DEFAULT is the size past which a journal starts a new segment (16 MiB). */
export const SEGMENT_BYTES_DEFAULT = 16 * 1024 * 1024;

/** datasync is fdatasync(2) through the callback API: about a tenth less CPU per synced statement than FileHandle#datasync's promise machinery (measured with 8 writers). */
function datasync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fdatasync(fd, (e) => (e ? reject(e) : resolve())));
}

/**
 * MAX_SYNCS is how many fdatasyncs may be in flight at once. Under load a sync's completion waits
 * for the event loop's turn; with a second one started as soon as records are written, those
 * records wait for about one sync rather than the rest of one and all of the next.
 */
const MAX_SYNCS = 2;

/** ZEROS is what zeroAhead writes (never written to: shared by every journal). */
const ZEROS = Buffer.alloc(ZERO_AHEAD);

/** ZERO_GAP is the least room left between the data and zeros started for it. */
const ZERO_GAP = 64 * 1024;

type Pending = {
  readonly record: ChainedRecord;
  /** end is where its line ends in its batch's LineBuffer (it starts where the one before ends). */
  readonly end: number;
  /** sync: resolve once synced; otherwise once written (and `synced`, when set, once synced). */
  readonly sync: boolean;
  readonly resolve: (r: ChainedRecord) => void;
  readonly reject: (e: unknown) => void;
  readonly synced?: { readonly resolve: () => void; readonly reject: (e: unknown) => void };
  /** lazy: `synced` waits for whichever sync comes next rather than starting one (AppendCallbacks.lazy). */
  readonly lazy?: boolean;
};

/** openJournal opens a journal in dir (continuing an existing one when `id` names it). */
export async function openJournal(options: JournalOptions): Promise<Journal> {
  const { dir } = options;
  const id = options.id ?? randomBytes(6).toString('hex');
  if (!SEGMENT_PATTERN.test(segmentName(id, 1))) throw new TypeError(`openJournal: journal id ${JSON.stringify(id)} is not [A-Za-z0-9_.]+`);
  const segmentBytes = options.segmentBytes ?? SEGMENT_BYTES_DEFAULT;
  const fsync = options.fsync ?? true;
  const now = options.now ?? (() => new Date());
  const syncData = options.datasync ?? datasync;
  await mkdir(dir, { recursive: true, mode: 0o700 });

  // continue after the last record of an existing journal of this id, in a new segment
  let seq = 0;
  let prev = '';
  const existing = (await listSegments(dir)).filter((s) => s.journal === id);
  for (let i = existing.length - 1; i >= 0 && seq === 0; i--) {
    const last = (await readSegment(dir, (existing[i] as SegmentFile).name)).at(-1);
    if (last !== undefined) {
      seq = last.seq;
      prev = last.hash;
    }
  }

  const stats = { records: 0, bytes: 0, fsyncs: 0, writes: 0, segments: 0 };
  let failed: RecordingUnavailableError | undefined;
  let closed = false;
  let fh: FileHandle | undefined;
  let segment: string | undefined;
  let segmentSize = 0;
  let dirty = false; // written since the last sync began
  let queue: Pending[] = []; // appended, not yet written
  let lines = new LineBuffer(); // the lines of `queue`
  let spare: LineBuffer | undefined; // a written batch's buffer, for the next
  let unsynced: Pending[] = []; // written, waiting for a sync that began after their write
  let later: Pending[] = []; // written, lazily waiting for one (syncWithin)
  let running: Promise<void> | undefined; // the writer
  const syncs = new Set<Promise<void>>(); // the fdatasyncs in flight (at most MAX_SYNCS)
  let zeroEnd = 0; // the segment is zero-filled (and synced) up to here
  let zeroing: { readonly from: number; readonly done: Promise<void> } | undefined; // zeros being written at [from, from + ZERO_AHEAD)
  let lazy: NodeJS.Timeout | null | undefined; // the background sync (syncWithin): armed, due (null) or none

  const fail = (cause: unknown): RecordingUnavailableError => {
    if (failed !== undefined) return failed;
    failed = new RecordingUnavailableError({ cause });
    // records lazily waiting for a sync learn of it now: no sync may ever start for them
    const waiting = later;
    later = [];
    rejectAll(waiting, failed);
    return failed;
  };

  const rejectAll = (list: readonly Pending[], err: unknown): void => {
    for (const p of list) {
      p.reject(err);
      p.synced?.reject(err);
    }
  };

  /** attempt runs a step (a write or a sync) for a group of appends; a failed journal, or a step that fails it, rejects them all. */
  const attempt = async (group: readonly Pending[], step: () => Promise<void>): Promise<boolean> => {
    if (failed !== undefined) {
      rejectAll(group, failed);
      return false;
    }
    try {
      await step();
      return true;
    } catch (e) {
      rejectAll(group, fail(e));
      return false;
    }
  };

  /** syncFile makes everything written so far durable (what is written meanwhile waits for the next one). */
  const syncFile = async (): Promise<void> => {
    if (fh === undefined || !dirty) return;
    dirty = false;
    if (fsync) {
      await syncData(fh.fd);
      stats.fsyncs++;
    }
  };

  /** zeroAhead starts filling the next ZERO_AHEAD bytes past the data with zeros when the data comes near the zeroed end. */
  const zeroAhead = (): void => {
    const handle = fh;
    if (!fsync || handle === undefined || zeroing !== undefined || zeroEnd - segmentSize > ZERO_AHEAD / 2) return;
    // a little past the data, so a new segment's first records need not wait for the zeros
    const from = Math.max(zeroEnd, segmentSize + ZERO_GAP);
    const done = (async () => {
      try {
        await handle.write(ZEROS, 0, ZERO_AHEAD, from);
        await handle.datasync();
        if (handle === fh) zeroEnd = from + ZERO_AHEAD;
      } catch {
        // only an optimisation: the data's own writes and syncs report real failures
      } finally {
        zeroing = undefined;
      }
    })();
    zeroing = { from, done };
  };

  const startSegment = async (firstSeq: number): Promise<void> => {
    if (fh !== undefined) {
      // the old segment is synced before it is closed (neither the syncer nor the zeros may be using it)
      while (syncs.size > 0 || zeroing !== undefined) {
        if (syncs.size > 0) await Promise.all(syncs);
        if (zeroing !== undefined) await zeroing.done;
      }
      await syncFile();
      await fh.close();
      fh = undefined;
    }
    segment = segmentName(id, firstSeq);
    // a file of this name can only hold a torn start of this very segment (no whole record): it is replaced
    fh = await open(join(dir, segment), 'w+', 0o600);
    segmentSize = 0;
    zeroEnd = 0;
    stats.segments++;
    if (fsync) await syncDir(dir);
    zeroAhead();
  };

  // a group's lines go out in one write(2) on the event loop's thread: a write into the page cache
  // takes microseconds, less than a round trip through the thread pool; the fdatasync, which
  // waits for the disk, stays in the pool (syncFile)
  const writeAll = (buf: Buffer): void => {
    const fd = (fh as FileHandle).fd;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off, segmentSize + off);
    stats.writes++;
    stats.bytes += buf.length;
    segmentSize += buf.length;
    dirty = true;
  };

  /** writeChunk writes lines at the end of the data, then keeps zeros ahead of it. */
  const writeChunk = async (chunk: Buffer): Promise<void> => {
    if (chunk.length === 0) return;
    // data never goes where zeros are still being written: they would land on it
    if (zeroing !== undefined && segmentSize + chunk.length > zeroing.from) await zeroing.done;
    writeAll(chunk);
    zeroAhead();
  };

  /** writeBatch writes one batch, its lines in `buf` (rotating where a segment would exceed segmentBytes). */
  const writeBatch = async (batch: readonly Pending[], buf: Buffer): Promise<void> => {
    let from = 0; // the chunk being gathered starts here in buf
    let end = 0;
    for (const p of batch) {
      const chunkBytes = end - from;
      const full = segmentSize + chunkBytes > 0 && segmentSize + p.end - from > segmentBytes;
      if (fh === undefined || full) {
        await writeChunk(buf.subarray(from, end));
        from = end;
        await startSegment(p.record.seq);
      }
      end = p.end;
    }
    await writeChunk(buf.subarray(from, end));
    stats.records += batch.length;
  };

  /**
   * startSyncs starts an fdatasync for the records written and waiting, unless MAX_SYNCS are in
   * flight: each sync covers every record written before it began (a group commit), so a record
   * written while one runs need not wait for it to end and another to run after it; with the
   * most in flight, it waits for the first to end. Writing never waits for a sync.
   */
  const startSyncs = (): void => {
    if (lazy === null && !dirty) lazy = undefined; // a sync already covered what it was due for
    while ((unsynced.length > 0 || (lazy === null && dirty)) && syncs.size < MAX_SYNCS) {
      if (lazy === null) lazy = undefined; // this sync covers what the background sync was due for
      const group = later.length === 0 ? unsynced : unsynced.concat(later);
      unsynced = [];
      later = [];
      const done: Promise<void> = (async () => {
        if (!(await attempt(group, syncFile))) return;
        for (const p of group) {
          if (p.sync) p.resolve(p.record);
          else p.synced?.resolve();
        }
      })().finally(() => {
        syncs.delete(done);
        startSyncs();
      });
      syncs.add(done);
    }
  };

  /**
   * syncLater arms the background sync (syncWithin) for records written with nothing waiting for
   * their sync: when it fires, a sync starts if something written is still not covered by one
   * (when MAX_SYNCS are in flight, the next to end starts it).
   */
  const syncLater = (): void => {
    const within = options.syncWithin;
    if (within === undefined || !fsync || lazy !== undefined) return;
    lazy = setTimeout(() => {
      lazy = null;
      if (!dirty || closed) lazy = undefined;
      else startSyncs();
    }, within);
    lazy.unref();
  };

  /** drain writes what was appended, a batch per turn of the event loop, and hands what waits for a sync to the syncer. */
  const drain = async (): Promise<void> => {
    // let the appends of this tick join the first batch
    await new Promise<void>((r) => setImmediate(r));
    while (queue.length > 0) {
      const batch = queue;
      const written = lines;
      queue = [];
      lines = spare ?? new LineBuffer();
      spare = undefined;
      const ok = await attempt(batch, () => writeBatch(batch, written.buf));
      if (written.reusable()) spare = written;
      if (!ok) continue;
      let waits = false;
      for (const p of batch) {
        if (!p.sync) p.resolve(p.record);
        if (p.sync || (p.synced !== undefined && p.lazy !== true)) {
          unsynced.push(p);
          waits = true;
        } else if (p.synced !== undefined) {
          // without fsync there is no sync to wait for: written is as far as it goes
          if (fsync) later.push(p);
          else p.synced.resolve();
        }
      }
      if (waits) startSyncs();
      else syncLater();
      options.onCommit?.();
    }
    running = undefined;
  };

  /** syncRest syncs what is written and settles the records lazily waiting for a sync (flush, close). */
  const syncRest = async (): Promise<void> => {
    const group = later;
    later = [];
    try {
      await syncFile();
    } catch (e) {
      const err = fail(e);
      rejectAll(group, err);
      throw err;
    }
    for (const p of group) p.synced?.resolve();
  };

  /** settled waits until nothing is being written or synced. */
  const settled = async (): Promise<void> => {
    while (running !== undefined || syncs.size > 0) {
      if (running !== undefined) await running;
      if (syncs.size > 0) await Promise.all(syncs);
    }
  };

  // records of one millisecond share one ISO text (hundreds of records a millisecond under load)
  let lastMs = Number.NaN;
  let lastIso = '';
  const timestamp = (): string => {
    const d = now();
    const ms = d.getTime();
    if (ms !== lastMs) {
      lastMs = ms;
      lastIso = d.toISOString();
    }
    return lastIso;
  };

  /** refusal is why nothing more can be appended, if so. */
  const refusal = (): RecordingUnavailableError | undefined =>
    failed ?? (closed ? new RecordingUnavailableError({ cause: new Error('the journal is closed') }) : undefined);

  /** push chains body as the next record and queues its line for the writer. */
  const push = (
    body: RecordBody,
    json: string | undefined,
    sync: boolean,
    resolve: Pending['resolve'],
    reject: Pending['reject'],
    synced?: Pending['synced'],
    lazily?: boolean,
  ): void => {
    seq++;
    const at = timestamp();
    const bodyJson = json ?? JSON.stringify(body);
    const hash = appendLine(lines, { journal: id, seq, at, prev }, bodyJson);
    const record: ChainedRecord = { journal: id, seq, at, prev, hash, body, bodyJson };
    prev = hash;
    queue.push({
      record,
      end: lines.length,
      sync,
      resolve,
      reject,
      ...(synced !== undefined ? { synced } : {}),
      ...(lazily === true ? { lazy: true } : {}),
    });
    running ??= drain();
  };

  const enqueue = (body: RecordBody, json: string | undefined, sync: boolean, synced?: Pending['synced']): Promise<ChainedRecord> => {
    const refused = refusal();
    if (refused !== undefined) return Promise.reject(refused);
    return new Promise<ChainedRecord>((resolve, reject) => push(body, json, sync, resolve, reject, synced));
  };

  const journal: Journal = {
    id,
    dir,
    stats,
    get failed() {
      return failed;
    },
    get segment() {
      return segment;
    },
    append(body, opts) {
      return enqueue(body, opts?.json, opts?.sync ?? true);
    },
    async appendAhead(body, json) {
      let settle: Pending['synced'] | undefined;
      const synced = new Promise<void>((resolve, reject) => {
        settle = { resolve, reject };
      });
      synced.catch(() => undefined); // the caller may never wait for it
      try {
        const record = await enqueue(body, json, false, settle);
        return { record, synced };
      } catch (e) {
        settle?.reject(e);
        throw e;
      }
    },
    notify(body, json, callbacks) {
      const refused = refusal();
      if (refused !== undefined) return callbacks.failed(refused);
      const { synced } = callbacks;
      push(body, json, false, callbacks.written, callbacks.failed, synced && { resolve: synced, reject: callbacks.failed }, callbacks.lazy);
    },
    async flush() {
      await settled();
      if (failed !== undefined) throw failed;
      await syncRest();
    },
    async close() {
      if (closed) return;
      closed = true;
      if (lazy) clearTimeout(lazy);
      lazy = undefined;
      try {
        await settled();
        if (zeroing !== undefined) await zeroing.done;
        if (failed === undefined) await syncRest();
      } finally {
        await fh?.close().catch(() => undefined);
        fh = undefined;
      }
    },
  };
  return journal;
}
