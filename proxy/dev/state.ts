// The demo's state directory: the dev issuer's exported state (issuer.json, private key included,
// so the directory is 0700 and the file 0600) and the effective gateway config (config.json).
// `portcullis token` mints for the running demo through mintFromState, which reads issuer.json.

import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DemoStateMissing } from './demo/errors.js';
import { importDevIssuer } from './issuer/issuer.js';
import type { MintRequest } from './issuer/types.js';

/** ISSUER_STATE_FILE is the issuer state's file name inside the state directory. */
export const ISSUER_STATE_FILE = 'issuer.json';
/** CONFIG_STATE_FILE is the effective config's file name inside the state directory. */
export const CONFIG_STATE_FILE = 'config.json';

/** writeDemoState writes issuer.json (the issuer's exportState() text) and config.json into the state directory (created 0700). */
export function writeDemoState(stateDir: string, issuerState: string, config: unknown): void {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  chmodSync(stateDir, 0o700);
  writeFileSync(join(stateDir, ISSUER_STATE_FILE), issuerState, { mode: 0o600 });
  chmodSync(join(stateDir, ISSUER_STATE_FILE), 0o600);
  writeFileSync(join(stateDir, CONFIG_STATE_FILE), `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
}

/** readIssuerState reads `<stateDir>/issuer.json`, or throws DemoStateMissing when no demo wrote it. */
export function readIssuerState(stateDir: string): string {
  const file = join(stateDir, ISSUER_STATE_FILE);
  if (!existsSync(file))
    throw new DemoStateMissing(`no demo issuer state at ${file}: start the demo first (npm start), or pass --state <dir>`);
  return readFileSync(file, 'utf8');
}

/** mintFromState restores the issuer a demo wrote to `<stateDir>/issuer.json` and mints one token (DemoStateMissing, IssuerStateInvalid). */
export async function mintFromState(stateDir: string, request: MintRequest): Promise<string> {
  const issuer = await importDevIssuer(readIssuerState(stateDir));
  return issuer.mint(request);
}
