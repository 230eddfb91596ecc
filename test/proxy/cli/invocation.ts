// Test helper: an Invocation (run.ts) flattened to the shape the CLI tests compare, so one table
// row reads `{ kind: 'build', paths: [...] }`, `{ kind: 'help', topic: 'eval' }` or a usage error.

import { parseInvocation, run } from '../../../proxy/cli/run.js';

/** Flat is an Invocation as a plain object: the command name as kind (with its options), or help/usage-error with the topic. */
export type Flat = { readonly kind: string; readonly [key: string]: unknown };

/** parseFlat parses argv with the registry and flattens the result. */
export function parseFlat(argv: readonly string[]): Flat {
  const inv = parseInvocation(argv);
  if (inv.kind === 'run') return { kind: inv.command.name, ...(inv.options as object) };
  const topic = inv.command !== undefined ? { topic: inv.command.name } : {};
  return inv.kind === 'help' ? { kind: 'help', ...topic } : { kind: 'usage-error', message: inv.message, ...topic };
}

/** Captured is one in-process CLI run: its exit code and what it wrote. */
export type Captured = { code: number; stdout: string; stderr: string };

/** runCli runs the CLI in-process with `env` and no stop signal, capturing both streams. */
export async function runCli(argv: string[], env: Record<string, string> = {}): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const code = await run(
    argv,
    { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) },
    { env, untilStopped: () => Promise.resolve() },
  );
  return { code, stdout, stderr };
}
