// The demo's state: each run of the demo has its own directory (created 0700, removed when the
// demo stops) holding the dev issuer's exported state (issuer.json, private key included, 0600),
// the effective gateway config (config.json) and the demo's process id (demo.pid). A pointer file
// beside them (<tmp>/portcullis-demo.json) names the directory of the demo started last, so
// `portcullis token` finds a running demo without flags; a pointer or directory whose demo is no
// longer running is refused with a clear error rather than used.

import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DemoStateMissing } from './demo/errors.js';
import { importDevIssuer } from './issuer/issuer.js';
import type { MintRequest } from './issuer/types.js';

/** ISSUER_STATE_FILE is the issuer state's file name inside the state directory. */
export const ISSUER_STATE_FILE = 'issuer.json';
/** CONFIG_STATE_FILE is the effective config's file name inside the state directory. */
export const CONFIG_STATE_FILE = 'config.json';
/** PID_STATE_FILE holds the process id of the demo that owns the state directory. */
export const PID_STATE_FILE = 'demo.pid';
/** demoPointerFile is the file naming the state directory of the demo started last (read by `portcullis token`), in the temporary directory. */
export function demoPointerFile(): string {
  return join(tmpdir(), 'portcullis-demo.json');
}

/** DemoState is a demo run's state directory and how to remove it. */
export type DemoState = {
  readonly dir: string;
  /** remove deletes what this run wrote (the whole directory when the run created it) and the pointer when it still names it. */
  readonly remove: () => void;
};

/**
 * writeDemoState writes issuer.json, config.json and demo.pid into `stateDir` (created 0700), or
 * into a fresh `<tmp>/portcullis-demo-XXXXXX` when none is given, and points the pointer file at it.
 */
export function writeDemoState(stateDir: string | undefined, issuerState: string, config: unknown, pid: number = process.pid): DemoState {
  const created = stateDir === undefined;
  const dir = stateDir ?? mkdtempSync(join(tmpdir(), 'portcullis-demo-'));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const written = [ISSUER_STATE_FILE, CONFIG_STATE_FILE, PID_STATE_FILE].map((f) => join(dir, f));
  writeFileSync(join(dir, ISSUER_STATE_FILE), issuerState, { mode: 0o600 });
  chmodSync(join(dir, ISSUER_STATE_FILE), 0o600);
  writeFileSync(join(dir, CONFIG_STATE_FILE), `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  writeFileSync(join(dir, PID_STATE_FILE), `${pid}\n`, { mode: 0o600 });
  writeFileSync(demoPointerFile(), `${JSON.stringify({ dir, pid })}\n`, { mode: 0o600 });
  return {
    dir,
    remove: () => {
      if (created) rmSync(dir, { recursive: true, force: true });
      else for (const f of written) rmSync(f, { force: true });
      if (pointedDir() === dir) rmSync(demoPointerFile(), { force: true });
    },
  };
}

/** pointedDir is the state directory the pointer file names, if any. */
function pointedDir(): string | undefined {
  try {
    const doc = JSON.parse(readFileSync(demoPointerFile(), 'utf8')) as { dir?: unknown };
    return typeof doc.dir === 'string' ? doc.dir : undefined;
  } catch {
    return undefined;
  }
}

/** running tells whether a process id names a live process. */
function running(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** ADMIN_STATE_FILE holds the running demo's admin API URL (`{"url": …}`), written once the gateway listens. */
export const ADMIN_STATE_FILE = 'admin.json';

/** writeDemoAdminUrl records the admin API's URL in the state directory (so `portcullis approvals` finds it). */
export function writeDemoAdminUrl(stateDir: string, url: string): void {
  writeFileSync(join(stateDir, ADMIN_STATE_FILE), `${JSON.stringify({ url })}\n`, { mode: 0o600 });
}

/** demoAdminUrl is the running demo's admin API URL, or undefined when no demo runs (or it has none). */
export function demoAdminUrl(): string | undefined {
  try {
    const doc = JSON.parse(readFileSync(join(findDemoState(), ADMIN_STATE_FILE), 'utf8')) as { url?: unknown };
    return typeof doc.url === 'string' ? doc.url : undefined;
  } catch {
    return undefined;
  }
}

/** findDemoState is the state directory to mint with: `stateDir` when given, else the running demo's (DemoStateMissing when none runs). */
export function findDemoState(stateDir?: string): string {
  const dir = stateDir ?? pointedDir();
  if (dir === undefined) throw new DemoStateMissing('no demo is running: start it with `npm start` (or pass --state <dir>)');
  const file = join(dir, ISSUER_STATE_FILE);
  if (!existsSync(file)) {
    throw new DemoStateMissing(
      stateDir !== undefined
        ? `no demo issuer state at ${file}: start the demo first (npm start), or pass the --state a running demo printed`
        : 'no demo is running: start it with `npm start` (or pass --state <dir>)',
    );
  }
  let pid = Number.NaN;
  try {
    pid = Number(readFileSync(join(dir, PID_STATE_FILE), 'utf8').trim());
  } catch {
    // a state directory without demo.pid was written by hand or an older demo: trust --state
  }
  if (!Number.isNaN(pid) && !running(pid)) {
    throw new DemoStateMissing(`the demo that wrote ${dir} is no longer running: start it again with \`npm start\``);
  }
  return dir;
}

/** readIssuerState reads `<stateDir>/issuer.json`, or throws DemoStateMissing when no demo wrote it. */
export function readIssuerState(stateDir: string): string {
  const file = join(stateDir, ISSUER_STATE_FILE);
  if (!existsSync(file))
    throw new DemoStateMissing(`no demo issuer state at ${file}: start the demo first (npm start), or pass --state <dir>`);
  return readFileSync(file, 'utf8');
}

/** mintFromState restores the issuer of the running demo (or the one in `stateDir`) and mints one token (DemoStateMissing, IssuerStateInvalid). */
export async function mintFromState(stateDir: string | undefined, request: MintRequest): Promise<string> {
  const issuer = await importDevIssuer(readIssuerState(findDemoState(stateDir)));
  return issuer.mint(request);
}
