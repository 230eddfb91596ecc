// Terms and unification: an AST Term → statements computing its value into an Operand (passed to
// a continuation), and `a = b` → statements binding unbound vars / comparing values.
// Refs, calls and comprehensions are delegated to refs.ts, calls.ts and comprehensions.ts.

import { assertNever } from '../diagnostics/index.js';
import type { Term } from '../ast/nodes.js';
import type { Operand, Stmt } from '../ir/nodes.js';
import { bindVar, constOp, failStmt, localOp, newLocal, toLocal } from './context.js';
import type { Cont, Scope, TermCont } from './context.js';
import { planRef } from './refs.js';
import { planCall } from './calls.js';
import { planComprehension } from './comprehensions.js';

/** termJson returns the canonical JSON text of a ground term that JSON can express (no sets, string keys). */
export function termJson(t: Term): string | undefined {
  switch (t.kind) {
    case 'null':
      return 'null';
    case 'boolean':
      return t.value ? 'true' : 'false';
    case 'number':
      return canonicalNumber(t.text);
    case 'string':
      return JSON.stringify(t.value);
    case 'array': {
      const items = t.items.map(termJson);
      return items.every((x) => x !== undefined) ? `[${items.join(',')}]` : undefined;
    }
    case 'object': {
      const entries: [string, string][] = [];
      for (const [k, v] of t.entries) {
        const vj = termJson(v);
        if (k.kind !== 'string' || vj === undefined) return undefined;
        entries.push([k.value, vj]);
      }
      entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const keys = new Set(entries.map(([k]) => k));
      if (keys.size !== entries.length) return undefined;
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
    }
    default:
      return undefined;
  }
}

// canonicalNumber keeps the literal's digits (exact big numbers) but drops a leading '+'.
function canonicalNumber(text: string): string {
  return text.startsWith('+') ? text.slice(1) : text;
}

/** isUnbound tells whether t is a variable not yet bound in s (roots `input`/`data` are never unbound). */
export function isUnbound(t: Term, s: Scope): boolean {
  return t.kind === 'var' && t.name !== 'input' && t.name !== 'data' && !s.vars.has(t.name);
}

/** hasUnboundVars tells whether a term mentions an unbound var outside closures. */
export function hasUnboundVars(t: Term, s: Scope): boolean {
  switch (t.kind) {
    case 'null':
    case 'boolean':
    case 'number':
    case 'string':
      return false;
    case 'var':
      return isUnbound(t, s);
    case 'ref':
      return hasUnboundVars(t.head, s) || t.path.some((p) => hasUnboundVars(p, s));
    case 'array':
    case 'set':
      return t.items.some((x) => hasUnboundVars(x, s));
    case 'object':
      return t.entries.some(([k, v]) => hasUnboundVars(k, s) || hasUnboundVars(v, s));
    case 'call':
      return t.args.some((a) => hasUnboundVars(a, s));
    case 'arrayCompr':
    case 'setCompr':
    case 'objectCompr':
      return false;
    default:
      return assertNever(t);
  }
}

/** isPattern tells whether t must be destructured rather than evaluated: an unbound var, or a composite holding one directly. */
export function isPattern(t: Term, s: Scope): boolean {
  switch (t.kind) {
    case 'var':
      return isUnbound(t, s);
    case 'array':
      return t.items.some((x) => isPattern(x, s));
    case 'object':
      return t.entries.some(([, v]) => isPattern(v, s));
    default:
      return false;
  }
}

