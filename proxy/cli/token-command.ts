// `portcullis token`: restore the demo's dev issuer from its state directory and print one token
// (sub, extra claims, ttl) on stdout, ready to be used as a PostgreSQL password.

import { importDevIssuer } from '../auth/index.js';
import type { Command } from './args.js';
import { DEFAULT_DEMO_STATE_DIR, readIssuerState } from './demo/index.js';
import { EXIT } from './report.js';
import type { CliIo } from './report.js';

/** TokenCommand is the parsed `token` invocation. */
export type TokenCommand = Extract<Command, { kind: 'token' }>;

/** runToken mints a token with the demo issuer and prints it; a missing or bad state is one error line (exit 1). */
export async function runToken(cmd: TokenCommand, io: CliIo): Promise<number> {
  let state: string;
  try {
    state = readIssuerState(cmd.stateDir ?? DEFAULT_DEMO_STATE_DIR);
  } catch (e) {
    io.stderr(`portcullis: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT.failure;
  }
  let issuer;
  try {
    issuer = await importDevIssuer(state);
  } catch (e) {
    io.stderr(`portcullis: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT.failure;
  }
  const token = await issuer.mint({ sub: cmd.sub, claims: cmd.claims, ttlSeconds: cmd.ttlSeconds });
  io.stdout(`${token}\n`);
  return EXIT.ok;
}
