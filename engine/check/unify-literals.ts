// Stage `checkUnifyLiterals`: the part of OPA's type checker that rejects a unification whose two
// sides are collection literals that can never match: arrays of different lengths, also when
// nested (`[1, 2] = [1, 2, 3]`, `[x, [y]] := [1, []]`): rego_type_error "match error" with
// both sides' types, as OPA reports it. In: CheckContext (resolved rules). Out: diagnostics only.

import type { Term } from '../ast/index.js';
import { walkTerms } from '../ast/index.js';
import type { CheckContext } from './context.js';
import { report } from './context.js';

/** checkUnifyLiterals reports `=` / `:=` between literals whose array shapes differ. */
export function checkUnifyLiterals(ctx: CheckContext): void {
  for (const r of ctx.rules) {
    walkTerms(r.rule, (t) => {
      if (t.kind !== 'call' || (t.operator !== '=' && t.operator !== ':=')) return;
      const [a, b] = t.args as [Term, Term];
      if (!mismatch(a, b)) return;
      report(ctx, 'rego_type_error', `match error\n\tleft  : ${typeName(a)}\n\tright : ${typeName(b)}`, t.loc);
    });
  }
}

/** mismatch tells whether two terms are array literals (at the top or nested in arrays) of different lengths. */
function mismatch(a: Term, b: Term): boolean {
  if (a.kind !== 'array' || b.kind !== 'array') return false;
  if (a.items.length !== b.items.length) return true;
  return a.items.some((x, i) => mismatch(x, b.items[i] as Term));
}

/** typeName renders a literal's type in OPA's notation (`array<number, string>`); `any` for what is not a literal. */
function typeName(t: Term): string {
  switch (t.kind) {
    case 'null':
      return 'null';
    case 'boolean':
      return 'boolean';
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    case 'array':
      return `array<${t.items.map(typeName).join(', ')}>`;
    default:
      return 'any';
  }
}
