// The file sink: decision-log events as JSON lines appended to a file, rotated when the next line
// would take it past `maxSize` (path → path.1 → path.2 …, keeping `maxFiles` rotated files).
// Writes are queued and appended in the background, never on the caller's stack; the queue is
// bounded and what it cannot hold is dropped, counted and reported. The files are reached through
// a LogFiles port (the data plane touches no file system itself; proxy/cli binds node:fs).

import { createDropCounter } from './report.js';
import type { OpLog } from './report.js';
import { createOpLog } from './report.js';
import type { Sink } from './types.js';

/** FILE_SINK_DEFAULTS are OPA-like defaults: rotate at 100 MiB, keep 5 rotated files, queue 10,000 events. */
export const FILE_SINK_DEFAULTS = Object.freeze({ maxSize: 100 * 1024 * 1024, maxFiles: 5, bufferSizeLimitEvents: 10_000 });

/** AppendHandle is one file open for appending. */
export type AppendHandle = {
  /** size is the file's size when it was opened. */
  readonly size: number;
  write(data: Uint8Array): Promise<void>;
  close(): Promise<void>;
};

/** LogFiles is the file system the file sink needs (proxy/cli's nodeLogFiles binds node:fs; tests may too). */
export type LogFiles = {
  /** openAppend opens (creating) a file for appending. */
  openAppend(path: string): Promise<AppendHandle>;
  /** rename moves a file, replacing the target; nothing when `from` does not exist. */
  rename(from: string, to: string): Promise<void>;
  /** remove deletes a file; nothing when it does not exist. */
  remove(path: string): Promise<void>;
};

/** FileSinkOptions says where the log goes and when it rotates. */
export type FileSinkOptions = {
  readonly path: string;
  readonly files: LogFiles;
  /** maxSize is the size in bytes a file may reach before the next line goes to a fresh one (default 100 MiB). */
  readonly maxSize?: number;
  /** maxFiles is how many rotated files (path.1 … path.N) are kept besides the live one (default 5). */
  readonly maxFiles?: number;
  /** bufferSizeLimitEvents bounds the lines waiting to be written (default 10,000; the oldest are dropped). */
  readonly bufferSizeLimitEvents?: number;
  readonly log?: OpLog;
};

/** createFileSink appends one JSON line per event to `path`, rotating by size. */
export function createFileSink(options: FileSinkOptions): Sink {
  const path = options.path;
  const maxSize = options.maxSize ?? FILE_SINK_DEFAULTS.maxSize;
  const maxFiles = options.maxFiles ?? FILE_SINK_DEFAULTS.maxFiles;
  const limit = options.bufferSizeLimitEvents ?? FILE_SINK_DEFAULTS.bufferSizeLimitEvents;
  if (!(maxSize > 0) || !(maxFiles >= 1) || !(limit >= 1))
    throw new TypeError('file sink: maxSize, maxFiles and bufferSizeLimitEvents must be positive');
  const ops = createOpLog(options.log);
  const drops = createDropCounter('file', ops.emit);
  let queue: Buffer[] = [];
  const files = options.files;
  let handle: AppendHandle | undefined;
  let size = 0;
  let written = 0;
  let failures = 0;
  let closed = false;
  let running: Promise<void> | undefined;

  function kick(): Promise<void> {
    running ??= drain().finally(() => {
      running = undefined;
      if (queue.length > 0) void kick();
    });
    return running;
  }

  async function ensureOpen(): Promise<AppendHandle> {
    if (handle !== undefined) return handle;
    handle = await files.openAppend(path);
    size = handle.size;
    return handle;
  }

  async function rotate(): Promise<void> {
    await handle?.close();
    handle = undefined;
    await files.remove(`${path}.${maxFiles}`);
    for (let i = maxFiles - 1; i >= 1; i--) await files.rename(`${path}.${i}`, `${path}.${i + 1}`);
    await files.rename(path, `${path}.1`);
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      let fh: AppendHandle;
      try {
        fh = await ensureOpen();
      } catch (err) {
        fail(queue.length, err); // the file cannot be opened: what waits is lost (and reported), later lines try again
        queue = [];
        return;
      }
      // take the lines that fit in the current file; a line alone larger than maxSize gets a file of its own
      let bytes = 0;
      let n = 0;
      while (n < queue.length && size + bytes + (queue[n] as Buffer).length <= maxSize) bytes += (queue[n++] as Buffer).length;
      if (n === 0 && size > 0) {
        try {
          await rotate();
        } catch (err) {
          fail(queue.length, err);
          queue = [];
          return;
        }
        continue;
      }
      if (n === 0) bytes = (queue[n++] as Buffer).length;
      const batch = queue.slice(0, n);
      queue = queue.slice(n);
      try {
        await fh.write(Buffer.concat(batch, bytes));
        size += bytes;
        written += n;
      } catch (err) {
        fail(n, err);
        await handle?.close().catch(() => {});
        handle = undefined;
        return;
      }
    }
  }

  function fail(lost: number, err: unknown): void {
    failures++;
    const message = err instanceof Error ? err.message : String(err);
    ops.emit({ type: 'decision_log.write_failed', sink: 'file', message });
    if (lost > 0) drops.drop('write_failed', lost, message);
  }

  async function flush(): Promise<void> {
    while (running !== undefined || queue.length > 0) await kick();
    drops.report();
  }

  return {
    name: 'file',
    write(line) {
      if (closed) {
        drops.drop('closed', 1);
        return;
      }
      if (queue.length >= limit) {
        queue.shift();
        drops.drop('buffer_full', 1);
      }
      queue.push(Buffer.from(`${line}\n`));
      void kick();
    },
    flush,
    async close() {
      if (closed) return;
      await flush();
      closed = true;
      await handle?.close().catch(() => {});
      handle = undefined;
    },
    stats: () => ({ written, dropped: drops.total(), buffered: queue.length, failures }),
    listen: ops.listen,
  };
}
