// The shape of a `portcullis` command and the one flag parser they share. A command is an object
// { name, summary, usage, parse, run } registered in commands/index.ts; parse is pure (argv →
// options, help, or a usage error) and run does the work, loading heavy modules lazily.

import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import type { CliIo, RunContext } from './io.js';

/** Parsed is what a command's parse makes of its arguments: options to run with, a request for its help, or a usage error (exit 2). */
export type Parsed<O> =
  | { readonly kind: 'options'; readonly options: O }
  | { readonly kind: 'help' }
  | { readonly kind: 'usage-error'; readonly message: string };

/**
 * CliCommand is one `portcullis <name>` command. Its module must stay light (node: built-ins and
 * types only): `run` loads the engine, bundles or the gateway with import(), so `--help` and usage
 * errors never pay for (or depend on) the compiler.
 */
export type CliCommand<O> = {
  /** name is the word after `portcullis`. */
  readonly name: string;
  /** summary is the command's entry in the top-level help: its synopsis line, then its description lines. */
  readonly summary: string;
  /** usage is the command's own help text (`portcullis <name> --help`). */
  readonly usage: string;
  /** parse turns the arguments after the command name into options; pure, never throws. */
  parse(argv: readonly string[]): Parsed<O>;
  /**
   * run executes the command and resolves to its exit code; errors it does not handle reach
   * report.ts. Declared as a method so the registry can hold commands of different option types:
   * run only ever receives what the same command's parse returned.
   */
  run(options: O, io: CliIo, ctx: RunContext): Promise<number>;
};

/** options wraps a command's parsed options. */
export function options<O>(value: O): Parsed<O> {
  return { kind: 'options', options: value };
}

/** usageError is a usage error with its message (printed as `portcullis: <message>` above the command's help). */
export function usageError(message: string): { readonly kind: 'usage-error'; readonly message: string } {
  return { kind: 'usage-error', message };
}

/** FlagTable is a command's node:util parseArgs option table (long name → type, short, multiple). */
export type FlagTable = NonNullable<ParseArgsConfig['options']>;

const HELP_FLAG = { help: { type: 'boolean', short: 'h' } } as const;

type FlagsConfig<T extends FlagTable> = {
  args: string[];
  options: T & typeof HELP_FLAG;
  allowPositionals: boolean;
  strict: true;
};

/** Flags are the values and positionals node:util parseArgs read for a command's flag table. */
export type Flags<T extends FlagTable> = ReturnType<typeof parseArgs<FlagsConfig<T>>>;

/**
 * parseFlags is every command's flag parsing (node:util parseArgs, strict, with -h/--help added):
 * unknown flags and missing values become usage errors carrying node's message, `--help` becomes
 * a help request, and anything else goes to `then` for the command's own checks.
 */
export function parseFlags<T extends FlagTable, O>(
  argv: readonly string[],
  flags: T,
  allowPositionals: boolean,
  then: (parsed: Flags<T>) => Parsed<O>,
): Parsed<O> {
  let parsed: Flags<T>;
  try {
    parsed = parseArgs<FlagsConfig<T>>({ args: [...argv], options: { ...flags, ...HELP_FLAG }, allowPositionals, strict: true });
  } catch (e) {
    return usageError(e instanceof Error ? e.message : String(e));
  }
  if ((parsed.values as { help?: boolean }).help === true) return { kind: 'help' };
  return then(parsed);
}

/** v0Flag adds `v0Compatible: true` only when --v0-compatible was given (options stay unchanged otherwise). */
export function v0Flag(on: boolean | undefined): { v0Compatible?: true } {
  return on === true ? { v0Compatible: true } : {};
}

/** V0_FLAG is the --v0-compatible flag of build, eval and test (the sources are Rego v0, as OPA 1.x's flag). */
export const V0_FLAG = { 'v0-compatible': { type: 'boolean' } } as const;
