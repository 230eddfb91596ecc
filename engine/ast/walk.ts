// Generic AST helpers shared by the checker and the planner: visiting terms, rebuilding trees
// with a mapping function, and collecting variables. In: AST nodes (engine/ast/nodes.ts).
// Out: visits, rebuilt nodes, var-name sets. Pure; nothing here reports diagnostics.

import type { Body, ElseClause, Expr, Rule, RuleHead, Term, VarTerm, WithModifier } from './nodes.js';
import { assertNever } from '../diagnostics/index.js';

/** Visitor is called on each term; returning `true` skips that term's children. */
// biome-ignore lint/suspicious/noConfusingVoidType: a visitor that never skips may be a plain void function
export type Visitor = (t: Term) => boolean | void;

/** Walkable is any node the walkers accept. */
export type Walkable = Term | Expr | Body | WithModifier | Rule | RuleHead | ElseClause;

/** isTerm tells a Term from the other walkable nodes. */
export function isTerm(n: Walkable): n is Term {
  switch ((n as { kind?: string }).kind) {
    case 'null':
    case 'boolean':
    case 'number':
    case 'string':
    case 'var':
    case 'ref':
    case 'array':
    case 'object':
    case 'set':
    case 'arrayCompr':
    case 'setCompr':
    case 'objectCompr':
    case 'call':
      return true;
    default:
      return false;
  }
}

/** walkTerms visits every term under `node` (pre-order), including comprehension and every bodies. */
export function walkTerms(node: Walkable, fn: Visitor): void {
  if (isTerm(node)) return walkTerm(node, fn);
  const n = node as Expr | Body | WithModifier | Rule | RuleHead | ElseClause;
  if ('exprs' in n) {
    for (const e of n.exprs) walkTerms(e, fn);
    return;
  }
  if ('kind' in n) {
    switch (n.kind) {
      case 'rule':
        walkTerms(n.head, fn);
        walkTerms(n.body, fn);
        if (n.else) walkTerms(n.else, fn);
        return;
      case 'with':
        walkTerm(n.target, fn);
        walkTerm(n.value, fn);
        return;
      case 'term':
        walkTerm(n.term, fn);
        for (const w of n.with) walkTerms(w, fn);
        return;
      case 'some':
        for (const v of n.vars) walkTerm(v, fn);
        return;
      case 'someIn':
        if (n.key) walkTerm(n.key, fn);
        walkTerm(n.value, fn);
        walkTerm(n.collection, fn);
        for (const w of n.with) walkTerms(w, fn);
        return;
      case 'every':
        if (n.key) walkTerm(n.key, fn);
        walkTerm(n.value, fn);
        walkTerm(n.domain, fn);
        walkTerms(n.body, fn);
        for (const w of n.with) walkTerms(w, fn);
        return;
      case 'notBody':
        walkTerms(n.body, fn);
        return;
      default:
        return assertNever(n);
    }
  }
  if ('ref' in n) {
    for (const t of n.ref) walkTerm(t, fn);
    for (const t of n.args ?? []) walkTerm(t, fn);
    if (n.value) walkTerm(n.value, fn);
    if (n.contains) walkTerm(n.contains, fn);
    return;
  }
  // ElseClause
  if (n.value) walkTerm(n.value, fn);
  walkTerms(n.body, fn);
  if (n.else) walkTerms(n.else, fn);
}

function walkTerm(t: Term, fn: Visitor): void {
  if (fn(t) === true) return;
  switch (t.kind) {
    case 'null':
    case 'boolean':
    case 'number':
    case 'string':
    case 'var':
      return;
    case 'ref':
      walkTerm(t.head, fn);
      for (const p of t.path) walkTerm(p, fn);
      return;
    case 'array':
    case 'set':
      for (const i of t.items) walkTerm(i, fn);
      return;
    case 'object':
      for (const [k, v] of t.entries) {
        walkTerm(k, fn);
        walkTerm(v, fn);
      }
      return;
    case 'arrayCompr':
    case 'setCompr':
      walkTerm(t.head, fn);
      walkTerms(t.body, fn);
      return;
    case 'objectCompr':
      walkTerm(t.key, fn);
      walkTerm(t.value, fn);
      walkTerms(t.body, fn);
      return;
    case 'call':
      for (const a of t.args) walkTerm(a, fn);
      return;
    default:
      return assertNever(t);
  }
}

/** TermMapper returns a replacement for a term (not descended into), or undefined to rebuild its children. */
export type TermMapper = (t: Term) => Term | undefined;

