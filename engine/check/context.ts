// Shared state of one `check` run: the rules being rewritten, the rule index by path, options
// and the diagnostics sink. In: parsed modules and CheckOptions. Out: a CheckContext each stage
// reads and updates (stages replace `rules[i]` with rewritten copies; nothing else is mutated).

import type { Module, Term } from '../ast/index.js';
import type { Diagnostic, DiagnosticCode, Location } from '../diagnostics/index.js';
import { error } from '../diagnostics/index.js';
import type { CheckedRule } from './types.js';

/** HostBuiltins maps host-supplied builtin names to their arity. */
export type HostBuiltins = Readonly<Record<string, { readonly arity: number }>>;

/** CheckContext is the mutable state threaded through the checker's stages. */
export type CheckContext = {
  readonly modules: readonly Module[];
  readonly hostBuiltins: HostBuiltins;
  /** One entry per rule, in module then source order; stages replace entries. */
  rules: CheckedRule[];
  /** Indices into `rules` grouped by path key (pathKey(path)). */
  readonly byPath: Map<string, number[]>;
  /** Builtin names used as `with` targets anywhere (mocked; not reported as unsupported). */
  readonly mockedBuiltins: Set<string>;
  readonly diagnostics: Diagnostic[];
};

/** newContext builds an empty context for `modules`. */
export function newContext(modules: readonly Module[], hostBuiltins: HostBuiltins): CheckContext {
  return { modules, hostBuiltins, rules: [], byPath: new Map(), mockedBuiltins: new Set(), diagnostics: [] };
}

/** report adds one error diagnostic. */
export function report(ctx: CheckContext, code: DiagnosticCode, message: string, loc: Location): void {
  ctx.diagnostics.push(error(code, message, loc));
}

/** pathKey is the Map key of a rule path. */
export function pathKey(path: readonly string[]): string {
  return path.join('\u0000');
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** refText renders a path as OPA prints refs: `data.a.b["c-d"]`. */
export function refText(path: readonly string[]): string {
  let out = path[0] ?? '';
  for (const p of path.slice(1)) out += IDENT.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`;
  return out;
}

/** ruleName renders a rule's ref for messages: its path, then its tail terms (`data.a.p[x]`). */
export function ruleName(r: CheckedRule): string {
  let out = refText(r.path);
  for (const t of r.tail) out += `[${termText(t)}]`;
  return out;
}

function termText(t: Term): string {
  switch (t.kind) {
    case 'var':
      return t.name;
    case 'string':
      return JSON.stringify(t.value);
    case 'number':
      return t.text;
    case 'boolean':
      return String(t.value);
    case 'null':
      return 'null';
    default:
      return '...';
  }
}

/** originalName maps a renamed local (`x$2`) or wildcard (`$_3`) back to how the user wrote it. */
export function originalName(name: string): string {
  if (name.startsWith('$_')) return '_';
  const i = name.indexOf('$');
  return i > 0 ? name.slice(0, i) : name;
}

/** functionArity returns the arity of the user function at `path`, if one exists. */
export function functionArity(ctx: CheckContext, path: readonly string[]): number | undefined {
  for (const i of ctx.byPath.get(pathKey(path)) ?? []) {
    const r = ctx.rules[i];
    if (r && r.kind === 'function') return r.arity ?? 0;
  }
  return undefined;
}
