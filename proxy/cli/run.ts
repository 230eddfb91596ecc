// The CLI as a function: argv + CliIo in → exit code out. Dispatches parsed Commands to their
// runners and translates every failure once, at this edge (report.ts). main.ts binds the process.

import { parseCommand, usageFor } from './args.js';
import type { Command } from './args.js';
import { EXIT, reportError } from './report.js';
import type { CliIo } from './report.js';

/** RunContext is the process state long-running commands need (env, Ctrl-C); main.ts binds it. */
export type RunContext = {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** untilStopped resolves on SIGINT/SIGTERM. */
  readonly untilStopped: () => Promise<void>;
};

/** NO_PROCESS is the context of in-process runs (tests): an empty env, and stop at once. */
const NO_PROCESS: RunContext = { env: {}, untilStopped: () => Promise.resolve() };

/** run executes one CLI invocation and returns its exit code (0 ok, 1 failure, 2 usage error). */
export async function run(argv: readonly string[], io: CliIo, ctx: RunContext = NO_PROCESS): Promise<number> {
  const cmd = parseCommand(argv);
  try {
    return await dispatch(cmd, io, ctx);
  } catch (e) {
    return reportError(io, e);
  }
}

async function dispatch(cmd: Command, io: CliIo, ctx: RunContext): Promise<number> {
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
    case 'test': {
      const { runTest } = await import('./test-command.js');
      return runTest(cmd, io);
    }
    case 'serve': {
      const { runServe } = await import('./serve-command.js');
      return runServe(cmd, io, ctx);
    }
    case 'demo': {
      const { runDemo } = await import('./demo/index.js');
      return runDemo(
        {
          ...(cmd.configPath !== undefined ? { configPath: cmd.configPath } : {}),
          ...(cmd.stateDir !== undefined ? { stateDir: cmd.stateDir } : {}),
          ...(cmd.port !== undefined ? { gatewayPort: cmd.port } : {}),
          env: ctx.env,
          ...(io.debug === true ? { log: (line: string) => io.stderr(`${line}\n`) } : {}),
        },
        { stdout: io.stdout, stderr: io.stderr, untilStopped: ctx.untilStopped },
      );
    }
    case 'token': {
      const { runToken } = await import('./token-command.js');
      return runToken(cmd, io);
    }
    default:
      return assertNever(cmd);
  }
}

function assertNever(x: never): never {
  throw new Error(`unexpected command ${JSON.stringify(x)}`);
}
