// Scoping helpers shared by the resolve, locals and safety stages: which vars an expression or
// a body declares (`:=` left-hand sides, `some` declarations, `some … in` patterns).
// In: AST bodies/expressions. Out: var-name sets.

import type { Body, Expr, Term } from '../ast/index.js';
import { varsOfTerm } from '../ast/index.js';

/** isAssign tells whether an expression is `lhs := rhs`. */
export function isAssign(e: Expr): e is Extract<Expr, { kind: 'term' }> & { term: Extract<Term, { kind: 'call' }> } {
  return e.kind === 'term' && e.term.kind === 'call' && e.term.fn.length === 1 && e.term.fn[0] === 'assign';
}

/** declaredVarsOfExpr returns the vars one expression declares in its body's scope. */
export function declaredVarsOfExpr(e: Expr): Set<string> {
  if (isAssign(e)) {
    const lhs = e.term.args[0];
    return lhs ? varsOfTerm(lhs) : new Set();
  }
  if (e.kind === 'some') return new Set(e.vars.map((v) => v.name));
  if (e.kind === 'someIn') {
    const out = varsOfTerm(e.value);
    if (e.key) for (const v of varsOfTerm(e.key)) out.add(v);
    return out;
  }
  return new Set();
}

/** declaredVars returns the vars declared directly in a body (not in nested bodies). */
export function declaredVars(b: Body): Set<string> {
  const out = new Set<string>();
  for (const e of b.exprs) for (const v of declaredVarsOfExpr(e)) out.add(v);
  return out;
}
