// Types of the checker's output (CheckedProgram), the planner's input.

import type { Module, Rule, Term } from '../ast/nodes.js';

/** RuleKind classifies a rule by its head. */
export type RuleKind =
  /** `p := v`, `p if …`, `a.b.c := v`: one value at a constant path. */
  | 'complete'
  /** `f(x) := v`, `a.b.f(x) if …`: a function at a constant path. */
  | 'function'
  /** `p contains x`: contributes elements to the set at `path` (plus `tail` object keys if any, v1 `p.q[r] contains x` is not allowed). */
  | 'multi'
  /** `p[x] := v`, `p.q[r].s := v`, v1 `p[x] if …` (value true): contributes `tail`-keyed entries to the object at `path`. */
  | 'partialObject';

/**
 * CheckedRule is one rule after checking. Its Rule has been rewritten (see CheckedProgram).
 *  - `path`: the longest all-string prefix of the head ref, with `data` and the package:
 *    `package a.b` + `p.q[x].r := 1` → ['data','a','b','p','q'].
 *  - `tail`: the head ref elements after `path` (empty for complete, function and multi rules):
 *    for the example, [Var x, String r].
 */
export type CheckedRule = {
  readonly rule: Rule;
  readonly module: Module;
  readonly kind: RuleKind;
  readonly path: readonly string[];
  readonly tail: readonly Term[];
  /** Number of function arguments (functions only). */
  readonly arity?: number;
};

/**
 * CheckedProgram is what the planner consumes. The checker guarantees, for every rule body,
 * else clause, comprehension body and every-body:
 *  1. Names are resolved: a VarTerm naming a rule or function of the same package, or an import
 *     alias, is replaced by a RefTerm rooted at `data` (or `input`) with string path elements;
 *     the roots `data` and `input` stay VarTerms named `data` / `input`. User function calls have
 *     `fn` rewritten to the full path (['data','pkg','f']); builtin calls keep OPA's name
 *     (['count'], ['array','concat']) and are known builtins or declared host builtins.
 *  2. Every local variable has a name unique within its rule (shadowing in nested bodies is
 *     renamed, e.g. `x` → `x$1`); wildcards are already unique (`$_3`). `some x` declarations
 *     are removed (they only scope names); `some … in …` stays a SomeInExpr.
 *  3. Expressions of every body are reordered so that each one's inputs are bound by earlier
 *     ones where a closure or comparison needs them (OPA's reorder for safety); all vars are
 *     safe, else a rego_unsafe_var_error was reported.
 *  4. There is no recursion between rules/functions (else rego_recursion_error was reported).
 */
export type CheckedProgram = {
  readonly modules: readonly Module[];
  readonly rules: readonly CheckedRule[];
};
