// The CLI's one error edge: diagnostics, bundle/engine errors and I/O failures → stderr lines
// plus an exit code (0 ok, 1 policy/data/I/O error, 2 usage error). Never a stack trace for
// user mistakes; unexpected errors print one line (the stack only with PORTCULLIS_DEBUG=1).
// Errors are recognised by their stable `code` (ERR_BUNDLE_*, ERR_ENGINE_EVAL, …), so this module
// loads neither the engine nor bundles: `--help` and usage errors stay instant.

import type { Diagnostic } from '../../engine/index.js';

/** CliIo is where the CLI writes; main.ts binds it to the process streams, tests to buffers. */
export type CliIo = {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Print stacks of unexpected errors (PORTCULLIS_DEBUG). */
  readonly debug?: boolean;
};

/** EXIT is the CLI's exit-code table. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** reportDiagnostics prints every diagnostic as `file:row:col: code: message`, one per line (engine formatDiagnostic passed in). */
export function reportDiagnostics(io: CliIo, diagnostics: readonly Diagnostic[], format: (d: Diagnostic) => string): void {
  for (const d of diagnostics) io.stderr(`${format(d)}\n`);
}

/** USER_ERROR_CODES matches the codes of errors caused by user input (bundles, evaluation); printed as their message. */
const USER_ERROR_CODES = /^ERR_(BUNDLE_[A-Z_]+|ENGINE_EVAL)$/;

/** reportError prints a caught error as one clear line and returns the exit code. */
export function reportError(io: CliIo, e: unknown): number {
  if (e instanceof Error && USER_ERROR_CODES.test(String((e as { code?: unknown }).code))) {
    io.stderr(`portcullis: ${e.message}\n`);
    return EXIT.failure;
  }
  if (typeof e === 'string') {
    // The official SDK (and opa_abort) throw plain strings.
    io.stderr(`portcullis: ${e}\n`);
    return EXIT.failure;
  }
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === 'string' && typeof err.syscall === 'string') {
    io.stderr(`portcullis: ${err.path ?? ''}${err.path ? ': ' : ''}${systemMessage(err)}\n`);
    return EXIT.failure;
  }
  const message = e instanceof Error ? e.message : String(e);
  io.stderr(`portcullis: internal error: ${message}\n`);
  if (io.debug && e instanceof Error && e.stack) io.stderr(`${e.stack}\n`);
  return EXIT.failure;
}

function systemMessage(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOTDIR':
      return 'not a directory';
    default:
      return err.message;
  }
}
