// The CLI as a function: argv + CliIo in → exit code out. Finds the command in the registry
// (commands/index.ts), lets it parse its arguments, runs it, and translates every failure once,
// at this edge (report.ts). main.ts binds the process.

import type { CliCommand } from './command.js';
import { COMMANDS } from './commands/index.js';
import { EXIT, NO_PROCESS } from './io.js';
import type { CliIo, RunContext } from './io.js';
import { reportError } from './report.js';

/** Invocation is what one command line asks for: a help text, a usage error (exit 2), or a command to run with its options. */
export type Invocation =
  | { readonly kind: 'help'; readonly command?: CliCommand<unknown> }
  | { readonly kind: 'usage-error'; readonly message: string; readonly command?: CliCommand<unknown> }
  | { readonly kind: 'run'; readonly command: CliCommand<unknown>; readonly options: unknown };

/** USAGE is the top-level help text, listing the registered commands. */
export const USAGE = `Usage: portcullis <command> [options]

Commands:
${COMMANDS.map(summaryLines).join('\n')}
  help [${COMMANDS.map((c) => c.name).join('|')}]
        Show this text, or a command's.

Exit codes: 0 success, 1 policy/data/I/O error, 2 usage error.`;

/** summaryLines renders a command's summary for USAGE: the synopsis indented by 2, its description by 8. */
function summaryLines(command: CliCommand<unknown>): string {
  const [synopsis, ...description] = command.summary.split('\n');
  return [`  ${synopsis}`, ...description.map((line) => `        ${line}`)].join('\n');
}

/** findCommand returns the registered command with this name. */
export function findCommand(name: string): CliCommand<unknown> | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/** usageFor returns a command's help text, or the top-level one. */
export function usageFor(command?: CliCommand<unknown>): string {
  return command === undefined ? USAGE : command.usage;
}

/** parseInvocation turns argv (without `node` and the script) into an Invocation; pure, loads no command's dependencies. */
export function parseInvocation(argv: readonly string[]): Invocation {
  const [first, ...rest] = argv;
  if (first === undefined) return { kind: 'usage-error', message: 'missing command' };
  if (first === '--help' || first === '-h') return { kind: 'help' };
  if (first === 'help') {
    const topic = rest[0];
    if (topic === undefined) return { kind: 'help' };
    const command = findCommand(topic);
    return command !== undefined ? { kind: 'help', command } : { kind: 'usage-error', message: `unknown help topic "${topic}"` };
  }
  const command = findCommand(first);
  if (command === undefined) {
    if (first.startsWith('-')) return { kind: 'usage-error', message: `unknown option "${first}" (expected a command first)` };
    return { kind: 'usage-error', message: `unknown command "${first}"` };
  }
  const parsed = command.parse(rest);
  if (parsed.kind === 'options') return { kind: 'run', command, options: parsed.options };
  return { ...parsed, command };
}

/** run executes one CLI invocation and returns its exit code (0 ok, 1 failure, 2 usage error). */
export async function run(argv: readonly string[], io: CliIo, ctx: RunContext = NO_PROCESS): Promise<number> {
  const invocation = parseInvocation(argv);
  switch (invocation.kind) {
    case 'help':
      io.stdout(`${usageFor(invocation.command)}\n`);
      return EXIT.ok;
    case 'usage-error':
      io.stderr(`portcullis: ${invocation.message}\n\n${usageFor(invocation.command)}\n`);
      return EXIT.usage;
    case 'run':
      try {
        return await invocation.command.run(invocation.options, io, ctx);
      } catch (e) {
        return reportError(io, e);
      }
  }
}
