// Stage `collectRules`: classifies every rule by its head (kind, path, tail, arity), indexes
// rules by path, and reports rule-kind conflicts at one path as OPA does (rego_type_error).
// In: CheckContext with modules. Out: ctx.rules / ctx.byPath filled; diagnostics.

import type { Module, Rule, Term } from '../ast/index.js';
import type { CheckedRule, RuleKind } from './types.js';
import type { CheckContext } from './context.js';
import { pathKey, refText, report, ruleName } from './context.js';

/** collectRules fills ctx.rules and ctx.byPath, then checks conflicts. */
export function collectRules(ctx: CheckContext): void {
  for (const module of ctx.modules) {
    for (const rule of module.rules) {
      const checked = classifyRule(module, rule);
      const key = pathKey(checked.path);
      const list = ctx.byPath.get(key) ?? [];
      list.push(ctx.rules.length);
      ctx.byPath.set(key, list);
      ctx.rules.push(checked);
    }
  }
  checkConflicts(ctx);
}

/** classifyRule computes a rule's kind, path (with `data` and the package) and tail. */
export function classifyRule(module: Module, rule: Rule): CheckedRule {
  const head = rule.head;
  const first = head.ref[0];
  const name = first && first.kind === 'var' ? first.name : first && first.kind === 'string' ? first.value : '';
  const path = ['data', ...module.package.path, name];
  let i = 1;
  for (; i < head.ref.length; i++) {
    const t = head.ref[i] as Term;
    if (t.kind !== 'string') break;
    path.push(t.value);
  }
  const tail = head.ref.slice(i);
  let kind: RuleKind;
  if (head.args) kind = 'function';
  else if (head.contains) kind = 'multi';
  else if (tail.length > 0) kind = 'partialObject';
  else kind = 'complete';
  const base = { rule, module, kind, path, tail };
  return kind === 'function' ? { ...base, arity: head.args?.length ?? 0 } : base;
}

/** isGroundHead tells whether a rule's whole head ref is constant (OPA: ground ref). */
function isGroundHead(r: CheckedRule): boolean {
  return r.tail.length === 0;
}

function checkConflicts(ctx: CheckContext): void {
  const keys = [...ctx.byPath.keys()].sort();
  const paths = keys.map((k) => k.split('\u0000'));
  for (let p = 0; p < keys.length; p++) {
    const ids = ctx.byPath.get(keys[p] as string) ?? [];
    const rules = ids.map((i) => ctx.rules[i] as CheckedRule);
    const first = rules[0];
    if (!first) continue;
    const path = paths[p] as string[];
    // A rule with a constant head ref cannot coexist with rules below its path.
    if (rules.some(isGroundHead) && first.kind !== 'partialObject') {
      const below: string[][] = [];
      for (let q = 0; q < keys.length; q++) {
        const other = paths[q] as string[];
        if (other.length > path.length && path.every((s, i) => other[i] === s)) below.push(other);
      }
      const minimal = below.filter((b) => !below.some((o) => o !== b && o.length < b.length && o.every((s, i) => b[i] === s)));
      if (minimal.length > 0) {
        const names = minimal.map((m) => refText(m)).sort();
        report(ctx, 'rego_type_error', `rule ${ruleName(first)} conflicts with [${names.join(' ')}]`, first.rule.loc);
        continue;
      }
    }
    const multi = new Set(rules.map((r) => r.kind === 'multi'));
    const arities = new Set(rules.map((r) => (r.kind === 'function' ? (r.arity ?? 0) : 0)));
    const complete = rules.filter((r) => r.kind !== 'multi' && isGroundHead(r)).length;
    const partial = rules.length - complete;
    if (multi.size > 1 || arities.size > 1 || (complete >= 1 && partial >= 1 && !multi.has(true))) {
      report(ctx, 'rego_type_error', `conflicting rules ${ruleName(first)} found`, first.rule.loc);
      continue;
    }
    const defaults = rules.filter((r) => r.rule.default);
    if (defaults.length > 1) {
      const locs = defaults.map((r) => `${r.rule.loc.file}:${r.rule.loc.row}`);
      report(ctx, 'rego_type_error', `multiple default rules ${ruleName(first)} found at ${locs.join(', ')}`, first.module.package.loc);
    }
  }
}
