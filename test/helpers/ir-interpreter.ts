// A small interpreter for the plan IR (engine/ir/nodes.ts), used as the planner's test oracle.
// In: an ir.Policy, an entrypoint name, input and data as JSON-like values. Out: the entrypoint's
// Rego value (RegoSet/RegoObject for sets/objects) or undefined; aborts throw `file:row: code: msg`.

import type { Block, Func, Operand, Policy, RuntimeError, Stmt } from '../../engine/ir/index.js';
import { BUILTINS } from './ir-builtins.js';
import type { Builtin, RunContext } from './ir-builtins.js';
import { RegoObject, RegoSet, dot, equal, fromJson, typeName } from './ir-values.js';
import type { Value } from './ir-values.js';

/** RunOptions adds builtins and captures print output. */
export type RunOptions = { readonly builtins?: Readonly<Record<string, Builtin>>; readonly prints?: string[] };

/** runPlan evaluates entrypoint `name` of the policy; throws `file:row: code: message` on abort. */
export function runPlan(policy: Policy, entrypoint: string, input: unknown, data: unknown, opts: RunOptions = {}): Value | undefined {
  const plan = policy.plans.find((p) => p.name === entrypoint);
  if (!plan) throw new Error(`interpreter: no plan ${entrypoint}`);
  const funcs = new Map(policy.funcs.map((f) => [f.name, f]));
  const consts = policy.constants.map((c) => fromJson(JSON.parse(c), true));
  const ctx: RunContext = { slots: new Array(policy.slots).fill(undefined), prints: opts.prints ?? [] };
  const builtins = { ...BUILTINS, ...opts.builtins };
  const interp = new Interp(funcs, consts, builtins, ctx);
  const f = funcs.get(plan.func);
  if (!f) throw new Error(`interpreter: no function ${plan.func}`);
  const inp = input === undefined ? undefined : fromJson(input);
  return interp.call(f, [inp, fromJson(data ?? {})]);
}

/** InterpError is thrown on abort; its message is `file:row: code: message`. */
export class InterpError extends Error {
  readonly code: string;
  constructor(e: RuntimeError) {
    super(`${e.loc.file}:${e.loc.row}: ${e.code}: ${e.message}`);
    this.code = e.code;
  }
}

const END = -1;

class Interp {
  depth = 0;
  readonly funcs: Map<string, Func>;
  readonly consts: Value[];
  readonly builtins: Readonly<Record<string, Builtin>>;
  readonly ctx: RunContext;
  constructor(funcs: Map<string, Func>, consts: Value[], builtins: Readonly<Record<string, Builtin>>, ctx: RunContext) {
    this.funcs = funcs;
    this.consts = consts;
    this.builtins = builtins;
    this.ctx = ctx;
  }

  call(f: Func, args: (Value | undefined)[]): Value | undefined {
    if (++this.depth > 200) throw new Error(`interpreter: call depth exceeded in ${f.name}`);
    const locals: (Value | undefined)[] = [];
    f.params.forEach((p, i) => {
      locals[p] = args[i];
    });
    for (const b of f.blocks) this.block(b, locals);
    this.depth--;
    return locals[f.result];
  }

  op(o: Operand, l: (Value | undefined)[]): Value | undefined {
    return o.kind === 'local' ? l[o.local] : this.consts[o.index];
  }

  // block returns END when it ran to its end, else how many more enclosing blocks to leave (0 = just this one).
  block(b: Block, l: (Value | undefined)[]): number {
    for (const st of b.stmts) {
      const r = this.stmt(st, l);
      if (r !== END) return r;
    }
    return END;
  }

