// The CLI as a function: argv + CliIo in → exit code out. Dispatches parsed Commands to their
// runners and translates every failure once, at this edge (report.ts). main.ts binds the process.

import { parseCommand, usageFor } from './args.js';
import type { Command } from './args.js';
import { EXIT, reportError } from './report.js';
import type { CliIo } from './report.js';

/** run executes one CLI invocation and returns its exit code (0 ok, 1 failure, 2 usage error). */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const cmd = parseCommand(argv);
  try {
    return await dispatch(cmd, io);
  } catch (e) {
    return reportError(io, e);
  }
}

async function dispatch(cmd: Command, io: CliIo): Promise<number> {
  switch (cmd.kind) {
    case 'help':
      io.stdout(`${usageFor(cmd.topic)}\n`);
      return EXIT.ok;
    case 'usage-error':
      io.stderr(`portcullis: ${cmd.message}\n\n${usageFor(cmd.topic)}\n`);
      return EXIT.usage;
    // Commands load lazily so `--help` and usage errors never pay for (or depend on) the compiler.
    case 'build': {
      const { runBuild } = await import('./build-command.js');
      return runBuild(cmd, io);
    }
    case 'eval': {
      const { runEval } = await import('./eval-command.js');
      return runEval(cmd, io);
    }
    default:
      return assertNever(cmd);
  }
}

function assertNever(x: never): never {
  throw new Error(`unexpected command ${JSON.stringify(x)}`);
}
