// The bench's own gateway (startPortcullis composes it as `portcullis serve` does: example
// policies, a JWKS file, the operational log) must serve the bench's token: otherwise
// `npm run bench` silently reports Portcullis as "not measured".

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startPortcullis } from './pgbench.js';
import { usePostgres } from '../helpers/postgres.js';

const postgres = usePostgres();
const scratch = mkdtempSync(join(tmpdir(), 'portcullis-bench-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('startPortcullis', () => {
  it('serves the bench token: an allowed read runs, a write is denied by the policy', async () => {
    const pgh = postgres.current;
    const upstream = { host: pgh.host, port: pgh.port, user: pgh.superuser.name, password: pgh.superuser.password, database: pgh.database };
    const started = await startPortcullis(upstream, scratch, () => undefined);
    if (started.kind !== 'started') throw new Error(`the bench gateway did not start: ${started.reason}`);
    const { endpoint, close } = started.gateway;
    const client = new pg.Client({ ...endpoint });
    try {
      await client.connect();
      expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      await expect(client.query('CREATE TABLE bench_probe (id int)')).rejects.toMatchObject({ code: '42501' });
    } finally {
      await client.end().catch(() => undefined);
      await close();
    }
  });
});
