// Planner state: the per-policy context (constants, functions, variants, slots), the per-function
// local allocator, and the immutable Scope every planning function receives and extends.
// In: a CheckedProgram's rule tree. Out: the pieces `plan` assembles into an ir.Policy.

import { InternalCompilerError } from '../diagnostics/index.js';
import type { Expr, Rule } from '../ast/nodes.js';
import type { Diagnostic, Location } from '../diagnostics/index.js';
import type { Block, Func, Local, Operand, RuntimeError, Stmt } from '../ir/nodes.js';
import type { RuleNode } from './rule-tree.js';

/** Mock says what replaces a mocked function or builtin inside a `with` scope. */
export type Mock =
  | { readonly kind: 'func'; readonly path: string }
  | { readonly kind: 'builtin'; readonly name: string }
  | { readonly kind: 'slot'; readonly slot: number };

/** Env is the set of `with` overrides that affect how callees are planned (input overrides do not). */
export type Env = {
  /** Overridden data paths (without the leading `data`), sorted by their joined key. */
  readonly dataOverrides: readonly (readonly string[])[];
  /** Mocked functions (`data.pkg.f`) and builtins (`count`) by name. */
  readonly mocks: ReadonlyMap<string, Mock>;
};

/** EMPTY_ENV is the environment outside any `with data…`/function mock. */
export const EMPTY_ENV: Env = { dataOverrides: [], mocks: new Map() };

/** envKey renders an Env as a deterministic string ('' for the empty env). */
export function envKey(env: Env): string {
  if (env.dataOverrides.length === 0 && env.mocks.size === 0) return '';
  const mocks = [...env.mocks.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify({ d: env.dataOverrides, m: mocks });
}

/** FuncBuilder allocates the locals of one IR function (0 = INPUT, 1 = DATA). */
export type FuncBuilder = { next: number };

/** newFuncBuilder starts a function whose first free local follows `params` parameters. */
export function newFuncBuilder(params: number): FuncBuilder {
  return { next: params };
}

/** PlanContext is the policy-wide planning state shared by all functions. */
export type PlanContext = {
  readonly root: RuleNode;
  readonly hostBuiltins: Readonly<Record<string, { readonly arity: number }>>;
  readonly constants: string[];
  readonly constIndex: Map<string, number>;
  /** Finished (or in-progress, value undefined) functions by name, in creation order. */
  readonly funcs: Map<string, Func | undefined>;
  readonly variantNames: Map<string, string>;
  readonly variantCounts: Map<string, number>;
  slots: number;
  readonly diagnostics: Diagnostic[];
  /** Group rule bodies by a leading `input.… == "const"` test (indexing.ts). */
  readonly ruleIndexing: boolean;
  /** coverage plans coverage marks (instrument.ts). */
  readonly coverage: boolean;
  /** explain names the rules (`data.pkg.test_x`) whose expressions report their operands (instrument.ts). */
  readonly explain: ReadonlySet<string>;
  /** explainSites and explainValues hold, by identity, the expressions and rules of explained rules. */
  readonly explainSites: Map<Expr, { readonly rule: string; readonly def: number; readonly clause: number; readonly index: number }>;
  readonly explainValues: Map<Rule, string>;
};

/** Scope is what planning code sees: variable bindings, the current input/data locals and env. */
export type Scope = {
  readonly ctx: PlanContext;
  readonly fb: FuncBuilder;
  readonly vars: ReadonlyMap<string, Local>;
  readonly input: Local;
  readonly data: Local;
  readonly env: Env;
  /** Location of the construct being planned (rule, expression), for errors and calls. */
  readonly loc: Location;
};

/** Cont is a body continuation: the statements to run once the bindings in `s` hold. */
export type Cont = (s: Scope) => Stmt[];
/** TermCont is a term continuation: receives the term's value operand. */
export type TermCont = (op: Operand, s: Scope) => Stmt[];

/** newLocal allocates a fresh local in the scope's function. */
export function newLocal(s: Scope): Local {
  return s.fb.next++;
}

/** bindVar returns a scope where `name` is bound to `local`. */
export function bindVar(s: Scope, name: string, local: Local): Scope {
  const vars = new Map(s.vars);
  vars.set(name, local);
  return { ...s, vars };
}

/** constOp interns a canonical JSON text and returns its operand. */
export function constOp(ctx: PlanContext, json: string): Operand {
  let idx = ctx.constIndex.get(json);
  if (idx === undefined) {
    idx = ctx.constants.length;
    ctx.constants.push(json);
    ctx.constIndex.set(json, idx);
  }
  return { kind: 'const', index: idx };
}

/** localOp wraps a local as an operand. */
export function localOp(local: Local): Operand {
  return { kind: 'local', local };
}

/** toLocal returns the operand's local, first copying a constant into a fresh local. */
export function toLocal(s: Scope, op: Operand, stmts: Stmt[]): Local {
  if (op.kind === 'local') return op.local;
  const l = newLocal(s);
  stmts.push({ kind: 'assign', source: op, target: l });
  return l;
}

/** failStmt is a statement that is always undefined (ends the enclosing block). */
export function failStmt(s: Scope): Stmt {
  return { kind: 'equal', a: constOp(s.ctx, 'true'), b: constOp(s.ctx, 'false') };
}

/** conflictError builds an eval_conflict_error at `loc`. */
export function conflictError(message: string, loc: Location): RuntimeError {
  return { code: 'eval_conflict_error', message, loc };
}

/** block wraps statements as a Block. */
export function block(stmts: readonly Stmt[]): Block {
  return { stmts };
}

/** funcName returns the (variant) function name for a rule-tree path under an env. */
export function funcName(ctx: PlanContext, path: string, env: Env): string {
  const key = envKey(env);
  if (key === '') return path;
  const k = `${path}\u0000${key}`;
  let name = ctx.variantNames.get(k);
  if (name === undefined) {
    const n = (ctx.variantCounts.get(path) ?? 0) + 1;
    ctx.variantCounts.set(path, n);
    name = `${path}#${n}`;
    ctx.variantNames.set(k, name);
  }
  return name;
}

/** ensureFunc plans function `name` once via `build` (reserving the name first, so planning terminates). */
export function ensureFunc(ctx: PlanContext, name: string, build: () => Func): string {
  if (ctx.funcs.has(name)) return name;
  ctx.funcs.set(name, undefined);
  const f = build();
  if (f.name !== name) throw new InternalCompilerError(`function ${name} built as ${f.name}`);
  ctx.funcs.set(name, f);
  return name;
}

/**
 * containsScan tells whether a statement list may run its continuation zero or several times
 * without being undefined: continuations are nested in top-level scans or BlockStmts (child
 * dispatch), never inside NotStmts. Conservative: comprehension blocks count too.
 */
export function containsScan(stmts: readonly Stmt[]): boolean {
  return stmts.some((st) => st.kind === 'scan' || st.kind === 'block');
}
