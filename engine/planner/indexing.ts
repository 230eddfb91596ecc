// Rule indexing: bodies of one rule-tree node whose first expression tests the same input ref
// against a string constant (`input.a.b == "x"`, `"x" = input.a.b`) are grouped by that constant.
// The ref is evaluated once and a balanced tree of `dot` lookups on constant objects picks the
// one group whose constant equals it, so a lookup costs O(log groups) instead of one guard per
// body. Only maximal runs of consecutive guarded bodies are grouped, and every body keeps its
// guard, so the bodies that run, run in source order exactly as without indexing (prints,
// conflicts, strict builtin errors are unchanged). The ref is read through the scope's input
// local, so `with input… as` overrides are honoured. In: per-rule candidate Blocks. Out: Blocks.

import type { Expr, Term } from '../ast/nodes.js';
import type { Block, Local, Stmt } from '../ir/nodes.js';
import { constOp, localOp, newLocal } from './context.js';
import type { Scope } from './context.js';
import { planTerm } from './terms.js';

/** MIN_INDEXED_BODIES is the smallest run of guarded bodies worth a dispatch tree. */
export const MIN_INDEXED_BODIES = 4;

/** IndexGuard is a body's leading test: the input ref (path keys) and the constant it must equal. */
export type IndexGuard = { readonly ref: Term; readonly key: string; readonly value: string };

/** Candidate is one planned body (its Blocks, kept together) and its guard, if it has one. */
export type Candidate = { readonly blocks: readonly Block[]; readonly guard: IndexGuard | undefined };

/** inputRefKey returns a stable key for `input.k1.k2…` with constant string keys, else undefined. */
function inputRefKey(t: Term): string | undefined {
  if (t.kind !== 'ref' || t.head.kind !== 'var' || t.head.name !== 'input') return undefined;
  const keys: string[] = [];
  for (const p of t.path) {
    if (p.kind !== 'string') return undefined;
    keys.push(p.value);
  }
  return JSON.stringify(keys);
}

/** indexGuard recognises `input.<consts> == "s"` / `=` (either side) as a body's first expression. */
export function indexGuard(exprs: readonly Expr[]): IndexGuard | undefined {
  const e = exprs[0];
  if (e?.kind !== 'term' || e.negated || e.with.length > 0) return undefined;
  const t = e.term;
  if (t.kind !== 'call' || t.fn.length !== 1 || (t.fn[0] !== 'equal' && t.fn[0] !== 'eq') || t.args.length !== 2) return undefined;
  const [a, b] = t.args as [Term, Term];
  for (const [ref, c] of [
    [a, b],
    [b, a],
  ] as const) {
    const key = inputRefKey(ref);
    if (key !== undefined && c.kind === 'string') return { ref, key, value: c.value };
  }
  return undefined;
}

/**
 * indexBodies turns candidates into Blocks: runs of at least MIN_INDEXED_BODIES consecutive
 * candidates guarded on the same ref, with at least two distinct constants, become one Block
 * holding a dispatch tree; everything else passes through unchanged and in order.
 */
export function indexBodies(cands: readonly Candidate[], s: Scope): Block[] {
  const out: Block[] = [];
  let i = 0;
  while (i < cands.length) {
    const g = (cands[i] as Candidate).guard;
    let j = i + 1;
    if (g) while (j < cands.length && (cands[j] as Candidate).guard?.key === g.key) j++;
    const run = cands.slice(i, j);
    const values = new Set(run.map((c) => c.guard?.value));
    if (g && run.length >= MIN_INDEXED_BODIES && values.size >= 2) out.push(dispatchBlock(g.ref, run, s));
    else for (const c of run) out.push(...c.blocks);
    i = j;
  }
  return out;
}

/** dispatchBlock evaluates the ref once into a local and descends the group tree. */
function dispatchBlock(ref: Term, run: readonly Candidate[], s: Scope): Block {
  const groups = new Map<string, Block[]>();
  for (const c of run) {
    const v = (c.guard as IndexGuard).value;
    const list = groups.get(v) ?? [];
    list.push(...c.blocks);
    groups.set(v, list);
  }
  const sorted = [...groups.keys()].sort().map((value) => ({ value, blocks: groups.get(value) as Block[] }));
  const v = newLocal(s);
  const tmp = newLocal(s);
  return {
    stmts: planTerm(ref, s, (op) => [
      { kind: 'assign', source: op, target: v },
      { kind: 'isType', source: localOp(v), type: 'string' },
      ...tree(sorted, v, tmp, s),
    ]),
  };
}

/**
 * tree selects the group whose value equals local `v`: a leaf checks that value and runs its
 * bodies (each still tests its own guard, so its semantics stay intact); an inner node tests membership of `v`
 * in the lower half (a constant object) and descends into exactly one half.
 */
function tree(groups: readonly { value: string; blocks: Block[] }[], v: Local, tmp: Local, s: Scope): Stmt[] {
  if (groups.length === 1) {
    const g = groups[0] as { value: string; blocks: Block[] };
    return [
      { kind: 'equal', a: localOp(v), b: constOp(s.ctx, JSON.stringify(g.value)) },
      { kind: 'block', blocks: g.blocks },
    ];
  }
  const mid = groups.length >> 1;
  const table = constOp(
    s.ctx,
    `{${groups
      .slice(0, mid)
      .map((g) => `${JSON.stringify(g.value)}:true`)
      .join(',')}}`,
  );
  const hit: Stmt = { kind: 'dot', source: table, key: localOp(v), target: tmp };
  return [
    {
      kind: 'block',
      blocks: [
        { stmts: [hit, ...tree(groups.slice(0, mid), v, tmp, s)] },
        { stmts: [{ kind: 'not', block: { stmts: [hit] } }, ...tree(groups.slice(mid), v, tmp, s)] },
      ],
    },
  ];
}
