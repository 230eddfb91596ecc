// What every section of `npm run bench` does around its measurements: undo what it started, last
// first, reporting (not throwing) what fails to stop; and run itself when invoked as a script
// (`tsx test/bench/<section>.ts`), timing the run and exiting 1 with the error when it fails.

import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initPgbench } from './pgbench-tool.js';
import type { Endpoint } from './pgbench-tool.js';
import type { PostgresHandle } from '../../proxy/dev/index.js';

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

/**
 * startBenchCluster starts a throwaway PostgreSQL for a section, with a `database` holding
 * pgbench's tables at scale 1, and pushes its stop onto the section's cleanups; it answers the
 * superuser's endpoint and the cluster.
 */
export async function startBenchCluster(
  tool: string,
  database: string,
  log: (line: string) => void,
  cleanups: Cleanup[],
): Promise<{ readonly direct: Endpoint; readonly cluster: PostgresHandle }> {
  const { startPostgres } = await import('../../proxy/dev/index.js');
  const cluster = await startPostgres({ database, log: (line) => log(`bench: postgres: ${line}`) });
  cleanups.push(() => cluster.stop());
  const direct: Endpoint = {
    host: cluster.host,
    port: cluster.port,
    user: cluster.superuser.name,
    password: cluster.superuser.password,
    database: cluster.database,
  };
  log('bench: pgbench -i -s 1');
  await initPgbench(tool, direct);
  return { direct, cluster };
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