/** planTerm emits statements computing t, then the continuation with its operand. */
export function planTerm(t: Term, s: Scope, k: TermCont): Stmt[] {
  switch (t.kind) {
    case 'null':
    case 'boolean':
    case 'number':
    case 'string':
      return k(constOp(s.ctx, termJson(t) as string), s);
    case 'var': {
      if (t.name === 'input') return [{ kind: 'isDefined', source: s.input }, ...k(localOp(s.input), s)];
      if (t.name === 'data') return planRef({ kind: 'ref', head: t, path: [], loc: t.loc }, s, k);
      const l = s.vars.get(t.name);
      if (l === undefined) return [failStmt(s)]; // unsafe var: the checker reports it
      return k(localOp(l), s);
    }
    case 'ref':
      return planRef(t, s, k);
    case 'array': {
      const json = termJson(t);
      if (json !== undefined) return k(constOp(s.ctx, json), s);
      return planTerms(t.items, s, (ops, s2) => {
        const target = newLocal(s2);
        const out: Stmt[] = [{ kind: 'makeArray', capacity: ops.length, target }];
        for (const op of ops) out.push({ kind: 'arrayAppend', array: target, value: op });
        return [...out, ...k(localOp(target), s2)];
      });
    }
    case 'set':
      return planTerms(t.items, s, (ops, s2) => {
        const target = newLocal(s2);
        const out: Stmt[] = [{ kind: 'makeSet', target }];
        for (const op of ops) out.push({ kind: 'setAdd', set: target, value: op });
        return [...out, ...k(localOp(target), s2)];
      });
    case 'object': {
      const json = termJson(t);
      if (json !== undefined) return k(constOp(s.ctx, json), s);
      const flat = t.entries.flat();
      return planTerms(flat, s, (ops, s2) => {
        const target = newLocal(s2);
        const out: Stmt[] = [{ kind: 'makeObject', target }];
        for (let i = 0; i + 1 < ops.length; i += 2) {
          out.push({ kind: 'objectInsert', object: target, key: ops[i] as Operand, value: ops[i + 1] as Operand });
        }
        return [...out, ...k(localOp(target), s2)];
      });
    }
    case 'arrayCompr':
    case 'setCompr':
    case 'objectCompr':
      return planComprehension(t, s, k);
    case 'call':
      return planCall(t, s, k);
    default:
      return assertNever(t);
  }
}

/** planTerms plans terms left to right, handing all operands to the continuation. */
export function planTerms(ts: readonly Term[], s: Scope, k: (ops: Operand[], s: Scope) => Stmt[]): Stmt[] {
  const go = (i: number, acc: Operand[], sc: Scope): Stmt[] => {
    if (i === ts.length) return k(acc, sc);
    return planTerm(ts[i] as Term, sc, (op, s2) => go(i + 1, [...acc, op], s2));
  };
  return go(0, [], s);
}

/**
 * planTermsBindingFirst plans terms so that those binding vars through refs (`input.xs[i]`) run
 * before terms that read those vars, keeping the operands in argument order.
 */
export function planTermsBindingFirst(ts: readonly Term[], s: Scope, k: (ops: Operand[], s: Scope) => Stmt[]): Stmt[] {
  const order = ts.map((_, i) => i);
  const binds = (t: Term) => t.kind !== 'var' && hasUnboundVars(t, s);
  order.sort((a, b) => Number(binds(ts[b] as Term)) - Number(binds(ts[a] as Term)) || a - b);
  return planTerms(
    order.map((i) => ts[i] as Term),
    s,
    (ops, s2) => {
      const out: Operand[] = new Array<Operand>(ts.length);
      order.forEach((orig, j) => {
        out[orig] = ops[j] as Operand;
      });
      return k(out, s2);
    },
  );
}

