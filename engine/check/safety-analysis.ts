// Var analysis for the safety stage: which vars an expression needs bound beforehand, and which
// it binds (outputs) given the vars already safe: unification patterns, ref keys (`xs[i]`),
// `some … in` patterns. In: one expression + safe set. Out: { needed, outputs } name sets.

import type { Expr, Term, WithModifier } from '../ast/index.js';
import { isClosure, varsOfTerm, walkTerms } from '../ast/index.js';
import type { Walkable } from '../ast/index.js';
import { assertNever } from '../diagnostics/index.js';

/** SafetyEnv supplies context the analysis cannot see in the expression itself. */
export type SafetyEnv = {
  /** isFunctionValue tells whether a `with` value is a function reference (needs no binding). */
  readonly isFunctionValue: (w: WithModifier) => boolean;
};

/** ExprVars is what one expression needs and binds. */
export type ExprVars = { needed: Set<string>; outputs: Set<string> };

/** isRoot tells whether a var name is a root document (`data`, `input`). */
export function isRoot(name: string): boolean {
  return name === 'data' || name === 'input';
}

/** varsOutside returns a node's vars outside closures, roots excluded. */
export function varsOutside(n: Walkable): Set<string> {
  return varsOfTerm(n);
}

/** closuresOf lists the outermost closures (comprehensions, every / not bodies) of a node. */
export function closuresOf(n: Term | Expr): (Term | Expr)[] {
  const out: (Term | Expr)[] = [];
  if ('kind' in n && (n.kind === 'every' || n.kind === 'notBody')) return [n];
  walkTerms(n, (t) => {
    if (isClosure(t)) {
      out.push(t);
      return true;
    }
    return undefined;
  });
  return out;
}

/** analyzeExpr computes the needed and output vars of one expression given the safe vars. */
export function analyzeExpr(e: Expr, safe: ReadonlySet<string>, env: SafetyEnv): ExprVars {
  const withNeeds = (ws: readonly WithModifier[], into: Set<string>) => {
    for (const w of ws) if (!env.isFunctionValue(w)) for (const v of varsOutside(w.value)) into.add(v);
  };
  switch (e.kind) {
    case 'term': {
      const needed = varsOutside(e.term);
      withNeeds(e.with, needed);
      const outs = termOutputs(e.term, safe);
      const outputs = e.negated ? new Set([...outs].filter((v) => v.startsWith('$_'))) : outs;
      return { needed, outputs };
    }
    case 'someIn': {
      const needed = varsOutside(e.collection);
      withNeeds(e.with, needed);
      const outputs = termOutputs(e.collection, safe);
      const pat = new Set([...patternVars(e.value), ...(e.key ? patternVars(e.key) : [])]);
      for (const v of [...varsOutside(e.value), ...(e.key ? varsOutside(e.key) : [])]) needed.add(v);
      if ([...varsOutside(e.collection)].every((v) => safe.has(v) || outputs.has(v))) for (const v of pat) outputs.add(v);
      return { needed, outputs };
    }
    case 'every': {
      const needed = varsOutside(e.domain);
      withNeeds(e.with, needed);
      return { needed, outputs: new Set() };
    }
    case 'notBody':
    case 'some':
      return { needed: new Set(), outputs: new Set() };
    default:
      return assertNever(e);
  }
}

/** termOutputs returns the vars a (non-negated) term expression binds, to a fixpoint. */
function termOutputs(t: Term, safe: ReadonlySet<string>): Set<string> {
  const s = new Set(safe);
  const out = new Set<string>();
  const add = (v: string) => {
    if (!s.has(v)) {
      s.add(v);
      out.add(v);
      return true;
    }
    return false;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const v of refOutputs(t, s)) changed = add(v) || changed;
    if (t.kind === 'call' && t.fn.length === 1 && (t.fn[0] === 'eq' || t.fn[0] === 'assign')) {
      const [a, b] = t.args;
      if (a && b) for (const v of unifyOutputs(a, b, s)) changed = add(v) || changed;
    }
  }
  return out;
}

/** refOutputs returns vars in key positions of refs whose heads are safe (`xs[i]` binds i). */
function refOutputs(t: Term, safe: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  walkTerms(t, (x) => {
    if (isClosure(x)) return true;
    if (x.kind !== 'ref') return undefined;
    const headOk =
      x.head.kind === 'var' ? isRoot(x.head.name) || safe.has(x.head.name) : [...varsOutside(x.head)].every((v) => safe.has(v));
    if (!headOk) return undefined;
    for (const p of x.path) for (const v of patternVars(p)) out.add(v);
    return undefined;
  });
  return out;
}

/** unifyOutputs returns the vars bound by unifying a with b given the safe vars. */
function unifyOutputs(a: Term, b: Term, safe: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  const isSafe = (t: Term) => [...varsOutside(t)].every((v) => safe.has(v));
  const u = (x: Term, y: Term): void => {
    if (isSafe(x)) for (const v of patternVars(y)) out.add(v);
    if (isSafe(y)) for (const v of patternVars(x)) out.add(v);
    if (x.kind === 'array' && y.kind === 'array' && x.items.length === y.items.length) {
      for (const [i, xi] of x.items.entries()) u(xi, y.items[i] as Term);
    } else if (x.kind === 'object' && y.kind === 'object') {
      for (const [kx, vx] of x.entries) {
        const m = y.entries.find(([ky]) => sameConst(kx, ky));
        if (m) u(vx, m[1]);
      }
    }
  };
  u(a, b);
  return out;
}

function sameConst(a: Term, b: Term): boolean {
  if (a.kind === 'string' && b.kind === 'string') return a.value === b.value;
  if (a.kind === 'number' && b.kind === 'number') return Number(a.text) === Number(b.text);
  if (a.kind === 'boolean' && b.kind === 'boolean') return a.value === b.value;
  return a.kind === 'null' && b.kind === 'null';
}

/** patternVars returns the vars a term can bind by structure (vars, inside arrays/objects/sets). */
export function patternVars(t: Term): Set<string> {
  const out = new Set<string>();
  const go = (x: Term): void => {
    switch (x.kind) {
      case 'var':
        if (!isRoot(x.name)) out.add(x.name);
        return;
      case 'array':
      case 'set':
        x.items.forEach(go);
        return;
      case 'object':
        for (const [, v] of x.entries) go(v);
        return;
      default:
        return;
    }
  };
  go(t);
  return out;
}
