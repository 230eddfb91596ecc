// Real clients a new user reaches for, through the gateway with the shipped policy: psycopg2
// (named cursors: DECLARE / FETCH / CLOSE; unnamed cursors with client-side parameters) and
// `pgbench -i` with an administrator's token (DROP / CREATE / TRUNCATE / COPY / VACUUM / ALTER of
// its own tables). Each says so and skips when the client is not installed (.ci/run installs
// python3-psycopg2; pgbench comes with the PostgreSQL client packages).

import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useStack } from './helpers.js';

const PGBENCH = ['/usr/bin/pgbench', '/usr/lib/postgresql/17/bin/pgbench', '/usr/lib/postgresql/15/bin/pgbench'].find((p) => existsSync(p));
// the first Python that has psycopg2 (Debian's python3-psycopg2 is for /usr/bin/python3, which a
// pyenv or venv python3 earlier in PATH does not see)
const PYTHON = ['python3', '/usr/bin/python3'].find((python) => {
  try {
    execFileSync(python, ['-c', 'import psycopg2'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});
const havePsycopg2 = PYTHON !== undefined;
if (!havePsycopg2) console.warn('clients.test: python3-psycopg2 is not installed; the psycopg2 tests are skipped');
if (PGBENCH === undefined) console.warn('clients.test: pgbench is not installed; the pgbench -i test is skipped');

// as the demo runs it: the login entrypoint picks the database role (SET SESSION ROLE), so PostgreSQL's GRANTs apply too
const stack = useStack({ decideLogin: true });

type Run = { code: number; stdout: string; stderr: string };

function run(command: string, args: readonly string[], env: Record<string, string>, input = ''): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, timeout: 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(input);
  });
}

async function connEnv(roles: readonly string[]): Promise<Record<string, string>> {
  const s = stack.current;
  return {
    PGHOST: s.gateway.host,
    PGPORT: String(s.gateway.port),
    PGUSER: 'agent',
    PGDATABASE: s.pg.database,
    PGPASSWORD: await s.mint('client-agent', { roles: [...roles] }),
    PGSSLMODE: 'disable',
  };
}

const PSYCOPG2 = `
import json, psycopg2
conn = psycopg2.connect('')
out = {}
with conn:
    named = conn.cursor(name='portcullis named cursor')
    named.itersize = 2
    named.execute('SELECT id, email FROM customers WHERE id <= %s ORDER BY id', (4,))
    out['named'] = [list(r) for r in named]
    named.close()
    plain = conn.cursor()
    plain.execute('SELECT count(*) FROM orders WHERE status = %s', ('paid',))
    out['unnamed'] = plain.fetchone()[0]
    try:
        bad = conn.cursor(name='locking')
        bad.execute('SELECT id FROM orders FOR UPDATE')
        bad.fetchall()
        out['locking'] = 'ran'
    except psycopg2.Error as e:
        out['locking'] = [e.pgcode, e.diag.message_detail]
print(json.dumps(out))
`;

describe('real clients through the gateway', () => {
  it.skipIf(!havePsycopg2)(
    'psycopg2: a named cursor (DECLARE / FETCH / CLOSE) is masked; an unnamed cursor reads; a locking cursor is refused',
    async () => {
      const r = await run(PYTHON as string, ['-c', PSYCOPG2], await connEnv(['db:read']));
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout)).toEqual({
        named: [
          [1, '***********.com'],
          [2, '************.com'],
          [3, '*************.com'],
          [4, '**************.com'],
        ],
        unnamed: 2,
        locking: ['42501', 'rule: read_only.write'],
      });
    },
  );

  it.skipIf(PGBENCH === undefined)('pgbench -i initialises its tables with an administrator token, and they work', async () => {
    const env = await connEnv(['db:admin']);
    for (let round = 0; round < 2; round++) {
      // twice: the second run drops and truncates the tables the first one made
      const init = await run(PGBENCH as string, ['-i', '-s', '1', '-q'], env);
      expect(init.stderr).toMatch(/done in/);
      expect(init.code).toBe(0);
    }
    const reader = await connEnv(['db:read']);
    const r = await run(PGBENCH as string, ['-S', '-n', '-t', '20', '-c', '1'], reader);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/number of transactions actually processed: 20\/20/);
  });

  it.skipIf(PGBENCH === undefined)('pgbench -i with a writer token is refused at the first DROP, saying which role may', async () => {
    const r = await run(PGBENCH as string, ['-i', '-s', '1', '-q'], await connEnv(['db:write']));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/only db:admin may run it/);
  });
});
