// The bench's pgbouncer (test/bench/pgbouncer.ts) in front of a real PostgreSQL: it starts in
// session mode on a free port (as the `postgres` OS user when this is root), a client logs in
// through it with the superuser's password and runs a query, and close() stops it. Skips, saying
// so, when pgbouncer is not installed (the bench installs it; the tests do not).

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executable } from './pgbench-tool.js';
import { startPgbouncer } from './pgbouncer.js';
import type { Endpoint } from './pgbench-tool.js';
import { procCpuUs } from './cpu.js';

const tool = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find(executable);
if (tool === undefined) console.warn('pgbouncer is not installed: skipping its bench tests (npm run bench installs it)');

describe.skipIf(tool === undefined)('the bench’s pgbouncer', () => {
  let cluster: Awaited<ReturnType<typeof import('../../proxy/dev/index.js').startPostgres>>;
  let upstream: Endpoint;
  beforeAll(async () => {
    const { startPostgres } = await import('../../proxy/dev/index.js');
    cluster = await startPostgres({ database: 'bench', log: () => undefined });
    upstream = {
      host: cluster.host,
      port: cluster.port,
      user: cluster.superuser.name,
      password: cluster.superuser.password,
      database: 'bench',
    };
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it('pools a session-mode connection to PostgreSQL, and stops', async () => {
    const bouncer = await startPgbouncer(tool as string, upstream);
    try {
      expect(bouncer.endpoint.port).not.toBe(cluster.port);
      expect(procCpuUs(bouncer.pid)).toBeGreaterThanOrEqual(0);
      const client = new pg.Client({ ...bouncer.endpoint });
      await client.connect();
      const r = await client.query('SELECT current_database() AS db, current_user AS who');
      await client.end();
      expect(r.rows).toEqual([{ db: 'bench', who: upstream.user }]);
    } finally {
      await bouncer.close();
    }
    expect(procCpuUs(bouncer.pid)).toBeUndefined();
  }, 30_000);
});
