// The CLI's one error edge: diagnostics, the project's own errors and I/O failures → stderr lines
// plus an exit code (0 ok, 1 policy/data/I/O error, 2 usage error). Never a stack trace for
// user mistakes; unexpected errors print one line (the stack only with PORTCULLIS_DEBUG=1).
// Errors are recognised by their stable `code` (ERR_<PART>_<NAME>), so this module loads neither
// the engine nor bundles: `--help` and usage errors stay instant.

import type { Diagnostic } from '../../engine/index.js';
import { ToolError } from '../errors.js';
import { EXIT } from './io.js';
import type { CliIo } from './io.js';

/** reportDiagnostics prints every diagnostic as `file:row:col: code: message`, one per line (engine formatDiagnostic passed in). */
export function reportDiagnostics(io: CliIo, diagnostics: readonly Diagnostic[], format: (d: Diagnostic) => string): void {
  for (const d of diagnostics) io.stderr(`${format(d)}\n`);
}

/**
 * PROJECT_CODE matches the stable codes the project's own errors carry: ERR_<PART>_<NAME>, one
 * namespace per part's error table (a new part adds its namespace here). Node's own ERR_* codes
 * (ERR_INVALID_ARG_TYPE, …) are not in these namespaces: they mean a bug of ours.
 */
const PROJECT_CODE = /^ERR_(ENGINE|BUNDLE|PROXY|CLI|DEV)_[A-Z0-9_]+$/;

/**
 * isUserFacing tells whether an error was raised on purpose with a message meant for the user:
 * it carries a project code, and the code does not name an internal failure (`…_INTERNAL`).
 */
export function isUserFacing(e: unknown): e is Error & { readonly code: string } {
  if (!(e instanceof Error)) return false;
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && PROJECT_CODE.test(code) && !code.endsWith('_INTERNAL');
}

/** reportError prints a caught error as one clear line and returns the exit code. */
export function reportError(io: CliIo, e: unknown): number {
  if (e instanceof ToolError) {
    io.stderr(`portcullis: ${e.message}\n`);
    return e.exit;
  }
  if (isUserFacing(e)) {
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
