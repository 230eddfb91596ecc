// Stage `checkSafety`: OPA's reorder-for-safety. Each body's expressions are reordered so that
// the vars an expression needs (builtin inputs, comparisons, negations, closures' captured vars,
// `with` values) are bound by earlier ones; vars still unbound are reported as
// `var x is unsafe` (rego_unsafe_var_error), once per var. Rule head vars must be bound by the body.
// In/out: CheckContext rules (bodies reordered, recursively into closures).

import type { Body, Expr, Rule, Term, WithModifier } from '../ast/index.js';
import { varsOfTerm, walkTerms } from '../ast/index.js';
import { BUILTINS } from '../builtins/index.js';
import { assertNever } from '../diagnostics/index.js';
import type { Location } from '../diagnostics/index.js';
import type { CheckContext } from './context.js';
import { originalName, report } from './context.js';
import { analyzeExpr, closuresOf, isRoot, varsOutside } from './safety-analysis.js';
import type { SafetyEnv } from './safety-analysis.js';

/** checkSafety reorders every body and reports unsafe vars (see file header). */
export function checkSafety(ctx: CheckContext): void {
  ctx.rules = ctx.rules.map((cr) => ({ ...cr, rule: new RuleSafety(ctx, cr.rule).run() }));
}

class RuleSafety {
  private readonly ctx: CheckContext;
  private readonly rule: Rule;
  private readonly reported = new Set<string>();
  private readonly env: SafetyEnv;
  private generated = 0;

  constructor(ctx: CheckContext, rule: Rule) {
    this.ctx = ctx;
    this.rule = rule;
    this.env = { isFunctionValue: (w) => this.isFunctionValue(w) };
  }

  run(): Rule {
    const rule = this.rule;
    const args = new Set<string>();
    for (const a of rule.head.args ?? []) for (const v of varsOfTerm(a, { closures: true })) args.add(v);
    const headTerms = [
      ...rule.head.ref.slice(1),
      ...(rule.head.value ? [rule.head.value] : []),
      ...(rule.head.contains ? [rule.head.contains] : []),
    ];
    const main = this.body(rule.body, args, args);
    const head = this.checkHead(rule.head.loc, headTerms, main, args);
    const newHead = {
      ...rule.head,
      ref: [rule.head.ref[0] as Term, ...rule.head.ref.slice(1).map((t) => head.get(t) ?? t)],
      ...(rule.head.value ? { value: head.get(rule.head.value) ?? rule.head.value } : {}),
      ...(rule.head.contains ? { contains: head.get(rule.head.contains) ?? rule.head.contains } : {}),
    };
    const elseOf = (el: NonNullable<Rule['else']>): NonNullable<Rule['else']> => {
      const b = this.body(el.body, args, args);
      const m = this.checkHead(el.loc, el.value ? [el.value] : [], b, args);
      return {
        ...el,
        body: b.body,
        ...(el.value ? { value: m.get(el.value) ?? el.value } : {}),
        ...(el.else ? { else: elseOf(el.else) } : {}),
      };
    };
    const out: Rule = { ...rule, head: newHead, body: main.body };
    return rule.else ? { ...out, else: elseOf(rule.else) } : out;
  }

  /**
   * checkHead requires head vars to be bound by the body. A head term whose only unbound vars
   * are bound by its own refs (`q := xs[_]`) moves into the body as `$hN = term` (as OPA does).
   * Closures in head terms are reordered. `b` is updated in place.
   */
  private checkHead(
    loc: Location,
    terms: readonly Term[],
    b: { body: Body; safe: Set<string> },
    outer: ReadonlySet<string>,
  ): Map<Term, Term> {
    const out = new Map<Term, Term>();
    const known = new Set([...outer, ...b.safe]);
    for (const t of terms) {
      let term = t;
      const unbound = [...varsOutside(t)].filter((v) => !b.safe.has(v));
      if (unbound.length > 0) {
        const h: Term = { kind: 'var', name: `$h${this.generated++}`, loc: t.loc };
        const e: Expr = {
          kind: 'term',
          term: { kind: 'call', fn: ['eq'], operator: '=', args: [h, t], loc: t.loc },
          negated: false,
          with: [],
          loc: t.loc,
        };
        const a = analyzeExpr(e, b.safe, this.env);
        if (unbound.every((v) => a.outputs.has(v))) {
          for (const v of a.outputs) b.safe.add(v);
          b.body = { ...b.body, exprs: [...b.body.exprs, this.exprClosures(e, b.safe, known)] };
          out.set(t, h);
          continue;
        }
        for (const v of unbound) this.unsafe(v, loc);
      }
      for (const c of closuresOf(term)) for (const v of this.captured(c, known)) if (!b.safe.has(v)) this.unsafe(v, loc);
      term = this.closures(term, b.safe, known);
      out.set(t, term);
    }
    return out;
  }

