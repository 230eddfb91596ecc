// Checks OPA's Rego v1 parser makes after reading a module (OPA: checkRootDocumentOverrides):
// the root documents `input` and `data` cannot be shadowed by a rule name, a function argument
// or a local assigned with `:=`. In: a parsed v1 Module. Out: rego_compile_error diagnostics.

import type { Module, Term } from '../ast/nodes.js';
import { walkTerms } from '../ast/index.js';
import { error } from '../diagnostics/index.js';
import type { Diagnostic } from '../diagnostics/index.js';

const ROOTS: ReadonlySet<string> = new Set(['input', 'data']);

function rootName(t: Term | undefined): string | undefined {
  return t !== undefined && t.kind === 'var' && ROOTS.has(t.name) ? t.name : undefined;
}

/** checkRootShadowing reports rules, arguments and `:=` locals named `input` or `data` (v1 only). */
export function checkRootShadowing(module: Module): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const rule of module.rules) {
    const name = rootName(rule.head.ref[0]);
    if (name !== undefined) out.push(error('rego_compile_error', `rules must not shadow ${name} (use a different rule name)`, rule.loc));
    for (const arg of rule.head.args ?? []) {
      const a = rootName(arg);
      if (a !== undefined) out.push(error('rego_compile_error', `args must not shadow ${a} (use a different variable name)`, arg.loc));
    }
    walkTerms(rule, (t) => {
      if (t.kind !== 'call' || t.operator !== ':=') return;
      const v = rootName(t.args[0]);
      if (v !== undefined) out.push(error('rego_compile_error', `variables must not shadow ${v} (use a different variable name)`, t.loc));
    });
  }
  return out;
}
