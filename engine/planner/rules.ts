// Rule functions: one IR Func per rule-tree node (and per `with` variant). Complete rules assign
// once per solution (conflicts abort), with else chains and defaults; functions unify arguments
// first; multi-value and partial-object rules build a set/object along their head tails;
// package nodes materialize base data merged with their children's documents.

import type { Rule, StringTerm, Term } from '../ast/nodes.js';
import type { CheckedRule } from '../check/index.js';
import type { Block, Func, Local, RuntimeError, Stmt } from '../ir/nodes.js';
import { DATA, INPUT } from '../ir/nodes.js';
import { conflictError, constOp, ensureFunc, funcName, localOp, newFuncBuilder, newLocal } from './context.js';
import type { Cont, Env, Scope } from './context.js';
import { planBody } from './body.js';
import { canExitEarly, withEarlyExit } from './early-exit.js';
import { indexBodies, indexGuard } from './indexing.js';
import type { Candidate, IndexGuard } from './indexing.js';
import { planNodeDoc, walkRef } from './refs.js';
import { hasDocument, pathName, sortedChildren } from './rule-tree.js';
import type { RuleNode } from './rule-tree.js';
import { planTerm, unifyOperand } from './terms.js';
import { coverMark, explainValue, registerExplained } from './instrument.js';

/** docFuncName returns (planning on first use) the function computing a document node under the scope's env. */
export function docFuncName(node: RuleNode, s: Scope): string {
  const name = funcName(s.ctx, pathName(node.path), s.env);
  return ensureFunc(s.ctx, name, () => (node.rules.length > 0 ? buildRuleFunc(node, name, s) : buildPackageFunc(node, name, s)));
}

/** funcFuncName returns (planning on first use) the IR function of a user function node. */
export function funcFuncName(node: RuleNode, s: Scope): string {
  const name = funcName(s.ctx, pathName(node.path), s.env);
  return ensureFunc(s.ctx, name, () => buildFunctionFunc(node, name, s));
}

/** funcScope starts a fresh function scope (params INPUT, DATA plus `extra` arguments). */
function funcScope(from: Scope, env: Env, extra: number, node: RuleNode): Scope {
  const loc = firstRule(node)?.rule.loc ?? from.loc;
  return { ctx: from.ctx, fb: newFuncBuilder(2 + extra), vars: new Map(), input: INPUT, data: DATA, env, loc };
}

/** firstRule finds the first rule at or below a node (its location names package functions). */
function firstRule(node: RuleNode): CheckedRule | undefined {
  if (node.rules[0]) return node.rules[0];
  for (const kid of sortedChildren(node)) {
    const r = firstRule(kid);
    if (r) return r;
  }
  return undefined;
}

function finish(name: string, node: RuleNode, params: Local[], result: Local, blocks: Block[]): Func {
  const loc = firstRule(node)?.rule.loc;
  return loc
    ? { name, params, result, blocks, path: pathName(node.path), loc }
    : { name, params, result, blocks, path: pathName(node.path) };
}

/** clauses lists a rule's (body, value) pairs: the rule itself, then its else chain. */
function clauses(rule: Rule): { body: Rule['body']; value: Term | undefined; loc: Rule['loc'] }[] {
  const out: { body: Rule['body']; value: Term | undefined; loc: Rule['loc'] }[] = [
    { body: rule.body, value: rule.head.value, loc: rule.loc },
  ];
  for (let e = rule.else; e; e = e.else) out.push({ body: e.body, value: e.value ?? rule.head.value, loc: e.loc });
  return out;
}

const TRUE_TERM = (loc: Rule['loc']): Term => ({ kind: 'boolean', value: true, loc });

/**
 * planValueRule plans one complete/function rule into blocks: every solution AssignOnce's the value
 * into `result`; with `else`, the first clause (in order) that has a solution gives the value.
 * With `exit` (early-exit.ts), the first solution of a body (clause) ends that body's iteration.
 */
