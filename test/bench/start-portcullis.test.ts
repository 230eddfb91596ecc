// The bench's own gateway (startPortcullis composes it as `portcullis serve` does: example
// policies, a JWKS file, the operational log) must serve the bench's token: otherwise
// `npm run bench` silently reports Portcullis as "not measured". With `recording` it records every
// session to a journal (results digest only), as the gateway section measures it; without, nothing.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startPortcullis } from './pgbench.js';
import { usePostgres } from '../helpers/postgres.js';
import { listSegments, readSegment } from '../../proxy/recording/index.js';

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

  it.each([
    { note: 'records every session and statement to the journal, results digest only', record: true },
    { note: 'records nothing without the option', record: false },
  ])('$note', async ({ record }) => {
    const pgh = postgres.current;
    const upstream = { host: pgh.host, port: pgh.port, user: pgh.superuser.name, password: pgh.superuser.password, database: pgh.database };
    const dir = join(scratch, `journal-${record}`);
    const started = await startPortcullis(upstream, scratch, () => undefined, record ? { recording: { dir, fsync: true } } : {});
    if (started.kind !== 'started') throw new Error(`the bench gateway did not start: ${started.reason}`);
    const client = new pg.Client({ ...started.gateway.endpoint });
    try {
      await client.connect();
      await client.query('SELECT 42 AS answer');
    } finally {
      await client.end().catch(() => undefined);
      await started.gateway.close();
    }
    if (!record) {
      expect(existsSync(dir)).toBe(false);
      return;
    }
    const records = [];
    for (const seg of await listSegments(dir)) records.push(...(await readSegment(dir, seg.name)));
    const kinds = records.map((r) => r.body.kind);
    expect(kinds).toEqual(expect.arrayContaining(['session.start', 'statement', 'statement.outcome']));
    const outcome = records.map((r) => r.body).find((b) => b.kind === 'statement.outcome');
    expect(outcome).toMatchObject({ tag: 'SELECT 1', rows: 1, digest: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(outcome).not.toHaveProperty('result_rows');
  });
});