/** planUnify plans `a = b`: binds unbound vars on either side, destructures composites, compares the rest. */
export function planUnify(a: Term, b: Term, s: Scope, k: Cont): Stmt[] {
  if (isUnbound(a, s) && isUnbound(b, s)) return [failStmt(s)];
  if (a.kind === 'array' && b.kind === 'array' && (isPattern(a, s) || isPattern(b, s))) {
    if (a.items.length !== b.items.length) return [failStmt(s)];
    const go = (i: number, sc: Scope): Stmt[] =>
      i === a.items.length ? k(sc) : planUnify(a.items[i] as Term, b.items[i] as Term, sc, (s2) => go(i + 1, s2));
    return go(0, s);
  }
  if (a.kind === 'object' && b.kind === 'object' && (isPattern(a, s) || isPattern(b, s))) {
    const ka = a.entries.map(([key]) => termJson(key));
    const kb = b.entries.map(([key]) => termJson(key));
    if (ka.every((x) => x !== undefined) && kb.every((x) => x !== undefined)) {
      if (ka.length !== kb.length || [...ka].sort().join('\u0000') !== [...kb].sort().join('\u0000')) return [failStmt(s)];
      const go = (i: number, sc: Scope): Stmt[] => {
        if (i === a.entries.length) return k(sc);
        const j = kb.indexOf(ka[i] as string);
        const bv = b.entries[j]?.[1] as Term;
        return planUnify(a.entries[i]?.[1] as Term, bv, sc, (s2) => go(i + 1, s2));
      };
      return go(0, s);
    }
  }
  if (isPattern(a, s)) return planTerm(b, s, (op, s2) => unifyOperand(a, op, s2, k));
  if (isPattern(b, s)) return planTerm(a, s, (op, s2) => unifyOperand(b, op, s2, k));
  // Terms binding vars through refs go first (`x[i] = i` style comparisons with output refs).
  const aFirst = !(hasUnboundVars(b, s) && !hasUnboundVars(a, s));
  const [first, second] = aFirst ? [a, b] : [b, a];
  return planTerm(first, s, (op1, s2) => {
    if (isPattern(second, s2)) return unifyOperand(second, op1, s2, k);
    return planTerm(second, s2, (op2, s3) => [{ kind: 'equal', a: op1, b: op2 }, ...k(s3)]);
  });
}

/** unifyOperand unifies a term (possibly a pattern) with an already computed value. */
export function unifyOperand(t: Term, op: Operand, s: Scope, k: Cont): Stmt[] {
  if (isUnbound(t, s)) {
    const name = (t as { name: string }).name;
    const out: Stmt[] = [];
    const l = toLocal(s, op, out);
    return [...out, ...k(bindVar(s, name, l))];
  }
  if (t.kind === 'array' && isPattern(t, s)) {
    const len = newLocal(s);
    const out: Stmt[] = [
      { kind: 'isType', source: op, type: 'array' },
      { kind: 'len', source: op, target: len },
      { kind: 'equal', a: localOp(len), b: constOp(s.ctx, String(t.items.length)) },
    ];
    const go = (i: number, sc: Scope): Stmt[] => {
      if (i === t.items.length) return k(sc);
      const el = newLocal(sc);
      return [
        { kind: 'dot', source: op, key: constOp(sc.ctx, String(i)), target: el },
        ...unifyOperand(t.items[i] as Term, localOp(el), sc, (s2) => go(i + 1, s2)),
      ];
    };
    return [...out, ...go(0, s)];
  }
  if (t.kind === 'object' && isPattern(t, s)) {
    const len = newLocal(s);
    const out: Stmt[] = [
      { kind: 'isType', source: op, type: 'object' },
      { kind: 'len', source: op, target: len },
      { kind: 'equal', a: localOp(len), b: constOp(s.ctx, String(t.entries.length)) },
    ];
    const go = (i: number, sc: Scope): Stmt[] => {
      if (i === t.entries.length) return k(sc);
      const [kt, vt] = t.entries[i] as readonly [Term, Term];
      return planTerm(kt, sc, (kop, s2) => {
        const el = newLocal(s2);
        return [{ kind: 'dot', source: op, key: kop, target: el }, ...unifyOperand(vt, localOp(el), s2, (s3) => go(i + 1, s3))];
      });
    };
    return [...out, ...go(0, s)];
  }
  return planTerm(t, s, (top, s2) => [{ kind: 'equal', a: top, b: op }, ...k(s2)]);
}