function planValueRule(
  rule: Rule,
  s: Scope,
  result: Local,
  error: RuntimeError,
  pre: (s: Scope, k: Cont) => Stmt[],
  exit: boolean,
): Block[] {
  const cs = clauses(rule);
  // A clause's head line counts as covered once its value is computed (OPA's Exit event).
  const emit = (value: Term | undefined, target: Local, i: number) => (sc: Scope) => {
    const v = value ?? TRUE_TERM(rule.loc);
    const head = i === 0 ? rule.head.loc : (cs[i] as (typeof cs)[number]).loc;
    return [
      ...explainValue(sc, rule, i, v),
      ...planTerm(v, sc, (op) => [...coverMark(sc, head), { kind: 'assignOnce', source: op, target, error }]),
    ];
  };
  if (cs.length === 1) {
    const c = cs[0] as (typeof cs)[number];
    const blocks = [{ stmts: pre({ ...s, loc: rule.loc }, (s1) => planBody(c.body.exprs, s1, emit(c.value, result, 0))) }];
    return exit ? withEarlyExit(blocks, new Set([result])) : blocks;
  }
  const v = newLocal(s);
  const blocks: Block[] = cs.map((c, i) => {
    const guard: Stmt[] = i === 0 ? [] : [{ kind: 'isUndefined', source: v }];
    return { stmts: [...guard, ...pre({ ...s, loc: c.loc }, (s1) => planBody(c.body.exprs, s1, emit(c.value, v, i)))] };
  });
  blocks.push({
    stmts: [
      { kind: 'isDefined', source: v },
      { kind: 'assignOnce', source: localOp(v), target: result, error },
    ],
  });
  return exit ? withEarlyExit(blocks, new Set([result, v])) : blocks;
}

function defaultBlock(rules: readonly CheckedRule[], s: Scope, result: Local): Block[] {
  const d = rules.find((r) => r.rule.default);
  if (!d) return [];
  const value = d.rule.head.value ?? TRUE_TERM(d.rule.loc);
  const mark = coverMark(s, d.rule.head.loc);
  return [
    {
      stmts: [
        { kind: 'isUndefined', source: result },
        ...planTerm(value, s, (op) => [...mark, { kind: 'assign', source: op, target: result }]),
      ],
    },
  ];
}

/** buildRuleFunc plans the document function of a node holding complete, multi or partial-object rules. */
function buildRuleFunc(node: RuleNode, name: string, from: Scope): Func {
  const s = funcScope(from, from.env, 0, node);
  const result = newLocal(s);
  const path = pathName(node.path);
  const rules = node.rules.filter((r) => !r.rule.default);
  const kind = (rules[0] ?? node.rules[0])?.kind ?? 'complete';
  const error = conflictError(`rule ${path} produced conflicting values`, node.rules[0]?.rule.loc ?? s.loc);
  const blocks: Block[] = [];
  if (kind === 'multi' || kind === 'partialObject') {
    blocks.push({
      stmts: [
        kind === 'multi' && rules.every((r) => r.tail.length === 0)
          ? { kind: 'makeSet', target: result }
          : { kind: 'makeObject', target: result },
      ],
    });
    const cands: Candidate[] = rules.map((r) => {
      const err = conflictError('object keys must be unique', r.rule.loc);
      const sr = { ...s, loc: r.rule.loc };
      const leaf = r.kind === 'multi' ? (r.rule.head.contains ?? TRUE_TERM(r.rule.loc)) : (r.rule.head.value ?? TRUE_TERM(r.rule.loc));
      const stmts = planBody(r.rule.body.exprs, sr, (s1) => [
        ...coverMark(s1, r.rule.head.loc),
        ...insertAlongTail(result, r.tail, leaf, r.kind === 'multi', err, s1),
      ]);
      return { blocks: [{ stmts }], guard: guardOf(r.rule, s) };
    });
    blocks.push(...indexBodies(cands, s));
  } else {
    const exit = canExitEarly(node.rules);
    for (const r of rules)
      registerExplained(
        s,
        path,
        r.rule,
        (c) => (clauses(r.rule)[c] as ReturnType<typeof clauses>[number]).body.exprs,
        clauses(r.rule).length,
      );
    const cands: Candidate[] = rules.map((r) => ({
      blocks: planValueRule(r.rule, s, result, error, (sc, k) => k(sc), exit),
      guard: r.rule.else ? undefined : guardOf(r.rule, s),
    }));
    blocks.push(...indexBodies(cands, s));
    blocks.push(...defaultBlock(node.rules, s, result));
  }
  if (kind !== 'complete') blocks.push(...mergeChildren(node, s, result, error));
  return finish(name, node, [INPUT, DATA], result, blocks);
}

/** guardOf returns a rule's index guard when indexing is on. */
function guardOf(rule: Rule, s: Scope): IndexGuard | undefined {
  return s.ctx.ruleIndexing ? indexGuard(rule.body.exprs) : undefined;
}

