// Diagnostics: source locations and the errors every compiler stage reports as values.
// Stages return `{ value, diagnostics }`; only broken compiler invariants throw
// (InternalCompilerError). Codes follow OPA's categories so conformance cases match directly.

/** Location is a span in one source file: 1-based row and column, 0-based byte offset. */
export type Location = {
  readonly file: string;
  readonly row: number;
  readonly col: number;
  readonly offset: number;
  readonly length: number;
};

/** DIAGNOSTIC_CODES lists OPA's error categories for compile-time errors. */
export const DIAGNOSTIC_CODES = [
  'rego_parse_error',
  'rego_compile_error',
  'rego_unsafe_var_error',
  'rego_recursion_error',
  'rego_type_error',
] as const;

/** DiagnosticCode is one of DIAGNOSTIC_CODES. */
export type DiagnosticCode = (typeof DIAGNOSTIC_CODES)[number];

/** Diagnostic is one reported problem. */
export type Diagnostic = {
  readonly code: DiagnosticCode;
  readonly severity: 'error' | 'warning';
  readonly message: string;
  readonly location: Location;
  readonly related?: readonly Location[];
};

/** SourceFile is one Rego module's text and the name used in locations. */
export type SourceFile = { readonly name: string; readonly text: string };

/** StageResult is what every stage entry function returns. */
export type StageResult<T> = { readonly value: T; readonly diagnostics: readonly Diagnostic[] };

/** EngineHttpStatus is the admin API status of an engine error (422 unprocessable input, 500 internal). */
export type EngineHttpStatus = 422 | 500;

/** ENGINE_ERRORS is the engine's error table: the HTTP status of each ERR_ENGINE_* code (none reaches a PostgreSQL client). */
export const ENGINE_ERRORS = Object.freeze({
  ERR_ENGINE_EVAL: { http: 500 },
  ERR_ENGINE_LOAD: { http: 422 },
  ERR_ENGINE_INTERNAL: { http: 500 },
} as const satisfies Readonly<Record<string, { readonly http: EngineHttpStatus }>>);

/** EngineErrorCode is one code of ENGINE_ERRORS. */
export type EngineErrorCode = keyof typeof ENGINE_ERRORS;

/** InternalCompilerError is thrown only when the compiler's own invariants break. */
export class InternalCompilerError extends Error {
  readonly code = 'ERR_ENGINE_INTERNAL' as const;
  /** http is the admin API status of the code (ENGINE_ERRORS). */
  readonly http: EngineHttpStatus = ENGINE_ERRORS.ERR_ENGINE_INTERNAL.http;
  constructor(message: string, options?: { cause?: unknown }) {
    super(`internal compiler error: ${message}`, options);
    this.name = 'InternalCompilerError';
  }
}

/** assertNever marks exhaustive switches; reaching it is a compiler bug. */
export function assertNever(x: never): never {
  throw new InternalCompilerError(`unexpected value ${JSON.stringify(x)}`);
}

/** location builds a Location. */
export function location(file: string, row: number, col: number, offset = 0, length = 0): Location {
  return { file, row, col, offset, length };
}

/** error builds an error Diagnostic. */
export function error(code: DiagnosticCode, message: string, loc: Location, related?: readonly Location[]): Diagnostic {
  return related ? { code, severity: 'error', message, location: loc, related } : { code, severity: 'error', message, location: loc };
}

/** compareDiagnostics orders by file, row, column, then message (OPA Errors.Sort). */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  const la = a.location;
  const lb = b.location;
  if (la.file !== lb.file) return la.file < lb.file ? -1 : 1;
  if (la.row !== lb.row) return la.row - lb.row;
  if (la.col !== lb.col) return la.col - lb.col;
  if (a.message !== b.message) return a.message < b.message ? -1 : 1;
  return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
}

/** sortDiagnostics sorts and removes duplicates on (location, code, message). */
export function sortDiagnostics(ds: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const d of [...ds].sort(compareDiagnostics)) {
    const key = `${d.location.file}:${d.location.row}:${d.location.col}:${d.code}:${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}

/** formatDiagnostic renders `file:row:col: code: message`. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.location.file}:${d.location.row}:${d.location.col}: ${d.code}: ${d.message}`;
}

/** hasErrors tells whether any diagnostic is an error. */
export function hasErrors(ds: readonly Diagnostic[]): boolean {
  return ds.some((d) => d.severity === 'error');
}
