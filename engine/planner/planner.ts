// The planner's entry: CheckedProgram + entrypoints → ir.Policy. Builds the rule tree, plans one
// function per entrypoint document (pulling in callees and `with` variants on demand) and collects
// constants, functions and plans in deterministic creation order.

import type { StageResult } from '../diagnostics/index.js';
import type { CheckedProgram } from '../check/index.js';
import type { Block, Func, Plan, Policy } from '../ir/nodes.js';
import { DATA, INPUT } from '../ir/nodes.js';
import { EMPTY_ENV, ensureFunc, newFuncBuilder } from './context.js';
import type { PlanContext, Scope } from './context.js';
import { buildRuleTree, findNode, isFunctionNode, pathName } from './rule-tree.js';
import { docFuncName } from './rules.js';
import { planDataRef } from './refs.js';
import type { StringTerm } from '../ast/nodes.js';

/** PlanOptions selects the entrypoints (`a/b/c` = document `data.a.b.c`) and declares host builtins. */
export type PlanOptions = {
  readonly entrypoints: readonly string[];
  readonly hostBuiltins?: Readonly<Record<string, { readonly arity: number }>>;
  /** Dispatch rule bodies on a shared leading `input.… == "const"` test (default true). */
  readonly ruleIndexing?: boolean;
  /** instrument adds tool-only host calls (instrument.ts): coverage marks, operand reports of the named rules. */
  readonly instrument?: PlanInstrumentation;
};

/** PlanInstrumentation selects the instrumentation of a build for tools (never for a bundle). */
export type PlanInstrumentation = { readonly coverage?: boolean; readonly explain?: readonly string[] };

/** plan turns a checked program into a Policy with one Plan per entrypoint. */
export function plan(program: CheckedProgram, opts: PlanOptions): StageResult<Policy> {
  const ctx: PlanContext = {
    root: buildRuleTree(
      program.rules,
      program.modules.map((m) => m.package.path),
    ),
    hostBuiltins: opts.hostBuiltins ?? {},
    constants: [],
    constIndex: new Map(),
    funcs: new Map(),
    variantNames: new Map(),
    variantCounts: new Map(),
    slots: 0,
    diagnostics: [],
    ruleIndexing: opts.ruleIndexing !== false,
    coverage: opts.instrument?.coverage === true,
    explain: new Set(opts.instrument?.explain ?? []),
    explainSites: new Map(),
    explainValues: new Map(),
  };
  const plans: Plan[] = [];
  for (const entry of opts.entrypoints) {
    const keys = entry.split('/').filter((k) => k !== '');
    plans.push({ name: entry, func: planEntrypoint(ctx, keys) });
  }
  const funcs: Func[] = [];
  for (const f of ctx.funcs.values()) if (f) funcs.push(f);
  return { value: { constants: ctx.constants, funcs, plans, slots: ctx.slots }, diagnostics: ctx.diagnostics };
}

function rootScope(ctx: PlanContext, params: number): Scope {
  const loc = { file: '', row: 0, col: 0, offset: 0, length: 0 };
  return { ctx, fb: newFuncBuilder(params), vars: new Map(), input: INPUT, data: DATA, env: EMPTY_ENV, loc };
}

/** planEntrypoint returns the function computing `data.<keys…>`: the node's own function, or a wrapper. */
function planEntrypoint(ctx: PlanContext, keys: readonly string[]): string {
  const path = ['data', ...keys];
  const node = findNode(ctx.root, path);
  const s = rootScope(ctx, 2);
  if (node && !isFunctionNode(node)) return docFuncName(node, s);
  const name = pathName(path);
  return ensureFunc(ctx, name, () => {
    const result = s.fb.next++;
    const terms: StringTerm[] = keys.map((value) => ({ kind: 'string', value, raw: false, loc: s.loc }));
    const stmts = planDataRef(terms, s, (op) => [{ kind: 'assign', source: op, target: result }]);
    const blocks: Block[] = [{ stmts }];
    return { name, params: [INPUT, DATA], result, blocks, path: name };
  });
}
