// Instrumentation for tools, planned only when PlanOptions ask for it: host-builtin calls
// (abi.ts INSTRUMENT_BUILTINS) that never change a result. Coverage marks the line of every
// expression that starts evaluating and of every rule head that produces a value (OPA's cover
// tracer counts Eval and Exit events so). Explanation reports, for each top-level expression
// of the rules named in `explain`, the values of its operands on entry, and the rule's value when
// a body succeeds, so a failed test can say which expression failed and why.

import { INSTRUMENT_BUILTINS } from '../abi.js';
import type { Expr, Rule, Term } from '../ast/nodes.js';
import { isGround } from '../ast/index.js';
import type { Location } from '../diagnostics/index.js';
import type { Operand, Stmt } from '../ir/nodes.js';
import { constOp, localOp, newLocal } from './context.js';
import type { Scope } from './context.js';
import { hasUnboundVars, planTerm } from './terms.js';

/** ExplainSite is the constant first argument of an explain call: where the expression is, and where each operand is. */
export type ExplainSite = {
  /** rule is the full rule path (`data.pkg.test_x`); def the offset of the definition (a rule may be defined several times). */
  readonly rule: string;
  readonly def: number;
  /** clause is the body: 0 the rule's own, then its else clauses in order. */
  readonly clause: number;
  /** index is the expression's position in the body; -1 reports the rule's value after the body succeeded. */
  readonly index: number;
  readonly loc: Location;
  /** operands are the source spans of the reported operands, in argument order. */
  readonly operands: readonly Location[];
};

/** coverMark marks `loc`'s line evaluated (nothing unless the build is instrumented for coverage). */
export function coverMark(s: Scope, loc: Location): Stmt[] {
  if (!s.ctx.coverage || loc.file === '') return [];
  return [hostCall(s, INSTRUMENT_BUILTINS.cover, [constOp(s.ctx, JSON.stringify([loc.file, loc.row]))])];
}

/** registerExplained records the top-level expressions of each clause of an explained rule (by identity). */
export function registerExplained(s: Scope, path: string, rule: Rule, clause: (i: number) => readonly Expr[], clauses: number): void {
  if (!s.ctx.explain.has(path)) return;
  const def = rule.loc.offset;
  for (let c = 0; c < clauses; c++) {
    for (const [index, e] of clause(c).entries()) s.ctx.explainSites.set(e, { rule: path, def, clause: c, index });
  }
  s.ctx.explainValues.set(rule, path);
}

/** explainProbe reports an explained expression's operands (those bound and not constant) before it runs. */
export function explainProbe(e: Expr, s: Scope): Stmt[] {
  const at = s.ctx.explainSites.get(e);
  if (at === undefined) return [];
  const operands = operandsOf(e).filter((t) => !isGround(t) && !hasUnboundVars(t, s));
  const site: ExplainSite = { ...at, loc: e.loc, operands: operands.map((t) => t.loc) };
  return [probe(s, site, operands)];
}

/** explainValue reports the value of an explained rule's clause once its body succeeded. */
export function explainValue(s: Scope, rule: Rule, clause: number, value: Term): Stmt[] {
  const path = s.ctx.explainValues.get(rule);
  if (path === undefined) return [];
  return [probe(s, { rule: path, def: rule.loc.offset, clause, index: -1, loc: value.loc, operands: [value.loc] }, [value])];
}

/** operandsOf: a call's arguments (`x == 2`: x and 2), else the term itself; `some … in`/`every`: the collection. */
function operandsOf(e: Expr): Term[] {
  switch (e.kind) {
    case 'term':
      if (e.term.kind === 'call') return e.term.fn.join('.') === 'print' ? [] : [...e.term.args];
      return [e.term];
    case 'someIn':
      return [e.collection];
    case 'every':
      return [e.domain];
    default:
      return [];
  }
}

/** probe evaluates each operand into `[v]` (or `[]` when undefined) and calls explain; never undefined. */
function probe(s: Scope, site: ExplainSite, operands: readonly Term[]): Stmt {
  const arr = newLocal(s);
  const stmts: Stmt[] = [{ kind: 'makeArray', capacity: operands.length, target: arr }];
  for (const t of operands) {
    const item = newLocal(s);
    stmts.push({ kind: 'makeArray', capacity: 1, target: item });
    stmts.push({ kind: 'block', blocks: [{ stmts: planTerm(t, s, (op) => [{ kind: 'arrayAppend', array: item, value: op }]) }] });
    stmts.push({ kind: 'arrayAppend', array: arr, value: localOp(item) });
  }
  const call = hostCall(s, INSTRUMENT_BUILTINS.explain, [constOp(s.ctx, JSON.stringify(site)), localOp(arr)]);
  return { kind: 'block', blocks: [{ stmts: [...stmts, call] }] };
}

/** hostCall calls an instrumentation builtin in its own block, so its answer cannot fail the expression. */
function hostCall(s: Scope, name: string, args: readonly Operand[]): Stmt {
  return { kind: 'block', blocks: [{ stmts: [{ kind: 'builtin', name, args, target: newLocal(s), loc: s.loc }] }] };
}