  private unsafe(name: string, loc: Location): void {
    if (isRoot(name) || this.reported.has(name)) return;
    this.reported.add(name);
    report(this.ctx, 'rego_unsafe_var_error', `var ${originalName(name)} is unsafe`, loc);
  }

  /** captured returns the vars of a closure that belong to an enclosing scope (`known`). */
  private captured(t: Term | Expr, known: ReadonlySet<string>): Set<string> {
    const out = new Set<string>();
    for (const v of varsOfTerm(t, { closures: true })) if (known.has(v)) out.add(v);
    return out;
  }

  /**
   * body reorders one body given the vars already safe and the vars of enclosing scopes;
   * returns the reordered body and the vars safe after it.
   */
  private body(b: Body, safe0: ReadonlySet<string>, outer: ReadonlySet<string>): { body: Body; safe: Set<string> } {
    const known = new Set(outer);
    for (const e of b.exprs) for (const v of varsOutside(e)) known.add(v);
    const safe = new Set(safe0);
    const remaining = b.exprs.map((e, i) => ({ e, i }));
    const placed: { e: Expr; before: Set<string> }[] = [];
    for (let progress = true; progress && remaining.length > 0; ) {
      progress = false;
      for (let k = 0; k < remaining.length; ) {
        const { e } = remaining[k] as { e: Expr };
        const a = analyzeExpr(e, safe, this.env);
        for (const c of closuresOf(e)) for (const v of this.captured(c, known)) a.needed.add(v);
        if ([...a.needed].every((v) => safe.has(v) || a.outputs.has(v))) {
          placed.push({ e, before: new Set(safe) });
          for (const v of a.outputs) safe.add(v);
          remaining.splice(k, 1);
          progress = true;
        } else k++;
      }
    }
    for (const { e } of remaining) {
      const a = analyzeExpr(e, safe, this.env);
      for (const c of closuresOf(e)) for (const v of this.captured(c, known)) a.needed.add(v);
      for (const v of a.needed) if (!safe.has(v) && !a.outputs.has(v)) this.unsafe(v, firstLoc(e, v) ?? e.loc);
      placed.push({ e, before: new Set(safe) });
    }
    const exprs = placed.map(({ e, before }) => this.exprClosures(e, before, known));
    return { body: { ...b, exprs }, safe };
  }

  /** exprClosures reorders the closures (comprehensions, every/not bodies) inside one placed expression. */
  private exprClosures(e: Expr, safe: ReadonlySet<string>, known: ReadonlySet<string>): Expr {
    const t = (x: Term) => this.closures(x, safe, known);
    const ws = (w: readonly WithModifier[]) => w.map((m) => ({ ...m, value: t(m.value) }));
    switch (e.kind) {
      case 'term':
        return { ...e, term: t(e.term), with: ws(e.with) };
      case 'some':
        return e;
      case 'someIn':
        return { ...e, collection: t(e.collection), with: ws(e.with) };
      case 'every': {
        const kv = new Set([...(e.key ? [e.key.name] : []), e.value.name]);
        const inner = this.body(e.body, new Set([...safe, ...kv]), new Set([...known, ...kv]));
        return { ...e, domain: t(e.domain), body: inner.body, with: ws(e.with) };
      }
      case 'notBody':
        return { ...e, body: this.body(e.body, safe, known).body };
      default:
        return assertNever(e);
    }
  }

