// Stage `rewriteLocals`: gives every local variable a name unique within its rule. Declarations
// (`:=`, `some`, `some … in`, every key/value) in nested bodies that shadow a name used elsewhere
// are renamed `x$1`, `x$2`…; `some x` declarations are dropped. Reports OPA's redeclaration errors
// (`var x assigned above`, `var x referenced above`, …). In/out: CheckContext rules.

import type { Body, ElseClause, Expr, Rule, Term, VarTerm, WithModifier } from '../ast/index.js';
import { varsOfTerm, walkTerms } from '../ast/index.js';
import type { Walkable } from '../ast/index.js';
import { assertNever } from '../diagnostics/index.js';
import type { CheckContext } from './context.js';
import { report } from './context.js';
import { isAssign } from './scope.js';

type Occurrence = 'arg' | 'declared' | 'assigned';

/** ROOTS are the root documents; a local of that name hides them within its scope. */
const ROOTS: ReadonlySet<string> = new Set(['data', 'input']);

type Frame = {
  readonly decl: Map<string, string>;
  readonly kinds: Map<string, Occurrence>;
  readonly seen: Set<string>;
  /**
   * Occurrence counts of the region a declaration made now would cover: the rest of the body
   * (from the current expression on) plus the frame's head terms. A declaration is renamed when
   * its name also occurs outside that region (OPA gives every declared var a fresh name).
   */
  readonly rest: Map<string, number>;
};

/** rewriteLocals renames locals of every rule (see file header). */
export function rewriteLocals(ctx: CheckContext): void {
  ctx.rules = ctx.rules.map((cr) => ({ ...cr, rule: new LocalRewriter(ctx, cr.rule).run() }));
}

function countVars(node: Walkable, into = new Map<string, number>()): Map<string, number> {
  walkTerms(node, (t) => {
    if (t.kind === 'var') into.set(t.name, (into.get(t.name) ?? 0) + 1);
  });
  return into;
}

class LocalRewriter {
  private readonly ctx: CheckContext;
  private readonly rule: Rule;
  private readonly totals: Map<string, number>;
  private readonly taken: Set<string>;
  private frames: Frame[] = [];

  constructor(ctx: CheckContext, rule: Rule) {
    this.ctx = ctx;
    this.rule = rule;
    this.totals = countVars(rule);
    this.taken = new Set(this.totals.keys());
  }

  run(): Rule {
    const rule = this.rule;
    const top = () => {
      const f: Frame = { decl: new Map(), kinds: new Map(), seen: new Set(), rest: new Map() };
      for (const a of rule.head.args ?? []) {
        for (const v of varsOfTerm(a)) {
          f.decl.set(v, v);
          f.kinds.set(v, 'arg');
        }
      }
      return f;
    };
    this.frames = [top()];
    const head = rule.head;
    const headCounts = new Map<string, number>();
    for (const t of [...head.ref.slice(1), ...(head.value ? [head.value] : []), ...(head.contains ? [head.contains] : [])])
      countVars(t, headCounts);
    const body = this.body(rule.body, headCounts);
    const newHead = {
      ...head,
      ref: [head.ref[0] as Term, ...head.ref.slice(1).map((t) => this.term(t))],
      ...(head.value ? { value: this.term(head.value) } : {}),
      ...(head.contains ? { contains: this.term(head.contains) } : {}),
    };
    const elseOf = (el: ElseClause): ElseClause => {
      this.frames = [top()];
      const b = this.body(el.body, el.value ? countVars(el.value) : new Map());
      return { ...el, body: b, ...(el.value ? { value: this.term(el.value) } : {}), ...(el.else ? { else: elseOf(el.else) } : {}) };
    };
    const out: Rule = { ...rule, head: newHead, body };
    return rule.else ? { ...out, else: elseOf(rule.else) } : out;
  }

  private get frame(): Frame {
    return this.frames[this.frames.length - 1] as Frame;
  }

