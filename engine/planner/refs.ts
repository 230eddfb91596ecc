// References and virtual documents: `input.a[x]`, `v[i].b`, `data.pkg.rule[k]`, `data.pkg`.
// Walks data refs down the rule tree (calling rule functions, materializing packages, reading base
// data), then dots/scans the remaining path. Out: statements feeding a TermCont.

import type { RefTerm, StringTerm, Term } from '../ast/nodes.js';
import type { Operand, Stmt } from '../ir/nodes.js';
import { bindVar, constOp, failStmt, localOp, newLocal, toLocal } from './context.js';
import type { Scope, TermCont } from './context.js';
import { isFunctionNode } from './rule-tree.js';
import type { RuleNode } from './rule-tree.js';
import { isPattern, isUnbound, planTerm, termJson, unifyOperand } from './terms.js';
import { docFuncName } from './rules.js';

/** planRef plans a reference term. */
export function planRef(t: RefTerm, s: Scope, k: TermCont): Stmt[] {
  const head = t.head;
  if (head.kind === 'var' && head.name === 'data') return planDataRef(t.path, s, k);
  if (head.kind === 'var' && head.name === 'input') {
    return [{ kind: 'isDefined', source: s.input }, ...walkRef(localOp(s.input), t.path, 0, s, k)];
  }
  return planTerm(head, s, (op, s2) => walkRef(op, t.path, 0, s2, k));
}

/** walkRef applies path[i…] to a value: dot for known keys, scan for unbound vars and patterns. */
export function walkRef(op: Operand, path: readonly Term[], i: number, s: Scope, k: TermCont): Stmt[] {
  if (i === path.length) return k(op, s);
  const e = path[i] as Term;
  if (isUnbound(e, s) || isPattern(e, s)) {
    const out: Stmt[] = [];
    const src = toLocal(s, op, out);
    const key = newLocal(s);
    const value = newLocal(s);
    const inner = isUnbound(e, s)
      ? walkRef(localOp(value), path, i + 1, bindVar(s, (e as { name: string }).name, key), k)
      : unifyOperand(e, localOp(key), s, (s2) => walkRef(localOp(value), path, i + 1, s2, k));
    return [...out, { kind: 'scan', source: src, key, value, block: { stmts: inner } }];
  }
  return planTerm(e, s, (kop, s2) => {
    const target = newLocal(s2);
    return [{ kind: 'dot', source: op, key: kop, target }, ...walkRef(localOp(target), path, i + 1, s2, k)];
  });
}

/** isOverridden tells whether a data path (with leading `data`) is at or below a `with data…` override. */
export function isOverridden(path: readonly string[], s: Scope): boolean {
  return s.env.dataOverrides.some((o) => o.length <= path.length - 1 && o.every((key, j) => path[j + 1] === key));
}

function stringTerms(keys: readonly string[], like: Scope): StringTerm[] {
  return keys.map((value) => ({ kind: 'string', value, raw: false, loc: like.loc }));
}

/** readBaseData reads `data.<path…>` followed by `rest` from the current DATA local (no rules involved). */
function readBaseData(nodePath: readonly string[], rest: readonly Term[], s: Scope, k: TermCont): Stmt[] {
  return walkRef(localOp(s.data), [...stringTerms(nodePath.slice(1), s), ...rest], 0, s, k);
}

/** planDataRef plans `data` followed by `path`, walking the rule tree along constant keys. */
export function planDataRef(path: readonly Term[], s: Scope, k: TermCont): Stmt[] {
  let node: RuleNode = s.ctx.root;
  let i = 0;
  for (;;) {
    if (isOverridden(node.path, s)) return readBaseData(node.path, path.slice(i), s, k);
    if (node.rules.length > 0) {
      if (isFunctionNode(node)) return [failStmt(s)];
      return callDoc(node, s, (op, s2) => walkRef(op, path, i, s2, k));
    }
    if (i === path.length) return callDoc(node, s, k);
    const e = path[i] as Term;
    const json = termJson(e);
    if (e.kind === 'string' && node.children.has(e.value)) {
      node = node.children.get(e.value) as RuleNode;
      i++;
      continue;
    }
    if (json !== undefined && e.kind !== 'array' && e.kind !== 'object') {
      return readBaseData(node.path, path.slice(i), s, k);
    }
    if (e.kind === 'var' && node.children.size > 0) return dispatchChildren(node, e.name, path, i, s, k);
    return callDoc(node, s, (op, s2) => walkRef(op, path, i, s2, k));
  }
}

/** planNodeDoc plans a node's document: base data when overridden by `with`, else its function. */
export function planNodeDoc(node: RuleNode, s: Scope, k: TermCont): Stmt[] {
  if (isOverridden(node.path, s)) return readBaseData(node.path, [], s, k);
  return callDoc(node, s, k);
}

/**
 * dispatchChildren plans `node[v]…` for a variable key at a package node without materializing the
 * package: one block per child whose key v equals (or is bound to), plus base data under other keys.
 */
function dispatchChildren(node: RuleNode, name: string, path: readonly Term[], i: number, s: Scope, k: TermCont): Stmt[] {
  const kids = [...node.children.keys()].sort();
  const blocks: Stmt[][] = [];
  const bound = s.vars.get(name);
  for (const key of kids) {
    const kid = node.children.get(key) as RuleNode;
    if (isFunctionNode(kid) && kid.children.size === 0) continue;
    const kop = constOp(s.ctx, JSON.stringify(key));
    const rest = (s2: Scope) => planDataRefFrom(kid, path, i + 1, s2, k);
    if (bound !== undefined) blocks.push([{ kind: 'equal', a: localOp(bound), b: kop }, ...rest(s)]);
    else {
      const l = newLocal(s);
      blocks.push([{ kind: 'assign', source: kop, target: l }, ...rest(bindVar(s, name, l))]);
    }
  }
  const others = readBaseData(node.path, [], s, (base, s2) => {
    const out: Stmt[] = [];
    const src = toLocal(s2, base, out);
    const key = newLocal(s2);
    const value = newLocal(s2);
    const guard: Stmt[] = kids.map((kk) => ({ kind: 'notEqual', a: localOp(key), b: constOp(s2.ctx, JSON.stringify(kk)) }));
    if (bound !== undefined) {
      return [
        ...out,
        { kind: 'dot', source: localOp(src), key: localOp(bound), target: value },
        { kind: 'assign', source: localOp(bound), target: key },
        ...guard,
        ...walkRef(localOp(value), path, i + 1, s2, k),
      ];
    }
    const inner = [...guard, ...walkRef(localOp(value), path, i + 1, bindVar(s2, name, key), k)];
    return [...out, { kind: 'scan', source: src, key, value, block: { stmts: inner } }];
  });
  blocks.push(others);
  return [{ kind: 'block', blocks: blocks.map((stmts) => ({ stmts })) }];
}

/** planDataRefFrom continues a data ref walk at `node` with path[i…]. */
function planDataRefFrom(node: RuleNode, path: readonly Term[], i: number, s: Scope, k: TermCont): Stmt[] {
  const prefix = stringTerms(node.path.slice(1), s);
  return planDataRef([...prefix, ...path.slice(i)], s, k);
}

/** callDoc calls the function computing a node's whole document (rule value or materialized package). */
export function callDoc(node: RuleNode, s: Scope, k: TermCont): Stmt[] {
  if (isFunctionNode(node)) return [failStmt(s)];
  const func = docFuncName(node, s);
  const target = newLocal(s);
  return [{ kind: 'call', func, args: [localOp(s.input), localOp(s.data)], target, loc: s.loc }, ...k(localOp(target), s)];
}
