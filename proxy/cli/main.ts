// Process entry of the `portcullis` CLI (loaded by bin/portcullis.js through tsx): binds argv,
// env, the standard streams and the stop and reload signals to run() and exits with the code it returns.
// The only code that touches process state; commands get it as CliIo and RunContext (io.ts).

import { run } from './run.js';

let stopSignal: Promise<void> | undefined;
let removeStopHandlers = (): void => undefined;

/** SIGNAL_EXIT is the exit code of a process ended by a second signal (128 + the signal's number, as shells report it). */
const SIGNAL_EXIT: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143 };

/**
 * untilStopped resolves on the first SIGINT/SIGTERM (Ctrl-C); handlers are installed only for
 * commands that wait (serve, demo). While the command then shuts down (a drain may take
 * `limits.shutdown_grace`), a second SIGINT/SIGTERM exits at once.
 */
function untilStopped(): Promise<void> {
  stopSignal ??= new Promise<void>((resolve) => {
    const now = (signal: NodeJS.Signals): void => {
      process.stderr.write(`portcullis: ${signal} again: exiting now\n`);
      process.exit(SIGNAL_EXIT[signal] ?? 1);
    };
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      process.once('SIGINT', now);
      process.once('SIGTERM', now);
      removeStopHandlers = () => {
        process.off('SIGINT', now);
        process.off('SIGTERM', now);
      };
      resolve();
    };
    removeStopHandlers = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return stopSignal;
}

/** onReload runs the handler on each SIGHUP (a reload, never a stop: without a handler SIGHUP would end the process). */
function onReload(handler: () => void): () => void {
  process.on('SIGHUP', handler);
  return () => process.off('SIGHUP', handler);
}

const code = await run(
  process.argv.slice(2),
  {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    debug: process.env['PORTCULLIS_DEBUG'] === '1',
  },
  { env: process.env, untilStopped, onReload },
);
removeStopHandlers();
// exitCode (not exit()) lets piped stdout drain before the process ends.
process.exitCode = code;