  private lookup(name: string): string {
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const got = (this.frames[i] as Frame).decl.get(name);
      if (got !== undefined) return got;
    }
    this.frame.seen.add(name);
    return name;
  }

  private declare(v: VarTerm, kind: Occurrence): void {
    const f = this.frame;
    const prev = f.kinds.get(v.name);
    const msg =
      prev === 'arg'
        ? `arg ${v.name} redeclared`
        : prev === 'assigned'
          ? `var ${v.name} assigned above`
          : prev === 'declared'
            ? `var ${v.name} declared above`
            : f.seen.has(v.name)
              ? `var ${v.name} referenced above`
              : undefined;
    if (msg) {
      report(this.ctx, 'rego_compile_error', msg, v.loc);
      return;
    }
    let name = v.name;
    // a local named `data` or `input` (v0) always gets a fresh name, so that it hides the root document, as OPA renames it
    if (ROOTS.has(name) || (!v.wildcard && (this.totals.get(name) ?? 0) > (f.rest.get(name) ?? 0))) name = this.fresh(name);
    f.decl.set(v.name, name);
    f.kinds.set(v.name, kind);
  }

  private fresh(base: string): string {
    for (let k = 1; ; k++) {
      const n = `${base}$${k}`;
      if (!this.taken.has(n)) {
        this.taken.add(n);
        return n;
      }
    }
  }

  private withFrame<T>(fn: () => T): T {
    this.frames.push({ decl: new Map(), kinds: new Map(), seen: new Set(), rest: new Map() });
    try {
      return fn();
    } finally {
      this.frames.pop();
    }
  }

  /** body rewrites a body in the current frame; `head` counts the frame's head-term vars. */
  private body(b: Body, head: ReadonlyMap<string, number>): Body {
    const rest = this.frame.rest;
    rest.clear();
    for (const [k, n] of head) rest.set(k, n);
    const counts = b.exprs.map((e) => countVars(e));
    for (const c of counts) for (const [k, n] of c) rest.set(k, (rest.get(k) ?? 0) + n);
    const exprs: Expr[] = [];
    b.exprs.forEach((e, i) => {
      const r = this.expr(e);
      if (r) exprs.push(r);
      for (const [k, n] of counts[i] ?? []) rest.set(k, (rest.get(k) ?? 0) - n);
    });
    return { ...b, exprs };
  }

  private declarePattern(t: Term, kind: Occurrence): void {
    walkTerms(t, (x) => {
      if (x.kind === 'var') this.declare(x, kind);
      // refs inside patterns are values, not declarations
      return x.kind === 'ref' || x.kind === 'call' ? true : undefined;
    });
  }

  private expr(e: Expr): Expr | undefined {
    switch (e.kind) {
      case 'some':
        for (const v of e.vars) this.declare(v, 'declared');
        return undefined;
      case 'term': {
        if (isAssign(e)) {
          const [lhs, rhs] = e.term.args as [Term, Term];
          const r = this.term(rhs);
          const w = this.withs(e.with);
          this.declarePattern(lhs, 'assigned');
          return { ...e, term: { ...e.term, args: [this.term(lhs), r] }, with: w };
        }
        return { ...e, term: this.term(e.term), with: this.withs(e.with) };
      }
      case 'someIn': {
        const collection = this.term(e.collection);
        const w = this.withs(e.with);
        if (e.key) this.declarePattern(e.key, 'declared');
        this.declarePattern(e.value, 'declared');
        return { ...e, ...(e.key ? { key: this.term(e.key) } : {}), value: this.term(e.value), collection, with: w };
      }
      case 'every': {
        const domain = this.term(e.domain);
        const w = this.withs(e.with);
        const kv = countVars(e.value);
        if (e.key) countVars(e.key, kv);
        return this.withFrame(() => {
          const rest = this.frame.rest;
          for (const [k, n] of kv) rest.set(k, n);
          countVars(e.body, rest);
          if (e.key) this.declare(e.key, 'declared');
          this.declare(e.value, 'declared');
          const key = e.key ? this.term(e.key) : undefined;
          const value = this.term(e.value);
          const body = this.body(e.body, kv);
          return {
            ...e,
            ...(key && key.kind === 'var' ? { key } : {}),
            value: value.kind === 'var' ? value : e.value,
            domain,
            body,
            with: w,
          };
        });
      }
      case 'notBody':
        return this.withFrame(() => ({ ...e, body: this.body(e.body, new Map()) }));
      default:
        return assertNever(e);
    }
  }

  private withs(ws: readonly WithModifier[]): WithModifier[] {
    return ws.map((w) => ({ ...w, value: this.term(w.value) }));
  }

  private term(t: Term): Term {
    switch (t.kind) {
      case 'null':
      case 'boolean':
      case 'number':
      case 'string':
        return t;
      case 'var': {
        const n = this.lookup(t.name);
        return n === t.name ? t : { ...t, name: n };
      }
      case 'ref':
        return { ...t, head: this.term(t.head), path: t.path.map((p) => this.term(p)) };
      case 'array':
        return { ...t, items: t.items.map((i) => this.term(i)) };
      case 'set':
        return { ...t, items: t.items.map((i) => this.term(i)) };
      case 'object':
        return { ...t, entries: t.entries.map(([k, v]) => [this.term(k), this.term(v)] as const) };
      case 'arrayCompr':
      case 'setCompr':
        return this.withFrame(() => {
          const body = this.body(t.body, countVars(t.head));
          return { ...t, head: this.term(t.head), body };
        });
      case 'objectCompr':
        return this.withFrame(() => {
          const body = this.body(t.body, countVars(t.value, countVars(t.key)));
          return { ...t, key: this.term(t.key), value: this.term(t.value), body };
        });
      case 'call':
        return { ...t, args: t.args.map((a) => this.term(a)) };
      default:
        return assertNever(t);
    }
  }
}
