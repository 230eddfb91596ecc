// Test helpers for the planner: Rego sources → parse → check → plan, and running a plan through
// the IR interpreter with results as JSON (sets as sorted arrays).

import { parse } from '../../../engine/parser/index.js';
import { check } from '../../../engine/check/index.js';
import { plan } from '../../../engine/planner/index.js';
import type { Module } from '../../../engine/ast/index.js';
import type { Diagnostic } from '../../../engine/diagnostics/index.js';
import type { Policy } from '../../../engine/ir/index.js';
import { runPlan } from '../../helpers/ir-interpreter.js';
import type { RunOptions } from '../../helpers/ir-interpreter.js';
import { toJson } from '../../helpers/ir-values.js';
import { INTERPRETED_HOST_BUILTINS } from './interpreter-conformance.js';

/** planSources compiles Rego sources (files test-0.rego, …) to a Policy; throws on diagnostics. */
export function planSources(sources: readonly string[], entrypoints: readonly string[]): Policy {
  const modules: Module[] = [];
  const diags: Diagnostic[] = [];
  sources.forEach((text, i) => {
    const r = parse({ name: `test-${i}.rego`, text });
    diags.push(...r.diagnostics);
    if (r.value) modules.push(r.value);
  });
  const checked = check(modules, { hostBuiltins: INTERPRETED_HOST_BUILTINS });
  diags.push(...checked.diagnostics);
  const planned = plan(checked.value, { entrypoints, hostBuiltins: INTERPRETED_HOST_BUILTINS });
  diags.push(...planned.diagnostics);
  const errors = diags.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(errors.map((d) => `${d.location.file}:${d.location.row}: ${d.code}: ${d.message}`).join('\n'));
  return planned.value;
}

/** evalJson plans and runs one entrypoint, returning its JSON value (undefined when undefined). */
export function evalJson(sources: readonly string[], entrypoint: string, input?: unknown, data?: unknown, opts?: RunOptions): unknown {
  const v = runPlan(planSources(sources, [entrypoint]), entrypoint, input, data ?? {}, opts);
  return v === undefined ? undefined : toJson(v);
}
