// Running one conformance case (FORMAT.md §3): the case's modules plus the query module go through
// compile → Wasm → a host (our loader or the official SDK), and the outcome (pass / fail with a
// reason / skip for an unsupported builtin) comes out. Engine and host are injected (fakes in tests).

import { errorMatches, extractRows, parseErrorText, sameRows, showJson, toJsonText } from './compare.js';
import type { ErrorExpectation, ErrorInfo, Row } from './compare.js';
import type { CorpusCase } from './corpus.js';

/** Outcome is the verdict for one case; `timeout` and `crash` are set by the pool, never by runCase. */
export type Outcome =
  | { readonly status: 'pass' }
  | { readonly status: 'fail'; readonly reason: string }
  | { readonly status: 'skip'; readonly builtins: readonly string[] }
  | { readonly status: 'timeout'; readonly reason: string }
  | { readonly status: 'crash'; readonly reason: string };

/** DiagnosticLike is the part of an engine Diagnostic the harness reads. */
export type DiagnosticLike = {
  readonly code: string;
  readonly severity: 'error' | 'warning';
  readonly message: string;
  readonly location: { readonly file: string; readonly row: number; readonly col: number };
};

/**
 * HOSTS are what can evaluate the compiled modules: our loader (the default: what the gateway
 * runs, with every loader-supplied builtin) or the official SDK given sdkHostBuiltins() (which
 * keeps its own yaml.*).
 */
export const HOSTS = ['loader', 'sdk'] as const;

/** HostName is one of HOSTS. */
export type HostName = (typeof HOSTS)[number];

/**
 * PolicyLike is what the harness needs of a loaded module, in the SDK's terms: data and input
 * as JSON bytes, the parsed result set back. An evaluation abort is thrown as the SDK's plain
 * string or as our loader's PolicyEvalError (see thrownText).
 */
export type PolicyLike = {
  setData(data: ArrayBuffer): void;
  evaluate(input: ArrayBuffer | undefined, entrypoint?: number | string): unknown;
};

/** EngineDeps are the engine and host functions a case run needs (the real ones live in worker.ts). */
export type EngineDeps = {
  readonly buildQueryModule: (
    query: string,
    opts?: { inputTerm?: string },
  ) => { ok: true; file: { name: string; text: string }; entrypoint: string } | { ok: false; diagnostics: readonly DiagnosticLike[] };
  readonly compile: (opts: {
    files: readonly { name: string; text: string }[];
    entrypoints: readonly string[];
    strictBuiltinErrors?: boolean;
  }) => {
    readonly diagnostics: readonly DiagnosticLike[];
    readonly wasm?: Uint8Array;
  };
  readonly formatDiagnostic: (d: DiagnosticLike) => string;
  /** loadPolicy loads a module into the host the run evaluates with. */
  readonly loadPolicy: (wasm: Uint8Array) => Promise<PolicyLike>;
  /** isNativeBuiltin tells whether the runtime implements a builtin (others reach the host, which may lack them). */
  readonly isNativeBuiltin: (name: string) => boolean;
};

/** STRICT_SUPPORTED says whether the engine offers strict builtin errors (`strict_error: true` cases). */
export const STRICT_SUPPORTED = true;

const UNSUPPORTED_RE = /^unsupported builtin: (\S+)/;
/** The hosts' message when a module calls a host builtin nobody supplied (our loader's follows its error code). */
const NOT_IMPLEMENTED_RE = /(?:^|: )not implemented: built-in function \d+: (\S+)/;

/** jsonBuffer encodes a value as JSON bytes for the host (exact bigints; falsy inputs survive the SDK's `if (input)`). */
export function jsonBuffer(v: unknown): ArrayBuffer {
  const bytes = new TextEncoder().encode(toJsonText(v as never));
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/**
 * thrownText turns whatever a host threw into text. `abort` is true for an evaluation abort: a
 * plain string from the SDK (opa_abort's message), or a PolicyEvalError from our loader (an Error
 * carrying `regoCode`; its text gets the code in front when the message lacks it), unless that
 * wraps a Wasm trap, which is a crash as it is with the SDK.
 */
export function thrownText(e: unknown): { text: string; abort: boolean } {
  if (typeof e === 'string') return { text: e, abort: true };
  if (isLoaderEvalError(e)) {
    const trap = e.cause instanceof Error && e.cause.name === 'RuntimeError' ? e.cause : undefined;
    if (trap !== undefined) return { text: `${trap.name}: ${trap.message}`, abort: false };
    return { text: parseErrorText(e.message).code !== undefined ? e.message : `${e.regoCode}: ${e.message}`, abort: true };
  }
  if (e instanceof Error) return { text: `${e.name}: ${e.message}`, abort: false };
  if (typeof e === 'object' && e !== null && 'message' in e) return { text: String((e as { message: unknown }).message), abort: false };
  return { text: String(e), abort: false };
}

/** isLoaderEvalError recognises our loader's PolicyEvalError by shape (the harness does not import the engine). */
function isLoaderEvalError(e: unknown): e is Error & { readonly regoCode: string } {
  return e instanceof Error && typeof (e as { regoCode?: unknown }).regoCode === 'string';
}

function expectation(c: CorpusCase): ErrorExpectation | undefined {
  const s = c.spec;
  if (s.want_error_code === undefined && s.want_error === undefined) return undefined;
  return {
    ...(s.want_error_code !== undefined && { code: s.want_error_code }),
    ...(s.want_error !== undefined && { message: s.want_error }),
  };
}

function shorten(s: string, n = 200): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}