  /**
   * evalHead moves a comprehension head whose unbound vars its own refs bind (`[xs[_] | true]`)
   * into the body as `$hN = head`, as OPA rewrites comprehension terms that need evaluation;
   * `inner` is updated in place. Other heads are returned unchanged.
   */
  private evalHead(head: Term, inner: { body: Body; safe: Set<string> }, known: ReadonlySet<string>): Term {
    const unbound = [...varsOutside(head)].filter((v) => !inner.safe.has(v));
    if (unbound.length === 0) return head;
    const h: Term = { kind: 'var', name: `$h${this.generated++}`, loc: head.loc };
    const e: Expr = {
      kind: 'term',
      term: { kind: 'call', fn: ['eq'], operator: '=', args: [h, head], loc: head.loc },
      negated: false,
      with: [],
      loc: head.loc,
    };
    const a = analyzeExpr(e, inner.safe, this.env);
    if (!unbound.every((v) => a.outputs.has(v))) return head;
    inner.body = { ...inner.body, exprs: [...inner.body.exprs, this.exprClosures(e, inner.safe, known)] };
    for (const v of a.outputs) inner.safe.add(v);
    return h;
  }

  /** closures rebuilds a term with each comprehension body reordered. */
  private closures(t: Term, safe: ReadonlySet<string>, known: ReadonlySet<string>): Term {
    if (!closuresOf(t).length) return t;
    switch (t.kind) {
      case 'arrayCompr':
      case 'setCompr': {
        const inner = this.body(t.body, safe, known);
        const k2 = new Set([...known, ...varsOfTerm(t.body)]);
        const head = this.evalHead(t.head, inner, k2);
        for (const v of varsOutside(head)) if (!inner.safe.has(v)) this.unsafe(v, firstLoc(t.head, v) ?? t.loc);
        return { ...t, head: this.closures(head, inner.safe, k2), body: inner.body };
      }
      case 'objectCompr': {
        const inner = this.body(t.body, safe, known);
        const k2 = new Set([...known, ...varsOfTerm(t.body)]);
        const key = this.evalHead(t.key, inner, k2);
        const value = this.evalHead(t.value, inner, k2);
        for (const v of [...varsOutside(key), ...varsOutside(value)]) {
          if (!inner.safe.has(v)) this.unsafe(v, firstLoc(t, v) ?? t.loc);
        }
        return { ...t, key: this.closures(key, inner.safe, k2), value: this.closures(value, inner.safe, k2), body: inner.body };
      }
      case 'ref':
        return { ...t, head: this.closures(t.head, safe, known), path: t.path.map((p) => this.closures(p, safe, known)) };
      case 'array':
        return { ...t, items: t.items.map((i) => this.closures(i, safe, known)) };
      case 'set':
        return { ...t, items: t.items.map((i) => this.closures(i, safe, known)) };
      case 'object':
        return { ...t, entries: t.entries.map(([k, v]) => [this.closures(k, safe, known), this.closures(v, safe, known)] as const) };
      case 'call':
        return { ...t, args: t.args.map((a) => this.closures(a, safe, known)) };
      default:
        return t;
    }
  }

  /** isFunctionValue tells whether a `with` value names a function (not a var to bind). */
  private isFunctionValue(w: WithModifier): boolean {
    const root =
      w.target.kind === 'var' ? w.target.name : w.target.kind === 'ref' && w.target.head.kind === 'var' ? w.target.head.name : '';
    if (root === 'input') return false;
    const v = w.value;
    const parts: string[] = [];
    if (v.kind === 'var') parts.push(v.name);
    else if (v.kind === 'ref' && v.head.kind === 'var' && v.path.every((p) => p.kind === 'string')) {
      parts.push(v.head.name, ...v.path.map((p) => (p.kind === 'string' ? p.value : '')));
    } else return false;
    const name = parts.join('.');
    return parts[0] !== 'data' && (BUILTINS[name] !== undefined || this.ctx.hostBuiltins[name] !== undefined);
  }
}

function firstLoc(node: Term | Expr, name: string): Location | undefined {
  let loc: Location | undefined;
  walkTerms(node, (t) => {
    if (loc) return true;
    if (t.kind === 'var' && t.name === name) loc = t.loc;
    return undefined;
  });
  return loc;
}
