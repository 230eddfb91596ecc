// The `hash` mask with the configured key (masking.hash_key_*): result values, in text and binary
// format, simple and extended protocol, are the HMAC-SHA256 prefix under the key, not the plain
// SHA-256 anyone could compute for a guessed value. Real gateway, real PostgreSQL, `pg`.

import { createHash, createHmac } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { Decide } from '../../proxy/index.js';
import { useStack } from './helpers.js';

const KEY = 'a-test-key-of-32-bytes-0123456789';
const hashAll: Decide = () => ({ kind: 'allow', masks: [{ table: 'public.customers', column: 'email', kind: 'hash' }] });
const stack = useStack({ decide: hashAll, deps: { maskHashKey: KEY } });
const clients: pg.Client[] = [];
afterAll(async () => {
  for (const c of clients) await c.end().catch(() => undefined);
});

describe('hash mask with a key', () => {
  it('returns the keyed HMAC prefix, never the plain SHA-256, over both protocols', async () => {
    const client = new pg.Client(stack.current.clientConfig(await stack.current.mint('hash-agent', { roles: ['db:read'] })));
    await client.connect();
    clients.push(client);
    const hmac = createHmac('sha256', KEY).update('ada@example.com').digest('hex').slice(0, 16);
    const plain = createHash('sha256').update('ada@example.com').digest('hex').slice(0, 16);
    for (const query of ['SELECT email FROM customers WHERE id = 1', { text: 'SELECT email FROM customers WHERE id = $1', values: [1] }]) {
      const r = await client.query(query as string);
      expect(r.rows).toEqual([{ email: hmac }]);
      expect(r.rows[0].email).not.toBe(plain);
    }
  });
});
