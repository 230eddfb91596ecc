// Stage `checkRecursion`: builds the dependency graph between rule paths (refs into `data`,
// user function calls, virtual-document prefixes) and reports each rule that reaches itself:
// `rule data.a.p is recursive: data.a.p -> data.a.q -> data.a.p` (rego_recursion_error).
// In: CheckContext (resolved rules). Out: diagnostics only.

import type { Rule, Term } from '../ast/index.js';
import { walkTerms } from '../ast/index.js';
import type { CheckContext } from './context.js';
import { refText, report } from './context.js';

/** checkRecursion reports recursive rules (see file header). */
export function checkRecursion(ctx: CheckContext): void {
  const keys = [...ctx.byPath.keys()];
  const paths = keys.map((k) => k.split('\u0000'));
  const depsOfRule = (rule: Rule): number[] => {
    const prefixes = refPrefixes(rule);
    const out: number[] = [];
    paths.forEach((p, g) => {
      if (prefixes.some((c) => overlaps(c, p))) out.push(g);
    });
    return out;
  };
  const groupOf = new Map<number, number>();
  keys.forEach((k, g) => {
    for (const i of ctx.byPath.get(k) ?? []) groupOf.set(i, g);
  });
  const ruleDeps = ctx.rules.map((r) => depsOfRule(r.rule));
  const groupDeps = keys.map((k) => {
    const s = new Set<number>();
    for (const i of ctx.byPath.get(k) ?? []) for (const d of ruleDeps[i] ?? []) s.add(d);
    return [...s].sort((a, b) => a - b);
  });
  const name = (g: number) => refText(paths[g] as string[]);
  ctx.rules.forEach((r, i) => {
    const start = groupOf.get(i);
    if (start === undefined) return;
    const visited = new Set<number>();
    const find = (g: number): number[] | undefined => {
      if (g === start) return [g];
      if (visited.has(g)) return undefined;
      visited.add(g);
      for (const d of groupDeps[g] ?? []) {
        const p = find(d);
        if (p) return [g, ...p];
      }
      return undefined;
    };
    for (const d of ruleDeps[i] ?? []) {
      const p = find(d);
      if (p) {
        const cycle = [start, ...p].map(name).join(' -> ');
        report(ctx, 'rego_recursion_error', `rule ${name(start)} is recursive: ${cycle}`, r.rule.loc);
        return;
      }
    }
  });
}

/**
 * Segment is a constant ref key, null for a key that can match anything (a var, a composite), or
 * false for a scalar that is not a string (`data[1]`): rule and package names are strings, so it
 * matches no rule.
 */
type Segment = string | null | false;

/** overlaps tells whether a rule path and a ref's keys can address the same document (one a prefix of the other). */
function overlaps(ref: readonly Segment[], path: readonly string[]): boolean {
  const n = Math.min(ref.length, path.length);
  for (let i = 0; i < n; i++) if (ref[i] === false || (ref[i] !== null && ref[i] !== path[i])) return false;
  return true;
}

function segment(e: Term): Segment {
  switch (e.kind) {
    case 'string':
      return e.value;
    case 'number':
    case 'boolean':
    case 'null':
      return false;
    default:
      return null;
  }
}

/** refPrefixes returns the `data…` key sequences a rule refers to (refs and user calls), ignoring `with` targets and the rule's own name (a v0 rule may be named `data`). */
function refPrefixes(rule: Rule): Segment[][] {
  const targets = new Set<Term>([rule.head.ref[0] as Term]);
  const visitBody = (b: Rule['body']) => {
    for (const e of b.exprs) if ('with' in e) for (const w of e.with) targets.add(w.target);
  };
  visitBody(rule.body);
  for (let el = rule.else; el; el = el.else) visitBody(el.body);
  const out: Segment[][] = [];
  const visit = (t: Term): true | undefined => {
    if (targets.has(t)) return true;
    if (t.kind === 'var' && t.name === 'data') out.push(['data']);
    else if (t.kind === 'ref' && t.head.kind === 'var' && t.head.name === 'data') {
      out.push(['data', ...t.path.map(segment)]);
      for (const e of t.path) walkTerms(e, visit);
      return true;
    } else if (t.kind === 'call' && t.fn[0] === 'data') out.push([...t.fn]);
    return undefined;
  };
  walkTerms(rule, visit);
  return out;
}
