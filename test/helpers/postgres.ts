// usePostgres: a throwaway PostgreSQL cluster for a vitest file, started in beforeAll and stopped
// in afterAll (also when tests fail). Tests connect with `pg` through handle.connectionString().

import { afterAll, beforeAll } from 'vitest';
import { startPostgres } from '../../proxy/dev/index.js';
import type { PostgresHandle, StartPostgresOptions } from '../../proxy/dev/index.js';

/** PostgresRef gives a test file the running cluster; `current` throws before beforeAll ran. */
export type PostgresRef = { readonly current: PostgresHandle };

/** usePostgres starts a cluster before the file's tests (60 s allowed) and stops it after them. */
export function usePostgres(options: StartPostgresOptions = {}): PostgresRef {
  let handle: PostgresHandle | undefined;
  beforeAll(async () => {
    handle = await startPostgres(options);
  }, 60_000);
  afterAll(async () => {
    await handle?.stop();
  }, 30_000);
  return {
    get current(): PostgresHandle {
      if (handle === undefined) throw new Error('usePostgres: the cluster is not started (use it inside tests or hooks)');
      return handle;
    },
  };
}
