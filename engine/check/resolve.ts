// Stage `resolveRefs`: name resolution. Vars and refs naming rules of the same package or import
// aliases become refs rooted at `data`/`input`; calls get resolved callees, are checked against
// user functions / builtins / host builtins (arity, unknown, unsupported, deprecated in v1), and output-argument calls
// become `out = f(args)`. `with` targets are validated. In/out: CheckContext rules (rewritten).

import type { Body, CallTerm, Expr, Module, Rule, Term, WithModifier } from '../ast/index.js';
import { varsOfTerm } from '../ast/index.js';
import { BUILTINS, isLoaderBuiltin, isNativeBuiltin, isSdkBuiltin } from '../builtins/index.js';
import { assertNever } from '../diagnostics/index.js';
import type { CheckContext } from './context.js';
import { functionArity, pathKey, report } from './context.js';
import { declaredVars } from './scope.js';

type Globals = ReadonlyMap<string, readonly string[]>;

/** resolveRefs rewrites every rule's names (see file header). */
export function resolveRefs(ctx: CheckContext): void {
  const cache = new Map<Module, Globals>();
  collectMocked(ctx);
  ctx.rules = ctx.rules.map((cr) => {
    let g = cache.get(cr.module);
    if (!g) {
      g = globalsOf(ctx, cr.module);
      cache.set(cr.module, g);
    }
    return { ...cr, rule: new Resolver(ctx, g, cr.module.regoVersion === 'v1').rule(cr.rule) };
  });
}

/** globalsOf maps each name visible at a module's top level to the path it stands for. */
function globalsOf(ctx: CheckContext, module: Module): Globals {
  const out = new Map<string, readonly string[]>();
  const pkg = pathKey(module.package.path);
  for (const m of ctx.modules) {
    if (pathKey(m.package.path) !== pkg) continue;
    for (const r of m.rules) {
      const first = r.head.ref[0];
      if (first?.kind === 'var') out.set(first.name, ['data', ...m.package.path, first.name]);
    }
  }
  for (const imp of module.imports) {
    const p = imp.path;
    const parts: string[] = [];
    if (p.kind === 'var') parts.push(p.name);
    else if (p.head.kind === 'var') {
      parts.push(p.head.name);
      for (const e of p.path) {
        if (e.kind !== 'string') break;
        parts.push(e.value);
      }
    }
    const root = parts[0];
    if (root !== 'data' && root !== 'input') continue; // rego.v1, future.keywords…: no-ops
    const alias = imp.alias ?? parts[parts.length - 1];
    if (alias && alias !== root) out.set(alias, parts);
    else if (alias === 'input' && parts.length === 1) continue;
  }
  return out;
}

/** collectMocked records builtin names used as `with` targets (they may never run for real). */
function collectMocked(ctx: CheckContext): void {
  const visitWith = (w: WithModifier) => {
    const name = dottedName(w.target);
    if (name && (BUILTINS[name.join('.')] || ctx.hostBuiltins[name.join('.')])) ctx.mockedBuiltins.add(name.join('.'));
  };
  const visitBody = (b: Body): void => {
    for (const e of b.exprs) {
      if (e.kind === 'term' || e.kind === 'someIn' || e.kind === 'every') e.with.forEach(visitWith);
      if (e.kind === 'every' || e.kind === 'notBody') visitBody(e.body);
    }
  };
  for (const r of ctx.rules) {
    visitBody(r.rule.body);
    for (let el = r.rule.else; el; el = el.else) visitBody(el.body);
  }
}

/** dottedName returns `a.b.c` parts for a var or an all-string ref rooted at a var. */
function dottedName(t: Term): string[] | undefined {
  if (t.kind === 'var') return [t.name];
  if (t.kind !== 'ref' || t.head.kind !== 'var') return undefined;
  const out = [t.head.name];
  for (const p of t.path) {
    if (p.kind !== 'string') return undefined;
    out.push(p.value);
  }
  return out;
}

function refOf(path: readonly string[], rest: readonly Term[], like: Term): Term {
  const loc = like.loc;
  const [root, ...segs] = path;
  if (segs.length === 0 && rest.length === 0) return { kind: 'var', name: root ?? 'data', loc };
  return {
    kind: 'ref',
    head: { kind: 'var', name: root ?? 'data', loc },
    path: [...segs.map((s) => ({ kind: 'string' as const, value: s, raw: false, loc })), ...rest],
    loc,
  };
}

class Resolver {
  private readonly ctx: CheckContext;
  private readonly globals: Globals;
  /** v1: the module is Rego v1 (or v0 importing rego.v1), where deprecated builtins are errors. */
  private readonly v1: boolean;

  constructor(ctx: CheckContext, globals: Globals, v1: boolean) {
    this.ctx = ctx;
    this.globals = globals;
    this.v1 = v1;
  }