/** judgeError decides a case whose evaluation failed with `errors` (described by `what`). */
export function judgeError(c: CorpusCase, errors: readonly ErrorInfo[], what: string): Outcome {
  const want = expectation(c);
  const shown = errors.map((e) => e.texts[0]).join(' | ');
  if (want === undefined) return { status: 'fail', reason: shorten(`${what}: ${shown}`) };
  if (errorMatches(want, errors)) return { status: 'pass' };
  return { status: 'fail', reason: shorten(`want error ${want.code ?? ''} "${want.message ?? ''}", got ${what}: ${shown}`) };
}

/** judgeRows decides a case whose evaluation produced `rows`. */
export function judgeRows(c: CorpusCase, rows: readonly Row[]): Outcome {
  const s = c.spec;
  const want = expectation(c);
  // Without strict mode, a case expecting both (strict error, non-strict result) is judged on the result.
  const fallback = want !== undefined && s.want_result !== undefined && s.strict_error === true && !STRICT_SUPPORTED;
  if (want !== undefined && !fallback)
    return { status: 'fail', reason: shorten(`want error ${want.code ?? ''} "${want.message ?? ''}", got rows ${showJson(rows)}`) };
  if (s.want_result === undefined) return { status: 'fail', reason: 'case has no expectation' };
  if (sameRows(s.want_result, rows, s.sort_bindings === true)) return { status: 'pass' };
  return { status: 'fail', reason: shorten(`want ${showJson(s.want_result)}, got ${showJson(rows)}`) };
}

/** runCase runs one case through the injected engine and host; it never throws. */
export async function runCase(c: CorpusCase, deps: EngineDeps): Promise<Outcome> {
  try {
    return await runCaseUnsafe(c, deps);
  } catch (e) {
    return { status: 'fail', reason: shorten(`harness exception: ${thrownText(e).text}`) };
  }
}

async function runCaseUnsafe(c: CorpusCase, deps: EngineDeps): Promise<Outcome> {
  const s = c.spec;
  if (c.unknownFields.length > 0) return { status: 'fail', reason: `unknown case field(s): ${c.unknownFields.join(', ')}` };
  const compileErrors = (ds: readonly DiagnosticLike[]) => ds.map((d) => parseErrorText(deps.formatDiagnostic(d)));
  const q = deps.buildQueryModule(s.query, s.input_term !== undefined ? { inputTerm: s.input_term } : {});
  if (!q.ok) return judgeError(c, compileErrors(q.diagnostics), 'query error');
  const files = [...s.modules.map((text, i) => ({ name: `test-${i}.rego`, text })), q.file];
  let compiled: ReturnType<EngineDeps['compile']>;
  try {
    compiled = deps.compile({ files, entrypoints: [q.entrypoint], strictBuiltinErrors: s.strict_error === true });
  } catch (e) {
    return { status: 'fail', reason: shorten(`compile threw: ${thrownText(e).text}`) };
  }
  const errs = compiled.diagnostics.filter((d) => d.severity === 'error');
  if (errs.length > 0) {
    const builtins = [...new Set(errs.flatMap((d) => UNSUPPORTED_RE.exec(d.message)?.[1] ?? []))].sort();
    if (builtins.length > 0) return { status: 'skip', builtins };
    return judgeError(c, compileErrors(errs), 'compile error');
  }
  if (!compiled.wasm) return { status: 'fail', reason: 'compile produced no wasm and no error' };
  let policy: PolicyLike;
  try {
    policy = await deps.loadPolicy(compiled.wasm);
  } catch (e) {
    return { status: 'fail', reason: shorten(`load failed: ${thrownText(e).text}`) };
  }
  try {
    policy.setData(jsonBuffer(s.data ?? {}));
  } catch (e) {
    return { status: 'fail', reason: shorten(`setData failed: ${thrownText(e).text}`) };
  }
  let resultSet: unknown;
  try {
    resultSet = policy.evaluate(s.input !== undefined ? jsonBuffer(s.input) : undefined, q.entrypoint);
  } catch (e) {
    const t = thrownText(e);
    // A builtin mocked with `with` somewhere compiles, but the case may also run it for real:
    // that case needs a builtin we do not implement yet, which is a skip, not a failure.
    const missing = NOT_IMPLEMENTED_RE.exec(t.text)?.[1];
    if (missing !== undefined && !deps.isNativeBuiltin(missing)) return { status: 'skip', builtins: [missing] };
    if (!t.abort) return { status: 'fail', reason: shorten(`evaluation crashed: ${t.text}`) };
    return judgeError(c, [parseErrorText(t.text)], 'runtime error');
  }
  const rows = extractRows(resultSet);
  if (typeof rows === 'string') return { status: 'fail', reason: shorten(rows) };
  return judgeRows(c, rows);
}
