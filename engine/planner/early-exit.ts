// Early exit for complete rules (as regorus does): when every non-default definition at a path
// (each clause of its else chain included) has the same ground head value, a body stops at its
// first solution: a BreakStmt after the body's value assignment leaves every enclosing scan, so
// later solutions of that body (and their prints) are not evaluated. Later bodies still run, as
// in regorus' recorded kata traces (and functions are not early-exited: those traces show every
// solution evaluated). Rules whose bodies may produce different values keep full evaluation, so
// conflicts are still detected.
// In: the CheckedRules of one rule-tree node, and planned rule Blocks. Out: Blocks with exits.

import type { Rule, Term } from '../ast/nodes.js';
import type { CheckedRule } from '../check/index.js';
import type { Block, Local, Stmt } from '../ir/nodes.js';

/** groundKey renders a ground (variable-free, call-free) term canonically; undefined if not ground. */
export function groundKey(t: Term | undefined): string | undefined {
  if (t === undefined) return 'b:true';
  switch (t.kind) {
    case 'null':
      return 'null';
    case 'boolean':
      return `b:${t.value}`;
    case 'number':
      return `n:${t.text}`;
    case 'string':
      return `s:${JSON.stringify(t.value)}`;
    case 'array': {
      const items = t.items.map(groundKey);
      return items.every((k) => k !== undefined) ? `a:[${items.join(',')}]` : undefined;
    }
    case 'set': {
      const items = t.items.map(groundKey);
      return items.every((k) => k !== undefined) ? `S:{${[...new Set(items)].sort().join(',')}}` : undefined;
    }
    case 'object': {
      const pairs: string[] = [];
      for (const [k, v] of t.entries) {
        const kk = groundKey(k);
        const vk = groundKey(v);
        if (kk === undefined || vk === undefined) return undefined;
        pairs.push(`${kk}:${vk}`);
      }
      return `o:{${pairs.sort().join(',')}}`;
    }
    default:
      return undefined;
  }
}

/** clauseValues lists the head values of a rule and of every clause of its else chain. */
function clauseValues(rule: Rule): (Term | undefined)[] {
  const out: (Term | undefined)[] = [rule.head.value];
  for (let e = rule.else; e; e = e.else) out.push(e.value ?? rule.head.value);
  return out;
}

/**
 * canExitEarly tells whether the bodies of a complete rule (or function) node may stop at their first solution:
 * it has at least one non-default definition and all their (else) values are the same ground term.
 */
export function canExitEarly(rules: readonly CheckedRule[]): boolean {
  const defs = rules.filter((r) => !r.rule.default);
  if (defs.length === 0 || defs.some((r) => r.kind !== 'complete' && r.kind !== 'function')) return false;
  let first: string | undefined;
  for (const r of defs) {
    for (const v of clauseValues(r.rule)) {
      const k = groundKey(v);
      if (k === undefined) return false;
      first ??= k;
      if (k !== first) return false;
    }
  }
  return true;
}

/**
 * withEarlyExit inserts, after every AssignOnce to one of `targets`, a break out of all enclosing
 * blocks up to and including the top-level block it is in.
 */
export function withEarlyExit(blocks: readonly Block[], targets: ReadonlySet<Local>): Block[] {
  return blocks.map((b) => ({ stmts: addBreaks(b.stmts, 0, targets) }));
}

/** addBreaks rewrites statements at block depth `depth` (0 = the top-level block). */
function addBreaks(stmts: readonly Stmt[], depth: number, targets: ReadonlySet<Local>): Stmt[] {
  const out: Stmt[] = [];
  for (const st of stmts) {
    switch (st.kind) {
      case 'assignOnce':
        out.push(st);
        if (targets.has(st.target)) out.push({ kind: 'break', index: depth });
        break;
      case 'scan':
        out.push({ ...st, block: { stmts: addBreaks(st.block.stmts, depth + 1, targets) } });
        break;
      case 'block':
        out.push({ ...st, blocks: st.blocks.map((b) => ({ stmts: addBreaks(b.stmts, depth + 1, targets) })) });
        break;
      default:
        // NotStmt bodies never hold a rule's value assignment: kept unchanged.
        out.push(st);
    }
  }
  return out;
}
