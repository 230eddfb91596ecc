// `portcullis serve`'s operational log end to end: the gateway the CLI composes
// (startGatewayFromConfig, as `serve` runs it) logs logins, refusals and denials at the
// configured `log.level`, as JSON lines, with no token, password or Bind value in them.

import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startGatewayFromConfig } from '../../proxy/cli/gateway.js';
import type { GatewayConfig } from '../../proxy/config/index.js';
import { REPO_POLICIES, UPSTREAM_USERS, compilePolicies, useStack } from './helpers.js';

const stack = useStack({ decide: await compilePolicies(REPO_POLICIES) });
const closers: (() => Promise<void>)[] = [];
const BIND_SECRET = 'bind-secret-815';

afterAll(async () => {
  for (const close of closers) await close();
});

/** serveWith starts the CLI's gateway on the stack's PostgreSQL and issuer at a log level, collecting its log lines. */
async function serveWith(level: GatewayConfig['log']['level']): Promise<{ port: number; lines: string[] }> {
  const lines: string[] = [];
  const config: GatewayConfig = {
    ...stack.current.config,
    listen: { host: '127.0.0.1', port: 0 },
    admin: { ...stack.current.config.admin, port: 0 },
    log: { level },
  };
  const started = await startGatewayFromConfig(config, (line) => lines.push(line));
  if (started.kind !== 'started') throw new Error(`gateway did not start: ${started.reasons.join('; ')}`);
  closers.push(started.close);
  return { port: started.port, lines };
}

/** settle waits until the log has a line with `msg` (events are published as things happen). */
async function settle(lines: readonly string[], msg: string): Promise<void> {
  for (let i = 0; i < 300 && !lines.some((l) => l.includes(`"msg":"${msg}"`)); i++) await new Promise((r) => setTimeout(r, 10));
}

/** exercise logs in with a bad token, then as a reader runs one allowed and one denied statement (with a Bind value). */
async function exercise(port: number): Promise<string> {
  const token = await stack.current.mint('reader-log', { roles: ['db:read'] });
  const config = { ...stack.current.clientConfig(token), port };
  await expect(new pg.Client({ ...config, password: 'not-a-jwt' }).connect()).rejects.toMatchObject({ code: '28P01' });
  const client = new pg.Client(config);
  await client.connect();
  await client.query('SELECT id FROM public.orders LIMIT 1');
  await expect(client.query({ text: 'DELETE FROM public.orders WHERE id = $1', values: [BIND_SECRET] })).rejects.toMatchObject({
    code: '42501',
  });
  await client.end();
  return token;
}

describe('portcullis serve logs', () => {
  it.each([
    {
      level: 'info' as const,
      has: ['gateway listening', 'verification keys loaded', 'login refused', 'session opened', 'statement denied', 'session closed'],
      hasNot: ['statement allowed', 'statement finished'],
    },
    { level: 'warn' as const, has: ['login refused'], hasNot: ['gateway listening', 'session opened', 'statement denied'] },
    { level: 'debug' as const, has: ['statement allowed', 'statement finished', 'statement denied'], hasNot: [] },
  ])('at $level: logins, refusals and denials as that level asks, never a secret', async ({ level, has, hasNot }) => {
    const { port, lines } = await serveWith(level);
    const token = await exercise(port);
    await settle(lines, has.at(-1) ?? 'login refused');
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const messages = parsed.map((l) => l['msg']);
    for (const m of has) expect(messages).toContain(m);
    for (const m of hasNot) expect(messages).not.toContain(m);
    const text = lines.join('\n');
    for (const secret of [token, 'not-a-jwt', BIND_SECRET, UPSTREAM_USERS['scram-sha-256'].password]) expect(text).not.toContain(secret);
    const denied = parsed.find((l) => l['msg'] === 'statement denied');
    if (has.includes('statement denied')) expect(denied).toMatchObject({ subject: 'reader-log', statement: { command: 'DELETE' } });
  });
});
