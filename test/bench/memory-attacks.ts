// The memory-under-attack section of `npm run bench`: resident memory of `portcullis serve` (its
// own process, the shipped policies, default limits, a real PostgreSQL) before, at its peak
// during, and after each resource attack of issue 11, one after another: a client that stops
// reading a 200 MiB result, the largest row the default limit lets through, a maximum-size
// statement to analyse, 1,000 idle unauthenticated sockets, and wire fuzz (random bytes on 2,000
// connections). RSS is sampled from /proc every 50 ms (Linux only). Measured, never asserted:
// docs/config.md records the figures. PORTCULLIS_BENCH_ATTACKS=0 skips it.

import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDevIssuer, startPostgres } from '../../proxy/dev/index.js';
import { login, queryMessage, rssOf, settle, startServe } from './idle-connections.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const HOST = '127.0.0.1';
const MIB = 2 ** 20;

type Row = { readonly attack: string; readonly before: number; readonly peak: number; readonly after: number };

/** benchMemoryAttacks runs the section and prints its table; it stops everything it started. */
export async function benchMemoryAttacks(
  out: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<readonly Row[]> {
  if (process.env['PORTCULLIS_BENCH_ATTACKS'] === '0') {
    out('\nMemory under attack: skipped (PORTCULLIS_BENCH_ATTACKS=0)');
    return [];
  }
  if (process.platform !== 'linux') {
    out('\nMemory under attack: skipped (resident memory is read from /proc, Linux only)');
    return [];
  }
  const scratch = mkdtempSync(join(tmpdir(), 'portcullis-attacks-'));
  const pg = await startPostgres({
    users: [{ name: 'gw_bench', password: 'bench-secret-Pw1', auth: 'scram-sha-256' }],
    databaseRoles: true,
    log,
  });
  let gateway: ChildProcess | undefined;
  const open: Socket[] = [];
  try {
    const issuer = await createDevIssuer({ issuer: 'https://bench.portcullis.invalid', audience: 'portcullis' });
    writeFileSync(join(scratch, 'jwks.json'), JSON.stringify(issuer.jwks()));
    const config = {
      listen: { host: HOST, port: 0 },
      upstream: { host: pg.host, port: pg.port, database: pg.database, user: 'gw_bench', password: 'bench-secret-Pw1' },
      identity: { issuer: issuer.issuer, audience: issuer.audience, jwks: { file: 'jwks.json' }, algorithms: ['ES256'] },
      policy: { paths: [join(REPO_ROOT, 'policies')] },
      log: { level: 'error' },
    };
    writeFileSync(join(scratch, 'config.json'), JSON.stringify(config));
    const started = await startServe(join(scratch, 'config.json'), log);
    gateway = started.child;
    const pid = started.child.pid as number;
    const token = await issuer.mint({ sub: 'attacker', claims: { roles: ['db:read'] }, ttlSeconds: 3600 });
    const warm = await login(started.port, token);
    await answered(warm, 'SELECT 1');
    warm.destroy();
    await settle();

    const rows: Row[] = [];
    const measure = async (attack: string, run: () => Promise<void>): Promise<void> => {
      log(`bench: attack: ${attack}`);
      const before = rssOf(pid);
      let peak = before;
      const sampler = setInterval(() => {
        peak = Math.max(peak, rssOf(pid));
      }, 50);
      try {
        await run();
      } finally {
        clearInterval(sampler);
      }
      peak = Math.max(peak, rssOf(pid));
      await settle();
      await new Promise((r) => setTimeout(r, 2_000));
      rows.push({ attack, before, peak, after: rssOf(pid) });
    };

    await measure('a client that stops reading `SELECT repeat(x, 1 MiB)` × 200', async () => {
      const s = await login(started.port, token);
      s.pause();
      s.write(queryMessage("SELECT repeat('x', 1048576) FROM generate_series(1, 200)"));
      await new Promise((r) => setTimeout(r, 3_000));
      s.destroy();
    });
    await measure('one 60 MiB row (under the 64 MiB default row limit), read', async () => {
      const s = await login(started.port, token);
      await answered(s, "SELECT repeat('x', 62914560)");
      s.destroy();
    });
    await measure('a 1 MiB statement to analyse (~100,000-term WHERE)', async () => {
      const s = await login(started.port, token);
      const terms: string[] = [];
      let size = 40;
      for (let i = 0; size < 1_040_000; i++) {
        const t = `id=${i}`;
        terms.push(t);
        size += t.length + 4;
      }
      await answered(s, `SELECT 1 FROM orders WHERE ${terms.join(' OR ')}`);
      s.destroy();
    });
    await measure('1,000 idle unauthenticated sockets', async () => {
      for (let i = 0; i < 1_000; i++) {
        const s = connect({ host: HOST, port: started.port });
        s.on('error', () => undefined);
        open.push(s);
      }
      await new Promise((r) => setTimeout(r, 2_000));
      for (const s of open.splice(0)) s.destroy();
    });
    await measure('wire fuzz: random bytes on 2,000 connections', async () => {
      for (let round = 0; round < 20; round++) {
        const batch = Array.from({ length: 100 }, () => {
          const s = connect({ host: HOST, port: started.port });
          s.on('error', () => undefined);
          s.on('connect', () => s.write(randomBytes(64 + Math.floor(Math.random() * 4096))));
          return s;
        });
        await new Promise((r) => setTimeout(r, 100));
        for (const s of batch) s.destroy();
      }
    });

    out(`\nMemory under attack: resident memory of \`portcullis serve\` (default limits, shipped policies, real PostgreSQL)`);
    out(
      `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`,
    );
    out('| attack | before | peak | 2 s after |');
    out('| --- | ---: | ---: | ---: |');
    for (const r of rows) out(`| ${r.attack} | ${mib(r.before)} | ${mib(r.peak)} | ${mib(r.after)} |`);
    return rows;
  } finally {
    for (const s of open) s.destroy();
    if (gateway !== undefined && gateway.exitCode === null) {
      gateway.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 300));
      if (gateway.exitCode === null) gateway.kill('SIGKILL');
    }
    await pg.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** answered sends one simple query and waits for ReadyForQuery (whatever the answer). */
function answered(socket: Socket, sql: string): Promise<void> {
  return new Promise((done) => {
    let tail = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      tail = Buffer.concat([tail.subarray(-16), chunk.subarray(-16)]);
      if (tail.includes(Buffer.from([0x5a, 0, 0, 0, 5]))) {
        socket.off('data', onData);
        done();
      }
    };
    socket.on('data', onData);
    socket.on('close', () => done());
    socket.write(queryMessage(sql));
  });
}

function mib(bytes: number): string {
  return `${(bytes / MIB).toFixed(0)} MiB`;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await benchMemoryAttacks();
}
