// A small interpreter for the plan IR (engine/ir/nodes.ts), used as the planner's test oracle.
// In: an ir.Policy, an entrypoint name, input and data as JSON-like values. Out: the entrypoint's
// Rego value (RegoSet/RegoObject for sets/objects) or undefined; aborts throw `file:row: code: msg`.

import type { Block, Func, Operand, Policy, RuntimeError, Stmt, ValueType } from '../../engine/ir/index.js';

/** Value is a Rego value in JS; undefined is represented by `undefined`. */
export type Value = null | boolean | number | string | Value[] | RegoObject | RegoSet;

/** RegoObject is an object whose keys may be any Rego value; `frozen` marks constants. */
export class RegoObject {
  readonly entries = new Map<string, [Value, Value]>();
  frozen = false;
  /** get returns the value at key. */
  get(k: Value): Value | undefined {
    return this.entries.get(keyOf(k))?.[1];
  }
  /** set stores value at key. */
  set(k: Value, v: Value): void {
    if (this.frozen) throw new Error('interpreter: mutation of a constant object');
    this.entries.set(keyOf(k), [k, v]);
  }
  /** sorted lists entries in Rego key order. */
  sorted(): [Value, Value][] {
    return [...this.entries.values()].sort((a, b) => compare(a[0], b[0]));
  }
}

/** RegoSet is a set of Rego values. */
export class RegoSet {
  readonly items = new Map<string, Value>();
  frozen = false;
  /** add inserts a value. */
  add(v: Value): void {
    if (this.frozen) throw new Error('interpreter: mutation of a constant set');
    this.items.set(keyOf(v), v);
  }
  /** has tests membership. */
  has(v: Value): boolean {
    return this.items.has(keyOf(v));
  }
  /** sorted lists the elements in Rego order. */
  sorted(): Value[] {
    return [...this.items.values()].sort(compare);
  }
}

function rank(v: Value): number {
  if (v === null) return 0;
  if (typeof v === 'boolean') return 1;
  if (typeof v === 'number') return 2;
  if (typeof v === 'string') return 3;
  if (Array.isArray(v)) return 4;
  if (v instanceof RegoObject) return 5;
  return 6;
}

/** compare orders Rego values: null < boolean < number < string < array < object < set. */
export function compare(a: Value, b: Value): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'boolean' || typeof a === 'number' || typeof a === 'string') {
    return a < (b as typeof a) ? -1 : a > (b as typeof a) ? 1 : 0;
  }
  if (a === null) return 0;
  const seq = (xs: Value[], ys: Value[]): number => {
    for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
      const c = compare(xs[i] as Value, ys[i] as Value);
      if (c !== 0) return c;
    }
    return xs.length - ys.length;
  };
  if (Array.isArray(a)) return seq(a, b as Value[]);
  if (a instanceof RegoObject) {
    const ea = a.sorted();
    const eb = (b as RegoObject).sorted();
    for (let i = 0; i < Math.min(ea.length, eb.length); i++) {
      const [ka, va] = ea[i] as [Value, Value];
      const [kb, vb] = eb[i] as [Value, Value];
      const c = compare(ka, kb) || compare(va, vb);
      if (c !== 0) return c;
    }
    return ea.length - eb.length;
  }
  return seq((a as RegoSet).sorted(), (b as RegoSet).sorted());
}

/** equal tests Rego equality (1 == 1.0). */
export function equal(a: Value | undefined, b: Value | undefined): boolean {
  return a !== undefined && b !== undefined && compare(a, b) === 0;
}

/** keyOf renders a value as a canonical string (for hashing). */
export function keyOf(v: Value): string {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return `n${v}`;
  if (Array.isArray(v)) return `[${v.map(keyOf).join(',')}]`;
  if (v instanceof RegoObject) return `{${v.sorted().map(([k, x]) => `${keyOf(k)}:${keyOf(x)}`).join(',')}}`;
  return `<${v.sorted().map(keyOf).join(',')}>`;
}