/** mapTerm rebuilds `term` bottom-up, replacing the terms `fn` maps; comprehension bodies are mapped too. */
export function mapTerm(term: Term, fn: TermMapper): Term {
  const r = fn(term);
  if (r !== undefined) return r;
  switch (term.kind) {
    case 'null':
    case 'boolean':
    case 'number':
    case 'string':
    case 'var':
      return term;
    case 'ref':
      return { ...term, head: mapTerm(term.head, fn), path: term.path.map((p) => mapTerm(p, fn)) };
    case 'array':
      return { ...term, items: term.items.map((i) => mapTerm(i, fn)) };
    case 'set':
      return { ...term, items: term.items.map((i) => mapTerm(i, fn)) };
    case 'object':
      return { ...term, entries: term.entries.map(([k, v]) => [mapTerm(k, fn), mapTerm(v, fn)] as const) };
    case 'arrayCompr':
      return { ...term, head: mapTerm(term.head, fn), body: mapBody(term.body, fn) };
    case 'setCompr':
      return { ...term, head: mapTerm(term.head, fn), body: mapBody(term.body, fn) };
    case 'objectCompr':
      return { ...term, key: mapTerm(term.key, fn), value: mapTerm(term.value, fn), body: mapBody(term.body, fn) };
    case 'call':
      return { ...term, args: term.args.map((a) => mapTerm(a, fn)) };
    default:
      return assertNever(term);
  }
}

/** mapBody applies mapTerm to every term of every expression of a body. */
export function mapBody(body: Body, fn: TermMapper): Body {
  return { ...body, exprs: body.exprs.map((e) => mapExpr(e, fn)) };
}

/** mapExpr applies mapTerm to every term of one expression (with modifiers included). */
export function mapExpr(e: Expr, fn: TermMapper): Expr {
  const mw = (ws: readonly WithModifier[]) => ws.map((w) => ({ ...w, target: mapTerm(w.target, fn), value: mapTerm(w.value, fn) }));
  switch (e.kind) {
    case 'term':
      return { ...e, term: mapTerm(e.term, fn), with: mw(e.with) };
    case 'some':
      return { ...e, vars: e.vars.map((v) => asVar(mapTerm(v, fn), v)) };
    case 'someIn':
      return {
        ...e,
        ...(e.key ? { key: mapTerm(e.key, fn) } : {}),
        value: mapTerm(e.value, fn),
        collection: mapTerm(e.collection, fn),
        with: mw(e.with),
      };
    case 'every':
      return {
        ...e,
        ...(e.key ? { key: asVar(mapTerm(e.key, fn), e.key) } : {}),
        value: asVar(mapTerm(e.value, fn), e.value),
        domain: mapTerm(e.domain, fn),
        body: mapBody(e.body, fn),
        with: mw(e.with),
      };
    case 'notBody':
      return { ...e, body: mapBody(e.body, fn) };
    default:
      return assertNever(e);
  }
}

function asVar(t: Term, fallback: VarTerm): VarTerm {
  return t.kind === 'var' ? t : fallback;
}

/** VarOptions selects which vars the collectors report. */
export type VarOptions = {
  /** Descend into comprehension and every bodies (default false). */
  readonly closures?: boolean;
  /** Report the root vars `data` and `input` (default false). */
  readonly roots?: boolean;
};

/** varsOfTerm returns the names of the VarTerms in `t`, in first-seen order. */
export function varsOfTerm(t: Walkable, opts: VarOptions = {}): Set<string> {
  const out = new Set<string>();
  collectVars(t, opts, out);
  return out;
}

/** varsOfExpr returns the var names of one expression (closures per opts). */
export function varsOfExpr(e: Expr, opts: VarOptions = {}): Set<string> {
  return varsOfTerm(e, opts);
}

function collectVars(node: Walkable, opts: VarOptions, out: Set<string>): void {
  if (!opts.closures && !isTerm(node) && (node as Expr).kind === 'every') {
    const ev = node as Extract<Expr, { kind: 'every' }>;
    collectVars(ev.domain, opts, out);
    for (const w of ev.with) collectVars(w, opts, out);
    return;
  }
  if (!opts.closures && !isTerm(node) && (node as Expr).kind === 'notBody') return;
  walkTerms(node, (t) => {
    if (t.kind === 'var') {
      if (opts.roots || (t.name !== 'data' && t.name !== 'input')) out.add(t.name);
      return;
    }
    if (!opts.closures && (t.kind === 'arrayCompr' || t.kind === 'setCompr' || t.kind === 'objectCompr')) return true;
    return;
  });
}

/** isGround tells whether a term contains no variables at all (refs, calls and comprehensions are never ground). */
export function isGround(t: Term): boolean {
  switch (t.kind) {
    case 'null':
    case 'boolean':
    case 'number':
    case 'string':
      return true;
    case 'var':
    case 'ref':
    case 'call':
    case 'arrayCompr':
    case 'setCompr':
    case 'objectCompr':
      return false;
    case 'array':
    case 'set':
      return t.items.every(isGround);
    case 'object':
      return t.entries.every(([k, v]) => isGround(k) && isGround(v));
    default:
      return assertNever(t);
  }
}

/** isClosure tells whether a term is a comprehension. */
export function isClosure(t: Term): boolean {
  return t.kind === 'arrayCompr' || t.kind === 'setCompr' || t.kind === 'objectCompr';
}

/** refConstPrefix returns the leading string path of a ref rooted at a var (`data.a.b[x].c` → ['data','a','b']). */
export function refConstPrefix(t: Term): string[] | undefined {
  if (t.kind === 'var') return [t.name];
  if (t.kind !== 'ref' || t.head.kind !== 'var') return undefined;
  const out = [t.head.name];
  for (const p of t.path) {
    if (p.kind !== 'string') break;
    out.push(p.value);
  }
  return out;
}
