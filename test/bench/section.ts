// What every section of `npm run bench` does around its measurements: undo what it started, last
// first, reporting (not throwing) what fails to stop; and run itself when invoked as a script
// (`tsx test/bench/<section>.ts`), timing the run and exiting 1 with the error when it fails.

import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Cleanup undoes one thing a section started. */
export type Cleanup = () => unknown;

/** runCleanups runs the steps in reverse order; a failing step is logged as `bench: <label> cleanup: …` and the rest still run. */
export async function runCleanups(steps: Cleanup[], label: string, log: (line: string) => void): Promise<void> {
  for (const step of steps.reverse()) {
    try {
      await step();
    } catch (e) {
      log(`bench: ${label} cleanup: ${(e as Error).message}`);
    }
  }
}

/** runAsScript runs `section` when the module at `moduleUrl` is the process's entry script, and reports how it ended. */
export async function runAsScript(moduleUrl: string, name: string, section: () => Promise<unknown>): Promise<void> {
  if (process.argv[1] === undefined || resolve(process.argv[1]) !== fileURLToPath(moduleUrl)) return;
  const t0 = performance.now();
  try {
    await section();
    process.stderr.write(`bench: ${name} section finished in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  } catch (e) {
    process.stderr.write(`bench: ${name} section failed: ${(e as Error).stack ?? (e as Error).message}\n`);
    process.exitCode = 1;
  }
}
