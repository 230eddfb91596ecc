// The builtins the IR interpreter (test/helpers/ir-interpreter.ts) implements, enough for planner
// tests: BUILTINS, the Builtin signature and the per-evaluation RunContext builtins see.

import { RegoObject, RegoSet, compare, dot, equal, toJson, typeName } from './ir-values.js';
import type { Value } from './ir-values.js';

/** Builtin is a JS implementation of a builtin: undefined result means undefined. */
export type Builtin = (args: Value[], ctx: RunContext) => Value | undefined;

/** RunContext is per-evaluation state: global slots and print output. */
export type RunContext = { readonly slots: (Value | undefined)[]; readonly prints: string[] };

const num = (v: Value): v is number => typeof v === 'number';
const arith =
  (f: (a: number, b: number) => number | undefined): Builtin =>
  ([a, b]) =>
    num(a as Value) && num(b as Value) ? f(a as number, b as number) : undefined;
const cmp =
  (f: (c: number) => boolean): Builtin =>
  ([a, b]) =>
    f(compare(a as Value, b as Value));
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
  to_number: ([x]) =>
    num(x as Value)
      ? x
      : typeof x === 'string' && x.trim() !== '' && !Number.isNaN(Number(x))
        ? Number(x)
        : typeof x === 'boolean'
          ? Number(x)
          : x === null
            ? 0
            : undefined,
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
  'array.slice': ([a, i, j]) =>
    Array.isArray(a) && num(i as Value) && num(j as Value) ? a.slice(Math.max(0, i as number), Math.max(0, j as number)) : undefined,
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
    Array.isArray(xs) && xs.every((x) => x instanceof RegoObject)
      ? xs.reduce<RegoObject>((acc, x) => unionObj(acc, x as RegoObject), new RegoObject())
      : undefined,
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