  rule(rule: Rule): Rule {
    const shadowed = (rule.head.args ?? []).map(rootArg).find((n) => n !== undefined);
    if (shadowed !== undefined) {
      // v1 modules get this from the parser, at the argument
      if (!this.v1) report(this.ctx, 'rego_compile_error', `args must not shadow ${shadowed} (use a different variable name)`, rule.loc);
      return rule;
    }
    const argVars = new Set<string>();
    for (const a of rule.head.args ?? []) for (const v of varsOfTerm(a)) argVars.add(v);
    const scope = union(argVars, declaredVars(rule.body));
    const head = rule.head;
    const newHead = {
      ...head,
      ref: [head.ref[0] as Term, ...head.ref.slice(1).map((t) => this.term(t, scope))],
      ...(head.value ? { value: this.term(head.value, scope) } : {}),
      ...(head.contains ? { contains: this.term(head.contains, scope) } : {}),
    };
    const out: Rule = { ...rule, head: newHead, body: this.body(rule.body, scope) };
    if (!rule.else) return out;
    const elseOf = (el: NonNullable<Rule['else']>): NonNullable<Rule['else']> => {
      const s = union(argVars, declaredVars(el.body));
      return {
        ...el,
        ...(el.value ? { value: this.term(el.value, s) } : {}),
        body: this.body(el.body, s),
        ...(el.else ? { else: elseOf(el.else) } : {}),
      };
    };
    return { ...out, else: elseOf(rule.else) };
  }

  body(b: Body, scope: ReadonlySet<string>): Body {
    return { ...b, exprs: b.exprs.map((e) => this.expr(e, scope)) };
  }

  expr(e: Expr, scope: ReadonlySet<string>): Expr {
    switch (e.kind) {
      case 'term': {
        const ws = e.with.map((w) => this.with(w, scope));
        if (e.term.kind === 'call') {
          const call = this.call(e.term, scope, true);
          return { ...e, term: call, with: ws };
        }
        return { ...e, term: this.term(e.term, scope), with: ws };
      }
      case 'some':
        return e;
      case 'someIn':
        return {
          ...e,
          ...(e.key ? { key: this.term(e.key, scope) } : {}),
          value: this.term(e.value, scope),
          collection: this.term(e.collection, scope),
          with: e.with.map((w) => this.with(w, scope)),
        };
      case 'every': {
        const inner = union(scope, new Set([...(e.key ? [e.key.name] : []), e.value.name]), declaredVars(e.body));
        return { ...e, domain: this.term(e.domain, scope), body: this.body(e.body, inner), with: e.with.map((w) => this.with(w, scope)) };
      }
      case 'notBody':
        return { ...e, body: this.body(e.body, union(scope, declaredVars(e.body))) };
      default:
        return assertNever(e);
    }
  }

  term(t: Term, scope: ReadonlySet<string>): Term {
    switch (t.kind) {
      case 'null':
      case 'boolean':
      case 'number':
      case 'string':
        return t;
      case 'var': {
        const g = !scope.has(t.name) ? this.globals.get(t.name) : undefined;
        return g ? refOf(g, [], t) : t;
      }
      case 'ref': {
        const path = t.path.map((p) => this.term(p, scope));
        if (t.head.kind === 'var') {
          const g = !scope.has(t.head.name) ? this.globals.get(t.head.name) : undefined;
          if (g) return { ...refOf(g, path, t), loc: t.loc };
          return { ...t, path };
        }
        return { ...t, head: this.term(t.head, scope), path };
      }
      case 'array':
        return { ...t, items: t.items.map((i) => this.term(i, scope)) };
      case 'set':
        return { ...t, items: t.items.map((i) => this.term(i, scope)) };
      case 'object':
        return { ...t, entries: t.entries.map(([k, v]) => [this.term(k, scope), this.term(v, scope)] as const) };
      case 'arrayCompr':
      case 'setCompr': {
        const s = union(scope, declaredVars(t.body));
        return { ...t, head: this.term(t.head, s), body: this.body(t.body, s) };
      }
      case 'objectCompr': {
        const s = union(scope, declaredVars(t.body));
        return { ...t, key: this.term(t.key, s), value: this.term(t.value, s), body: this.body(t.body, s) };
      }
      case 'call':
        return this.call(t, scope, false);
      default:
        return assertNever(t);
    }
  }