  // stmt returns END to continue, 0 to leave the current block, n > 0 to leave n more after it.
  stmt(st: Stmt, l: (Value | undefined)[]): number {
    const op = (o: Operand) => this.op(o, l);
    switch (st.kind) {
      case 'call': {
        const f = this.funcs.get(st.func);
        if (!f) throw new Error(`interpreter: no function ${st.func}`);
        const v = this.call(f, st.args.map(op));
        return this.set(l, st.target, v);
      }
      case 'builtin': {
        const impl = this.builtins[st.name];
        if (!impl) throw new Error(`interpreter: no builtin ${st.name}`);
        const args = st.args.map(op);
        if (args.some((a) => a === undefined)) return 0;
        return this.set(l, st.target, impl(args as Value[], this.ctx));
      }
      case 'dot':
        return this.set(l, st.target, dot(op(st.source), op(st.key)));
      case 'len': {
        const s = op(st.source);
        return this.set(
          l,
          st.target,
          Array.isArray(s) ? s.length : s instanceof RegoObject ? s.entries.size : s instanceof RegoSet ? s.items.size : undefined,
        );
      }
      case 'scan': {
        const s = l[st.source];
        const pairs: [Value, Value][] = Array.isArray(s)
          ? s.map((v, i) => [i, v])
          : s instanceof RegoObject
            ? s.sorted()
            : s instanceof RegoSet
              ? s.sorted().map((v) => [v, v])
              : [];
        for (const [k, v] of pairs) {
          l[st.key] = k;
          l[st.value] = v;
          const r = this.block(st.block, l);
          if (r > 0) return r - 1;
        }
        return END;
      }
      case 'not': {
        const r = this.block(st.block, l);
        if (r > 0) return r - 1;
        return r === END ? 0 : END;
      }
      case 'block':
        for (const b of st.blocks) {
          const r = this.block(b, l);
          if (r > 0) return r - 1;
        }
        return END;
      case 'break':
        return st.index;
      case 'assign':
        return this.set(l, st.target, op(st.source));
      case 'assignOnce': {
        const v = op(st.source);
        if (v === undefined) return 0;
        const cur = l[st.target];
        if (cur !== undefined && !equal(cur, v)) throw new InterpError(st.error);
        l[st.target] = v;
        return END;
      }
      case 'reset':
        l[st.target] = undefined;
        return END;
      case 'makeArray':
        l[st.target] = [];
        return END;
      case 'makeObject':
        l[st.target] = new RegoObject();
        return END;
      case 'makeSet':
        l[st.target] = new RegoSet();
        return END;
      case 'equal':
        return equal(op(st.a), op(st.b)) ? END : 0;
      case 'notEqual': {
        const a = op(st.a);
        const b = op(st.b);
        return a !== undefined && b !== undefined && equal(a, b) ? 0 : END;
      }
      case 'isType': {
        const v = op(st.source);
        return v !== undefined && typeName(v) === st.type ? END : 0;
      }
      case 'isDefined':
        return l[st.source] !== undefined ? END : 0;
      case 'isUndefined':
        return l[st.source] === undefined ? END : 0;
      case 'arrayAppend': {
        const a = l[st.array];
        const v = op(st.value);
        if (!Array.isArray(a) || v === undefined) throw new Error('interpreter: arrayAppend on non-array/undefined');
        if (Object.isFrozen(a)) throw new Error('interpreter: mutation of a constant array');
        a.push(v);
        return END;
      }
      case 'objectInsert':
      case 'objectInsertOnce': {
        const o = l[st.object];
        const k = op(st.key);
        const v = op(st.value);
        if (!(o instanceof RegoObject) || k === undefined || v === undefined)
          throw new Error(`interpreter: ${st.kind} on non-object/undefined`);
        if (st.kind === 'objectInsertOnce') {
          const cur = o.get(k);
          if (cur !== undefined && !equal(cur, v)) throw new InterpError(st.error);
        }
        o.set(k, v);
        return END;
      }
      case 'objectMerge': {
        const a = op(st.a);
        const b = op(st.b);
        if (!(a instanceof RegoObject) || !(b instanceof RegoObject)) return 0;
        return this.set(l, st.target, merge(a, b, st.error));
      }
      case 'setAdd': {
        const s = l[st.set];
        const v = op(st.value);
        if (!(s instanceof RegoSet) || v === undefined) throw new Error('interpreter: setAdd on non-set/undefined');
        s.add(v);
        return END;
      }
      case 'upsert': {
        const path = op(st.path);
        const v = op(st.value);
        if (!Array.isArray(path) || v === undefined) throw new Error('interpreter: bad upsert');
        l[st.target] = upsert(op(st.source), path, v);
        return END;
      }
      case 'slotSet':
        this.ctx.slots[st.slot] = op(st.value);
        return END;
      case 'slotGet':
        return this.set(l, st.target, this.ctx.slots[st.slot]);
      case 'abort':
        throw new InterpError(st.error);
      default: {
        const never: never = st;
        throw new Error(`interpreter: unknown statement ${JSON.stringify(never)}`);
      }
    }
  }

  set(l: (Value | undefined)[], target: number, v: Value | undefined): number {
    if (v === undefined) return 0;
    l[target] = v;
    return END;
  }
}

function merge(a: RegoObject, b: RegoObject, error: RuntimeError): RegoObject {
  const out = new RegoObject();
  for (const [k, v] of a.entries.values()) out.set(k, v);
  for (const [k, v] of b.entries.values()) {
    const cur = out.get(k);
    if (cur === undefined) out.set(k, v);
    else if (cur instanceof RegoObject && v instanceof RegoObject) out.set(k, merge(cur, v, error));
    else if (!equal(cur, v)) throw new InterpError(error);
  }
  return out;
}

function upsert(doc: Value | undefined, path: Value[], v: Value): Value {
  if (path.length === 0) return v;
  const out = new RegoObject();
  if (doc instanceof RegoObject) for (const [k, x] of doc.entries.values()) out.set(k, x);
  const [head, ...rest] = path as [Value, ...Value[]];
  out.set(head, upsert(out.get(head), rest, v));
  return out;
}
