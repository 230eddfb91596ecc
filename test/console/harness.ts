// The web console's browser-test rig: Debian's Chromium driven through playwright-core (nothing is
// downloaded at run time), a composed gateway (`portcullis serve`'s startGatewayFromConfig) with
// its admin listener serving the console, a state store for approvals and recordings (rows kept:
// `recording.results: capped`), the stack's PostgreSQL and token issuer, and psql as the agent.
// One browser and one gateway per test file; screenshots go to test-artifacts/console/.

import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { REPO_ROOT } from '../helpers/shared.js';
import { AUDIENCE, PSQL, REPO_POLICIES, startServed, useStack } from '../e2e/helpers.js';
import type { StackRef, StartedServed } from '../e2e/helpers.js';

/** CHROMIUM is the browser the tests drive: $PORTCULLIS_CHROMIUM, else Debian's /usr/bin/chromium; undefined when neither exists. */
export const CHROMIUM = findChromium();

/** SKIP_REASON says why the browser tests skip (logged once), or is undefined when they run. */
export const SKIP_REASON =
  CHROMIUM === undefined
    ? "no Chromium: install Debian's chromium (.ci/run does) or set PORTCULLIS_CHROMIUM; the web console browser tests skip"
    : !existsSync(PSQL)
      ? `no psql at ${PSQL} (postgresql-client): the web console browser tests skip`
      : undefined;
if (SKIP_REASON !== undefined) console.log(SKIP_REASON);

function findChromium(): string | undefined {
  const fromEnv = process.env['PORTCULLIS_CHROMIUM'];
  if (fromEnv !== undefined && fromEnv !== '') return existsSync(fromEnv) ? fromEnv : undefined;
  return existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined;
}

/** ARTIFACTS is where screenshots go (ignored by git). */
export const ARTIFACTS = join(REPO_ROOT, 'test-artifacts', 'console');

/** Psql is a running psql client: its output so far and how it ended. */
export type Psql = {
  readonly stderr: () => string;
  readonly done: Promise<{ code: number; stdout: string; stderr: string }>;
  kill(): void;
};

/** Rig is what a console test file works with. */
export type Rig = {
  readonly stack: StackRef;
  readonly gateway: StartedServed;
  readonly browser: Browser;
  /** url is the console's address (the admin listener's `/`). */
  readonly url: string;
  /** policyDir is the gateway's copy of the shipped policies (a test edits it and reloads). */
  readonly policyDir: string;
  mint(sub: string, roles: readonly string[], ttlSeconds?: number): Promise<string>;
  /** page opens a page in a fresh context (own sessionStorage) that records console errors and page errors in `errors`. */
  page(viewport?: { width: number; height: number }): Promise<{ page: Page; context: BrowserContext; errors: string[] }>;
  /** psql runs one statement through the gateway as `sub` with the roles (the token as PGPASSWORD). */
  psql(sql: string, sub: string, roles: readonly string[]): Promise<Psql>;
  /** api calls the admin API as the token's holder. */
  api(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; json: unknown }>;
};

/**
 * useRig starts the stack, a composed gateway with the console and a browser before the file's
 * tests, and stops them after. Call it inside the suite that `describe.skipIf(SKIP_REASON)`
 * guards, so nothing starts where the tests skip.
 */
export function useRig(): { readonly current: Rig } {
  const stack = useStack();
  let rig: Rig | undefined;
  const psqls: Psql[] = [];
  const contexts: BrowserContext[] = [];
  const journal = mkdtempSync(join(tmpdir(), 'portcullis-console-'));
  const policyDir = mkdtempSync(join(tmpdir(), 'portcullis-console-policies-'));
  cpSync(REPO_POLICIES, policyDir, { recursive: true });
  beforeAll(async () => {
    const s = stack.current;
    const admin = new pg.Client(s.superuserConfig());
    await admin.connect();
    await admin.query('CREATE DATABASE console_state');
    await admin.end();
    const [gateway, browser] = await Promise.all([
      startServed(s, {
        // no clock skew, so a token minted to expire in 2 s is refused after 2 s
        identity: {
          issuer: s.issuer.issuer.issuer,
          audience: AUDIENCE,
          jwks: { url: s.issuer.jwksUrl },
          algorithms: ['ES256'],
          clock_skew: '0s',
        },
        policy: { paths: [policyDir] },
        state: {
          host: s.pg.host,
          port: s.pg.port,
          database: 'console_state',
          user: s.pg.superuser.name,
          password: s.pg.superuser.password,
        },
        recording: { dir: journal, ship_interval: '50ms', results: 'capped' },
        admin: { port: 0 },
        log: { level: 'warn' },
      }),
      chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], headless: true }),
    ]);
    mkdirSync(ARTIFACTS, { recursive: true });
    rig = {
      stack,
      gateway,
      browser,
      url: `${gateway.adminUrl}/`,
      policyDir,
      mint: (sub, roles, ttl) => s.mint(sub, { roles: [...roles] }, ttl),
      async page(viewport = { width: 1280, height: 900 }) {
        const context = await browser.newContext({ viewport });
        contexts.push(context);
        const page = await context.newPage();
        // fail within a test's time with playwright's own message (what it waited for)
        page.setDefaultTimeout(8000);
        const errors: string[] = [];
        page.on('console', (m) => {
          if (m.type() === 'error') errors.push(m.text());
        });
        page.on('pageerror', (e) => errors.push(e.message));
        return { page, context, errors };
      },
      async psql(sql, sub, roles) {
        const token = await s.mint(sub, { roles: [...roles] });
        const child = spawn(
          PSQL,
          ['-X', '-A', '-t', '-h', gateway.host, '-p', String(gateway.port), '-U', 'agent', '-d', s.pg.database, '-c', sql],
          {
            env: { ...process.env, PGPASSWORD: token, PGSSLMODE: 'disable', PGCONNECT_TIMEOUT: '10' },
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        );
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        const done = new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
          child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr })),
        );
        const p: Psql = { stderr: () => stderr, done, kill: () => child.kill('SIGKILL') };
        psqls.push(p);
        return p;
      },
      async api(method, path, token, body) {
        const res = await fetch(`${gateway.adminUrl}${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        });
        return { status: res.status, json: await res.json().catch(() => undefined) };
      },
    };
  }, 90_000);
  afterAll(async () => {
    for (const p of psqls) p.kill();
    for (const c of contexts) await c.close().catch(() => undefined);
    await rig?.browser.close();
    await rig?.gateway.close();
    rmSync(journal, { recursive: true, force: true });
    rmSync(policyDir, { recursive: true, force: true });
  }, 30_000);
  return {
    get current(): Rig {
      if (rig === undefined) throw new Error('useRig: not started (use it inside tests or hooks)');
      return rig;
    },
  };
}

/** heldId waits for psql's NOTICE naming the approval request its statement is held for. */
export async function heldId(p: Psql, timeoutMs = 10_000): Promise<string> {
  for (let waited = 0; waited < timeoutMs; waited += 25) {
    const id = p.stderr().match(/held for approval \(request ([A-Za-z0-9_-]{1,64})\)/)?.[1];
    if (id !== undefined) return id;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`psql was not held: ${p.stderr()}`);
}

/** signIn signs a page in with a pasted token and waits until the header names the subject. */
export async function signIn(page: Page, url: string, token: string, sub: string): Promise<void> {
  await page.goto(`${url}#/signin`);
  await page.locator('#token').fill(token);
  await page.locator('#signin-token').click();
  await page.locator('#who-sub', { hasText: sub }).waitFor();
}

/** shot writes a full-page screenshot to test-artifacts/console/<name>.png. */
export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}
