// The console sink: each decision-log event as one JSON line on a writable stream (stdout), like
// OPA's `decision_logs.console: true`. Writes are handed to the stream at once; flush waits for a
// stream that asked for a drain.

import type { Writable } from 'node:stream';
import { createDropCounter } from './report.js';
import { createOpLog } from './report.js';
import type { OpLog } from './report.js';
import type { Sink } from './types.js';

/** ConsoleTarget is where lines go: a writable stream (stdout), or a function given each line (proxy/cli's CliIo.stdout). */
export type ConsoleTarget = Writable | ((text: string) => void);

/** ConsoleSinkOptions names the target and where failures are reported. */
export type ConsoleSinkOptions = { readonly target: ConsoleTarget; readonly log?: OpLog };

/** createConsoleSink writes one JSON line per event to the target (a stream it never ends). */
export function createConsoleSink(options: ConsoleSinkOptions): Sink {
  const target = options.target;
  const stream: Writable | undefined = typeof target === 'function' ? undefined : target;
  const writeLine: (text: string) => void = typeof target === 'function' ? target : (text) => void target.write(text);
  const ops = createOpLog(options.log);
  const drops = createDropCounter('console', ops.emit);
  let written = 0;
  let failures = 0;
  let closed = false;
  stream?.on('error', () => {
    failures++;
  });

  async function drained(): Promise<void> {
    if (stream === undefined || !stream.writableNeedDrain || stream.destroyed) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        stream.off('drain', done);
        stream.off('close', done);
        resolve();
      };
      stream.on('drain', done);
      stream.on('close', done);
    });
  }

  return {
    name: 'console',
    write(line) {
      if (closed || stream?.destroyed === true || stream?.writableEnded === true) {
        drops.drop(closed ? 'closed' : 'write_failed', 1);
        return;
      }
      try {
        writeLine(`${line}\n`);
        written++;
      } catch (err) {
        failures++;
        drops.drop('write_failed', 1, err instanceof Error ? err.message : String(err));
      }
    },
    async flush() {
      await drained();
      drops.report();
    },
    async close() {
      await drained();
      closed = true;
      drops.report();
    },
    stats: () => ({ written, dropped: drops.total(), buffered: 0, failures }),
    listen: ops.listen,
  };
}
