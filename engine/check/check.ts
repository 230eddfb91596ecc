// The checker's entry point: runs the named, ordered sub-stages over parsed modules and
// returns the CheckedProgram the planner consumes (see types.ts for the 4 guarantees).
// In: Module[] + CheckOptions. Out: StageResult<CheckedProgram>; never throws on user input.

import type { Module } from '../ast/index.js';
import type { StageResult } from '../diagnostics/index.js';
import type { CheckedProgram } from './types.js';
import type { CheckContext, HostBuiltins } from './context.js';
import { newContext } from './context.js';
import { collectRules } from './rule-index.js';
import { resolveRefs } from './resolve.js';
import { rewriteLocals } from './locals.js';
import { checkSafety } from './safety.js';
import { checkRecursion } from './recursion.js';
import { checkUnifyLiterals } from './unify-literals.js';

/** stages lists the checker's sub-stages in the order they run. */
export const stages = [
  { name: 'collectRules', run: collectRules },
  { name: 'resolveRefs', run: resolveRefs },
  { name: 'rewriteLocals', run: rewriteLocals },
  { name: 'checkSafety', run: checkSafety },
  { name: 'checkRecursion', run: checkRecursion },
  { name: 'checkUnifyLiterals', run: checkUnifyLiterals },
] as const satisfies readonly { readonly name: string; readonly run: (ctx: CheckContext) => void }[];

/** StageName names one checker sub-stage. */
export type StageName = (typeof stages)[number]['name'];

/** CheckOptions configures one check run. */
export type CheckOptions = {
  /** Builtins the host supplies at evaluation time (name → arity), beyond native and SDK ones. */
  readonly hostBuiltins?: HostBuiltins;
  /** Stop after this sub-stage (tests and tools). */
  readonly stopAfter?: StageName;
};

/** check runs the checker stages over `modules` and reports every problem found. */
export function check(modules: readonly Module[], opts: CheckOptions = {}): StageResult<CheckedProgram> {
  const ctx = newContext(modules, opts.hostBuiltins ?? {});
  for (const stage of stages) {
    stage.run(ctx);
    if (stage.name === opts.stopAfter) break;
  }
  return { value: programOf(ctx), diagnostics: ctx.diagnostics };
}

/** programOf rebuilds the modules with their rewritten rules. */
function programOf(ctx: CheckContext): CheckedProgram {
  const byModule = new Map<Module, CheckContext['rules']>();
  for (const r of ctx.rules) {
    const list = byModule.get(r.module) ?? [];
    list.push(r);
    byModule.set(r.module, list);
  }
  const rebuilt = new Map<Module, Module>();
  for (const m of ctx.modules) rebuilt.set(m, { ...m, rules: (byModule.get(m) ?? []).map((r) => r.rule) });
  const rules = ctx.rules.map((r) => ({ ...r, module: rebuilt.get(r.module) ?? r.module }));
  return { modules: ctx.modules.map((m) => rebuilt.get(m) ?? m), rules };
}
