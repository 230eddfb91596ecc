// Decision logs from a composed gateway (as `portcullis serve` runs it): every statement's decision
// reaches an OPA-protocol HTTP receiver (gzip-compressed JSON arrays) and a file, joined to its
// session and statement, with Bind values erased by default.

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFromConfig } from '../../proxy/cli/gateway.js';
import { validateConfig } from '../../proxy/config/index.js';
import { REPO_POLICIES, servedConfig, useStack } from './helpers.js';

const stackRef = useStack();
const dir = mkdtempSync(join(tmpdir(), 'portcullis-dl-'));
const uploads: Record<string, unknown>[][] = [];
let receiver: Server;
let started: Extract<Awaited<ReturnType<typeof startGatewayFromConfig>>, { kind: 'started' }>;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      uploads.push(JSON.parse(gunzipSync(Buffer.concat(chunks)).toString('utf8')) as Record<string, unknown>[]);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  // the shipped policies plus a decision-log mask rule, as OPA's system.log.mask
  cpSync(REPO_POLICIES, join(dir, 'policies'), { recursive: true });
  writeFileSync(
    join(dir, 'policies', 'log_mask.rego'),
    `package system.log

# METADATA
# entrypoint: true
mask contains "/input/connection/client_address"

mask contains {"op": "upsert", "path": "/input/identity/sub", "value": "(hidden)"} if input.input.statement.kind == "delete"
`,
  );
  const stack = stackRef.current;
  const validated = validateConfig(
    servedConfig(stack, {
      policy: { paths: [join(dir, 'policies')] },
      admin: { enabled: false },
      decision_logs: {
        file: { path: join(dir, 'decisions.log') },
        service: { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/logs`, min_delay: '10ms', max_delay: '50ms' },
      },
    }),
  );
  if (!validated.ok) throw new Error(validated.errors.join('; '));
  const start = await startGatewayFromConfig(validated.config, () => undefined);
  if (start.kind !== 'started') throw new Error(start.reasons.join('; '));
  started = start;
}, 60_000);

afterAll(async () => {
  await started?.close();
  await new Promise((r) => receiver?.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('decision logs of a composed gateway', () => {
  it('ship every decision, with its session and statement, Bind values erased, masked by the policy as OPA does', async () => {
    const token = await stackRef.current.mint('dl-agent', { roles: ['db:read'] });
    const client = new pg.Client({ ...stackRef.current.clientConfig(token), host: started.host, port: started.port });
    await client.connect();
    try {
      await client.query('SELECT id FROM orders WHERE id = $1', [1]);
      await client.query('DELETE FROM orders').catch(() => undefined);
    } finally {
      await client.end();
    }
    const all = (): Record<string, unknown>[] => uploads.flat();
    await expect.poll(() => all().length, { timeout: 5000 }).toBeGreaterThanOrEqual(2);
    // biome-ignore lint/suspicious/noExplicitAny: the assertions read the documented event shape
    const [select, del] = all() as { [k: string]: any }[];
    expect(select).toMatchObject({
      path: 'portcullis/decision',
      labels: { id: expect.any(String), version: expect.any(String) },
      metrics: { timer_rego_query_eval_ns: expect.any(Number) },
      statement_id: 1,
      session_id: expect.any(String),
      result: { outcome: 'allow' },
      input: { identity: { sub: 'dl-agent' }, statement: { kind: 'select' } },
    });
    expect(select?.erased).toContain('/input/statement/params');
    expect(JSON.stringify(select)).not.toContain('"1"]');
    expect(del).toMatchObject({ statement_id: 2, session_id: select?.session_id, result: { outcome: 'deny' } });
    // the policy's system.log.mask: erased everywhere, upserted where it says
    expect(select?.erased).toContain('/input/connection/client_address');
    expect(select?.input.connection.client_address).toBeUndefined();
    expect(select?.input.identity.sub).toBe('dl-agent');
    expect(del?.input.identity.sub).toBe('(hidden)');
    expect(del?.masked).toContain('/input/identity/sub');
    // the same events, as JSON lines in the file
    await expect
      .poll(() => readFileSync(join(dir, 'decisions.log'), 'utf8').trim().split('\n').length, { timeout: 5000 })
      .toBeGreaterThanOrEqual(2);
    const lines = readFileSync(join(dir, 'decisions.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { decision_id: string });
    expect(lines.map((l) => l.decision_id)).toEqual(expect.arrayContaining([select?.decision_id, del?.decision_id]));
  });
});
