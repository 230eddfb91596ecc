// The command registry: every `portcullis` command, in the order the top-level help lists them.
// Adding a command is one file in this folder and one line here. Command modules are light; each
// loads its heavy dependencies inside run.

import type { CliCommand } from '../command.js';
import { approvalsCommand } from './approvals.js';
import { auditCommand } from './audit.js';
import { buildCommand } from './build.js';
import { bundleCommand } from './bundle.js';
import { demoCommand } from './demo.js';
import { evalCommand } from './eval.js';
import { replayCommand } from './replay.js';
import { serveCommand } from './serve.js';
import { signCommand } from './sign.js';
import { sessionsCommand } from './sessions.js';
import { testCommand } from './test.js';
import { tokenCommand } from './token.js';

/** COMMANDS lists the registered commands (see CliCommand.run on why `unknown` options are sound here). */
export const COMMANDS: readonly CliCommand<unknown>[] = [
  buildCommand,
  signCommand,
  bundleCommand,
  evalCommand,
  testCommand,
  serveCommand,
  demoCommand,
  tokenCommand,
  approvalsCommand,
  auditCommand,
  sessionsCommand,
  replayCommand,
];