  /** call resolves the callee, checks it, and (top level only) rewrites an output argument. */
  call(t: CallTerm, scope: ReadonlySet<string>, topLevel: boolean): Term {
    const args = t.args.map((a) => this.term(a, scope));
    const fn = t.operator ? t.fn : this.callee(t.fn);
    const call: CallTerm = { ...t, fn, args };
    const name = fn.join('.');
    let arity: number;
    let user = false;
    if (fn[0] === 'data') {
      const a = functionArity(this.ctx, fn);
      if (a === undefined) {
        report(this.ctx, 'rego_type_error', `undefined function ${name}`, t.loc);
        return call;
      }
      arity = a;
      user = true;
    } else {
      const host = this.ctx.hostBuiltins[name];
      const decl = BUILTINS[name];
      if (!host && !decl) {
        report(this.ctx, 'rego_type_error', `undefined function ${name}`, t.loc);
        return call;
      }
      if (decl?.variadic) return call;
      arity = host ? host.arity : (decl?.arity ?? 0);
    }
    const n = args.length;
    if (n !== arity && !(n === arity + 1 && topLevel)) {
      const msg = user ? `function ${name} has arity ${arity}, got ${n} argument${n === 1 ? '' : 's'}` : `${name}: arity mismatch`;
      report(this.ctx, 'rego_type_error', msg, t.loc);
      return call;
    }
    if (!user && this.v1 && BUILTINS[name]?.deprecated) {
      report(this.ctx, 'rego_type_error', `deprecated built-in function calls in expression: ${name}`, t.loc);
      return call;
    }
    if (!user) this.checkSupported(name, t);
    if (n === arity + 1) {
      const out = args[n - 1] as Term;
      const inner: CallTerm = { ...call, args: args.slice(0, n - 1) };
      return { kind: 'call', fn: ['eq'], operator: '=', args: [out, inner], loc: t.loc };
    }
    return call;
  }

  private checkSupported(name: string, t: CallTerm): void {
    if (name === 'eq' || name === 'assign') return;
    if (
      this.ctx.hostBuiltins[name] ||
      isNativeBuiltin(name) ||
      isSdkBuiltin(name) ||
      isLoaderBuiltin(name) ||
      this.ctx.mockedBuiltins.has(name)
    )
      return;
    report(this.ctx, 'rego_type_error', `unsupported builtin: ${name} (not implemented natively; supply it as a host builtin)`, t.loc);
  }

  private callee(fn: readonly string[]): readonly string[] {
    const g = fn[0] !== undefined ? this.globals.get(fn[0]) : undefined;
    return g ? [...g, ...fn.slice(1)] : fn;
  }

  /** with validates the target and resolves the value (a function reference when the target is a function). */
  with(w: WithModifier, scope: ReadonlySet<string>): WithModifier {
    const parts = dottedName(w.target);
    const root = w.target.kind === 'ref' && w.target.head.kind === 'var' ? w.target.head.name : parts?.[0];
    if (root === 'input' || root === 'data') {
      return { ...w, target: this.term(w.target, new Set()), value: this.term(w.value, scope) };
    }
    const bad = () => {
      report(this.ctx, 'rego_type_error', 'with keyword target must reference existing input, data, or a function', w.target.loc);
      return { ...w, value: this.term(w.value, scope) };
    };
    if (!parts) return bad();
    let target: Term = w.target;
    let targetArity: number | undefined;
    const g = this.globals.get(parts[0] as string);
    if (g) {
      const full = [...g, ...parts.slice(1)];
      target = refOf(full, [], w.target);
      targetArity = functionArity(this.ctx, full);
      if (targetArity === undefined && full[0] !== 'data' && full[0] !== 'input') return bad();
      if (targetArity === undefined) return { ...w, target, value: this.term(w.value, scope) };
    } else {
      const name = parts.join('.');
      const decl = this.ctx.hostBuiltins[name] ?? BUILTINS[name];
      if (!decl) return bad();
      targetArity = decl.arity;
    }
    const value = this.functionValue(w.value, scope);
    if (value.arity !== undefined && value.arity !== targetArity) {
      report(
        this.ctx,
        'rego_type_error',
        `with keyword replacement arity mismatch: ${parts.join('.')} has arity ${targetArity}, ${value.name} has arity ${value.arity}`,
        w.value.loc,
      );
    }
    return { ...w, target, value: value.term };
  }

  private functionValue(v: Term, scope: ReadonlySet<string>): { term: Term; arity?: number; name?: string } {
    const parts = dottedName(v);
    if (parts && !scope.has(parts[0] as string)) {
      const g = this.globals.get(parts[0] as string);
      const full = g ? [...g, ...parts.slice(1)] : parts;
      const userArity = full[0] === 'data' ? functionArity(this.ctx, full) : undefined;
      if (userArity !== undefined) return { term: refOf(full, [], v), arity: userArity, name: full.join('.') };
      const name = parts.join('.');
      const decl = g ? undefined : (this.ctx.hostBuiltins[name] ?? BUILTINS[name]);
      if (decl && !('variadic' in decl && decl.variadic)) return { term: v, arity: decl.arity, name };
    }
    return { term: this.term(v, scope) };
  }
}

/** rootArg names the root document (`data`, `input`) a function argument pattern would shadow, as OPA's compiler looks for one (object values and arrays, not sets, comprehensions or calls). */
function rootArg(t: Term): string | undefined {
  switch (t.kind) {
    case 'var':
      return t.name === 'data' || t.name === 'input' ? t.name : undefined;
    case 'array':
      return t.items.map(rootArg).find((n) => n !== undefined);
    case 'object':
      return t.entries.map(([, v]) => rootArg(v)).find((n) => n !== undefined);
    default:
      return undefined;
  }
}

function union(...sets: ReadonlySet<string>[]): Set<string> {
  const out = new Set<string>();
  for (const s of sets) for (const x of s) out.add(x);
  return out;
}