/** insertAlongTail stores the leaf at obj[t1]…[tn] (creating nested objects), or adds it to the set there. */
function insertAlongTail(obj: Local, tail: readonly Term[], leaf: Term, multi: boolean, error: RuntimeError, s: Scope): Stmt[] {
  if (tail.length === 0) return planTerm(leaf, s, (op) => [{ kind: 'setAdd', set: obj, value: op }]);
  return planTerm(tail[0] as Term, s, (kop, s1) => {
    if (tail.length === 1 && !multi) {
      return planTerm(leaf, s1, (vop) => [{ kind: 'objectInsertOnce', object: obj, key: kop, value: vop, error }]);
    }
    const child = newLocal(s1);
    const lastSet = tail.length === 1 && multi;
    const make: Stmt = lastSet ? { kind: 'makeSet', target: child } : { kind: 'makeObject', target: child };
    const stmts: Stmt[] = [
      { kind: 'reset', target: child },
      { kind: 'block', blocks: [{ stmts: [{ kind: 'dot', source: localOp(obj), key: kop, target: child }] }] },
      {
        kind: 'block',
        blocks: [
          { stmts: [{ kind: 'isUndefined', source: child }, make, { kind: 'objectInsert', object: obj, key: kop, value: localOp(child) }] },
        ],
      },
      { kind: 'isType', source: localOp(child), type: lastSet ? 'set' : 'object' },
    ];
    return [...stmts, ...insertAlongTail(child, tail.slice(1), leaf, multi, error, s1)];
  });
}

/** mergeChildren deep-merges the documents of a node's children into `result`. */
function mergeChildren(node: RuleNode, s: Scope, result: Local, error: RuntimeError): Block[] {
  const kids = sortedChildren(node).filter(hasDocument);
  if (kids.length === 0) return [];
  const c = newLocal(s);
  const blocks: Block[] = [{ stmts: [{ kind: 'makeObject', target: c }] }];
  for (const kid of kids) blocks.push({ stmts: insertChild(kid, s, c) });
  blocks.push({ stmts: [{ kind: 'objectMerge', a: localOp(result), b: localOp(c), target: result, error }] });
  return blocks;
}

function insertChild(kid: RuleNode, s: Scope, obj: Local): Stmt[] {
  const key = kid.path[kid.path.length - 1] as string;
  return planNodeDoc(kid, s, (op) => [{ kind: 'objectInsert', object: obj, key: constOp(s.ctx, JSON.stringify(key)), value: op }]);
}

/** buildPackageFunc materializes a package/prefix node: base data at the path merged with its children's documents. */
function buildPackageFunc(node: RuleNode, name: string, from: Scope): Func {
  const s = funcScope(from, from.env, 0, node);
  const result = newLocal(s);
  const base = newLocal(s);
  const keys: StringTerm[] = node.path.slice(1).map((value) => ({ kind: 'string', value, raw: false, loc: s.loc }));
  const blocks: Block[] = [
    { stmts: walkRef(localOp(DATA), keys, 0, s, (op) => [{ kind: 'assign', source: op, target: base }]) },
    {
      stmts: [
        { kind: 'isUndefined', source: base },
        { kind: 'makeObject', target: base },
      ],
    },
    { stmts: [{ kind: 'assign', source: localOp(base), target: result }] },
  ];
  const error = conflictError(`rule ${pathName(node.path)} produced conflicting values`, s.loc);
  blocks.push(...mergeChildren(node, s, result, error));
  return finish(name, node, [INPUT, DATA], result, blocks);
}

/** buildFunctionFunc plans a user function: each rule unifies the arguments with its parameter patterns. */
function buildFunctionFunc(node: RuleNode, name: string, from: Scope): Func {
  const arity = node.rules.find((r) => r.arity !== undefined)?.arity ?? node.rules[0]?.rule.head.args?.length ?? 0;
  const s = funcScope(from, from.env, arity, node);
  const args: Local[] = Array.from({ length: arity }, (_, i) => 2 + i);
  const result = newLocal(s);
  const error = conflictError(
    `function ${pathName(node.path)} produced conflicting values for the same inputs`,
    node.rules[0]?.rule.loc ?? s.loc,
  );
  const blocks: Block[] = [];
  // Functions evaluate every solution (regorus' recorded kata traces show no early exit there).
  for (const r of node.rules.filter((x) => !x.rule.default)) {
    const params = r.rule.head.args ?? [];
    const pre = (sc: Scope, k: Cont): Stmt[] => {
      const go = (i: number, s2: Scope): Stmt[] =>
        i === params.length ? k(s2) : unifyOperand(params[i] as Term, localOp(args[i] as Local), s2, (s3) => go(i + 1, s3));
      return go(0, sc);
    };
    blocks.push(...planValueRule(r.rule, s, result, error, pre, false));
  }
  blocks.push(...defaultBlock(node.rules, s, result));
  return finish(name, node, [INPUT, DATA, ...args], result, blocks);
}
