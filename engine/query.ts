// Query compilation: a Rego query body (`data.a.p = x; y := 1`) → a synthetic Rego v1 module
// `query.rego` whose entrypoint `__query__/__rows__` evaluates to the SET of row objects
// (`{"x": …, "y": …}`; one `{}` row for a successful variable-free query; empty when undefined).
// Used by the conformance harness and `portcullis eval`.

import { parseQuery, parseTerm } from './parser/index.js';
import { assertNever } from './diagnostics/index.js';
import type { Diagnostic, SourceFile } from './diagnostics/index.js';
import type { Body, Expr, Term, WithModifier } from './ast/index.js';

/** QueryModule is the synthetic module for a query, or the diagnostics that prevented building it. */
export type QueryModule =
  | { readonly ok: true; readonly file: SourceFile; readonly entrypoint: string; readonly vars: readonly string[] }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/** QueryOptions tunes buildQueryModule: an input written as a Rego term, and the synthetic package name. */
export type QueryOptions = { readonly inputTerm?: string; readonly packageName?: string };

/** QUERY_FILE is the file name of every synthetic query module (locations in query errors use it). */
export const QUERY_FILE = 'query.rego';

/** QUERY_ROWS_RULE is the name of the rule holding the result rows; the entrypoint is `<package>/__rows__`. */
export const QUERY_ROWS_RULE = '__rows__';

const defaults = Object.freeze({ packageName: '__query__' });

/**
 * buildQueryModule parses `query` (to validate it and to find its variables) and wraps it in a
 * module whose entrypoint yields the set of result rows. With `inputTerm`, the rows are computed
 * `with input as <inputTerm>`. Parse errors are reported as diagnostics in `query.rego`
 * coordinates (the query text starts on row QUERY_FIRST_ROW of the module), never thrown.
 */
export function buildQueryModule(query: string, opts: QueryOptions = {}): QueryModule {
  const pkg = opts.packageName ?? defaults.packageName;
  const parsed = parseQuery(query, QUERY_FILE);
  const errors = parsed.diagnostics.filter((d: Diagnostic) => d.severity === 'error');
  if (errors.length > 0 || parsed.value === undefined || parsed.value.exprs.length === 0) {
    return { ok: false, diagnostics: errors.length > 0 ? errors.map(shiftToModule) : [emptyQuery()] };
  }
  if (opts.inputTerm !== undefined) {
    const t = parseTerm(opts.inputTerm, 'input');
    const terr = t.diagnostics.filter((d: Diagnostic) => d.severity === 'error');
    if (terr.length > 0 || t.value === undefined) return { ok: false, diagnostics: terr.length > 0 ? terr : [emptyQuery('input term')] };
  }
  const vars = queryVars(parsed.value);
  const row = `{${vars.map((v) => `${JSON.stringify(v)}: ${v}`).join(', ')}}`;
  const text =
    opts.inputTerm === undefined
      ? `package ${pkg}\n${QUERY_ROWS_RULE} contains ${row} if {\n${query}\n}\n`
      : `package ${pkg}\n__all__ contains ${row} if {\n${query}\n}\n\n` +
        `${QUERY_ROWS_RULE} := __r__ if {\n\t__r__ := __all__ with input as ${opts.inputTerm}\n}\n`;
  return { ok: true, file: { name: QUERY_FILE, text }, entrypoint: `${pkg}/${QUERY_ROWS_RULE}`, vars };
}

/** QUERY_FIRST_ROW is the row of query.rego on which the query text starts. */
export const QUERY_FIRST_ROW = 3;

// Both module layouts put two lines (`package …`, the rule head) before the query.
const PREFIX_ROWS = QUERY_FIRST_ROW - 1;

function shiftToModule(d: Diagnostic): Diagnostic {
  // The offset is not shifted: it is only meaningful together with the text it indexes.
  return { ...d, location: { ...d.location, file: QUERY_FILE, row: d.location.row + PREFIX_ROWS } };
}

function emptyQuery(what = 'query'): Diagnostic {
  const location = { file: QUERY_FILE, row: QUERY_FIRST_ROW, col: 1, offset: 0, length: 0 };
  return { code: 'rego_parse_error', severity: 'error', message: `empty ${what}`, location };
}

/**
 * queryVars lists the user variables of a query body in first-appearance order: wildcards
 * (`_`, `$`-names), the roots `input`/`data` and variables local to comprehensions, `every` and
 * `not { }` bodies are excluded.
 */
export function queryVars(body: Body): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (name: string, wildcard: boolean | undefined) => {
    if (wildcard || name === '_' || name.startsWith('$') || name === 'input' || name === 'data') return;
    if (!seen.has(name)) {
      seen.add(name);
      out.push(name);
    }
  };
  const term = (t: Term): void => {
    switch (t.kind) {
      case 'null':
      case 'boolean':
      case 'number':
      case 'string':
        return;
      case 'var':
        return add(t.name, t.wildcard);
      case 'ref':
        term(t.head);
        return t.path.forEach(term);
      case 'array':
      case 'set':
        return t.items.forEach(term);
      case 'object':
        for (const [k, v] of t.entries) {
          term(k);
          term(v);
        }
        return;
      case 'arrayCompr':
      case 'setCompr':
      case 'objectCompr':
        return; // comprehension variables are local to it
      case 'call':
        return t.args.forEach(term);
      default:
        return assertNever(t);
    }
  };
  const withs = (ws: readonly WithModifier[]): void => {
    for (const w of ws) term(w.value);
  };
  const expr = (e: Expr): void => {
    switch (e.kind) {
      case 'term':
        term(e.term);
        return withs(e.with);
      case 'some':
        return e.vars.forEach(term);
      case 'someIn':
        if (e.key) term(e.key);
        term(e.value);
        term(e.collection);
        return withs(e.with);
      case 'every':
        term(e.domain);
        return withs(e.with);
      case 'notBody':
        return;
      default:
        return assertNever(e);
    }
  };
  body.exprs.forEach(expr);
  return out;
}
