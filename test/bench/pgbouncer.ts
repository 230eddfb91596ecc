// pgbouncer, the bench's reference proxy: found on the machine ($PGBOUNCER, /usr/sbin/pgbouncer)
// or installed from Debian's package (as root, with apt-get) as pgbench is, then started in
// session mode in front of the bench's PostgreSQL on a free loopback port, with its own config and
// log in a scratch directory. pgbouncer refuses to run as root, so as root it runs as the OS user
// the embedded PostgreSQL runs as (`postgres`).

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { aptGet, executable } from './pgbench-tool.js';
import type { Endpoint } from './pgbench-tool.js';

/** PgbouncerTool is a pgbouncer binary, or why there is none. */
export type PgbouncerTool = { readonly kind: 'found'; readonly path: string } | { readonly kind: 'unavailable'; readonly reason: string };

/** RunningPgbouncer is a started pgbouncer. */
export type RunningPgbouncer = { readonly endpoint: Endpoint; readonly pid: number; close(): Promise<void> };

const CANDIDATES = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'];

/** findPgbouncer returns $PGBOUNCER or a pgbouncer on the usual paths, else installs Debian's package when it can. */
export async function findPgbouncer(log: (line: string) => void): Promise<PgbouncerTool> {
  const given = process.env['PGBOUNCER'];
  const found = [...(given !== undefined && given !== '' ? [given] : []), ...CANDIDATES].find(executable);
  if (found !== undefined) return { kind: 'found', path: found };
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot)
    return { kind: 'unavailable', reason: 'pgbouncer is not installed and installing it needs root (apt-get install pgbouncer)' };
  if (!executable('/usr/bin/apt-get')) {
    return {
      kind: 'unavailable',
      reason: 'pgbouncer is not installed and this machine has no apt-get (install it, or set PGBOUNCER=/path/to/pgbouncer)',
    };
  }
  log('bench: pgbouncer not found; installing Debian package pgbouncer');
  if (!(await aptGet(['install', '-y', '--no-install-recommends', 'pgbouncer'], log))) {
    await aptGet(['update'], log);
    await aptGet(['install', '-y', '--no-install-recommends', 'pgbouncer'], log);
  }
  const installed = CANDIDATES.find(executable);
  return installed !== undefined
    ? { kind: 'found', path: installed }
    : { kind: 'unavailable', reason: 'apt-get install pgbouncer failed (see the lines above)' };
}

/** freePort asks the kernel for a free loopback port. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** osUser is the `postgres` account to run as when this process is root (pgbouncer refuses root). */
function osUser(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** startPgbouncer runs pgbouncer in session mode in front of `upstream` (its database and user); resolves once it accepts connections; close() stops it and removes its files. */
export async function startPgbouncer(tool: string, upstream: Endpoint): Promise<RunningPgbouncer> {
  // a directory of its own (the bench's scratch directory is root's, 0700: the `postgres` user could not enter it)
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-pgbouncer-'));
  const port = await freePort();
  const quote = (s: string) => `"${s.replaceAll('"', '""')}"`;
  writeFileSync(join(dir, 'userlist.txt'), `${quote(upstream.user)} ${quote(upstream.password)}\n`, { mode: 0o600 });
  writeFileSync(
    join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `${upstream.database} = host=${upstream.host} port=${upstream.port} dbname=${upstream.database}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = plain',
      `auth_file = ${join(dir, 'userlist.txt')}`,
      'pool_mode = session',
      'max_client_conn = 200',
      'default_pool_size = 64',
      `logfile = ${join(dir, 'pgbouncer.log')}`,
      'ignore_startup_parameters = extra_float_digits,options',
      '',
    ].join('\n'),
  );
  const user = osUser();
  if (user !== undefined) for (const f of [dir, join(dir, 'userlist.txt'), join(dir, 'pgbouncer.ini')]) chownSync(f, user.uid, user.gid);
  const child: ChildProcess = spawn(tool, [join(dir, 'pgbouncer.ini')], {
    stdio: ['ignore', 'ignore', 'pipe'],
    ...(user !== undefined ? { uid: user.uid, gid: user.gid } : {}),
  });
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-2000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // ready once it accepts a TCP connection
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`pgbouncer exited (${child.exitCode}): ${stderr.trim()}`);
    }
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) break;
    if (i > 100) {
      child.kill('SIGKILL');
      throw new Error(`pgbouncer did not listen within 5 s: ${stderr.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  if (child.pid === undefined) throw new Error('pgbouncer has no pid');
  return {
    endpoint: { ...upstream, host: '127.0.0.1', port },
    pid: child.pid,
    async close() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
