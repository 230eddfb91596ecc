// Calls: user functions (CallStmt to the function's IR Func, INPUT and DATA first), builtins
// (BuiltinStmt with OPA's name), `print`, output-argument style (`count(x, n)`) and `with` mocks.
// In: a CallTerm. Out: statements feeding a TermCont with the call's result.

import { BUILTINS } from '../builtins/index.js';
import type { CallTerm, Term } from '../ast/nodes.js';
import type { Operand, Stmt } from '../ir/nodes.js';
import { constOp, failStmt, localOp, newLocal } from './context.js';
import type { Mock, Scope, TermCont } from './context.js';
import { findNode, isFunctionNode } from './rule-tree.js';
import { planTerm, planTermsBindingFirst, planUnify, unifyOperand } from './terms.js';
import { funcFuncName } from './rules.js';

/** builtinArity returns a builtin's declared arity (catalog, then host builtins), if known. */
export function builtinArity(s: Scope, name: string): number | undefined {
  const decl = BUILTINS[name];
  if (decl && !decl.variadic) return decl.arity;
  return s.ctx.hostBuiltins[name]?.arity;
}

/** userFunctionArity returns the arity of the user function at `data.…` path `name`, if it is one. */
export function userFunctionArity(s: Scope, name: string): number | undefined {
  const node = findNode(s.ctx.root, name.split('.'));
  if (!node || !isFunctionNode(node)) return undefined;
  return node.rules.find((r) => r.arity !== undefined)?.arity ?? node.rules[0]?.rule.head.args?.length;
}

/** planCall plans a call term (the result goes to the continuation). */
export function planCall(t: CallTerm, s: Scope, k: TermCont): Stmt[] {
  const name = t.fn.join('.');
  if (name === 'eq' || name === 'assign') {
    const [a, b] = t.args;
    if (!a || !b) return [failStmt(s)];
    // `walk(x, out)` reaches the planner as `out = walk(x)` (the checker's output-argument rewrite).
    if (isWalk(b, s)) return planWalk((b as CallTerm).args[0] as Term, a, { ...s, loc: t.loc }, k);
    if (isWalk(a, s)) return planWalk((a as CallTerm).args[0] as Term, b, { ...s, loc: t.loc }, k);
    return planUnify(a, b, s, (s2) => k(constOp(s2.ctx, 'true'), s2));
  }
  if (name === 'print') return planPrint(t, s, k);
  const isUser = name.startsWith('data.');
  const arity = isUser ? userFunctionArity(s, name) : builtinArity(s, name);
  const sloc = { ...s, loc: t.loc };
  if (arity !== undefined && t.args.length === arity + 1) {
    // Output-argument style: the last argument is unified with the result.
    const out = t.args[arity] as Term;
    return planCallWith(name, isUser, t.args.slice(0, arity), sloc, (op, s2) =>
      unifyOperand(out, op, s2, (s3) => k(constOp(s3.ctx, 'true'), s3)),
    );
  }
  return planCallWith(name, isUser, t.args, sloc, k);
}

function planCallWith(name: string, isUser: boolean, args: readonly Term[], s: Scope, k: TermCont): Stmt[] {
  const mock = s.env.mocks.get(name);
  return planTermsBindingFirst(args, s, (ops, s2) => {
    const target = newLocal(s2);
    const stmt = callStmt(name, isUser, mock, ops, target, s2);
    return [...stmt, ...k(localOp(target), s2)];
  });
}

function callStmt(name: string, isUser: boolean, mock: Mock | undefined, ops: Operand[], target: number, s: Scope): Stmt[] {
  if (mock) {
    switch (mock.kind) {
      case 'slot':
        return [{ kind: 'slotGet', slot: mock.slot, target }];
      case 'builtin':
        return [{ kind: 'builtin', name: mock.name, args: ops, target, loc: s.loc }];
      case 'func':
        // A mock function runs without the mocks (it may call the original: `mock(x) := count(x)`).
        return [userCall(mock.path, ops, target, { ...s, env: { dataOverrides: s.env.dataOverrides, mocks: new Map() } })];
    }
  }
  if (isUser) return [userCall(name, ops, target, s)];
  return [{ kind: 'builtin', name, args: ops, target, loc: s.loc }];
}

function userCall(path: string, ops: Operand[], target: number, s: Scope): Stmt {
  const node = findNode(s.ctx.root, path.split('.'));
  if (!node || !isFunctionNode(node)) return failStmt(s);
  const func = funcFuncName(node, s);
  return { kind: 'call', func, args: [localOp(s.input), localOp(s.data), ...ops], target, loc: s.loc };
}

/** isWalk tells whether t calls the (unmocked) relation builtin walk with its one input. */
function isWalk(t: Term, s: Scope): boolean {
  return t.kind === 'call' && t.args.length === 1 && t.fn.length === 1 && t.fn[0] === 'walk' && !s.env.mocks.has('walk');
}

/**
 * planWalk plans the relation `walk(x, out)`: the native builtin returns every [path, value] pair
 * of x and each one in turn is unified with `out` (OPA's order, one solution per pair).
 */
function planWalk(x: Term, out: Term, s: Scope, k: TermCont): Stmt[] {
  return planTerm(x, s, (xop, s2) => {
    const pairs = newLocal(s2);
    const key = newLocal(s2);
    const value = newLocal(s2);
    const inner = unifyOperand(out, localOp(value), s2, (s3) => k(constOp(s3.ctx, 'true'), s3));
    return [
      { kind: 'builtin', name: 'walk', args: [xop], target: pairs, loc: s2.loc },
      { kind: 'scan', source: pairs, key, value, block: { stmts: inner } },
    ];
  });
}

/** planPrint plans `print(a, b…)`: internal.print with an array of `[]` (undefined) / `[v]` items; never undefined. */
function planPrint(t: CallTerm, s: Scope, k: TermCont): Stmt[] {
  const arr = newLocal(s);
  const out: Stmt[] = [{ kind: 'makeArray', capacity: t.args.length, target: arr }];
  for (const a of t.args) {
    const v = newLocal(s);
    const item = newLocal(s);
    out.push({ kind: 'reset', target: v });
    out.push({ kind: 'block', blocks: [{ stmts: planTerm(a, s, (op) => [{ kind: 'assign', source: op, target: v }]) }] });
    out.push({ kind: 'makeArray', capacity: 1, target: item });
    out.push({
      kind: 'block',
      blocks: [
        {
          stmts: [
            { kind: 'isDefined', source: v },
            { kind: 'arrayAppend', array: item, value: localOp(v) },
          ],
        },
      ],
    });
    out.push({ kind: 'arrayAppend', array: arr, value: localOp(item) });
  }
  const target = newLocal(s);
  // Wrapped in its own block so a runtime returning undefined cannot fail the expression.
  out.push({ kind: 'block', blocks: [{ stmts: [{ kind: 'builtin', name: 'internal.print', args: [localOp(arr)], target, loc: t.loc }] }] });
  return [...out, ...k(constOp(s.ctx, 'true'), s)];
}
