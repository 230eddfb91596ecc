// `with` modifiers: `with input[.p] as v` (Upsert into a new INPUT local), `with data.p as v`
// (Upsert into a new DATA local, plus an env change so callees become variants reading that path
// from DATA), and function/builtin mocks (`with f as g`, `with f as <value>` via a global slot).

import type { Term, WithModifier } from '../ast/nodes.js';
import type { Stmt } from '../ir/nodes.js';
import { constOp, localOp, newLocal, toLocal } from './context.js';
import type { Cont, Env, Mock, Scope } from './context.js';
import { findNode, isFunctionNode } from './rule-tree.js';
import { planTerm } from './terms.js';

/** targetPath returns a with-target's root and its constant path (undefined if not constant). */
function targetPath(t: Term): { root: string; path: string[] } | undefined {
  if (t.kind === 'var') return { root: t.name, path: [] };
  if (t.kind !== 'ref' || t.head.kind !== 'var') return undefined;
  const path: string[] = [];
  for (const p of t.path) {
    if (p.kind !== 'string') return undefined;
    path.push(p.value);
  }
  return { root: t.head.name, path };
}

/** mockFor resolves a mock's replacement: a user function, a builtin name, or undefined (a value). */
function mockFor(value: Term, s: Scope): Mock | undefined {
  const vp = targetPath(value);
  if (!vp) return undefined;
  if (vp.root === 'data') {
    const node = findNode(s.ctx.root, vp.path);
    return node && isFunctionNode(node) ? { kind: 'func', path: ['data', ...vp.path].join('.') } : undefined;
  }
  if (vp.root === 'input' || s.vars.has(vp.root)) return undefined;
  return { kind: 'builtin', name: [vp.root, ...vp.path].join('.') };
}

/**
 * planWith plans `inner` under the modifiers; the continuation `k` runs with the original
 * input, data and env (but keeps bindings made by the expression).
 */
export function planWith(mods: readonly WithModifier[], s: Scope, inner: (s: Scope, k: Cont) => Stmt[], k: Cont): Stmt[] {
  if (mods.length === 0) return inner(s, k);
  const restore: Cont = (s2) => k({ ...s2, input: s.input, data: s.data, env: s.env });
  const go = (i: number, cur: Scope): Stmt[] => {
    if (i === mods.length) return inner(cur, restore);
    const m = mods[i] as WithModifier;
    const tp = targetPath(m.target);
    if (!tp) return go(i + 1, cur);
    // Values are evaluated in the scope outside the `with` (original input/data/env).
    const outer = { ...cur, input: s.input, data: s.data, env: s.env };
    if (tp.root === 'input' || tp.root === 'data') {
      const node = tp.root === 'data' ? findNode(s.ctx.root, tp.path) : undefined;
      if (node && isFunctionNode(node)) return planMock(['data', ...tp.path].join('.'), m, cur, outer, (c) => go(i + 1, c));
      return planTerm(m.value, outer, (op, s2) => {
        const target = newLocal(s2);
        const out: Stmt[] = [];
        const base = tp.root === 'input' ? cur.input : cur.data;
        if (tp.path.length === 0) {
          out.push({ kind: 'assign', source: op, target });
        } else {
          const path = constOp(s2.ctx, JSON.stringify(tp.path));
          out.push({ kind: 'upsert', source: localOp(base), path, value: op, target });
        }
        const next =
          tp.root === 'input'
            ? { ...s2, input: target, data: cur.data, env: cur.env }
            : { ...s2, input: cur.input, data: target, env: addOverride(cur.env, tp.path) };
        return [...out, ...go(i + 1, next)];
      });
    }
    return planMock([tp.root, ...tp.path].join('.'), m, cur, outer, (c) => go(i + 1, c));
  };
  return go(0, s);
}

function planMock(name: string, m: WithModifier, cur: Scope, outer: Scope, next: (s: Scope) => Stmt[]): Stmt[] {
  const mock = mockFor(m.value, outer);
  if (mock) return next({ ...cur, env: addMock(cur.env, name, mock) });
  return planTerm(m.value, outer, (op, s2) => {
    const slot = s2.ctx.slots++;
    const out: Stmt[] = [];
    const l = toLocal(s2, op, out);
    out.push({ kind: 'slotSet', slot, value: localOp(l) });
    return [...out, ...next({ ...s2, input: cur.input, data: cur.data, env: addMock(cur.env, name, { kind: 'slot', slot }) })];
  });
}

function addOverride(env: Env, path: readonly string[]): Env {
  const all = [...env.dataOverrides.filter((p) => p.join('\u0000') !== path.join('\u0000')), path];
  all.sort((a, b) => {
    const x = a.join('\u0000');
    const y = b.join('\u0000');
    return x < y ? -1 : x > y ? 1 : 0;
  });
  return { dataOverrides: all, mocks: env.mocks };
}

function addMock(env: Env, name: string, mock: Mock): Env {
  const mocks = new Map(env.mocks);
  mocks.set(name, mock);
  return { dataOverrides: env.dataOverrides, mocks };
}