/** fromJson converts a JSON-like JS value into a Rego value (optionally frozen). */
export function fromJson(j: unknown, freeze = false): Value {
  if (j === null || typeof j === 'boolean' || typeof j === 'string') return j;
  if (typeof j === 'number') return j;
  if (typeof j === 'bigint') return Number(j);
  if (Array.isArray(j)) {
    const a = j.map((x) => fromJson(x, freeze));
    return freeze ? Object.freeze(a) as Value[] : a;
  }
  if (j instanceof RegoObject || j instanceof RegoSet) return j;
  if (typeof j === 'object') {
    const o = new RegoObject();
    for (const [k, v] of Object.entries(j as Record<string, unknown>)) o.set(k, fromJson(v, freeze));
    o.frozen = freeze;
    return o;
  }
  throw new Error(`interpreter: not a JSON value: ${String(j)}`);
}

/** toJson converts a Rego value to JSON the way OPA serialises (sets → sorted arrays, non-string keys → JSON text). */
export function toJson(v: Value): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(toJson);
  if (v instanceof RegoSet) return v.sorted().map(toJson);
  const out: Record<string, unknown> = {};
  for (const [k, x] of v.sorted()) out[typeof k === 'string' ? k : JSON.stringify(toJson(k))] = toJson(x);
  return out;
}

/** Builtin is a JS implementation of a builtin: undefined result means undefined. */
export type Builtin = (args: Value[], ctx: RunContext) => Value | undefined;

/** RunContext is per-evaluation state: global slots and print output. */
export type RunContext = { readonly slots: (Value | undefined)[]; readonly prints: string[] };

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
        return this.set(l, st.target, Array.isArray(s) ? s.length : s instanceof RegoObject ? s.entries.size : s instanceof RegoSet ? s.items.size : undefined);
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
        if (!(o instanceof RegoObject) || k === undefined || v === undefined) throw new Error(`interpreter: ${st.kind} on non-object/undefined`);
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

function typeName(v: Value): ValueType {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'string') return 'string';
  if (Array.isArray(v)) return 'array';
  return v instanceof RegoObject ? 'object' : 'set';
}

