// Bodies and expressions: a conjunction is planned continuation-style (expression i, then i+1…
// nested wherever i iterates). Handles term expressions, `not`, `some … in`, `every` and
// `not { … }`; `with` modifiers are delegated to with.ts.

import { assertNever } from '../diagnostics/index.js';
import type { EveryExpr, Expr, SomeInExpr, Term, TermExpr } from '../ast/nodes.js';
import type { Stmt } from '../ir/nodes.js';
import { bindVar, constOp, containsScan, failStmt, localOp, newLocal, toLocal } from './context.js';
import type { Cont, Scope } from './context.js';
import { planTerm, unifyOperand } from './terms.js';
import { planWith } from './with.js';
import { coverMark, explainProbe } from './instrument.js';

/** planBody plans exprs in order; the continuation runs once per solution. */
export function planBody(exprs: readonly Expr[], s: Scope, k: Cont): Stmt[] {
  const go = (i: number, sc: Scope): Stmt[] => (i === exprs.length ? k(sc) : planExpr(exprs[i] as Expr, sc, (s2) => go(i + 1, s2)));
  return go(0, s);
}

/** planExpr plans one expression (with its `with` modifiers). */
export function planExpr(e: Expr, s: Scope, k: Cont): Stmt[] {
  const sl = { ...s, loc: e.loc };
  if (e.kind === 'some') return k(s);
  return [...coverMark(sl, e.loc), ...planEvaluated(e, sl, k)];
}

function planEvaluated(e: Exclude<Expr, { kind: 'some' }>, sl: Scope, k: Cont): Stmt[] {
  switch (e.kind) {
    case 'term':
      return planWith(e.with, sl, (s2, kk) => [...explainProbe(e, s2), ...planTermExpr(e, s2, kk)], k);
    case 'someIn':
      return planWith(e.with, sl, (s2, kk) => [...explainProbe(e, s2), ...planSomeIn(e, s2, kk)], k);
    case 'every':
      return planWith(e.with, sl, (s2, kk) => [...explainProbe(e, s2), ...planEvery(e, s2, kk)], k);
    case 'notBody':
      return planNot(sl, (s2, kk) => planBody(e.body.exprs, s2, kk), k);
    default:
      return assertNever(e);
  }
}

function planTermExpr(e: TermExpr, s: Scope, k: Cont): Stmt[] {
  const positive = (sc: Scope, kk: Cont): Stmt[] => planTermTruthy(e.term, sc, kk);
  return e.negated ? planNot(s, positive, k) : positive(s, k);
}

/** planTermTruthy plans a term used as an expression: undefined when its value is undefined or false. */
export function planTermTruthy(t: Term, s: Scope, k: Cont): Stmt[] {
  return planTerm(t, s, (op, s2) => {
    if (op.kind === 'const') return s2.ctx.constants[op.index] === 'false' ? [failStmt(s2)] : k(s2);
    return [{ kind: 'isDefined', source: op.local }, { kind: 'notEqual', a: op, b: constOp(s2.ctx, 'false') }, ...k(s2)];
  });
}

/**
 * planNot negates `inner`: without iteration a NotStmt around it; with iteration a flag set by
 * any solution, tested after the loop. Bindings made inside never escape.
 */
export function planNot(s: Scope, inner: (s: Scope, k: Cont) => Stmt[], k: Cont): Stmt[] {
  const flag = newLocal(s);
  const stmts = inner(s, () => [{ kind: 'assign', source: constOp(s.ctx, 'true'), target: flag }]);
  if (!containsScan(stmts)) return [{ kind: 'not', block: { stmts } }, ...k(s)];
  return [{ kind: 'reset', target: flag }, { kind: 'block', blocks: [{ stmts }] }, { kind: 'isUndefined', source: flag }, ...k(s)];
}

function planSomeIn(e: SomeInExpr, s: Scope, k: Cont): Stmt[] {
  return planTerm(e.collection, s, (op, s2) => {
    const out: Stmt[] = [];
    const src = toLocal(s2, op, out);
    const key = newLocal(s2);
    const value = newLocal(s2);
    const bindValue = (sc: Scope) => unifyOperand(e.value, localOp(value), sc, k);
    const inner = e.key ? unifyOperand(e.key, localOp(key), s2, bindValue) : bindValue(s2);
    return [...out, { kind: 'scan', source: src, key, value, block: { stmts: inner } }];
  });
}

/** planEvery: true when the body holds for every element (a flag marks an element where it fails). */
function planEvery(e: EveryExpr, s: Scope, k: Cont): Stmt[] {
  return planTerm(e.domain, s, (op, s2) => {
    const out: Stmt[] = [];
    const src = toLocal(s2, op, out);
    const key = newLocal(s2);
    const value = newLocal(s2);
    const failed = newLocal(s2);
    let inner = bindVar(s2, e.value.name, value);
    if (e.key) inner = bindVar(inner, e.key.name, key);
    const check = planNot(
      inner,
      (sc, kk) => planBodyExprs(e, sc, kk),
      () => [{ kind: 'assign', source: constOp(s2.ctx, 'true'), target: failed }],
    );
    return [
      ...out,
      { kind: 'reset', target: failed },
      { kind: 'scan', source: src, key, value, block: { stmts: check } },
      { kind: 'isUndefined', source: failed },
      ...k(s2),
    ];
  });
}

function planBodyExprs(e: EveryExpr, s: Scope, k: Cont): Stmt[] {
  return planBody(e.body.exprs, s, k);
}
