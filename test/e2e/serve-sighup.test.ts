// SIGHUP to a real `portcullis serve` process: it never ends the process; it re-reads the
// configuration (the log level applies at once, a change that needs a restart is named, a broken
// file changes nothing) and reloads the policy between statements, which a connected client sees
// on its next statement.

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_POLICIES, servedConfig, useStack } from './helpers.js';

const stackRef = useStack();
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = join(root, 'bin/portcullis.js');
const dir = mkdtempSync(join(tmpdir(), 'portcullis-hup-'));
const configPath = join(dir, 'opa.config.yaml');
const policies = join(dir, 'policies');
let child: ChildProcess;
let port = 0;
let stderr = '';

function writeConfig(level: string, listenHost = '127.0.0.1'): void {
  writeFileSync(
    configPath,
    JSON.stringify(
      servedConfig(stackRef.current, {
        listen: { host: listenHost, port: 0 },
        policy: { paths: [policies] },
        admin: { enabled: false },
        log: { level },
      }),
    ),
  );
}

/** until waits for a stderr line matching re (after `from` characters). */
async function until(re: RegExp, from = 0): Promise<string> {
  for (let i = 0; i < 300; i++) {
    const m = stderr.slice(from).match(re);
    if (m !== null) return m[0];
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no ${re} in: ${stderr.slice(from)}`);
}

beforeAll(async () => {
  cpSync(REPO_POLICIES, policies, { recursive: true });
  writeConfig('info');
  child = spawn(process.execPath, [BIN, 'serve', '--config', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
  const line = await until(/"event":"gateway\.listening"[^\n]*"port":(\d+)/);
  port = Number(line.match(/"port":(\d+)/)?.[1]);
}, 60_000);

afterAll(() => {
  child?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('SIGHUP to portcullis serve', () => {
  it('reloads the policy for the next statement of a live session, and the process lives on', async () => {
    const token = await stackRef.current.mint('hup-agent', { roles: ['db:read'] });
    const client = new pg.Client({ ...stackRef.current.clientConfig(token), host: '127.0.0.1', port });
    await client.connect();
    try {
      expect((await client.query('SELECT count(*) FROM orders')).rowCount).toBe(1);
      // a new rule: reads of orders are refused
      writeFileSync(
        join(policies, 'portcullis', 'rules', 'hup.rego'),
        'package portcullis.rules.read_only\n\ndeny contains {"reason": "orders are closed by SIGHUP", "rule": "hup.closed"} if "public.orders" in input.statement.tables.read\n',
      );
      const mark = stderr.length;
      child.kill('SIGHUP');
      await until(/"msg":"policy (activated|reload failed)[^\n]*/, mark).then((l) => expect(l).toContain('activated'));
      await expect(client.query('SELECT count(*) FROM orders')).rejects.toThrow('orders are closed by SIGHUP');
      expect(child.exitCode).toBeNull();
    } finally {
      await client.end();
    }
  });

  it('applies a new log level, names what needs a restart, and keeps everything on a broken file', async () => {
    let mark = stderr.length;
    writeConfig('debug', '127.0.0.2');
    child.kill('SIGHUP');
    expect(await until(/SIGHUP: applied [^\n]*/, mark)).toContain('log');
    expect(await until(/SIGHUP: changed but applied only at start[^\n]*/, mark)).toContain('listen');
    // the policy did not change: unchanged, no activation
    const token = await stackRef.current.mint('hup-agent', { roles: ['db:read'] });
    const client = new pg.Client({ ...stackRef.current.clientConfig(token), host: '127.0.0.1', port });
    await client.connect();
    await client.query('SELECT 1');
    await client.end();
    // debug lines now appear
    await until(/"msg":"statement allowed"/, mark);

    mark = stderr.length;
    writeFileSync(configPath, '{ not yaml: [');
    child.kill('SIGHUP');
    await until(/has errors; the running configuration stays/, mark);
    expect(child.exitCode).toBeNull();
  });
});