function dot(s: Value | undefined, k: Value | undefined): Value | undefined {
  if (s === undefined || k === undefined) return undefined;
  if (Array.isArray(s)) return typeof k === 'number' && Number.isInteger(k) ? s[k] : undefined;
  if (s instanceof RegoObject) return s.get(k);
  if (s instanceof RegoSet) return s.has(k) ? k : undefined;
  return undefined;
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

// ---- builtins (enough for planner tests) ----

const num = (v: Value): v is number => typeof v === 'number';
const arith = (f: (a: number, b: number) => number | undefined): Builtin => ([a, b]) => (num(a as Value) && num(b as Value) ? f(a as number, b as number) : undefined);
const cmp = (f: (c: number) => boolean): Builtin => ([a, b]) => f(compare(a as Value, b as Value));
const setOf = (xs: Value[]) => {
  const s = new RegoSet();
  for (const x of xs) s.add(x);
  return s;
};
const elems = (v: Value): Value[] | undefined =>
  Array.isArray(v) ? v : v instanceof RegoSet ? v.sorted() : v instanceof RegoObject ? v.sorted().map(([, x]) => x) : undefined;

function show(v: Value): string {
  return typeof v === 'string' ? v : JSON.stringify(toJson(v));
}

/** BUILTINS are the builtins the interpreter implements. */
export const BUILTINS: Readonly<Record<string, Builtin>> = {
  plus: arith((a, b) => a + b),
  minus: ([a, b]) => {
    if (a instanceof RegoSet && b instanceof RegoSet) return setOf(a.sorted().filter((x) => !b.has(x)));
    return num(a as Value) && num(b as Value) ? (a as number) - (b as number) : undefined;
  },
  mul: arith((a, b) => a * b),
  div: arith((a, b) => (b === 0 ? undefined : a / b)),
  rem: arith((a, b) => (b === 0 || !Number.isInteger(a) || !Number.isInteger(b) ? undefined : a % b)),
  and: ([a, b]) => (a instanceof RegoSet && b instanceof RegoSet ? setOf(a.sorted().filter((x) => b.has(x))) : undefined),
  or: ([a, b]) => (a instanceof RegoSet && b instanceof RegoSet ? setOf([...a.sorted(), ...b.sorted()]) : undefined),
  equal: cmp((c) => c === 0),
  neq: cmp((c) => c !== 0),
  lt: cmp((c) => c < 0),
  lte: cmp((c) => c <= 0),
  gt: cmp((c) => c > 0),
  gte: cmp((c) => c >= 0),
  'internal.member_2': ([x, xs]) => {
    const es = elems(xs as Value);
    return es ? es.some((e) => equal(e, x)) : false;
  },
  'internal.member_3': ([k, v, xs]) => {
    if (Array.isArray(xs)) return typeof k === 'number' && equal(xs[k], v);
    if (xs instanceof RegoObject) return equal(xs.get(k as Value), v);
    if (xs instanceof RegoSet) return equal(k, v) && xs.has(k as Value);
    return false;
  },
  'internal.print': ([arr], ctx) => {
    const parts = (arr as Value[]).map((item) => ((item as Value[]).length === 0 ? '<undefined>' : show((item as Value[])[0] as Value)));
    ctx.prints.push(parts.join(' '));
    return true;
  },
  count: ([x]) => {
    if (typeof x === 'string') return [...x].length;
    return elems(x as Value)?.length;
  },
  sum: ([x]) => elems(x as Value)?.reduce<number | undefined>((acc, e) => (acc !== undefined && num(e) ? acc + e : undefined), 0),
  product: ([x]) => elems(x as Value)?.reduce<number | undefined>((acc, e) => (acc !== undefined && num(e) ? acc * e : undefined), 1),
  max: ([x]) => {
    const es = elems(x as Value);
    return es && es.length > 0 ? [...es].sort(compare).at(-1) : undefined;
  },
  min: ([x]) => {
    const es = elems(x as Value);
    return es && es.length > 0 ? [...es].sort(compare)[0] : undefined;
  },
  sort: ([x]) => (Array.isArray(x) || x instanceof RegoSet ? [...(elems(x) as Value[])].sort(compare) : undefined),
  abs: ([x]) => (num(x as Value) ? Math.abs(x as number) : undefined),
  to_number: ([x]) => (num(x as Value) ? x : typeof x === 'string' && x.trim() !== '' && !Number.isNaN(Number(x)) ? Number(x) : typeof x === 'boolean' ? Number(x) : x === null ? 0 : undefined),
  concat: ([sep, xs]) => {
    const es = elems(xs as Value);
    return typeof sep === 'string' && es && es.every((e) => typeof e === 'string') ? es.join(sep) : undefined;
  },
  startswith: ([a, b]) => (typeof a === 'string' && typeof b === 'string' ? a.startsWith(b) : undefined),
  endswith: ([a, b]) => (typeof a === 'string' && typeof b === 'string' ? a.endsWith(b) : undefined),
  contains: ([a, b]) => (typeof a === 'string' && typeof b === 'string' ? a.includes(b) : undefined),
  lower: ([a]) => (typeof a === 'string' ? a.toLowerCase() : undefined),
  upper: ([a]) => (typeof a === 'string' ? a.toUpperCase() : undefined),
  split: ([a, b]) => (typeof a === 'string' && typeof b === 'string' ? a.split(b) : undefined),
  replace: ([a, b, c]) => (typeof a === 'string' && typeof b === 'string' && typeof c === 'string' ? a.split(b).join(c) : undefined),
  trim: ([a, b]) => {
    if (typeof a !== 'string' || typeof b !== 'string') return undefined;
    let s = a;
    while (s.length > 0 && b.includes(s[0] as string)) s = s.slice(1);
    while (s.length > 0 && b.includes(s[s.length - 1] as string)) s = s.slice(0, -1);
    return s;
  },
  sprintf: ([f, args]) => {
    if (typeof f !== 'string' || !Array.isArray(args)) return undefined;
    let i = 0;
    return f.replace(/%[vdsf%]/g, (m) => (m === '%%' ? '%' : show(args[i++] as Value)));
  },
  is_string: ([x]) => typeof x === 'string',
  is_number: ([x]) => typeof x === 'number',
  is_boolean: ([x]) => typeof x === 'boolean',
  is_array: ([x]) => Array.isArray(x),
  is_set: ([x]) => x instanceof RegoSet,
  is_object: ([x]) => x instanceof RegoObject,
  is_null: ([x]) => x === null,
  type_name: ([x]) => typeName(x as Value),
  'object.get': ([o, k, d]) => {
    if (!(o instanceof RegoObject)) return undefined;
    if (Array.isArray(k)) {
      let cur: Value | undefined = o;
      for (const key of k) cur = dot(cur, key);
      return cur ?? (d as Value);
    }
    return o.get(k as Value) ?? (d as Value);
  },
  'object.keys': ([o]) => (o instanceof RegoObject ? setOf(o.sorted().map(([k]) => k)) : undefined),
  'array.concat': ([a, b]) => (Array.isArray(a) && Array.isArray(b) ? [...a, ...b] : undefined),
  'array.slice': ([a, i, j]) => (Array.isArray(a) && num(i as Value) && num(j as Value) ? a.slice(Math.max(0, i as number), Math.max(0, j as number)) : undefined),
  union: ([s]) => (s instanceof RegoSet ? setOf(s.sorted().flatMap((x) => (x instanceof RegoSet ? x.sorted() : []))) : undefined),
  intersection: ([s]) => {
    if (!(s instanceof RegoSet)) return undefined;
    const sets = s.sorted().filter((x): x is RegoSet => x instanceof RegoSet);
    if (sets.length === 0) return new RegoSet();
    return setOf((sets[0] as RegoSet).sorted().filter((x) => sets.every((t) => t.has(x))));
  },
  'numbers.range': ([a, b]) => {
    if (!num(a as Value) || !num(b as Value)) return undefined;
    const out: number[] = [];
    const step = (a as number) <= (b as number) ? 1 : -1;
    for (let i = a as number; step > 0 ? i <= (b as number) : i >= (b as number); i += step) out.push(i);
    return out;
  },
  'object.union': ([a, b]) => (a instanceof RegoObject && b instanceof RegoObject ? unionObj(a, b) : undefined),
  'object.union_n': ([xs]) =>
    Array.isArray(xs) && xs.every((x) => x instanceof RegoObject) ? xs.reduce<RegoObject>((acc, x) => unionObj(acc, x as RegoObject), new RegoObject()) : undefined,
  'opa.runtime': () => new RegoObject(),
  'time.now_ns': () => 1_700_000_000_000_000_000,
  'array.reverse': ([a]) => (Array.isArray(a) ? [...a].reverse() : undefined),
  'strings.reverse': ([a]) => (typeof a === 'string' ? [...a].reverse().join('') : undefined),
  format_int: ([n, base]) => (num(n as Value) && num(base as Value) ? Math.trunc(n as number).toString(base as number) : undefined),
  json_marshal: ([x]) => JSON.stringify(toJson(x as Value)),
  'json.marshal': ([x]) => JSON.stringify(toJson(x as Value)),
};

function unionObj(a: RegoObject, b: RegoObject): RegoObject {
  const out = new RegoObject();
  for (const [k, v] of a.entries.values()) out.set(k, v);
  for (const [k, v] of b.entries.values()) {
    const cur = out.get(k);
    out.set(k, cur instanceof RegoObject && v instanceof RegoObject ? unionObj(cur, v) : v);
  }
  return out;
}
