// Per-rule facts for the input-reads analysis (reads.ts): the `data` prefixes a rule's value can
// depend on (which rules it reaches), the constant prefixes of its `input` refs, and the calls
// that make its value not a function of input and data alone. In: one checked Rule (names
// resolved, imports rewritten to `input`/`data` refs). Out: RuleFacts. Pure.

import type { Body, Expr, Rule, Term, WithModifier } from '../ast/index.js';
import { BUILTINS, isLoaderBuiltin, isNativeBuiltin } from '../builtins/index.js';
import { assertNever } from '../diagnostics/index.js';
import type { Location } from '../diagnostics/index.js';

/** HostBuiltinNames are the builtins a compilation declared as host-supplied (name → arity). */
export type HostBuiltinNames = Readonly<Record<string, { readonly arity: number }>>;

/** RuleFacts is what one rule contributes when it is reachable from an entrypoint. */
export type RuleFacts = {
  /** Constant prefixes (with the leading `data`) of the data refs and user-function calls in the rule. */
  readonly dataRefs: readonly (readonly string[])[];
  /** Constant prefixes (without `input`) of the input refs; `[]` for a bare `input`. */
  readonly inputPaths: readonly (readonly string[])[];
  /** Why the rule's value may not be a function of input and data, one per offending call. */
  readonly unbounded: readonly string[];
};

/** ruleFacts walks every part of a rule: head, body, else chain, comprehensions, every bodies, with values. */
export function ruleFacts(rule: Rule, hostBuiltins: HostBuiltinNames): RuleFacts {
  const c = new Collector(hostBuiltins);
  c.rule(rule);
  return { dataRefs: c.dataRefs, inputPaths: c.inputPaths, unbounded: c.unbounded };
}

/**
 * unboundedReason says why calling builtin `name` makes a value unmemoisable, or undefined when
 * the call is a pure function of its arguments. Native builtins are ours (engine/runtime/as), and
 * so are the loader's (engine/runtime/host-builtins.ts) unless the compilation declared the name
 * as a host builtin: the embedder's implementation is not ours to know.
 */
export function unboundedReason(name: string, hostBuiltins: HostBuiltinNames): string | undefined {
  const decl = BUILTINS[name];
  if (decl?.effect) return `calls ${name}, whose output is an effect a memoised decision would skip`;
  if (decl?.nondeterministic) return `calls ${name}, which is not deterministic`;
  if (name === 'eq' || name === 'assign' || isNativeBuiltin(name)) return undefined;
  if (isLoaderBuiltin(name) && !Object.hasOwn(hostBuiltins, name)) return undefined;
  return `calls ${name}, which the host supplies (its result is not the engine's to know)`;
}

class Collector {
  readonly dataRefs: string[][] = [];
  readonly inputPaths: string[][] = [];
  readonly unbounded: string[] = [];
  private readonly hostBuiltins: HostBuiltinNames;

  constructor(hostBuiltins: HostBuiltinNames) {
    this.hostBuiltins = hostBuiltins;
  }

  rule(r: Rule): void {
    // head.ref[0] is the rule's own name, not a reference.
    for (const t of r.head.ref.slice(1)) this.term(t);
    for (const a of r.head.args ?? []) this.term(a);
    if (r.head.value) this.term(r.head.value);
    if (r.head.contains) this.term(r.head.contains);
    this.body(r.body);
    for (let el = r.else; el; el = el.else) {
      if (el.value) this.term(el.value);
      this.body(el.body);
    }
  }

  private body(b: Body): void {
    for (const e of b.exprs) this.expr(e);
  }

  private expr(e: Expr): void {
    switch (e.kind) {
      case 'term':
        this.term(e.term);
        for (const w of e.with) this.with(w);
        return;
      case 'some':
        return;
      case 'someIn':
        if (e.key) this.term(e.key);
        this.term(e.value);
        this.term(e.collection);
        for (const w of e.with) this.with(w);
        return;
      case 'every':
        this.term(e.domain);
        this.body(e.body);
        for (const w of e.with) this.with(w);
        return;
      case 'notBody':
        this.body(e.body);
        return;
      default:
        return assertNever(e);
    }
  }

  /**
   * with: `with input.p as v` replaces input.p, so the target is not read (its non-constant path
   * elements are walked, they are evaluated); a `data` target is walked as a ref (reachability
   * stays as without the modifier: a superset). A builtin named as the value replaces the target
   * function, so it counts as called.
   */
  private with(w: WithModifier): void {
    const t = w.target;
    const root = t.kind === 'var' ? t.name : t.kind === 'ref' && t.head.kind === 'var' ? t.head.name : undefined;
    if (root === 'input') {
      if (t.kind === 'ref') for (const p of t.path) this.term(p);
    } else {
      this.term(t);
      const name = dottedName(w.value);
      if (name !== undefined && (Object.hasOwn(BUILTINS, name) || Object.hasOwn(this.hostBuiltins, name))) this.call(name, w.value.loc);
    }
    this.term(w.value);
  }

  private term(t: Term): void {
    switch (t.kind) {
      case 'null':
      case 'boolean':
      case 'number':
      case 'string':
        return;
      case 'var':
        if (t.name === 'input') this.inputPaths.push([]);
        else if (t.name === 'data') this.dataRefs.push(['data']);
        return;
      case 'ref':
        if (t.head.kind === 'var' && t.head.name === 'input') this.inputPaths.push(constPrefix(t.path));
        else if (t.head.kind === 'var' && t.head.name === 'data') this.dataRefs.push(['data', ...constPrefix(t.path)]);
        else this.term(t.head);
        for (const p of t.path) this.term(p);
        return;
      case 'array':
      case 'set':
        for (const i of t.items) this.term(i);
        return;
      case 'object':
        for (const [k, v] of t.entries) {
          this.term(k);
          this.term(v);
        }
        return;
      case 'arrayCompr':
      case 'setCompr':
        this.term(t.head);
        this.body(t.body);
        return;
      case 'objectCompr':
        this.term(t.key);
        this.term(t.value);
        this.body(t.body);
        return;
      case 'call':
        if (t.fn[0] === 'data') this.dataRefs.push([...t.fn]);
        else this.call(t.fn.join('.'), t.loc);
        for (const a of t.args) this.term(a);
        return;
      default:
        return assertNever(t);
    }
  }

  private call(name: string, loc: Location): void {
    const reason = unboundedReason(name, this.hostBuiltins);
    if (reason !== undefined) this.unbounded.push(`${reason} (${loc.file}:${loc.row}:${loc.col})`);
  }
}

/**
 * constPrefix is the leading run of string elements. A number or boolean element stops it too:
 * paths are object keys, and `a[0]` (an array index) must not be confused with `a["0"]`.
 */
function constPrefix(path: readonly Term[]): string[] {
  const out: string[] = [];
  for (const p of path) {
    if (p.kind !== 'string') break;
    out.push(p.value);
  }
  return out;
}

/** dottedName is `a.b.c` for a var or an all-string ref rooted at a var other than input/data. */
function dottedName(t: Term): string | undefined {
  if (t.kind === 'var') return t.name;
  if (t.kind !== 'ref' || t.head.kind !== 'var' || t.head.name === 'input' || t.head.name === 'data') return undefined;
  const parts = [t.head.name];
  for (const p of t.path) {
    if (p.kind !== 'string') return undefined;
    parts.push(p.value);
  }
  return parts.join('.');
}
